"""What the reception app adds to the shared registries, in one place (called from apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PERIODIC = (
    ("reception.auto_check_out", "frontoffice.reception.tasks.auto_check_out_all", 15),
    ("reception.anonymise", "frontoffice.reception.tasks.anonymise_all", 60),
)


def register() -> None:
    from frontoffice.clients import privacy
    from frontoffice.clients.services import register_client_reference
    from frontoffice.core import periodic
    from frontoffice.core.demo import DEMO_LOADERS
    from frontoffice.core.registry import NavItem, Panel, registry
    from frontoffice.reception import demo, verbs  # noqa: F401  (verbs registers the labels on import)
    from frontoffice.reception.privacy import visits_section

    register_client_reference("reception.visit", "client")
    privacy.register_section("visits", visits_section, title=_("Visits"))
    registry.add_panel(Panel("reception", "reception/_dashboard_panel.html", "reception.view", _dashboard_panel,
                             order=20, cached=True))
    registry.add_pop_section("reception", _visits_pop, order=30, capability="reception.view")
    for item in (
        NavItem("reception", _("Reception"), "reception:desk", "reception.view", order=5),
        NavItem("deliveries", _("Deliveries"), "reception:deliveries", "reception.view", order=6),
        NavItem("watchlist", _("Watchlist"), "reception:watchlist", "reception.watchlist", order=30, group="settings"),
        NavItem("kiosks", _("Kiosks"), "reception:kiosks", "reception.kiosks", order=31, group="settings"),
        NavItem("visitor_documents", _("Visitor documents"), "reception:documents", "reception.kiosks", order=32,
                group="settings"),
    ):
        registry.add_nav(item)
    if demo.load not in DEMO_LOADERS:
        DEMO_LOADERS.append(demo.load)
    for name, func_path, minutes in PERIODIC:
        periodic.register(name, func_path, minutes=minutes)


def _dashboard_panel(request) -> dict:
    from django.urls import reverse

    from frontoffice.reception.queries import dashboard_panel

    return dashboard_panel(request) | {"desk_url": reverse("reception:desk")}


def _visits_pop(member, call):
    """The switchboard's screen pop: the caller's last visit, and their next expected one."""
    if call.client_id is None:
        return None
    from django.urls import reverse
    from django.utils import formats, timezone

    from frontoffice.core.registry import PopLine, PopSection
    from frontoffice.reception.models import Visit

    def when(moment) -> str:
        return formats.date_format(timezone.localtime(moment), "j M Y, H:i")

    visits = Visit.objects.filter(organization_id=member.organization_id, client_id=call.client_id)
    last = visits.filter(arrived_at__isnull=False).order_by("-arrived_at").select_related(
        "host_member__user", "host_department").first()
    coming = visits.filter(status=Visit.EXPECTED, expected_at__gte=timezone.now()).order_by("expected_at").first()
    lines = []
    if last is not None:
        lines.append(PopLine(_("Last visit: %(when)s") % {"when": when(last.arrived_at)},
                             reverse("reception:visit", args=[last.pk]), last.host_name))
    if coming is not None:
        lines.append(PopLine(_("Expected: %(when)s") % {"when": when(coming.expected_at)},
                             reverse("reception:visit", args=[coming.pk]), coming.purpose))
    return PopSection("reception", _("Visits"), tuple(lines), empty=_("No visits yet."))
