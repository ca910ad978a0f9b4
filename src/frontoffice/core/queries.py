"""Reads used by more than one view or by the API. Every query starts from the organisation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from frontoffice.core.models import Activity, Member, Organization


def _start_of(day: date, organization: Organization) -> datetime:
    return datetime.combine(day, time.min, tzinfo=organization.tz)


def activity_filtered(
    organization: Organization,
    *,
    client_id: int | None = None,
    actor: Member | int | None = None,
    verb: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
) -> QuerySet[Activity]:
    """The organisation's activity, filtered. Dates are whole days in the organisation's time zone;
    ``verb`` ending in a dot matches a family (``visit.``)."""
    rows = organization.activities.select_related("actor__user", "site")
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    if actor is not None:
        rows = rows.filter(actor=actor)
    if verb:
        rows = rows.filter(verb__startswith=verb) if verb.endswith(".") else rows.filter(verb=verb)
    if since is not None:
        rows = rows.filter(occurred_at__gte=since if isinstance(since, datetime) else _start_of(since, organization))
    if until is not None:
        if isinstance(until, datetime):
            rows = rows.filter(occurred_at__lte=until)
        else:
            rows = rows.filter(occurred_at__lt=_start_of(until, organization) + timedelta(days=1))
    return rows


def with_client_names(organization: Organization, activities) -> list[Activity]:
    """The activities as a list, each with ``client_name`` (or "") for showing them."""
    from frontoffice.core.registry import registry

    rows = list(activities)
    names = registry.client_names(organization, {a.client_id for a in rows if a.client_id})
    for activity in rows:
        activity.client_name = names.get(activity.client_id, "")
    return rows


def members_of(organization: Organization, *, active_only: bool = False) -> QuerySet[Member]:
    rows = organization.members.select_related("user").prefetch_related("sites").order_by("user__full_name")
    return rows.filter(active=True) if active_only else rows
