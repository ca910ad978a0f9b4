"""Phone settings: lines (the numbers the office answers), their greeting recordings, and ring groups
(whom a department rings, how, when it is open and where an unanswered call goes).

A line's number is unique across every organisation (the webhook finds the organisation by it), so a taken
number is refused without saying whose it is. The call flow itself is ``flows.flow_save``'s; this module only
adds what the flow editor needs around it (the uploaded greeting and its public URL).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from frontoffice.calls.models import Line, RingGroup, RingMember
from frontoffice.calls.routing import Flow
from frontoffice.core import phones
from frontoffice.core.models import Department, Member, Organization, Site
from frontoffice.core.ownership import active_department
from frontoffice.core.services import activity_record, validate_opening_hours

LINE_FIELDS = ("number", "label", "site", "department", "position", "active")
RING_SECONDS = (5, 120)  # Twilio's Dial timeout goes higher; nobody waits longer than two minutes
PARALLEL_MAX = 10  # Twilio rings at most ten <Number>s in one <Dial>
TARGETS_MAX = 20
GREETING_MAX_BYTES = 5 * 1024 * 1024

_SIP = re.compile(r"^sips?:[^@\s:;]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$")
_EXTENSION = re.compile(r"^\d{2,6}$")

# What a greeting may be, told by its first bytes (the browser's content type is the sender's word only).
_AUDIO_SIGNATURES = (
    (b"ID3", "audio/mpeg", ".mp3"),  # MP3 with an ID3 tag
    (b"\xff\xfb", "audio/mpeg", ".mp3"),  # MPEG-1 layer III frames
    (b"\xff\xf3", "audio/mpeg", ".mp3"),
    (b"\xff\xf2", "audio/mpeg", ".mp3"),
)


# --- lines ---------------------------------------------------------------------------------------

def default_flow(organization: Organization, department: Department | None = None) -> dict:
    """A new line's flow: thank the caller in the organisation's language, no menu, ring the line's
    department (a direct line) or the desk."""
    with translation.override(organization.language):
        greeting = _("Thank you for calling %(name)s.") % {"name": organization.name}
    flow = Flow(greeting_text=greeting, department_id=department.pk if department is not None else None)
    return dataclasses.asdict(flow)


def _number(organization: Organization, raw: str, exclude_pk: int | None = None) -> str:
    try:
        number = phones.normalize(raw, organization.country)
    except ValidationError as exc:
        raise ValidationError({"number": exc.messages}) from None
    taken = (Line.objects.filter(number=number).exclude(pk=exclude_pk)
             .values("organization_id", "active").first())
    if taken is not None:
        if taken["organization_id"] == organization.pk and not taken["active"]:
            raise ValidationError({"number": _(
                "This number is on one of your removed lines: switch that line on again instead.")})
        raise ValidationError({"number": _("This number is already in use.")})
    return number


def _label(organization: Organization, raw: str, exclude_pk: int | None = None) -> str:
    label = " ".join((raw or "").split())
    if not label:
        raise ValidationError({"label": _("Name the line, e.g. “Main number”.")})
    if len(label) > 100:
        raise ValidationError({"label": _("Keep it under %(n)s characters.") % {"n": 100}})
    if organization.lines.filter(label__iexact=label, active=True).exclude(pk=exclude_pk).exists():
        raise ValidationError({"label": _("There is already a line with this name.")})
    return label


def _site(organization: Organization, site: Site | None) -> Site:
    if site is None or site.organization_id != organization.pk:
        raise ValidationError({"site": _("Choose one of your organisation's sites.")})
    if not site.active:
        raise ValidationError({"site": _("This site is closed.")})
    return site


def _position(position: Any) -> int:
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 999:
        raise ValidationError({"position": _("Give a number from 0 to 999.")})
    return position


def _save_line(line: Line) -> None:
    """Save; a lost race for the number (another office added it a moment ago) is the usual refusal."""
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        raise ValidationError({"number": _("This number is already in use.")}) from None


@transaction.atomic
def line_create(*, actor: Member, number: str, label: str, site: Site, department: Department | None = None,
                position: int | None = None) -> Line:
    organization = actor.organization
    errors: dict[str, list[str]] = {}
    checked: dict[str, Any] = {}
    for field, check in (("number", lambda: _number(organization, number)),
                         ("label", lambda: _label(organization, label)),
                         ("site", lambda: _site(organization, site)),
                         ("department", lambda: active_department(organization, department)),
                         ("position", lambda: None if position is None else _position(position))):
        try:
            checked[field] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if checked["position"] is None:
        last = organization.lines.aggregate(last=Max("position"))["last"]
        checked["position"] = 0 if last is None else min(last + 1, 999)
    line = Line(organization=organization, flow=default_flow(organization, checked["department"]), **checked)
    _save_line(line)
    activity_record(organization=organization, site=line.site, actor=actor, verb="line.created", subject=line,
                    data={"number": line.number})
    return line


@transaction.atomic
def line_update(*, actor: Member, line: Line, **fields) -> Line:
    """Change any of ``LINE_FIELDS``; switching a removed line on again is ``active=True``."""
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    organization = line.organization
    checks = {
        "number": lambda value: _number(organization, value, exclude_pk=line.pk),
        "label": lambda value: _label(organization, value, exclude_pk=line.pk),
        "site": lambda value: _site(organization, value),
        "department": lambda value: active_department(organization, value),
        "position": _position,
        "active": bool,
    }
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            clean[name] = checks[name](value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    changed = {}
    for name, value in clean.items():
        before = getattr(line, name)
        if before != value:
            changed[name] = [_plain(before), _plain(value)]
            setattr(line, name, value)
    if "department" in changed and (line.flow or {}).get("department_id") == changed["department"][0]:
        # The flow rang the line's old department (a direct line): it follows the line to the new one.
        line.flow = {**line.flow, "department_id": changed["department"][1]}
    if changed:
        _save_line(line)
        activity_record(organization=organization, site=line.site, actor=actor, verb="line.updated",
                        subject=line, data={"changes": changed})
    return line


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def line_remove(*, actor: Member, line: Line) -> Line | None:
    """Delete a line that never took a call; one with calls is switched off (the call log keeps pointing
    at it). Returns the switched-off line, or None when it was deleted."""
    data = {"number": line.number, "label": line.label}
    organization, site = line.organization, line.site
    if line.calls.exists():
        if line.active:
            line.active = False
            line.save(update_fields=["active", "updated_at"])
            activity_record(organization=organization, site=site, actor=actor, verb="line.removed",
                            subject=line, data=data | {"kept_for_the_call_log": True})
        return line
    data["line_id"] = line.pk
    recording = line.greeting_recording.name
    line.delete()
    if recording:
        transaction.on_commit(lambda: _delete_file(recording))
    activity_record(organization=organization, site=site, actor=actor, verb="line.removed", data=data,
                    label=data["label"])
    return None


# --- the greeting recording ----------------------------------------------------------------------

def audio_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a greeting we accept (MP3 or WAV), from its first bytes; else None."""
    for signature, content_type, extension in _AUDIO_SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav", ".wav"
    return None


def _check_recording(recording) -> str:
    if recording.size > GREETING_MAX_BYTES:
        sizes = {"size": filesizeformat(recording.size), "limit": filesizeformat(GREETING_MAX_BYTES)}
        raise ValidationError({"greeting_recording": _(
            "The recording is %(size)s; the most it may be is %(limit)s.") % sizes})
    head = recording.read(16)
    recording.seek(0)
    found = audio_type(head)
    if found is None:
        raise ValidationError({"greeting_recording": _("That file is not an MP3 or WAV recording.")})
    return found[1]


def _delete_file(name: str) -> None:
    default_storage.delete(name)


def greeting_key(line: Line) -> str:
    """The secret part of the recording's public URL: bound to the line and the file, so a new recording
    gets a new URL and nobody can guess another line's."""
    return salted_hmac("calls.greeting", f"{line.pk}:{line.greeting_recording.name}",
                       algorithm="sha256").hexdigest()[:32]


def greeting_key_matches(line: Line, key: str) -> bool:
    return bool(line.greeting_recording) and constant_time_compare(greeting_key(line), key)


def greeting_url(line: Line) -> str:
    """Where the provider fetches the line's greeting recording ("" without one): a signed public URL."""
    if not line.greeting_recording:
        return ""
    return settings.PUBLIC_URL + reverse("calls:line_greeting_audio", args=[line.pk, greeting_key(line)])


@transaction.atomic
def line_flow_save(*, actor: Member, line: Line, flow: dict, recording=None, remove_recording: bool = False
                   ) -> Line:
    """The flow editor's save: a new (or no) greeting recording and the flow, in one transaction.

    The flow is validated and stored by ``flows.flow_save``; its ``greeting_url`` is the recording's signed
    URL whenever the line has a recording (the provider plays it instead of the greeting text). The file is
    written only once the flow was accepted, so a refused save leaves nothing behind.
    """
    from frontoffice.calls.services.flows import flow_save

    old = line.greeting_recording.name
    new = old
    if recording is not None:
        new = Line.greeting_recording.field.upload_to + secrets.token_hex(8) + _check_recording(recording)
    elif remove_recording:
        new = ""
    line.greeting_recording.name = new
    try:
        line = flow_save(actor=actor, line=line, flow={**flow, "greeting_url": greeting_url(line)})
    except Exception:
        line.greeting_recording.name = old
        raise
    if new == old:
        return line
    line.greeting_recording.name = new
    if recording is not None:
        stored = line.greeting_recording.storage.save(new, recording)
        if stored != new:  # the storage chose another name: the URL must name that one
            line.greeting_recording.name = stored
            line.flow = {**line.flow, "greeting_url": greeting_url(line)}
    line.save(update_fields=["greeting_recording", "flow", "updated_at"])
    if old:
        transaction.on_commit(lambda: _delete_file(old))
    activity_record(organization=line.organization, site=line.site, actor=actor, verb="line.updated",
                    subject=line, data={"changes": {"greeting_recording": [bool(old), bool(new)]}})
    return line


# --- ring groups ---------------------------------------------------------------------------------

def target_address(organization: Organization, raw: str) -> str:
    """A phone a ring group can ring, cleaned: an E.164 number, ``sip:user@host`` or a 2–6 digit
    extension. ValidationError (a plain message) for anything else."""
    text = (raw or "").strip()
    if text.lower().startswith(("sip:", "sips:")):
        scheme, rest = text.split(":", 1)
        text = f"{scheme.lower()}:{rest}"
        if not _SIP.match(text):
            raise ValidationError(_("Write a SIP address as sip:name@host."))
        return text
    compact = re.sub(r"[\s\-]", "", text)
    if _EXTENSION.match(compact):
        return compact
    number = phones.try_normalize(text, organization.country)
    if number is None:
        message = _("“%(value)s” is not a phone number, a SIP address or an extension (2–6 digits).")
        raise ValidationError(message % {"value": text})
    return number


def _seconds(value: Any, field: str) -> int:
    low, high = RING_SECONDS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: _("Ring for %(low)s to %(high)s seconds.") % {"low": low,
                                                                                    "high": high}})
    return value


def _targets(organization: Organization, targets: list[dict], strategy: str) -> list[RingMember]:
    """The ring group's phones, cleaned, in order; the first problem as {"targets": "Phone 2: …"}."""
    if not isinstance(targets, (list, tuple)):
        raise ValidationError({"targets": _("Give a list of phones.")})
    limit = PARALLEL_MAX if strategy == RingGroup.Strategy.PARALLEL else TARGETS_MAX  # (or a bad strategy)
    if len(targets) > limit:
        raise ValidationError({"targets": _("Ring at most %(n)s phones in this group.") % {"n": limit}})
    member_ids = [t.get("member_id") for t in targets if isinstance(t, dict)]
    wanted = [i for i in member_ids if isinstance(i, int) and not isinstance(i, bool)]
    found = organization.members.filter(pk__in=wanted, active=True).select_related("user")
    members = {m.pk: m for m in found}
    rows, seen = [], set()
    for index, target in enumerate(targets, start=1):
        try:
            row = _target_row(organization, target, members)
        except ValidationError as exc:
            message = " ".join(exc.messages)
            problem = {"n": index, "problem": message}
            raise ValidationError({"targets": _("Phone %(n)s: %(problem)s") % problem}) from None
        address = row.target or (row.member.phone if row.member else "")
        key = target_address(organization, address) if address else ""
        if key in seen:
            raise ValidationError({"targets": _("Phone %(n)s: it is in the list twice.") % {"n": index}})
        seen.add(key)
        row.position = index - 1
        rows.append(row)
    return rows


def _target_row(organization: Organization, target: Any, members: dict[int, Member]) -> RingMember:
    if not isinstance(target, dict):
        raise ValidationError(_("Give a member, a number or both."))
    member_id, raw = target.get("member_id"), (target.get("target") or "")
    member = None
    if member_id is not None:
        member = members.get(member_id)
        if member is None:
            raise ValidationError(_("Choose an active member of your organisation."))
    if not isinstance(raw, str):
        raise ValidationError(_("Give the number as text."))
    seconds = target.get("ring_seconds", 15)
    try:
        seconds = _seconds(seconds, "ring_seconds")
    except ValidationError as exc:
        raise ValidationError(exc.message_dict["ring_seconds"]) from None
    if raw.strip():
        return RingMember(member=member, target=target_address(organization, raw), ring_seconds=seconds)
    if member is None:
        raise ValidationError(_("Give a member, a number or both."))
    if not member.phone.strip():
        raise ValidationError(_("%(name)s has no phone in their profile: type the number to ring.")
                              % {"name": member.user.full_name})
    try:
        target_address(organization, member.phone)
    except ValidationError:
        raise ValidationError(_("%(name)s's phone “%(phone)s” cannot be rung: type the number to ring.")
                              % {"name": member.user.full_name, "phone": member.phone}) from None
    return RingMember(member=member, target="", ring_seconds=seconds)


def _overflow(organization: Organization, department: Department, overflow: str,
              overflow_department: Department | None) -> Department | None:
    if overflow not in RingGroup.Overflow.values:
        raise ValidationError({"overflow": _("Choose what happens when nobody answers.")})
    if overflow != RingGroup.Overflow.DEPARTMENT:
        return None
    if overflow_department is None:
        raise ValidationError({"overflow_department": _("Choose the department that takes the call next.")})
    active_department(organization, overflow_department, "overflow_department")
    if overflow_department.pk == department.pk:
        raise ValidationError({"overflow_department": _("A department cannot overflow to itself.")})
    if not RingGroup.objects.filter(department=overflow_department).exists():
        raise ValidationError({"overflow_department": _("%(name)s has no ring group yet: set it up first.")
                               % {"name": overflow_department.name}})
    from frontoffice.calls.services.flows import overflow_loop

    if overflow_loop(organization, department, overflow_department):
        raise ValidationError({"overflow_department": _(
            "%(name)s sends unanswered calls back here: the call would go round in a circle. Choose another "
            "department, voicemail or a message at the desk.") % {"name": overflow_department.name}})
    return overflow_department


def _hours(opening_hours: dict | None) -> dict:
    if not opening_hours:
        return {}  # the site's
    hours = validate_opening_hours(opening_hours)
    if not any(hours.values()):
        raise ValidationError({"opening_hours": _("Give the hours of at least one day, or use the site's.")})
    return hours


def _summary(group: RingGroup | None, targets) -> dict | None:
    if group is None:
        return None
    return {"strategy": group.strategy, "ring_seconds": group.ring_seconds, "overflow": group.overflow,
            "overflow_department": group.overflow_department_id, "opening_hours": group.opening_hours,
            "is_desk": group.is_desk,
            "targets": [[t.member_id, t.target, t.ring_seconds] for t in targets]}


@transaction.atomic
def ring_group_save(*, actor: Member, department: Department, strategy: str, ring_seconds: int, overflow: str,
                    overflow_department: Department | None = None, opening_hours: dict | None = None,
                    is_desk: bool = False, targets: list[dict]) -> RingGroup:
    """Create or replace a department's ring group. ``targets``: [{"member_id": int | None, "target": str,
    "ring_seconds": int}] in ringing order. Making it the desk takes the desk flag from the previous desk."""
    organization = actor.organization
    if department is None or department.organization_id != organization.pk:
        raise ValidationError({"department": _("Choose one of your organisation's departments.")})
    # Saves that move the desk or send calls to another department wait for each other, so that two of them
    # cannot make two desks or, between them, a circle that neither saw; two saves of one department wait
    # too, the second replacing the first's phones. NO KEY locks: rows that merely point at the organisation
    # or the department (foreign key checks) are not held up, and cannot deadlock with these.
    if is_desk or overflow == RingGroup.Overflow.DEPARTMENT:
        Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
    Department.objects.select_for_update(no_key=True).filter(pk=department.pk).first()
    clean = _ring_group_fields(organization, department, strategy=strategy, ring_seconds=ring_seconds,
                               overflow=overflow, overflow_department=overflow_department,
                               opening_hours=opening_hours, is_desk=is_desk, targets=targets)
    group = RingGroup.objects.filter(department=department).first()
    before = _summary(group, group.targets.all()) if group else None
    moved_from = _take_the_desk(organization, department) if clean["is_desk"] else None
    group = group or RingGroup(organization=organization, department=department)
    rows = clean.pop("targets")
    for name, value in clean.items():
        setattr(group, name, value)
    group.save()
    group.targets.all().delete()
    for row in rows:
        row.ring_group = group
    RingMember.objects.bulk_create(rows)
    after = _summary(group, rows)
    if after != before:
        data = {"before": before, "after": after} | ({"desk_moved_from": moved_from} if moved_from else {})
        activity_record(organization=organization, site=department.site, actor=actor, verb="ring_group.saved",
                        subject=group, data=data)
    return group


def _ring_group_fields(organization: Organization, department: Department, **given) -> dict[str, Any]:
    """The ring group's fields, cleaned; every bad one at once as a ValidationError naming it."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"overflow": given["overflow"]}
    checks = (
        ("strategy", lambda: _strategy(given["strategy"])),
        ("ring_seconds", lambda: _seconds(given["ring_seconds"], "ring_seconds")),
        ("overflow_department", lambda: _overflow(organization, department, given["overflow"],
                                                  given["overflow_department"])),
        ("opening_hours", lambda: _hours(given["opening_hours"])),
        ("is_desk", lambda: _desk(department, given["is_desk"])),
        ("targets", lambda: _targets(organization, given["targets"], clean.get("strategy"))),
    )
    for field, check in checks:
        try:
            clean[field] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean


def _take_the_desk(organization: Organization, department: Department) -> int | None:
    """Unmark the organisation's desk when it is another department; that department's id, else None."""
    previous = RingGroup.objects.filter(organization=organization, is_desk=True).exclude(
        department=department).first()
    if previous is None:
        return None
    previous.is_desk = False
    previous.save(update_fields=["is_desk", "updated_at"])
    return previous.department_id


def _strategy(strategy: str) -> str:
    if strategy not in RingGroup.Strategy.values:
        raise ValidationError({"strategy": _("Choose how the phones ring.")})
    return strategy


def _desk(department: Department, is_desk: bool) -> bool:
    if is_desk and not department.active:
        raise ValidationError({"is_desk": _("A switched-off department cannot be the front desk.")})
    return bool(is_desk)
