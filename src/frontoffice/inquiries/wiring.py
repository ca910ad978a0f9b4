"""What the inquiries app adds to the shared registries, in one place (called from apps.ready)."""

from __future__ import annotations

PERIODIC: tuple[tuple[str, str, int], ...] = ()

# Filled in as the pages land (each url name must exist before it is listed here).
NAV: tuple = ()


def register() -> None:
    from frontoffice.clients.services import register_client_reference
    from frontoffice.core import periodic
    from frontoffice.core.registry import registry
    from frontoffice.inquiries import verbs  # noqa: F401  (verbs registers the labels on import)

    register_client_reference("inquiries.inquiry", "client")
    for item in NAV:
        registry.add_nav(item)
    for name, func_path, minutes in PERIODIC:
        periodic.register(name, func_path, minutes=minutes)
