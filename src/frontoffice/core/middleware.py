"""Resolve who is asking, once per request: the member, their organisation and capabilities."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import LazyObject, empty
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import middleware as otp_middleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.core.models import Member
from frontoffice.core.prepared import Prepared
from frontoffice.core.sessions import active_memberships

SESSION_ORG_KEY = "frontoffice_org"
SESSION_OTP_PENDING = "frontoffice_otp_pending"

# Paths that work without a verified second factor, so the person can finish signing in (or leave).
# Not the rest of /account/: a password alone must not change the password or turn two-factor off.
_OTP_FREE_PATHS = frozenset({"/account/login/", "/account/logout/", "/account/two-factor/",
                             "/account/two-factor/setup/"})
# The kiosk and the public pages (FAQ, web form, rating) never act on a staff session (a tablet or a staff
# member's own browser may still carry one), so no staff gate applies there.
_OTP_FREE_PREFIXES = ("/account/password/reset/", "/static/", "/i18n/", "/healthz", "/kiosk/", "/public/")

_TOTP_LABEL = TOTPDevice._meta.label_lower  # how django-otp names the model in a device's persistent id
_totp_device = Prepared(lambda device_id: TOTPDevice.objects.filter(pk=device_id), 2_000_000_001)


def second_factor_missing(request) -> bool:
    """The session still owes a second factor: a code after signing in, or a device its role must have."""
    if request.user.is_verified():
        return False
    member = getattr(request, "member", None)
    return bool(request.session.get(SESSION_OTP_PENDING)) or (member is not None and member.needs_two_factor)


def memberships_of(user) -> list[Member]:
    """The user's active memberships with their organisations, by organisation name: read with the user by
    core.sessions' backend, else in one query."""
    members = getattr(user, "active_memberships", None)
    if members is None:
        members = active_memberships(user.pk)
        for member in members:
            Member.user.field.set_cached_value(member, user)  # the signed-in user, already loaded
    return members


def _unwrapped(user):
    """``request.user`` without the lazy wrappers of auth and django-otp around it (both already resolved
    here): a page reads the user dozens of times, and each read through them costs several calls."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def membership_for(user, organization_id: int | None, memberships: list[Member] | None = None) -> Member | None:
    """The membership in ``organization_id`` when the user has one, else their first."""
    members = memberships_of(user) if memberships is None else memberships
    return next((m for m in members if m.organization_id == organization_id), members[0] if members else None)


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's middleware; the session's verified authenticator app (TOTP), looked up on every request of
    a two-factor session, is read with a prepared query. The checks (the device belongs to the user and is
    confirmed) stay django-otp's."""

    def _device_from_persistent_id(self, persistent_id: str):
        model_label, _slash, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        if model_label == _TOTP_LABEL and device_id.isdigit():
            return _totp_device.first(int(device_id))
        return super()._device_from_persistent_id(persistent_id)


class MembershipMiddleware:
    """Sets ``request.member`` and ``request.org`` (None when signed out or without membership).

    API requests with a bearer token resolve their member in the API's auth instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.member = None
        request.org = None
        request.memberships = []
        timezone.deactivate()
        user = request.user = _unwrapped(request.user)
        if user.is_authenticated:
            request.memberships = memberships_of(user)
            member = membership_for(user, request.session.get(SESSION_ORG_KEY), request.memberships)
            if member is not None:
                request.member = member
                request.org = member.organization
                timezone.activate(member.organization.tz)
                if request.session.get(SESSION_ORG_KEY) != member.organization_id:
                    request.session[SESSION_ORG_KEY] = member.organization_id
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                language = user.language or (member.organization.language if member else None)
                if language:
                    translation.activate(language)
                    request.LANGUAGE_CODE = language
            gate = self._second_factor_gate(request)
            if gate is not None:
                return gate
        return self.get_response(request)

    def _second_factor_gate(self, request):
        # The API asks the same question in its SessionAuth; tokens are a credential of their own.
        if (request.path in _OTP_FREE_PATHS or request.path.startswith(_OTP_FREE_PREFIXES)
                or request.path.startswith("/api/")):
            return None
        if not second_factor_missing(request):
            return None
        if request.session.get(SESSION_OTP_PENDING):
            return redirect(reverse("core:two_factor_verify") + "?" + urlencode({"next": request.get_full_path()}))
        return redirect("core:two_factor_setup")


class SecurityHeadersMiddleware:
    """Content Security Policy (no inline scripts anywhere) and related headers."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; "
        "frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        return response


class ApiErrorsMiddleware:
    """Answers under /api/ are JSON even when Django, not the API, refuses the request
    (an unknown path, a method the route does not take)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code in (404, 405)
                and not response.get("Content-Type", "").startswith("application/json")):
            detail = _("Not found.") if response.status_code == 404 else _("This method is not allowed here.")
            replacement = JsonResponse({"detail": str(detail), "errors": []}, status=response.status_code)
            if "Allow" in response:
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
