"""Exceptions services raise; pages and the API turn them into messages and status codes.

Invalid input is Django's ``ValidationError`` (a dict naming fields where possible). A request
that is valid but clashes with the current state (a second check-in, the last owner removed)
is a ``Conflict``.
"""

from __future__ import annotations


class Conflict(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
