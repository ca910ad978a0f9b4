"""Forms of the desk pages: they parse what was typed and put the services' refusals back on the
right inputs. The rules themselves (a host is needed, no invitation in the past…) live in
``reception.services``; a form only checks what it must to call a service at all."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.clients import queries as client_queries
from frontoffice.clients.forms import put_errors
from frontoffice.core.models import Department, Member, Organization, Site

# What a service calls a field, and the input that shows it on these forms.
SERVICE_FIELDS = {"host_member": "host", "host_department": "host", "client": "client",
                  "site": "site", "expected_at": "expected_at"}


def host_choices(organization: Organization) -> list:
    """One select for the host: the organisation's active members, then its departments."""
    members = Member.objects.filter(organization=organization, active=True).select_related("user").order_by(
        "user__full_name", "pk")
    departments = Department.objects.filter(organization=organization, active=True).order_by("name", "pk")
    choices: list = [("", "—")]
    people = [(f"m{m.pk}", m.user.full_name or m.user.email) for m in members]
    if people:
        choices.append((_("People"), people))
    teams = [(f"d{d.pk}", d.name) for d in departments]
    if teams:
        choices.append((_("Departments"), teams))
    return choices


def host_value(member: Member | None = None, department: Department | None = None) -> str:
    if member is not None:
        return f"m{member.pk}"
    return f"d{department.pk}" if department is not None else ""


class VisitFormBase(forms.Form):
    """The host and the type of visit, which every way of entering a visit asks for."""

    host = forms.ChoiceField(label=_("Host"), required=False)
    visit_type = forms.ChoiceField(label=_("Type of visit"))
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=200)

    def __init__(self, *args, organization: Organization, visit_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["host"].choices = host_choices(organization)
        self.fields["visit_type"].choices = [(t.key, t.label) for t in visit_types]
        if visit_types and not self.is_bound:
            self.initial.setdefault("visit_type", visit_types[0].key)

    def clean_host(self) -> dict:
        """``{"host_member": …, "host_department": …}`` for the services (both None when none was chosen)."""
        value = self.cleaned_data.get("host") or ""
        found = {"host_member": None, "host_department": None}
        if value[:1] == "m" and value[1:].isdigit():
            found["host_member"] = Member.objects.filter(organization=self.organization, pk=value[1:]).first()
        elif value[:1] == "d" and value[1:].isdigit():
            found["host_department"] = Department.objects.filter(organization=self.organization,
                                                                 pk=value[1:]).first()
        return found

    def clean(self):
        data = super().clean()
        host = data.get("host")
        if isinstance(host, dict) and not any(host.values()) and "host" not in self.errors:
            # The services refuse it too; said here so that every mistake shows at once.
            self.add_error("host", _("Choose the host: a person or a department."))
        return data

    def visit_fields(self) -> dict:
        data = self.cleaned_data
        return {**data["host"], "visit_type": data["visit_type"], "purpose": data.get("purpose", "")}

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, SERVICE_FIELDS)


class VisitorFields(forms.Form):
    """A new person's details, as the visitor gives them at the desk or in an invitation."""

    visitor_name = forms.CharField(label=_("Name"), required=False, max_length=200,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))
    visitor_phone = forms.CharField(label=_("Phone"), required=False, max_length=40,
                                    widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel",
                                                                  "inputmode": "tel"}))
    visitor_company = forms.CharField(label=_("Company"), required=False, max_length=200,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    visitor_email = forms.EmailField(label=_("E-mail"), required=False,
                                     widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def visitor(self) -> dict:
        data = self.cleaned_data
        return {key: " ".join((data.get(key) or "").split()) for key in
                ("visitor_name", "visitor_phone", "visitor_company", "visitor_email")}


class WalkInForm(VisitFormBase, VisitorFields):
    """A visitor who is here now: an existing client (picked from the search) or a new person."""

    q = forms.CharField(label=_("Find a client"), required=False, max_length=100, widget=forms.TextInput(attrs={
        "type": "search", "autocomplete": "off", "id": "walkin-q", "autofocus": True,
        "placeholder": _("Name, phone, e-mail or number…")}))
    client = forms.IntegerField(required=False, widget=forms.HiddenInput)
    add_as_client = forms.BooleanField(label=_("Add as a client too"), required=False)

    field_order = ["q", "client", "visitor_name", "visitor_phone", "visitor_company", "visitor_email",
                   "add_as_client", "host", "visit_type", "purpose"]

    def clean_client(self):
        pk = self.cleaned_data.get("client")
        if pk is None:
            return None
        found = client_queries.clients_of(self.organization).filter(pk=pk).first()
        if found is None:
            raise ValidationError(_("That client is not in the list any more; search again."))
        return found

    def clean(self):
        data = super().clean()
        if not data.get("client") and not " ".join((data.get("visitor_name") or "").split()) \
                and "visitor_name" not in self.errors:
            self.add_error("visitor_name", _("Pick a client from the search, or type the visitor's name."))
        return data

    def service_fields(self) -> dict:
        client = self.cleaned_data.get("client")
        return {**self.visit_fields(), "client": client, **({} if client else self.visitor())}


class InviteForm(VisitFormBase, VisitorFields):
    """An invitation: who is coming, when, to whom; the visitor gets an e-mail with the code."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), empty_label=None)
    expected_at = forms.DateTimeField(label=_("Expected at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    notes = forms.CharField(label=_("Notes for the desk"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    send_invitation = forms.BooleanField(label=_("E-mail the invitation to the visitor"), required=False,
                                         initial=True)

    field_order = ["visitor_name", "visitor_company", "visitor_email", "visitor_phone", "host", "site",
                   "expected_at", "visit_type", "purpose", "notes", "send_invitation"]

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["visitor_name"].required = True
        self.fields["visitor_name"].error_messages["required"] = _("Who is coming? Type the visitor's name.")
        self.fields["expected_at"].error_messages["required"] = _("When is the visitor coming?")

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {**self.visit_fields(), **self.visitor(), "site": data["site"], "expected_at": data["expected_at"],
                "notes": data.get("notes", ""), "send_invitation": data.get("send_invitation", False)}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class SiteForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), empty_label=None)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class MarkSafeForm(forms.Form):
    visit = forms.IntegerField(widget=forms.HiddenInput)
