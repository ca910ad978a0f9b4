"""Kiosks (tablets paired with a token) and the documents visitors accept on them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.errors import Conflict
from frontoffice.core.models import Member, Site
from frontoffice.core.services import activity_record
from frontoffice.reception import presets
from frontoffice.reception.models import Kiosk, VisitDocument
from frontoffice.reception.services._common import require_own

KIOSK_TOKEN_PREFIX = "fok_"
LAST_SEEN_EVERY = timedelta(minutes=1)


def kiosk_token_hash(raw: str) -> str:
    # 256 random bits: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def kiosk_create(*, actor: Member, site: Site, name: str) -> tuple[Kiosk, str]:
    """Pair a new kiosk at ``site``; the raw token is returned once and never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Name the kiosk so you recognise it later.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep it under %(n)s characters.") % {"n": 100}})
    if site is None or site.organization_id != actor.organization_id:
        raise ValidationError({"site": _("Choose one of your organisation's sites.")})
    if not site.active:
        raise ValidationError({"site": _("This site is closed.")})
    raw = KIOSK_TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        kiosk = Kiosk.objects.create(organization=actor.organization, site=site, name=name, prefix=raw[:10],
                                     token_hash=kiosk_token_hash(raw), created_by=actor)
    except IntegrityError:  # pragma: no cover - 256 random bits do not collide
        raise Conflict(_("Please try again.")) from None
    activity_record(organization=kiosk.organization, site=site, actor=actor, verb="kiosk.created", subject=kiosk)
    return kiosk, raw


@transaction.atomic
def kiosk_revoke(*, actor: Member, kiosk: Kiosk) -> Kiosk:
    if kiosk.revoked_at is not None:
        raise Conflict(_("This kiosk was revoked already."))
    kiosk.revoked_at = timezone.now()
    kiosk.save(update_fields=["revoked_at"])
    activity_record(organization=kiosk.organization, site=kiosk.site, actor=actor, verb="kiosk.revoked",
                    subject=kiosk)
    return kiosk


def kiosk_authenticate(raw: str) -> Kiosk | None:
    """The live kiosk for a raw token (with its site and organisation), or None."""
    if not raw or not raw.startswith(KIOSK_TOKEN_PREFIX):
        return None
    found = (Kiosk.objects.select_related("site", "organization")
             .filter(token_hash=kiosk_token_hash(raw), revoked_at__isnull=True)[:1])
    kiosk = found[0] if found else None
    if kiosk is None:
        return None
    now = timezone.now()
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at >= LAST_SEEN_EVERY:
        Kiosk.objects.filter(pk=kiosk.pk).update(last_seen_at=now)
        kiosk.last_seen_at = now
    return kiosk


# --- documents ---------------------------------------------------------------------------------

@transaction.atomic
def document_save(*, actor: Member, kind: str, title: str, body: str, visit_types, replaces: VisitDocument | None = None
                  ) -> VisitDocument:
    """Save a document visitors accept. Documents never change: editing one (``replaces``) saves the
    next version and retires the old, so every acceptance points at the words the visitor read."""
    organization = actor.organization
    errors = {}
    title = " ".join((title or "").split())
    body = (body or "").strip()
    visit_types = list(dict.fromkeys(visit_types or []))
    if kind not in dict(VisitDocument.KINDS):
        errors["kind"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(str(label) for _key, label in VisitDocument.KINDS)}
    if not title:
        errors["title"] = _("Give the document a title.")
    elif len(title) > 200:
        errors["title"] = _("Keep it under %(n)s characters.") % {"n": 200}
    if not body:
        errors["body"] = _("Write the text the visitor accepts.")
    known = {t.key for t in presets.visit_types(organization.vertical)}
    kept = set(replaces.visit_types) if replaces is not None else set()
    if any(key not in known and key not in kept for key in visit_types):
        errors["visit_types"] = _("Choose among your types of visit.")
    if errors:
        raise ValidationError(errors)
    version = 1
    if replaces is not None:
        require_own(organization, "replaces", replaces)
        replaces = VisitDocument.objects.select_for_update().get(pk=replaces.pk)
        if not replaces.active:
            raise Conflict(_("A newer version of this document exists; edit that one."))
        replaces.active = False
        replaces.save(update_fields=["active"])
        version = replaces.version + 1
    document = VisitDocument.objects.create(organization=organization, kind=kind, title=title, body=body,
                                            version=version, visit_types=visit_types, created_by=actor)
    activity_record(organization=organization, actor=actor, subject=document,
                    verb="visit_document.revised" if replaces is not None else "visit_document.created",
                    data={"version": version, "replaces": replaces.pk if replaces is not None else None})
    return document


@transaction.atomic
def document_retire(*, actor: Member, document: VisitDocument) -> VisitDocument:
    if document.active:
        document.active = False
        document.save(update_fields=["active"])
        activity_record(organization=document.organization, actor=actor, verb="visit_document.retired",
                        subject=document)
    return document
