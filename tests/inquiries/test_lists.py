"""Lists of inquiries (inquiries/queries/lists.py): filters, urgency order, the desk's lists, satisfaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontoffice.core import capabilities as caps
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.queries.lists import desk_lists, inquiries_of, overdue_q, satisfaction
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import CategoryFactory, InquiryFactory

NOW = datetime(2030, 7, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def client_(receptionist):
    return make_client(receptionist)


@pytest.fixture
def ask(site, client_):
    def make(**fields):
        fields.setdefault("first_answer_due", NOW + 2 * H)
        fields.setdefault("resolution_due", NOW + 10 * H)
        return InquiryFactory(site=site, client=fields.pop("client", client_), **fields)

    return make


def ids(rows):
    return [row.pk for row in rows]


def test_overdue_means_open_and_past_a_due_time(ask):
    unanswered_late = ask(first_answer_due=NOW - H)
    answered_past_first = ask(first_answer_due=NOW - H, first_answered_at=NOW - 2 * H)
    unresolved_late = ask(first_answered_at=NOW - 2 * H, resolution_due=NOW - H)
    waiting_late = ask(status=Inquiry.Status.WAITING, resolution_due=NOW - H)
    ask(status=Inquiry.Status.ANSWERED, first_answer_due=NOW - H, resolution_due=NOW - H)
    ask(status=Inquiry.Status.CLOSED, resolution_due=NOW - H)
    ask(first_answer_due=NOW)  # due this very moment: not late yet
    found = set(Inquiry.objects.filter(overdue_q(NOW)).values_list("pk", flat=True))
    assert found == {unanswered_late.pk, unresolved_late.pk, waiting_late.pk}
    assert answered_past_first.pk not in found


def test_the_most_urgent_come_first_and_no_due_time_last(ask):
    later = ask(first_answer_due=NOW + 5 * H)
    never = ask(first_answer_due=None, resolution_due=None)
    late = ask(first_answer_due=NOW - H)
    answered = ask(first_answered_at=NOW - H, first_answer_due=NOW - 3 * H, resolution_due=NOW + 3 * H)
    soon = ask(first_answer_due=NOW + H)
    rows = list(inquiries_of(late.organization, now=NOW, status=Inquiry.OPEN_STATUSES))
    assert ids(rows) == [late.pk, soon.pk, answered.pk, later.pk, never.pk]
    assert rows[0].overdue is True and rows[1].overdue is False and rows[0].due_at == NOW - H


def test_a_list_with_closed_inquiries_is_newest_first(ask):
    old_late = ask(opened_at=NOW - 5 * H, first_answer_due=NOW - H)
    closed = ask(opened_at=NOW - 2 * H, status=Inquiry.Status.CLOSED)
    new = ask(opened_at=NOW - H)
    rows = inquiries_of(new.organization, now=NOW, status=["open", "closed"])
    assert ids(rows) == ids(inquiries_of(new.organization, now=NOW)) == [new.pk, closed.pk, old_late.pk]
    assert ids(inquiries_of(new.organization, now=NOW, overdue=True)) == [old_late.pk]
    assert [row.overdue for row in rows] == [False, False, True]


def test_filters(ask, org, site, receptionist, make_member, other_org):
    billing = DepartmentFactory(organization=org, site=site, name="Billing")
    category = CategoryFactory(organization=org)
    clerk = make_member(org, caps.CLERK)
    other_client = make_client(receptionist, first_name="Ewa", last_name="Lis")
    mine = ask(assigned_to=receptionist, department=billing, subject="Invoice copy")
    theirs = ask(assigned_to=clerk, category=category, client=other_client)
    closed = ask(status=Inquiry.Status.CLOSED, subject="Parking")
    late = ask(first_answer_due=NOW - H)
    InquiryFactory(client=make_client(make_member(other_org, caps.OWNER)), subject="Invoice copy")

    def found(**filters):
        return set(ids(inquiries_of(org, now=NOW, **filters)))

    assert found() == {mine.pk, theirs.pk, closed.pk, late.pk}
    assert found(status="closed") == {closed.pk}
    assert found(status=["open", "closed"]) == {mine.pk, theirs.pk, closed.pk, late.pk}
    assert found(category=category) == found(category=category.pk) == {theirs.pk}
    assert found(assigned=receptionist) == found(assigned=receptionist.pk) == {mine.pk}
    assert found(assigned="none") == {closed.pk, late.pk}
    assert found(client=other_client) == {theirs.pk}
    assert found(department=billing) == {mine.pk}
    assert found(department="none") == {theirs.pk, closed.pk, late.pk}
    assert found(overdue=True) == {late.pk}
    assert found(overdue=False) == {mine.pk, theirs.pk, closed.pk}
    assert found(q="invoice") == {mine.pk}
    assert found(q=f"#Q-{late.reference.lower()}") == found(q=late.reference) == {late.pk}


def test_the_desk_shows_mine_and_my_departments_queue_with_exact_counts(ask, org, site, receptionist, make_member,
                                                                       django_assert_num_queries):
    billing = DepartmentFactory(organization=org, site=site, name="Billing")
    records = DepartmentFactory(organization=org, site=site, name="Records")
    billing.members.add(receptionist)
    clerk = make_member(org, caps.CLERK)
    mine = [ask(assigned_to=receptionist, department=records, first_answer_due=NOW + n * H) for n in (3, 1, 2)]
    ask(assigned_to=receptionist, status=Inquiry.Status.ANSWERED)
    queue_late = ask(department=billing, assigned_to=clerk, first_answer_due=NOW - H)
    queue_unrouted = ask()
    ask(department=records)  # another department's
    ask(department=billing, status=Inquiry.Status.CLOSED)
    with django_assert_num_queries(6):
        desk = desk_lists(receptionist, now=NOW, limit=2)
        [str(row.client) + str(row.category) + str(row.department) + str(row.assigned_to and row.assigned_to.user)
         for row in desk.mine + desk.queue]
    assert ids(desk.mine) == [mine[1].pk, mine[2].pk] and desk.mine_count == 3
    assert ids(desk.queue) == [queue_late.pk, queue_unrouted.pk] and desk.queue_count == 2
    assert desk.overdue_count == 1


def test_satisfaction_per_member_and_per_category(ask, org, receptionist, make_member):
    clerk = make_member(org, caps.CLERK)
    forms, fees = CategoryFactory(organization=org, name="Forms"), CategoryFactory(organization=org, name="Fees")
    for rating, member, category in [(5, receptionist, forms), (4, receptionist, fees), (2, clerk, fees)]:
        ask(answered_by=member, category=category, rating=rating, rated_at=NOW)
    ask(answered_by=clerk, category=forms, rating=1, rated_at=NOW - 30 * 24 * H)
    ask(answered_by=clerk, category=forms)  # not rated
    by_member = satisfaction(org, by="member")
    assert [(row.id, row.average, row.count) for row in by_member] == [(receptionist.pk, 4.5, 2), (clerk.pk, 1.5, 2)]
    assert by_member[0].label == receptionist.user.full_name
    recent = satisfaction(org, by="category", since=NOW - H)
    assert [(row.label, row.average, row.count) for row in recent] == [("Forms", 5.0, 1), ("Fees", 3.0, 2)]
    with pytest.raises(ValueError):
        satisfaction(org, by="site")


def test_satisfaction_is_per_organisation(ask, other_org, org):
    ask(rating=5, rated_at=NOW)
    assert satisfaction(other_org) == []
    assert len(satisfaction(org, by="category")) == 1
