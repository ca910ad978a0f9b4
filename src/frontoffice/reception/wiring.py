"""What the reception app adds to the shared registries, in one place (called from apps.ready)."""

from __future__ import annotations


def register() -> None:
    pass
