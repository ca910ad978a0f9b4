"""The desk screen's reads (``queries.desk_screen``, ``desk_counts``, ``desk_sites``) and its rows.

Their SQL is compiled once per process (``core.prepared``) and then only given new values, so these tests
run one query shape for several organisations, sites and days in a row: what the first call compiled
must never leak into the next.
"""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.urls import reverse

from frontoffice.core import capabilities as caps
from frontoffice.reception import queries
from frontoffice.reception.models import Visit
from tests.core.factories import SiteFactory
from tests.reception.factories import DeliveryFactory, VisitFactory, site  # noqa: F401 (site: a fixture)

UTC = dt_timezone.utc
NOW = datetime(2025, 1, 15, 3, 0, tzinfo=UTC)  # 04:00 on the 15th in Warsaw, 22:00 on the 14th in New York
HTMX = {"HTTP_HX_REQUEST": "true"}


def _names(rows) -> set[str]:
    return {row["visitor_name"] for row in rows}


def _day(site, host):
    """A visit in every list of the desk (and two on no list), at ``NOW``."""
    made = {
        "expected": VisitFactory(site=site, host_member=host, expected_at=NOW + timedelta(hours=2)),
        "late": VisitFactory(site=site, host_member=host, expected_at=NOW - timedelta(minutes=30)),
        "waiting": VisitFactory(site=site, host_member=host, status=Visit.ARRIVED,
                                arrived_at=NOW - timedelta(minutes=2)),
        "overdue": VisitFactory(site=site, host_member=host, status=Visit.ARRIVED,
                                arrived_at=NOW - timedelta(minutes=40)),
        "with_host": VisitFactory(site=site, host_member=host, status=Visit.WITH_HOST,
                                  arrived_at=NOW - timedelta(hours=1), host_met_at=NOW - timedelta(minutes=50)),
        "left": VisitFactory(site=site, host_member=host, status=Visit.LEFT, arrived_at=NOW - timedelta(hours=2),
                             left_at=NOW - timedelta(hours=1)),
        "held": VisitFactory(site=site, host_member=host, expected_at=None, held_at=NOW - timedelta(minutes=1)),
        "tomorrow": VisitFactory(site=site, host_member=host, expected_at=NOW + timedelta(days=1)),
        "cancelled": VisitFactory(site=site, host_member=host, status=Visit.CANCELLED),
    }
    return {name: visit.visitor_name for name, visit in made.items()}


def test_desk_screen_has_the_lists_and_counts_of_desk_board(org, site, make_member):
    host = make_member(org, caps.EXECUTIVE)
    with time_machine.travel(NOW, tick=False):
        names = _day(site, host)
        DeliveryFactory(site=site, recipient=host)
        DeliveryFactory(site=site, recipient=host, picked_up_at=NOW)
        screen = queries.desk_screen(org, site=site)
        board = queries.desk_board(org, site=site)
    for name in ("held", "waiting", "expected", "with_host", "left"):
        assert _names(screen[name]) == {v.visitor_name for v in board[name]}, name
    assert [row["visitor_name"] for row in screen.waiting] == [names["overdue"], names["waiting"]]
    assert [row["overdue"] for row in screen.waiting] == [True, False]
    assert [row["visitor_name"] for row in screen.expected] == [names["late"], names["expected"]]
    assert screen.counts == {**board.counts, "late": 1}
    assert [d.pk for d in screen.deliveries_waiting] == [d.pk for d in board.deliveries_waiting]
    assert set(screen.more.values()) == {0}


def test_one_compiled_query_serves_every_organisation_and_site(org, site, other_org, make_member):
    annex = SiteFactory(organization=org, name="Annex")
    other_site = other_org.sites.get()
    with time_machine.travel(NOW, tick=False):
        ours = _day(site, make_member(org, caps.EXECUTIVE))
        annexed = _day(annex, make_member(org, caps.EXECUTIVE))
        theirs = _day(other_site, make_member(other_org, caps.EXECUTIVE))
        DeliveryFactory(site=other_site, carrier="Their carrier")
        first = queries.desk_screen(org, site=site)
        second = queries.desk_screen(other_org, site=other_site)
        every_site = queries.desk_screen(org)
        their_every_site = queries.desk_screen(other_org)
        their_counts = queries.desk_counts(other_org, site=other_site)
    assert _names(first.waiting) == {ours["waiting"], ours["overdue"]}
    assert _names(second.waiting) == {theirs["waiting"], theirs["overdue"]} and first.deliveries_waiting == []
    assert [d.carrier for d in second.deliveries_waiting] == ["Their carrier"]
    assert _names(every_site.with_host) == {ours["with_host"], annexed["with_host"]}
    assert _names(their_every_site.left) == {theirs["left"]}
    assert every_site.counts.waiting == 4 and their_every_site.counts.waiting == 2 and their_counts.held == 1


@pytest.mark.parametrize("site_zone, expected, late, left", [
    ("", {"soon", "early tomorrow"}, set(), set()),  # Warsaw: the 15th began at 23:00 UTC on the 14th
    ("America/New_York", {"soon", "last evening"}, {"last evening"}, {"left last evening"}),  # the 14th
])
def test_today_is_the_local_day_of_the_site_else_of_the_organisation(org, site, make_member, site_zone, expected,
                                                                    late, left):
    site.time_zone = site_zone
    site.save()
    host = make_member(org, caps.EXECUTIVE)
    with time_machine.travel(NOW, tick=False):
        for name, when in (("soon", NOW + timedelta(minutes=90)), ("early tomorrow", NOW + timedelta(hours=3)),
                           ("last evening", NOW - timedelta(hours=4, minutes=30))):
            VisitFactory(site=site, host_member=host, visitor_name=name, expected_at=when)
        VisitFactory(site=site, host_member=host, visitor_name="left last evening", status=Visit.LEFT,
                     arrived_at=NOW - timedelta(hours=6), left_at=NOW - timedelta(hours=5))
        screen = queries.desk_screen(org, site=site)
    assert _names(screen.expected) == expected and _names(screen.left) == left
    assert screen.counts.late == len(late) and screen.counts.expected == len(expected)
    assert {row["visitor_name"] for row in screen.expected if row["expected_at"] < NOW} == late


def test_an_empty_list_is_not_read(org, site, make_member):
    host = make_member(org, caps.EXECUTIVE)
    with time_machine.travel(NOW, tick=False):
        queries.desk_screen(org, site=site)  # compiled
        with CaptureQueriesContext(connection) as empty_day:
            assert queries.desk_screen(org, site=site).waiting == []
        VisitFactory(site=site, host_member=host, status=Visit.ARRIVED, arrived_at=NOW)
        with CaptureQueriesContext(connection) as one_waiting:
            screen = queries.desk_screen(org, site=site)
    assert len(empty_day) == 2  # the counts and the parcels
    assert len(one_waiting) == 3 and len(screen.waiting) == 1 and screen.waiting[0]["waiting_label"] == "0:00"


def test_desk_sites_are_the_members_else_every_active_one_of_the_organisation(org, site, other_org,
                                                                           make_member):
    annex = SiteFactory(organization=org, name="Annex")
    SiteFactory(organization=org, name="Closed", active=False)
    placed = make_member(org)
    placed.sites.set([annex])
    unplaced = make_member(org)
    unplaced.sites.clear()
    stranger = make_member(other_org)
    assert queries.desk_sites(org, placed) == [annex]
    assert queries.desk_sites(other_org, stranger) == list(other_org.sites.all())
    everywhere = queries.desk_sites(org, unplaced)
    assert everywhere == [site, annex]  # by name ("Alpha main", "Annex"), the closed one left out
    with CaptureQueriesContext(connection) as captured:
        [s.tz for s in everywhere]  # the organisation's zone, known without a query
    assert len(captured) == 0


def test_row_links_follow_the_prefix_the_app_is_served_under(receptionist, signed_in, site):
    visit = VisitFactory(site=site, status=Visit.ARRIVED, arrived_at=NOW)
    desk = signed_in(receptionist)
    plain = desk.get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX).content.decode()
    assert f'href="/reception/visits/{visit.pk}/"' in plain
    with override_script_prefix("/office/"):
        prefixed = desk.get("/reception/live/", {"site": site.pk}, **HTMX).content.decode()
    assert f'href="/office/reception/visits/{visit.pk}/"' in prefixed
    assert f'action="/office/reception/visits/{visit.pk}/greet/"' in prefixed


def test_a_badge_number_and_a_host_name_are_escaped_in_the_row(receptionist, signed_in, site, make_member, org):
    host = make_member(org, caps.EXECUTIVE, user__full_name="Ann <b>Host</b>")
    VisitFactory(site=site, host_member=host, status=Visit.ARRIVED, arrived_at=NOW, badge_number="<7>")
    VisitFactory(site=site, host_member=host, status=Visit.WITH_HOST, arrived_at=NOW, host_met_at=NOW)
    html = signed_in(receptionist).get(reverse("reception:desk_live"), {"site": site.pk}, **HTMX).content.decode()
    assert "badge &lt;7&gt;" in html and "<7>" not in html
    assert html.count("Ann &lt;b&gt;Host&lt;/b&gt;") == 4 and "<b>Host" not in html  # twice in each row
