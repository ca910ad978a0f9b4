"""Check-in and out at the desk and the kiosk, walk-ins, badges, the watchlist hold, greeting, the host."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.errors import WatchlistMatch
from frontoffice.reception.models import DocumentAcceptance, Visit
from tests.clients.factories import make_client
from tests.core.factories import SiteFactory
from tests.reception.factories import (  # noqa: F401 (eager_tasks, site: fixtures)
    KioskFactory,
    VisitDocumentFactory,
    VisitFactory,
    WatchlistEntryFactory,
    eager_tasks,
    site,
)

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture
def kiosk(site):
    return KioskFactory(site=site)


def one(verb):
    return Activity.objects.get(verb=verb)


# --- at the desk -----------------------------------------------------------------------------------

def test_desk_check_in_greets_gives_a_badge_and_tells_the_host(site, receptionist, mailoutbox):
    visit = VisitFactory(site=site, expected_at=timezone.now() - timedelta(minutes=7))
    services.visit_check_in(actor=receptionist, visit=visit)
    visit.refresh_from_db()
    assert visit.status == Visit.ARRIVED and visit.arrived_at and visit.check_in_via == "desk"
    assert visit.checked_in_by == receptionist and visit.greeted_by == receptionist
    assert visit.greeted_at == visit.arrived_at and visit.badge_number == "1"
    assert visit.host_notified_at is not None
    entry = one("visit.checked_in")
    assert entry.actor == receptionist and entry.data == {"via": "desk", "kiosk_id": None, "minutes_late": 7}
    assert [m.to for m in mailoutbox] == [[visit.host_member.user.email]]


def test_check_in_twice_is_a_conflict(site, receptionist):
    visit = VisitFactory(site=site)
    services.visit_check_in(actor=receptionist, visit=visit)
    with pytest.raises(Conflict, match="already checked in"):
        services.visit_check_in(actor=receptionist, visit=VisitFactory._meta.model.objects.get(pk=visit.pk))
    assert Activity.objects.filter(verb="visit.checked_in").count() == 1


@pytest.mark.parametrize("status, message", [(Visit.LEFT, "already left"), (Visit.CANCELLED, "cancelled")])
def test_check_in_of_an_ended_visit_is_a_conflict(site, receptionist, status, message):
    with pytest.raises(Conflict, match=message):
        services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site, status=status))


def test_a_no_show_may_still_check_in_the_same_day_but_not_later(site, receptionist):
    today = VisitFactory(site=site, status=Visit.NO_SHOW, expected_at=timezone.now() - timedelta(minutes=30))
    services.visit_check_in(actor=receptionist, visit=today)
    assert today.status == Visit.ARRIVED
    earlier = VisitFactory(site=site, status=Visit.NO_SHOW, expected_at=timezone.now() - timedelta(days=2))
    with pytest.raises(Conflict):
        services.visit_check_in(actor=receptionist, visit=earlier)


def test_walk_in_creates_and_checks_in_at_once(site, receptionist):
    host = VisitFactory(site=site).host_member
    visit = services.visit_walk_in(actor=receptionist, site=site, host_member=host, visit_type="delivery",
                                   visitor_name="Piotr Kurier", visitor_company="DHL")
    assert visit.status == Visit.ARRIVED and visit.expected_at is None and visit.badge_number == "1"
    assert one("visit.checked_in").data == {"via": "desk", "kiosk_id": None, "minutes_late": None, "walk_in": True}


def test_walk_in_with_bad_input_saves_nothing(site, receptionist):
    with pytest.raises(ValidationError) as refused:
        services.visit_walk_in(actor=receptionist, site=site, visit_type="nonsense", visitor_name="")
    assert {"visit_type"} <= set(refused.value.message_dict)
    assert not Visit.objects.exists()


# --- badges ----------------------------------------------------------------------------------------

def test_badge_numbers_count_per_site_and_start_again_each_local_day(org, receptionist):
    main, annex = org.sites.get(), SiteFactory(organization=org, name="Annex")
    # 23:30 and 00:30 in Warsaw (winter, UTC+1) are the same UTC date but two local days.
    evening = datetime(2025, 1, 14, 22, 30, tzinfo=dt_timezone.utc)
    with time_machine.travel(evening, tick=False):
        first = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=main))
        second = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=main))
        elsewhere = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=annex))
    with time_machine.travel(evening + timedelta(hours=1), tick=False):
        next_day = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=main))
    assert [first.badge_number, second.badge_number, elsewhere.badge_number, next_day.badge_number] == [
        "1", "2", "1", "1"]


def test_badge_numbers_continue_past_nine(site, receptionist):
    numbers = [services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site)).badge_number
               for _ in range(11)]
    assert numbers[-2:] == ["10", "11"]


def test_the_days_first_counter_carries_on_from_numbers_already_given(site, receptionist):
    VisitFactory(site=site, status=Visit.ARRIVED, arrived_at=timezone.now(), badge_number="7")
    assert services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site)).badge_number == "8"
    assert services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site)).badge_number == "9"


# --- at the kiosk ----------------------------------------------------------------------------------

def test_kiosk_check_in_needs_every_active_document_for_the_visit_type(org, site, kiosk):
    nda = VisitDocumentFactory(organization=org, kind="nda")
    health = VisitDocumentFactory(organization=org, kind="health", visit_types=["patient"])
    VisitDocumentFactory(organization=org, kind="photo", visit_types=["contractor"])  # not for patients
    VisitDocumentFactory(organization=org, kind="other", active=False)  # retired
    visit = VisitFactory(site=site, visit_type="patient")
    with pytest.raises(ValidationError) as refused:
        services.visit_check_in(actor=None, visit=visit, via="kiosk", kiosk=kiosk, accepted_documents=[nda])
    assert "documents" in refused.value.message_dict and health.title in refused.value.messages[0]
    assert Visit.objects.get(pk=visit.pk).status == Visit.EXPECTED
    services.visit_check_in(actor=None, visit=visit, via="kiosk", kiosk=kiosk,
                            accepted_documents=[nda.pk, str(health.pk)])
    assert visit.status == Visit.ARRIVED and visit.greeted_at is None and visit.greeted_by is None
    assert sorted(DocumentAcceptance.objects.filter(visit=visit).values_list("document_id", flat=True)) == sorted(
        [nda.pk, health.pk])
    entry = one("visit.checked_in")
    assert entry.actor is None and entry.actor_kind == "client"
    assert entry.data["via"] == "kiosk" and entry.data["kiosk_id"] == kiosk.pk


def test_desk_check_in_does_not_ask_for_documents(org, site, receptionist):
    VisitDocumentFactory(organization=org)
    visit = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site))
    assert visit.status == Visit.ARRIVED and not visit.acceptances.exists()


def test_kiosk_of_another_site_or_revoked_cannot_check_in(org, site):
    visit = VisitFactory(site=site)
    with pytest.raises(ValidationError):
        services.visit_check_in(actor=None, visit=visit, via="kiosk",
                                kiosk=KioskFactory(site=SiteFactory(organization=org)))
    with pytest.raises(ValidationError):
        services.visit_check_in(actor=None, visit=visit, via="kiosk",
                                kiosk=KioskFactory(site=site, revoked_at=timezone.now()))
    assert Visit.objects.get(pk=visit.pk).status == Visit.EXPECTED


def test_kiosk_walk_in_with_documents(org, site, kiosk):
    nda = VisitDocumentFactory(organization=org)
    host = VisitFactory(site=site).host_member
    with pytest.raises(ValidationError):
        services.visit_walk_in(actor=None, site=site, host_member=host, visit_type="visitor",
                               visitor_name="Ola Nowa", via="kiosk", kiosk=kiosk)
    assert Visit.objects.filter(visitor_name="Ola Nowa").count() == 0
    visit = services.visit_walk_in(actor=None, site=site, host_member=host, visit_type="visitor",
                                   visitor_name="Ola Nowa", via="kiosk", kiosk=kiosk, accepted_documents=[nda])
    assert visit.status == Visit.ARRIVED and visit.acceptances.get().document == nda


# --- the watchlist ---------------------------------------------------------------------------------

def test_watchlist_match_at_the_desk_holds_the_visit(org, site, receptionist):
    entry = WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    visit = VisitFactory(site=site, visitor_name="NOWAK  Ján")
    with pytest.raises(WatchlistMatch) as matched:
        services.visit_check_in(actor=receptionist, visit=visit)
    assert matched.value.entry == entry and matched.value.visit == visit
    visit.refresh_from_db()
    assert visit.status == Visit.EXPECTED and visit.held_at is not None and not visit.badge_number
    hold = one("visit.watchlist_matched")
    assert hold.data == {"entry_id": entry.pk, "via": "desk"} and hold.actor == receptionist
    assert not Activity.objects.filter(verb="visit.checked_in").exists()


def test_watchlist_match_at_the_kiosk_on_a_walk_in_keeps_the_held_visit(org, site, kiosk):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    host = VisitFactory(site=site).host_member
    with pytest.raises(WatchlistMatch) as matched:
        services.visit_walk_in(actor=None, site=site, host_member=host, visit_type="visitor",
                               visitor_name="Jan Nowak", via="kiosk", kiosk=kiosk)
    visit = Visit.objects.get(pk=matched.value.visit.pk)
    assert visit.held_at is not None and visit.status == Visit.EXPECTED
    hold = one("visit.watchlist_matched")
    assert hold.actor_kind == "client" and hold.data["via"] == "kiosk"


def test_the_same_person_walking_in_again_waits_on_the_same_held_visit(org, site, receptionist, manager):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    host = VisitFactory(site=site).host_member
    walk_in = dict(site=site, host_member=host, visit_type="visitor")
    with pytest.raises(WatchlistMatch) as first:
        services.visit_walk_in(actor=receptionist, visitor_name="Jan Nowak", **walk_in)
    with pytest.raises(WatchlistMatch) as again:
        services.visit_walk_in(actor=receptionist, visitor_name="nowak jan", **walk_in)
    assert again.value.visit.pk == first.value.visit.pk
    assert Visit.objects.filter(held_at__isnull=False).count() == 1
    assert Activity.objects.filter(verb="visit.watchlist_matched").count() == 1
    admitted = services.visit_walk_in(actor=manager, visitor_name="Jan Nowak", override_watchlist=True, **walk_in)
    assert admitted.pk == first.value.visit.pk and admitted.status == Visit.ARRIVED
    assert Visit.objects.count() == 2  # the host's own visit made by the factory, and this one


@pytest.mark.django_db(transaction=True)
def test_the_hold_is_committed_although_check_in_is_refused(org, site, receptionist):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    visit = VisitFactory(site=site, visitor_name="Jan Nowak")
    assert transaction.get_autocommit()  # no test transaction around: what is written here is committed
    with pytest.raises(WatchlistMatch):
        services.visit_check_in(actor=receptionist, visit=visit)
    assert Visit.objects.get(pk=visit.pk).held_at is not None
    assert Activity.objects.filter(verb="visit.watchlist_matched").count() == 1


def test_watchlist_date_of_birth_on_both_sides_must_agree(org, site, receptionist):
    from datetime import date

    WatchlistEntryFactory(organization=org, full_name="Jan Kowalski", date_of_birth=date(1980, 1, 2))
    other = make_client(receptionist, date_of_birth=date(1990, 5, 6))
    visit = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site, client=other,
                                                                           visitor_name="Jan Kowalski"))
    assert visit.status == Visit.ARRIVED
    unknown_birth = VisitFactory(site=site, visitor_name="Jan Kowalski")
    with pytest.raises(WatchlistMatch):
        services.visit_check_in(actor=receptionist, visit=unknown_birth)


def test_a_manager_may_override_at_check_in_a_receptionist_may_not(org, site, receptionist, manager):
    entry = WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    visit = VisitFactory(site=site, visitor_name="Jan Nowak")
    with pytest.raises(WatchlistMatch):
        services.visit_check_in(actor=receptionist, visit=visit, override_watchlist=True)
    services.visit_check_in(actor=manager, visit=visit, override_watchlist=True)
    assert visit.status == Visit.ARRIVED and visit.held_at is None
    assert one("visit.checked_in").data["watchlist_override"] == entry.pk


def test_admit_a_held_visit(org, site, receptionist, manager):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    visit = VisitFactory(site=site, visitor_name="Jan Nowak")
    with pytest.raises(WatchlistMatch):
        services.visit_check_in(actor=receptionist, visit=visit)
    with pytest.raises(PermissionDenied):
        services.visit_admit(actor=receptionist, visit=visit)
    services.visit_admit(actor=manager, visit=visit)
    visit.refresh_from_db()
    assert visit.status == Visit.ARRIVED and visit.held_at is None and visit.greeted_by == manager
    assert one("visit.admitted").actor == manager
    with pytest.raises(Conflict):
        services.visit_admit(actor=manager, visit=visit)


def test_turn_away_a_held_visit(org, site, receptionist, manager):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    visit = VisitFactory(site=site, visitor_name="Jan Nowak")
    with pytest.raises(Conflict):
        services.visit_turn_away(actor=manager, visit=visit)  # not held yet
    with pytest.raises(WatchlistMatch):
        services.visit_check_in(actor=receptionist, visit=visit)
    services.visit_turn_away(actor=manager, visit=visit)
    assert Visit.objects.get(pk=visit.pk).status == Visit.CANCELLED
    assert one("visit.turned_away").actor == manager


def test_a_held_visit_checks_in_once_the_entry_is_removed(org, site, receptionist, manager):
    entry = WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    visit = VisitFactory(site=site, visitor_name="Jan Nowak")
    with pytest.raises(WatchlistMatch):
        services.visit_check_in(actor=receptionist, visit=visit)
    with pytest.raises(WatchlistMatch):  # asking again records nothing new
        services.visit_check_in(actor=receptionist, visit=visit)
    assert Activity.objects.filter(verb="visit.watchlist_matched").count() == 1
    services.watchlist_remove(actor=manager, entry=entry)
    services.visit_check_in(actor=receptionist, visit=visit)
    assert visit.status == Visit.ARRIVED and visit.held_at is None


def test_another_organisations_watchlist_does_not_apply(other_org, site, receptionist):
    WatchlistEntryFactory(organization=other_org, full_name="Jan Nowak")
    visit = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site, visitor_name="Jan Nowak"))
    assert visit.status == Visit.ARRIVED


# --- greeting, the host, leaving ---------------------------------------------------------------------

def test_greet_a_kiosk_arrival_once(site, kiosk, receptionist):
    start = timezone.now()
    visit = VisitFactory(site=site)
    with time_machine.travel(start, tick=False):
        services.visit_check_in(actor=None, visit=visit, via="kiosk", kiosk=kiosk)
    with time_machine.travel(start + timedelta(seconds=95), tick=False):
        services.visit_greet(actor=receptionist, visit=visit)
    assert visit.greeted_by == receptionist
    assert one("visit.greeted").data == {"seconds_to_greet": 95}
    with pytest.raises(Conflict):
        services.visit_greet(actor=receptionist, visit=visit)


def test_greet_needs_a_waiting_visitor(site, receptionist):
    with pytest.raises(Conflict):
        services.visit_greet(actor=receptionist, visit=VisitFactory(site=site))


def test_host_met_through_the_link_names_the_host(site, receptionist):
    start = timezone.now()
    visit = VisitFactory(site=site)
    with time_machine.travel(start, tick=False):
        services.visit_check_in(actor=receptionist, visit=visit)
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        services.visit_host_met(visit=visit)
    assert visit.status == Visit.WITH_HOST and visit.host_met_at
    entry = one("visit.host_met")
    assert entry.data == {"seconds_waiting": 240, "via": "link"} and entry.actor == visit.host_member
    with pytest.raises(Conflict):
        services.visit_host_met(visit=visit, actor=receptionist, via="desk")


def test_host_met_before_arrival_is_a_conflict(site, receptionist):
    with pytest.raises(Conflict):
        services.visit_host_met(visit=VisitFactory(site=site), actor=receptionist, via="desk")


def test_check_out_from_arrived_or_with_host(site, receptionist):
    start = timezone.now()
    first, second = VisitFactory(site=site), VisitFactory(site=site)
    with time_machine.travel(start, tick=False):
        services.visit_check_in(actor=receptionist, visit=first)
        services.visit_check_in(actor=receptionist, visit=second)
        services.visit_host_met(visit=second, actor=receptionist, via="desk")
    with time_machine.travel(start + timedelta(minutes=42), tick=False):
        services.visit_check_out(actor=receptionist, visit=first)
        services.visit_check_out(actor=None, visit=second, via="kiosk")
    assert first.status == second.status == Visit.LEFT
    assert first.checked_out_by == receptionist and second.check_out_via == "kiosk"
    data = [a.data for a in Activity.objects.filter(verb="visit.checked_out").order_by("id")]
    assert data == [{"via": "desk", "minutes_on_site": 42}, {"via": "kiosk", "minutes_on_site": 42}]


@pytest.mark.parametrize("status, message", [(Visit.EXPECTED, "never arrived"), (Visit.NO_SHOW, "never arrived"),
                                             (Visit.LEFT, "already left"), (Visit.CANCELLED, "cancelled")])
def test_check_out_of_a_visitor_not_on_site_is_a_conflict(site, receptionist, status, message):
    with pytest.raises(Conflict, match=message):
        services.visit_check_out(actor=receptionist, visit=VisitFactory(site=site, status=status))


def test_check_out_by_an_unknown_way_is_refused(site, receptionist):
    visit = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site))
    with pytest.raises(ValidationError):
        services.visit_check_out(actor=receptionist, visit=visit, via="window")


def test_services_refuse_a_member_of_another_organisation_as_actor(site, other_org, make_member):
    stranger = make_member(other_org, caps.RECEPTIONIST)
    visit = VisitFactory(site=site)
    with pytest.raises(ValueError):
        services.visit_check_in(actor=stranger, visit=visit)
    assert Visit.objects.get(pk=visit.pk).status == Visit.EXPECTED


# --- at the same moment ------------------------------------------------------------------------------

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


def _needs_real_concurrency():
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("concurrent writers need PostgreSQL or an SQLite file (FRONTOFFICE_TEST_SQLITE_NAME)")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_check_ins_at_one_site_get_different_badges(org, receptionist):
    _needs_real_concurrency()
    site = org.sites.get()
    visits = [VisitFactory(site=site) for _ in range(6)]
    results, errors = _race([lambda v=v: services.visit_check_in(actor=receptionist, visit=v) for v in visits])
    assert errors == []
    assert sorted(Visit.objects.values_list("badge_number", flat=True), key=int) == ["1", "2", "3", "4", "5", "6"]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_check_ins_of_one_visit_check_it_in_once(org, receptionist):
    _needs_real_concurrency()
    visit = VisitFactory(site=org.sites.get())
    copies = [Visit.objects.get(pk=visit.pk) for _ in range(3)]
    results, errors = _race([lambda v=v: services.visit_check_in(actor=receptionist, visit=v) for v in copies])
    assert len(results) == 1 and len(errors) == 2 and all(isinstance(e, Conflict) for e in errors)
    assert Activity.objects.filter(verb="visit.checked_in").count() == 1
