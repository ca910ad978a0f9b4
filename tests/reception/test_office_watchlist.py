"""The watchlist pages: list, add, edit and remove; bad input changes nothing and keeps what was typed."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from frontoffice.core.models import Activity
from frontoffice.reception.models import WatchlistEntry
from tests.reception.factories import WatchlistEntryFactory


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def web(manager, signed_in):
    return signed_in(manager)


@pytest.fixture
def entry(org):
    return WatchlistEntryFactory(organization=org, full_name="Adam Zakazany", date_of_birth=date(1975, 4, 2),
                                 reason="Threatened the staff.")


def test_list_shows_active_entries_with_reason_and_date_of_birth(web, org, entry):
    WatchlistEntryFactory(organization=org, full_name="Old Entry", active=False)
    response = web.get(reverse("reception:watchlist"))
    html = page(response)
    assert response.status_code == 200
    assert "Adam Zakazany" in html and "1975-04-02" in html and "Threatened the staff." in html
    assert reverse("reception:watchlist_edit", args=[entry.pk]) in html
    assert reverse("reception:watchlist_remove", args=[entry.pk]) in html and "data-confirm" in html
    assert "Old Entry" not in html


def test_list_never_shows_another_organisations_entries(web, other_org):
    WatchlistEntryFactory(organization=other_org, full_name="Somebody Elses")
    assert "Somebody Elses" not in page(web.get(reverse("reception:watchlist")))


def test_add_puts_a_person_on_the_watchlist(web, manager, org):
    response = web.post(reverse("reception:watchlist_new"), {
        "full_name": "  Łukasz   Żółtowski ", "date_of_birth": "1980-02-03", "reason": "Stole a laptop."})
    assert response.status_code == 302 and response["Location"] == reverse("reception:watchlist")
    entry = WatchlistEntry.objects.get(organization=org)
    assert entry.full_name.split() == ["Łukasz", "Żółtowski"] and entry.date_of_birth == date(1980, 2, 3)
    assert entry.reason == "Stole a laptop." and entry.added_by == manager and entry.active
    assert Activity.objects.filter(organization=org, verb__startswith="watchlist.").exists()
    assert "Żółtowski" in page(web.get(reverse("reception:watchlist")))


def test_date_of_birth_is_optional(web, org):
    web.post(reverse("reception:watchlist_new"), {"full_name": "Jan Nowak", "date_of_birth": "", "reason": "x"})
    assert WatchlistEntry.objects.get(organization=org).date_of_birth is None


@pytest.mark.parametrize("fields, name, message", [
    ({"full_name": "  "}, "full_name", "This field is required."),
    ({"date_of_birth": "31.02.1980"}, "date_of_birth", "Enter a valid date."),
    ({"reason": ""}, "reason", "This field is required."),
])
def test_bad_input_is_refused_on_the_field_keeping_what_was_typed(web, org, fields, name, message):
    typed = {"full_name": "Jan Nowak", "date_of_birth": "1980-02-03", "reason": "Do not lose this reason."} | fields
    response = web.post(reverse("reception:watchlist_new"), typed)
    assert response.status_code == 400
    html = page(response)
    field_html = html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    assert message in field_html
    assert "Do not lose this reason." in html or name == "reason"
    assert 'value="Jan Nowak"' in html or name == "full_name"
    assert not WatchlistEntry.objects.exists()


def test_edit_shows_the_entry_and_saves_changes(web, entry):
    html = page(web.get(reverse("reception:watchlist_edit", args=[entry.pk])))
    assert 'value="Adam Zakazany"' in html and 'value="1975-04-02"' in html and "Threatened the staff." in html
    response = web.post(reverse("reception:watchlist_edit", args=[entry.pk]), {
        "full_name": "Adam Zakazany-Nowy", "date_of_birth": "", "reason": "Threatened the staff twice."})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.full_name == "Adam Zakazany-Nowy" and entry.date_of_birth is None
    assert entry.reason == "Threatened the staff twice."


def test_edit_with_bad_input_changes_nothing(web, entry):
    response = web.post(reverse("reception:watchlist_edit", args=[entry.pk]), {
        "full_name": "", "date_of_birth": "1975-04-02", "reason": "New reason typed."})
    assert response.status_code == 400 and "New reason typed." in page(response)
    entry.refresh_from_db()
    assert entry.full_name == "Adam Zakazany" and entry.reason == "Threatened the staff."


def test_remove_takes_the_person_off_the_list(web, entry):
    response = web.post(reverse("reception:watchlist_remove", args=[entry.pk]))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.active
    html = page(web.get(reverse("reception:watchlist")))
    assert "Adam Zakazany was taken off the watchlist." in html
    assert reverse("reception:watchlist_edit", args=[entry.pk]) not in html


def test_a_removed_entry_can_no_longer_be_edited_or_removed(web, entry):
    web.post(reverse("reception:watchlist_remove", args=[entry.pk]))
    assert web.get(reverse("reception:watchlist_edit", args=[entry.pk])).status_code == 404
    assert web.post(reverse("reception:watchlist_remove", args=[entry.pk])).status_code == 404


def test_a_receptionist_may_not_see_the_watchlist(receptionist, signed_in, entry):
    response = signed_in(receptionist).get(reverse("reception:watchlist"))
    assert response.status_code == 403 and "Threatened the staff." not in page(response)


def test_a_refusal_of_the_service_shows_on_its_field(web):
    response = web.post(reverse("reception:watchlist_new"), {
        "full_name": "Jan Nowak", "date_of_birth": "2999-01-01", "reason": "Kept reason."})
    assert response.status_code == 400
    html = page(response)
    assert "That date of birth is not possible." in html.split('name="date_of_birth"', 1)[1].split('<div class="field')[0]
    assert "Kept reason." in html and not WatchlistEntry.objects.exists()
