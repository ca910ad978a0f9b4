"""What the calls app adds to the shared registries, in one place (called from apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PERIODIC = (
    ("calls.anonymise", "frontoffice.calls.tasks.anonymise_all", 60),
)


def register() -> None:
    from django.conf import settings

    from frontoffice.calls import demo, verbs  # noqa: F401  (verbs registers the labels on import)
    from frontoffice.calls.privacy import calls_section, messages_section
    from frontoffice.calls.views.messages import dashboard_panel
    from frontoffice.clients import privacy
    from frontoffice.clients.services import register_client_reference
    from frontoffice.core import periodic
    from frontoffice.core.demo import DEMO_LOADERS
    from frontoffice.core.registry import NavItem, Panel, registry

    register_client_reference("calls.call", "client")
    register_client_reference("calls.message", "client")
    privacy.register_section("calls", calls_section, title=_("Calls"))
    privacy.register_section("phone_messages", messages_section, title=_("Phone messages"))
    registry.add_subject_url("calls.call", _call_url)
    registry.add_panel(Panel("calls_messages", "calls/messages_panel.html", "calls.view", dashboard_panel, order=25,
                             cached=True))
    for item in (
        NavItem("switchboard", _("Switchboard"), "calls:switchboard", "calls.view", order=7),
        NavItem("messages", _("Messages"), "calls:messages", "calls.view", order=8),
        NavItem("call_log", _("Call log"), "calls:call_log", "calls.view", order=9),
        NavItem("phone_settings", _("Phone lines"), "calls:lines", "calls.manage", order=33, group="settings"),
    ):
        registry.add_nav(item)
    for name, func_path, minutes in PERIODIC:
        periodic.register(name, func_path, minutes=minutes)
    if demo.load not in DEMO_LOADERS:
        DEMO_LOADERS.append(demo.load)
    if settings.DEMO:  # the demo provider's transfers are answered in process (no network)
        from frontoffice.calls.simulator import install_demo_provider

        install_demo_provider()


def _call_url(call_id: str) -> str:
    from django.urls import reverse

    return reverse("calls:call_detail", args=[call_id])
