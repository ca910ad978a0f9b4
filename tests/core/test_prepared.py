"""Prepared querysets give what the ORM gives, in one query, with the SQL compiled once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontoffice.core.models import Member, Organization
from frontoffice.core.prepared import Prepared
from tests.core.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

_SAMPLE = 2_000_000_001

members_of = Prepared(lambda user_id: Member.objects.select_related("organization", "user")
                      .filter(user_id=user_id, active=True).order_by("organization__name"), _SAMPLE)


def test_instances_with_related_objects_match_the_orm():
    member = MemberFactory(organization__name="B office", roles=["receptionist"])
    other = MemberFactory(user=member.user, organization__name="A office")
    MemberFactory(user=member.user, active=False)
    MemberFactory()  # someone else

    found = members_of(member.user_id)

    assert [m.pk for m in found] == [other.pk, member.pk]
    first = found[1]
    assert first.roles == ["receptionist"]  # JSON converted like the ORM does
    assert first.joined_at == Member.objects.get(pk=member.pk).joined_at
    assert first.organization.name == "B office" and first.user.email == member.user.email
    assert not first._state.adding and first._state.db == "default"


def test_one_query_per_call_and_nothing_found_is_empty():
    member = MemberFactory()
    members_of(member.user_id)  # compiled
    with CaptureQueriesContext(connection) as queries:
        assert members_of(member.user_id)[0].pk == member.pk
        assert members_of(member.user_id + 1000) == []
    assert len(queries) == 2


def test_a_value_used_twice_fills_both_places_and_dates_are_adapted():
    org = OrganizationFactory()
    joined = timezone.now() - timedelta(days=3)
    old = MemberFactory(organization=org, joined_at=joined)
    MemberFactory(organization=org)  # joined now
    since = Prepared(lambda org_id, when: Member.objects.filter(organization_id=org_id, joined_at__lt=when)
                     .exclude(organization_id=org_id, active=False), _SAMPLE, timezone.now() - timedelta(days=9999))

    assert [m.pk for m in since(org.pk, timezone.now() - timedelta(days=1))] == [old.pk]
    assert since(org.pk, joined - timedelta(days=1)) == []


def test_values_list_and_annotations():
    org = OrganizationFactory(name="Counted")
    MemberFactory.create_batch(2, organization=org)
    names = Prepared(lambda org_id: Organization.objects.filter(pk=org_id).values_list("name", "slug"), _SAMPLE)
    counted = Prepared(lambda org_id: Organization.objects.filter(pk=org_id).annotate(n=Count("members")),
                       _SAMPLE)

    assert names(org.pk) == [("Counted", org.slug)]
    assert counted.first(org.pk).n == 2
    assert counted.first(org.pk + 1000) is None


def test_a_sample_the_query_does_not_use_is_refused():
    unused = Prepared(lambda org_id: Organization.objects.filter(name="x"), _SAMPLE)
    with pytest.raises(ValueError, match="not among"):
        unused(1)
    with pytest.raises(TypeError):
        members_of(1, 2)


def test_flat_values_and_only_instances_or_rows():
    org = OrganizationFactory(name="Flat")
    flat = Prepared(lambda org_id: Organization.objects.filter(pk=org_id).values_list("name", flat=True), _SAMPLE)
    dicts = Prepared(lambda org_id: Organization.objects.filter(pk=org_id).values("name"), _SAMPLE)

    assert flat(org.pk) == ["Flat"]
    with pytest.raises(TypeError, match="instances or values_list"):
        dicts(org.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side prepared statements: PostgreSQL")
def test_postgresql_plans_the_statement_once_per_connection():
    member = MemberFactory()
    for _ in range(2):
        members_of(member.user_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"core_member"' in statement and "$1" in statement for statement in prepared)
    assert members_of(member.user_id)[0].organization == member.organization


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side prepared statements: PostgreSQL")
def test_postgresql_without_prepared_statements_still_answers(monkeypatch):
    member = MemberFactory()
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    assert [m.pk for m in members_of(member.user_id)] == [member.pk]
