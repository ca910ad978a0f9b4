"""Check-in's fast path (queries compiled once per process, the badge taken in one statement, the site and
hosts loaded with the lock): the same answers as the ORM would give, rows added since are seen, tenancy."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.errors import WatchlistMatch
from frontoffice.reception.models import BadgeCounter, Visit
from frontoffice.reception.services.visits import lock
from tests.clients.factories import make_client
from tests.core.factories import SiteFactory
from tests.reception.factories import VisitFactory, WatchlistEntryFactory, eager_tasks, site  # noqa: F401

pytestmark = pytest.mark.usefixtures("eager_tasks")
VISITS = "/api/v1/visits"


def check_in(http, visit_id):
    return http.generic("POST", f"{VISITS}/{visit_id}/check-in", "", content_type="application/json")


def test_a_watchlist_entry_added_after_a_check_in_holds_the_next_one(org, site, receptionist):
    services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site, visitor_name="Jan Nowak"))
    entry = WatchlistEntryFactory(organization=org, full_name="Nowak Jan")
    with pytest.raises(WatchlistMatch) as held:
        services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site, visitor_name="Jan Nowak"))
    assert held.value.entry == entry
    services.watchlist_remove(actor=receptionist, entry=entry)
    visit = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site, visitor_name="Jan Nowak"))
    assert visit.status == Visit.ARRIVED


def test_the_watchlist_matches_the_clients_name_reading_the_list_once(org, site, receptionist):
    WatchlistEntryFactory(organization=org, full_name="Jan Kowalski")
    client = make_client(receptionist)  # Jan Kowalski
    visit = VisitFactory(site=site, client=client, visitor_name="J. K.")
    with CaptureQueriesContext(connection) as captured, pytest.raises(WatchlistMatch):
        services.visit_check_in(actor=receptionist, visit=visit)
    assert sum("reception_watchlistentry" in q["sql"] for q in captured) == 1
    assert Visit.objects.get(pk=visit.pk).held_at is not None


def test_another_organisations_watchlist_entry_is_not_read(other_org, site, receptionist):
    WatchlistEntryFactory(organization=other_org, full_name="Jan Nowak")
    visit = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site, visitor_name="Jan Nowak"))
    assert visit.status == Visit.ARRIVED


def test_badges_come_from_the_days_counter_of_the_visits_site(org, site, receptionist):
    annex = SiteFactory(organization=org, name="Annex")
    numbers = [services.visit_check_in(actor=receptionist, visit=VisitFactory(site=s)).badge_number
               for s in (site, site, annex, site)]
    assert numbers == ["1", "2", "1", "3"]
    assert dict(BadgeCounter.objects.values_list("site_id", "last")) == {site.pk: 3, annex.pk: 1}
    assert sorted(Visit.objects.filter(site=site).values_list("badge_number", flat=True)) == ["1", "2", "3"]


def test_a_refused_check_in_takes_no_badge_number(site, receptionist):
    visit = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site))
    with pytest.raises(Conflict):
        services.visit_check_in(actor=receptionist, visit=Visit.objects.get(pk=visit.pk))
    assert BadgeCounter.objects.get(site=site).last == 1


def test_lock_with_hosts_loads_the_site_and_hosts_and_keeps_what_the_caller_loaded(site):
    visit = VisitFactory(site=site)
    bare = Visit.objects.get(pk=visit.pk)
    bare.organization = site.organization
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic():
            lock(bare, with_hosts=True)
        assert bare.site.tz and bare.host_member.user.email and bare.host_department is None
    assert len([q for q in captured if q["sql"].startswith("SELECT")]) == 1  # site's organisation: the same row
    assert bare.site.organization is bare.organization

    loaded = Visit.objects.select_related("host_member").get(pk=visit.pk)
    mine = loaded.host_member
    with transaction.atomic():
        lock(loaded, with_hosts=True)
    assert loaded.host_member is mine


def test_lock_with_hosts_sees_a_host_changed_since_the_lookup(org, site, make_member):
    visit = VisitFactory(site=site)
    stale = Visit.objects.select_related("host_member__user").get(pk=visit.pk)
    other = make_member(org, caps.EXECUTIVE)
    Visit.objects.filter(pk=visit.pk).update(host_member=other)
    with transaction.atomic():
        lock(stale, with_hosts=True)
    assert stale.host_member_id == other.pk and stale.host_member.user.email == other.user.email


def test_check_in_of_another_organisations_visit_is_404_and_changes_nothing(other_org, api_as, receptionist):
    foreign = VisitFactory(site=SiteFactory(organization=other_org))
    response = check_in(api_as(receptionist), foreign.pk)
    assert response.status_code == 404
    assert Visit.objects.get(pk=foreign.pk).status == Visit.EXPECTED
    assert not Activity.objects.filter(verb="visit.checked_in").exists()


@pytest.mark.parametrize("visit_id", [0, -1, 2**63, 10**30])
def test_a_visit_id_no_row_can_have_is_404(api_as, receptionist, visit_id):
    desk = api_as(receptionist)
    assert check_in(desk, visit_id).status_code == 404
    assert desk.get(f"{VISITS}/{visit_id}").status_code == 404


def test_the_answer_to_a_check_in_is_the_visit_as_get_shows_it(api_as, receptionist, site):
    desk = api_as(receptionist)
    visit = VisitFactory(site=site, host_member__user__full_name="Zdzisław Łoś")
    body = check_in(desk, visit.pk).json()
    assert body == desk.get(f"{VISITS}/{visit.pk}").json()
    assert body["greeted_by"]["member_id"] == receptionist.pk and body["host"]["name"] == "Zdzisław Łoś"
