"""Calls pages: the switchboard, messages and the call log, and the phone settings."""

from frontoffice.calls.views import urls_messages, urls_settings, urls_switchboard

app_name = "calls"

urlpatterns = urls_switchboard.urlpatterns + urls_messages.urlpatterns + urls_settings.urlpatterns
