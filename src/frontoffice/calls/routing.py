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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from frontoffice.core.hours import Hours, is_open, next_open, zone  # Hours: routing.Hours for the plans

# -- the snapshot ---------------------------------------------------------------------------------------


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
    leg: dict = field(default_factory=dict)  # appended to Call.legs (the adapter adds "at"); empty: nothing



# -- the decision ---------------------------------------------------------------------------------------

# What the provider says when the owner left a text empty. Plain strings, not gettext: ``decide`` stays
# pure (no Django), and the language is the organisation's, not the request's.
TEXTS: dict[str, dict] = {
    "en": {
        "closed": "Thank you for calling. We are closed now.",
        "opens": "We open again {when}.",
        "today": "today at {time}",
        "tomorrow": "tomorrow at {time}",
        "weekday": "on {day} at {time}",
        "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "leave": "Please leave a message after the beep.",
        "voicemail": "Nobody can take your call right now. Please leave a message after the beep.",
        "press": "For {name}, press {digit}.",
        "sorry": "Sorry, that is not an option.",
        "queue": "All our receptionists are busy. You are number {n} in line.",
        "hold": "All our receptionists are busy. Please hold.",
        "thanks": "Thank you, your message has been recorded. Goodbye.",
    },
    "pl": {
        "closed": "Dziękujemy za telefon. Jesteśmy teraz zamknięci.",
        "opens": "Zapraszamy {when}.",
        "today": "dziś o {time}",
        "tomorrow": "jutro o {time}",
        "weekday": "{day} o {time}",
        "days": ("w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę",
                 "w niedzielę"),
        "leave": "Prosimy zostawić wiadomość po sygnale.",
        "voicemail": "Nikt nie może teraz odebrać. Prosimy zostawić wiadomość po sygnale.",
        "press": "{name} – wciśnij {digit}.",
        "sorry": "Przepraszamy, nie ma takiej opcji.",
        "queue": "Wszyscy nasi recepcjoniści są teraz zajęci. Twoje miejsce w kolejce: {n}.",
        "hold": "Wszyscy nasi recepcjoniści są teraz zajęci. Prosimy pozostać na linii.",
        "thanks": "Dziękujemy, wiadomość została nagrana. Do widzenia.",
    },
}
ANSWERED = ("completed", "answered")
QUEUE_PAUSE_SECONDS = 20
_MIN_RING_SECONDS = 5
_OPENS_WITHIN = timedelta(days=7)  # "we open again …" only for a date the caller can place


def decide(plan: Plan, now: datetime, caller: Caller, event: Event, state: Mapping) -> Decision:
    """The next step of a call. ``now`` is aware (UTC); ``state`` is the previous Decision's state ({} first).

    The state (JSON) keeps: ``step`` (menu | ring | queue | voicemail | connected | ended), ``tries`` (menu
    retries), ``visited`` (departments rung, so no overflow chain can loop), ``department`` and ``index``
    (the ring group being rung and the serial position), ``member`` (who a single-phone ring reaches) and
    ``message_for`` (the department whose "take a message" overflow sent the call to the desk).
    A withheld caller (``caller.number == ""``) is routed like any other. A caller leaving a voicemail is
    still "ringing" (live, nobody answered): the leg and ``state["step"]`` say "voicemail".
    """
    router = _Router(plan, now, state)
    handler = _HANDLERS.get(event.kind)
    if handler is None:  # an event this version does not know: the caller still reaches a person
        return router.desk("unknown_event")
    return handler(router, event)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class _Router:
    """One step of one call: the plan, the moment and a working copy of the state."""

    def __init__(self, plan: Plan, now: datetime, state: Mapping):
        self.plan = plan
        self.flow = plan.flow
        self.now = now
        self.language = plan.language if plan.language in TEXTS else "en"
        self.texts = TEXTS[self.language]
        state = state if isinstance(state, Mapping) else {}
        visited = state.get("visited") if isinstance(state.get("visited"), list) else []
        self.state = {
            "step": str(state.get("step") or ""),
            "tries": _int(state.get("tries"), 0),
            "visited": [v for v in (_int(v) for v in visited) if v is not None],
            "department": _int(state.get("department")),
            "index": _int(state.get("index"), 0),
            "member": _int(state.get("member")),
            "message_for": _int(state.get("message_for")),
        }
        self.context: dict = {}  # merged into the leg of this step (what the dial result was, from where)

    # -- building blocks

    def say(self, text: str) -> Say:
        return Say(text=text, language=self.language)

    def done(self, actions, status: str, leg: dict, *, step: str, department_id: int | None = None,
             outcome: str = "") -> Decision:
        self.state["step"] = step
        self.state["department"] = department_id
        return Decision(actions=tuple(actions), state=dict(self.state, visited=list(self.state["visited"])),
                        status=status, department_id=department_id, outcome=outcome,
                        leg={**leg, **self.context} if leg else {})

    def greeting(self) -> tuple:
        if self.flow.greeting_url:
            return (Play(url=self.flow.greeting_url),)
        return (self.say(self.flow.greeting_text),) if self.flow.greeting_text else ()

    def closed_text(self) -> str:
        text = self.texts["closed"]
        opens = next_open(self.plan.hours, self.now)
        if opens is None or opens - self.now > _OPENS_WITHIN:
            return text
        local_now = self.now.astimezone(zone(self.plan.hours.tz))
        clock = f"{opens.hour}:{opens.minute:02d}"
        days = (opens.date() - local_now.date()).days
        if days == 0:
            when = self.texts["today"].format(time=clock)
        elif days == 1:
            when = self.texts["tomorrow"].format(time=clock)
        else:
            when = self.texts["weekday"].format(day=self.texts["days"][opens.weekday()], time=clock)
        return f"{text} {self.texts['opens'].format(when=when)}"

    # -- where a call can go

    def after_hours(self) -> Decision:
        actions = [self.say(self.flow.after_hours_text or self.closed_text())]
        if self.flow.after_hours_voicemail:
            actions += [self.say(self.flow.voicemail_text or self.texts["leave"]), Record()]
            leg = {"kind": "voicemail", "department": None, "reason": "after_hours"}
            return self.done(actions, "ringing", leg, step="voicemail")
        actions.append(Hangup())
        return self.done(actions, "ended", {"kind": "ended", "reason": "after_hours"}, step="ended")

    def menu(self, before: tuple = (), leg: dict | None = None) -> Decision:
        if self.flow.menu_prompt:
            prompt = (self.say(self.flow.menu_prompt),)
        else:
            departments = self.plan.departments
            choices = [self.texts["press"].format(name=departments[dept_id].name, digit=digit)
                       for digit, dept_id in sorted(self.flow.menu.items()) if dept_id in departments]
            prompt = (self.say(" ".join(choices)),) if choices else ()
        return self.done((*before, Gather(prompt=prompt)), "in_menu", leg or {}, step="menu")

    def desk(self, reason: str, note: str = "") -> Decision:
        desk_id = self.plan.desk_id
        if desk_id is None or desk_id not in self.plan.departments:
            return self.voicemail(self.state["department"], "no_desk")
        if desk_id in self.state["visited"]:
            return self.voicemail(self.state["department"], "loop")
        return self.ring(desk_id, reason, note=note)

    def ring(self, dept_id: int | None, reason: str, note: str = "") -> Decision:
        dept = self.plan.departments.get(dept_id) if dept_id is not None else None
        if dept is None:  # deleted, deactivated or without a ring group since the flow was saved
            return self.desk("missing")
        if dept.id in self.state["visited"]:
            return self.desk("loop")
        self.state["visited"].append(dept.id)
        if not is_open(dept.hours, self.now):
            return self.overflow(dept, "closed")
        if not dept.targets:
            return self.overflow(dept, "no_targets")
        return self.dial(dept, 0, reason, note)

    def dial(self, dept: DepartmentPlan, index: int, reason: str, note: str = "") -> Decision:
        if dept.strategy == "serial":
            ring = (dept.targets[index],)
            timeout = ring[0].seconds
        else:
            ring, timeout = dept.targets, dept.ring_seconds
        self.state["index"] = index
        self.state["member"] = ring[0].member_id if len(ring) == 1 else None
        leg = {"kind": "ring", "department": dept.id, "strategy": dept.strategy, "reason": reason,
               "members": [t.member_id for t in ring], "targets": [t.address for t in ring]}
        if dept.strategy == "serial":
            leg["index"] = index
        if note:
            leg["note"] = note
        dial = Dial(targets=ring, timeout=max(_MIN_RING_SECONDS, timeout), department_id=dept.id)
        return self.done((dial,), "ringing", leg, step="ring", department_id=dept.id)

    def overflow(self, dept: DepartmentPlan, reason: str) -> Decision:
        self.context.setdefault("from", dept.id)
        if dept.overflow == "department":
            return self.ring(dept.overflow_department_id, "overflow")
        if dept.overflow == "message":
            self.state["message_for"] = dept.id
            return self.desk("message", note="take a message")
        return self.voicemail(dept.id, reason)

    def voicemail(self, dept_id: int | None, reason: str) -> Decision:
        actions = (self.say(self.flow.voicemail_text or self.texts["voicemail"]), Record())
        return self.done(actions, "ringing", {"kind": "voicemail", "department": dept_id, "reason": reason},
                         step="voicemail", department_id=dept_id)

    def queue(self, position: int) -> Decision:
        text = self.texts["queue"].format(n=position) if position > 0 else self.texts["hold"]
        actions = (self.say(text), Pause(seconds=QUEUE_PAUSE_SECONDS), Redirect())
        desk_id = self.plan.desk_id
        return self.done(actions, "queued", {"kind": "queued", "department": desk_id, "position": position},
                         step="queue", department_id=desk_id)


# -- one handler per event kind -------------------------------------------------------------------------

def _on_incoming(router: _Router, event: Event) -> Decision:
    if not is_open(router.plan.hours, router.now):
        return router.after_hours()
    greeting = router.greeting()
    if router.flow.menu:
        return router.menu(greeting)
    dept_id = router.flow.department_id
    routed = router.ring(dept_id, "direct") if dept_id is not None else router.desk("desk")
    return replace(routed, actions=(*greeting, *routed.actions))


def _on_menu(router: _Router, event: Event) -> Decision:
    digit = (event.digits or "").strip()[:1]
    menu = router.flow.menu
    if digit and digit in menu:
        return _as_menu_leg(router.ring(menu[digit], "menu"), digit, menu[digit])
    if menu and router.state["tries"] < 1:
        router.state["tries"] += 1
        reason = "invalid" if digit else "no_input"
        leg = {"kind": "menu", "digit": digit, "department": None, "reason": reason}
        return router.menu((router.say(router.texts["sorry"]),), leg)
    return _as_menu_leg(router.desk("menu_fallback"), digit, None)


def _as_menu_leg(routed: Decision, digit: str, chosen: int | None) -> Decision:
    """The step's leg is the menu choice; where the call went rides along (``routed`` + its details)."""
    rest = {key: value for key, value in routed.leg.items() if key not in ("kind", "department")}
    return replace(routed, leg={"kind": "menu", "digit": digit, "department": chosen,
                                "routed": routed.leg.get("kind", ""), **rest})


def _on_dial(router: _Router, event: Event) -> Decision:
    status = event.dial_status
    dept_id = router.state["department"]
    if status in ANSWERED:
        leg = {"kind": "answered", "department": dept_id, "member": router.state["member"]}
        if router.state["message_for"] is not None:
            leg.update(note="take a message", message_for=router.state["message_for"])
        return router.done((Hangup(),), "connected", leg, step="connected", department_id=dept_id,
                           outcome="answered")
    if status == "canceled":  # the caller hung up while it rang
        return router.done((Hangup(),), "ended", {"kind": "ended", "reason": "canceled"}, step="ended",
                           department_id=dept_id)
    router.context = {"after": status or "failed", "from": dept_id}
    dept = router.plan.departments.get(dept_id) if dept_id is not None else None
    if dept is None:
        return router.desk("missing")
    index = router.state["index"] + 1
    if dept.strategy == "serial" and index < len(dept.targets):
        return router.dial(dept, index, "next")
    if dept.id == router.plan.desk_id and status == "busy":
        return router.queue(event.queue_position)
    return router.overflow(dept, status or "failed")


def _on_queue(router: _Router, event: Event) -> Decision:
    desk = router.plan.departments.get(router.plan.desk_id) if router.plan.desk_id is not None else None
    if event.waited_seconds > router.flow.queue_max_seconds:
        return router.voicemail(router.plan.desk_id, "queue_timeout")
    if desk is None or not desk.targets:
        return router.voicemail(router.state["department"], "no_desk")
    return router.dial(desk, 0, "queue")


def _on_recorded(router: _Router, event: Event) -> Decision:
    dept_id = router.state["department"]
    actions = (router.say(router.texts["thanks"]), Hangup())
    return router.done(actions, "ended", {"kind": "voicemail", "department": dept_id, "recorded": True},
                       step="ended", department_id=dept_id, outcome="voicemail")


_HANDLERS = {
    "incoming": _on_incoming,
    "menu": _on_menu,
    "dial": _on_dial,
    "queue": _on_queue,
    "recorded": _on_recorded,
}
