"""The kiosk's one form with fields: a visitor who was not invited tells who they are and whom they visit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frontoffice.reception import queries
from frontoffice.reception.kiosk import lookup

MEMBER = "m"
DEPARTMENT = "d"


class WalkInForm(forms.Form):
    visitor_name = forms.CharField(label=_("Your name"), max_length=200)
    visitor_company = forms.CharField(label=_("Company (optional)"), max_length=200, required=False)
    host = forms.ChoiceField(label=_("Who are you visiting?"), widget=forms.RadioSelect)
    visit_type = forms.ChoiceField(label=_("What brings you here?"), widget=forms.RadioSelect)

    def __init__(self, *args, kiosk, **kwargs):
        super().__init__(*args, **kwargs)
        self.kiosk = kiosk
        self.departments = {str(d.pk): d for d in lookup.departments(kiosk)}
        self.members = {str(m.pk): m for m in lookup.host_members(kiosk)}
        self.fields["host"].choices = (
            [(f"{DEPARTMENT}:{pk}", d.name) for pk, d in self.departments.items()]
            + [(f"{MEMBER}:{pk}", m.user.full_name) for pk, m in self.members.items()]
        )
        types = queries.visit_types(kiosk.organization)
        self.fields["visit_type"].choices = [(t.key, t.label) for t in types]
        self.fields["visitor_name"].widget.attrs.update(autocomplete="off", autocapitalize="words",
                                                        spellcheck="false")
        self.fields["visitor_company"].widget.attrs.update(autocomplete="off", spellcheck="false")

    def clean_visitor_name(self):
        name = " ".join(self.cleaned_data["visitor_name"].split())
        if not name:
            raise forms.ValidationError(_("Please type your name."))
        return name

    def host_groups(self) -> list[tuple[str, list]]:
        """The host's radio buttons split into departments and people, for two headed groups."""
        options = list(self["host"])
        groups = ((_("Departments"), DEPARTMENT), (_("People"), MEMBER))
        split = [(label, [o for o in options if str(o.data["value"]).startswith(f"{kind}:")])
                 for label, kind in groups]
        return [(label, rows) for label, rows in split if rows]

    def host_arguments(self) -> dict:
        """``host_member``/``host_department`` for the service, from the chosen host."""
        kind, _sep, pk = self.cleaned_data["host"].partition(":")
        if kind == DEPARTMENT:
            return {"host_member": None, "host_department": self.departments[pk]}
        return {"host_member": self.members[pk], "host_department": None}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"visitor_name": data["visitor_name"], "visitor_company": data["visitor_company"].strip(),
                "visit_type": data["visit_type"], **self.host_arguments()}
