"""Visits before and around the arrival: invitations, appointments, corrections, cancellations, no-shows,
turning a visitor into a client, and the signed link the host follows from the notification."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client, ClientEmail, ClientPhone
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Department, Member, Organization, Site
from frontoffice.core.prepared import Prepared
from frontoffice.core.tasks import enqueue
from frontoffice.reception import presets
from frontoffice.reception.models import Visit
from frontoffice.reception.services._common import record

# A form filled in "for now" reaches the server a little later: that much of the past is still "now".
PAST_GRACE = timedelta(minutes=5)
HOST_LINK_SALT = "reception.host"
HOST_LINK_MAX_AGE = timedelta(hours=24)
UPDATABLE = ("purpose", "notes", "visit_type", "expected_at", "host_member", "host_department", "visitor_name",
             "visitor_company", "visitor_email", "visitor_phone")
_SPACES = re.compile(r"\s+")


def _line(value, limit: int, field: str, errors: dict) -> str:
    text = _SPACES.sub(" ", str(value or "")).strip()
    if len(text) > limit:
        errors[field] = _("Keep it under %(n)s characters.") % {"n": limit}
    return text[:limit]


def clean_visit_fields(organization: Organization, fields: dict) -> dict:
    """Validate and normalise the visit fields present in ``fields``; ValidationError names each bad one.

    The visitor's name, e-mail and phone default to the linked client's; the phone is stored as E.164.
    """
    errors: dict[str, str] = {}
    clean = dict(fields)
    client = fields.get("client")
    if client is not None:
        if client.organization_id != organization.pk:
            errors["client"] = _("Choose one of your organisation's.")
        elif client.erased_at is not None or client.merged_into_id is not None:
            errors["client"] = _("This client record is no longer in use.")
    if "site" in fields:
        site = fields["site"]
        if site is None or site.organization_id != organization.pk:
            errors["site"] = _("Choose one of your organisation's sites.")
        elif not site.active:
            errors["site"] = _("This site is closed.")
    for name in ("host_member", "host_department"):
        host = fields.get(name)
        if host is not None and host.organization_id != organization.pk:
            errors[name] = _("Choose one of your organisation's.")
        elif host is not None and not host.active:
            errors[name] = _("%(name)s is no longer active.") % {"name": host}
    if "visit_type" in fields and presets.visit_type(organization.vertical, fields["visit_type"] or "") is None:
        errors["visit_type"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(str(t.label) for t in presets.visit_types(organization.vertical))}
    for name, limit in (("visitor_name", 200), ("visitor_company", 200), ("purpose", 200)):
        if name in fields:
            clean[name] = _line(fields[name], limit, name, errors)
    if "notes" in fields:
        clean["notes"] = str(fields["notes"] or "").strip()[:10000]
    if "visitor_email" in fields:
        clean["visitor_email"] = str(fields["visitor_email"] or "").strip()
        if clean["visitor_email"]:
            try:
                validate_email(clean["visitor_email"])
            except ValidationError:
                errors["visitor_email"] = _("Enter a valid e-mail address.")
    if str(fields.get("visitor_phone") or "").strip():
        try:
            clean["visitor_phone"] = phones.normalize(str(fields["visitor_phone"]), organization.country)
        except ValidationError as exc:
            errors["visitor_phone"] = exc.messages[0]
    elif "visitor_phone" in fields:
        clean["visitor_phone"] = ""
    if "expected_at" in fields and fields["expected_at"] is not None:
        if not isinstance(fields["expected_at"], datetime) or timezone.is_naive(fields["expected_at"]):
            errors["expected_at"] = _("Give a date and a time.")
    if errors:
        raise ValidationError(errors)
    if client is not None:
        _fill_from_client(clean, client)
    return clean


def _fill_from_client(clean: dict, client: Client) -> None:
    if not clean.get("visitor_name"):
        clean["visitor_name"] = client.display_name[:200]
    if "visitor_email" in clean and not clean["visitor_email"]:
        clean["visitor_email"] = next(iter(client.emails.values_list("email", flat=True)), "")
    if "visitor_phone" in clean and not clean["visitor_phone"]:
        clean["visitor_phone"] = next(iter(client.phones.values_list("number", flat=True)), "")


def check_complete(visit: Visit) -> None:
    """What every visit needs whichever way it was made: a visitor's name and someone to see."""
    errors = {}
    if not visit.visitor_name:
        errors["visitor_name"] = _("Enter the visitor's name.")
    if visit.host_member_id is None and visit.host_department_id is None:
        errors["host"] = _("Choose whom the visitor comes to see: a person or a department.")
    if errors:
        raise ValidationError(errors)


def new_visit(organization: Organization, **fields) -> Visit:
    """An unsaved, validated visit (status expected)."""
    fields.setdefault("visit_type", "")
    if not fields["visit_type"]:
        fields["visit_type"] = presets.visit_types(organization.vertical)[0].key
    clean = clean_visit_fields(organization, fields)
    visit = Visit(organization=organization, status=Visit.EXPECTED, **clean)
    check_complete(visit)
    return visit


def _require_future(expected_at: datetime | None) -> None:
    if expected_at is None:
        raise ValidationError({"expected_at": _("Say when the visitor is expected.")})
    if isinstance(expected_at, datetime) and timezone.is_aware(expected_at) \
            and expected_at < timezone.now() - PAST_GRACE:
        raise ValidationError({"expected_at": _("This time has passed: choose a time from now on.")})


@transaction.atomic
def visit_invite(*, actor: Member, site: Site, host_member: Member | None = None,
                 host_department: Department | None = None, visit_type: str, expected_at: datetime,
                 purpose: str = "", notes: str = "", client: Client | None = None, visitor_name: str = "",
                 visitor_company: str = "", visitor_email: str = "", visitor_phone: str = "",
                 send_invitation: bool = True) -> Visit:
    """Pre-register a visitor; with ``send_invitation`` they get an e-mail with their code and its QR."""
    _require_future(expected_at)
    visit = new_visit(actor.organization, site=site, host_member=host_member, host_department=host_department,
                      visit_type=visit_type, expected_at=expected_at, purpose=purpose, notes=notes, client=client,
                      visitor_name=visitor_name, visitor_company=visitor_company, visitor_email=visitor_email,
                      visitor_phone=visitor_phone)
    if send_invitation and not visit.visitor_email:
        raise ValidationError({"visitor_email": _("An e-mail address is needed to send the invitation.")})
    visit.invited_by = actor
    visit.save()
    record(visit, "visit.invited", actor, {"invitation": bool(send_invitation), "visit_type": visit.visit_type})
    if send_invitation:
        enqueue("frontoffice.reception.tasks.send_invitation", visit_id=visit.pk)
    return visit


@transaction.atomic
def visit_expect(*, organization: Organization, site: Site, client: Client, expected_at: datetime,
                 host_member: Member | None = None, host_department: Department | None = None,
                 visit_type: str = "", purpose: str = "", actor: Member | None = None) -> Visit:
    """An expected visit for an appointment (no e-mail): the schedule's one call into reception.

    ``visit_type`` defaults to the vertical's first type (patient, client, parent, customer, guest).
    """
    if expected_at is None:
        raise ValidationError({"expected_at": _("Say when the visitor is expected.")})
    if client is None:
        raise ValidationError({"client": _("Choose the client.")})
    visit = new_visit(organization, site=site, client=client, expected_at=expected_at, host_member=host_member,
                      host_department=host_department, visit_type=visit_type, purpose=purpose,
                      visitor_email="", visitor_phone="")
    visit.invited_by = actor
    visit.save()
    record(visit, "visit.expected", actor, {"visit_type": visit.visit_type})
    return visit


# Every step of a visit locks it first (check-in is benchmarked): compiled once per process.
_locked = Prepared(lambda visit_id: Visit.objects.select_for_update().filter(pk=visit_id).order_by(), 2_000_000_001)
_locked_with_hosts = Prepared(lambda visit_id: Visit.objects.select_for_update(of=("self",)).filter(pk=visit_id)
                              .select_related("site", "host_member__user", "host_department").order_by(),
                              2_000_000_001)


def lock(visit: Visit, *, with_hosts: bool = False) -> Visit:
    """Lock the visit's row for this transaction and bring the caller's instance up to date from it, in one
    query. Related rows the caller loaded (site, organisation, host) stay cached unless their id changed.

    ``with_hosts`` loads the site and the hosts in the same query (only the visit's row is locked), for a
    caller that looked the visit up without them: PostgreSQL plans a join of few tables much faster."""
    found = (_locked_with_hosts if with_hosts else _locked)(visit.pk)
    if not found:
        raise Visit.DoesNotExist("Visit matching query does not exist.")
    fresh = found[0]
    for field in Visit._meta.concrete_fields:
        value = getattr(fresh, field.attname)
        if getattr(visit, field.attname) != value:
            setattr(visit, field.attname, value)  # a changed foreign key id also drops its cached row
    if with_hosts:
        for name in ("site", "host_member", "host_department"):
            field = Visit._meta.get_field(name)
            if not field.is_cached(visit):
                field.set_cached_value(visit, field.get_cached_value(fresh))
        site_organization = Site._meta.get_field("organization")
        if (Visit._meta.get_field("organization").is_cached(visit) and not site_organization.is_cached(visit.site)
                and visit.site.organization_id == visit.organization_id):
            site_organization.set_cached_value(visit.site, visit.organization)  # the same row: spares a query
    return visit


@transaction.atomic
def visit_update(*, actor: Member, visit: Visit, **fields) -> Visit:
    """Correct a visit that has not ended. Records the names of the changed fields (not their values:
    they are personal data the log keeps for ever)."""
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise TypeError(f"visit_update() cannot change {', '.join(unknown)}")
    lock(visit)
    if visit.status in (Visit.LEFT, Visit.CANCELLED):
        raise Conflict(_("This visit has ended and can no longer be changed."))
    if visit.anonymised_at is not None:
        raise Conflict(_("This visit was anonymised."))
    clean = clean_visit_fields(visit.organization, fields)
    changed = []
    for name, value in clean.items():
        if getattr(visit, name) != value:
            setattr(visit, name, value)
            changed.append(name)
    if not changed:
        return visit
    check_complete(visit)
    visit.save()
    record(visit, "visit.updated", actor, {"fields": sorted(changed)})
    return visit


def _require_expected(visit: Visit) -> None:
    if visit.status != Visit.EXPECTED:
        raise Conflict({
            Visit.ARRIVED: _("The visitor is already checked in."),
            Visit.WITH_HOST: _("The visitor is already checked in."),
            Visit.LEFT: _("The visitor has already left."),
            Visit.CANCELLED: _("This visit was cancelled already."),
            Visit.NO_SHOW: _("This visit was marked as a no-show already."),
        }.get(visit.status, _("This visit is not expected.")))


@transaction.atomic
def visit_cancel(*, actor: Member | None, visit: Visit, reason: str = "") -> Visit:
    """Cancel an expected visit. The reason goes into the visit's notes (which retention clears), not
    into the log."""
    lock(visit)
    _require_expected(visit)
    visit.status = Visit.CANCELLED
    visit.cancelled_at = timezone.now()
    reason = (reason or "").strip()
    if reason:
        visit.notes = (visit.notes + "\n" + _("Cancelled: %(reason)s") % {"reason": reason}).strip()[:10000]
    visit.save(update_fields=["status", "cancelled_at", "notes"])
    record(visit, "visit.cancelled", actor, {"reason_given": bool(reason)})
    return visit


@transaction.atomic
def visit_no_show(*, actor: Member | None, visit: Visit, automatic: bool = False) -> Visit:
    lock(visit)
    _require_expected(visit)
    visit.status = Visit.NO_SHOW
    visit.save(update_fields=["status"])
    record(visit, "visit.no_show", actor, {"automatic": True} if automatic else {})
    return visit


# --- the visitor as a client -------------------------------------------------------------------

def _matching_client(visit: Visit) -> Client | None:
    """The one live client whose phone or e-mail is the visitor's; None for none or several."""
    organization = visit.organization
    ids: set[int] = set()
    if visit.visitor_phone:
        ids |= set(ClientPhone.objects.filter(organization=organization, number=visit.visitor_phone)
                   .values_list("client_id", flat=True))
    if visit.visitor_email:
        ids |= set(ClientEmail.objects.filter(organization=organization, email=visit.visitor_email.lower())
                   .values_list("client_id", flat=True))
    live = list(Client.objects.filter(organization=organization, pk__in=ids, merged_into__isnull=True,
                                      erased_at__isnull=True)[:2])
    return live[0] if len(live) == 1 else None


@transaction.atomic
def visit_make_client(*, actor: Member, visit: Visit) -> Client:
    """Link the visitor to a client: the one client with the same phone or e-mail, else a new client
    made from the visitor's details (through ``clients.services``, so duplicates and search stay right)."""
    from frontoffice.clients import services as client_services
    from frontoffice.clients.validation import ClientInput

    lock(visit)
    if visit.client_id is not None:
        raise Conflict(_("This visitor is already linked to a client."))
    if visit.anonymised_at is not None:
        raise Conflict(_("This visit was anonymised."))
    client = _matching_client(visit)
    created = client is None
    if created:
        first, _sep, last = visit.visitor_name.rpartition(" ")
        data = ClientInput(first_name=first, last_name=last,
                           phones=[visit.visitor_phone] if visit.visitor_phone else [],
                           emails=[visit.visitor_email] if visit.visitor_email else [])
        client = client_services.client_create(actor=actor, data=data, source="reception")
    visit.client = client
    visit.save(update_fields=["client"])
    record(visit, "visit.client_linked", actor, {"created": created})
    return client


# --- the host's link ---------------------------------------------------------------------------

def host_link_token(visit: Visit) -> str:
    """The token of the "I'm on my way" link in the host's e-mail, valid for 24 hours."""
    return signing.TimestampSigner(salt=HOST_LINK_SALT).sign(str(visit.pk))


def visit_from_host_token(token: str) -> Visit | None:
    """The visit of a host link; None when the token is forged, expired or names no visit."""
    try:
        pk = signing.TimestampSigner(salt=HOST_LINK_SALT).unsign(
            token or "", max_age=HOST_LINK_MAX_AGE.total_seconds())
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return (Visit.objects.select_related("organization", "site", "host_member__user", "host_department")
            .filter(pk=int(pk)).first() if pk.isdigit() else None)
