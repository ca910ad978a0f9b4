"""Messages and callbacks: a message taken for a person or a department, a voicemail turned into a message,
a callback suggested after a missed call, and the recipient dealing with it.

The recipient hears about a message in the app (``queries.log.messages_for``) and by e-mail
(``tasks.notify_message``, after the write has committed). A callback suggestion is not e-mailed: the desk
sees it in the list of callbacks owed, and a missed call at a busy desk would otherwise mean a mail a minute.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.calls.models import Call, Message, RingGroup
from frontoffice.core import capabilities as caps
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Department, Member, Organization
from frontoffice.core.services import activity_record
from frontoffice.core.tasks import enqueue

TEXT_MAX = 5000
NAME_MAX = Message._meta.get_field("caller_name").max_length
NUMBER_MAX = Message._meta.get_field("caller_number").max_length
NOTIFY_TASK = "frontoffice.calls.tasks.notify_message"
# A call that ended in one of these needs nobody to call back (a voicemail does, when nothing was recorded).
REACHED = (Call.Outcome.ANSWERED, Call.Outcome.TRANSFERRED, Call.Outcome.MESSAGE)


def _record(message: Message, verb: str, actor: Member | None, data: dict | None = None) -> None:
    """The activity of a message. No label: callers' names and numbers are personal data that retention
    clears from the message, and the log is never rewritten."""
    activity_record(organization=message.organization, site=message.site, actor=actor, verb=verb,
                    subject=message, client_id=message.client_id, label="", data=data or {})


def _require_own(organization: Organization, field: str, obj) -> None:
    """A row of another organisation is refused like a missing one: the caller cannot tell them apart."""
    if obj is not None and obj.organization_id != organization.pk:
        raise ValidationError({field: _("Choose one of your organisation's.")})


def _caller_number(text: str, country: str) -> str:
    """E.164 when the number parses; else what was typed (an extension, a number read out half-heard)."""
    raw = (text or "").strip()
    if not raw:
        return ""
    if len(raw) > NUMBER_MAX:
        raise ValidationError({"caller_number": _("A phone number is at most %(max)s characters.") % {
            "max": NUMBER_MAX}})
    return phones.try_normalize(raw, country) or raw


def _validate_recipient(organization: Organization, member: Member | None, department: Department | None) -> None:
    if member is None and department is None:
        raise ValidationError({"for_member": _("Choose whom the message is for: a person or a department.")})
    _require_own(organization, "for_member", member)
    _require_own(organization, "for_department", department)
    if member is not None and not member.active:
        raise ValidationError({"for_member": _("This person no longer works here.")})
    if department is not None and not department.active:
        raise ValidationError({"for_department": _("This department is closed.")})


def _notify_on_commit(message: Message) -> None:
    enqueue(NOTIFY_TASK, message_id=message.pk)


def desk_department_id(organization_id: int) -> int | None:
    return (RingGroup.objects.filter(organization_id=organization_id, is_desk=True)
            .values_list("department_id", flat=True).first())


def _system_recipient(call: Call) -> tuple[int | None, int | None]:
    """(member id, department id) a message the system writes for ``call`` goes to: the call's department,
    the line's department, the desk; an office with none of them set up gets it addressed to an owner."""
    department_id = call.department_id or (call.line.department_id if call.line_id else None) or \
        desk_department_id(call.organization_id)
    if department_id is not None:
        return None, department_id
    owner = next((m for m in Member.objects.filter(organization_id=call.organization_id, active=True).order_by("pk")
                  if caps.OWNER in m.roles), None)
    return (owner.pk if owner else None), None


# --- taking a message ----------------------------------------------------------------------------

@transaction.atomic
def message_take(*, actor: Member, for_member: Member | None = None, for_department: Department | None = None,
                 caller_name: str = "", caller_number: str = "", text: str, urgency: str = Message.Urgency.NORMAL,
                 call: Call | None = None, client=None) -> Message:
    """Take a message for a person or a department (one of them at least).

    From a call (``call``), the caller's number, name and client fill what was left empty, and a call that
    was not settled otherwise ends as "message taken" with a "message" leg. The recipient is e-mailed once
    the message is stored (``tasks.notify_message``).
    """
    organization = actor.organization
    _validate_recipient(organization, for_member, for_department)
    _require_own(organization, "call", call)
    _require_own(organization, "client", client)
    text = (text or "").strip()
    caller_name = (caller_name or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write the message.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("A message is at most %(max)s characters.") % {"max": TEXT_MAX}
    if len(caller_name) > NAME_MAX:
        errors["caller_name"] = _("A name is at most %(max)s characters.") % {"max": NAME_MAX}
    if urgency not in Message.Urgency.values:
        errors["urgency"] = _("Choose normal or urgent.")
    if errors:
        raise ValidationError(errors)
    number = _caller_number(caller_number, organization.country)
    if call is not None:
        call = Call.objects.select_for_update().get(pk=call.pk)
        number = number or call.from_number
        caller_name = caller_name or call.caller_name
        client = client or call.client
    message = Message.objects.create(
        organization=organization, site=_site(actor, call, for_department), call=call, client=client,
        kind=Message.Kind.MESSAGE, for_member=for_member, for_department=for_department, caller_name=caller_name,
        caller_number=number, text=text, urgency=urgency, created_by=actor)
    if call is not None:
        _settle_call(call, message, actor)
    _record(message, "message.taken", actor, {
        "kind": message.kind, "urgency": urgency, "for_member": for_member.pk if for_member else None,
        "for_department": for_department.pk if for_department else None, "call_id": call.pk if call else None})
    _notify_on_commit(message)
    return message


def _site(actor: Member, call: Call | None, department: Department | None):
    if call is not None:
        return call.site
    if department is not None and department.site_id:
        return department.site
    return actor.sites.filter(active=True).order_by("pk").first()


def _settle_call(call: Call, message: Message, actor: Member) -> None:
    """The call the message was taken from: a "message" leg; its outcome, unless another one settled it."""
    call.legs = [*call.legs, {"at": timezone.now().isoformat(), "kind": "message", "message_id": message.pk,
                              "by": actor.pk, "member": message.for_member_id,
                              "department": message.for_department_id}]
    fields = ["legs", "updated_at"]
    if call.outcome in ("", Call.Outcome.ANSWERED):
        call.outcome = Call.Outcome.MESSAGE
        fields.append("outcome")
    call.save(update_fields=fields)


# --- dealing with it ------------------------------------------------------------------------------

def may_close(member: Member, message: Message, *, department_ids: set[int] | None = None) -> bool:
    """The recipient, a member of the recipient department, or the desk (calls.answer) may close a message.
    ``department_ids``: the member's departments, when a list asks for many messages."""
    if member.organization_id != message.organization_id:
        return False
    if message.for_member_id == member.pk or member.can("calls.answer"):
        return True
    if message.for_department_id is None:
        return False
    if department_ids is None:
        department_ids = set(member.departments.values_list("pk", flat=True))
    return message.for_department_id in department_ids


@transaction.atomic
def message_done(*, actor: Member, message: Message) -> Message:
    """The message has been dealt with (the caller called back, the voicemail heard)."""
    if not may_close(actor, message):
        raise PermissionDenied("calls.message_done")
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.done_at is not None:
        raise Conflict(_("This message was dealt with already."))
    message.done_at = timezone.now()
    message.done_by = actor
    message.save(update_fields=["done_at", "done_by"])
    _record(message, "message.done", actor, {
        "kind": message.kind, "seconds_open": max(0, round((message.done_at - message.created_at).total_seconds()))})
    return message


# --- written by the system -------------------------------------------------------------------------

@transaction.atomic
def message_from_voicemail(*, call: Call, recording_url: str, seconds: int | None) -> Message:
    """The voicemail the caller left becomes a message for the call's department (else the desk's), with the
    recording link; the recipient is e-mailed. The provider may send the recording callback twice: the
    second time the same message is returned and nothing changes."""
    recording_url = (recording_url or "").strip()
    if not recording_url.startswith(("https://", "http://")) or len(recording_url) > 500:
        raise ValidationError({"recording_url": _("The recording link is not a web address.")})
    existing = Message.objects.filter(call=call, kind=Message.Kind.VOICEMAIL, recording_url=recording_url).first()
    if existing is not None:
        return existing
    member_id, department_id = _system_recipient(call)
    message = Message.objects.create(
        organization_id=call.organization_id, site_id=call.site_id, call=call, client_id=call.client_id,
        kind=Message.Kind.VOICEMAIL, for_member_id=member_id, for_department_id=department_id,
        caller_name=call.caller_name, caller_number=call.from_number, recording_url=recording_url,
        recording_seconds=max(0, int(seconds)) if seconds is not None else None)
    _record(message, "message.taken", None, {"kind": message.kind, "call_id": call.pk, "seconds": seconds,
                                             "for_department": department_id, "for_member": member_id})
    _notify_on_commit(message)
    return message


@transaction.atomic
def callback_suggest(*, call: Call) -> Message | None:
    """A missed or abandoned call from a known number: a callback owed by the call's department (else the
    desk). Also a call sent to voicemail that recorded nothing. None when there is nobody to call back
    (withheld number), the caller was reached after all (answered, transferred, a message or a voicemail
    taken), or a callback or voicemail for that number is still open (one list entry stands for both calls)."""
    if not call.from_number or call.answered_at is not None or call.outcome in REACHED:
        return None
    if call.outcome == Call.Outcome.VOICEMAIL and call.messages.filter(kind=Message.Kind.VOICEMAIL).exists():
        return None
    still_open = Message.objects.filter(organization_id=call.organization_id, caller_number=call.from_number,
                                        kind__in=(Message.Kind.CALLBACK, Message.Kind.VOICEMAIL),
                                        done_at__isnull=True)
    if still_open.exists():
        return None
    member_id, department_id = _system_recipient(call)
    message = Message.objects.create(
        organization_id=call.organization_id, site_id=call.site_id, call=call, client_id=call.client_id,
        kind=Message.Kind.CALLBACK, for_member_id=member_id, for_department_id=department_id,
        caller_name=call.caller_name, caller_number=call.from_number)
    _record(message, "callback.suggested", None, {"call_id": call.pk, "for_department": department_id,
                                                  "for_member": member_id})
    return message
