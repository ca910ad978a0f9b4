"""Forms of the phone settings: lines, the call flow editor, ring groups and the telephony provider.

They parse what was typed into the arguments of the services (``services.lines``, ``services.flows``,
``services.provider``); the rules live there, and ``put_service_errors`` shows their refusals on the inputs.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frontoffice.calls.models import Line, RingGroup, TelephonyProvider
from frontoffice.calls.routing import Flow
from frontoffice.calls.services.lines import GREETING_MAX_BYTES, RING_SECONDS, TARGETS_MAX
from frontoffice.core.forms import WEEKDAY_LABELS, add_service_errors, opening_hours_from_fields
from frontoffice.core.models import WEEKDAYS, Organization

# The keys of a phone's keypad, in the order they are printed on it, and the form field of each.
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
KEY_FIELDS = {key: "key_" + {"*": "star", "#": "hash"}.get(key, key) for key in KEYS}
DESK = "desk"


def put_service_errors(form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None,
                       formset: forms.BaseFormSet | None = None) -> None:
    """A service's refusal on the form: its field names renamed to the form's, ``targets`` on the formset."""
    if not hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
        return
    rename = rename or {}
    for field, errors in exc.error_dict.items():
        if field == "targets" and formset is not None:
            formset._non_form_errors = formset.error_class(
                [*formset.non_form_errors(), *ValidationError(errors).messages], error_class="nonform")
            continue
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _member_label(member) -> str:
    name = member.user.full_name or member.user.email
    return f"{name} · {member.phone}" if member.phone else name


# --- lines ---------------------------------------------------------------------------------------

class LineForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40, widget=forms.TextInput(attrs={
        "type": "tel", "inputmode": "tel", "autocomplete": "off", "autofocus": True,
        "placeholder": _("e.g. +48 22 123 45 67")}),
        help_text=_("The number callers dial, as your provider sold it to you."))
    label = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={
        "autocomplete": "off", "placeholder": _("e.g. Main number")}),
        help_text=_("Shown on the switchboard and in the call log."))
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None,
                                  help_text=_("Its opening hours decide when the line is open."))
    department = forms.ModelChoiceField(label=_("Direct line of"), queryset=None, required=False,
                                        empty_label=_("— none: a main number —"),
                                        help_text=_("A department's own number rings that department."))
    position = forms.IntegerField(label=_("Order on the switchboard"), required=False, min_value=0,
                                  max_value=999, help_text=_("Empty: after the other lines."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                help_text=_("A switched-off line takes no calls; its call log stays."))

    def __init__(self, *args, organization: Organization, line: Line | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.fields["site"].queryset = organization.sites.filter(active=True)
        self.fields["department"].queryset = organization.departments.filter(active=True)
        if line is None:
            del self.fields["active"]

    @classmethod
    def for_line(cls, line: Line, data=None, *, organization: Organization) -> LineForm:
        initial = {"number": line.number, "label": line.label, "site": line.site,
                   "department": line.department, "position": line.position, "active": line.active}
        return cls(data, initial=initial, organization=organization, line=line)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if self.line is not None and data.get("position") is None:
            data.pop("position")  # kept as it is
        return data


# --- the call flow -------------------------------------------------------------------------------

class FlowForm(forms.Form):
    greeting_text = forms.CharField(label=_("Words to say"), required=False, widget=forms.Textarea(
                                        attrs={"rows": 2}),
                                    help_text=_("Spoken by the provider in the organisation's language."))
    greeting_recording = forms.FileField(label=_("Or a recording"), required=False, widget=forms.FileInput(
        attrs={"accept": "audio/mpeg,audio/wav,.mp3,.wav"}))
    remove_recording = forms.BooleanField(label=_("Remove the recording (speak the text instead)"),
                                          required=False)
    menu_prompt = forms.CharField(label=_("Menu prompt"), required=False, widget=forms.Textarea(
                                      attrs={"rows": 2}),
                                  help_text=_("e.g. “For appointments press 1, for results press 2.”"))
    department_id = forms.ChoiceField(label=_("Without a menu, ring"), required=False,
                                      help_text=_("Also where a call goes when the menu is left empty."))
    after_hours_text = forms.CharField(label=_("After hours, say"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}),
                                       help_text=_("e.g. our hours, or the number to call in an emergency."))
    after_hours_voicemail = forms.TypedChoiceField(
        label=_("Then"), coerce=lambda v: v == "voicemail", empty_value=True, widget=forms.RadioSelect,
        choices=[("voicemail", _("take a voicemail")), ("hangup", _("hang up"))])
    voicemail_text = forms.CharField(label=_("Before a voicemail, say"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("Empty: “Please leave a message after the tone.”"))
    queue_max_seconds = forms.IntegerField(label=_("Longest wait for the desk (seconds)"), min_value=30,
                                           max_value=1800, help_text=_(
                                               "When every receptionist is busy callers hold this long, then "
                                               "leave a voicemail."))

    def __init__(self, *args, departments, has_recording: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_recording = has_recording
        choices = [(str(d.pk), d.name) for d in departments]
        self.fields["department_id"].choices = [(DESK, gettext("the front desk")), *choices]
        for key in KEYS:
            self.fields[KEY_FIELDS[key]] = forms.ChoiceField(label=key, required=False,
                                                             choices=[("", "—"), *choices])
        self.fields["greeting_recording"].help_text = gettext(
            "An MP3 or WAV file of at most %(size)s, played instead of the text.") % {
            "size": filesizeformat(GREETING_MAX_BYTES)}
        if not has_recording:
            del self.fields["remove_recording"]

    @classmethod
    def for_line(cls, line: Line, data=None, files=None, *, departments) -> FlowForm:
        flow = {**_flow_defaults(), **(line.flow or {})}
        initial = {name: flow.get(name) for name in ("greeting_text", "menu_prompt", "after_hours_text",
                                                     "voicemail_text", "queue_max_seconds")}
        initial["department_id"] = str(flow["department_id"]) if flow.get("department_id") else DESK
        voicemail = flow.get("after_hours_voicemail", True)
        initial["after_hours_voicemail"] = "voicemail" if voicemail else "hangup"
        for key, department_id in (flow.get("menu") or {}).items():
            if key in KEY_FIELDS:
                initial[KEY_FIELDS[key]] = str(department_id)
        return cls(data, files, initial=initial, departments=departments,
                   has_recording=bool(line.greeting_recording))

    def key_fields(self):
        """The keypad rows, as (key, bound field), in the keypad's order."""
        return [(key, self[KEY_FIELDS[key]]) for key in KEYS]

    def flow(self) -> dict:
        """The flow for ``flow_save`` (the shape of ``routing.Flow``; ``greeting_url`` is the service's)."""
        data = self.cleaned_data
        menu = {key: int(data[KEY_FIELDS[key]]) for key in KEYS if data.get(KEY_FIELDS[key])}
        department = data.get("department_id")
        return {
            "greeting_text": data.get("greeting_text", "").strip(),
            "menu_prompt": data.get("menu_prompt", "").strip() if menu else "",
            "menu": menu,
            "department_id": int(department) if department and department != DESK else None,
            "after_hours_text": data.get("after_hours_text", "").strip(),
            "after_hours_voicemail": data["after_hours_voicemail"],
            "voicemail_text": data.get("voicemail_text", "").strip(),
            "queue_max_seconds": data["queue_max_seconds"],
        }

    def clean(self):
        data = super().clean()
        if any(data.get(KEY_FIELDS[key]) for key in KEYS) and not (data.get("menu_prompt") or "").strip():
            self.add_error("menu_prompt", _("Tell callers which key does what."))
        return data


def _flow_defaults() -> dict:
    flow = Flow()
    return {"greeting_text": flow.greeting_text, "queue_max_seconds": flow.queue_max_seconds,
            "after_hours_voicemail": flow.after_hours_voicemail}


# Flow fields the service may name, and the input that shows them.
FLOW_ERRORS = {"greeting_url": "greeting_recording", "menu": "menu_prompt"}


# --- ring groups ---------------------------------------------------------------------------------

def _seconds_field(label, initial: int, help_text=""):
    low, high = RING_SECONDS
    return forms.IntegerField(label=label, min_value=low, max_value=high, initial=initial,
                              help_text=help_text, widget=forms.NumberInput(attrs={"class": "seconds"}))


class RingGroupForm(forms.Form):
    strategy = forms.ChoiceField(label=_("Ringing"), choices=RingGroup.Strategy.choices,
                                 widget=forms.RadioSelect, initial=RingGroup.Strategy.PARALLEL)
    ring_seconds = _seconds_field(_("Ring everyone for (seconds)"), 20,
                                  _("Ringing everyone at once: how long before the call moves on."))
    overflow = forms.ChoiceField(label=_("When nobody answers"), choices=RingGroup.Overflow.choices,
                                 widget=forms.RadioSelect, initial=RingGroup.Overflow.VOICEMAIL)
    overflow_department = forms.ModelChoiceField(label=_("Send the call to"), queryset=None, required=False,
                                                 empty_label="—")
    is_desk = forms.BooleanField(label=_("This is the front desk"), required=False, help_text=_(
        "Menu mistakes, transfers to the desk and every fallback ring the desk. One department is the desk: "
        "ticking this moves it here."))
    own_hours = forms.BooleanField(label=_("Own opening hours"), required=False,
                                   help_text=_("Unticked: the hours and closures of the department's site."))

    def __init__(self, *args, organization: Organization, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overflow_department"].queryset = organization.departments.filter(active=True).exclude(
            pk=department.pk)
        hours = self.initial.get("opening_hours") or {}
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=WEEKDAY_LABELS[day], required=False,
                initial=", ".join(f"{a}-{b}" for a, b in hours.get(day, [])),
                help_text=_("e.g. 08:00-12:00, 13:00-16:00; empty = closed") if day == "mon" else "")

    @classmethod
    def for_group(cls, group: RingGroup | None, data=None, *, organization: Organization, department
                  ) -> RingGroupForm:
        initial = {}
        if group is not None:
            initial = {"strategy": group.strategy, "ring_seconds": group.ring_seconds,
                       "overflow": group.overflow, "overflow_department": group.overflow_department,
                       "is_desk": group.is_desk,
                       "own_hours": bool(group.opening_hours), "opening_hours": group.opening_hours}
        return cls(data, initial=initial, organization=organization, department=department)

    def hour_fields(self):
        return [self[f"hours_{day}"] for day in WEEKDAYS]

    def clean(self):
        data = super().clean()
        hours = opening_hours_from_fields(self, data)
        data["opening_hours"] = hours if data.get("own_hours") else None
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = ("strategy", "ring_seconds", "overflow", "overflow_department", "opening_hours")
        return {name: data.get(name) for name in names} | {"is_desk": bool(data.get("is_desk"))}


RING_GROUP_ERRORS = {"opening_hours": "own_hours"}


class TargetForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None, required=False, empty_label="—")
    target = forms.CharField(label=_("Number, SIP address or extension"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "placeholder": _("empty: the member's phone")}))
    ring_seconds = _seconds_field(_("Seconds"), 15)

    def __init__(self, *args, members=None, member_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].choices = member_choices  # listed once for every row, not queried per row

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("member") and not (data.get("target") or "").strip()


class BaseTargetFormSet(forms.BaseFormSet):
    def __init__(self, *args, members=None, **kwargs):
        self.members = members
        self.member_choices = [("", "—"), *((m.pk, _member_label(m)) for m in members)]
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"members": self.members, "member_choices": self.member_choices}

    def targets(self) -> list[dict]:
        """The phones to ring, in order, for ``ring_group_save`` (empty and removed rows left out)."""
        rows = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.is_blank():
                continue
            data = form.cleaned_data
            rows.append({"member_id": data["member"].pk if data.get("member") else None,
                         "target": (data.get("target") or "").strip(), "ring_seconds": data["ring_seconds"]})
        return rows


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True,
                                      max_num=TARGETS_MAX, validate_max=True)


def target_initial(group: RingGroup | None) -> list[dict]:
    if group is None:
        return []
    return [{"member": t.member, "target": t.target, "ring_seconds": t.ring_seconds}
            for t in group.targets.select_related("member__user")]


# --- the provider --------------------------------------------------------------------------------

class ProviderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Provider"), choices=TelephonyProvider.Kind.choices,
                             widget=forms.RadioSelect, initial=TelephonyProvider.Kind.TWILIO)
    account_sid = forms.CharField(label=_("Account SID"), max_length=64, widget=forms.TextInput(attrs={
        "autocomplete": "off", "spellcheck": "false", "placeholder": "AC…"}),
        help_text=_("On the provider's console, next to the auth token (SignalWire: the project ID)."))
    auth_token = forms.CharField(label=_("Auth token"), max_length=128, required=False, strip=True,
                                 widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    space_url = forms.CharField(label=_("Space URL"), max_length=200, required=False, widget=forms.TextInput(
        attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "example.signalwire.com"}),
        help_text=_("SignalWire only: your space's address."))
    signing_key = forms.CharField(label=_("Signing key"), max_length=128, required=False, strip=True,
                                  widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                  help_text=_("SignalWire only: the project's signing key (API credentials), "
                                              "which signs its webhooks. Empty: the auth token signs them."))

    def __init__(self, *args, provider: TelephonyProvider | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        if provider is not None:
            self.fields["auth_token"].help_text = gettext(
                "Saved: %(hint)s. Leave empty to keep it; type a new one to replace it.") % {
                "hint": provider.token_hint}
            if provider.signing_key:
                self.fields["signing_key"].help_text = gettext(
                    "Saved: %(hint)s. Leave empty to keep it; type a new one to replace it.") % {
                    "hint": provider.signing_key_hint}
        else:
            self.fields["auth_token"].required = True
            self.fields["auth_token"].help_text = _("It signs every request the provider sends; it is never "
                                                    "shown again in full.")

    @classmethod
    def for_provider(cls, provider: TelephonyProvider | None, data=None) -> ProviderForm:
        initial = {}
        if provider is not None:
            initial = {"kind": provider.kind, "account_sid": provider.account_sid,
                       "space_url": provider.space_url}
        return cls(data, initial=initial, provider=provider)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "account_sid": data["account_sid"].strip(),
                "auth_token": data.get("auth_token") or "",
                "space_url": (data.get("space_url") or "").strip(),
                "signing_key": data.get("signing_key") or ""}
