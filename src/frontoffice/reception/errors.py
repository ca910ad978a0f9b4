"""Exceptions reception services raise beyond ``ValidationError`` and ``core.errors.Conflict``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class WatchlistMatch(Exception):
    """The visitor matched the watchlist: the visit is held (``held_at`` set, committed) until a manager
    admits it (``services.visit_admit``) or turns it away. Pages and the API show ``message`` — never
    the entry's reason — to the desk or the visitor; ``code`` is the API's error code."""

    code = "watchlist"
    message = _("Ask a manager to come to the desk.")

    def __init__(self, entry, visit=None):
        super().__init__(str(self.message))
        self.entry = entry
        self.visit = visit
