"""Calls pages: the switchboard, messages and the call log, the phone settings and the demo's simulator."""

from frontoffice.calls.views import urls_demo, urls_messages, urls_settings, urls_switchboard

app_name = "calls"

urlpatterns = (urls_switchboard.urlpatterns + urls_messages.urlpatterns + urls_settings.urlpatterns
               + urls_demo.urlpatterns)
