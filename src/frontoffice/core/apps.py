from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "frontoffice.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from frontoffice.core import checks, search  # noqa: F401  (registers checks and search providers)
        from frontoffice.core.registry import NavItem, registry

        registry.add_nav(NavItem("dashboard", _("Today"), "core:dashboard", "dashboard.view", order=0))
        registry.add_nav(NavItem("activity", _("Activity log"), "core:activity", "activity.view", order=900))
        for order, (key, label, url, cap) in enumerate([
            ("organization", _("Organisation"), "core:organization", "organization.view"),
            ("sites", _("Sites"), "core:sites", "sites.manage"),
            ("departments", _("Departments"), "core:departments", "departments.view"),
            ("members", _("Staff"), "core:members", "members.view"),
            ("tokens", _("API tokens"), "core:tokens", "tokens.manage_own"),
        ]):
            registry.add_nav(NavItem(key, label, url, cap, order=order, group="settings"))
