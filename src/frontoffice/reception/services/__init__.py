"""Every write of reception (DESIGN §3): one function per business operation, keyword-only, each in one
transaction that validates, changes state, records the activity and schedules its side effects.

Callers import this package (``from frontoffice.reception import services``); the modules split it by
subject: ``visits`` (invitations, appointments, corrections), ``arrivals`` (check-in and out, the
watchlist hold), ``watchlist``, ``kiosks`` (and visitor documents), ``onsite`` (roll calls, deliveries),
``retention`` (the periodic jobs).
"""

from frontoffice.reception.services.arrivals import (
    visit_admit,
    visit_check_in,
    visit_check_out,
    visit_greet,
    visit_host_met,
    visit_turn_away,
    visit_walk_in,
)
from frontoffice.reception.services.kiosks import (
    KIOSK_TOKEN_PREFIX,
    document_retire,
    document_save,
    kiosk_authenticate,
    kiosk_create,
    kiosk_revoke,
    kiosk_token_hash,
)
from frontoffice.reception.services.onsite import (
    delivery_log,
    delivery_pickup,
    evacuation_end,
    evacuation_mark_safe,
    evacuation_start,
)
from frontoffice.reception.services.retention import anonymise_expired, auto_check_out, checkout_cutoff
from frontoffice.reception.services.visits import (
    host_link_token,
    visit_cancel,
    visit_expect,
    visit_from_host_token,
    visit_invite,
    visit_make_client,
    visit_no_show,
    visit_update,
)
from frontoffice.reception.services.watchlist import (
    watchlist_add,
    watchlist_match,
    watchlist_remove,
    watchlist_update,
)

__all__ = [
    "KIOSK_TOKEN_PREFIX", "anonymise_expired", "auto_check_out", "checkout_cutoff", "delivery_log",
    "delivery_pickup", "document_retire", "document_save", "evacuation_end", "evacuation_mark_safe",
    "evacuation_start", "host_link_token", "kiosk_authenticate", "kiosk_create", "kiosk_revoke",
    "kiosk_token_hash", "visit_admit", "visit_cancel", "visit_check_in", "visit_check_out", "visit_expect",
    "visit_from_host_token", "visit_greet", "visit_host_met", "visit_invite", "visit_make_client",
    "visit_no_show", "visit_turn_away", "visit_update", "visit_walk_in", "watchlist_add", "watchlist_match",
    "watchlist_remove", "watchlist_update",
]
