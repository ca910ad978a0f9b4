"""The desk: my open inquiries and my departments' queue, most urgent first with the due time shown relative
and the overdue ones highlighted; the filters; a fixed number of queries however many rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.views.desk import due_label
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import CategoryFactory, InquiryFactory

UTC = dt_timezone.utc
DESK = reverse("inquiries:desk")


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def billing(org, site):
    return DepartmentFactory(organization=org, site=site, name="Billing")


@pytest.fixture
def clerk(org, make_member, billing):
    member = make_member(org, caps.CLERK)
    billing.members.add(member)
    return member


@pytest.fixture
def category(org, billing):
    return CategoryFactory(organization=org, key="billing", name="Billing", department=billing)


@pytest.fixture
def anna(owner):
    return make_client(owner, first_name="Anna", last_name="Nowak")


@pytest.fixture
def make(site, category, anna):
    def make_(**fields):
        due = fields.pop("due_in", timedelta(hours=4))
        fields.setdefault("first_answer_due", timezone.now() + due)
        fields.setdefault("resolution_due", timezone.now() + due + timedelta(hours=12))
        fields.setdefault("department", category.department)
        return InquiryFactory(site=site, category=fields.pop("category", category), client=anna, **fields)

    return make_


def _ids(section) -> list[int]:
    return [row.pk for row in section.rows]


def test_the_desk_shows_mine_and_my_departments_queue_most_urgent_first(signed_in, clerk, make, org):
    later = make(subject="Later", due_in=timedelta(hours=6))
    late = make(subject="Late one", due_in=-timedelta(hours=2))
    mine = make(subject="Mine", assigned_to=clerk)
    make(subject="Someone else's department", department=DepartmentFactory(organization=org))
    make(subject="Done", status=Inquiry.Status.CLOSED)
    page = signed_in(clerk).get(DESK)
    assert page.status_code == 200
    assert _ids(page.context["mine"]) == [mine.pk]
    assert _ids(page.context["queue"]) == [late.pk, later.pk]
    assert page.context["overdue_count"] == 1
    body = page.content.decode()
    assert f'id="inquiry-{late.pk}" class="inq-row status-open overdue' in body
    assert "overdue by 2 h" in body and "in 5 h" in body
    assert "Someone else's department" not in body and "Done" not in body
    assert "1 overdue" in body


def test_unrouted_questions_wait_in_everyones_queue(signed_in, receptionist, make):
    unrouted = make(subject="Nobody's", department=None)
    assert _ids(signed_in(receptionist).get(DESK).context["queue"]) == [unrouted.pk]


def test_an_auditor_reads_the_desk_but_takes_no_questions(signed_in, auditor, receptionist):
    assert 'id="inq-new"' not in signed_in(auditor).get(DESK).content.decode()
    assert 'id="inq-new"' in signed_in(receptionist).get(DESK).content.decode()


def test_the_first_visit_creates_the_verticals_categories(signed_in, receptionist, org):
    signed_in(receptionist).get(DESK)
    assert org.inquiry_categories.filter(key="general").exists()


def test_the_filters(signed_in, clerk, receptionist, make, org, anna):
    desk = signed_in(clerk)
    general = CategoryFactory(organization=org, key="general", name="General")
    open_ = make(subject="Where is my invoice", assigned_to=receptionist)
    closed = make(subject="Old invoice question", status=Inquiry.Status.CLOSED)
    overdue = make(subject="Parking", category=general, department=None, due_in=-timedelta(minutes=30))

    def found(**query):
        page = desk.get(DESK, query)
        assert page.status_code == 200, page.context["form"].errors
        return set(_ids(page.context["results"]))

    assert found(q="invoice") == {open_.pk, closed.pk}
    assert found(q=f"Q-{closed.reference}") == {closed.pk}
    assert found(status="closed") == {closed.pk}
    assert found(status="open") == {open_.pk, overdue.pk}
    assert found(category=general.pk) == {overdue.pk}
    assert found(assigned=f"m{receptionist.pk}") == {open_.pk}
    assert found(assigned="nobody", status="open") == {overdue.pk}
    assert found(overdue="on") == {overdue.pk}
    assert found(department=clerk.departments.get().pk, status="open") == {open_.pk}
    assert found(client=anna.pk) == {open_.pk, closed.pk, overdue.pk}
    assert "Questions of Anna Nowak" in desk.get(DESK, {"client": anna.pk}).content.decode()
    page = desk.get(DESK, {"q": "invoice"})
    assert "Back to my lists" in page.content.decode() and page.context["results"].count == 2


def test_assigned_to_me(signed_in, receptionist, make):
    mine = make(assigned_to=receptionist)
    make()
    assert _ids(signed_in(receptionist).get(DESK, {"assigned": "me"}).context["results"]) == [mine.pk]


@pytest.mark.parametrize("query", [{"status": "lost"}, {"assigned": "everyone"}, {"category": "x"},
                                   {"client": "abc"}])
def test_bad_filters_are_a_400_with_the_form(signed_in, receptionist, query):
    page = signed_in(receptionist).get(DESK, query)
    assert page.status_code == 400 and page.context["form"].errors


def test_another_organisations_rows_in_the_filters_are_refused(signed_in, receptionist, other_org,
                                                               other_owner):
    theirs = CategoryFactory(organization=other_org)
    stranger = make_client(other_owner, first_name="Obcy", last_name="Klient")
    desk = signed_in(receptionist)
    assert "category" in desk.get(DESK, {"category": theirs.pk}).context["form"].errors
    assert "client" in desk.get(DESK, {"client": stranger.pk}).context["form"].errors


def test_the_desk_costs_a_fixed_number_of_queries(signed_in, clerk, make, make_member, org):
    desk = signed_in(clerk)
    make(assigned_to=clerk)
    make()
    desk.get(DESK)
    with CaptureQueriesContext(connection) as few:
        desk.get(DESK)
    people = [make_member(org) for _i in range(3)]
    for i in range(30):
        make(assigned_to=clerk if i % 3 == 0 else people[i % 3], department=clerk.departments.get())
        make(department=None, priority="urgent")
    with CaptureQueriesContext(connection) as many:
        page = desk.get(DESK)
    assert page.context["mine"].count == 11 and page.context["queue"].count > 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as filtered:
        desk.get(DESK, {"status": "open"})
    assert len(filtered) <= len(few) + 2


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(minutes=20), "in 20 min"), (timedelta(seconds=10), "in 1 min"), (timedelta(hours=3), "in 3 h"),
    (timedelta(hours=47), "in 47 h"), (timedelta(days=3), "in 3 days"),
    (-timedelta(minutes=5), "overdue by 5 min"),
    (-timedelta(hours=2, minutes=59), "overdue by 2 h"), (-timedelta(days=2), "overdue by 2 days"),
])
def test_due_label(delta, text):
    now = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
    assert due_label(now + delta, now) == text
