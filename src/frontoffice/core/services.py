"""Every write to the core tables: organisations, sites, departments, members, tokens, activity.

Each function validates, changes state and records the activity in one transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from frontoffice.core import capabilities, presets
from frontoffice.core.errors import Conflict
from frontoffice.core.models import (
    WEEKDAYS,
    Activity,
    ApiToken,
    Closure,
    Department,
    Member,
    Organization,
    Site,
    User,
    validate_time_zone,
)
from frontoffice.core.prepared import Prepared

TOKEN_PREFIX = "fo_"
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# --- activity -------------------------------------------------------------------------------

def activity_record(
    *,
    organization: Organization,
    verb: str,
    actor: Member | None,
    subject: models.Model | None = None,
    client_id: int | None = None,
    site: Site | None = None,
    data: dict[str, Any] | None = None,
    actor_kind: str | None = None,
    occurred_at=None,
    label: str | None = None,
) -> Activity:
    """Append one entry to the activity log. Call it inside the transaction of the change.

    The log is never rewritten, so keep personal data out of it: for a client, pass ``client_id``
    and ``label=""``; pages resolve the client's current (or erased) name when they show it.
    """
    if actor is not None and actor.organization_id != organization.pk:
        raise ValueError("actor belongs to another organisation")
    return Activity.objects.create(
        organization=organization,
        site=site,
        actor=actor,
        actor_kind=actor_kind or ("member" if actor else "system"),
        verb=verb,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        subject_label=(str(subject) if label is None else label)[:200] if subject is not None else (label or ""),
        client_id=client_id,
        data=data or {},
        occurred_at=occurred_at or timezone.now(),
    )


def _changes(instance: models.Model, fields: dict[str, Any]) -> dict[str, list]:
    """Apply ``fields`` to ``instance`` and return {field: [before, after]} for those that changed."""
    changed = {}
    for name, value in fields.items():
        before = getattr(instance, name)
        if before != value:
            changed[name] = [_plain(before), _plain(value)]
            setattr(instance, name, value)
    return changed


def _set_related(manager, name: str, rows: list) -> dict[str, list]:
    """Set a many-to-many relation; {name: [ids before, ids after]} when it changed, else {}."""
    before = sorted(manager.values_list("pk", flat=True))
    after = sorted(row.pk for row in rows)
    if before == after:
        return {}
    manager.set(rows)
    return {name: [before, after]}


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=True)


# --- organisations --------------------------------------------------------------------------

def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "office"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(
    *,
    name: str,
    vertical: str,
    owner_email: str,
    owner_name: str = "",
    owner_password: str | None = None,
    language: str = "en",
    time_zone: str = "Europe/Warsaw",
    currency: str = "PLN",
    country: str = "PL",
    site_name: str = "",
    address: str = "",
) -> tuple[Organization, Member]:
    """Create an organisation from its vertical preset (a site and departments) with an owner."""
    errors = {}
    if vertical not in presets.VERTICALS:
        errors["vertical"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(presets.VERTICALS)}
    try:
        validate_email(owner_email)
    except ValidationError:
        errors["owner_email"] = _("Enter a valid e-mail address.")
    if not name.strip():
        errors["name"] = _("The organisation needs a name.")
    elif Organization.objects.filter(name__iexact=name.strip()).exists():
        errors["name"] = _("An organisation with this name exists already.")
    if errors:
        raise ValidationError(errors)
    organization = Organization(
        name=name.strip(), slug=_unique_slug(name), vertical=vertical, language=language,
        time_zone=time_zone, currency=currency.upper(), country=country.upper(),
    )
    _full_clean(organization)
    _check_codes(organization)
    organization.save()
    with translation.override(language):
        site = Site.objects.create(
            organization=organization, name=site_name or _("Main office"), address=address,
            opening_hours=presets.DEFAULT_OPENING_HOURS,
        )
        for dept_name, extension in organization.preset.departments:
            Department.objects.create(organization=organization, site=site, name=str(dept_name), phone=extension)
    # An existing person keeps their password: they become owner of one more organisation.
    user = User.objects.filter(email__iexact=owner_email).first()
    if user is None:
        user = User.objects.create_user(owner_email, owner_password, full_name=owner_name or owner_email.split("@")[0],
                                        language=language)
    owner = Member.objects.create(organization=organization, user=user, roles=[capabilities.OWNER])
    owner.sites.add(site)
    activity_record(organization=organization, actor=owner, verb="organization.created", subject=organization,
                    data={"vertical": vertical})
    return organization, owner


def _check_codes(organization: Organization) -> None:
    if not re.fullmatch(r"[A-Z]{3}", organization.currency):
        raise ValidationError({"currency": _("Use a three-letter ISO 4217 code such as PLN or EUR.")})
    if not re.fullmatch(r"[A-Z]{2}", organization.country):
        raise ValidationError({"country": _("Use a two-letter country code such as PL or GB.")})


ORGANIZATION_FIELDS = ("name", "language", "time_zone", "currency", "country", "visitor_retention_days",
                       "caller_retention_days", "require_two_factor")


@transaction.atomic
def organization_update(*, actor: Member, organization: Organization, **fields) -> Organization:
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if "currency" in fields:
        fields["currency"] = str(fields["currency"]).upper()
    if "country" in fields:
        fields["country"] = str(fields["country"]).upper()
    if "name" in fields and Organization.objects.filter(name__iexact=str(fields["name"]).strip()).exclude(
            pk=organization.pk).exists():
        raise ValidationError({"name": _("An organisation with this name exists already.")})
    changed = _changes(organization, fields)
    _full_clean(organization)
    _check_codes(organization)
    if changed:
        organization.save()
        activity_record(organization=organization, actor=actor, verb="organization.updated",
                        subject=organization, data={"changes": changed})
    return organization


# --- sites ----------------------------------------------------------------------------------

def validate_opening_hours(hours: Any) -> dict[str, list[list[str]]]:
    """Normalise {"mon": [["08:00", "16:00"], ...], ...}; days left out are closed."""
    if not isinstance(hours, dict):
        raise ValidationError({"opening_hours": _("Opening hours must map weekdays to time ranges.")})
    clean: dict[str, list[list[str]]] = {}
    for day, ranges in hours.items():
        if day not in WEEKDAYS:
            raise ValidationError({"opening_hours": _("Unknown weekday %(day)s.") % {"day": day}})
        if not isinstance(ranges, list):
            raise ValidationError({"opening_hours": _("Give a list of ranges for %(day)s.") % {"day": day}})
        day_ranges = []
        for pair in ranges:
            if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                    or not all(isinstance(t, str) and _HHMM.match(t) for t in pair)):
                raise ValidationError({"opening_hours": _("Write times as HH:MM, e.g. 08:00-16:00.")})
            if pair[0] >= pair[1]:
                raise ValidationError({"opening_hours": _("On %(day)s a range ends before it starts.") % {"day": day}})
            day_ranges.append([pair[0], pair[1]])
        day_ranges.sort()
        for earlier, later in zip(day_ranges, day_ranges[1:]):
            if later[0] < earlier[1]:
                raise ValidationError({"opening_hours": _("On %(day)s two ranges overlap.") % {"day": day}})
        clean[day] = day_ranges
    return {day: clean.get(day, []) for day in WEEKDAYS}


SITE_FIELDS = ("name", "address", "time_zone", "opening_hours", "active")


def _check_site_name(organization: Organization, name: str, exclude_pk: int | None = None) -> None:
    if not name.strip():
        raise ValidationError({"name": _("The site needs a name.")})
    if organization.sites.filter(name__iexact=name.strip()).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("There is already a site with this name.")})


@transaction.atomic
def site_create(*, actor: Member, name: str, address: str = "", time_zone: str = "",
                opening_hours: dict | None = None, active: bool = True) -> Site:
    organization = actor.organization
    _check_site_name(organization, name)
    if time_zone:
        try:
            validate_time_zone(time_zone)
        except ValidationError as exc:
            raise ValidationError({"time_zone": exc.messages}) from None
    site = Site(organization=organization, name=name.strip(), address=address, time_zone=time_zone,
                opening_hours=validate_opening_hours(presets.DEFAULT_OPENING_HOURS if opening_hours is None
                                                     else opening_hours), active=active)
    site.save()
    activity_record(organization=organization, actor=actor, verb="site.created", subject=site, site=site)
    return site


@transaction.atomic
def site_update(*, actor: Member, site: Site, **fields) -> Site:
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if "name" in fields:
        _check_site_name(site.organization, fields["name"], exclude_pk=site.pk)
        fields["name"] = fields["name"].strip()
    if fields.get("time_zone"):
        try:
            validate_time_zone(fields["time_zone"])
        except ValidationError as exc:
            raise ValidationError({"time_zone": exc.messages}) from None
    if "opening_hours" in fields:
        fields["opening_hours"] = validate_opening_hours(fields["opening_hours"])
    changed = _changes(site, fields)
    if changed:
        site.save()
        activity_record(organization=site.organization, actor=actor, verb="site.updated", subject=site, site=site,
                        data={"changes": changed})
    return site


@transaction.atomic
def closure_add(*, actor: Member, site: Site, starts_on: date, ends_on: date | None = None,
                reason: str = "") -> Closure:
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A closure cannot end before it starts.")})
    closure = Closure.objects.create(organization=site.organization, site=site, starts_on=starts_on,
                                     ends_on=ends_on, reason=reason)
    activity_record(organization=site.organization, actor=actor, verb="site.closure_added", subject=site, site=site,
                    data={"from": starts_on.isoformat(), "until": ends_on.isoformat(), "reason": reason})
    return closure


@transaction.atomic
def closure_remove(*, actor: Member, closure: Closure) -> None:
    site = closure.site
    data = {"from": closure.starts_on.isoformat(), "until": closure.ends_on.isoformat(), "reason": closure.reason}
    closure.delete()
    activity_record(organization=site.organization, actor=actor, verb="site.closure_removed", subject=site,
                    site=site, data=data)


# --- departments ----------------------------------------------------------------------------

def _department_fields(organization: Organization, fields: dict[str, Any], exclude_pk: int | None = None) -> dict:
    errors = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = _("The department needs a name.")
        elif organization.departments.filter(name__iexact=fields["name"]).exclude(pk=exclude_pk).exists():
            errors["name"] = _("There is already a department with this name.")
    if fields.get("email"):
        try:
            validate_email(fields["email"])
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if fields.get("site") is not None and fields["site"].organization_id != organization.pk:
        errors["site"] = _("Choose one of your sites.")
    if "members" in fields and any(m.organization_id != organization.pk for m in fields["members"]):
        errors["members"] = _("Choose members of your organisation.")
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def department_create(*, actor: Member, name: str, site: Site | None = None, phone: str = "", email: str = "",
                      members: list[Member] | None = None, active: bool = True) -> Department:
    organization = actor.organization
    fields = _department_fields(organization, {"name": name, "site": site, "email": email,
                                               "members": members or []})
    department = Department.objects.create(organization=organization, name=fields["name"], site=site,
                                           phone=phone.strip(), email=email.strip(), active=active)
    department.members.set(fields["members"])
    activity_record(organization=organization, actor=actor, verb="department.created", subject=department,
                    site=site)
    return department


@transaction.atomic
def department_update(*, actor: Member, department: Department, **fields) -> Department:
    members = fields.pop("members", None)
    allowed = {"name", "site", "phone", "email", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    checked = _department_fields(department.organization, dict(fields) | ({"members": members} if members is not None
                                                                          else {}), exclude_pk=department.pk)
    checked.pop("members", None)
    changed = _changes(department, checked)
    if members is not None:
        changed |= _set_related(department.members, "members", members)
    if changed:
        department.save()
        activity_record(organization=department.organization, actor=actor, verb="department.updated",
                        subject=department, site=department.site, data={"changes": changed})
    return department


@transaction.atomic
def department_delete(*, actor: Member, department: Department) -> None:
    organization, label, pk = department.organization, department.name, department.pk
    try:
        with transaction.atomic():
            department.delete()
    except models.ProtectedError:
        raise Conflict(_("This department is still in use; deactivate it instead.")) from None
    activity_record(organization=organization, actor=actor, verb="department.deleted",
                    data={"department_id": pk, "name": label})


# --- members --------------------------------------------------------------------------------

def _validate_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise ValidationError({"roles": _("Give the member at least one role.")})
    unknown = [r for r in roles if r not in capabilities.ROLES]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}})
    return sorted(set(roles))


def _check_sites(organization: Organization, sites: list[Site]) -> None:
    if any(site.organization_id != organization.pk for site in sites):
        raise ValidationError({"sites": _("Choose sites of your organisation.")})


@transaction.atomic
def member_invite(*, actor: Member, email: str, full_name: str, roles: list[str], sites: list[Site] | None = None,
                  title: str = "", notify: bool = True) -> Member:
    """Add a person to the organisation; a new user gets an e-mail to choose a password."""
    organization = actor.organization
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if not full_name.strip():
        raise ValidationError({"full_name": _("Enter the person's name.")})
    roles = _validate_roles(roles)
    if capabilities.OWNER in roles and not actor.can("organization.manage"):
        raise ValidationError({"roles": _("Only an owner can make someone an owner.")})
    sites = list(sites or [])
    _check_sites(organization, sites)
    user = User.objects.filter(email__iexact=email).first()
    new_user = user is None
    if new_user:
        user = User.objects.create_user(email, None, full_name=full_name.strip(), language=organization.language)
    elif organization.members.filter(user=user).exists():
        raise Conflict(_("This person is already a member."), field="email")
    member = Member.objects.create(organization=organization, user=user, roles=roles, title=title)
    member.sites.set(sites)
    activity_record(organization=organization, actor=actor, verb="member.invited", subject=member,
                    data={"roles": roles, "email": email})
    if new_user and notify:
        transaction.on_commit(lambda: send_invitation(user=user, organization=organization))
    return member


def send_invitation(*, user: User, organization: Organization) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.PUBLIC_URL + reverse("core:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    with translation.override(user.language or organization.language):
        body = render_to_string("core/email/invitation.txt", {"user": user, "organization": organization,
                                                               "link": link})
        send_mail(_("You have been invited to %(org)s") % {"org": organization.name}, body, None, [user.email])


def _owners_left(organization: Organization, without: Member) -> int:
    return sum(1 for m in organization.members.filter(active=True).exclude(pk=without.pk)
               if capabilities.OWNER in m.roles)


@transaction.atomic
def member_update(*, actor: Member, member: Member, roles: list[str] | None = None, sites: list[Site] | None = None,
                  active: bool | None = None, title: str | None = None, phone: str | None = None) -> Member:
    organization = member.organization
    changed: dict[str, list] = {}
    if roles is not None:
        roles = _validate_roles(roles)
        touches_owner = capabilities.OWNER in set(roles) ^ set(member.roles)
        if touches_owner and not actor.can("organization.manage"):
            raise ValidationError({"roles": _("Only an owner can grant or remove the owner role.")})
        if capabilities.OWNER not in roles and capabilities.OWNER in member.roles and not _owners_left(
                organization, member):
            raise Conflict(_("The organisation must keep at least one owner."), field="roles")
        if member.pk == actor.pk and not capabilities.capabilities_for(roles) <= member.capabilities:
            # Nobody widens their own rights (stepping down is fine): a second person must agree.
            raise Conflict(_("You cannot give yourself a role; ask another manager or the owner."), field="roles")
        changed |= _changes(member, {"roles": roles})
    if active is False and member.active and capabilities.OWNER in member.roles and not _owners_left(
            organization, member):
        raise Conflict(_("The organisation must keep at least one owner."), field="active")
    if active is False and member.pk == actor.pk:
        raise Conflict(_("You cannot deactivate yourself."), field="active")
    if active is False and member.active and capabilities.OWNER in member.roles and not actor.can(
            "organization.manage"):
        raise ValidationError({"active": _("Only an owner can deactivate an owner.")})
    simple = {k: v for k, v in {"active": active, "title": title, "phone": phone}.items() if v is not None}
    changed |= _changes(member, simple)
    if sites is not None:
        _check_sites(organization, sites)
        changed |= _set_related(member.sites, "sites", sites)
    if changed:
        member.save()
        member.__dict__.pop("capabilities", None)
        activity_record(organization=organization, actor=actor, verb="member.updated", subject=member,
                        data={"changes": changed})
    return member


# --- API tokens -----------------------------------------------------------------------------

def token_hash(raw: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, member: Member, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``member``; the raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token so you recognise it later.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    if not member.active:
        raise Conflict(_("An inactive member cannot have API tokens."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        token = ApiToken.objects.create(organization=member.organization, member=member, name=name,
                                        prefix=raw[:10], key_hash=token_hash(raw))
    except IntegrityError:  # pragma: no cover - 256 random bits do not collide
        raise Conflict(_("Please try again.")) from None
    activity_record(organization=member.organization, actor=member, verb="token.created", subject=token)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Member, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        activity_record(organization=token.organization, actor=actor, verb="token.revoked", subject=token)
    return token


# Every API request reads its token: compiled once per process (core/prepared.py).
_live_token = Prepared(lambda key_hash: ApiToken.objects.select_related("member__organization", "member__user")
                       .filter(key_hash=key_hash, revoked_at__isnull=True, member__active=True,
                               member__user__is_active=True), "~sample-token-hash~")


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for ``raw`` with its member, organisation and user, or None.

    Read on every request, so a revoked token, a deactivated member or user stops at once; the last use is
    written at most once a minute (``API_TOKEN_TOUCH_SECONDS``), not on every request."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = _live_token.first(token_hash(raw))  # the hash is unique: one row at most
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > settings.API_TOKEN_TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- two-factor sign-in ------------------------------------------------------------------------

@transaction.atomic
def two_factor_confirm(*, user: User, member: Member | None, device) -> None:
    """Make ``device`` the user's one confirmed authenticator (replacing an older one)."""
    type(device).objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if member is not None:
        activity_record(organization=member.organization, actor=member, verb="member.two_factor_enabled",
                        subject=member)


@transaction.atomic
def two_factor_disable(*, user: User, member: Member) -> None:
    if member.needs_two_factor:
        raise Conflict(_("Your organisation requires two-factor sign-in for your role."))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    activity_record(organization=member.organization, actor=member, verb="member.two_factor_disabled",
                    subject=member)


# --- people ---------------------------------------------------------------------------------

@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose English or Polish.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
