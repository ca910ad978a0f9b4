"""Vertical presets: what a medical, legal, educational or small-business office starts with.

A vertical is data, never a fork of the code. Later apps extend a preset through their own
``presets.py`` (visit types, document types, inquiry categories) keyed by the same vertical names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MEDICAL = "medical"
LEGAL = "legal"
EDUCATION = "education"
SMALL_BUSINESS = "small_business"
GENERAL = "general"


@dataclass(frozen=True)
class Terms:
    """The words the UI uses for the people the office serves."""

    client: str
    clients: str


@dataclass(frozen=True)
class Vertical:
    key: str
    label: str
    terms: Terms
    departments: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (name, extension)


VERTICALS: dict[str, Vertical] = {
    MEDICAL: Vertical(
        MEDICAL,
        _("Medical practice"),
        Terms(pgettext_lazy("medical", "patient"), pgettext_lazy("medical", "patients")),
        ((_("Registration"), "100"), (_("General practice"), "200"), (_("Laboratory"), "300"),
         (_("Billing"), "400")),
    ),
    LEGAL: Vertical(
        LEGAL,
        _("Law firm"),
        Terms(pgettext_lazy("legal", "client"), pgettext_lazy("legal", "clients")),
        ((_("Reception"), "100"), (_("Litigation"), "200"), (_("Corporate"), "300"), (_("Accounts"), "400")),
    ),
    EDUCATION: Vertical(
        EDUCATION,
        _("School"),
        Terms(pgettext_lazy("education", "student"), pgettext_lazy("education", "students")),
        ((_("Secretariat"), "100"), (_("Admissions"), "200"), (_("Bursar"), "300"),
         (_("Head teacher"), "400")),
    ),
    SMALL_BUSINESS: Vertical(
        SMALL_BUSINESS,
        _("Small business"),
        Terms(pgettext_lazy("small_business", "customer"), pgettext_lazy("small_business", "customers")),
        ((_("Front desk"), "100"), (_("Sales"), "200"), (_("Service"), "300"), (_("Accounts"), "400")),
    ),
    GENERAL: Vertical(
        GENERAL,
        _("General office"),
        Terms(pgettext_lazy("general", "client"), pgettext_lazy("general", "clients")),
        ((_("Reception"), "100"), (_("Administration"), "200")),
    ),
}

VERTICAL_CHOICES = [(key, vertical.label) for key, vertical in VERTICALS.items()]

# Opening hours every new site starts with: Monday to Friday 08:00-16:00.
DEFAULT_OPENING_HOURS = {day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")} | {
    "sat": [],
    "sun": [],
}


def vertical(key: str) -> Vertical:
    return VERTICALS.get(key, VERTICALS[GENERAL])
