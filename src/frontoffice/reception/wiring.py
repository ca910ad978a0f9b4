"""What the reception app adds to the shared registries, in one place (called from apps.ready)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PERIODIC = (
    ("reception.auto_check_out", "frontoffice.reception.tasks.auto_check_out_all", 15),
    ("reception.anonymise", "frontoffice.reception.tasks.anonymise_all", 60),
)


def register() -> None:
    from frontoffice.clients import privacy
    from frontoffice.clients.services import register_client_reference
    from frontoffice.core.demo import DEMO_LOADERS
    from frontoffice.core.registry import Panel, registry
    from frontoffice.reception import demo, verbs  # noqa: F401  (verbs registers the labels on import)
    from frontoffice.reception.privacy import visits_section

    register_client_reference("reception.visit", "client")
    privacy.register_section("visits", visits_section, title=_("Visits"))
    registry.add_panel(Panel("reception", "reception/_dashboard_panel.html", "reception.view", _dashboard_panel,
                             order=20))
    _add_nav(registry)
    if demo.load not in DEMO_LOADERS:
        DEMO_LOADERS.append(demo.load)
    _register_periodic()


def _desk_route_exists() -> bool:
    """Whether the desk's page is there yet (its routes are built alongside this part)."""
    try:
        from frontoffice.reception.views import urls_desk
    except Exception:  # an unfinished desk must not stop the application from starting
        logger.exception("reception: the desk's routes do not load")
        return False
    return any(getattr(pattern, "name", None) == "desk" for pattern in urls_desk.urlpatterns)


def _add_nav(registry) -> None:
    from frontoffice.core.registry import NavItem

    if _desk_route_exists():
        registry.add_nav(NavItem("reception", _("Reception"), "reception:desk", "reception.view", order=5))


def _register_periodic() -> None:
    try:
        from frontoffice.core import periodic
    except ImportError:  # the scheduler arrives with its own part; until then nothing runs by itself
        return
    for name, func_path, minutes in PERIODIC:
        periodic.register(name, func_path, minutes=minutes)


def _dashboard_panel(request) -> dict:
    from django.urls import NoReverseMatch, reverse

    from frontoffice.reception.queries import dashboard_panel

    context = dashboard_panel(request)
    try:
        context["desk_url"] = reverse("reception:desk")
    except NoReverseMatch:
        context["desk_url"] = ""
    return context
