"""The watchlist: people the desk must not let in without a manager.

Entries hold personal data (and a reason that only managers read), so the activity log names them by
id only. A removed entry is switched off, not deleted: held visits and their activity point at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.models import Member, Organization
from frontoffice.core.prepared import Prepared
from frontoffice.core.services import activity_record
from frontoffice.core.text import fold
from frontoffice.reception.models import WatchlistEntry


def _words(name: str) -> frozenset[str]:
    return frozenset(fold(name).split())


def _clean(full_name: str, reason: str, date_of_birth: date | None) -> tuple[str, str]:
    errors = {}
    full_name = " ".join((full_name or "").split())
    reason = (reason or "").strip()
    if not _words(full_name):
        errors["full_name"] = _("Enter the person's name.")
    elif len(full_name) > 200:
        errors["full_name"] = _("Keep it under %(n)s characters.") % {"n": 200}
    if not reason:
        errors["reason"] = _("Say why: managers read it when the person comes.")
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = _("That date of birth is not possible.")
    if errors:
        raise ValidationError(errors)
    return full_name, reason


def _record(entry: WatchlistEntry, verb: str, actor: Member | None) -> None:
    activity_record(organization=entry.organization, actor=actor, verb=verb, subject=entry, label="")


@transaction.atomic
def watchlist_add(*, actor: Member, full_name: str, reason: str, date_of_birth: date | None = None
                  ) -> WatchlistEntry:
    full_name, reason = _clean(full_name, reason, date_of_birth)
    entry = WatchlistEntry.objects.create(organization=actor.organization, full_name=full_name,
                                          name_folded=fold(full_name)[:200], date_of_birth=date_of_birth,
                                          reason=reason, added_by=actor)
    _record(entry, "watchlist.added", actor)
    return entry


@transaction.atomic
def watchlist_update(*, actor: Member, entry: WatchlistEntry, full_name: str, reason: str,
                     date_of_birth: date | None = None) -> WatchlistEntry:
    full_name, reason = _clean(full_name, reason, date_of_birth)
    entry.full_name, entry.reason, entry.date_of_birth = full_name, reason, date_of_birth
    entry.name_folded = fold(full_name)[:200]
    entry.save(update_fields=["full_name", "name_folded", "reason", "date_of_birth"])
    _record(entry, "watchlist.updated", actor)
    return entry


@transaction.atomic
def watchlist_remove(*, actor: Member, entry: WatchlistEntry) -> WatchlistEntry:
    if entry.active:
        entry.active = False
        entry.save(update_fields=["active"])
        _record(entry, "watchlist.removed", actor)
    return entry


# Read on every check-in (which is benchmarked): compiled once per process.
_active_entries = Prepared(lambda organization_id: WatchlistEntry.objects
                           .filter(organization_id=organization_id, active=True)
                           .only("pk", "organization_id", "full_name", "name_folded", "date_of_birth").order_by("pk"),
                           2_000_000_001)


def watchlist_match(*, organization: Organization, name: str, date_of_birth: date | None = None
                    ) -> WatchlistEntry | None:
    """The active entry for ``name``: the same words once folded, in any order ("NOWAK Jan" is
    "Jan Nowák"); where both sides know a date of birth, it must be the same."""
    return watchlist_match_any(organization=organization, names=[name], date_of_birth=date_of_birth)


def watchlist_match_any(*, organization: Organization, names: Iterable[str], date_of_birth: date | None = None
                        ) -> WatchlistEntry | None:
    """The active entry that any of ``names`` matches (the first name first), reading the list once."""
    wanted = [words for words in dict.fromkeys(_words(name) for name in names) if words]
    if not wanted:
        return None
    entries = _active_entries(organization.pk)
    for words in wanted:
        for entry in entries:
            if frozenset(entry.name_folded.split()) != words:
                continue
            if (date_of_birth is not None and entry.date_of_birth is not None
                    and date_of_birth != entry.date_of_birth):
                continue
            return entry
    return None
