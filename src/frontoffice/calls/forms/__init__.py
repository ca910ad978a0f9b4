"""Calls forms, split by part: messages (and the call log filters), settings, switchboard."""
