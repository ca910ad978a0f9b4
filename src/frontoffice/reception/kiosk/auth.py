"""Who is asking at the kiosk: a tablet holding a kiosk token in a cookie, never a staff member.

The tablet is paired once (``kiosk:pair``): the raw token goes into an httpOnly, SameSite=Strict cookie
and every kiosk view authenticates it again through ``services.kiosk_authenticate``, so revoking the
kiosk on the office pages locks the tablet out at its next tap. A staff session left open in the same
browser is ignored: the kiosk acts for nobody, and shows nothing a member could see.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from frontoffice.reception import services

COOKIE = "fo_kiosk"
COOKIE_MAX_AGE = 365 * 24 * 3600
# The visitor's own choice of language, for this visitor only: a browser-session cookie that the idle
# timeout and the end of each visit clear, so the next visitor meets the kiosk's default language.
LANGUAGE_COOKIE = "fo_kiosk_lang"


def kiosk_from(request):
    """The active kiosk whose token the request carries, or None."""
    raw = request.COOKIES.get(COOKIE, "")
    return services.kiosk_authenticate(raw) if raw else None


def pair(response, raw_token: str):
    """Remember ``raw_token`` on this tablet."""
    response.set_cookie(COOKIE, raw_token, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Strict",
                        secure=settings.HTTPS, path="/kiosk/")
    return response


def unpair(response):
    response.delete_cookie(COOKIE, path="/kiosk/", samesite="Strict")
    return response


def default_language(kiosk) -> str:
    return kiosk.language or kiosk.organization.language or settings.LANGUAGE_CODE


def visitor_chose_language(request) -> bool:
    return request.COOKIES.get(LANGUAGE_COOKIE, "") in dict(settings.LANGUAGES)


def visitor_language(request, kiosk) -> str:
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    return chosen if visitor_chose_language(request) else default_language(kiosk)


def set_visitor_language(response, language: str):
    response.set_cookie(LANGUAGE_COOKIE, language, httponly=True, samesite="Strict", secure=settings.HTTPS,
                        path="/kiosk/")
    return response


def forget_visitor(response):
    """The next visitor starts afresh: the kiosk's own language again."""
    response.delete_cookie(LANGUAGE_COOKIE, path="/kiosk/", samesite="Strict")
    return response


def to_pairing(reason: str = "unpaired"):
    response = redirect(reverse("kiosk:pair") + "?" + urlencode({"m": reason}))
    return unpair(response)


def kiosk_required(view):
    """The view runs for a paired, active kiosk (``request.kiosk``), in its site's time zone and the
    visitor's language; anything else goes back to the pairing page with a neutral message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        kiosk = kiosk_from(request)
        if kiosk is None:
            return to_pairing()
        # Whatever staff session the browser holds, the kiosk is not a member.
        request.member = None
        request.org = None
        request.kiosk = kiosk
        timezone.activate(kiosk.site.tz)
        language = visitor_language(request, kiosk)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return view(request, *args, **kwargs)

    return wrapper
