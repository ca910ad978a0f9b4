"""The provider's signature on every webhook (``X-Twilio-Signature``, or SignalWire's
``X-SignalWire-Signature``), checked with ``twilio``'s own validator.

The signed URL is the one the provider called: ``settings.PUBLIC_URL`` plus the path and query string, so
the check holds behind a TLS proxy (where Django itself sees http://127.0.0.1:8000). Everything fails
closed: no token, no header or a wrong signature is a refusal.
"""

from __future__ import annotations

from django.conf import settings
from twilio.request_validator import RequestValidator

HEADER = "HTTP_X_TWILIO_SIGNATURE"
SIGNALWIRE_HEADER = "HTTP_X_SIGNALWIRE_SIGNATURE"  # SignalWire's own name for the same signature


def public_url(request) -> str:
    return settings.PUBLIC_URL + request.get_full_path()


def is_signed(request, auth_token: str) -> bool:
    """Did the holder of ``auth_token`` sign this POST (its URL and every form field)?"""
    signature = request.META.get(HEADER) or request.META.get(SIGNALWIRE_HEADER, "")
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(public_url(request), request.POST, signature)


def sign(url: str, params: dict, auth_token: str) -> str:
    """The signature the provider would send for a POST of ``params`` to ``url`` (the demo's simulator
    and the tests sign their requests with it)."""
    return RequestValidator(auth_token).compute_signature(url, params)
