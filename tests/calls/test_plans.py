"""The routing snapshot built from the rows: hours and closures by site, targets, the desk, few queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from frontoffice.calls.hours import is_open
from frontoffice.calls.models import Line, RingGroup
from frontoffice.calls.plans import flow_from_dict, plan_for_line
from frontoffice.calls.routing import Caller, Event, Flow, Record, Target, decide
from tests.calls.factories import LineFactory, RingGroupFactory, RingMemberFactory
from tests.core.factories import ClosureFactory, DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2030, 3, 25, 9, 0, tzinfo=UTC)  # Monday 10:00 in Warsaw
WITHHELD = Caller(number="")


def loaded(line: Line) -> Line:
    """The line as the webhook loads it."""
    return Line.objects.select_related("site", "organization").get(pk=line.pk)


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def desk(org, site):
    department = DepartmentFactory(organization=org, site=site, name="Reception")
    group = RingGroupFactory(department=department, is_desk=True)
    RingMemberFactory(ring_group=group, target="+48221110001", ring_seconds=12)
    return department


def test_plan_reads_the_line_flow_and_the_organisation(org, site, desk):
    line = LineFactory(site=site, flow={"greeting_text": "Hello.", "menu": {"1": desk.pk}, "queue_max_seconds": 90})
    plan = plan_for_line(loaded(line))
    assert (plan.line_id, plan.organization_id, plan.language) == (line.pk, org.pk, "en")
    assert plan.flow == Flow(greeting_text="Hello.", menu={"1": desk.pk}, queue_max_seconds=90)
    assert plan.desk_id == desk.pk
    assert plan.hours.tz == "Europe/Warsaw" and plan.hours.weekly["mon"] == (("08:00", "16:00"),)


def test_plan_takes_three_queries_at_most_with_the_line_and_two_with_it_loaded(org, site, desk,
                                                                               django_assert_max_num_queries,
                                                                               make_member):
    for n in range(5):
        department = DepartmentFactory(organization=org, site=site)
        group = RingGroupFactory(department=department)
        for _ in range(3):
            RingMemberFactory(ring_group=group, member=make_member(org, phone="+48600100200"), target="")
        ClosureFactory(site=site, starts_on=date(2099, 1, n + 1), ends_on=date(2099, 1, n + 1))
    line = LineFactory(site=site)
    with django_assert_max_num_queries(3):
        plan_for_line(Line.objects.select_related("site", "organization").get(pk=line.pk))
    line = loaded(line)
    with django_assert_max_num_queries(2):
        plan = plan_for_line(line)
    assert len(plan.departments) == 6 and all(len(d.targets) == 3 for d in plan.departments.values() if
                                              d.id != desk.pk)


def test_targets_in_order_with_member_phones_and_skips(org, site, make_member):
    department = DepartmentFactory(organization=org, site=site)
    group = RingGroupFactory(department=department, strategy=RingGroup.Strategy.SERIAL, ring_seconds=30)
    ann = make_member(org, phone="600 100 200")  # typed as people do
    bob = make_member(org, phone="")
    gone = make_member(org, phone="+48600100300", active=False)
    RingMemberFactory(ring_group=group, member=ann, target="", ring_seconds=10, position=2)
    RingMemberFactory(ring_group=group, member=None, target="sip:desk@pbx.example", ring_seconds=11, position=1)
    RingMemberFactory(ring_group=group, member=bob, target="", position=3)  # no phone at all: skipped
    RingMemberFactory(ring_group=group, member=bob, target="104", ring_seconds=13, position=4)
    RingMemberFactory(ring_group=group, member=gone, target="", position=5)  # left: skipped
    plan = plan_for_line(loaded(LineFactory(site=site)))
    dept = plan.departments[department.pk]
    assert dept.targets == (Target("sip:desk@pbx.example", 11, None), Target("+48600100200", 10, ann.pk),
                            Target("104", 13, bob.pk))
    assert (dept.strategy, dept.ring_seconds, dept.overflow, dept.is_desk) == ("serial", 30, "voicemail", False)
    assert plan.desk_id is None


def test_ring_group_without_phones_is_in_the_plan_with_no_targets(org, site):
    department = DepartmentFactory(organization=org, site=site)
    RingGroupFactory(department=department, overflow=RingGroup.Overflow.MESSAGE)
    dept = plan_for_line(loaded(LineFactory(site=site))).departments[department.pk]
    assert dept.targets == () and dept.overflow == "message"


def test_inactive_departments_and_departments_without_ring_groups_are_left_out(org, site, desk):
    inactive = DepartmentFactory(organization=org, site=site, active=False)
    RingGroupFactory(department=inactive)
    bare = DepartmentFactory(organization=org, site=site)
    plan = plan_for_line(loaded(LineFactory(site=site)))
    assert set(plan.departments) == {desk.pk}
    assert inactive.pk not in plan.departments and bare.pk not in plan.departments


def test_other_organisations_ring_groups_are_left_out(org, other_org, site, desk):
    RingGroupFactory(department=DepartmentFactory(organization=other_org), is_desk=True)
    plan = plan_for_line(loaded(LineFactory(site=site)))
    assert set(plan.departments) == {desk.pk} and plan.desk_id == desk.pk


def test_department_hours_own_then_its_site_then_the_line_site(org, site):
    annex = SiteFactory(organization=org, name="Annex", time_zone="Europe/London",
                        opening_hours={"sat": [["09:00", "12:00"]]})
    own = DepartmentFactory(organization=org, site=annex)
    RingGroupFactory(department=own, opening_hours={"sun": [["10:00", "11:00"]], "mon": []})
    at_annex = DepartmentFactory(organization=org, site=annex)
    RingGroupFactory(department=at_annex, opening_hours={day: [] for day in ("mon", "tue")})  # all empty: none
    nowhere = DepartmentFactory(organization=org, site=None)
    RingGroupFactory(department=nowhere)
    ClosureFactory(site=annex, starts_on=date(2099, 5, 1), ends_on=date(2099, 5, 3))
    ClosureFactory(site=site, starts_on=date(2099, 6, 1), ends_on=date(2099, 6, 1))
    plan = plan_for_line(loaded(LineFactory(site=site)))
    depts = plan.departments
    assert depts[own.pk].hours.weekly == {"sun": (("10:00", "11:00"),), "mon": ()}
    assert depts[own.pk].hours.tz == "Europe/London"
    assert depts[own.pk].hours.closures == ((date(2099, 5, 1), date(2099, 5, 3)),)
    assert depts[at_annex.pk].hours.weekly == {"sat": (("09:00", "12:00"),)}
    assert depts[nowhere.pk].hours == plan.hours
    assert plan.hours.closures == ((date(2099, 6, 1), date(2099, 6, 1)),)


def test_closures_over_already_are_not_read(org, site, desk):
    ClosureFactory(site=site, starts_on=date(2000, 1, 1), ends_on=date(2000, 1, 2))
    assert plan_for_line(loaded(LineFactory(site=site))).hours.closures == ()


def test_site_zone_falls_back_to_the_organisations(org, desk):
    org.time_zone = "America/New_York"
    org.save()
    site = SiteFactory(organization=org, time_zone="")
    assert plan_for_line(loaded(LineFactory(site=site))).hours.tz == "America/New_York"


def test_site_closure_today_routes_after_hours(org, site, desk, time_machine):
    time_machine.move_to(MONDAY_10)
    line = LineFactory(site=site, flow={"after_hours_text": "Closed for the holiday."})
    assert decide(plan_for_line(loaded(line)), MONDAY_10, WITHHELD, Event("incoming"), {}).status == "ringing"
    ClosureFactory(site=site, starts_on=date(2030, 3, 25), ends_on=date(2030, 3, 25))
    plan = plan_for_line(loaded(line))
    assert not is_open(plan.hours, MONDAY_10)
    decision = decide(plan, MONDAY_10, WITHHELD, Event("incoming"), {})
    assert decision.actions[0].text == "Closed for the holiday." and isinstance(decision.actions[-1], Record)


def test_direct_line_without_a_department_in_its_flow_rings_its_department(org, site, desk):
    sales = DepartmentFactory(organization=org, site=site)
    RingGroupFactory(department=sales)
    direct = LineFactory(site=site, department=sales, flow={"greeting_text": "Sales."})
    assert plan_for_line(loaded(direct)).flow.department_id == sales.pk
    told_otherwise = LineFactory(site=site, department=sales, flow={"department_id": None})
    assert plan_for_line(loaded(told_otherwise)).flow.department_id is None


def test_polish_organisation_plans_in_polish(org, site, desk):
    org.language = "pl"
    org.save()
    assert plan_for_line(loaded(LineFactory(site=site))).language == "pl"


# -- flow_from_dict ----------------------------------------------------------------------------------------

def test_flow_from_dict_reads_every_field():
    data = {"greeting_text": "Hi.", "greeting_url": "https://x.example/g.mp3", "menu_prompt": "Press 1.",
            "menu": {"1": 5, "#": "6"}, "department_id": 7, "after_hours_text": "Closed.",
            "after_hours_voicemail": False, "queue_max_seconds": 120, "voicemail_text": "Leave it."}
    assert flow_from_dict(data) == Flow(greeting_text="Hi.", greeting_url="https://x.example/g.mp3",
                                        menu_prompt="Press 1.", menu={"1": 5, "#": 6}, department_id=7,
                                        after_hours_text="Closed.", after_hours_voicemail=False,
                                        queue_max_seconds=120, voicemail_text="Leave it.")


@pytest.mark.parametrize("data", [None, "garbage", [1, 2], 42, {}])
def test_flow_from_dict_of_junk_is_the_default_flow(data):
    assert flow_from_dict(data) == Flow()


def test_flow_from_dict_drops_bad_fields_and_menu_rows():
    data = {"greeting_text": 5, "menu": {"1": "x", "12": 3, "2": 4, "3": None, "4": True},
            "department_id": "abc", "after_hours_voicemail": "no", "queue_max_seconds": "300", "extra": 1}
    assert flow_from_dict(data) == Flow(menu={"2": 4})


def test_unparsable_flow_still_routes_to_the_desk(org, site, desk):
    line = LineFactory(site=site)
    Line.objects.filter(pk=line.pk).update(flow=["not", "a", "flow"])
    decision = decide(plan_for_line(loaded(line)), MONDAY_10, WITHHELD, Event("incoming"), {})
    assert decision.department_id == desk.pk and decision.status == "ringing"
