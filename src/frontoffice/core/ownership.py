"""Checks every service makes on the rows a request names: that they are the organisation's own, and in use.

A row of another organisation is refused like a missing one, so the caller cannot tell them apart
(DESIGN §3.1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frontoffice.core.models import Department, Organization


def require_own(organization: Organization, field: str, *objects) -> None:
    """Each of ``objects`` (None allowed) belongs to ``organization``; else a ValidationError on ``field``."""
    for obj in objects:
        if obj is not None and obj.organization_id != organization.pk:
            raise ValidationError({field: _("Choose one of your organisation's.")})


def active_department(organization: Organization, department: Department | None, field: str = "department"
                      ) -> Department | None:
    """The organisation's own department, switched on (or None when none was chosen)."""
    if department is None:
        return None
    if department.organization_id != organization.pk:
        raise ValidationError({field: _("Choose one of your organisation's departments.")})
    if not department.active:
        raise ValidationError({field: _("This department is switched off.")})
    return department
