"""The reception API (/api/v1/visits, /api/v1/deliveries): the JSON contract, filters and pages,
every step of a visit, bad input, badges, deliveries, tenancy and capabilities."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.reception.models import Delivery, Visit
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory, SiteFactory
from tests.reception.factories import DeliveryFactory, VisitFactory, WatchlistEntryFactory

VISITS = "/api/v1/visits"
DELIVERIES = "/api/v1/deliveries"
CONTRACT = {"id", "status", "visitor", "client_id", "host", "visit_type", "purpose", "expected_at",
            "arrived_at", "greeted_by", "host_met_at", "left_at", "badge_number", "site_id", "code"}
DELIVERY_CONTRACT = {"id", "site_id", "carrier", "tracking", "recipient", "description", "storage_spot",
                     "has_photo", "received_by", "received_at", "notified_at", "picked_up_at",
                     "picked_up_by_name", "handed_over_by"}


def send(http, method: str, url: str, body=None):
    """A JSON request; without a body, an empty one (as curl -X POST sends)."""
    return http.generic(method, url, "" if body is None else json.dumps(body),
                        content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def same_time(text: str | None, moment: datetime) -> bool:
    """The API writes times to the millisecond."""
    return abs(parse(text) - moment) < timedelta(milliseconds=1)


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def host(org, make_member):
    return make_member(org, caps.EXECUTIVE)


@pytest.fixture
def desk(receptionist, api_as):
    return api_as(receptionist)


@pytest.fixture
def eager_tasks(settings):
    """Run the e-mail tasks at once, inside the test's transaction (they run after commit otherwise)."""
    settings.TASKS_EAGER = True


@pytest.fixture
def visit(site, host):
    return VisitFactory(site=site, host_member=host, visitor_name="Żaneta Żółw", visitor_company="Łódź Print")


def in_hours(hours: float) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def invitation(host, **extra) -> dict:
    return {"host_member_id": host.pk, "visit_type": "patient", "expected_at": in_hours(2),
            "visitor_name": "Żaneta Żółw", "visitor_company": "Łódź Print",
            "visitor_email": "zaneta@example.org", "purpose": "Contract"} | extra


# --- the contract ----------------------------------------------------------------------------

def test_an_invitation_has_exactly_the_contract_fields_and_is_e_mailed(desk, host, site, receptionist,
                                                                     eager_tasks):
    response = send(desk, "POST", VISITS, invitation(host, visitor_phone="600 100 200"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == CONTRACT
    visit = Visit.objects.get()
    assert body | {"expected_at": None} == {
        "id": visit.pk, "status": "expected",
        "visitor": {"name": "Żaneta Żółw", "company": "Łódź Print", "email": "zaneta@example.org",
                    "phone": "+48600100200"},
        "client_id": None,
        "host": {"member_id": host.pk, "name": host.user.full_name, "department_id": None,
                 "department": None},
        "visit_type": "patient", "purpose": "Contract", "expected_at": None, "arrived_at": None,
        "greeted_by": None, "host_met_at": None, "left_at": None, "badge_number": "", "site_id": site.pk,
        "code": visit.code}
    assert same_time(body["expected_at"], visit.expected_at)
    assert visit.invited_by == receptionist
    assert Activity.objects.filter(verb="visit.invited").count() == 1
    assert [m.to for m in mail.outbox] == [["zaneta@example.org"]]


def test_an_invitation_without_send_invitation_sends_nothing(desk, host, eager_tasks):
    response = send(desk, "POST", VISITS, invitation(host, send_invitation=False))
    assert response.status_code == 201, response.content
    assert mail.outbox == []


def test_an_invitation_without_an_e_mail_is_not_sent(desk, host, eager_tasks):
    response = send(desk, "POST", VISITS, invitation(host, visitor_email=""))
    assert response.status_code == 201, response.content
    assert mail.outbox == []


def test_a_time_without_an_offset_is_the_organisations_local_time(desk, host, org):
    local = (timezone.now() + timedelta(days=2)).astimezone(org.tz).replace(hour=10, minute=0, second=0,
                                                                           microsecond=0)
    naive = local.replace(tzinfo=None).isoformat()
    response = send(desk, "POST", VISITS, invitation(host, expected_at=naive))
    assert response.status_code == 201, response.content
    assert parse(response.json()["expected_at"]) == local


def test_an_invitation_for_a_client_and_a_department(desk, owner, org, site):
    client = make_client(owner, first_name="Jan", last_name="Kowalski")
    department = DepartmentFactory(organization=org, site=site, name="Laboratory")
    response = send(desk, "POST", VISITS, {"host_department_id": department.pk, "client_id": client.pk,
                                           "visit_type": "patient", "expected_at": in_hours(1)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_id"] == client.pk
    assert body["host"] == {"member_id": None, "name": None, "department_id": department.pk,
                            "department": "Laboratory"}


def test_a_walk_in_is_checked_in_at_once_and_greeted_by_the_desk(desk, host, receptionist):
    response = send(desk, "POST", VISITS, {"arrived": True, "host_member_id": host.pk,
                                           "visit_type": "visitor", "visitor_name": "Jan Kowalski"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["badge_number"], body["expected_at"]) == ("arrived", "1", None)
    assert body["greeted_by"] == {"member_id": receptionist.pk, "name": receptionist.user.full_name}
    assert parse(body["arrived_at"]) <= timezone.now()
    assert Activity.objects.filter(verb="visit.checked_in").count() == 1


def test_the_visit_type_defaults_to_the_first_of_the_kind_of_office(desk, host):
    response = send(desk, "POST", VISITS, {"host_member_id": host.pk, "visitor_name": "Jan Nowicki",
                                           "expected_at": in_hours(1)})
    assert response.status_code == 201, response.content
    assert response.json()["visit_type"] == "patient"  # a medical office


def test_get_returns_the_visit_as_created(desk, host):
    created = send(desk, "POST", VISITS, invitation(host)).json()
    response = desk.get(f"{VISITS}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


# --- the list ----------------------------------------------------------------------------------

def test_list_filters_by_the_organisations_local_day(desk, org, site, host):
    tz = org.tz  # Europe/Warsaw: 23:30 on the 10th is 22:30 UTC, 00:30 on the 11th is 23:30 UTC the 10th
    late = VisitFactory(site=site, host_member=host, expected_at=datetime(2031, 3, 10, 23, 30, tzinfo=tz))
    next_day = VisitFactory(site=site, host_member=host, expected_at=datetime(2031, 3, 11, 0, 30, tzinfo=tz))
    walk_in = VisitFactory(site=site, host_member=host, expected_at=None, status=Visit.ARRIVED,
                           arrived_at=datetime(2031, 3, 10, 9, 0, tzinfo=tz))
    on = lambda day: [v["id"] for v in desk.get(VISITS, {"date": day}).json()["items"]]
    assert on("2031-03-10") == [late.pk, walk_in.pk]  # newest first
    assert on("2031-03-11") == [next_day.pk]


def test_list_filters_by_status_site_and_host(desk, org, site, host, make_member):
    annex = SiteFactory(organization=org, name="Annex")
    other_host = make_member(org, caps.MANAGER)
    expected = VisitFactory(site=site, host_member=host)
    arrived = VisitFactory(site=site, host_member=other_host, status=Visit.ARRIVED, arrived_at=timezone.now())
    elsewhere = VisitFactory(site=annex, host_member=host)
    ids = lambda **params: {v["id"] for v in desk.get(VISITS, params).json()["items"]}
    assert ids() == {expected.pk, arrived.pk, elsewhere.pk}
    assert ids(status="arrived") == {arrived.pk}
    assert ids(site=annex.pk) == {elsewhere.pk}
    assert ids(host=host.pk) == {expected.pk, elsewhere.pk}
    assert ids(host=host.pk, site=site.pk, status="expected") == {expected.pk}


def test_list_pages_by_cursor_newest_first_without_repeats_or_gaps(desk, site, host):
    start = timezone.now() + timedelta(days=1)
    made = [VisitFactory(site=site, host_member=host, expected_at=start + timedelta(minutes=n)).pk
            for n in range(12)]
    tie = VisitFactory(site=site, host_member=host, expected_at=start + timedelta(minutes=5))
    made.append(tie.pk)
    seen, sizes, cursor = [], [], None
    while True:
        body = desk.get(VISITS, {"limit": 5} | ({"cursor": cursor} if cursor else {})).json()
        sizes.append(len(body["items"]))
        seen += [v["id"] for v in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sizes == [5, 5, 3]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    times = [Visit.objects.get(pk=pk).expected_at for pk in seen]
    assert times == sorted(times, reverse=True)


def test_a_page_of_visits_costs_the_same_queries_whatever_its_size(desk, org, site, host, receptionist,
                                                                    make_member):
    def queries_for_a_page():
        desk.get(VISITS)  # the token's last-use stamp is written at most once a minute
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(VISITS).status_code == 200
        return len(captured)

    VisitFactory(site=site, host_member=host, greeted_by=receptionist)
    few = queries_for_a_page()
    department = DepartmentFactory(organization=org, site=site)
    for n in range(10):
        VisitFactory(site=site, host_member=make_member(org, caps.EXECUTIVE), host_department=department,
                     greeted_by=make_member(org), client=make_client(receptionist, last_name=f"K{n}"))
    assert queries_for_a_page() == few


@pytest.mark.parametrize(("params", "field"), [
    ({"date": "2031-02-30"}, "date"), ({"date": "10.03.2031"}, "date"), ({"status": "gone"}, "status"),
    ({"limit": 500}, "limit"), ({"site": "x"}, "site"),
])
def test_a_bad_filter_is_422_naming_it(desk, params, field):
    response = desk.get(VISITS, params)
    assert response.status_code == 422
    assert error_fields(response) == {field}


def test_a_site_or_host_of_another_organisation_is_400_naming_it(desk, other_org, make_member):
    for params, field in [({"site": other_org.sites.get().pk}, "site"),
                          ({"host": make_member(other_org).pk}, "host")]:
        response = desk.get(VISITS, params)
        assert response.status_code == 400
        assert error_fields(response) == {field}


def test_a_forged_cursor_is_400_naming_the_cursor(desk, visit):
    response = desk.get(VISITS, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert error_fields(response) == {"cursor"}


def test_on_site_lists_who_arrived_and_has_not_left(desk, org, site, host):
    annex = SiteFactory(organization=org, name="Annex")
    now = timezone.now()
    waiting = VisitFactory(site=site, host_member=host, status=Visit.ARRIVED, arrived_at=now)
    with_host = VisitFactory(site=annex, host_member=host, status=Visit.WITH_HOST, arrived_at=now,
                             host_met_at=now)
    VisitFactory(site=site, host_member=host)
    VisitFactory(site=site, host_member=host, status=Visit.LEFT, arrived_at=now, left_at=now)
    response = desk.get(f"{VISITS}/on-site")
    assert response.status_code == 200
    assert {v["id"] for v in response.json()["items"]} == {waiting.pk, with_host.pk}
    at_annex = desk.get(f"{VISITS}/on-site", {"site": annex.pk}).json()["items"]
    assert [v["id"] for v in at_annex] == [with_host.pk]


# --- bad input on create -------------------------------------------------------------------------

def test_an_expected_time_in_the_past_is_refused_naming_expected_at(desk, host, eager_tasks):
    response = send(desk, "POST", VISITS, invitation(host, expected_at=in_hours(-1)))
    assert response.status_code in (400, 422)
    assert "expected_at" in error_fields(response)
    assert not Visit.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"expected_at": None}, 400, "expected_at"),
    ({"expected_at": "tomorrow"}, 422, "expected_at"),
    ({"visit_type": ""}, 422, "visit_type"),
    ({"visit_type": "spaceship"}, 400, "visit_type"),
    ({"visitor_email": "zaneta@"}, 422, "visitor_email"),
    ({"visitor_phone": "12"}, 400, "visitor_phone"),
    ({"visitor_name": "Ż" * 201}, 422, "visitor_name"),
    ({"host_member_id": None}, 400, "host"),
    ({"site_id": 0}, 422, "site_id"),
    ({"arrival": True}, 422, "arrival"),  # a typo is refused, not lost
], ids=["no-time", "time-not-a-time", "no-type", "unknown-type", "bad-email", "bad-phone", "long-name",
        "no-host", "site-zero", "unknown-field"])
def test_bad_input_on_create_is_refused_and_saves_nothing(desk, host, change, status, field):
    response = send(desk, "POST", VISITS, invitation(host, **change))
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert field in error_fields(response)
    assert not Visit.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"arrived": True, "expected_at": in_hours(1)}, "expected_at"),
    ({"arrived": True, "notes": "Allergic to cats"}, "notes"),
    ({"arrived": True, "send_invitation": True}, "send_invitation"),
    ({"expected_at": in_hours(1), "override_watchlist": True}, "override_watchlist"),
], ids=["walk-in-time", "walk-in-notes", "walk-in-invitation", "invitation-override"])
def test_a_field_for_the_other_kind_of_visit_is_refused_not_lost(desk, host, body, field):
    response = send(desk, "POST", VISITS, {"host_member_id": host.pk, "visitor_name": "Jan Nowicki"} | body)
    assert response.status_code == 400
    assert error_fields(response) == {field}
    assert not Visit.objects.exists()


def test_ids_of_another_organisation_in_the_body_are_400_naming_them(desk, host, other_org, make_member,
                                                                     other_owner):
    stranger = make_member(other_org, caps.EXECUTIVE)
    department = DepartmentFactory(organization=other_org)
    client = make_client(other_owner)
    for change, field in [({"host_member_id": stranger.pk}, "host_member_id"),
                          ({"host_member_id": None, "host_department_id": department.pk},
                           "host_department_id"),
                          ({"client_id": client.pk}, "client_id"),
                          ({"site_id": other_org.sites.get().pk}, "site_id")]:
        response = send(desk, "POST", VISITS, invitation(host, **change))
        assert response.status_code == 400, change
        assert error_fields(response) == {field}
    assert not Visit.objects.exists()


def test_two_active_sites_need_a_site_id(desk, host, org, site):
    SiteFactory(organization=org, name="Annex")
    response = send(desk, "POST", VISITS, invitation(host))
    assert response.status_code == 400
    assert error_fields(response) == {"site_id"}
    response = send(desk, "POST", VISITS, invitation(host, site_id=site.pk))
    assert response.status_code == 201


# --- correcting ------------------------------------------------------------------------------------

def test_patch_changes_only_the_fields_sent(desk, visit, org, site):
    department = DepartmentFactory(organization=org, site=site, name="Board")
    later = visit.expected_at + timedelta(hours=1)
    response = send(desk, "PATCH", f"{VISITS}/{visit.pk}", {
        "purpose": "Signing", "expected_at": later.isoformat(), "host_department_id": department.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["purpose"], body["host"]["department_id"]) == ("Signing", department.pk)
    assert same_time(body["expected_at"], later)
    assert (body["visitor"]["name"], body["host"]["member_id"]) == ("Żaneta Żółw", visit.host_member_id)
    visit.refresh_from_db()
    assert (visit.purpose, visit.host_department_id) == ("Signing", department.pk)
    assert Activity.objects.filter(verb="visit.updated").count() == 1


def test_the_host_may_change_their_visit_but_not_others(visit, host, org, make_member, api_as):
    as_host = api_as(host)
    assert send(as_host, "PATCH", f"{VISITS}/{visit.pk}", {"purpose": "Lunch"}).status_code == 200
    stranger = api_as(make_member(org, caps.EXECUTIVE))
    response = send(stranger, "PATCH", f"{VISITS}/{visit.pk}", {"purpose": "Dinner"})
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.purpose == "Lunch"


def test_patch_of_a_visit_that_left_is_409(desk, site, host):
    now = timezone.now()
    gone = VisitFactory(site=site, host_member=host, status=Visit.LEFT, arrived_at=now, left_at=now)
    response = send(desk, "PATCH", f"{VISITS}/{gone.pk}", {"purpose": "Again"})
    assert response.status_code == 409
    assert response.json()["detail"]


def test_patch_with_a_host_of_another_organisation_is_400(desk, visit, other_org, make_member):
    response = send(desk, "PATCH", f"{VISITS}/{visit.pk}", {"host_member_id": make_member(other_org).pk})
    assert response.status_code == 400
    assert error_fields(response) == {"host_member_id"}


# --- check-in, check-out, cancel ---------------------------------------------------------------

def test_check_in_greets_gives_a_badge_number_and_tells_the_host(desk, visit, receptionist, host,
                                                                  eager_tasks):
    response = send(desk, "POST", f"{VISITS}/{visit.pk}/check-in")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == CONTRACT
    assert (body["status"], body["badge_number"]) == ("arrived", "1")
    assert body["greeted_by"] == {"member_id": receptionist.pk, "name": receptionist.user.full_name}
    assert body["host"]["name"] == host.user.full_name
    visit.refresh_from_db()
    assert (visit.status, visit.check_in_via, visit.checked_in_by) == (Visit.ARRIVED, "desk", receptionist)
    assert same_time(body["arrived_at"], visit.arrived_at)
    assert Activity.objects.filter(verb="visit.checked_in").count() == 1
    assert host.user.email in [address for m in mail.outbox for address in m.to]
    assert desk.get(f"{VISITS}/{visit.pk}").json() == body


# The token and the visit (one query each); the service's savepoint (the test's transaction makes its
# transaction one), the lock, the watchlist, the activity, the badge counter, the visit's update and the
# savepoint's release. The answer is built from what was loaded. Check-in is benchmarked: a new query
# here should be a decision.
CHECK_IN_QUERIES = 9


def test_check_in_takes_a_fixed_number_of_queries(desk, visit, site, host):
    earlier = VisitFactory(site=site, host_member=host)
    assert send(desk, "POST", f"{VISITS}/{earlier.pk}/check-in").status_code == 200  # the day's badge counter
    with CaptureQueriesContext(connection) as captured:
        assert send(desk, "POST", f"{VISITS}/{visit.pk}/check-in").status_code == 200
    statements = [q["sql"] for q in captured]
    assert len(statements) <= CHECK_IN_QUERIES, "\n".join(statements)
    visit_saved = max(i for i, s in enumerate(statements) if s.startswith('UPDATE "reception_visit"'))
    assert not any(s.startswith("SELECT") for s in statements[visit_saved:]), "the answer queried again"


def test_badge_numbers_count_per_site_and_restart_each_local_day(desk, site, host, org):
    day = datetime(2031, 3, 10, 9, 0, tzinfo=org.tz)
    with time_machine.travel(day, tick=False):
        first = VisitFactory(site=site, host_member=host, expected_at=day + timedelta(minutes=30))
        second = VisitFactory(site=site, host_member=host, expected_at=day + timedelta(minutes=40))
        assert send(desk, "POST", f"{VISITS}/{first.pk}/check-in").json()["badge_number"] == "1"
        assert send(desk, "POST", f"{VISITS}/{second.pk}/check-in").json()["badge_number"] == "2"
    with time_machine.travel(day + timedelta(days=1), tick=False):
        third = VisitFactory(site=site, host_member=host, expected_at=day + timedelta(days=1, minutes=5))
        assert send(desk, "POST", f"{VISITS}/{third.pk}/check-in").json()["badge_number"] == "1"


def test_checking_in_twice_is_409_and_changes_nothing(desk, visit):
    assert send(desk, "POST", f"{VISITS}/{visit.pk}/check-in").status_code == 200
    stored = Visit.objects.filter(pk=visit.pk).values().get()
    before = Activity.objects.count()
    response = send(desk, "POST", f"{VISITS}/{visit.pk}/check-in")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert Visit.objects.filter(pk=visit.pk).values().get() == stored
    assert Activity.objects.count() == before


@pytest.mark.parametrize("status", [Visit.CANCELLED, Visit.LEFT])
def test_check_in_of_a_closed_visit_is_409(desk, site, host, status):
    now = timezone.now()
    times = {"arrived_at": now, "left_at": now} if status == Visit.LEFT else {"cancelled_at": now}
    closed = VisitFactory(site=site, host_member=host, status=status, **times)
    response = send(desk, "POST", f"{VISITS}/{closed.pk}/check-in")
    assert response.status_code == 409
    closed.refresh_from_db()
    assert closed.status == status


def test_a_watchlist_match_is_409_with_its_code_and_holds_the_visit(desk, org, visit):
    entry = WatchlistEntryFactory(organization=org, full_name="Żaneta Żółw", reason="Threatened the doctor.")
    response = send(desk, "POST", f"{VISITS}/{visit.pk}/check-in")
    assert response.status_code == 409
    assert response.json() == {"detail": "Ask a manager to come to the desk.", "code": "watchlist",
                               "errors": []}
    assert "Threatened" not in response.content.decode() and str(entry.pk) not in response.json()["detail"]
    visit.refresh_from_db()
    assert (visit.status, visit.held_at is not None) == (Visit.EXPECTED, True)  # held, committed
    matched = Activity.objects.get(verb="visit.watchlist_matched")
    assert matched.data["entry_id"] == entry.pk
    assert not Activity.objects.filter(verb="visit.checked_in").exists()


@pytest.mark.django_db(transaction=True)
def test_the_hold_of_a_watchlist_match_is_committed_though_the_answer_is_409(desk, org, visit):
    WatchlistEntryFactory(organization=org, full_name="Żaneta Żółw")
    assert send(desk, "POST", f"{VISITS}/{visit.pk}/check-in").status_code == 409
    visit.refresh_from_db()  # a transactional test: this reads what was committed
    assert visit.held_at is not None
    assert Activity.objects.filter(verb="visit.watchlist_matched").count() == 1


def test_a_walk_in_matching_the_watchlist_is_409_with_its_code(desk, org, host):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    response = send(desk, "POST", VISITS, {"arrived": True, "host_member_id": host.pk,
                                           "visit_type": "visitor", "visitor_name": "nowak JAN"})
    assert response.status_code == 409
    assert response.json()["code"] == "watchlist"
    assert not Visit.objects.filter(status=Visit.ARRIVED).exists()


def test_a_manager_may_override_the_watchlist_a_receptionist_may_not(desk, org, visit, manager, api_as):
    WatchlistEntryFactory(organization=org, full_name="Żaneta Żółw")
    response = send(desk, "POST", f"{VISITS}/{visit.pk}/check-in", {"override_watchlist": True})
    assert (response.status_code, response.json().get("code")) == (409, "watchlist")
    response = send(api_as(manager), "POST", f"{VISITS}/{visit.pk}/check-in", {"override_watchlist": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "arrived"


def test_check_out_records_when_the_visitor_left(desk, visit, receptionist):
    send(desk, "POST", f"{VISITS}/{visit.pk}/check-in")
    response = send(desk, "POST", f"{VISITS}/{visit.pk}/check-out")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "left" and parse(body["left_at"]) <= timezone.now()
    visit.refresh_from_db()
    assert (visit.check_out_via, visit.checked_out_by) == ("desk", receptionist)
    again = send(desk, "POST", f"{VISITS}/{visit.pk}/check-out")
    assert again.status_code == 409


def test_check_out_of_a_visit_that_never_arrived_is_409_and_changes_nothing(desk, visit):
    before = Activity.objects.count()
    response = send(desk, "POST", f"{VISITS}/{visit.pk}/check-out")
    assert response.status_code == 409
    assert response.json()["detail"]
    visit.refresh_from_db()
    assert (visit.status, visit.left_at) == (Visit.EXPECTED, None)
    assert Activity.objects.count() == before


def test_cancel_an_expected_visit_with_a_reason(desk, visit):
    response = send(desk, "POST", f"{VISITS}/{visit.pk}/cancel", {"reason": "Ill"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert send(desk, "POST", f"{VISITS}/{visit.pk}/cancel").status_code == 409  # only an expected visit
    assert send(desk, "POST", f"{VISITS}/{visit.pk}/check-in").status_code == 409


def test_cancel_of_a_visitor_on_site_is_409(desk, visit):
    send(desk, "POST", f"{VISITS}/{visit.pk}/check-in")
    assert send(desk, "POST", f"{VISITS}/{visit.pk}/cancel").status_code == 409
    visit.refresh_from_db()
    assert visit.status == Visit.ARRIVED


# --- badges ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["label", "a4"])
def test_badge_is_a_pdf_in_either_size(desk, visit, size):
    send(desk, "POST", f"{VISITS}/{visit.pk}/check-in")
    response = desk.get(f"{VISITS}/{visit.pk}/badge.pdf", {"size": size})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_badge_of_a_cancelled_visit_is_409(desk, visit):
    send(desk, "POST", f"{VISITS}/{visit.pk}/cancel")
    response = desk.get(f"{VISITS}/{visit.pk}/badge.pdf")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_badge_in_an_unknown_size_is_400_naming_the_size(desk, visit):
    response = desk.get(f"{VISITS}/{visit.pk}/badge.pdf", {"size": "poster"})
    assert response.status_code == 400
    assert error_fields(response) == {"size"}


# --- deliveries ----------------------------------------------------------------------------------

def test_log_a_delivery_tells_the_recipient(desk, host, site, receptionist, eager_tasks):
    response = send(desk, "POST", DELIVERIES, {"carrier": "DHL", "recipient_id": host.pk,
                                               "tracking": "JD0001", "storage_spot": "Shelf B"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == DELIVERY_CONTRACT
    assert (body["carrier"], body["tracking"], body["storage_spot"], body["site_id"]) == (
        "DHL", "JD0001", "Shelf B", site.pk)
    assert body["recipient"] == {"member_id": host.pk, "name": host.user.full_name}
    assert body["received_by"] == {"member_id": receptionist.pk, "name": receptionist.user.full_name}
    assert (body["picked_up_at"], body["has_photo"]) == (None, False)
    assert Activity.objects.filter(verb="delivery.logged").count() == 1
    assert host.user.email in [address for m in mail.outbox for address in m.to]


def test_delivery_list_filters_waiting_and_recipient(desk, site, host):
    waiting = DeliveryFactory(site=site, recipient=host)
    taken = DeliveryFactory(site=site, recipient=host, picked_up_at=timezone.now())
    someone_elses = DeliveryFactory(site=site)
    ids = lambda **params: [d["id"] for d in desk.get(DELIVERIES, params).json()["items"]]
    assert ids() == [someone_elses.pk, taken.pk, waiting.pk]
    assert ids(waiting="true") == [someone_elses.pk, waiting.pk]
    assert ids(waiting="false") == [taken.pk]
    assert ids(recipient=host.pk, waiting="true") == [waiting.pk]
    first = desk.get(DELIVERIES, {"limit": 2}).json()
    second = desk.get(DELIVERIES, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [d["id"] for d in first["items"] + second["items"]] == ids() and second["next_cursor"] is None


def test_delivery_list_refuses_a_site_or_recipient_of_another_organisation(desk, other_org, make_member):
    for params, field in [({"site": other_org.sites.get().pk}, "site"),
                          ({"recipient": make_member(other_org).pk}, "recipient"),
                          ({"waiting": "maybe"}, "waiting")]:
        response = desk.get(DELIVERIES, params)
        assert response.status_code in (400, 422)
        assert error_fields(response) == {field}


def test_pickup_records_who_and_when_and_only_once(desk, site, host, receptionist):
    delivery = DeliveryFactory(site=site, recipient=host)
    response = send(desk, "POST", f"{DELIVERIES}/{delivery.pk}/pickup", {"picked_up_by_name": "Anna Nowak"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["picked_up_by_name"], body["handed_over_by"]["member_id"]) == ("Anna Nowak", receptionist.pk)
    assert parse(body["picked_up_at"]) <= timezone.now()
    again = send(desk, "POST", f"{DELIVERIES}/{delivery.pk}/pickup")
    assert again.status_code == 409
    delivery.refresh_from_db()
    assert delivery.picked_up_by_name == "Anna Nowak"


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"carrier": ""}, 422, "carrier"),
    ({"recipient_id": None}, 422, "recipient_id"),
    ({"recipient_id": "other"}, 400, "recipient_id"),
    ({"site_id": "other"}, 400, "site_id"),
    ({"photo": "x.jpg"}, 422, "photo"),
])
def test_bad_delivery_input_names_the_field(desk, host, other_org, make_member, change, status, field):
    others = {"recipient_id": make_member(other_org).pk, "site_id": other_org.sites.get().pk}
    change = {key: others[key] if value == "other" else value for key, value in change.items()}
    response = send(desk, "POST", DELIVERIES, {"carrier": "DHL", "recipient_id": host.pk} | change)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert not Delivery.objects.exists()


# --- authentication, capabilities, tenancy -----------------------------------------------------

@pytest.fixture
def world(org, site, host):
    now = timezone.now()
    return {"visit": VisitFactory(site=site, host_member=host).pk,
            "arrived": VisitFactory(site=site, host_member=host, status=Visit.ARRIVED, arrived_at=now).pk,
            "delivery": DeliveryFactory(site=site, recipient=host).pk, "host": host.pk}


def _invitation_body(world):
    return {"host_member_id": world["host"], "expected_at": in_hours(1), "visitor_name": "Jan Nowicki"}


def _walk_in_body(world):
    return {"arrived": True, "host_member_id": world["host"], "visitor_name": "Jan Nowicki"}


# (method, url, body, capability)
ENDPOINTS = [
    ("GET", lambda w: VISITS, None, "reception.view"),
    ("POST", lambda w: VISITS, _invitation_body, "reception.invite"),
    ("POST", lambda w: VISITS, _walk_in_body, "reception.desk"),
    ("GET", lambda w: f"{VISITS}/on-site", None, "reception.view"),
    ("GET", lambda w: f"{VISITS}/{w['visit']}", None, "reception.view"),
    ("PATCH", lambda w: f"{VISITS}/{w['visit']}", lambda w: {"purpose": "x"}, "reception.desk"),
    ("POST", lambda w: f"{VISITS}/{w['visit']}/check-in", None, "reception.desk"),
    ("POST", lambda w: f"{VISITS}/{w['arrived']}/check-out", None, "reception.desk"),
    ("POST", lambda w: f"{VISITS}/{w['visit']}/cancel", None, "reception.desk"),
    ("GET", lambda w: f"{VISITS}/{w['arrived']}/badge.pdf", None, "reception.desk"),
    ("GET", lambda w: DELIVERIES, None, "reception.view"),
    ("POST", lambda w: DELIVERIES, lambda w: {"carrier": "DHL", "recipient_id": w["host"]}, "reception.desk"),
    ("POST", lambda w: f"{DELIVERIES}/{w['delivery']}/pickup", None, "reception.desk"),
]
PLACEHOLDERS = {"visit": "{id}", "arrived": "{id}", "delivery": "{id}", "host": 0}
ENDPOINT_IDS = [f"{m} {u(PLACEHOLDERS)} ({c})" for m, u, _b, c in ENDPOINTS]


def _state():
    return (list(Visit.objects.order_by("pk").values_list("status", "held_at")),
            list(Delivery.objects.order_by("pk").values_list("picked_up_at", flat=True)),
            Activity.objects.count())


def _send(http, method, url, body, world):
    return send(http, method, url(world), body(world) if body else None)


@pytest.mark.parametrize(("method", "url", "body", "capability"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_every_endpoint_without_a_valid_token_is_401(world, method, url, body, capability):
    before = _state()
    for http in [HttpClient(), HttpClient(headers={"Authorization": "Bearer fo_wrong"})]:
        response = _send(http, method, url, body, world)
        assert response.status_code == 401
        assert response.json()["detail"]
    assert _state() == before


def _lacking(capability):
    return [role for role in caps.ROLES if capability not in caps.capabilities_for([role])]


FORBIDDEN = [(m, u, b, c, role) for m, u, b, c in ENDPOINTS for role in _lacking(c)]


@pytest.mark.parametrize(("method", "url", "body", "capability", "role"), FORBIDDEN,
                         ids=[f"{m} {u(PLACEHOLDERS)} ({c}) as {role}" for m, u, _b, c, role in FORBIDDEN])
def test_a_member_without_the_capability_gets_403(world, org, make_member, api_as, method, url, body,
                                                  capability, role):
    http = api_as(make_member(org, role))
    before = _state()
    response = _send(http, method, url, body, world)
    assert response.status_code == 403, response.content
    assert capability in response.json()["detail"]
    assert _state() == before


def test_an_auditor_may_read_visits_and_deliveries_but_change_nothing(world, auditor, api_as):
    http = api_as(auditor)
    assert http.get(VISITS).status_code == 200
    assert http.get(f"{VISITS}/{world['visit']}").status_code == 200
    assert http.get(f"{VISITS}/on-site").status_code == 200
    assert http.get(DELIVERIES).status_code == 200
    assert send(http, "POST", f"{VISITS}/{world['visit']}/check-in").status_code == 403


WITH_IDS = [endpoint for endpoint in ENDPOINTS if "{" in endpoint[1](PLACEHOLDERS)]


@pytest.mark.parametrize(("method", "url", "body", "capability"), WITH_IDS,
                         ids=[f"{m} {u(PLACEHOLDERS)}" for m, u, _b, _c in WITH_IDS])
def test_another_organisations_ids_are_404(world, other_org, make_member, api_as, method, url, body,
                                           capability):
    stranger = api_as(make_member(other_org, *caps.ROLES))  # every role there: only tenancy can refuse
    before = _state()
    response = _send(stranger, method, url, body, world)
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."
    assert _state() == before


def test_another_organisations_visits_and_deliveries_are_not_listed(world, other_org, make_member, api_as):
    stranger = api_as(make_member(other_org, *caps.ROLES))
    assert stranger.get(VISITS).json()["items"] == []
    assert stranger.get(f"{VISITS}/on-site").json()["items"] == []
    assert stranger.get(DELIVERIES).json()["items"] == []


# --- the OpenAPI document ------------------------------------------------------------------------

def test_every_reception_operation_is_in_the_openapi_schema(client, db):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    assert set(paths["/api/v1/visits"]) == {"get", "post"}
    assert set(paths["/api/v1/visits/{visit_id}"]) == {"get", "patch"}
    for suffix in ["check-in", "check-out", "cancel"]:
        assert set(paths[f"/api/v1/visits/{{visit_id}}/{suffix}"]) == {"post"}
    assert set(paths["/api/v1/visits/on-site"]) == {"get"}
    badge = paths["/api/v1/visits/{visit_id}/badge.pdf"]["get"]
    assert "application/pdf" in badge["responses"]["200"]["content"]
    assert set(paths["/api/v1/deliveries"]) == {"get", "post"}
    assert set(paths["/api/v1/deliveries/{delivery_id}/pickup"]) == {"post"}
    statuses = schema["components"]["schemas"]["VisitOut"]["properties"]["status"]["enum"]
    assert set(statuses) == set(Visit.Status.values)  # the API names every status the model has
