"""Calls reads used by more than one view: ``live`` (the switchboard), ``log`` (the call log and messages)."""
