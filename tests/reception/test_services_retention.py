"""The jobs without a desk: automatic check-out, no-shows, anonymisation after retention; and merges."""

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine

from frontoffice.clients.services import client_erase, client_merge
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.models import Visit
from tests.clients.factories import make_client
from tests.core.factories import ClosureFactory
from tests.reception.factories import (  # noqa: F401 (eager_tasks, site: fixtures)
    DeliveryFactory,
    VisitFactory,
    eager_tasks,
    site,
)

UTC = dt_timezone.utc

pytestmark = pytest.mark.usefixtures("eager_tasks")


def on_site_since(site, arrived_at, **fields):
    return VisitFactory(site=site, status=Visit.ARRIVED, arrived_at=arrived_at, badge_number="1", **fields)


def run(org, now):
    with time_machine.travel(now, tick=False):
        return services.auto_check_out(organization=org)


# --- automatic check-out -----------------------------------------------------------------------------

def test_visitors_are_checked_out_an_hour_after_closing(org, site):
    # Friday 2025-01-17, winter (UTC+1): closing 16:00 local, cut-off 17:00 local = 16:00 UTC.
    visit = on_site_since(site, datetime(2025, 1, 17, 9, 0, tzinfo=UTC))
    assert run(org, datetime(2025, 1, 17, 15, 59, tzinfo=UTC)) == 0
    assert run(org, datetime(2025, 1, 17, 16, 1, tzinfo=UTC)) == 1
    visit.refresh_from_db()
    assert visit.status == Visit.LEFT and visit.check_out_via == "automatic" and visit.checked_out_by is None
    assert visit.left_at == datetime(2025, 1, 17, 16, 0, tzinfo=UTC)
    entry = Activity.objects.get(verb="visit.checked_out")
    assert entry.actor is None and entry.actor_kind == "system"
    assert entry.data == {"via": "automatic", "minutes_on_site": 420}


def test_cut_off_on_the_spring_dst_day_follows_local_time(org, site):
    # Sunday 2025-03-30: clocks go 02:00 -> 03:00 in Warsaw. Open that Sunday 08:00-16:00 (UTC+2 from 03:00):
    # the cut-off is 17:00 local = 15:00 UTC, not the 16:00 UTC a fixed winter offset would give.
    site.opening_hours = {**site.opening_hours, "sun": [["08:00", "16:00"]]}
    site.save()
    visit = on_site_since(site, datetime(2025, 3, 30, 7, 0, tzinfo=UTC))
    assert run(org, datetime(2025, 3, 30, 14, 59, tzinfo=UTC)) == 0
    assert run(org, datetime(2025, 3, 30, 15, 1, tzinfo=UTC)) == 1
    visit.refresh_from_db()
    assert visit.left_at == datetime(2025, 3, 30, 15, 0, tzinfo=UTC)


def test_cut_off_on_the_autumn_dst_day_without_opening_hours_is_22_local(org, site):
    # Sunday 2025-10-26: clocks go 03:00 -> 02:00; the site is closed on Sundays: cut-off 22:00 CET = 21:00 UTC.
    visit = on_site_since(site, datetime(2025, 10, 26, 9, 0, tzinfo=UTC))
    assert run(org, datetime(2025, 10, 26, 20, 59, tzinfo=UTC)) == 0
    assert run(org, datetime(2025, 10, 26, 21, 0, tzinfo=UTC)) == 1
    visit.refresh_from_db()
    assert visit.left_at == datetime(2025, 10, 26, 21, 0, tzinfo=UTC)


def test_a_closure_day_uses_the_late_evening_cut_off(org, site):
    ClosureFactory(site=site, organization=org, starts_on=date(2025, 1, 17), ends_on=date(2025, 1, 17))
    on_site_since(site, datetime(2025, 1, 17, 9, 0, tzinfo=UTC))
    assert run(org, datetime(2025, 1, 17, 16, 30, tzinfo=UTC)) == 0
    assert run(org, datetime(2025, 1, 17, 21, 1, tzinfo=UTC)) == 1


def test_visitors_of_past_days_leave_at_that_days_cut_off(org, site):
    # Arrived Thursday (with their host), found on Friday morning before opening.
    visit = VisitFactory(site=site, status=Visit.WITH_HOST, arrived_at=datetime(2025, 1, 16, 14, 0, tzinfo=UTC),
                         host_met_at=datetime(2025, 1, 16, 14, 5, tzinfo=UTC))
    assert run(org, datetime(2025, 1, 17, 6, 0, tzinfo=UTC)) == 1
    visit.refresh_from_db()
    assert visit.left_at == datetime(2025, 1, 16, 16, 0, tzinfo=UTC)


def test_expected_visits_of_past_days_become_no_shows(org, site):
    yesterday = VisitFactory(site=site, expected_at=datetime(2025, 1, 16, 10, 0, tzinfo=UTC))
    # 23:30 UTC on the 16th is already the 17th in Warsaw: today, so still expected.
    tonight = VisitFactory(site=site, expected_at=datetime(2025, 1, 16, 23, 30, tzinfo=UTC))
    later = VisitFactory(site=site, expected_at=datetime(2025, 1, 17, 15, 0, tzinfo=UTC))
    assert run(org, datetime(2025, 1, 17, 8, 0, tzinfo=UTC)) == 1
    statuses = {v.pk: v.status for v in Visit.objects.all()}
    assert statuses == {yesterday.pk: Visit.NO_SHOW, tonight.pk: Visit.EXPECTED, later.pk: Visit.EXPECTED}
    entry = Activity.objects.get(verb="visit.no_show")
    assert entry.actor is None and entry.data == {"automatic": True}


def test_auto_check_out_leaves_other_organisations_alone(org, other_org):
    visit = on_site_since(other_org.sites.get(), datetime(2025, 1, 16, 9, 0, tzinfo=UTC))
    assert run(org, datetime(2025, 1, 17, 12, 0, tzinfo=UTC)) == 0
    assert Visit.objects.get(pk=visit.pk).status == Visit.ARRIVED


# --- anonymisation -----------------------------------------------------------------------------------

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def closed_visit(site, days_ago, **fields):
    left = NOW - timedelta(days=days_ago)
    return VisitFactory(site=site, status=Visit.LEFT, arrived_at=left - timedelta(hours=1), left_at=left,
                        visitor_name="Anna Nowak", visitor_company="ACME", visitor_phone="+48600100200",
                        notes="Allergic to cats", purpose="Contract", **fields)


def test_anonymise_after_retention_keeps_client_linked_visits(org, site, owner):
    assert org.visitor_retention_days == 90
    old = closed_visit(site, 91)
    recent = closed_visit(site, 89)
    client = make_client(owner)
    linked = closed_visit(site, 400, client=client)
    on_site = VisitFactory(site=site, status=Visit.ARRIVED, arrived_at=NOW - timedelta(days=200))
    cancelled = VisitFactory(site=site, status=Visit.CANCELLED, expected_at=NOW - timedelta(days=80),
                             cancelled_at=NOW - timedelta(days=100))
    no_show = VisitFactory(site=site, status=Visit.NO_SHOW, expected_at=NOW - timedelta(days=95))
    with time_machine.travel(NOW, tick=False):
        assert services.anonymise_expired(organization=org) == 3
    old.refresh_from_db()
    assert old.visitor_name == f"Visitor #{old.pk}"
    assert (old.visitor_company, old.visitor_email, old.visitor_phone, old.notes, old.purpose) == ("",) * 5
    assert old.anonymised_at == NOW and old.status == Visit.LEFT and old.arrived_at
    for kept in (recent, linked, on_site):
        kept.refresh_from_db()
        assert kept.anonymised_at is None and kept.visitor_name != f"Visitor #{kept.pk}"
    assert {v.pk for v in Visit.objects.filter(anonymised_at__isnull=False)} == {old.pk, cancelled.pk, no_show.pk}
    entries = Activity.objects.filter(verb="visit.anonymised")
    assert entries.count() == 3 and {e.actor_kind for e in entries} == {"system"} and not any(e.data for e in entries)
    with time_machine.travel(NOW, tick=False):
        assert services.anonymise_expired(organization=org) == 0


def test_anonymise_in_the_organisations_language(org, site):
    org.language = "pl"
    org.save()
    old = closed_visit(site, 200)
    with time_machine.travel(NOW, tick=False):
        services.anonymise_expired(organization=org)
    old.refresh_from_db()
    assert str(old.pk) in old.visitor_name and "Anna" not in old.visitor_name


def test_visits_of_an_erased_client_are_anonymised_at_once(org, site, owner):
    client = make_client(owner)
    visit = closed_visit(site, 1, client=client)
    client_erase(actor=owner, client=client)
    with time_machine.travel(NOW, tick=False):
        assert services.anonymise_expired(organization=org) == 1
    visit.refresh_from_db()
    assert visit.anonymised_at and visit.visitor_phone == "" and visit.client == client


def test_pickup_names_are_cleared_after_retention(org, site):
    old = DeliveryFactory(site=site, picked_up_at=NOW - timedelta(days=100), picked_up_by_name="Ola Nowa")
    recent = DeliveryFactory(site=site, picked_up_at=NOW - timedelta(days=10), picked_up_by_name="Ola Nowa")
    with time_machine.travel(NOW, tick=False):
        services.anonymise_expired(organization=org)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.picked_up_by_name, recent.picked_up_by_name) == ("", "Ola Nowa")


def test_anonymise_leaves_other_organisations_alone(org, other_org):
    visit = closed_visit(other_org.sites.get(), 400)
    with time_machine.travel(NOW, tick=False):
        assert services.anonymise_expired(organization=org) == 0
    assert Visit.objects.get(pk=visit.pk).anonymised_at is None


# --- merges ------------------------------------------------------------------------------------------

def test_merge_moves_visits_to_the_kept_client_and_undo_moves_them_back(site, owner):
    from frontoffice.clients.services import merge_undo

    kept, merged = make_client(owner), make_client(owner, first_name="Janek")
    visit = VisitFactory(site=site, client=merged)
    other = VisitFactory(site=site, client=kept)
    merge = client_merge(actor=owner, kept=kept, merged=merged)
    assert Visit.objects.get(pk=visit.pk).client == kept and Visit.objects.get(pk=other.pk).client == kept
    merge_undo(actor=owner, merge=merge)
    assert Visit.objects.get(pk=visit.pk).client == merged and Visit.objects.get(pk=other.pk).client == kept


def test_the_access_export_lists_the_clients_visits(site, owner):
    from frontoffice.clients.privacy import client_dossier

    client = make_client(owner)
    visit = VisitFactory(site=site, client=client, purpose="Check-up")
    [row] = client_dossier(client)["sections"]["visits"]
    assert row["visit_id"] == visit.pk and row["purpose"] == "Check-up" and row["site"] == site.name
