"""Small helpers every app's views use: one place decides "partial or whole page"."""

from __future__ import annotations

from django.shortcuts import render


def render_page(request, template: str, context: dict | None = None, *, partial: str | None = None,
                status: int = 200):
    """Render ``partial`` for an htmx request that targets part of the page, else the whole page."""
    name = partial if partial and getattr(request, "htmx", False) and not request.htmx.boosted else template
    return render(request, name, context or {}, status=status)
