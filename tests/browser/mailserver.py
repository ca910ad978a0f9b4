"""A real SMTP server for browser tests (aiosmtpd on a free port) and what it received."""

from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class Inbox:
    """What the SMTP server received, as parsed messages; ``wait_for`` blocks until one matches."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 10) -> email.message.EmailMessage:
        def found():
            return next((m for m in self.messages if to in str(m["To"])), None)

        with self._arrived:
            self._arrived.wait_for(found, timeout=timeout)
        message = found()
        assert message is not None, f"no e-mail to {to} arrived; got {[str(m['To']) for m in self.messages]}"
        return message


@pytest.fixture
def inbox(settings, live_server):
    """A real SMTP server on a free port; the application sends through Django's SMTP backend to it."""
    box = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = aiosmtpd_controller.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.PUBLIC_URL = live_server.url
    yield box
    controller.stop()
