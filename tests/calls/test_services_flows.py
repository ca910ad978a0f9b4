"""Saving a line's call flow: validation, loops refused, the activity with before and after."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from frontoffice.calls.models import Line, RingGroup
from frontoffice.calls.services.flows import flow_save, overflow_loop
from frontoffice.core.models import Activity
from tests.calls.factories import LineFactory, RingGroupFactory
from tests.core.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(org):
    return org.sites.get()


def department(org, site, name, **group):
    dept = DepartmentFactory(organization=org, site=site, name=name)
    RingGroupFactory(department=dept, **group)
    return dept


@pytest.fixture
def desk(org, site):
    return department(org, site, "Reception", is_desk=True)


@pytest.fixture
def sales(org, site):
    return department(org, site, "Sales")


@pytest.fixture
def line(site):
    return LineFactory(site=site, flow={"greeting_text": "Old greeting."})


def test_flow_save_stores_every_field_and_records_before_and_after(manager, line, desk, sales):
    flow = {"greeting_text": "  Welcome to Alpha.  ", "menu_prompt": "Sales 1, reception 0.",
            "menu": {"1": sales.pk, "0": str(desk.pk)}, "after_hours_text": "In an emergency call 112.",
            "after_hours_voicemail": False, "queue_max_seconds": 120}
    saved = flow_save(actor=manager, line=line, flow=flow)
    expected = {"greeting_text": "Welcome to Alpha.", "greeting_url": "", "menu_prompt": "Sales 1, reception 0.",
                "menu": {"0": desk.pk, "1": sales.pk}, "department_id": None,
                "after_hours_text": "In an emergency call 112.", "after_hours_voicemail": False,
                "queue_max_seconds": 120, "voicemail_text": ""}
    assert saved.flow == expected and Line.objects.get(pk=line.pk).flow == expected
    activity = Activity.objects.get(verb="flow.saved")
    assert (activity.actor, activity.subject_id, activity.site_id) == (manager, str(line.pk), line.site_id)
    assert activity.data == {"before": {"greeting_text": "Old greeting."}, "after": expected}


def test_saving_the_same_flow_again_records_nothing(manager, line, sales):
    flow_save(actor=manager, line=line, flow={"department_id": sales.pk})
    flow_save(actor=manager, line=line, flow={"department_id": sales.pk})
    assert Activity.objects.filter(verb="flow.saved").count() == 1


def test_direct_line_keeps_ringing_its_department_when_the_flow_leaves_it_out(manager, site, sales):
    direct = LineFactory(site=site, department=sales)
    assert flow_save(actor=manager, line=direct, flow={"greeting_text": "Sales."}).flow["department_id"] == sales.pk
    assert flow_save(actor=manager, line=direct, flow={"department_id": None}).flow["department_id"] is None


def test_direct_line_of_a_department_without_ring_group_falls_back_to_the_desk(org, manager, site):
    bare = DepartmentFactory(organization=org, site=site)
    direct = LineFactory(site=site, department=bare)
    assert flow_save(actor=manager, line=direct, flow={}).flow["department_id"] is None


def test_greeting_url_of_an_uploaded_recording(manager, line):
    url = "https://office.example/calls/greeting/5/abc.mp3?sig=x"
    assert flow_save(actor=manager, line=line, flow={"greeting_url": url}).flow["greeting_url"] == url


BAD = {
    "unknown field": ({"colour": "red"}, "colour"),
    "text not a string": ({"greeting_text": 5}, "greeting_text"),
    "text too long": ({"voicemail_text": "x" * 1001}, "voicemail_text"),
    "menu not a mapping": ({"menu": [["1", 1]]}, "menu"),
    "two-key choice": ({"menu": {"12": "SALES"}}, "menu"),
    "letter key": ({"menu": {"a": "SALES"}}, "menu"),
    "menu department not a number": ({"menu": {"1": "sales"}}, "menu"),
    "department not a number": ({"department_id": "sales"}, "department_id"),
    "department of nowhere": ({"department_id": 999999}, "department_id"),
    "voicemail flag not yes/no": ({"after_hours_voicemail": "yes"}, "after_hours_voicemail"),
    "queue too short": ({"queue_max_seconds": 29}, "queue_max_seconds"),
    "queue too long": ({"queue_max_seconds": 1801}, "queue_max_seconds"),
    "queue as text": ({"queue_max_seconds": "300"}, "queue_max_seconds"),
    "queue as a boolean": ({"queue_max_seconds": True}, "queue_max_seconds"),
    "url not a url": ({"greeting_url": "javascript:alert(1)"}, "greeting_url"),
}


@pytest.mark.parametrize(("flow", "field"), BAD.values(), ids=BAD.keys())
def test_bad_flow_is_refused_naming_the_field_and_changes_nothing(manager, line, sales, flow, field):
    flow = {key: ({d: (sales.pk if v == "SALES" else v) for d, v in value.items()} if isinstance(value, dict)
                  else value) for key, value in flow.items()}
    with pytest.raises(ValidationError) as refused:
        flow_save(actor=manager, line=line, flow=flow)
    assert field in refused.value.message_dict
    assert Line.objects.get(pk=line.pk).flow == {"greeting_text": "Old greeting."}
    assert not Activity.objects.filter(verb="flow.saved").exists()


def test_flow_that_is_not_a_mapping_is_refused(manager, line):
    with pytest.raises(ValidationError) as refused:
        flow_save(actor=manager, line=line, flow=["menu"])
    assert "flow" in refused.value.message_dict


def test_menu_department_must_be_active_with_a_ring_group(org, manager, line, site):
    inactive = department(org, site, "Closed down")
    inactive.active = False
    inactive.save()
    bare = DepartmentFactory(organization=org, site=site, name="No phones")
    for dept in (inactive, bare):
        with pytest.raises(ValidationError) as refused:
            flow_save(actor=manager, line=line, flow={"menu": {"2": dept.pk}})
        assert "Key 2" in refused.value.message_dict["menu"][0]


def test_other_organisations_department_is_refused(manager, line, other_org):
    theirs = department(other_org, other_org.sites.get(), "Theirs")
    with pytest.raises(ValidationError) as refused:
        flow_save(actor=manager, line=line, flow={"menu": {"1": theirs.pk}})
    assert "menu" in refused.value.message_dict
    with pytest.raises(ValidationError):
        flow_save(actor=manager, line=line, flow={"department_id": theirs.pk})


def test_other_organisations_line_is_refused(manager, other_org):
    theirs = LineFactory(site=other_org.sites.get())
    with pytest.raises(ValidationError) as refused:
        flow_save(actor=manager, line=theirs, flow={})
    assert "line" in refused.value.message_dict


def test_flow_into_an_overflow_circle_is_refused_naming_the_chain(org, manager, line, site):
    care = department(org, site, "Care")
    sales = department(org, site, "Sales", overflow=RingGroup.Overflow.DEPARTMENT, overflow_department=care)
    RingGroup.objects.filter(department=care).update(overflow=RingGroup.Overflow.DEPARTMENT,
                                                     overflow_department=sales)
    with pytest.raises(ValidationError) as refused:
        flow_save(actor=manager, line=line, flow={"menu": {"1": sales.pk}})
    assert "Sales → Care → Sales" in refused.value.message_dict["menu"][0]
    with pytest.raises(ValidationError) as refused:
        flow_save(actor=manager, line=line, flow={"department_id": care.pk})
    assert "Care → Sales → Care" in refused.value.message_dict["department_id"][0]


def test_chain_that_ends_is_no_circle(org, manager, line, site):
    care = department(org, site, "Care", overflow=RingGroup.Overflow.MESSAGE)
    sales = department(org, site, "Sales", overflow=RingGroup.Overflow.DEPARTMENT, overflow_department=care)
    assert flow_save(actor=manager, line=line, flow={"menu": {"1": sales.pk, "2": care.pk}}).flow["menu"] == {
        "1": sales.pk, "2": care.pk}


def test_overflow_loop(org, site):
    a, b, c = (department(org, site, name) for name in ("A", "B", "C"))
    RingGroup.objects.filter(department=b).update(overflow=RingGroup.Overflow.DEPARTMENT, overflow_department=c)
    assert overflow_loop(org, a, a)
    assert not overflow_loop(org, a, b)  # A → B → C, and C ends
    RingGroup.objects.filter(department=c).update(overflow=RingGroup.Overflow.DEPARTMENT, overflow_department=a)
    assert overflow_loop(org, a, b)  # A → B → C → A
    assert not overflow_loop(org, a, DepartmentFactory(organization=org))


def test_overflow_loop_replaces_the_departments_current_overflow(org, site):
    a, b = department(org, site, "A"), department(org, site, "B")
    RingGroup.objects.filter(department=a).update(overflow=RingGroup.Overflow.DEPARTMENT, overflow_department=b)
    c = department(org, site, "C")
    assert not overflow_loop(org, a, c)  # A's old overflow to B does not count
    RingGroup.objects.filter(department=b).update(overflow=RingGroup.Overflow.DEPARTMENT, overflow_department=a)
    assert overflow_loop(org, b, a)  # B → A → B
