"""What the reception services share: the activity entry of a visit, local days (and, from core.ownership, the
tenancy check)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontoffice.core.models import Member
from frontoffice.core.ownership import require_own  # noqa: F401 (the reception services import it from here)
from frontoffice.core.services import activity_record
from frontoffice.reception.models import Visit


def record(visit: Visit, verb: str, actor: Member | None, data: dict | None = None, *,
           actor_kind: str | None = None) -> None:
    """The activity of a visit. The subject label stays empty: visitor names are personal data that
    retention clears from the visit, and the log is never rewritten."""
    activity_record(organization=visit.organization, site=visit.site, actor=actor, verb=verb, subject=visit,
                    client_id=visit.client_id, label="", data=data or {}, actor_kind=actor_kind)


def day_bounds(tz: ZoneInfo, moment: datetime) -> tuple[datetime, datetime]:
    """The start and end of the local day of ``moment`` in ``tz`` (23 or 25 hours long on DST days)."""
    day = moment.astimezone(tz).date()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def minutes(delta: timedelta) -> int:
    return round(delta.total_seconds() / 60)


def seconds(delta: timedelta) -> int:
    return max(0, round(delta.total_seconds()))


def actor_kind_for(via: str, actor: Member | None) -> str | None:
    """Who acted when no member did: the visitor at a kiosk, the system otherwise."""
    if actor is not None:
        return None
    return "client" if via == "kiosk" else "system"
