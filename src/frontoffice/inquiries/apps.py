from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "frontoffice.inquiries"
    label = "inquiries"
    verbose_name = _("Inquiries")

    def ready(self):
        from frontoffice.inquiries import wiring

        wiring.register()
