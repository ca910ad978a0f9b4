"""What each vertical starts with for inquiries: the categories, their response targets (business hours)
and the preset department each one routes to (``core.presets``; matched by name, else none).

``categories_ensure`` turns them into an organisation's rows, once: the demo loader, the category service
and the first visit to the inquiries pages call it; after that the categories are the owner's to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from frontoffice.core import presets as core_presets
from frontoffice.core.models import Department, Organization
from frontoffice.inquiries.models import Category


@dataclass(frozen=True)
class CategoryPreset:
    key: str
    name: str
    first_answer_hours: Decimal
    resolution_hours: Decimal
    department: str | None = None  # the name of a preset department of the same vertical


def _category(key: str, name, first: str, resolution: str, department=None) -> CategoryPreset:
    return CategoryPreset(key, name, Decimal(first), Decimal(resolution), department)


def _departments(vertical: str) -> list:
    return [name for name, _extension in core_presets.VERTICALS[vertical].departments]


# Unpacked, so a change of the core presets' departments fails here at import, not silently at routing.
REGISTRATION, PRACTICE, LABORATORY, MEDICAL_BILLING = _departments(core_presets.MEDICAL)
LEGAL_RECEPTION, LITIGATION, _CORPORATE, LEGAL_ACCOUNTS = _departments(core_presets.LEGAL)
SECRETARIAT, ADMISSIONS, BURSAR, _HEAD_TEACHER = _departments(core_presets.EDUCATION)
FRONT_DESK, SALES, SERVICE, SHOP_ACCOUNTS = _departments(core_presets.SMALL_BUSINESS)
RECEPTION, ADMINISTRATION = _departments(core_presets.GENERAL)

CATEGORIES: dict[str, tuple[CategoryPreset, ...]] = {
    core_presets.MEDICAL: (
        _category("appointments", _("Appointments"), "1", "8", REGISTRATION),
        _category("prescriptions", _("Prescriptions"), "4", "16", PRACTICE),
        _category("test-results", _("Test results"), "4", "16", LABORATORY),
        _category("billing", _("Billing"), "8", "40", MEDICAL_BILLING),
        _category("records-request", _("Records request"), "8", "80", REGISTRATION),
        _category("general", _("General"), "4", "16", REGISTRATION),
    ),
    core_presets.LEGAL: (
        _category("new-matter", _("New matter"), "2", "16", LEGAL_RECEPTION),
        _category("existing-case", _("Existing case"), "4", "24", LITIGATION),
        _category("billing", _("Billing"), "8", "40", LEGAL_ACCOUNTS),
        _category("documents", _("Documents"), "4", "24", LEGAL_RECEPTION),
        _category("general", _("General"), "4", "16", LEGAL_RECEPTION),
    ),
    core_presets.EDUCATION: (
        _category("admissions", _("Admissions"), "4", "24", ADMISSIONS),
        _category("timetable", _("Timetable"), "4", "16", SECRETARIAT),
        _category("fees", _("Fees"), "8", "40", BURSAR),
        _category("certificates", _("Certificates"), "8", "24", SECRETARIAT),
        _category("general", _("General"), "4", "16", SECRETARIAT),
    ),
    core_presets.SMALL_BUSINESS: (
        _category("orders", _("Orders"), "2", "8", SALES),
        _category("prices", _("Prices"), "2", "8", SALES),
        _category("complaints", _("Complaints"), "4", "24", SERVICE),
        _category("billing", _("Billing"), "8", "40", SHOP_ACCOUNTS),
        _category("general", _("General"), "4", "16", FRONT_DESK),
    ),
    core_presets.GENERAL: (
        _category("general", _("General"), "4", "16", RECEPTION),
        _category("billing", _("Billing"), "8", "40", ADMINISTRATION),
    ),
}


def categories(vertical: str) -> tuple[CategoryPreset, ...]:
    return CATEGORIES.get(vertical, CATEGORIES[core_presets.GENERAL])


def _department_for(preset: CategoryPreset, departments: dict[str, Department]) -> Department | None:
    """The organisation's department named like the preset's, in the organisation's language or in
    English (departments are created in the organisation's language; someone may have switched it since)."""
    if preset.department is None:
        return None
    for language in (translation.get_language(), "en"):
        with translation.override(language):
            found = departments.get(str(preset.department).casefold())
        if found is not None:
            return found
    return None


def categories_ensure(organization: Organization) -> bool:
    """Give an organisation without inquiry categories its vertical's; True when they were created now.

    Once only: an organisation that has any category keeps what it has (a category the owner removed or
    renamed is not brought back). Safe to run twice at once: the second run's rows are skipped by the
    (organisation, key) constraint."""
    if Category.objects.filter(organization=organization).exists():
        return False
    with transaction.atomic(), translation.override(organization.language):
        # Newest first, so the oldest of two departments with one name wins.
        departments = {d.name.casefold(): d
                       for d in organization.departments.filter(active=True).order_by("-pk")}
        rows = [Category(organization=organization, key=preset.key, name=str(preset.name), position=position,
                         department=_department_for(preset, departments),
                         first_answer_hours=preset.first_answer_hours,
                         resolution_hours=preset.resolution_hours)
                for position, preset in enumerate(categories(organization.vertical))]
        Category.objects.bulk_create(rows, ignore_conflicts=True)
    return True
