"""Provider webhooks under /telephony/: signed by the provider, never by a session."""

from django.urls import path  # noqa: F401

app_name = "telephony"

urlpatterns: list = []
