"""The demo office's phones: lines, ring groups, a call flow with a menu, and a day of calls.

The set-up is written through the services, as an owner would make it (lines, ring groups, the flow, the
provider); so is a message taken just now. The history — the calls of the day with their legs and
activities, the voicemail they left, the callbacks they owe — is written as rows with their own times,
as ``reception/demo.py`` does: the services stamp "now", which a day of history cannot use, and a call
that ended hours ago cannot be driven through the webhooks. Times are relative to the moment the demo
is loaded.

The demo provider's auth token is random per installation: it signs the switchboard's "Simulate an
incoming call" requests (``views/demo.py``), which pass through the real signature check.
"""

from __future__ import annotations

import functools
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from frontoffice.calls.models import Call, Line, Message, TelephonyProvider
from frontoffice.clients.models import Client
from frontoffice.core import capabilities as caps
from frontoffice.core.models import WEEKDAYS, Department, Member, Organization
from frontoffice.core.services import activity_record

# One pair of numbers per demo office (unique across organisations, as lines must be). The British ones
# are in Ofcom's range kept for drama (0117 496 0xxx), so they ring nobody.
NUMBERS = {
    "medical": ("+48223456100", "+48223456300"),
    "legal": ("+48226543100", "+48226543300"),
    "education": ("+48426301100", "+48426301300"),
    "small_business": ("+441174960100", "+441174960300"),
    "general": ("+441174960500", "+441174960700"),
}
DEMO_ACCOUNT_SID = "AC" + "de305d5475b4431b" * 2  # the shape of a Twilio account SID; no real account

TEXTS = {
    "pl": {
        "greeting": "Dzień dobry, dodzwonili się Państwo do: {name}.",
        "menu": "{choices}. Aby powtórzyć, proszę zaczekać.",
        "choice": "{department} — wybierz {digit}",
        "after_hours": "Jesteśmy teraz nieczynni. Zapraszamy w dni robocze od 8:00 do 16:00. "
                       "Prosimy zostawić wiadomość po sygnale.",
        "after_hours_medical": "Przychodnia jest teraz nieczynna. W nagłym wypadku proszę dzwonić pod "
                               "numer 112 lub 999. Nocna i świąteczna opieka zdrowotna: 800 190 590. "
                               "Prosimy zostawić wiadomość po sygnale.",
        "voicemail": "Prosimy zostawić wiadomość po sygnale. Oddzwonimy.",
        "main": "Numer główny",
        "direct": "{department} — numer bezpośredni",
        "messages": (
            ("Prosi o oddzwonienie w sprawie wyników badań, najlepiej po 14:00.", "urgent"),
            ("Pytała o fakturę za ostatnią wizytę — prosi o przesłanie korekty e-mailem.", "normal"),
        ),
        "message_call": "Prosi o pilny kontakt — sprawa terminu, który wypada jutro.",
    },
    "en": {
        "greeting": "Thank you for calling {name}.",
        "menu": "{choices}. To hear these options again, please hold.",
        "choice": "For {department}, press {digit}",
        "after_hours": "Our office is closed now. We are open Monday to Friday, 8 am to 4 pm. Please leave a "
                       "message after the tone.",
        "after_hours_medical": "The practice is closed now. In an emergency, call 999. For urgent medical "
                               "help that is not an emergency, call 111. Please leave a message after the "
                               "tone.",
        "voicemail": "Please leave a message after the tone and we will call you back.",
        "main": "Main number",
        "direct": "{department} direct line",
        "messages": (
            ("Please call back about the documents they sent on Monday; best after 2 pm.", "urgent"),
            ("Asked about the last invoice — would like a corrected copy by e-mail.", "normal"),
        ),
        "message_call": "Needs to speak to you today — it is about tomorrow's deadline.",
    },
}


@dataclass(frozen=True)
class Scene:
    """One call of the day. Minutes are from now, seconds from the moment the call was offered."""

    minutes: int
    caller: str  # "client", "new" or "withheld"
    outcome: str  # a Call.Outcome value
    line: int = 0  # 0: the main number (with the menu), 1: the direct line
    digit: str = ""  # the menu choice; "" on the direct line, or a caller who pressed nothing
    wait: int | None = None  # seconds until someone answered (None: nobody did)
    talk: int = 0  # seconds connected
    queued: int = 0  # seconds in the queue before the desk was free
    by_desk: bool = False  # answered at the desk (else by the department the call rang)
    to: tuple[int, ...] = ()  # departments (indexes) the call was transferred to, in turn
    message: bool = False  # the desk took a message (for the executive)
    handled: bool = True


SCENES = (
    Scene(-460, "client", "answered", digit="1", wait=7, talk=140, by_desk=True),
    Scene(-430, "new", "answered", digit="2", wait=12, talk=95),
    Scene(-395, "client", "answered", digit="1", wait=38, talk=70, by_desk=True),  # over the 20 s target
    Scene(-350, "client", "transferred", digit="1", wait=6, talk=180, by_desk=True, to=(2,)),
    Scene(-310, "client", "transferred", digit="1", wait=9, talk=240, by_desk=True, to=(1, 3)),  # a misroute
    Scene(-270, "new", "voicemail", digit="3"),
    Scene(-235, "client", "answered", digit="1", wait=52, talk=60, queued=40, by_desk=True),
    Scene(-190, "new", "abandoned", digit=""),  # hung up in the menu
    Scene(-150, "withheld", "message", digit="1", wait=5, talk=50, by_desk=True, message=True),
    Scene(-110, "client", "answered", line=1, wait=4, talk=200),
    Scene(-75, "client", "answered", digit="2", wait=15, talk=120),
    Scene(-40, "new", "answered", digit="1", wait=11, talk=35, by_desk=True),
    Scene(-18, "client", "abandoned", digit="1", handled=False),  # rang the desk; gave up after 25 s
)


def _menu_departments(departments: list[Department]) -> list[Department]:
    """The menu offers every department, the desk first (digit 1)."""
    return departments[:4]


def _texts(organization: Organization) -> dict:
    return TEXTS["pl" if organization.language == "pl" else "en"]


def _number(organization: Organization, index: int) -> str:
    """The office's demo number ``index``; the next free one if another organisation has it already."""
    base = NUMBERS.get(organization.vertical, NUMBERS["general"])[index]
    number, step = base, 0
    while Line.objects.filter(number=number).exists():
        step += 1
        number = base[:-2] + f"{(int(base[-2:]) + step * 7) % 100:02d}"
    return number


def _extension(department: Department, n: int) -> str:
    prefix = (department.phone or "1")[:1] if (department.phone or "").isdigit() else "9"
    return f"{prefix}{n + 1:02d}"


def _set_up(organization: Organization, owner: Member, departments: list[Department]) -> tuple[Line, Line]:
    from frontoffice.calls.services.flows import flow_save
    from frontoffice.calls.services.lines import line_create, ring_group_save
    from frontoffice.calls.services.provider import provider_set

    texts = _texts(organization)
    site = organization.sites.order_by("pk").first()
    provider_set(actor=owner, kind=TelephonyProvider.Kind.TWILIO, account_sid=DEMO_ACCOUNT_SID,
                 auth_token=secrets.token_hex(16))
    desk, others = departments[0], departments[1:]
    # Ring groups: the desk rings everyone at once; the others show each kind of ringing and overflow.
    plans = [(desk, "parallel", "voicemail", None, {})]
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    overflows = [("serial", "department", desk, {}),  # nobody there: the desk takes it
                 ("parallel", "voicemail", None, {}),
                 ("parallel", "message", None, {day: [["08:00", "15:00"]] for day in weekdays})]  # own hours
    for department, (strategy, overflow, overflow_department, hours) in zip(others, overflows):
        plans.append((department, strategy, overflow, overflow_department, hours))
    for department, strategy, overflow, overflow_department, hours in plans:
        members = list(department.members.filter(active=True).order_by("pk"))[:4]
        targets = [{"member_id": m.pk, "target": _extension(department, n), "ring_seconds": 15}
                   for n, m in enumerate(members)]
        if not targets:
            targets = [{"member_id": None, "target": _extension(department, 0), "ring_seconds": 15}]
        ring_group_save(actor=owner, department=department, strategy=strategy, ring_seconds=20,
                        overflow=overflow, overflow_department=overflow_department, opening_hours=hours,
                        is_desk=department == desk, targets=targets)
    main = line_create(actor=owner, number=_number(organization, 0), label=texts["main"], site=site)
    menu = _menu_departments(departments)
    choices = ", ".join(texts["choice"].format(department=d.name, digit=n + 1) for n, d in enumerate(menu))
    after_hours = texts["after_hours_medical" if organization.vertical == "medical" else "after_hours"]
    flow_save(actor=owner, line=main, flow={
        "greeting_text": texts["greeting"].format(name=organization.name), "greeting_url": "",
        "menu_prompt": texts["menu"].format(choices=choices),
        "menu": {str(n + 1): d.pk for n, d in enumerate(menu)}, "department_id": None,
        "after_hours_text": after_hours, "after_hours_voicemail": True, "queue_max_seconds": 300,
        "voicemail_text": texts["voicemail"]})
    direct_department = departments[2] if len(departments) > 2 else departments[-1]
    label = texts["direct"].format(department=direct_department.name)
    direct = line_create(actor=owner, number=_number(organization, 1), label=label, site=site,
                         department=direct_department)
    flow_save(actor=owner, line=direct, flow={
        "greeting_text": texts["greeting"].format(name=organization.name), "after_hours_text": after_hours,
        "voicemail_text": texts["voicemail"]})
    return main, direct


# --- the day's calls --------------------------------------------------------------------------------

class _Day:
    """Writes the scenes as calls whose legs and activities have the shapes the webhooks give them
    (``services/calls.py``, ``routing.decide``) and the switchboard's transfers (``services/switchboard.py``),
    with the messages they left."""

    def __init__(self, organization: Organization, members: dict[str, Member], departments: list[Department],
                 lines: tuple[Line, Line], window: tuple[datetime, datetime]):
        from frontoffice.calls.plans import plan_for_line

        self.organization, self.window, self.lines = organization, window, lines
        self.site = lines[0].site
        self.departments = departments
        self.menu = _menu_departments(departments)
        self.plan = plan_for_line(lines[0])
        self.owner = members[caps.OWNER]
        self.desk = members.get(caps.RECEPTIONIST) or self.owner
        self.executive = members.get(caps.EXECUTIVE) or self.owner
        self.rng = random.Random(organization.pk)
        self.clients = list(Client.objects.filter(organization=organization, merged_into__isnull=True,
                                                  erased_at__isnull=True, phones__isnull=False)
                            .order_by("pk").distinct()[:40])
        self.sequence = 0

    def when(self, scene: Scene) -> datetime:
        """The scene's moment, spread over the office's working day (``window``) as over the last hours."""
        first, last = SCENES[0].minutes, SCENES[-1].minutes
        start, end = self.window[0] + timedelta(minutes=10), self.window[1] - timedelta(minutes=10)
        share = (scene.minutes - first) / (last - first)
        moment = start + (end - start) * share + timedelta(seconds=self.rng.randrange(30))
        return moment.replace(microsecond=0)

    def answerer(self, department: Department) -> Member:
        ring = self.plan.departments.get(department.pk)
        members = [t.member_id for t in ring.targets if t.member_id] if ring else []
        if not members:
            return self.owner
        return Member.objects.get(pk=members[self.sequence % len(members)])

    def caller(self, kind: str) -> tuple[str, Client | None]:
        if kind == "client" and self.clients:
            client = self.clients[(self.sequence * 7) % len(self.clients)]
            return client.phones.all()[0].number, client
        if kind == "withheld":
            return "", None
        if self.organization.country == "PL":
            return "+4860" + "".join(str(self.rng.randrange(10)) for _ in range(7)), None
        # Ofcom's range kept for drama
        return "+447700900" + "".join(str(self.rng.randrange(10)) for _ in range(3)), None

    def ring(self, department: Department, reason: str) -> dict:
        ring = self.plan.departments.get(department.pk)
        targets = ring.targets if ring else ()
        return {"department": department.pk, "strategy": ring.strategy if ring else "parallel",
                "reason": reason, "members": [t.member_id for t in targets],
                "targets": [t.address for t in targets]}

    def record(self, call: Call, verb: str, actor: Member | None, at: datetime,
               data: dict | None = None) -> None:
        activity_record(organization=self.organization, site=self.site, actor=actor, verb=verb, subject=call,
                        client_id=call.client_id, label="", data=data or {}, occurred_at=at)

    def write(self, scene: Scene) -> Call:
        self.sequence += 1
        line = self.lines[scene.line]
        number, client = self.caller(scene.caller)
        offered = self.when(scene)
        at = _Clock(offered)
        call = Call(organization=self.organization, site=self.site, line=line, source=Call.Source.PROVIDER,
                    sid=f"CA{secrets.token_hex(16)}", from_number=number, from_raw=number or "anonymous",
                    client=client, status=Call.Status.ENDED, outcome=scene.outcome, offered_at=offered)
        chosen = self.menu[int(scene.digit) - 1] if scene.digit else self.departments[0]
        department = line.department or chosen
        call.department = department if scene.digit or line.department is not None else None
        legs = [at.leg("offered", 0, line=line.pk)]
        if line.department is not None:
            legs.append(at.leg("ring", 1, **self.ring(department, "direct")))
        elif scene.digit:
            call.menu_choice = scene.digit
            legs.append(at.leg("menu", 9, digit=scene.digit, routed="ring", **self.ring(department, "menu")))
        else:
            legs.append(at.leg("menu", 14, digit="", department=None, reason="no_input"))
        if scene.queued:
            legs.append(at.leg("queued", 3, department=department.pk, position=2, after="busy", **{"from":
                                                                                                  department.pk}))
            legs.append(at.leg("ring", scene.queued, **self.ring(department, "queue")))
        answerer = None
        if scene.wait is not None:
            answerer = self.desk if scene.by_desk else self.answerer(department)
            call.answered_by, call.answered_at = answerer, offered + timedelta(seconds=scene.wait)
            call.wait_seconds = scene.wait
            legs.append(at.leg("answered", scene.wait - at.elapsed, department=department.pk,
                               member=answerer.pk))
        by, routed_by = answerer, None
        for index in scene.to:  # the first transfer is the desk's; any further one is its misroute
            target = self.departments[index]
            legs.append(at.leg("transfer", 25, by=by.pk, from_department=call.department_id,
                               to_department=target.pk, by_hand=False))
            call.misrouted = call.misrouted or routed_by is not None
            call.department, call.transfers, routed_by = target, call.transfers + 1, by
            by = self.answerer(target)
            legs.append(at.leg("answered", 8, department=target.pk, member=by.pk))
        call.routed_by = routed_by
        if scene.outcome == Call.Outcome.VOICEMAIL:
            legs.append(at.leg("voicemail", 20, department=department.pk, reason="no-answer",
                               after="no-answer", **{"from": department.pk}))
            legs.append(at.leg("voicemail", 40, department=department.pk, recorded=True))
        elif scene.wait is None:
            at.now += timedelta(seconds=25)  # the caller waits, then hangs up
        else:
            at.now = call.answered_at + timedelta(seconds=scene.talk)
        call.ended_at = at.now
        call.duration_seconds = round((call.ended_at - offered).total_seconds())
        if scene.handled:
            call.handled_at, call.handled_by = call.ended_at + timedelta(seconds=30), self.desk
        call.legs = legs
        call.save()
        self.activities(call, answerer, department)
        self.messages(call, scene)
        call.legs = [*call.legs, {"at": call.ended_at.isoformat(), "kind": "ended", "status": "completed"}]
        call.save(update_fields=["legs"])
        return call

    def activities(self, call: Call, answerer: Member | None, answered_in: Department) -> None:
        self.record(call, "call.offered", None, call.offered_at, {"line": call.line_id,
                                                                   "matches": 1 if call.client_id else 0})
        if answerer is not None:
            self.record(call, "call.answered", answerer, call.answered_at,
                        {"wait_seconds": call.wait_seconds, "department": answered_in.pk})
        transfers = [leg for leg in call.legs if leg["kind"] == "transfer"]
        for n, leg in enumerate(transfers):
            at, by = datetime.fromisoformat(leg["at"]), Member.objects.get(pk=leg["by"])
            if n > 0:  # sent on again: the misroute of whoever routed it before
                self.record(call, "call.misrouted", Member.objects.get(pk=transfers[n - 1]["by"]), at,
                            {"transferred_by": by.pk, "from_department": leg["from_department"],
                             "to_department": leg["to_department"]})
            self.record(call, "call.transferred", by, at, {
                "from_department": leg["from_department"], "to_department": leg["to_department"],
                "to_member": None, "by_hand": False, "misrouted": n > 0})
        if call.outcome == Call.Outcome.VOICEMAIL:
            self.record(call, "call.voicemail", None, call.ended_at, {"department": call.department_id})
        if call.outcome == Call.Outcome.ABANDONED:
            data = {"department": call.department_id, "status": "completed",
                    "waited_seconds": call.duration_seconds}
            self.record(call, "call.abandoned", None, call.ended_at, data)
        else:
            self.record(call, "call.ended", None, call.ended_at, {"outcome": call.outcome,
                                                                  "duration_seconds": call.duration_seconds})
        if call.handled_at is not None:
            self.record(call, "call.handled", call.handled_by, call.handled_at, {"status_before": "ended",
                                                                                 "outcome": call.outcome})

    def messages(self, call: Call, scene: Scene) -> None:
        texts = _texts(self.organization)
        if call.outcome == Call.Outcome.VOICEMAIL:
            self.message(call, Message.Kind.VOICEMAIL, call.ended_at, for_department=call.department,
                         recording_url=f"https://api.twilio.com/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Recordings/"
                                       f"RE{secrets.token_hex(16)}", recording_seconds=34)
        elif call.outcome == Call.Outcome.ABANDONED and call.from_number:
            self.message(call, Message.Kind.CALLBACK, call.ended_at, for_department=self.departments[0])
        elif scene.message:
            at = call.ended_at - timedelta(seconds=10)
            name = "Jan Malinowski" if self.organization.language == "pl" else "Jane Mallory"
            message = self.message(call, Message.Kind.MESSAGE, at, for_member=self.executive,
                                   created_by=self.desk, text=texts["message_call"],
                                   urgency=Message.Urgency.URGENT, caller_name=name)
            call.legs = [*call.legs, {"at": at.isoformat(), "kind": "message", "message_id": message.pk,
                                      "by": self.desk.pk, "member": self.executive.pk}]

    def message(self, call: Call, kind: str, at: datetime, *, created_by: Member | None = None,
                **fields) -> Message:
        message = Message.objects.create(
            organization=self.organization, site=self.site, call=call, client=call.client, kind=kind,
            caller_number=call.from_number, created_by=created_by, created_at=at,
            notified_at=None if kind == Message.Kind.CALLBACK else at + timedelta(seconds=5), **fields)
        verb = "callback.suggested" if kind == Message.Kind.CALLBACK else "message.taken"
        data = {"call_id": call.pk, "for_department": message.for_department_id,
                "for_member": message.for_member_id}
        if kind != Message.Kind.CALLBACK:
            data["kind"] = kind
        activity_record(organization=self.organization, site=self.site, actor=created_by, verb=verb,
                        subject=message, client_id=message.client_id, label="", data=data, occurred_at=at)
        return message


def _day_window(organization: Organization, now: datetime) -> tuple[datetime, datetime]:
    """The office's opening hours today until now, or the last working day's when today has not begun
    (at least an hour open): the day the demo's calls happened in. No hours at all: the last eight hours."""
    site = organization.sites.order_by("pk").first()
    tz = site.tz
    local = now.astimezone(tz)
    for back in range(8):
        day = local.date() - timedelta(days=back)
        ranges = (site.opening_hours or {}).get(WEEKDAYS[day.weekday()]) or []
        if not ranges:
            continue
        opens = datetime.combine(day, time.fromisoformat(ranges[0][0]), tzinfo=tz)
        closes = datetime.combine(day, time.fromisoformat(ranges[-1][1]), tzinfo=tz)
        if back == 0:
            if local < opens + timedelta(hours=1):
                continue
            closes = min(closes, local)
        return opens.astimezone(UTC), closes.astimezone(UTC)
    return now - timedelta(hours=8), now


class _Clock:
    """Stamps a call's legs: each step some seconds after the one before."""

    def __init__(self, start: datetime):
        self.start, self.now = start, start

    @property
    def elapsed(self) -> int:
        return round((self.now - self.start).total_seconds())

    def leg(self, kind: str, later: int, /, **data) -> dict:
        self.now += timedelta(seconds=max(0, later))
        return {"at": self.now.isoformat(), "kind": kind, **{k: v for k, v in data.items() if v is not None}}


def _open_messages(organization: Organization, members: dict[str, Member],
                   departments: list[Department]) -> None:
    """Messages taken just now at the desk, through the service (the recipients are e-mailed)."""
    from frontoffice.calls.services.messages import message_take

    texts = _texts(organization)
    polish = organization.language == "pl"
    desk = members.get(caps.RECEPTIONIST) or members[caps.OWNER]
    manager = members.get(caps.MANAGER) or members[caps.OWNER]
    client = (Client.objects.filter(organization=organization, merged_into__isnull=True,
                                    erased_at__isnull=True, phones__isnull=False).order_by("-pk").first())
    (first, first_urgency), (second, second_urgency) = texts["messages"]
    message_take(actor=desk, for_member=manager, client=client, text=first, urgency=first_urgency,
                 caller_number=client.phones.all()[0].number if client else "")
    number = "+48601555010" if organization.country == "PL" else "+447700900123"
    message_take(actor=desk, for_department=departments[-1], caller_name="Ewa Zielińska" if polish
                 else "Emma Fielding", caller_number=number, text=second, urgency=second_urgency)


def _done_callback(organization: Organization, members: dict[str, Member], line: Line,
                   window: tuple[datetime, datetime]) -> None:
    """The day before's missed call, called back in the morning: a callback owed and done."""
    desk = members.get(caps.RECEPTIONIST) or members[caps.OWNER]
    offered = _day_window(organization, window[0] - timedelta(minutes=1))[1] - timedelta(minutes=20)
    ended = offered + timedelta(seconds=30)
    done_at = window[0] + timedelta(minutes=25)
    number = "+48601555020" if organization.country == "PL" else "+447700900456"
    desk_department = organization.departments.filter(ring_group__is_desk=True).first()
    call = Call.objects.create(
        organization=organization, site=line.site, line=line, sid=f"CA{secrets.token_hex(16)}",
        from_number=number, from_raw=number, status=Call.Status.ENDED, outcome=Call.Outcome.ABANDONED,
        offered_at=offered, ended_at=ended, duration_seconds=30, handled_at=done_at, handled_by=desk,
        legs=[{"at": offered.isoformat(), "kind": "offered", "line": line.pk},
              {"at": ended.isoformat(), "kind": "ended", "status": "completed"}])
    record = functools.partial(activity_record, organization=organization, site=line.site, label="")
    record(actor=None, verb="call.offered", subject=call, data={"line": line.pk, "matches": 0},
           occurred_at=offered)
    record(actor=None, verb="call.abandoned", subject=call, occurred_at=ended,
           data={"department": None, "status": "completed", "waited_seconds": 30})
    message = Message.objects.create(
        organization=organization, site=line.site, call=call, kind=Message.Kind.CALLBACK,
        for_department=desk_department, caller_number=number, created_at=ended, done_at=done_at, done_by=desk)
    record(actor=None, verb="callback.suggested", subject=message, occurred_at=ended,
           data={"call_id": call.pk, "for_department": message.for_department_id, "for_member": None})
    record(actor=desk, verb="message.done", subject=message, occurred_at=done_at,
           data={"kind": message.kind, "seconds_open": round((done_at - ended).total_seconds())})
    record(actor=desk, verb="call.handled", subject=call, occurred_at=done_at,
           data={"status_before": "ended", "outcome": call.outcome})


@transaction.atomic
def load(organization: Organization, members: dict[str, Member]) -> None:
    """The demo loader (``core.demo.DEMO_LOADERS``): the office's phones and today's calls."""
    if Line.objects.filter(organization=organization).exists():
        return
    departments = list(organization.departments.filter(active=True).order_by("pk"))
    if not departments or organization.sites.first() is None:
        return
    owner = members[caps.OWNER]
    lines = _set_up(organization, owner, departments)
    window = _day_window(organization, timezone.now().replace(microsecond=0))
    day = _Day(organization, members, departments, lines, window)
    for scene in SCENES:
        day.write(scene)
    _done_callback(organization, members, lines[0], window)
    _open_messages(organization, members, departments)
