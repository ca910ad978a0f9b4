"""Forms of the messages pages and the call log's filters. They parse what was typed; the rules (a recipient is
needed, the number is normalised…) live in ``services.messages``, whose refusals come back on these inputs."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.calls.models import Call, Line, Message
from frontoffice.clients.forms import put_errors
from frontoffice.clients.models import Client
from frontoffice.core.models import Department, Member, Organization
# One select for "a person or a department", encoded "m<id>" / "d<id>", as reception's host field.
from frontoffice.reception.forms import host_choices as recipient_choices
from frontoffice.reception.forms import host_value as recipient_value

# What the service calls a field, and the input that shows it on the message form.
SERVICE_FIELDS = {"for_member": "recipient", "for_department": "recipient", "caller_number": "caller_number",
                  "caller_name": "caller_name", "text": "text", "urgency": "urgency", "call": "", "client": ""}


class MessageForm(forms.Form):
    recipient = forms.ChoiceField(label=_("For"))
    caller_name = forms.CharField(label=_("Caller"), required=False, max_length=200,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))
    caller_number = forms.CharField(label=_("Number to call back"), required=False, max_length=32,
                                    widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    text = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Message.Urgency.choices, initial=Message.Urgency.NORMAL,
                                widget=forms.RadioSelect)
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["recipient"].choices = recipient_choices(organization)

    @classmethod
    def for_call(cls, call: Call, organization: Organization) -> MessageForm:
        """An empty form filled in from the call: who called, from what number, for which department."""
        name = call.client.display_name if call.client_id else call.caller_name
        return cls(organization=organization, initial={
            "call": call.pk, "caller_name": name, "caller_number": call.from_number,
            "recipient": recipient_value(department=call.department)})

    def clean_recipient(self) -> dict:
        value = self.cleaned_data.get("recipient") or ""
        found = {"for_member": None, "for_department": None}
        if value[:1] == "m" and value[1:].isdigit():
            found["for_member"] = Member.objects.filter(organization=self.organization, pk=value[1:]).first()
        elif value[:1] == "d" and value[1:].isdigit():
            found["for_department"] = Department.objects.filter(organization=self.organization,
                                                                pk=value[1:]).first()
        if not any(found.values()):
            raise ValidationError(_("Choose whom the message is for: a person or a department."))
        return found

    def clean_call(self) -> Call | None:
        pk = self.cleaned_data.get("call")
        if pk is None:
            return None
        call = Call.objects.filter(organization=self.organization, pk=pk).select_related("client").first()
        if call is None:
            raise ValidationError(_("This call is not in the log."))
        return call

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {**data["recipient"], "caller_name": data["caller_name"], "caller_number": data["caller_number"],
                "text": data["text"], "urgency": data["urgency"], "call": data["call"]}

    def add_service_errors(self, exc: ValidationError) -> None:
        put_errors(self, exc, SERVICE_FIELDS)


class CallLogFilterForm(forms.Form):
    """The call log's filters (GET). Every field is optional; a wrong value is a 400 with the form."""

    from_ = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    line = forms.ModelChoiceField(label=_("Line"), queryset=Line.objects.none(), required=False,
                                  empty_label=_("every line"))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("every department"))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    client = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Number or name"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["line"].queryset = Line.objects.filter(organization=organization).order_by("position", "pk")
        self.fields["department"].queryset = Department.objects.filter(organization=organization).order_by("name")
        self.fields["outcome"].choices = [("", _("any outcome")), *Call.Outcome.choices,
                                          ("misrouted", _("misrouted"))]

    def add_prefix(self, field_name: str) -> str:
        # "from" is a Python keyword: the field is from_, the query parameter (as in the API) is "from".
        return "from" if field_name == "from_" else super().add_prefix(field_name)

    def clean_client(self) -> Client | None:
        pk = self.cleaned_data.get("client")
        if pk is None:
            return None
        client = Client.objects.filter(organization=self.organization, pk=pk).first()
        if client is None:
            raise ValidationError(_("No such client."))
        return client

    def clean(self):
        data = super().clean()
        start, end = data.get("from_"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end is before the start."))
        return data

    def filters(self) -> dict:
        """Keyword arguments for ``queries.log.calls_of``."""
        data = self.cleaned_data if self.is_bound else {}
        outcome = data.get("outcome") or None
        return {"from_": data.get("from_"), "to": data.get("to"), "line": data.get("line"),
                "department": data.get("department"), "client": data.get("client"), "q": data.get("q") or "",
                "outcome": None if outcome == "misrouted" else outcome,
                "misrouted": True if outcome == "misrouted" else None}
