"""The clients API (/api/v1/clients): the JSON contract, search, correction, archive, merge, timeline,
import and export, bad input, tenancy and capabilities."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from frontoffice.clients import services
from frontoffice.clients.models import Client, Merge
from frontoffice.clients.validation import ClientInput
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.clients.factories import make_client

BASE = "/api/v1/clients"
PESEL = "44051401359"  # born 1944-05-14
CONTRACT = {"id", "kind", "first_name", "last_name", "organization_name", "display_name", "date_of_birth",
            "phones", "emails", "identifiers", "tags", "custom", "archived", "created_at", "updated_at"}


def send(http, method: str, url: str, body=None):
    return http.generic(method, url, "" if body is None else json.dumps(body),
                        content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.fixture
def api(owner, api_as):
    return api_as(owner)


@pytest.fixture
def insurer(owner):
    return services.custom_field_save(actor=owner, label="Insurer", kind="choice", choices=["NFZ", "Private"])


# --- the contract ----------------------------------------------------------------------------

def test_created_client_has_exactly_the_contract_fields_normalised(api, insurer, owner):
    response = send(api, "POST", BASE, {
        "first_name": " Żaneta ", "last_name": "Żółw", "date_of_birth": "1944-05-14",
        "phones": ["600 100 200", "+48 22 123 45 67"], "emails": ["Zaneta@Example.COM"],
        "identifiers": {"pesel": PESEL}, "tags": ["vip", "vip", "late payer"], "custom": {"insurer": "NFZ"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == CONTRACT
    client = Client.objects.get()
    assert body | {"created_at": None, "updated_at": None} == {
        "id": client.pk, "kind": "person", "first_name": "Żaneta", "last_name": "Żółw",
        "organization_name": "", "display_name": "Żaneta Żółw", "date_of_birth": "1944-05-14",
        "phones": ["+48600100200", "+48221234567"],
        "emails": ["zaneta@example.com"], "identifiers": {"pesel": PESEL}, "tags": ["vip", "late payer"],
        "custom": {"insurer": "NFZ"}, "archived": False, "created_at": None, "updated_at": None}
    activity = Activity.objects.get(verb="client.created")
    assert (activity.client_id, activity.actor_id, activity.data) == (client.pk, owner.pk, {"source": "api"})


def test_an_organisation_client_has_its_name_and_no_person_fields(api):
    response = send(api, "POST", BASE, {"kind": "organization", "organization_name": "Łódź Print sp. z o.o.",
                                         "identifiers": {"nip": "123-456-32-18"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["display_name"], body["first_name"], body["date_of_birth"]) == (
        "organization", "Łódź Print sp. z o.o.", "", None)
    assert body["identifiers"] == {"nip": "1234563218"}


def test_custom_fields_take_numbers_and_null(api, owner, insurer):
    services.custom_field_save(actor=owner, label="Visits", kind="number")
    response = send(api, "POST", BASE, {"last_name": "Kowalski", "custom": {"visits": 12.5, "insurer": None}})
    assert response.status_code == 201, response.content
    assert response.json()["custom"] == {"visits": "12.5"}


def test_get_returns_the_same_record_as_created(api):
    body = {"first_name": "Jan", "last_name": "Kowalski", "phones": ["600100200"]}
    created = send(api, "POST", BASE, body).json()
    response = api.get(f"{BASE}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_list_without_q_is_every_active_client_by_name(api, owner):
    for last in ["Zieliński", "Adamska", "Nowak"]:
        make_client(owner, last_name=last)
    archived = make_client(owner, last_name="Borowy")
    services.client_archive(actor=owner, client=archived)
    body = api.get(BASE).json()
    assert [c["last_name"] for c in body["items"]] == ["Adamska", "Nowak", "Zieliński"]
    assert body["next_cursor"] is None
    assert [c["last_name"] for c in api.get(BASE, {"archived": "true"}).json()["items"]] == ["Borowy"]
    assert [c["last_name"] for c in api.get(BASE, {"archived": "any"}).json()["items"]] == [
        "Adamska", "Borowy", "Nowak", "Zieliński"]


def test_list_never_shows_merged_records(api, owner):
    kept, merged = make_client(owner, last_name="Nowak"), make_client(owner, last_name="Nowakowski")
    services.client_merge(actor=owner, kept=kept, merged=merged)
    assert [c["id"] for c in api.get(BASE, {"archived": "any"}).json()["items"]] == [kept.pk]


# --- search ------------------------------------------------------------------------------------

def test_search_ignores_case_and_polish_diacritics(api, owner):
    zolw = make_client(owner, first_name="Żaneta", last_name="Żółw")
    lodz = make_client(owner, kind="organization", first_name="", last_name="",
                       organization_name="Łódź Print")
    make_client(owner, first_name="Adam", last_name="Nowak")
    for q, expected in [("zolw", zolw), ("ŻÓŁW", zolw), ("lodz", lodz), ("aneta zol", zolw)]:
        assert [c["id"] for c in api.get(BASE, {"q": q}).json()["items"]] == [expected.pk], q


@pytest.mark.parametrize("q", ["600 100 200", "+48600100200", "600-100-200", "100200", "0048 600 100 200"])
def test_search_finds_a_phone_typed_in_any_format(api, owner, q):
    found = make_client(owner, last_name="Żółw", phones=["+48 600 100 200"])
    make_client(owner, last_name="Nowak", phones=["600 100 201"])
    assert [c["id"] for c in api.get(BASE, {"q": q}).json()["items"]] == [found.pk]


def test_search_finds_by_email_and_identifier(api, owner):
    found = make_client(owner, emails=["jan@example.com"], identifiers={"pesel": PESEL})
    make_client(owner, last_name="Nowak")
    assert [c["id"] for c in api.get(BASE, {"q": "JAN@example.com"}).json()["items"]] == [found.pk]
    assert [c["id"] for c in api.get(BASE, {"q": PESEL}).json()["items"]] == [found.pk]


def test_search_pages_by_cursor_without_repeats_or_gaps(api, owner):
    expected = {make_client(owner, first_name=f"Anna{n:02}", last_name="Wiśniewska").pk for n in range(45)}
    make_client(owner, first_name="Jan", last_name="Kowalski")
    seen, sizes, cursor = [], [], None
    while True:
        params = {"q": "wisniewska"} | ({"cursor": cursor} if cursor else {})
        body = api.get(BASE, params).json()
        sizes.append(len(body["items"]))
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sizes == [20, 20, 5]
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_search_pages_across_ranking_buckets_best_first(api, owner):
    starts = [make_client(owner, first_name=f"Anna{n:02}", last_name="Nowak").pk for n in range(15)]
    word = [make_client(owner, first_name="Nowakówna", last_name=f"Kowalska{n:02}").pk for n in range(15)]
    inside = [make_client(owner, first_name="Jan", last_name=f"Janowak{n:02}").pk for n in range(15)]
    make_client(owner, first_name="Adam", last_name="Nowicki")
    seen, cursor = [], None
    for _page in range(3):
        body = api.get(BASE, {"q": "nowak"} | ({"cursor": cursor} if cursor else {})).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
    assert cursor is None
    assert seen == starts + word + inside


@pytest.mark.parametrize("q", ["", "kowal"])
def test_a_page_of_clients_costs_the_same_queries_whatever_its_size(api, owner, q):
    def queries_for_a_page():
        api.get(BASE, {"q": q})  # the token's last-use stamp is written at most once a minute
        with CaptureQueriesContext(connection) as captured:
            assert api.get(BASE, {"q": q}).status_code == 200
        return len(captured)

    make_client(owner, last_name="Kowalski", phones=["600100200"], emails=["a@example.com"])
    few = queries_for_a_page()
    for n in range(19):
        make_client(owner, last_name=f"Kowalski{n}", phones=[f"6001002{n:02}"], emails=[f"k{n}@example.com"])
    assert queries_for_a_page() == few


def test_limit_sets_the_page_size_up_to_100(api, owner):
    for n in range(5):
        make_client(owner, last_name=f"Nowak{n}")
    body = api.get(BASE, {"q": "nowak", "limit": 2}).json()
    assert len(body["items"]) == 2 and body["next_cursor"]
    response = api.get(BASE, {"limit": 101})
    assert response.status_code == 422
    assert error_fields(response) == {"limit"}


def test_a_forged_cursor_is_400_naming_the_cursor(api, owner):
    make_client(owner)
    for cursor in ["not-a-cursor", "WzFd"]:  # garbage; base64 of a one-element list
        response = api.get(BASE, {"q": "kow", "cursor": cursor})
        assert response.status_code == 400, cursor
        assert error_fields(response) == {"cursor"}


# --- correcting --------------------------------------------------------------------------------

def test_patch_changes_only_the_fields_sent(api, owner):
    client = make_client(owner, first_name="Jan", last_name="Kowalski", date_of_birth="1944-05-14",
                         phones=["600100200"], emails=["jan@example.com"], identifiers={"pesel": PESEL},
                         tags=["vip"], street="Puławska 1", notes="Prefers mornings")
    response = send(api, "PATCH", f"{BASE}/{client.pk}", {"phones": ["601 200 300", "600100200"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phones"] == ["+48601200300", "+48600100200"]
    assert (body["first_name"], body["date_of_birth"], body["emails"], body["identifiers"], body["tags"]) == (
        "Jan", "1944-05-14", ["jan@example.com"], {"pesel": PESEL}, ["vip"])
    client.refresh_from_db()
    assert (client.street, client.notes) == ("Puławska 1", "Prefers mornings")  # fields the API does not show
    assert Activity.objects.filter(verb="client.updated").get().data == {"fields": ["contacts"]}
    assert [c["id"] for c in api.get(BASE, {"q": "601200300"}).json()["items"]] == [client.pk]  # reindexed


def test_patch_checks_the_whole_record(api, owner):
    client = make_client(owner, date_of_birth="1950-01-01")
    response = send(api, "PATCH", f"{BASE}/{client.pk}", {"identifiers": {"pesel": PESEL}})
    assert response.status_code == 400
    assert error_fields(response) == {"identifiers.pesel"}  # the PESEL says 1944-05-14
    response = send(api, "PATCH", f"{BASE}/{client.pk}",
                    {"identifiers": {"pesel": PESEL}, "date_of_birth": None})
    assert response.status_code == 200, response.content
    assert response.json()["date_of_birth"] is None


def test_patch_can_turn_a_person_into_an_organisation(api, owner):
    client = make_client(owner, first_name="Jan", last_name="Kowalski")
    response = send(api, "PATCH", f"{BASE}/{client.pk}",
                    {"kind": "organization", "organization_name": "Kowalski SA"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["first_name"], body["last_name"], body["display_name"]) == (
        "organization", "", "", "Kowalski SA")


def test_patch_null_is_refused_where_a_field_cannot_be_empty(api, owner):
    client = make_client(owner)
    response = send(api, "PATCH", f"{BASE}/{client.pk}", {"kind": None})
    assert response.status_code == 422
    assert error_fields(response) == {"kind"}


def test_patch_with_nothing_changed_records_nothing(api, owner):
    client = make_client(owner, phones=["600100200"])
    response = send(api, "PATCH", f"{BASE}/{client.pk}", {"phones": ["+48 600 100 200"]})
    assert response.status_code == 200
    assert not Activity.objects.filter(verb="client.updated").exists()


def test_patch_survives_a_custom_field_switched_off_since(api, owner, insurer):
    client = make_client(owner, custom={"insurer": "NFZ"})
    services.custom_field_save(actor=owner, field=insurer, label="Insurer", kind="choice", choices=["NFZ"],
                               active=False)
    response = send(api, "PATCH", f"{BASE}/{client.pk}", {"tags": ["new"]})
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["new"]


def test_patch_of_an_erased_client_is_409(api, owner):
    client = make_client(owner)
    services.client_erase(actor=owner, client=client)
    response = send(api, "PATCH", f"{BASE}/{client.pk}", {"first_name": "Back"})
    assert response.status_code == 409
    assert response.json()["detail"]


def test_a_correction_by_someone_else_soon_after_entry_is_recorded_as_one(api_as, owner, receptionist):
    client = make_client(receptionist)
    response = send(api_as(owner), "PATCH", f"{BASE}/{client.pk}", {"last_name": "Kowalska"})
    assert response.status_code == 200
    assert Activity.objects.get(verb="client.corrected").data["responsible_id"] == receptionist.pk


# --- archiving ---------------------------------------------------------------------------------

def test_delete_archives_and_returns_the_record(api, owner):
    client = make_client(owner)
    response = api.delete(f"{BASE}/{client.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == client.pk and response.json()["archived"] is True
    assert Client.objects.filter(pk=client.pk, archived=True).exists()
    assert Activity.objects.filter(verb="client.archived", client_id=client.pk).count() == 1
    assert api.get(f"{BASE}/{client.pk}").json()["archived"] is True
    assert api.get(BASE).json()["items"] == []
    assert api.delete(f"{BASE}/{client.pk}").status_code == 200  # again: no change, no second entry
    assert Activity.objects.filter(verb="client.archived").count() == 1


# --- timeline ----------------------------------------------------------------------------------

def test_timeline_is_newest_first_filtered_by_kind_and_paginated(api, owner):
    client = make_client(owner)
    for n in range(4):
        services.client_update(actor=owner, client=client,
                               data=ClientInput(first_name="Jan", last_name=f"Kowalski{n}"))
    services.client_archive(actor=owner, client=client)
    body = api.get(f"{BASE}/{client.pk}/timeline").json()
    assert [a["verb"] for a in body["items"]] == [
        "client.archived", *["client.updated"] * 4, "client.created"]
    assert body["items"][0]["actor_id"] == owner.pk and body["items"][0]["client_id"] == client.pk
    updates = api.get(f"{BASE}/{client.pk}/timeline", {"kind": "client.up"}).json()["items"]
    assert [a["verb"] for a in updates] == ["client.updated"] * 4
    first = api.get(f"{BASE}/{client.pk}/timeline", {"limit": 4}).json()
    second = api.get(f"{BASE}/{client.pk}/timeline", {"limit": 4, "cursor": first["next_cursor"]}).json()
    assert [a["id"] for a in first["items"] + second["items"]] == [a["id"] for a in body["items"]]
    assert second["next_cursor"] is None


def test_timeline_holds_nothing_of_other_clients(api, owner):
    client, other = make_client(owner), make_client(owner, last_name="Nowak")
    services.client_archive(actor=owner, client=other)
    assert [a["verb"] for a in api.get(f"{BASE}/{client.pk}/timeline").json()["items"]] == ["client.created"]


def test_timeline_kind_must_look_like_a_verb(api, owner):
    client = make_client(owner)
    response = api.get(f"{BASE}/{client.pk}/timeline", {"kind": "client'; --"})
    assert response.status_code == 422
    assert error_fields(response) == {"kind"}


# --- merge -------------------------------------------------------------------------------------

def test_merge_keeps_the_record_in_the_url_and_takes_over_the_other(api, owner):
    kept = make_client(owner, first_name="Jan", last_name="Kowalski", phones=["600100200"])
    other = make_client(owner, first_name="Jan", last_name="Kowalsky", phones=["601200300"],
                        emails=["jan@example.com"], date_of_birth="1944-05-14")
    response = send(api, "POST", f"{BASE}/{kept.pk}/merge", {"other_id": other.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    merge = Merge.objects.get()
    assert body["merge"]["id"] == merge.pk
    assert (body["merge"]["kept_id"], body["merge"]["merged_id"], body["merge"]["undone_at"]) == (
        kept.pk, other.pk, None)
    assert body["client"]["id"] == kept.pk and body["client"]["last_name"] == "Kowalski"
    assert body["client"]["phones"] == ["+48600100200", "+48601200300"]
    assert (body["client"]["emails"], body["client"]["date_of_birth"]) == (["jan@example.com"], "1944-05-14")
    timeline = api.get(f"{BASE}/{kept.pk}/timeline").json()["items"]
    assert {a["client_id"] for a in timeline} == {kept.pk, other.pk}  # the merged record's history came along


def test_a_merged_record_is_404_naming_the_kept_one(api, owner):
    kept, other = make_client(owner), make_client(owner, last_name="Nowak")
    services.client_merge(actor=owner, kept=kept, merged=other)
    for method, suffix in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/timeline")]:
        body = {"first_name": "X"} if method == "PATCH" else None
        response = send(api, method, f"{BASE}/{other.pk}{suffix}", body)
        assert response.status_code == 404, (method, suffix)
        assert response.json()["detail"] == f"Client {other.pk} was merged into client {kept.pk}."


def test_a_merged_record_points_at_the_live_end_of_a_chain(api, owner):
    first, second, third = (make_client(owner, last_name=name) for name in ["Nowak", "Nowakowski", "Nowicki"])
    services.client_merge(actor=owner, kept=second, merged=first)
    services.client_merge(actor=owner, kept=third, merged=second)
    detail = api.get(f"{BASE}/{first.pk}").json()["detail"]
    assert detail == f"Client {first.pk} was merged into client {third.pk}."


def test_merging_a_record_with_itself_is_400(api, owner):
    client = make_client(owner)
    response = send(api, "POST", f"{BASE}/{client.pk}/merge", {"other_id": client.pk})
    assert response.status_code == 400
    assert error_fields(response) == {"other_id"}
    assert not Merge.objects.exists()


def test_merging_another_organisations_client_is_404(api, owner, other_owner):
    client, stranger = make_client(owner), make_client(other_owner)
    response = send(api, "POST", f"{BASE}/{client.pk}/merge", {"other_id": stranger.pk})
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."
    assert not Merge.objects.exists()
    stranger.refresh_from_db()
    assert stranger.merged_into_id is None


def test_merge_without_other_id_is_422(api, owner):
    client = make_client(owner)
    response = send(api, "POST", f"{BASE}/{client.pk}/merge", {})
    assert response.status_code == 422
    assert error_fields(response) == {"other_id"}


def test_undo_separates_the_records_again(api, owner):
    kept = make_client(owner, phones=["600100200"])
    other = make_client(owner, last_name="Nowak", phones=["601200300"])
    merge = send(api, "POST", f"{BASE}/{kept.pk}/merge", {"other_id": other.pk}).json()["merge"]
    response = api.post(f"{BASE}/merges/{merge['id']}/undo")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["merge"]["undone_at"] is not None
    assert (body["kept"]["id"], body["kept"]["phones"]) == (kept.pk, ["+48600100200"])
    assert (body["restored"]["id"], body["restored"]["phones"], body["restored"]["archived"]) == (
        other.pk, ["+48601200300"], False)
    assert api.get(f"{BASE}/{other.pk}").status_code == 200
    again = api.post(f"{BASE}/merges/{merge['id']}/undo")
    assert again.status_code == 409


def test_undo_after_30_days_is_409(api, owner):
    kept, other = make_client(owner), make_client(owner, last_name="Nowak")
    merge = services.client_merge(actor=owner, kept=kept, merged=other)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = api.post(f"{BASE}/merges/{merge.pk}/undo")
    assert response.status_code == 409
    assert "30" in response.json()["detail"]


# --- duplicates --------------------------------------------------------------------------------

def test_duplicates_lists_pairs_with_the_reason(api, owner):
    first = make_client(owner, first_name="Jan", last_name="Kowalski", phones=["600100200"])
    second = make_client(owner, first_name="Janusz", last_name="Kowal", phones=["600 100 200"])
    make_client(owner, first_name="Adam", last_name="Nowak", phones=["601200300"])
    response = api.get(f"{BASE}/duplicates")
    assert response.status_code == 200
    items = response.json()["items"]
    pairs = [(i["first"]["id"], i["second"]["id"], i["reason"]) for i in items]
    assert pairs == [(first.pk, second.pk, "phone")]
    assert set(items[0]["first"]) == CONTRACT


# --- import --------------------------------------------------------------------------------------

CSV_WITH_AN_ERROR = ("Imię;Nazwisko;Telefon;E-mail\n"
                     "Jan;Kowalski;600 100 200;jan@example.com\n"
                     "Anna;Nowak;12;anna@example.com\n"
                     "Żaneta;Żółw;601-200-300;\n").encode("cp1250")


def upload(http, content: bytes, name: str = "clients.csv", **fields):
    return http.post(f"{BASE}/import", {"file": SimpleUploadedFile(name, content), **fields})


def test_import_is_a_dry_run_by_default_reporting_row_errors(api):
    response = upload(api, CSV_WITH_AN_ERROR)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dry_run"], body["committed"], body["rows"], body["valid"], body["invalid_rows"]) == (
        True, False, 3, 2, 1)
    assert body["mapping"] == ["first_name", "last_name", "phones", "emails"]
    assert [(e["row"], e["column"], e["field"]) for e in body["errors"]] == [(3, "Telefon", "phones")]
    assert "dry run" in body["detail"]
    assert not Client.objects.exists()


def test_import_with_row_errors_stores_nothing_unless_asked_for_the_valid_rows(api, owner):
    refused = upload(api, CSV_WITH_AN_ERROR, dry_run="false")
    assert refused.status_code == 400
    assert (refused.json()["committed"], refused.json()["errors"][0]["field"]) == (False, "phones")
    assert not Client.objects.exists()
    response = upload(api, CSV_WITH_AN_ERROR, dry_run="false", valid_rows_only="true")
    assert response.status_code == 201, response.content
    assert (response.json()["created"], response.json()["committed"]) == (2, True)
    assert sorted(Client.objects.values_list("display_name", flat=True)) == ["Jan Kowalski", "Żaneta Żółw"]
    assert [c["id"] for c in api.get(BASE, {"q": "zolw"}).json()["items"]] == [
        Client.objects.get(last_name="Żółw").pk]
    assert Activity.objects.get(verb="client.imported").actor_id == owner.pk


def test_import_of_a_real_xlsx_file_with_a_mapping_override(api):
    book = Workbook()
    sheet = book.active
    sheet.append(["Klient", "Kontakt", "Urodzony"])
    sheet.append(["Jan Kowalski", "600100200", "1980-12-31"])
    sheet.append(["Anna Nowak", "601200300", "1975-01-02"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(api, buffer.getvalue(), "clients.xlsx", dry_run="false",
                      mapping='{"Kontakt": "phones"}')
    assert response.status_code == 201, response.content
    assert response.json()["mapping"] == ["full_name", "phones", "date_of_birth"]
    jan = api.get(BASE, {"q": "600 100 200"}).json()["items"]
    assert [(c["first_name"], c["last_name"], c["date_of_birth"]) for c in jan] == [
        ("Jan", "Kowalski", "1980-12-31")]


@pytest.mark.parametrize(("content", "name", "fields", "field"), [
    (b"%PDF-1.4 not a sheet", "clients.csv", {}, "file"),
    (b"", "clients.csv", {}, "file"),
    (b"PK\x03\x04broken", "clients.xlsx", {}, "file"),
    ("Imię;Nazwisko\nJan;Kowalski\n".encode(), "clients.csv", {"mapping": "{not json"}, "mapping"),
    ("Imię;Nazwisko\nJan;Kowalski\n".encode(), "clients.csv", {"mapping": '{"Imię": "shoe_size"}'},
     "mapping"),
], ids=["not-a-spreadsheet", "empty", "damaged-xlsx", "mapping-not-json", "mapping-unknown-field"])
def test_an_unreadable_upload_is_400_naming_the_file_or_mapping(api, content, name, fields, field):
    response = upload(api, content, name, dry_run="false", **fields)
    assert response.status_code == 400, response.content
    assert error_fields(response) == {field}
    assert not Client.objects.exists()


def test_import_without_a_file_is_400_naming_the_file(api):
    response = api.post(f"{BASE}/import", {"dry_run": "false"})
    assert response.status_code == 400
    assert error_fields(response) == {"file"}


def test_import_needs_the_import_capability(org, make_member, api_as):
    response = upload(api_as(make_member(org, caps.RECEPTIONIST)), CSV_WITH_AN_ERROR, dry_run="false",
                      valid_rows_only="true")
    assert response.status_code == 403
    assert not Client.objects.exists()
    assert upload(HttpClient(), CSV_WITH_AN_ERROR).status_code == 401


# --- export --------------------------------------------------------------------------------------

def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(text.splitlines()))


def test_export_csv_of_a_search_holds_only_what_the_search_finds(api, owner, other_owner):
    make_client(owner, first_name="Żaneta", last_name="Żółw", phones=["600100200"], tags=["=HYPERLINK(1)"])
    make_client(owner, first_name="Adam", last_name="Nowak")
    make_client(other_owner, first_name="Zofia", last_name="Żółw")
    response = api.get(f"{BASE}/export", {"format": "csv", "q": "zolw"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["First name"], row["Last name"], row["Phone"], row["Tags"]) == (
        "Żaneta", "Żółw", "'+48600100200", "'=HYPERLINK(1)")  # neutralised: a spreadsheet runs neither
    assert Activity.objects.filter(verb="client.exported_list", actor=owner).count() == 1


def test_export_xlsx_is_a_real_workbook_of_every_client(api, owner):
    for last in ["Nowak", "Adamska"]:
        make_client(owner, last_name=last)
    response = api.get(f"{BASE}/export", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    last_name = values[0].index("Last name")
    assert [row[last_name] for row in values[1:]] == ["Adamska", "Nowak"]


def test_export_in_an_unknown_format_is_400_naming_the_format(api, owner):
    response = api.get(f"{BASE}/export", {"format": "ods"})
    assert response.status_code == 400
    assert error_fields(response) == {"format"}
    assert not Activity.objects.filter(verb="client.exported_list").exists()


# --- bad input ---------------------------------------------------------------------------------

BAD_BODIES = [
    ({"last_name": "Kowalski", "phones": ["12"]}, 400, "phones"),
    ({"last_name": "Kowalski", "phones": ["600 100 200 300 400"]}, 400, "phones"),
    ({"last_name": "Kowalski", "emails": ["jan@"]}, 400, "emails"),
    ({"last_name": "Kowalski", "identifiers": {"pesel": "44051401358"}}, 400, "identifiers.pesel"),
    ({"last_name": "Kowalski", "identifiers": {"passport": "AB123"}}, 400, "identifiers.passport"),
    ({"last_name": "Kowalski", "date_of_birth": "1980-02-30"}, 422, "date_of_birth"),
    ({"last_name": "Kowalski", "date_of_birth": "31.12.1980"}, 422, "date_of_birth"),
    ({"last_name": "Kowalski", "date_of_birth": "2999-01-01"}, 400, "date_of_birth"),
    ({"last_name": "Kowalski", "custom": {"foo": "bar"}}, 400, "custom.foo"),
    ({"last_name": "Kowalski", "custom": {"insurer": "Nobody"}}, 400, "custom.insurer"),
    ({"last_name": "Kowalski", "custom": {"insurer": True}}, 422, "custom.insurer"),
    ({"last_name": "Kowalski", "kind": "robot"}, 422, "kind"),
    ({"last_name": "K" * 101}, 422, "last_name"),
    ({"last_name": "Kowalski", "phones": "600100200"}, 422, "phones"),
    ({"last_name": "Kowalski", "phone": "600100200"}, 422, "phone"),  # a typo is refused, not lost
    ({"last_name": "Kowalski", "notes": "Prefers mornings"}, 422, "notes"),  # not in the API (yet)
    ({"first_name": "", "last_name": ""}, 400, "last_name"),
    ({"kind": "organization", "organization_name": "ACME", "date_of_birth": "1980-01-01"}, 400,
     "date_of_birth"),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD_BODIES, ids=[f for _b, _s, f in BAD_BODIES])
def test_bad_input_on_create_names_the_field_and_saves_nothing(api, insurer, body, status, field):
    before = Activity.objects.count()
    response = send(api, "POST", BASE, body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert response.json()["detail"]
    assert not Client.objects.exists()
    assert Activity.objects.count() == before


@pytest.mark.parametrize(("body", "status", "field"), BAD_BODIES[:-1],
                         ids=[f for _b, _s, f in BAD_BODIES[:-1]])
def test_bad_input_on_patch_names_the_field_and_changes_nothing(api, owner, insurer, body, status, field):
    client = make_client(owner, first_name="Jan", last_name="Kowalski", phones=["600100200"])
    stored = Client.objects.filter(pk=client.pk).values().get()
    before = Activity.objects.count()
    response = send(api, "PATCH", f"{BASE}/{client.pk}", body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert Client.objects.filter(pk=client.pk).values().get() == stored
    assert [p.number for p in client.phones.all()] == ["+48600100200"]
    assert Activity.objects.count() == before


def test_a_body_that_is_not_json_is_refused(api):
    response = api.generic("POST", BASE, "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert not Client.objects.exists()


# --- authentication, capabilities, tenancy -----------------------------------------------------

@pytest.fixture
def world(owner):
    """A client, a second one and a merge to undo, all in the owner's organisation."""
    client, other = make_client(owner), make_client(owner, last_name="Nowak", phones=["600100200"])
    loose = make_client(owner, last_name="Zawada")
    merge = services.client_merge(actor=owner, kept=other, merged=loose)
    return {"client": client.pk, "other": other.pk, "merge": merge.pk}


# (method, url, body, capability)
ENDPOINTS = [
    ("GET", lambda w: BASE, None, "clients.view"),
    ("POST", lambda w: BASE, {"last_name": "Nowy"}, "clients.edit"),
    ("GET", lambda w: f"{BASE}/{w['client']}", None, "clients.view"),
    ("PATCH", lambda w: f"{BASE}/{w['client']}", {"first_name": "Piotr"}, "clients.edit"),
    ("DELETE", lambda w: f"{BASE}/{w['client']}", None, "clients.archive"),
    ("GET", lambda w: f"{BASE}/{w['client']}/timeline", None, "clients.view"),
    ("POST", lambda w: f"{BASE}/{w['client']}/merge", "other", "clients.merge"),
    ("POST", lambda w: f"{BASE}/merges/{w['merge']}/undo", None, "clients.merge"),
    ("GET", lambda w: f"{BASE}/duplicates", None, "clients.merge"),
    ("POST", lambda w: f"{BASE}/import", None, "clients.import"),
    ("GET", lambda w: f"{BASE}/export", None, "clients.export"),
]
PLACEHOLDERS = {"client": "{id}", "merge": "{merge_id}"}
ENDPOINT_IDS = [f"{m} {u(PLACEHOLDERS)}" for m, u, _b, _c in ENDPOINTS]


def _body(body, world):
    return {"other_id": world["other"]} if body == "other" else body


@pytest.mark.parametrize(("method", "url", "body", "capability"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_every_endpoint_without_a_token_is_401(world, method, url, body, capability):
    before = (Client.objects.count(), Activity.objects.count())
    for http in [HttpClient(), HttpClient(headers={"Authorization": "Bearer fo_wrong"})]:
        response = send(http, method, url(world), _body(body, world))
        assert response.status_code == 401
        assert response.json()["detail"]
    assert (Client.objects.count(), Activity.objects.count()) == before


def _lacking(capability):
    return [role for role in caps.ROLES if capability not in caps.capabilities_for([role])]


FORBIDDEN = [(m, u, b, c, role) for m, u, b, c in ENDPOINTS for role in _lacking(c)]


@pytest.mark.parametrize(("method", "url", "body", "capability", "role"), FORBIDDEN,
                         ids=[f"{m} {u(PLACEHOLDERS)} as {role}" for m, u, _b, _c, role in FORBIDDEN])
def test_a_member_without_the_capability_gets_403(world, org, make_member, api_as, method, url, body,
                                                  capability, role):
    http = api_as(make_member(org, role))
    before = (Client.objects.count(), Activity.objects.count())
    response = send(http, method, url(world), _body(body, world))
    assert response.status_code == 403
    assert capability in response.json()["detail"]
    assert (Client.objects.count(), Activity.objects.count()) == before


def test_an_auditor_may_read_but_not_write(world, org, make_member, api_as):
    auditor = api_as(make_member(org, caps.AUDITOR))
    assert auditor.get(BASE).status_code == 200
    assert auditor.get(f"{BASE}/{world['client']}").status_code == 200
    assert send(auditor, "POST", BASE, {"last_name": "Nowy"}).status_code == 403


WITH_IDS = [endpoint for endpoint in ENDPOINTS if "{" in endpoint[1](PLACEHOLDERS)]


def _state():
    return Client.objects.filter(archived=True).count(), Activity.objects.count(), Merge.objects.count()


@pytest.mark.parametrize(("method", "url", "body", "capability"), WITH_IDS,
                         ids=[f"{m} {u(PLACEHOLDERS)}" for m, u, _b, _c in WITH_IDS])
def test_another_organisations_ids_are_404(world, other_org, make_member, api_as, method, url, body,
                                           capability):
    stranger = api_as(make_member(other_org, *caps.ROLES))  # every role there: only tenancy can refuse
    before = _state()
    response = send(stranger, method, url(world), _body(body, world))
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."
    assert _state() == before


def test_lists_show_only_the_members_organisation(world, owner, other_owner, api_as):
    make_client(other_owner, last_name="Nowak", phones=["600100200"])
    stranger = api_as(other_owner)
    assert [c["last_name"] for c in stranger.get(BASE).json()["items"]] == ["Nowak"]
    assert [c["last_name"] for c in stranger.get(BASE, {"q": "600100200"}).json()["items"]] == ["Nowak"]
    assert stranger.get(f"{BASE}/duplicates").json()["items"] == []
    assert {c["id"] for c in api_as(owner).get(BASE, {"q": "nowak"}).json()["items"]} == {world["other"]}


# --- the OpenAPI description -------------------------------------------------------------------

def test_every_clients_endpoint_is_in_the_openapi_description(db):
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    documented = {(method.upper(), path) for path, spec in paths.items() for method in spec
                  if path.startswith(BASE)}
    assert documented >= {
        ("GET", BASE), ("POST", BASE), ("GET", f"{BASE}/{{client_id}}"), ("PATCH", f"{BASE}/{{client_id}}"),
        ("DELETE", f"{BASE}/{{client_id}}"), ("GET", f"{BASE}/{{client_id}}/timeline"),
        ("POST", f"{BASE}/{{client_id}}/merge"), ("POST", f"{BASE}/merges/{{merge_id}}/undo"),
        ("GET", f"{BASE}/duplicates"), ("POST", f"{BASE}/import"), ("GET", f"{BASE}/export")}
    client_schema = response.json()["components"]["schemas"]["ClientOut"]
    assert set(client_schema["properties"]) == CONTRACT
    assert "archive" in paths[f"{BASE}/{{client_id}}"]["delete"]["summary"].lower()
