"""The shapes of the calls API. Pydantic checks the shape of a request (types, sizes, choices); the calls
services check what it means (a number that parses, one transfer target, a flow that does not loop)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.urls import reverse
from ninja import Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from frontoffice.calls.models import Call, Message, TelephonyProvider
from frontoffice.calls.routing import Flow
from frontoffice.core.schemas import MemberRef, member_ref

Id = Annotated[int, Field(ge=1)]
Cursor = Annotated[str, StringConstraints(max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]

# The models' choices, so that the API names every one of them (and only them).
CallStatus = Literal[tuple(Call.Status.values)]
Outcome = Literal[tuple(Call.Outcome.values)]
Source = Literal[tuple(Call.Source.values)]
Urgency = Literal[tuple(Message.Urgency.values)]
MessageKind = Literal[tuple(Message.Kind.values)]
ProviderKind = Literal[tuple(TelephonyProvider.Kind.values)]


def _day_or_moment(value):
    """"2031-03-10" is a day; anything longer a moment (pydantic alone would read "…T00:00" as a day)."""
    if isinstance(value, str) and len(value.strip()) == 10:
        return dt.date.fromisoformat(value.strip())  # ValueError → 422 naming the filter
    return value


DayOrMoment = Annotated[dt.datetime | dt.date, BeforeValidator(_day_or_moment)]


# --- calls -------------------------------------------------------------------------------------

class CallerOut(Schema):
    number: str = Field(description="E.164, or empty when withheld or not a number")
    raw: str = Field(description="What the provider or the receptionist gave (\"anonymous\", …)")
    name: str = Field(description="The client's name when the caller is a known client, else the name given")
    client_id: int | None


class CallOut(Schema):
    id: int
    status: CallStatus
    outcome: Outcome | Literal[""] = Field(description="Empty while the call is live")
    source: Source
    line_id: int | None
    line: str | None = Field(description="The line's label")
    site_id: int
    caller: CallerOut
    department_id: int | None
    department: str | None = Field(description="The department's name")
    menu_choice: str
    answered_by: MemberRef | None
    transfers: int
    misrouted: bool = Field(description="Transferred again after the desk routed it")
    offered_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    wait_seconds: int | None = Field(description="From offered to answered")
    duration_seconds: int | None
    handled_at: dt.datetime | None
    handled_by: MemberRef | None
    notes: str

    @staticmethod
    def resolve_line(obj: Call) -> str | None:
        return obj.line.label if obj.line_id else None

    @staticmethod
    def resolve_caller(obj: Call) -> dict:
        name = str(obj.client) if obj.client_id else obj.caller_name
        return {"number": obj.from_number, "raw": obj.from_raw, "name": name, "client_id": obj.client_id}

    @staticmethod
    def resolve_department(obj: Call) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_answered_by(obj: Call) -> dict | None:
        return member_ref(obj.answered_by)

    @staticmethod
    def resolve_handled_by(obj: Call) -> dict | None:
        return member_ref(obj.handled_by)


class LegOut(BaseModel):  # not a ninja Schema: that would drop the fields a kind of leg adds
    """One step of a call. Besides ``at`` and ``kind``, a leg carries what that kind of step knows: the
    menu ``digit``, the ``department`` rung, the ``member`` who answered, a transfer's ``to_department`` …"""

    model_config = ConfigDict(extra="allow")

    at: str | None = Field(None, description="When (ISO 8601, UTC)")
    kind: str = Field(description="offered, menu, ring, queued, answered, transfer, voicemail, message, "
                                  "ended")


class CallDetailOut(CallOut):
    legs: list[LegOut]


class CallPage(Schema):
    items: list[CallOut]
    next_cursor: str | None


class CallFilter(Schema):
    from_: DayOrMoment | None = Field(None, alias="from", description=(
        "Calls offered from this day (YYYY-MM-DD) or moment (ISO 8601) on; without an offset, in the "
        "organisation's time zone"))
    to: DayOrMoment | None = Field(None, description="Calls offered until the end of this day, or before "
                                                     "this moment")
    line: Id | None = Field(None, description="A line id")
    department: Id | None = Field(None, description="A department id")
    outcome: Outcome | None = None
    client: Id | None = Field(None, description="A client id")
    cursor: Cursor | None = None
    limit: int = Field(50, ge=1, le=200)


class ManualCallIn(Schema):
    """A call logged by hand (an office without a provider): it has ended when it is logged."""

    model_config = ConfigDict(extra="forbid")

    line_id: Id = Field(description="The line it came in on")
    number: Phone = Field("", description="The caller's number as shown or said; kept as given when it is "
                                          "not a number (withheld)")
    department_id: Id | None = Field(None, description="Where the call went")
    outcome: Outcome = "answered"
    client_id: Id | None = None
    caller_name: Line = ""
    notes: Text = ""
    offered_at: dt.datetime | None = Field(None, description="When it rang; now when left out. Without an "
                                                             "offset: in the organisation's time zone")
    answered: bool = Field(True, description="false: nobody picked up")


class TransferIn(Schema):
    """Exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    department_id: Id | None = None
    member_id: Id | None = None


# --- messages ----------------------------------------------------------------------------------

class RecipientOut(Schema):
    member_id: int | None
    name: str | None = Field(description="The member's name")
    department_id: int | None
    department: str | None = Field(description="The department's name")


class MessageOut(Schema):
    id: int
    kind: MessageKind
    recipient: RecipientOut
    caller_name: str
    caller_number: str = Field(description="E.164 when it parsed, else as given")
    text: str
    urgency: Urgency
    call_id: int | None
    client_id: int | None
    recording_url: str = Field(description="A voicemail's recording")
    recording_seconds: int | None
    created_by: MemberRef | None = Field(description="Empty for voicemails and callback suggestions")
    created_at: dt.datetime
    notified_at: dt.datetime | None
    done_at: dt.datetime | None
    done_by: MemberRef | None

    @staticmethod
    def resolve_recipient(obj: Message) -> dict:
        member, department = obj.for_member, obj.for_department
        return {"member_id": obj.for_member_id, "name": str(member) if member else None,
                "department_id": obj.for_department_id, "department": department.name if department else None}

    @staticmethod
    def resolve_created_by(obj: Message) -> dict | None:
        return member_ref(obj.created_by)

    @staticmethod
    def resolve_done_by(obj: Message) -> dict | None:
        return member_ref(obj.done_by)


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class MessageFilter(Schema):
    status: Literal["open", "done", "all"] = Field("open", description="open: not dealt with yet")
    cursor: Cursor | None = None
    limit: int = Field(50, ge=1, le=200)


class MessageIn(Schema):
    """For a member or a department (at least one)."""

    model_config = ConfigDict(extra="forbid")

    for_member_id: Id | None = None
    for_department_id: Id | None = None
    caller_name: Line = ""
    caller_number: Phone = ""
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    urgency: Urgency = "normal"
    call_id: Id | None = Field(None, description="The call the message was taken on")
    client_id: Id | None = None


# --- lines, flows and the provider --------------------------------------------------------------

class LineOut(Schema):
    id: int
    number: str = Field(description="E.164")
    label: str
    site_id: int
    department_id: int | None = Field(description="Set for a department's direct line")
    active: bool
    position: int = Field(description="Line 1, line 2, … on the switchboard")


class LineList(Schema):
    items: list[LineOut]


class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = Field(
        description="In the organisation's country's format, or E.164 (+48…)")
    label: Label
    site_id: Id | None = Field(None, description="Needed when the organisation has more than one active site")
    department_id: Id | None = Field(None, description="A department's direct line; null for a main number")
    position: Annotated[int, Field(ge=0, le=999)] | None = None


_FLOW = Flow()  # the defaults live on the routing type


class FlowIn(Schema):
    """A line's call flow. PUT replaces it whole: what is left out takes its default."""

    model_config = ConfigDict(extra="forbid")

    greeting_text: Text = Field(_FLOW.greeting_text, description="Spoken by the provider in the "
                                                                 "organisation's language")
    menu_prompt: Text = Field(_FLOW.menu_prompt, description="\"For appointments press 1, …\"")
    menu: dict[str, int] = Field(default_factory=dict, description="Digit (0-9, *, #) → department id; "
                                                                   "empty: no menu")
    department_id: int | None = Field(_FLOW.department_id, description="Without a menu: the department "
                                                                       "rung (null: the desk)")
    after_hours_text: Text = Field(_FLOW.after_hours_text, description="A medical office: the emergency "
                                                                       "number")
    after_hours_voicemail: bool = Field(_FLOW.after_hours_voicemail, description="After hours, after the "
                                        "text: voicemail (true) or hang up (false)")
    queue_max_seconds: int = Field(_FLOW.queue_max_seconds, description="How long a busy desk holds "
                                                                        "callers before voicemail")
    voicemail_text: Text = _FLOW.voicemail_text


class FlowOut(FlowIn):
    greeting_url: str = Field(description="The greeting recording (uploaded in the application), played "
                                          "instead of the text; empty without one")


class ProviderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ProviderKind
    account_sid: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    auth_token: Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)] = Field(
        "", description="Empty keeps the token already stored")
    space_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", description="SignalWire: the space's host (example.signalwire.com)")
    signing_key: Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)] = Field(
        "", description="SignalWire: the project's signing key, which signs its webhooks (empty keeps the "
                        "stored one; none stored: the auth token signs them)")


class ProviderOut(Schema):
    """The token is never shown back: only its last four characters."""

    kind: ProviderKind
    account_sid: str
    space_url: str
    token_hint: str = Field(description="\"…\" and the token's last four characters")
    signing_key_hint: str = Field(description="SignalWire: \"…\" and the signing key's last four characters; "
                                              "empty without one")
    updated_at: dt.datetime
    voice_url: str = Field(description="Set as the number's \"a call comes in\" webhook (HTTP POST)")
    status_url: str = Field(description="Set as the number's status callback (HTTP POST)")

    @staticmethod
    def resolve_voice_url(obj) -> str:
        return settings.PUBLIC_URL + reverse("telephony:voice")

    @staticmethod
    def resolve_status_url(obj) -> str:
        return settings.PUBLIC_URL + reverse("telephony:status")
