"""Where a call goes next: one pure function, ``decide``, over a snapshot of the line's configuration.

``decide(plan, now, caller, event, state)`` reads nothing from the database and returns a ``Decision``:
the actions to render (the Twilio adapter in ``telephony/twiml.py`` turns them into TwiML), the new flow
state to store on the call, and what the call log learns (status, department, outcome, a leg). Plans are
built from the rows by ``plans.plan_for_line``; tests build them by hand (DST weeks and holidays included).

The caller is never dropped silently: an unknown digit, a deleted department, a loop or an empty ring
group ends at the desk, and a desk that cannot be reached ends in voicemail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

# -- the snapshot ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """Weekly opening hours in a time zone, with whole-day closures. Empty ``weekly``: never open."""

    tz: str
    weekly: Mapping[str, tuple[tuple[str, str], ...]]  # "mon" -> (("08:00", "16:00"), ...)
    closures: tuple[tuple[date, date], ...] = ()  # inclusive (from, until), local dates


@dataclass(frozen=True)
class Target:
    """One phone a ring group rings."""

    address: str  # E.164 number, "sip:…" or an extension
    seconds: int  # serial ringing: how long this one rings
    member_id: int | None = None


@dataclass(frozen=True)
class DepartmentPlan:
    id: int
    name: str
    strategy: str  # "parallel" | "serial"
    ring_seconds: int  # parallel: how long all ring
    targets: tuple[Target, ...]
    overflow: str  # "voicemail" | "department" | "message"
    overflow_department_id: int | None
    hours: Hours
    is_desk: bool = False


@dataclass(frozen=True)
class Flow:
    """A line's call flow as the owner set it (``services.flow_save`` validates the stored dict)."""

    greeting_text: str = ""
    greeting_url: str = ""  # an uploaded recording, played instead of the text
    menu_prompt: str = ""  # "For appointments press 1, …"
    menu: Mapping[str, int] = field(default_factory=dict)  # digit -> department id; empty: no menu
    department_id: int | None = None  # no menu: the department this line rings (None: the desk)
    after_hours_text: str = ""  # a medical office: the emergency number
    after_hours_voicemail: bool = True  # after the message: voicemail (True) or hang up
    queue_max_seconds: int = 300  # a busy desk holds callers this long, then voicemail
    voicemail_text: str = ""


@dataclass(frozen=True)
class Plan:
    line_id: int
    organization_id: int
    language: str  # "en" | "pl": the provider speaks the texts in it
    hours: Hours  # the line's site
    flow: Flow
    departments: Mapping[int, DepartmentPlan]  # active departments with a ring group
    desk_id: int | None  # the desk's department (RingGroup.is_desk), None when none is set


# -- what happened --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    number: str  # E.164, or "" when withheld / unparsable
    client_id: int | None = None


@dataclass(frozen=True)
class Event:
    """``kind``: "incoming" (a new call), "menu" (digits or none), "dial" (a ring attempt ended),
    "queue" (a queued caller's hold period ended), "recorded" (voicemail left)."""

    kind: str
    digits: str = ""
    dial_status: str = ""  # Twilio's DialCallStatus: completed | answered | busy | no-answer | failed | canceled
    queue_position: int = 0  # 1-based place among waiting callers (the adapter counts them)
    waited_seconds: int = 0  # since the call was offered


# -- what to do -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    text: str
    language: str


@dataclass(frozen=True)
class Play:
    url: str


@dataclass(frozen=True)
class Pause:
    seconds: int


@dataclass(frozen=True)
class Gather:
    """Collect one digit; ``prompt`` plays while waiting; the answer comes back as a "menu" event."""

    prompt: tuple[Say | Play, ...]
    timeout: int = 6


@dataclass(frozen=True)
class Dial:
    """Ring these phones together for ``timeout`` seconds; the result comes back as a "dial" event."""

    targets: tuple[Target, ...]
    timeout: int
    department_id: int


@dataclass(frozen=True)
class Record:
    """Voicemail: record after the beep; the recording comes back as a "recorded" event."""

    max_seconds: int = 120


@dataclass(frozen=True)
class Redirect:
    """Come back with a "queue" event (after the hold music/pause before it)."""


@dataclass(frozen=True)
class Hangup:
    pass


Action = Say | Play | Pause | Gather | Dial | Record | Redirect | Hangup


@dataclass(frozen=True)
class Decision:
    actions: tuple[Action, ...]
    state: dict  # stored on Call.state and handed back with the next event
    status: str  # a Call.Status value after this step
    department_id: int | None = None  # the department the call is with now
    outcome: str = ""  # a Call.Outcome value when this step settles it ("voicemail", "answered")
    leg: dict = field(default_factory=dict)  # appended to Call.legs (the adapter adds "at")


def decide(plan: Plan, now: datetime, caller: Caller, event: Event, state: Mapping) -> Decision:
    """The next step of a call. ``now`` is aware (UTC); ``state`` is the previous Decision's state ({} first)."""
    raise NotImplementedError  # routing helper implements
