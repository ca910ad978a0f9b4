from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "frontoffice.clients"
    label = "clients"
    verbose_name = _("Clients")

    def ready(self):
        from frontoffice.clients import global_search, verbs  # noqa: F401  (registers search and verb labels)
        from frontoffice.clients import demo  # noqa: F401  (adds the demo clients to core.demo.DEMO_LOADERS)
        from frontoffice.clients.queries import client_names
        from frontoffice.clients.queries import dashboard_panel
        from frontoffice.core.registry import NavItem, Panel, registry

        registry.client_names = client_names
        registry.add_panel(Panel("clients", "clients/_dashboard_panel.html", "clients.view", dashboard_panel, order=10,
                                 cached=True))
        registry.add_nav(NavItem("clients", _("Clients"), "clients:list", "clients.view", order=10, term="clients"))
        registry.add_nav(NavItem("client_duplicates", _("Duplicates"), "clients:duplicates", "clients.merge",
                                 order=11))
        registry.add_nav(NavItem("client_fields", _("Client fields"), "clients:fields", "clients.fields", order=20,
                                 group="settings"))
