"""Every write of calls (DESIGN §3): one function per business operation, keyword-only, each in one
transaction that validates, changes state, records the activity and schedules its side effects.

Callers import this package (``from frontoffice.calls import services``); the modules split it by subject:
``calls`` (what the provider's webhooks report), ``switchboard`` (what the desk does with a call, and the
manual log), ``messages`` (messages, voicemails, callbacks owed), ``lines`` (lines, greetings, ring groups),
``flows`` (call flows), ``provider`` (the telephony account), ``retention`` (the periodic job).
"""

from frontoffice.calls.services.calls import call_event, call_incoming, call_recording, call_status
from frontoffice.calls.services.flows import flow_save, overflow_loop
from frontoffice.calls.services.lines import line_create, line_flow_save, line_remove, line_update, ring_group_save
from frontoffice.calls.services.messages import (
    callback_suggest,
    may_close,
    message_done,
    message_from_voicemail,
    message_take,
)
from frontoffice.calls.services.provider import provider_set
from frontoffice.calls.services.retention import anonymise_expired, call_log_exported
from frontoffice.calls.services.switchboard import (
    call_answer,
    call_link_client,
    call_log_manual,
    call_mark_handled,
    call_quick_add,
    call_transfer,
)

__all__ = [
    "anonymise_expired", "call_answer", "call_event", "call_incoming", "call_link_client", "call_log_exported",
    "call_log_manual", "call_mark_handled", "call_quick_add", "call_recording", "call_status", "call_transfer",
    "callback_suggest", "flow_save", "line_create", "line_flow_save", "line_remove", "line_update", "may_close",
    "message_done", "message_from_voicemail", "message_take", "overflow_loop", "provider_set", "ring_group_save",
]
