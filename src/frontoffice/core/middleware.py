"""Resolve who is asking, once per request: the member, their organisation and capabilities."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from frontoffice.core.models import Member

SESSION_ORG_KEY = "frontoffice_org"
SESSION_OTP_PENDING = "frontoffice_otp_pending"

# Paths that work without a verified second factor (so the person can finish signing in).
_OTP_FREE_PREFIXES = ("/account/", "/static/", "/i18n/", "/healthz")


def membership_for(user, organization_id: int | None) -> Member | None:
    members = Member.objects.select_related("organization", "user").filter(
        user=user, active=True, organization__isnull=False
    )
    if organization_id is not None:
        member = members.filter(organization_id=organization_id).first()
        if member is not None:
            return member
    return members.order_by("organization__name").first()


class MembershipMiddleware:
    """Sets ``request.member`` and ``request.org`` (None when signed out or without membership).

    API requests with a bearer token resolve their member in the API's auth instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.member = None
        request.org = None
        timezone.deactivate()
        user = request.user
        if user.is_authenticated:
            member = membership_for(user, request.session.get(SESSION_ORG_KEY))
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
        if request.path.startswith(_OTP_FREE_PREFIXES) or request.path.startswith("/api/"):
            return None
        if request.user.is_verified():
            return None
        if request.session.get(SESSION_OTP_PENDING):
            return redirect(reverse("core:two_factor_verify") + f"?next={request.get_full_path()}")
        if request.member is not None and request.member.needs_two_factor:
            return redirect("core:two_factor_setup")
        return None


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
