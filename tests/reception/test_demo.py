"""The demo office's reception: a believable day around the moment it is loaded."""

import pytest

from frontoffice.core import capabilities as caps
from frontoffice.core import demo as core_demo
from frontoffice.core.models import Activity, Member
from frontoffice.reception import demo, presets, queries
from frontoffice.reception.models import Delivery, DocumentAcceptance, Visit, VisitDocument, WatchlistEntry
from tests.reception.factories import eager_tasks  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("eager_tasks")


def members_by_role(organization):
    by_role = {}
    for member in Member.objects.filter(organization=organization).select_related("user"):
        for role in member.roles:
            by_role.setdefault(role, member)
    return by_role


@pytest.mark.parametrize("vertical", ["medical", "legal", "education", "small_business"])
def test_demo_day(db, vertical):
    organization, _logins = core_demo.load_office(vertical)
    assert demo.load in core_demo.DEMO_LOADERS
    visits = Visit.objects.filter(organization=organization)
    statuses = {status: visits.filter(status=status).count() for status, _label in Visit.Status.choices}
    assert statuses["expected"] >= 3 and statuses["arrived"] >= 2 and statuses["with_host"] >= 1
    assert statuses["left"] >= 2 and statuses["cancelled"] == 1
    assert visits.filter(client__isnull=False).exists()
    known_types = {t.key for t in presets.visit_types(vertical)}
    assert set(visits.values_list("visit_type", flat=True)) <= known_types

    board = queries.desk_board(organization)
    assert board.counts.overdue == 1 and board.counts.waiting >= 2 and board.counts.deliveries == 2
    badges = sorted(int(v.badge_number) for v in visits.exclude(badge_number=""))
    assert badges == list(range(1, len(badges) + 1))

    assert WatchlistEntry.objects.filter(organization=organization, active=True).count() == 1
    documents = VisitDocument.objects.filter(organization=organization, active=True)
    kinds = [d.kind for d in documents]
    assert len(kinds) == len(set(kinds)) >= 1
    assert {d.kind for d in documents} == {d.kind for d in presets.default_documents(vertical)}
    assert DocumentAcceptance.objects.filter(visit__organization=organization).exists() or not any(
        d.applies_to(v.visit_type) for d in documents for v in visits.filter(check_in_via="kiosk"))
    assert Delivery.objects.filter(organization=organization, picked_up_at__isnull=False).count() == 1

    checked_in = Activity.objects.filter(organization=organization, verb="visit.checked_in")
    assert checked_in.count() == visits.exclude(arrived_at=None).count()
    assert not Activity.objects.filter(organization=organization, verb__startswith="visit.").exclude(
        subject_label="").exists()  # visitor names stay out of the log


def test_demo_loader_runs_once(db):
    organization, _logins = core_demo.load_office("medical")
    count = Visit.objects.filter(organization=organization).count()
    demo.load(organization, members_by_role(organization))
    assert Visit.objects.filter(organization=organization).count() == count
    assert members_by_role(organization)[caps.RECEPTIONIST]
