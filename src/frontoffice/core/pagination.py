"""Keyset ("cursor") pagination: stable under inserts, fast on any page.

The cursor is an opaque token holding the sort key of the last row shown. Lists are ordered
by a descending key plus the primary key as tie-breaker.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet


class BadCursor(ValueError):
    pass


@dataclass
class Page:
    items: list
    next_cursor: str | None


def encode_cursor(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadCursor("cursor") from None
    if not isinstance(values, list):
        raise BadCursor("cursor")
    return values


def paginate_desc(queryset: QuerySet, *, key: str, cursor: str | None, limit: int) -> Page:
    """Rows ordered by ``-key, -id``, starting after ``cursor``."""
    queryset = queryset.order_by(f"-{key}", "-id")
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not isinstance(values[1], int):
            raise BadCursor("cursor")
        last_key, last_id = values
        if key.endswith("_at"):
            try:
                last_key = datetime.fromisoformat(last_key)
            except (TypeError, ValueError):
                raise BadCursor("cursor") from None
        queryset = queryset.filter(Q(**{f"{key}__lt": last_key}) | Q(**{key: last_key, "id__lt": last_id}))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([getattr(rows[-1], key), rows[-1].pk]) if more and rows else None
    return Page(rows, next_cursor)
