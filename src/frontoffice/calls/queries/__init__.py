"""Calls reads used by more than one view: ``live`` (the switchboard's board, version and figures) and
``log`` (the call log, a call's legs, messages)."""

from frontoffice.calls.queries.live import board, figures, previous_calls, version
from frontoffice.calls.queries.log import call_of, calls_of, inbox_counts, leg_timeline, messages_for

__all__ = ["board", "call_of", "calls_of", "figures", "inbox_counts", "leg_timeline", "messages_for",
           "previous_calls", "version"]
