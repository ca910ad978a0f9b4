"""The clients' shared reads: tenancy of every query, the timeline across merges, duplicates."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from frontoffice.clients import queries, services
from frontoffice.clients.validation import ClientInput, clean_client
from frontoffice.core.services import activity_record
from tests.clients.factories import make_client


def clean(org, **fields):
    return clean_client(org, ClientInput(**({"first_name": "Jan", "last_name": "Kowalski"} | fields)), fields=[])


def test_clients_of_keeps_to_the_organisation_and_hides_merged_records(owner, other_owner):
    org = owner.organization
    live = make_client(owner)
    archived = services.client_archive(actor=owner, client=make_client(owner, first_name="Ola"))
    merged = make_client(owner, first_name="Janek")
    services.client_merge(actor=owner, kept=live, merged=merged)
    make_client(other_owner)
    assert set(queries.clients_of(org)) == {live}
    assert set(queries.clients_of(org, archived=True)) == {archived}
    assert set(queries.clients_of(org, archived=None)) == {live, archived}


def test_client_names_answers_only_for_the_organisations_ids(owner, other_owner):
    ours, theirs = make_client(owner), make_client(other_owner, first_name="Obcy")
    assert queries.client_names(owner.organization, [ours.pk, theirs.pk, None]) == {ours.pk: "Jan Kowalski"}


def test_timeline_is_newest_first_filtered_by_family_and_paged(owner):
    client = make_client(owner)
    org = owner.organization
    now = timezone.now()
    for n in range(5):
        activity_record(organization=org, actor=owner, verb="visit.checked_in", client_id=client.pk,
                        occurred_at=now - timedelta(hours=n + 1))
    activity_record(organization=org, actor=owner, verb="visit.checked_in", client_id=make_client(owner).pk)
    first = queries.timeline(client, limit=4)
    assert [a.verb for a in first.items] == ["client.created"] + ["visit.checked_in"] * 3
    rest = queries.timeline(client, cursor=first.next_cursor, limit=4)
    assert len(rest.items) == 2 and rest.next_cursor is None
    assert [a.verb for a in queries.timeline(client, verb_prefix="client.").items] == ["client.created"]
    times = [a.occurred_at for a in first.items + rest.items]
    assert times == sorted(times, reverse=True)


def test_timeline_of_the_kept_record_includes_the_merged_records_until_undo(owner):
    kept, merged = make_client(owner), make_client(owner, first_name="Janek")
    activity_record(organization=owner.organization, actor=owner, verb="call.answered", client_id=merged.pk)
    merge = services.client_merge(actor=owner, kept=kept, merged=merged)
    assert "call.answered" in [a.verb for a in queries.timeline(kept).items]
    services.merge_undo(actor=owner, merge=merge)
    assert "call.answered" not in [a.verb for a in queries.timeline(kept).items]
    assert "call.answered" in [a.verb for a in queries.timeline(merged).items]


def test_possible_duplicates_name_the_reason(owner):
    org = owner.organization
    by_phone = make_client(owner, first_name="Adam", last_name="Nowak", phones=["600 100 200"])
    by_email = make_client(owner, first_name="Ewa", last_name="Lis", emails=["ewa@example.com"])
    by_id = make_client(owner, first_name="Olga", last_name="Mak", identifiers={"patient_no": "P-7"})
    same_birth = make_client(owner, first_name="Jan", last_name="Kowalsky", date_of_birth=date(1980, 12, 31))
    found = queries.possible_duplicates(org, clean(org, phones=["+48600100200"], emails=["EWA@example.com"],
                                                   identifiers={"patient_no": "P-7"}, date_of_birth="31.12.1980"))
    assert [(c.pk, reason) for c, reason in found] == [
        (by_id.pk, "identifier"), (by_phone.pk, "phone"), (by_email.pk, "email"),
        (same_birth.pk, "similar name and date of birth")]


def test_possible_duplicates_leave_out_the_record_itself_and_other_organisations(owner, other_owner):
    org = owner.organization
    jan = make_client(owner, phones=["600 100 200"])
    make_client(other_owner, phones=["600 100 200"])
    assert queries.possible_duplicates(org, clean(org, phones=["600100200"]), exclude_id=jan.pk) == []
    assert [c.pk for c, _reason in queries.possible_duplicates(org, clean(org, phones=["600100200"]))] == [jan.pk]


def test_duplicate_pairs_across_the_organisation(owner, other_owner):
    a = make_client(owner, phones=["600 100 200"])
    b = make_client(owner, first_name="Janek", phones=["+48 600 100 200"])
    c = make_client(owner, first_name="Ala", last_name="Nowak", date_of_birth=date(1990, 1, 1))
    d = make_client(owner, first_name="Ala", last_name="Nowak", date_of_birth=date(1990, 1, 1))
    make_client(other_owner, phones=["600 100 200"])
    pairs = {(left.pk, right.pk): reason for left, right, reason in queries.duplicate_pairs(owner.organization)}
    assert pairs == {(a.pk, b.pk): "phone", (c.pk, d.pk): "name and date of birth"}
