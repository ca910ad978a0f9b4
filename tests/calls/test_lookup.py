"""Who is calling: the caller's number as E.164 and the client it belongs to (one query)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontoffice.calls.lookup import ClientMatch, caller_number, client_for_number, line_for_number
from frontoffice.calls.models import Line, TelephonyProvider
from frontoffice.clients import services as client_services
from frontoffice.clients.models import Client
from tests.calls.factories import LineFactory, ProviderFactory
from tests.clients.factories import make_client


@pytest.mark.parametrize("raw, expected", [
    ("+48601100200", "+48601100200"),
    ("601 100 200", "+48601100200"),  # national format: the organisation's country
    ("0048 601 100 200", "+48601100200"),
    ("anonymous", ""),
    ("Anonymous", ""),
    ("+266696687", ""),  # Twilio's ANONYMOUS on a keypad
    ("+7378742833", ""),  # RESTRICTED
    ("+8656696", ""),  # UNKNOWN
    ("restricted", ""),
    ("", ""),
    (None, ""),
    ("client:alice", ""),
    ("sip:alice@example.com", ""),
    ("not a number", ""),
    ("+4860", ""),
])
def test_caller_number(raw, expected):
    assert caller_number(raw, "PL") == expected


def test_caller_number_reads_national_numbers_in_the_organisations_country():
    assert caller_number("020 7946 0018", "GB") == "+442079460018"


def test_a_known_number_finds_its_client_in_one_query(owner):
    client = make_client(owner, phones=["+48601100200"])
    make_client(owner, first_name="Other", phones=["+48601100201"])
    with CaptureQueriesContext(connection) as queries:
        match = client_for_number(owner.organization_id, "+48601100200")
    assert len(queries) == 1
    assert match == (client.pk, client.display_name) and match.client_id == client.pk
    assert match.display_name == client.display_name and match.matches == 1
    client_id, name = match  # unpacks as the pair
    assert client_id == client.pk


def test_an_unknown_or_empty_number_is_none_without_asking_for_empty(owner):
    make_client(owner, phones=["+48601100200"])
    assert client_for_number(owner.organization_id, "+48601100299") is None
    with CaptureQueriesContext(connection) as queries:
        assert client_for_number(owner.organization_id, "") is None
    assert len(queries) == 0


def test_another_organisations_client_is_not_found(owner, other_owner):
    make_client(other_owner, phones=["+48601100200"])
    assert client_for_number(owner.organization_id, "+48601100200") is None


def test_a_shared_number_gives_the_most_recently_updated_client_and_the_count(owner):
    older = make_client(owner, first_name="Anna", phones=["+48601100200"])
    newer = make_client(owner, first_name="Piotr", phones=["+48601100200"])
    Client.objects.filter(pk=older.pk).update(updated_at=newer.updated_at + timedelta(minutes=5))
    match = client_for_number(owner.organization_id, "+48601100200")
    assert match.client_id == older.pk and match.matches == 2


def test_an_archived_client_is_found_after_live_ones(owner):
    archived = make_client(owner, first_name="Anna", phones=["+48601100200"])
    client_services.client_archive(actor=owner, client=archived)
    assert client_for_number(owner.organization_id, "+48601100200").client_id == archived.pk
    live = make_client(owner, first_name="Piotr", phones=["+48601100200"])
    Client.objects.filter(pk=archived.pk).update(updated_at=live.updated_at + timedelta(minutes=5))
    assert client_for_number(owner.organization_id, "+48601100200").client_id == live.pk


def test_merged_and_erased_clients_are_not_callers(owner):
    kept = make_client(owner, first_name="Anna", phones=["+48601100200"])
    merged = make_client(owner, first_name="Anna", last_name="Kowalska", phones=["+48601100200"])
    client_services.client_merge(actor=owner, kept=kept, merged=merged)
    assert client_for_number(owner.organization_id, "+48601100200") == ClientMatch(kept.pk, kept.display_name)
    assert client_for_number(owner.organization_id, "+48601100200").matches == 1
    client_services.client_erase(actor=owner, client=Client.objects.get(pk=kept.pk))
    assert client_for_number(owner.organization_id, "+48601100200") is None


# --- the called line ---------------------------------------------------------------------------------

def _same_row(found, expected) -> None:
    for field in type(expected)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name


def test_a_line_is_found_by_its_number_with_organisation_provider_and_site_in_one_query(org):
    site = org.sites.get()
    line = LineFactory(site=site, flow={"greeting_text": "Dzień dobry", "menu": {"1": 5}})
    provider = ProviderFactory(organization=org)
    with CaptureQueriesContext(connection) as queries:
        found = line_for_number(line.number)
        assert found.organization.telephony.auth_token == provider.auth_token
        assert found.site.tz == site.tz and found.organization.tz == org.tz
    assert len(queries) == 1
    _same_row(found, Line.objects.get(pk=line.pk))
    _same_row(found.organization, org)
    _same_row(found.organization.telephony, provider)
    _same_row(found.site, site)
    assert found.flow["menu"] == {"1": 5} and isinstance(found.active, bool)


def test_a_line_of_an_organisation_without_a_provider_says_so(org):
    line = LineFactory(site=org.sites.get())
    found = line_for_number(line.number)
    with pytest.raises(TelephonyProvider.DoesNotExist):
        found.organization.telephony


def test_unknown_and_switched_off_numbers_find_no_line(org):
    line = LineFactory(site=org.sites.get(), active=False)
    assert line_for_number(line.number) is None
    assert line_for_number("+48225559999") is None
    assert line_for_number("") is None
