"""Opening hours of a line or a department: the business-hours code lives in ``core.hours`` (the
inquiries count their response targets with it too); these names stay here for the calls code."""

from __future__ import annotations

from frontoffice.core.hours import (
    WEEKDAYS,
    Hours,
    add_business_hours,
    business_hours_between,
    closed_on,
    is_open,
    next_open,
    zone,
)

__all__ = ["WEEKDAYS", "Hours", "add_business_hours", "business_hours_between", "closed_on", "is_open",
           "next_open", "zone"]
