"""Signing in and out, two-factor codes, and the pages around them."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.core.forms import LoginForm, TwoFactorCodeForm
from frontoffice.core.middleware import SESSION_OTP_PENDING
from frontoffice.core.permissions import member_required
from frontoffice.core import services
from frontoffice.core.errors import Conflict


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if user_has_device(form.get_user(), confirmed=True):
            self.request.session[SESSION_OTP_PENDING] = True
            return redirect(f"{reverse('core:two_factor_verify')}?{urlencode({'next': self.get_success_url()})}")
        return response


def lockout_username(request, credentials: dict | None) -> str | None:
    """The account a sign-in attempt names, for django-axes: the e-mail, lower-cased.

    Without it axes looks for the USERNAME_FIELD ("email") among the credentials, finds nothing in
    the form's "username", and never counts a failure; and Owner@x and owner@x would count apart.
    """
    source = credentials or request.POST
    value = source.get("username") or source.get("email")
    return value.strip().lower() if isinstance(value, str) else None


def _safe_next(request, default: str = "core:dashboard"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def two_factor_verify(request):
    if not request.user.is_authenticated:
        return redirect("core:login")
    devices = list(TOTPDevice.objects.devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("core:two_factor_setup")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next((d for d in devices if d.verify_token(form.cleaned_data["code"])), None)
        if device is not None:
            otp_login(request, device)
            request.session.pop(SESSION_OTP_PENDING, None)
            return redirect(_safe_next(request))
        form.add_error("code", _("That code is not right. Codes change every 30 seconds; try the current one."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")})


def two_factor_setup(request):
    """Show a QR code for an authenticator app and confirm it with one code."""
    if not request.user.is_authenticated:
        return redirect("core:login")
    if request.session.get(SESSION_OTP_PENDING):
        return redirect("core:two_factor_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            services.two_factor_confirm(user=request.user, member=request.member, device=device)
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("core:dashboard")
        form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "registration/two_factor_setup.html", {"form": form, "qr": qr, "secret": secret})


@require_POST
@member_required()
def two_factor_disable(request):
    try:
        services.two_factor_disable(user=request.user, member=request.member)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("core:profile")

