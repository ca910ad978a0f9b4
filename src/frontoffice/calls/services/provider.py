"""The organisation's telephony provider: its account and the auth token that signs every webhook."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from frontoffice.calls.models import TelephonyProvider
from frontoffice.core.models import Member
from frontoffice.core.services import activity_record

_TWILIO_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
# A host name ("example.signalwire.com"), nothing more: the REST client builds https://<host>/api/laml/….
_HOST = re.compile(r"^(?=.{4,200}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_TOKEN_MAX = TelephonyProvider._meta.get_field("auth_token").max_length


def _space_host(raw: str) -> str:
    """"https://example.signalwire.com/" → "example.signalwire.com" (people paste what their browser shows)."""
    host = (raw or "").strip()
    host = re.sub(r"^https?://", "", host, flags=re.IGNORECASE).rstrip("/").lower()
    return host


def _validated(kind: str, account_sid: str, auth_token: str, space_url: str, signing_key: str,
               current: TelephonyProvider | None) -> dict:
    errors: dict[str, str] = {}
    if kind not in TelephonyProvider.Kind.values:
        errors["kind"] = _("Choose Twilio or SignalWire.")
    if kind == TelephonyProvider.Kind.TWILIO and not _TWILIO_ACCOUNT_SID.match(account_sid):
        errors["account_sid"] = _("A Twilio account SID is “AC” and 32 letters and digits (from the Twilio console).")
    elif not account_sid:
        errors["account_sid"] = _("Enter the project ID from the SignalWire dashboard.")
    elif len(account_sid) > 64:
        errors["account_sid"] = _("This is too long for an account SID.")
    if not auth_token and current is None:
        errors["auth_token"] = _("Enter the auth token: it signs every request the provider sends.")
    elif len(auth_token) > _TOKEN_MAX or any(c.isspace() for c in auth_token):
        errors["auth_token"] = _("This does not look like an auth token.")
    if kind == TelephonyProvider.Kind.SIGNALWIRE and not _HOST.match(space_url):
        errors["space_url"] = _("Enter your space's address, e.g. example.signalwire.com.")
    if len(signing_key) > _TOKEN_MAX or any(c.isspace() for c in signing_key):
        errors["signing_key"] = _("This does not look like a signing key.")
    if errors:
        raise ValidationError(errors)
    signalwire = kind == TelephonyProvider.Kind.SIGNALWIRE
    return {"kind": kind, "account_sid": account_sid,
            "auth_token": auth_token or current.auth_token,
            "space_url": space_url if signalwire else "",
            "signing_key": (signing_key or (current.signing_key if current else "")) if signalwire else ""}


@transaction.atomic
def provider_set(*, actor: Member, kind: str, account_sid: str, auth_token: str,
                 space_url: str = "", signing_key: str = "") -> TelephonyProvider:
    """Connect (or change) the organisation's provider. An empty ``auth_token`` (or ``signing_key``, SignalWire
    only) keeps the stored one. The activity says what changed, never a secret itself."""
    if not actor.can("calls.provider"):
        raise PermissionDenied
    organization = actor.organization
    current = TelephonyProvider.objects.select_for_update().filter(organization=organization).first()
    fields = _validated((kind or "").strip(), (account_sid or "").strip(), (auth_token or "").strip(),
                        _space_host(space_url), (signing_key or "").strip(), current)
    provider = current or TelephonyProvider(organization=organization)
    token_changed = current is None or fields["auth_token"] != current.auth_token
    key_changed = fields["signing_key"] != (current.signing_key if current else "")
    changed = sorted(name for name in ("kind", "account_sid", "space_url")
                     if current is None or getattr(current, name) != fields[name])
    for name, value in fields.items():
        setattr(provider, name, value)
    provider.save()
    activity_record(organization=organization, actor=actor, verb="telephony.provider_set", subject=provider,
                    data={"kind": provider.kind, "account_sid": provider.account_sid, "space_url": provider.space_url,
                          "created": current is None, "changed": changed, "token_changed": token_changed,
                          "signing_key_changed": key_changed})
    return provider
