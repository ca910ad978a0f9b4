"""Phone settings under /calls/settings/ (views/settings.py), and the greeting recordings the provider fetches."""

from django.urls import path

from frontoffice.calls.views import settings

urlpatterns = [
    path("settings/lines/", settings.lines, name="lines"),
    path("settings/lines/new/", settings.line_edit, name="line_new"),
    path("settings/lines/<int:pk>/", settings.line_edit, name="line_edit"),
    path("settings/lines/<int:pk>/remove/", settings.line_remove, name="line_remove"),
    path("settings/lines/<int:pk>/flow/", settings.line_flow, name="line_flow"),
    path("settings/ring-groups/", settings.ring_groups, name="ring_groups"),
    path("settings/ring-groups/<int:department_pk>/", settings.ring_group_edit, name="ring_group_edit"),
    path("settings/telephony/", settings.provider, name="provider"),
    path("greetings/<int:pk>/<str:key>/", settings.line_greeting_audio, name="line_greeting_audio"),
]
