"""Overdue inquiries: counted in business hours, marked once, the owner and the managers told once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail

from frontoffice.core import capabilities as caps
from frontoffice.core.hours import add_business_hours, site_hours, zone
from frontoffice.core.models import Activity
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.services.inquiries import inquiry_open
from frontoffice.inquiries.services.overdue import notify_overdue
from frontoffice.inquiries.tasks_overdue import notify_overdue_all, send_overdue_notice
from tests.clients.factories import make_client
from tests.core.factories import SiteFactory
from tests.inquiries.factories import CategoryFactory, InquiryFactory

pytestmark = pytest.mark.django_db

OPEN_8_18 = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def warsaw(*args) -> datetime:
    return datetime(*args, tzinfo=zone("Europe/Warsaw"))


FRIDAY_1755 = warsaw(2025, 6, 6, 17, 55)
SATURDAY_NOON = warsaw(2025, 6, 7, 12, 0)
MONDAY_0854 = warsaw(2025, 6, 9, 8, 54)
MONDAY_0856 = warsaw(2025, 6, 9, 8, 56)


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.TASKS_EAGER = True  # the e-mails go out in the run, into the outbox


@pytest.fixture
def site(org):
    site = org.sites.get()
    site.opening_hours = OPEN_8_18
    site.save()
    return site


@pytest.fixture
def category(org):
    return CategoryFactory(organization=org, first_answer_hours=1, resolution_hours=8)


@pytest.fixture
def asked(site, category, receptionist):
    """Factory: an inquiry opened at ``at`` with due times from the category's targets in business hours."""

    def make(at=FRIDAY_1755, **fields):
        hours = site_hours(site)
        return InquiryFactory(site=site, organization=site.organization, category=category,
                              client=make_client(receptionist), opened_at=at,
                              first_answer_due=add_business_hours(hours, at, category.first_answer_hours),
                              resolution_due=add_business_hours(hours, at, category.resolution_hours),
                              **fields)

    return make


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_question_at_1755_on_friday_is_not_late_on_saturday(org, asked, receptionist, manager):
    inquiry = asked(assigned_to=receptionist)
    assert inquiry.first_answer_due == warsaw(2025, 6, 9, 8, 55)
    assert notify_overdue(organization=org, now=SATURDAY_NOON) == []
    assert notify_overdue(organization=org, now=MONDAY_0854) == []
    assert mail.outbox == []
    assert notify_overdue(organization=org, now=MONDAY_0856) == [inquiry]
    inquiry.refresh_from_db()
    assert inquiry.overdue_notified_at == MONDAY_0856
    assert recipients() == sorted([receptionist.user.email, manager.user.email])


def test_the_owner_and_managers_are_told_once(org, asked, receptionist, manager):
    asked(assigned_to=receptionist)
    notify_overdue(organization=org, now=MONDAY_0856)
    assert notify_overdue(organization=org, now=MONDAY_0856 + timedelta(hours=8)) == []  # resolution late too
    assert len(mail.outbox) == 2
    assert Activity.objects.filter(verb="inquiry.overdue").count() == 1


def test_the_overdue_activity_is_the_assigned_members(org, asked, receptionist, manager):
    inquiry = asked(assigned_to=receptionist)
    notify_overdue(organization=org, now=MONDAY_0856)
    entry = Activity.objects.get(verb="inquiry.overdue")
    assert (entry.actor, entry.actor_kind, entry.client_id, entry.site_id) == (
        receptionist, "member", inquiry.client_id, inquiry.site_id)
    assert entry.subject_id == str(inquiry.pk)
    assert entry.subject_label == ""  # the subject may hold personal data; the log keeps none
    assert entry.data["late"] == "first_answer"
    assert entry.data["assigned_to"] == receptionist.pk


def test_an_unassigned_late_inquiry_is_the_systems_and_goes_to_the_managers(org, asked, manager, make_member):
    second_manager = make_member(org, caps.MANAGER)
    asked()
    notify_overdue(organization=org, now=MONDAY_0856)
    entry = Activity.objects.get(verb="inquiry.overdue")
    assert (entry.actor, entry.actor_kind) == (None, "system")
    assert recipients() == sorted([manager.user.email, second_manager.user.email])


def test_an_office_without_a_manager_tells_its_owners(org, asked, owner, receptionist):
    asked(assigned_to=receptionist)
    notify_overdue(organization=org, now=MONDAY_0856)
    assert recipients() == sorted([receptionist.user.email, owner.user.email])


def test_each_person_gets_one_e_mail_listing_their_late_questions(org, asked, receptionist, make_member,
                                                                   manager):
    colleague = make_member(org, caps.RECEPTIONIST)
    mine = [asked(assigned_to=receptionist), asked(assigned_to=receptionist)]
    theirs = asked(assigned_to=colleague)
    notify_overdue(organization=org, now=MONDAY_0856)
    by_person = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_person) == sorted([receptionist.user.email, colleague.user.email, manager.user.email])
    assert all(f"#Q-{i.reference}" in by_person[receptionist.user.email].body for i in mine)
    assert f"#Q-{theirs.reference}" not in by_person[receptionist.user.email].body
    assert all(f"#Q-{i.reference}" in by_person[manager.user.email].body for i in [*mine, theirs])
    assert by_person[manager.user.email].subject.startswith("3 questions are past their target")


def test_a_manager_who_has_a_late_inquiry_gets_one_e_mail(org, asked, manager):
    asked(assigned_to=manager)
    notify_overdue(organization=org, now=MONDAY_0856)
    assert recipients() == [manager.user.email]


def test_the_e_mail_shows_the_due_time_in_the_sites_zone_and_links_the_inquiry(org, asked, receptionist):
    inquiry = asked(assigned_to=receptionist, subject="Parking permit")
    notify_overdue(organization=org, now=MONDAY_0856)
    body = mail.outbox[0].body
    assert f"[#Q-{inquiry.reference}] Parking permit" in body
    assert "8:55" in body  # Warsaw time, not 6:55 UTC
    assert f"Assigned to: {receptionist.user.full_name}" in body
    assert f"/inquiries/{inquiry.pk}/" in body
    html = mail.outbox[0].alternatives[0][0]
    assert "Parking permit" in html and "First answer due:" in html


def test_the_subject_and_the_html_are_escaped(org, asked, receptionist):
    asked(assigned_to=receptionist, subject="<script>alert(1)</script>")
    notify_overdue(organization=org, now=MONDAY_0856)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_e_mail_is_in_the_members_language(org, asked, receptionist):
    receptionist.user.language = "pl"
    receptionist.user.save()
    asked(assigned_to=receptionist)
    notify_overdue(organization=org, now=MONDAY_0856)
    assert mail.outbox[0].to == [receptionist.user.email]
    assert "9 czerwca 2025 08:55" in mail.outbox[0].body  # the Polish date and 24-hour clock


def test_answered_inquiries_are_late_only_past_their_resolution(org, asked, receptionist):
    inquiry = asked(assigned_to=receptionist, first_answered_at=FRIDAY_1755 + timedelta(minutes=1))
    assert notify_overdue(organization=org, now=MONDAY_0856) == []
    resolution_late = warsaw(2025, 6, 9, 15, 56)  # 8 business hours: 5 min Friday, 7 h 55 min Monday
    assert inquiry.resolution_due == warsaw(2025, 6, 9, 15, 55)
    assert notify_overdue(organization=org, now=resolution_late) == [inquiry]
    assert Activity.objects.get(verb="inquiry.overdue").data["late"] == "resolution"


@pytest.mark.parametrize("status", [Inquiry.Status.ANSWERED, Inquiry.Status.CLOSED])
def test_answered_and_closed_inquiries_are_never_late(org, asked, status):
    asked(status=status)
    assert notify_overdue(organization=org, now=MONDAY_0856 + timedelta(days=30)) == []


@pytest.mark.parametrize("status", [Inquiry.Status.FORWARDED, Inquiry.Status.WAITING])
def test_forwarded_and_waiting_inquiries_are_still_open(org, asked, status):
    inquiry = asked(status=status)
    assert notify_overdue(organization=org, now=MONDAY_0856) == [inquiry]


def test_another_organisations_late_inquiries_are_left_alone(org, other_org, asked, manager, other_owner):
    theirs = InquiryFactory(site=other_org.sites.get(), organization=other_org,
                            client=make_client(other_owner), first_answer_due=FRIDAY_1755,
                            resolution_due=FRIDAY_1755)
    assert notify_overdue(organization=org, now=MONDAY_0856) == []
    theirs.refresh_from_db()
    assert theirs.overdue_notified_at is None
    assert mail.outbox == []


def test_a_notice_lists_only_the_members_organisations_inquiries(org, other_org, asked, receptionist,
                                                                 other_owner):
    mine = asked(assigned_to=receptionist)
    theirs = InquiryFactory(site=other_org.sites.get(), organization=other_org,
                            client=make_client(other_owner))
    send_overdue_notice(member_id=receptionist.pk, inquiry_ids=[mine.pk, theirs.pk])
    assert len(mail.outbox) == 1
    assert mine.reference in mail.outbox[0].body
    assert theirs.reference not in mail.outbox[0].body
    mail.outbox.clear()
    send_overdue_notice(member_id=receptionist.pk, inquiry_ids=[theirs.pk])
    assert mail.outbox == []


def test_a_notice_to_a_member_who_left_is_not_sent(org, asked, receptionist):
    inquiry = asked(assigned_to=receptionist)
    receptionist.active = False
    receptionist.save()
    send_overdue_notice(member_id=receptionist.pk, inquiry_ids=[inquiry.pk])
    assert mail.outbox == []


def test_the_periodic_job_covers_every_organisation(org, other_org, asked, manager, other_owner):
    asked()
    InquiryFactory(site=other_org.sites.get(), organization=other_org, client=make_client(other_owner),
                   first_answer_due=MONDAY_0854, resolution_due=MONDAY_0854 + timedelta(hours=8))
    with time_machine.travel(SATURDAY_NOON, tick=False):
        assert notify_overdue_all() == 0
    with time_machine.travel(MONDAY_0856, tick=False):
        assert notify_overdue_all() == 2
        assert notify_overdue_all() == 0
    assert recipients() == sorted([manager.user.email, other_owner.user.email])


def test_an_inquiry_opened_on_friday_evening_through_the_service(org, site, category, receptionist, manager):
    with time_machine.travel(FRIDAY_1755, tick=False):
        inquiry = inquiry_open(actor=receptionist, site=site, channel="phone",
                               client=make_client(receptionist), question="Where do I park?",
                               category=category, assigned_to=receptionist)
    assert inquiry.first_answer_due == warsaw(2025, 6, 9, 8, 55)
    with time_machine.travel(SATURDAY_NOON, tick=False):
        assert notify_overdue_all() == 0
    with time_machine.travel(MONDAY_0856, tick=False):
        assert notify_overdue_all() == 1
    inquiry.refresh_from_db()
    assert inquiry.overdue_notified_at == MONDAY_0856


# --- at the same moment (PostgreSQL, or an SQLite file) ------------------------------------------

def _race(calls):
    """Run the calls in threads at once; their results and errors."""
    import threading

    from django.db import connections

    start = threading.Barrier(len(calls), timeout=10)
    results, errors = [], []

    def run(call):
        try:
            start.wait()
            results.append(call())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_tell_about_each_inquiry_once(org, asked, receptionist, manager):
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("concurrent writers need PostgreSQL or an SQLite file (FRONTOFFICE_TEST_SQLITE_NAME)")
    late = [asked(assigned_to=receptionist) for _i in range(5)]
    results, errors = _race([lambda: notify_overdue(organization=org, now=MONDAY_0856) for _i in range(4)])
    assert errors == []
    assert sorted(i.pk for found in results for i in found) == sorted(i.pk for i in late)
    assert Activity.objects.filter(verb="inquiry.overdue").count() == 5
    to_manager = "".join(m.body for m in mail.outbox if m.to == [manager.user.email])
    assert all(to_manager.count(f"#Q-{i.reference}") == 1 for i in late)
