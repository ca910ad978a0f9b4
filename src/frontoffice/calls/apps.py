from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "frontoffice.calls"
    label = "calls"
    verbose_name = _("Calls")

    def ready(self):
        from frontoffice.calls import wiring

        wiring.register()
