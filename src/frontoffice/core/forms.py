from __future__ import annotations

import json

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frontoffice.core import capabilities, verbs
from frontoffice.core.models import WEEKDAYS, Department, Member, Organization, Site, User

WEEKDAY_LABELS = {
    "mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
    "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday"),
}


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named fields, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                                 "autocomplete": "email"}))
    error_messages = {
        "invalid_login": _("That e-mail and password do not match. Check both and try again."),
        "inactive": _("This account is switched off."),
    }


class PasswordResetForm(DjangoPasswordResetForm):
    """Also mails people who were invited and never chose a password: their invitation tells them to
    use "Forgot your password?" when its link has expired (Django skips unusable passwords)."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "language", "time_zone", "currency", "country", "visitor_retention_days",
                  "caller_retention_days", "require_two_factor"]


class OpeningHoursField(forms.CharField):
    """One line per weekday, e.g. ``08:00-12:00, 13:00-16:00``; empty means closed."""


def opening_hours_from_fields(form: forms.Form, data: dict) -> dict[str, list[list[str]]]:
    """The week's hours from the form's ``hours_<day>`` fields ("08:00-12:00, 13:00-16:00"); a range that is
    not two times is put on its day's field as an error. The service validates the times themselves."""
    hours = {}
    for day in WEEKDAYS:
        ranges = []
        for part in filter(None, (p.strip() for p in (data.get(f"hours_{day}") or "").split(","))):
            bits = [b.strip() for b in part.replace("–", "-").split("-")]
            if len(bits) != 2:
                form.add_error(f"hours_{day}", _("Write a range as 08:00-16:00."))
                break
            ranges.append([b.zfill(5) for b in bits])
        hours[day] = ranges
    return hours


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "address", "time_zone", "active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = (self.instance.opening_hours if self.instance.pk else None) or {}
        for day in WEEKDAYS:
            initial = ", ".join(f"{a}-{b}" for a, b in hours.get(day, []))
            self.fields[f"hours_{day}"] = forms.CharField(
                label=WEEKDAY_LABELS[day], required=False, initial=initial,
                help_text=_("e.g. 08:00-12:00, 13:00-16:00; empty = closed") if day == "mon" else "",
            )

    def clean(self):
        data = super().clean()
        data["opening_hours"] = opening_hours_from_fields(self, data)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "address": data["address"], "time_zone": data["time_zone"],
                "opening_hours": data["opening_hours"], "active": data["active"]}


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "site", "phone", "email", "members", "active"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = organization.sites.all()
        self.fields["members"].queryset = organization.members.filter(active=True).select_related("user")
        self.fields["members"].label_from_instance = lambda m: m.user.full_name

    def validate_unique(self):  # the service checks uniqueness within the organisation
        pass


ROLE_CHOICES = [(key, label) for key, label in capabilities.ROLES.items()]


class MemberInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)
    sites = forms.ModelMultipleChoiceField(label=_("Sites"), queryset=Site.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = organization.sites.all()


class MemberForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Member
        fields = ["title", "phone", "roles", "sites", "active"]
        widgets = {"sites": forms.CheckboxSelectMultiple}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = organization.sites.all()


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What will use it, e.g. \"accounting export\"."))


class ActivityFilterForm(forms.Form):
    verb = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.ModelChoiceField(label=_("Person"), queryset=Member.objects.none(), required=False)
    client = forms.IntegerField(label=_("Client number"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = organization.members.select_related("user")
        self.fields["actor"].label_from_instance = lambda m: m.user.full_name
        self.fields["verb"].choices = verbs.choices()

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(label=_("Six-digit code"), max_length=8, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise ValidationError(_("Enter the six digits your authenticator app shows."))
        return code


def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
