"""The routing decision on hand-built plans: no database, every branch, DST weeks and holidays."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from frontoffice.calls.routing import (
    TEXTS,
    Caller,
    DepartmentPlan,
    Dial,
    Event,
    Flow,
    Gather,
    Hangup,
    Hours,
    Pause,
    Plan,
    Play,
    Record,
    Redirect,
    Say,
    Target,
    decide,
)

WEEKDAYS_8_16 = {day: (("08:00", "16:00"),) for day in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {day: (("00:00", "23:59"),) for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
OPEN = datetime(2025, 3, 24, 9, 0, tzinfo=UTC)  # Monday 10:00 in Warsaw
NIGHT = datetime(2025, 3, 24, 21, 0, tzinfo=UTC)  # Monday 22:00 in Warsaw
CALLER = Caller(number="+48601000001", client_id=7)
WITHHELD = Caller(number="")
DESK, SALES, CARE, LAB = 1, 2, 3, 4


def hours(weekly=None, tz="Europe/Warsaw", closures=()):
    return Hours(tz=tz, weekly=WEEKDAYS_8_16 if weekly is None else weekly, closures=closures)


def dept(id_, name, *, targets=2, strategy="parallel", overflow="voicemail", overflow_to=None, weekly=None,
         is_desk=False):
    phones = tuple(Target(address=f"+482200000{id_}{n}", seconds=10 + n, member_id=id_ * 10 + n)
                   for n in range(targets))
    return DepartmentPlan(id=id_, name=name, strategy=strategy, ring_seconds=25, targets=phones, overflow=overflow,
                          overflow_department_id=overflow_to, hours=hours(weekly), is_desk=is_desk)


def plan(flow=None, departments=None, *, desk_id=DESK, language="en", weekly=None, closures=(), tz="Europe/Warsaw"):
    if departments is None:
        departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales"), dept(CARE, "Care")]
    return Plan(line_id=1, organization_id=1, language=language, hours=hours(weekly, tz, closures),
                flow=flow or Flow(greeting_text="Thank you for calling Alpha Clinic."),
                departments={d.id: d for d in departments}, desk_id=desk_id)


MENU = Flow(greeting_text="Welcome.", menu_prompt="For sales press 1, for care press 2.", menu={"1": SALES, "2": CARE})


def walk(the_plan, *events, now=OPEN, caller=CALLER):
    """Run events in order from a new call; the decisions, one per event."""
    decisions, state = [], {}
    for event in (Event("incoming"), *events):
        decision = decide(the_plan, now, caller, event, state)
        decisions.append(decision)
        state = decision.state
    return decisions


def dial(status, **kwargs):
    return Event("dial", dial_status=status, **kwargs)


# -- incoming, open ---------------------------------------------------------------------------------------

def test_open_line_without_menu_greets_and_rings_the_desk():
    decision = walk(plan())[0]
    say, ring = decision.actions
    assert say == Say("Thank you for calling Alpha Clinic.", "en")
    assert isinstance(ring, Dial) and ring.department_id == DESK and len(ring.targets) == 2 and ring.timeout == 25
    assert decision.status == "ringing" and decision.department_id == DESK and decision.outcome == ""
    assert decision.leg == {"kind": "ring", "department": DESK, "strategy": "parallel", "reason": "desk",
                            "members": [10, 11], "targets": ["+48220000010", "+48220000011"]}


def test_open_line_rings_its_own_department():
    decision = walk(plan(Flow(department_id=SALES)))[0]
    assert decision.actions == (Dial(targets=plan().departments[SALES].targets, timeout=25, department_id=SALES),)
    assert decision.department_id == SALES and decision.leg["reason"] == "direct"


def test_recorded_greeting_is_played_instead_of_the_text():
    flow = Flow(greeting_text="ignored", greeting_url="https://files.example/greeting.mp3")
    assert walk(plan(flow))[0].actions[0] == Play("https://files.example/greeting.mp3")


def test_menu_line_greets_then_gathers_a_digit():
    decision = walk(plan(MENU))[0]
    greeting, gather = decision.actions
    assert greeting == Say("Welcome.", "en")
    assert gather == Gather(prompt=(Say("For sales press 1, for care press 2.", "en"),))
    assert decision.status == "in_menu" and decision.department_id is None and decision.leg == {}


def test_menu_without_prompt_reads_the_departments():
    gather = walk(plan(replace(MENU, menu_prompt="")))[0].actions[-1]
    assert gather.prompt == (Say("For Sales, press 1. For Care, press 2.", "en"),)


def test_polish_line_speaks_polish_defaults():
    the_plan = plan(replace(MENU, menu_prompt="", greeting_text=""), language="pl")
    decision = walk(the_plan)[0]
    assert decision.actions == (Gather(prompt=(Say("Sales – wciśnij 1. Care – wciśnij 2.", "pl"),)),)


def test_withheld_caller_is_routed_like_any_other():
    assert walk(plan(MENU), Event("menu", digits="1"), caller=WITHHELD)[1].department_id == SALES
    assert walk(plan(), caller=WITHHELD)[0].department_id == DESK


# -- incoming, closed -------------------------------------------------------------------------------------

def test_after_hours_says_the_owners_text_then_voicemail():
    flow = Flow(after_hours_text="We are closed. In an emergency call 112.", voicemail_text="Leave a message.")
    decision = walk(plan(flow), now=NIGHT)[0]
    assert decision.actions == (Say("We are closed. In an emergency call 112.", "en"), Say("Leave a message.", "en"),
                                Record())
    assert decision.status == "ringing" and decision.state["step"] == "voicemail"
    assert decision.leg == {"kind": "voicemail", "department": None, "reason": "after_hours"}


def test_after_hours_without_voicemail_hangs_up():
    decision = walk(plan(Flow(after_hours_text="Closed.", after_hours_voicemail=False)), now=NIGHT)[0]
    assert decision.actions == (Say("Closed.", "en"), Hangup())
    assert decision.status == "ended" and decision.leg == {"kind": "ended", "reason": "after_hours"}


def test_after_hours_default_text_says_when_we_open():
    decision = walk(plan(Flow()), now=NIGHT)[0]  # Monday 22:00
    assert decision.actions[0].text == "Thank you for calling. We are closed now. We open again tomorrow at 8:00."
    assert decision.actions[1].text == TEXTS["en"]["leave"]


def test_after_hours_default_text_names_the_weekday_in_polish():
    friday_evening = datetime(2025, 3, 28, 17, 0, tzinfo=UTC)
    decision = walk(plan(Flow(), language="pl"), now=friday_evening)[0]
    assert decision.actions[0] == Say("Dziękujemy za telefon. Jesteśmy teraz zamknięci. "
                                      "Zapraszamy w poniedziałek o 8:00.", "pl")


def test_after_hours_default_text_early_morning_says_today():
    early = datetime(2025, 3, 24, 5, 0, tzinfo=UTC)  # Monday 06:00
    assert walk(plan(Flow()), now=early)[0].actions[0].text.endswith("We open again today at 8:00.")


def test_after_hours_default_text_for_a_long_closure_does_not_guess():
    closures = ((date(2025, 3, 24), date(2025, 4, 30)),)
    assert walk(plan(Flow(), closures=closures))[0].actions[0].text == TEXTS["en"]["closed"]


def test_holiday_closure_closes_an_otherwise_open_hour():
    closures = ((date(2025, 3, 24), date(2025, 3, 24)),)
    decision = walk(plan(MENU, closures=closures))[0]
    assert decision.status == "ringing" and isinstance(decision.actions[-1], Record)
    assert walk(plan(MENU))[0].status == "in_menu"


@pytest.mark.parametrize(("now", "tz", "open_"), [
    (datetime(2025, 3, 31, 6, 30, tzinfo=UTC), "Europe/Warsaw", True),  # Monday after spring-forward, 08:30 CEST
    (datetime(2025, 3, 24, 6, 30, tzinfo=UTC), "Europe/Warsaw", False),  # the Monday before, 07:30 CET
    (datetime(2025, 10, 27, 6, 30, tzinfo=UTC), "Europe/Warsaw", False),  # Monday after fall-back, 07:30 CET
    (datetime(2025, 10, 27, 14, 30, tzinfo=UTC), "Europe/Warsaw", True),  # 15:30 CET
    (datetime(2025, 3, 10, 12, 30, tzinfo=UTC), "America/New_York", True),  # after spring-forward, 08:30 EDT
    (datetime(2025, 3, 7, 12, 30, tzinfo=UTC), "America/New_York", False),  # Friday before, 07:30 EST
    (datetime(2025, 11, 3, 12, 30, tzinfo=UTC), "America/New_York", False),  # after fall-back, 07:30 EST
    (datetime(2025, 11, 3, 20, 30, tzinfo=UTC), "America/New_York", True),  # 15:30 EST
])
def test_dst_weeks_open_and_closed_by_local_time(now, tz, open_):
    decision = walk(plan(MENU, tz=tz), now=now)[0]
    assert (decision.status == "in_menu") is open_


# -- the menu ----------------------------------------------------------------------------------------------

def test_menu_digit_rings_its_department():
    decision = walk(plan(MENU), Event("menu", digits="2"))[1]
    assert decision.actions == (Dial(targets=plan().departments[CARE].targets, timeout=25, department_id=CARE),)
    assert decision.status == "ringing" and decision.department_id == CARE
    assert decision.leg["kind"] == "menu" and decision.leg["digit"] == "2" and decision.leg["department"] == CARE
    assert decision.leg["routed"] == "ring" and decision.leg["members"] == [30, 31]


@pytest.mark.parametrize("digits", ["9", ""])
def test_bad_or_no_digit_repeats_the_menu_once_then_the_desk(digits):
    first, second, third = walk(plan(MENU), Event("menu", digits=digits), Event("menu", digits=digits))
    sorry, gather = second.actions
    assert sorry == Say("Sorry, that is not an option.", "en")
    assert gather == first.actions[-1] and second.status == "in_menu"
    assert second.leg == {"kind": "menu", "digit": digits, "department": None,
                          "reason": "invalid" if digits else "no_input"}
    assert third.department_id == DESK and isinstance(third.actions[0], Dial) and third.status == "ringing"
    assert third.leg["kind"] == "menu" and third.leg["department"] is None and third.leg["reason"] == "menu_fallback"


def test_star_and_hash_can_be_menu_digits():
    flow = replace(MENU, menu={"*": SALES, "#": CARE})
    assert walk(plan(flow), Event("menu", digits="#"))[1].department_id == CARE


def test_menu_digit_of_a_deleted_department_goes_to_the_desk():
    flow = replace(MENU, menu={"1": SALES, "3": 99})
    decision = walk(plan(flow), Event("menu", digits="3"))[1]
    assert decision.department_id == DESK and decision.leg["department"] == 99 and decision.leg["reason"] == "missing"


def test_menu_event_when_the_menu_was_removed_meanwhile_goes_to_the_desk():
    state = walk(plan(MENU))[0].state
    decision = decide(plan(Flow()), OPEN, CALLER, Event("menu", digits="1"), state)
    assert decision.department_id == DESK


# -- ringing a department ----------------------------------------------------------------------------------

def test_deleted_department_of_a_line_goes_to_the_desk():
    decision = walk(plan(Flow(department_id=42)))[0]
    assert decision.department_id == DESK and decision.leg["reason"] == "missing"


def test_department_closed_by_its_own_hours_overflows():
    departments = [dept(DESK, "Reception", is_desk=True), dept(LAB, "Lab", weekly={"sat": (("08:00", "12:00"),)})]
    decision = walk(plan(Flow(department_id=LAB), departments))[0]
    assert isinstance(decision.actions[-1], Record) and decision.department_id == LAB
    assert decision.leg == {"kind": "voicemail", "department": LAB, "reason": "closed", "from": LAB}


def test_department_without_phones_overflows_to_another_department():
    departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", targets=0, overflow="department",
                                                              overflow_to=CARE), dept(CARE, "Care")]
    decision = walk(plan(Flow(department_id=SALES), departments))[0]
    assert decision.department_id == CARE and decision.actions[-1].department_id == CARE
    assert decision.leg["reason"] == "overflow" and decision.leg["from"] == SALES


def test_serial_rings_one_phone_at_a_time_then_overflows():
    departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", targets=3, strategy="serial")]
    decisions = walk(plan(Flow(department_id=SALES), departments), dial("no-answer"), dial("busy"), dial("failed"))
    rings = [d.actions[-1] for d in decisions[:3]]
    assert [r.targets[0].member_id for r in rings] == [20, 21, 22]
    assert [r.timeout for r in rings] == [10, 11, 12] and all(len(r.targets) == 1 for r in rings)
    assert [d.state["index"] for d in decisions[:3]] == [0, 1, 2]
    assert decisions[1].leg["after"] == "no-answer" and decisions[1].leg["reason"] == "next"
    assert isinstance(decisions[3].actions[-1], Record) and decisions[3].leg["reason"] == "failed"


def test_short_ring_times_are_raised_to_a_minimum():
    short = replace(dept(SALES, "Sales"), ring_seconds=1)
    the_plan = plan(Flow(department_id=SALES), [dept(DESK, "Reception", is_desk=True), short])
    assert walk(the_plan)[0].actions[-1].timeout == 5


# -- dial results ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["completed", "answered"])
def test_answered_connects(status):
    decision = walk(plan(Flow(department_id=SALES)), dial(status))[1]
    assert decision.status == "connected" and decision.outcome == "answered" and decision.department_id == SALES
    assert decision.leg == {"kind": "answered", "department": SALES, "member": None}  # two phones rang: unknown


def test_answered_single_phone_names_the_member():
    departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", targets=2, strategy="serial")]
    decision = walk(plan(Flow(department_id=SALES), departments), dial("no-answer"), dial("completed"))[2]
    assert decision.leg["member"] == 21


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_parallel_no_answer_overflows_to_voicemail(status):
    decision = walk(plan(Flow(department_id=SALES, voicemail_text="Sales voicemail.")), dial(status))[1]
    assert decision.actions == (Say("Sales voicemail.", "en"), Record())
    assert decision.status == "ringing" and decision.department_id == SALES and decision.outcome == ""
    assert decision.leg == {"kind": "voicemail", "department": SALES, "reason": status, "after": status,
                            "from": SALES}


def test_voicemail_default_text():
    decision = walk(plan(Flow(department_id=SALES)), dial("no-answer"))[1]
    assert decision.actions[0] == Say(TEXTS["en"]["voicemail"], "en")


def test_overflow_to_another_department():
    departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", overflow="department",
                                                              overflow_to=CARE), dept(CARE, "Care")]
    decision = walk(plan(Flow(department_id=SALES), departments), dial("no-answer"))[1]
    assert decision.department_id == CARE and isinstance(decision.actions[0], Dial)
    assert decision.leg["after"] == "no-answer" and decision.leg["from"] == SALES


def test_overflow_message_rings_the_desk_to_take_a_message():
    departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", overflow="message")]
    ring_desk, answered = walk(plan(Flow(department_id=SALES), departments), dial("no-answer"), dial("completed"))[1:]
    assert ring_desk.department_id == DESK and ring_desk.leg["note"] == "take a message"
    assert ring_desk.state["message_for"] == SALES
    assert answered.leg == {"kind": "answered", "department": DESK, "member": None, "note": "take a message",
                            "message_for": SALES}


def test_overflow_loop_ends_at_the_desk_then_voicemail():
    departments = [dept(DESK, "Reception", is_desk=True, overflow="department", overflow_to=SALES),
                   dept(SALES, "Sales", overflow="department", overflow_to=CARE),
                   dept(CARE, "Care", overflow="department", overflow_to=SALES)]
    decisions = walk(plan(Flow(department_id=SALES), departments), dial("no-answer"), dial("no-answer"),
                     dial("no-answer"))
    assert [d.department_id for d in decisions] == [SALES, CARE, DESK, DESK]
    assert decisions[2].leg["reason"] == "loop"
    assert isinstance(decisions[3].actions[-1], Record) and decisions[3].leg["reason"] == "loop"


def test_overflow_to_itself_goes_to_the_desk():
    departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", overflow="department",
                                                              overflow_to=SALES)]
    decision = walk(plan(Flow(department_id=SALES), departments), dial("no-answer"))[1]
    assert decision.department_id == DESK and decision.leg["reason"] == "loop"


def test_overflow_to_a_deleted_department_goes_to_the_desk():
    departments = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", overflow="department",
                                                              overflow_to=77)]
    decision = walk(plan(Flow(department_id=SALES), departments), dial("no-answer"))[1]
    assert decision.department_id == DESK and decision.leg["reason"] == "missing"


def test_no_desk_ends_in_voicemail():
    the_plan = plan(Flow(), [dept(SALES, "Sales")], desk_id=None)
    decision = walk(the_plan)[0]
    assert isinstance(decision.actions[-1], Record) and decision.leg["reason"] == "no_desk"


def test_desk_without_a_ring_group_in_the_plan_ends_in_voicemail():
    the_plan = plan(replace(MENU, menu={"1": 99}), [dept(SALES, "Sales")], desk_id=DESK)
    decision = walk(the_plan, Event("menu", digits="1"))[1]
    assert isinstance(decision.actions[-1], Record) and decision.leg["reason"] == "no_desk"


def test_desk_no_answer_follows_the_desks_overflow():
    decision = walk(plan(), dial("no-answer"))[1]
    assert isinstance(decision.actions[-1], Record) and decision.department_id == DESK


def test_desk_message_overflow_cannot_ring_the_desk_twice():
    departments = [dept(DESK, "Reception", is_desk=True, overflow="message")]
    decision = walk(plan(Flow(), departments), dial("no-answer"))[1]
    assert isinstance(decision.actions[-1], Record) and decision.leg["reason"] == "loop"


def test_canceled_dial_hangs_up():
    decision = walk(plan(), dial("canceled"))[1]
    assert decision.actions == (Hangup(),) and decision.status == "ended" and decision.outcome == ""
    assert decision.leg == {"kind": "ended", "reason": "canceled"}


def test_dial_result_without_a_known_department_goes_to_the_desk():
    decision = decide(plan(), OPEN, CALLER, dial("no-answer"), {})
    assert decision.department_id == DESK


def test_dial_result_of_a_department_deleted_meanwhile_goes_to_the_desk():
    state = walk(plan(Flow(department_id=SALES)))[0].state
    without_sales = plan(Flow(department_id=SALES), [dept(DESK, "Reception", is_desk=True)])
    assert decide(without_sales, OPEN, CALLER, dial("no-answer"), state).department_id == DESK


def test_serial_ring_group_that_shrank_meanwhile_overflows():
    serial = [dept(DESK, "Reception", is_desk=True), dept(SALES, "Sales", targets=3, strategy="serial")]
    state = walk(plan(Flow(department_id=SALES), serial), dial("no-answer"))[1].state
    shrunk = plan(Flow(department_id=SALES), [serial[0], dept(SALES, "Sales", targets=1, strategy="serial")])
    assert isinstance(decide(shrunk, OPEN, CALLER, dial("no-answer"), state).actions[-1], Record)


# -- the queue ---------------------------------------------------------------------------------------------

def test_busy_desk_queues_the_caller_with_the_position():
    decision = walk(plan(), dial("busy", queue_position=3))[1]
    assert decision.actions == (Say("All our receptionists are busy. You are number 3 in line.", "en"), Pause(20),
                                Redirect())
    assert decision.status == "queued" and decision.department_id == DESK
    assert decision.leg == {"kind": "queued", "department": DESK, "position": 3, "after": "busy", "from": DESK}


def test_queue_without_a_position_asks_to_hold():
    assert walk(plan(), dial("busy"))[1].actions[0] == Say(TEXTS["en"]["hold"], "en")


def test_queue_rings_the_desk_again_then_voicemail_after_the_limit():
    the_plan = plan(Flow(queue_max_seconds=60))
    again, busy, timeout = walk(the_plan, dial("busy", queue_position=1), Event("queue", waited_seconds=40),
                                dial("busy", queue_position=1), Event("queue", waited_seconds=61))[2:]
    assert again.department_id == DESK and isinstance(again.actions[0], Dial) and again.leg["reason"] == "queue"
    assert busy.status == "queued"
    assert isinstance(timeout.actions[-1], Record) and timeout.leg["reason"] == "queue_timeout"


def test_queue_event_without_a_desk_goes_to_voicemail():
    decision = decide(plan(Flow(), [dept(SALES, "Sales")], desk_id=None), OPEN, CALLER, Event("queue"), {})
    assert isinstance(decision.actions[-1], Record)


# -- voicemail ---------------------------------------------------------------------------------------------

def test_recorded_voicemail_thanks_and_ends():
    decision = walk(plan(Flow(department_id=SALES)), dial("no-answer"), Event("recorded"))[2]
    assert decision.actions == (Say(TEXTS["en"]["thanks"], "en"), Hangup())
    assert decision.status == "ended" and decision.outcome == "voicemail" and decision.department_id == SALES
    assert decision.leg == {"kind": "voicemail", "department": SALES, "recorded": True}


def test_unknown_event_kind_reaches_the_desk():
    assert decide(plan(), OPEN, CALLER, Event("mystery"), {}).department_id == DESK


def test_corrupt_state_is_read_safely():
    state = {"visited": "oops", "index": "x", "department": "2", "tries": None}
    decision = decide(plan(Flow(department_id=SALES)), OPEN, CALLER, dial("no-answer"), state)
    assert decision.department_id == SALES and isinstance(decision.actions[-1], Record)


def test_state_is_plain_json():
    import json

    for decision in walk(plan(MENU), Event("menu", digits="1"), dial("no-answer"), Event("recorded")):
        assert json.loads(json.dumps(decision.state)) == decision.state
        assert json.loads(json.dumps(decision.leg)) == decision.leg


def test_the_full_menu_journey():
    decisions = walk(plan(MENU), Event("menu", digits="1"), dial("no-answer"), Event("recorded"))
    assert [d.status for d in decisions] == ["in_menu", "ringing", "ringing", "ended"]
    assert [d.department_id for d in decisions] == [None, SALES, SALES, SALES]
    assert decisions[-1].outcome == "voicemail"
