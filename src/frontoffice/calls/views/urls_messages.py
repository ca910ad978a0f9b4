"""The messages and call log routes under /calls/ (views/messages.py, views/log.py)."""

from django.urls import path

from frontoffice.calls.views import log, messages

urlpatterns = [
    path("messages/", messages.messages, name="messages"),
    path("messages/new/", messages.message_new, name="message_new"),
    path("messages/<int:pk>/done/", messages.message_done_view, name="message_done"),
    path("log/", log.call_log, name="call_log"),
    path("log/export/", log.call_log_export, name="call_log_export"),
    path("log/<int:pk>/", log.call_detail, name="call_detail"),
]
