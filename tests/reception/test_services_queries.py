"""The reads the desk, the roll call, the kiosk and the API share (reception/queries.py)."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontoffice.reception import queries, services
from frontoffice.reception.models import Visit
from tests.core.factories import SiteFactory
from tests.reception.factories import (  # noqa: F401 (eager_tasks, site: fixtures)
    DeliveryFactory,
    VisitDocumentFactory,
    VisitFactory,
    eager_tasks,
    site,
)

UTC = dt_timezone.utc
NOW = datetime(2025, 1, 15, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw

pytestmark = pytest.mark.usefixtures("eager_tasks")


def scene(site):
    host = VisitFactory(site=site).host_member  # expected in an hour
    made = {
        "later": VisitFactory(site=site, host_member=host, expected_at=NOW + timedelta(hours=3)),
        "tomorrow": VisitFactory(site=site, host_member=host, expected_at=NOW + timedelta(days=1)),
        "waiting": VisitFactory(site=site, host_member=host, status=Visit.ARRIVED,
                                arrived_at=NOW - timedelta(minutes=3)),
        "overdue": VisitFactory(site=site, host_member=host, status=Visit.ARRIVED,
                                arrived_at=NOW - timedelta(minutes=25)),
        "with_host": VisitFactory(site=site, host_member=host, status=Visit.WITH_HOST,
                                  arrived_at=NOW - timedelta(hours=1), host_met_at=NOW - timedelta(minutes=50)),
        "left": VisitFactory(site=site, host_member=host, status=Visit.LEFT, arrived_at=NOW - timedelta(hours=3),
                             left_at=NOW - timedelta(hours=2)),
        "left_yesterday": VisitFactory(site=site, host_member=host, status=Visit.LEFT,
                                       arrived_at=NOW - timedelta(days=1, hours=3),
                                       left_at=NOW - timedelta(days=1)),
        "held": VisitFactory(site=site, host_member=host, expected_at=None, held_at=NOW - timedelta(minutes=1)),
        "cancelled": VisitFactory(site=site, host_member=host, status=Visit.CANCELLED),
    }
    return made


def test_desk_board_sorts_todays_visits_into_lists(site):
    with time_machine.travel(NOW, tick=False):
        made = scene(site)
        DeliveryFactory(site=site)
        DeliveryFactory(site=site, picked_up_at=NOW)
        board = queries.desk_board(site.organization, site=site)
    ids = {name: [v.pk for v in board[name]] for name in ("expected", "waiting", "with_host", "left", "held")}
    assert ids["waiting"] == [made["overdue"].pk, made["waiting"].pk]
    assert made["later"].pk in ids["expected"] and made["tomorrow"].pk not in ids["expected"]
    assert ids["with_host"] == [made["with_host"].pk] and ids["left"] == [made["left"].pk]
    assert ids["held"] == [made["held"].pk]
    overdue, waiting = board.waiting
    assert (overdue.overdue, overdue.waiting_seconds, overdue.waiting_label) == (True, 1500, "25:00")
    assert (waiting.overdue, waiting.waiting_seconds) == (False, 180)
    assert board.counts == {"expected": 2, "waiting": 2, "with_host": 1, "left": 1, "held": 1, "on_site": 3,
                            "overdue": 1, "deliveries": 1}
    assert board.wait_target_minutes == 10 and len(board.deliveries_waiting) == 1


def test_desk_board_wait_target_is_the_organisations_setting(site):
    org = site.organization
    org.settings = {"wait_target_minutes": 30}
    org.save()
    with time_machine.travel(NOW, tick=False):
        scene(site)
        board = queries.desk_board(org, site=site)
    assert board.wait_target_seconds == 1800 and board.counts.overdue == 0


def test_desk_board_of_one_site_leaves_the_others_out(org, site):
    other = SiteFactory(organization=org)
    with time_machine.travel(NOW, tick=False):
        VisitFactory(site=other, status=Visit.ARRIVED, arrived_at=NOW)
        assert queries.desk_board(org, site=site).counts.waiting == 0
        assert queries.desk_board(org).counts.waiting == 1


def test_desk_board_takes_two_queries_whatever_the_number_of_visits(site):
    with time_machine.travel(NOW, tick=False):
        for minutes in range(0, 60, 2):
            VisitFactory(site=site, status=Visit.ARRIVED, arrived_at=NOW - timedelta(minutes=minutes),
                         greeted_by=VisitFactory(site=site).host_member)
        DeliveryFactory.create_batch(3, site=site)
        with CaptureQueriesContext(connection) as captured:
            board = queries.desk_board(site.organization, site=site)
            for visit in board.waiting + board.expected:
                (visit.host_name, visit.site.name, visit.greeted_by and visit.greeted_by.user.full_name)
            for delivery in board.deliveries_waiting:
                (delivery.recipient.user.full_name, delivery.site.name)
    assert len(captured) == 2


def test_on_site_is_the_roll_call_with_the_marks(org, site, manager, receptionist):
    first = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site))
    second = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site))
    VisitFactory(site=site)  # expected, not on site
    board = queries.on_site(org, site=site)
    assert [v.pk for v in board.visits] == [first.pk, second.pk] and board.evacuation is None
    evacuation = services.evacuation_start(actor=manager, site=site)
    services.evacuation_mark_safe(actor=manager, evacuation=evacuation, visit=first)
    board = queries.on_site(org, site=site)
    assert board.evacuation == evacuation and board.safe_ids == {first.pk}
    assert board.visits[0].safe_mark.marked_by == manager and board.visits[1].safe_mark is None
    assert board.counts == {"on_site": 2, "safe": 1, "missing": 1}
    everywhere = queries.on_site(org)
    assert everywhere["evacuation"] == evacuation and len(everywhere.visits) == 2


def test_on_site_by_site_in_a_fixed_number_of_queries(org, site, receptionist):
    sites = [site] + [SiteFactory(organization=org) for _ in range(3)]
    for each in sites:
        services.visit_check_in(actor=receptionist, visit=VisitFactory(site=each))
    with CaptureQueriesContext(connection) as captured:
        groups = queries.on_site_by_site(org, sites)
    assert [len(board.visits) for _site, board in groups] == [1, 1, 1, 1]
    assert len(captured) <= 3


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", "{dashed}"])
def test_visit_by_code_as_people_type_it(site, typed):
    visit = VisitFactory(site=site, code="7K3M9QX2TZ")
    text = typed.format(code=visit.code, lower=visit.code.lower(), spaced="7K3 M9Q X2TZ", dashed="7k3m-9qx2-tz")
    assert queries.visit_by_code(site.organization, text) == visit


def test_visit_by_code_reads_o_as_zero_and_stays_in_the_organisation(site, other_org):
    visit = VisitFactory(site=site, code="10AB0CD1EF")
    assert queries.visit_by_code(site.organization, "lOab ocd iEF") == visit
    assert queries.visit_by_code(other_org, visit.code) is None
    assert queries.visit_by_code(site.organization, "") is None
    assert queries.visit_by_code(site.organization, "x" * 200) is None


def test_visit_types_and_documents_for_a_type(org):
    assert [t.key for t in queries.visit_types(org)] == ["patient", "visitor", "delivery", "contractor", "interview"]
    everyone = VisitDocumentFactory(organization=org, kind="health")
    contractors = VisitDocumentFactory(organization=org, kind="nda", visit_types=["contractor"])
    VisitDocumentFactory(organization=org, kind="photo", active=False)
    assert queries.documents_for(org, "patient") == [everyone]
    assert queries.documents_for(org, "contractor") == [everyone, contractors]
