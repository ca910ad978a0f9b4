from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "frontoffice.reception"
    label = "reception"
    verbose_name = _("Reception")

    def ready(self):
        # Each part registers itself here (verb labels, nav, dashboard panel, demo loader, client references,
        # privacy sections, periodic jobs). Keep the imports in modules; this list only wires them.
        from frontoffice.reception import wiring

        wiring.register()
