"""Inquiry settings: the categories (routing and response targets) and the channels (the mailbox, the
inbound-mail webhook's token, the public FAQ page and the web form).

A category's targets apply to inquiries opened after the change; the due times of open ones stay as they
were promised. Secrets are never shown back nor written to the activity log: an empty IMAP password keeps
the stored one, and the webhook token is returned once when it is made and kept only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from frontoffice.core.models import Department, Member, Organization, Site
from frontoffice.core.ownership import active_department
from frontoffice.core.services import activity_record
from frontoffice.inquiries.models import Category, Channels
from frontoffice.inquiries.presets import categories_ensure

__all__ = ["TARGET_HOURS", "categories_ensure", "category_save", "channels_of", "channels_save",
           "inbound_token_hash", "inbound_token_revoke", "inbound_token_rotate"]

TARGET_HOURS = (Decimal("0.25"), Decimal(2000))
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_HOST = re.compile(r"^(?=.{1,200}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
CHANNEL_FIELDS = ("address", "imap_host", "imap_port", "imap_ssl", "imap_user", "imap_password",
                  "imap_folder", "site", "default_category", "public_faq", "public_form")


def _require(actor: Member) -> Organization:
    if not actor.can("inquiries.manage"):
        raise PermissionDenied
    return actor.organization


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value.pk if hasattr(value, "pk") else value


def _apply(instance, clean: dict[str, Any]) -> dict[str, list]:
    """Set the fields; {field: [before, after]} of those that changed."""
    changed = {}
    for name, value in clean.items():
        before = getattr(instance, name)
        if before != value:
            changed[name] = [_plain(before), _plain(value)]
            setattr(instance, name, value)
    return changed


def _collect(checks) -> dict[str, Any]:
    """Run (field, check) pairs; every refusal at once as one ValidationError naming the fields."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, check in checks:
        try:
            clean[field] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict if hasattr(exc, "error_dict") else {field: exc.messages})
    if errors:
        raise ValidationError(errors)
    return clean


# --- categories ----------------------------------------------------------------------------------

def _hours(value: Any, field: str) -> Decimal:
    low, high = TARGET_HOURS
    message = _("Give a number of business hours from %(low)s to %(high)s.") % {"low": low, "high": high}
    if isinstance(value, bool) or value is None:
        raise ValidationError({field: message})
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({field: message}) from None
    if not hours.is_finite() or not low <= hours <= high:
        raise ValidationError({field: message})
    return hours.quantize(Decimal("0.01"))


def _name(organization: Organization, name: Any, exclude_pk: int | None) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Name the category, e.g. “Billing”.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep it under %(n)s characters.") % {"n": 100}})
    if Category.objects.filter(organization=organization, name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("There is already a category with this name.")})
    return name


def _key(organization: Organization, key: Any, name: Any, exclude_pk: int | None) -> str:
    """The category's key: as given, or made from the name for a new one."""
    key = str(key or "").strip().lower() or slugify(str(name or ""))[:40].strip("-_")
    if not _KEY.match(key):
        raise ValidationError({"key": _("Use up to 40 small letters, digits, hyphens and underscores.")})
    if Category.objects.filter(organization=organization, key=key).exclude(pk=exclude_pk).exists():
        raise ValidationError({"key": _("Another category has this key.")})
    return key


@transaction.atomic
def category_save(*, actor: Member, category: Category | None = None, key: str, name: str,
                  department: Department | None, first_answer_hours: Decimal | float | str,
                  resolution_hours: Decimal | float | str, active: bool = True) -> Category:
    """Create (``category=None``) or change a category. Targets are business hours (0.25–2000) and the
    resolution target is never shorter than the first answer's; an empty ``key`` is made from the name.
    A first category of an organisation comes after its vertical's presets (``categories_ensure``)."""
    organization = _require(actor)
    if category is not None and category.organization_id != organization.pk:
        raise PermissionDenied
    categories_ensure(organization)
    exclude = category.pk if category is not None else None
    clean = _collect((
        ("key", lambda: _key(organization, key, name, exclude)),
        ("name", lambda: _name(organization, name, exclude)),
        ("department", lambda: active_department(organization, department)),
        ("first_answer_hours", lambda: _hours(first_answer_hours, "first_answer_hours")),
        ("resolution_hours", lambda: _hours(resolution_hours, "resolution_hours")),
        ("active", lambda: bool(active)),
    ))
    if clean["resolution_hours"] < clean["first_answer_hours"]:
        raise ValidationError({"resolution_hours": _(
            "Resolving cannot take less time than the first answer.")})
    created = category is None
    if created:
        last = Category.objects.filter(organization=organization).aggregate(last=Max("position"))["last"]
        category = Category(organization=organization, position=0 if last is None else min(last + 1, 32767))
    changed = _apply(category, clean)
    if created:  # what it starts with, not what it differs from the model's defaults in
        changed = {name: [None, _plain(value)] for name, value in clean.items()}
    elif not changed:
        return category
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:  # a second save with the same key won the race
        raise ValidationError({"key": _("Another category has this key.")}) from None
    activity_record(organization=organization, actor=actor, verb="inquiry_category.saved", subject=category,
                    data={"created": created, "changes": changed})
    return category


# --- channels ------------------------------------------------------------------------------------

def channels_of(organization: Organization) -> Channels:
    """The organisation's channels; an unsaved default (everything off) when never set."""
    found = (Channels.objects.filter(organization=organization)
             .select_related("site", "default_category").first())
    return found or Channels(organization=organization)


def inbound_token_hash(raw: str) -> str:
    """What is stored of the inbound-mail webhook's token; compare with ``hmac.compare_digest``."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _text(value: Any, field: str, limit: int) -> str:
    text = str(value if value is not None else "").strip()
    if len(text) > limit or any(ord(c) < 32 for c in text):
        raise ValidationError({field: _("This is not a valid value.")})
    return text


def _address(value: Any) -> str:
    address = _text(value, "address", 254)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"address": _("Enter a valid e-mail address.")}) from None
    return address.lower()


def _imap_host(value: Any) -> str:
    host = re.sub(r"^imaps?://", "", _text(value, "imap_host", 200), flags=re.IGNORECASE).rstrip("/")
    if host and not _HOST.match(host):
        raise ValidationError({"imap_host": _("Enter the server's name, e.g. imap.example.com.")})
    return host.lower()


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValidationError({"imap_port": _("Give a port from 1 to 65535 (usually 993).")})
    return value


def _folder(value: Any) -> str:
    folder = _text(value, "imap_folder", 100)
    if not folder:
        raise ValidationError({"imap_folder": _("Name the folder to read, usually INBOX.")})
    return folder


def _site(organization: Organization, site: Site | None) -> Site | None:
    if site is not None and (site.organization_id != organization.pk or not site.active):
        raise ValidationError({"site": _("Choose one of your organisation's open sites.")})
    return site


def _default_category(organization: Organization, category: Category | None) -> Category | None:
    if category is not None and (category.organization_id != organization.pk or not category.active):
        raise ValidationError({"default_category": _("Choose one of your organisation's active categories.")})
    return category


def _channel_checks(organization: Organization, fields: dict[str, Any]):
    checks = {
        "address": _address,
        "imap_host": _imap_host,
        "imap_port": _port,
        "imap_ssl": bool,
        "imap_user": lambda value: _text(value, "imap_user", 200),
        "imap_password": lambda value: _text(value, "imap_password", 200),
        "imap_folder": _folder,
        "site": lambda value: _site(organization, value),
        "default_category": lambda value: _default_category(organization, value),
        "public_faq": bool,
        "public_form": bool,
    }
    return [(name, lambda name=name, value=value: checks[name](value)) for name, value in fields.items()]


def _record(channels: Channels, actor: Member, data: dict) -> None:
    activity_record(organization=channels.organization, actor=actor, verb="inquiry_channels.saved",
                    subject=channels, label=str(Channels._meta.verbose_name), data=data)


def _locked_channels(organization: Organization) -> Channels:
    Channels.objects.get_or_create(organization=organization)
    return Channels.objects.select_for_update().get(organization=organization)


@transaction.atomic
def channels_save(*, actor: Member, **fields) -> Channels:
    """Change any of ``CHANNEL_FIELDS`` (the others stay). An empty ``imap_password`` keeps the stored one; a
    mailbox to read needs its user name and password. The activity says the password changed, never what
    it is."""
    organization = _require(actor)
    unknown = set(fields) - set(CHANNEL_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    clean = _collect(_channel_checks(organization, fields))
    channels = _locked_channels(organization)
    if not clean.get("imap_password"):
        clean.pop("imap_password", None)
    host = clean.get("imap_host", channels.imap_host)
    if host:
        errors = {}
        if not clean.get("imap_user", channels.imap_user):
            errors["imap_user"] = _("Enter the mailbox's user name.")
        if not clean.get("imap_password", channels.imap_password):
            errors["imap_password"] = _("Enter the mailbox's password.")
        if errors:
            raise ValidationError(errors)
    changed = _apply(channels, clean)
    if "imap_password" in changed:
        changed["imap_password"] = True  # that it changed; never the value
    if changed:
        channels.save()
        _record(channels, actor, {"changes": changed})
    return channels


@transaction.atomic
def inbound_token_rotate(*, actor: Member) -> str:
    """Make a new inbound-mail webhook token (the old one stops working) and return it: the only time it is
    seen, as it is kept as its SHA-256 only."""
    organization = _require(actor)
    channels = _locked_channels(organization)
    raw = secrets.token_urlsafe(32)
    replaced = bool(channels.inbound_token_hash)
    channels.inbound_token_hash = inbound_token_hash(raw)
    channels.save(update_fields=["inbound_token_hash"])
    _record(channels, actor, {"inbound_token": "rotated" if replaced else "created"})
    return raw


@transaction.atomic
def inbound_token_revoke(*, actor: Member) -> Channels:
    """Switch the inbound-mail webhook off: its token stops working."""
    organization = _require(actor)
    channels = _locked_channels(organization)
    if channels.inbound_token_hash:
        channels.inbound_token_hash = ""
        channels.save(update_fields=["inbound_token_hash"])
        _record(channels, actor, {"inbound_token": "revoked"})
    return channels
