"""Forms of the switchboard: where a call goes, a call logged by hand, the caller as a client.

They parse what was typed and put the services' refusals back on the right inputs; the rules live in
``services.switchboard``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.calls.models import Call, Line
from frontoffice.clients import queries as client_queries
from frontoffice.clients.forms import QuickEntryForm, put_errors
from frontoffice.core.models import Department, Member, Organization

OUTCOMES_BY_HAND = [Call.Outcome.ANSWERED, Call.Outcome.TRANSFERRED, Call.Outcome.MESSAGE,
                    Call.Outcome.VOICEMAIL, Call.Outcome.ABANDONED]


def _departments(organization: Organization):
    return Department.objects.filter(organization=organization, active=True).order_by("name", "pk")


def target_choices(organization: Organization) -> list:
    """Departments first (where most calls go), then people; values "d<id>" and "m<id>"."""
    choices: list = [("", "—")]
    teams = [(f"d{d.pk}", d.name) for d in _departments(organization)]
    if teams:
        choices.append((_("Departments"), teams))
    members = Member.objects.filter(organization=organization, active=True).select_related("user").order_by(
        "user__full_name", "pk")
    people = [(f"m{m.pk}", f"{m.user.full_name or m.user.email}" + (f" · {m.phone}" if m.phone else ""))
              for m in members]
    if people:
        choices.append((_("People"), people))
    return choices


class TransferForm(forms.Form):
    to = forms.ChoiceField(label=_("Transfer to"), widget=forms.Select(attrs={"id": "transfer-to"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["to"].choices = target_choices(organization)

    def clean_to(self) -> dict:
        value = self.cleaned_data["to"]
        kind, pk = value[:1], value[1:]
        model = {"d": Department, "m": Member}.get(kind)
        found = model.objects.filter(organization=self.organization, pk=pk).first() if pk.isdigit() else None
        if model is None or found is None:
            raise ValidationError(_("Choose a department or a person from the list."))
        return {"department": found if kind == "d" else None, "member": found if kind == "m" else None}

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, {"department": "to", "member": "to"})


class ManualCallForm(forms.Form):
    """A call on an ordinary phone, typed while talking: line (remembered), number, where it went, outcome."""

    line = forms.ModelChoiceField(label=_("Line"), queryset=Line.objects.none(), empty_label=None,
                                  widget=forms.Select(attrs={"id": "manual-line"}))
    number = forms.CharField(label=_("Caller's number"), required=False, max_length=64, widget=forms.TextInput(
        attrs={"id": "manual-number", "type": "tel", "inputmode": "tel", "autocomplete": "off", "autofocus": True,
               "placeholder": _("Type or paste; empty when withheld")}))
    department = forms.ModelChoiceField(label=_("Put through to"), queryset=Department.objects.none(),
                                        required=False, empty_label=_("— nobody (the desk dealt with it)"),
                                        widget=forms.Select(attrs={"id": "manual-department"}))
    outcome = forms.ChoiceField(label=_("Outcome"), initial=Call.Outcome.ANSWERED,
                                choices=[(o.value, o.label) for o in OUTCOMES_BY_HAND],
                                widget=forms.Select(attrs={"id": "manual-outcome"}))
    caller_name = forms.CharField(label=_("Caller's name"), required=False, max_length=200,
                                  widget=forms.TextInput(attrs={"id": "manual-name", "autocomplete": "off"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"id": "manual-notes", "rows": 2}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = Line.objects.filter(organization=organization, active=True)
        self.fields["department"].queryset = _departments(organization)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"line": data["line"], "number_raw": data.get("number", ""), "department": data.get("department"),
                "outcome": data["outcome"], "caller_name": data.get("caller_name", ""),
                "notes": data.get("notes", ""),
                "answered": data["outcome"] not in (Call.Outcome.ABANDONED, Call.Outcome.VOICEMAIL)}

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, {"number_raw": "number"})


class QuickAddForm(QuickEntryForm):
    """A new caller as a client: the name typed, the number from the call (it can be corrected)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"id": "pop-name", "placeholder": _("The caller's full name")})
        self.fields["phone"].widget.attrs["id"] = "pop-phone"


class LinkClientForm(forms.Form):
    client = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_client(self):
        found = client_queries.clients_of(self.organization).filter(pk=self.cleaned_data["client"]).first()
        if found is None:
            raise ValidationError(_("That client is not in the list any more; search again."))
        return found
