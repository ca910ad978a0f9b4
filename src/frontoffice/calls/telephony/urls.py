"""Provider webhooks under /telephony/: signed by the provider, never by a session."""

from django.urls import path

from frontoffice.calls.telephony import views

app_name = "telephony"

urlpatterns = [
    path("twilio/voice", views.voice, name="voice"),
    path("twilio/menu", views.menu, name="menu"),
    path("twilio/dial", views.dial, name="dial"),
    path("twilio/queue", views.queue, name="queue"),
    path("twilio/recording", views.recording, name="recording"),
    path("twilio/status", views.status, name="status"),
]
