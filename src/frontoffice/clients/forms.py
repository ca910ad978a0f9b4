"""Forms of the client pages: they parse what was typed into a ``ClientInput`` and put the
service's errors back on the right inputs. The rules themselves live in ``validation``."""

from __future__ import annotations

import dataclasses

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontoffice.clients import presets
from frontoffice.clients.models import COMPANY, KIND_CHOICES, PERSON, Client, Consent, CustomField
from frontoffice.clients.validation import CleanClient, ClientInput, clean_client
from frontoffice.core import phones
from frontoffice.core.models import Organization

IDENT_PREFIX = "ident_"
CUSTOM_PREFIX = "custom_"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def put_errors(form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: ``identifiers.pesel`` on ``ident_pesel``,
    ``custom.size`` on ``custom_size``, other keys on the field of that name (or ``rename[key]``),
    and whatever has no input at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.error_dict.items():
        name = (rename or {}).get(key, key)
        if name.startswith("identifiers."):
            name = IDENT_PREFIX + name.split(".", 1)[1]
        elif name.startswith("custom."):
            name = CUSTOM_PREFIX + name.split(".", 1)[1]
        messages = [message for error in errors for message in error.messages]
        form.add_error(name if name in form.fields else None, messages)


def with_focus(form: forms.Form, default: str | None = None) -> forms.Form:
    """Put the cursor on the first input with an error (else on ``default``): keyboard users keep typing."""
    name = next((name for name in form.fields if name in form.errors), default)
    if name is not None:
        form.fields[name].widget.attrs["autofocus"] = True
    return form


# --- searching the list ------------------------------------------------------------------------

class ClientFilterForm(forms.Form):
    ACTIVE, ARCHIVED, ALL = "active", "archived", "all"
    # Which records to show ("active records"): a context of its own, since Polish agrees the adjective
    # with the plural noun here ("aktywne") but with the thing itself elsewhere ("aktywny").
    STATUSES = [(ACTIVE, pgettext_lazy("records", "active")), (ARCHIVED, pgettext_lazy("records", "archived")),
                (ALL, pgettext_lazy("records", "all"))]

    q = forms.CharField(label=_("Find"), required=False)
    status = forms.ChoiceField(label=_("Show"), choices=STATUSES, required=False)
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    @property
    def archived(self) -> bool | None:
        status = self.cleaned_data.get("status") or self.ACTIVE
        return {self.ACTIVE: False, self.ARCHIVED: True, self.ALL: None}[status]


# --- entering clients --------------------------------------------------------------------------

class QuickEntryForm(forms.Form):
    """Name and phone, typed in seconds: "Jan Kowalski" is split on the last space."""

    name = forms.CharField(label=_("Full name"), required=False, max_length=250, widget=forms.TextInput(attrs={
        "autocomplete": "off", "placeholder": _("e.g. Jan Kowalski"), "id": "quick-name"}))
    is_organization = forms.BooleanField(label=_("an organisation"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40, widget=forms.TextInput(attrs={
        "autocomplete": "off", "inputmode": "tel", "type": "tel", "placeholder": _("e.g. 600 100 200")}))

    ERROR_FIELDS = {"first_name": "name", "last_name": "name", "organization_name": "name", "phones": "phone",
                    "kind": "is_organization"}

    def to_input(self) -> ClientInput:
        data = self.cleaned_data
        name = " ".join(data.get("name", "").split())
        phone = data.get("phone", "").strip()
        if data.get("is_organization"):
            return ClientInput(kind=COMPANY, organization_name=name, phones=[phone] if phone else [])
        first, _space, last = name.rpartition(" ")
        return ClientInput(kind=PERSON, first_name=first, last_name=last, phones=[phone] if phone else [])

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, self.ERROR_FIELDS)


class ClientForm(forms.Form):
    """The full record. Every field is optional here: ``validation.clean_client`` decides."""

    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial=PERSON, widget=forms.RadioSelect)
    first_name = forms.CharField(label=_("First name"), required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "off"}))
    last_name = forms.CharField(label=_("Last name"), required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    organization_name = forms.CharField(label=_("Organisation name"), required=False,
                                        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    date_of_birth = forms.CharField(label=_("Date of birth"), required=False, help_text=_("DD.MM.YYYY or YYYY-MM-DD"),
                                    widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                                                  "placeholder": "31.12.1980"}))
    phones = forms.CharField(label=_("Phones"), required=False, help_text=_("One per line, in any format."),
                             widget=forms.Textarea(attrs={"rows": 2, "inputmode": "tel"}))
    emails = forms.CharField(label=_("E-mails"), required=False, help_text=_("One per line."),
                             widget=forms.Textarea(attrs={"rows": 2}))
    street = forms.CharField(label=_("Street and number"), required=False)
    postal_code = forms.CharField(label=_("Postal code"), required=False)
    city = forms.CharField(label=_("City"), required=False)
    country = forms.CharField(label=_("Country"), required=False, help_text=_("Two letters, e.g. PL."),
                              widget=forms.TextInput(attrs={"size": 3, "maxlength": 2}))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organization: Organization, custom_fields: list[CustomField] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.identifiers = presets.identifiers_for(organization.vertical)
        self.custom_definitions = (custom_fields if custom_fields is not None
                                   else list(organization.client_fields.filter(active=True)))
        for ident in self.identifiers:
            self.fields[IDENT_PREFIX + ident.key] = forms.CharField(
                label=ident.label, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
        for definition in self.custom_definitions:
            self.fields[CUSTOM_PREFIX + definition.key] = _custom_form_field(definition)

    @classmethod
    def for_client(cls, client: Client, **kwargs) -> ClientForm:
        """An unbound form showing ``client`` as stored (phones, e-mails and tags one per line/comma)."""
        initial = {name: getattr(client, name) for name in ("kind", "first_name", "last_name", "organization_name",
                                                            "street", "postal_code", "city", "country", "notes")}
        initial |= {
            "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else "",
            "phones": "\n".join(phones.display(p.number) for p in client.phones.all()),
            "emails": "\n".join(e.email for e in client.emails.all()),
            "tags": ", ".join(client.tags),
        }
        initial |= {IDENT_PREFIX + key: value for key, value in client.identifiers.items()}
        initial |= {CUSTOM_PREFIX + key: value for key, value in client.custom.items()}
        return cls(initial=initial, organization=client.organization, **kwargs)

    def identifier_fields(self) -> list[tuple[forms.BoundField, str]]:
        """(field, css class) pairs: a PESEL shows for people only, a REGON for organisations only."""
        return [(self[IDENT_PREFIX + ident.key], _kind_class(ident.kinds)) for ident in self.identifiers]

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[CUSTOM_PREFIX + definition.key] for definition in self.custom_definitions]

    def to_input(self) -> ClientInput:
        data = self.cleaned_data
        return ClientInput(
            kind=data.get("kind") or PERSON,
            first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
            organization_name=data.get("organization_name", ""), date_of_birth=data.get("date_of_birth") or None,
            phones=_lines(data.get("phones", "")), emails=_lines(data.get("emails", "")),
            street=data.get("street", ""), postal_code=data.get("postal_code", ""), city=data.get("city", ""),
            country=data.get("country", ""),
            identifiers={ident.key: data.get(IDENT_PREFIX + ident.key, "") for ident in self.identifiers},
            tags=[t.strip() for t in data.get("tags", "").split(",") if t.strip()],
            notes=data.get("notes", ""),
            custom={d.key: data.get(CUSTOM_PREFIX + d.key, "") for d in self.custom_definitions
                    if data.get(CUSTOM_PREFIX + d.key, "") != ""},
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


def _kind_class(kinds: tuple[str, ...]) -> str:
    if set(kinds) == {PERSON, COMPANY}:
        return ""
    return "person-only" if PERSON in kinds else "organization-only"


def _custom_form_field(definition: CustomField) -> forms.Field:
    label = f"{definition.label} *" if definition.required else definition.label
    if definition.kind == CustomField.CHOICE:
        widget = forms.Select(choices=[("", "—")] + [(c, c) for c in definition.choices])
    elif definition.kind == CustomField.DATE:
        widget = forms.DateInput(attrs={"type": "date"})
    elif definition.kind == CustomField.NUMBER:
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    else:
        widget = forms.TextInput()
    return forms.CharField(label=label, required=False, widget=widget)


def entry_form(data, organization: Organization) -> QuickEntryForm | ClientForm:
    """The quick or the full form, whichever sent ``data`` (it says so in ``entry``)."""
    if data.get("entry") == "quick":
        return QuickEntryForm(data)
    return ClientForm(data, organization=organization, custom_fields=[])


def lenient_clean(organization: Organization, data: ClientInput) -> CleanClient | None:
    """What can already be checked for duplicates in half-typed input: the parts that are not valid
    yet (a phone still being typed, a date half written, no name so far) are left out."""
    data = dataclasses.replace(data, custom={}, tags=[], notes="", country="")
    nameless = False
    for _attempt in range(3):
        try:
            clean = clean_client(organization, data, fields=[])
        except ValidationError as exc:
            bad = set(exc.error_dict)
            if bad & {"first_name", "last_name", "organization_name"}:
                nameless = True
                data = dataclasses.replace(data, last_name="-", organization_name="-")
            if "kind" in bad:
                data = dataclasses.replace(data, kind=PERSON)
            if "phones" in bad:
                data = dataclasses.replace(data, phones=[p for p in data.phones
                                                         if phones.try_normalize(p, organization.country)])
            if "emails" in bad:
                data = dataclasses.replace(data, emails=[e for e in data.emails if _is_email(e)])
            if "date_of_birth" in bad:
                data = dataclasses.replace(data, date_of_birth=None)
            data = dataclasses.replace(data, identifiers={
                key: value for key, value in data.identifiers.items() if f"identifiers.{key}" not in bad})
            continue
        if nameless:
            clean = dataclasses.replace(clean, first_name="", last_name="", organization_name="")
        return clean
    return None


def _is_email(text: str) -> bool:
    try:
        validate_email(text.strip().lower())
    except ValidationError:
        return False
    return True


# --- on the client page ------------------------------------------------------------------------

class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent"), choices=Consent.KINDS)
    granted = forms.TypedChoiceField(label=_("Answer"), choices=[("yes", _("granted")), ("no", _("refused or withdrawn"))],
                                     coerce=lambda value: value == "yes", initial="yes")
    given_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}),
                               input_formats=["%Y-%m-%d", "%d.%m.%Y"])
    source = forms.CharField(label=_("Source"), required=False, max_length=100,
                             help_text=_("e.g. paper form, kiosk, e-mail"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("given_on", timezone.localdate().isoformat())

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


class PartyForm(forms.Form):
    RELATIONS = [("opposing_party", _("opposing party")), ("opposing_counsel", _("opposing counsel")),
                 ("related_person", _("related person")), ("other", _("other"))]

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    relation = forms.ChoiceField(label=_("Relation"), choices=RELATIONS, initial="opposing_party")

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


RELATION_LABELS = dict(PartyForm.RELATIONS)


class MergeForm(forms.Form):
    other_id = forms.IntegerField(label=_("The other record"), widget=forms.HiddenInput,
                                  error_messages={"required": _("Choose the record to merge.")})

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


class ConflictCheckForm(forms.Form):
    name = forms.CharField(label=_("Name to check"), required=False, max_length=200,
                           help_text=_("A person or organisation; variants such as Kowalski/Kowalska are found too."),
                           widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)


class CustomFieldForm(forms.Form):
    label = forms.CharField(label=_("Label"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=CustomField.KINDS, initial=CustomField.TEXT)
    choices = forms.CharField(label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("For a choice field: one option per line."))
    required = forms.BooleanField(label=_("Required"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                help_text=_("An inactive field is no longer asked for; stored values stay."))

    @classmethod
    def for_field(cls, field: CustomField | None, data=None) -> CustomFieldForm:
        if field is None:
            return cls(data)
        return cls(data, initial={"label": field.label, "kind": field.kind, "choices": "\n".join(field.choices),
                                  "required": field.required, "active": field.active})

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"label": data["label"], "kind": data["kind"], "choices": _lines(data["choices"]),
                "required": data["required"], "active": data["active"]}

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc)
