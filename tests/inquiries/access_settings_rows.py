"""The inquiries settings rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

ROUTES: list = []
