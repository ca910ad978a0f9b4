"""Spreadsheet import (CSV and real XLSX files) and export: mapping, dry run, errors, duplicates,
bad files, round trips, formula injection, the job pages and the CLI. (The task interface the job
pages use is tested in tests/core/test_tasks.py.)"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from frontoffice.cli import main
from frontoffice.clients import exporting, importing, services
from frontoffice.clients.importing import columns, files, jobs
from frontoffice.clients.models import Client, ClientPhone, CustomField, ImportJob
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.clients.factories import make_client
from tests.core.factories import OrganizationFactory, SiteFactory

PESEL_1944 = "44051401359"  # born 1944-05-14


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    settings.TASKS_EAGER = True


@pytest.fixture
def importer(org, make_member):
    return make_member(org, caps.ADMIN_ASSISTANT)


def csv_bytes(rows, *, encoding="utf-8", delimiter=";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def counts() -> tuple[int, int, int]:
    return Client.objects.count(), ClientPhone.objects.count(), Activity.objects.count()


POLISH_HEADER = ["Lp.", "Imię", "Nazwisko", "Data urodzenia", "Telefon", "Komórka", "E-mail", "Ulica", "Kod pocztowy",
                 "Miasto", "PESEL", "Tagi", "Uwagi"]


# --- mapping -------------------------------------------------------------------------------------

def test_mapping_is_guessed_from_polish_headers(org):
    mapping = columns.guess_mapping(POLISH_HEADER + ["Nazwa firmy", "NIP", "Numer pacjenta", "Telefon 2"], org, [])
    assert mapping == ["", "first_name", "last_name", "date_of_birth", "phones", "phones", "emails", "street",
                       "postal_code", "city", "identifiers.pesel", "tags", "notes", "organization_name",
                       "identifiers.nip", "identifiers.patient_no", "phones"]


def test_mapping_is_guessed_from_english_headers_identifier_and_custom_field_labels(org):
    CustomField.objects.create(organization=org, key="insurer", label="Insurance company")
    fields = list(org.client_fields.all())
    mapping = columns.guess_mapping(
        ["First Name", "SURNAME", "e-mail address", "Mobile", "Date of birth", "Patient number", "Insurance company",
         "insurer", "Post code", "Town", "Favourite colour"], org, fields)
    assert mapping == ["first_name", "last_name", "emails", "phones", "date_of_birth", "identifiers.patient_no",
                       "custom.insurer", "", "postal_code", "city", ""]  # one column per single field


def test_mapping_can_be_overridden_by_header_or_index(importer):
    content = csv_bytes([["Imię", "Nazwisko", "Telefon domowy", "Inne"], ["Jan", "Nowak", "600100200", "x"]])
    table = importing.read_table(content, "a.csv")
    mapping = importing.resolve_mapping(importer, table, {"Inne": "notes", 2: "ignore"}, [])
    assert mapping == ["first_name", "last_name", "", "notes"]
    with pytest.raises(ValidationError) as error:
        importing.resolve_mapping(importer, table, {"Nope": "notes"}, [])
    assert "mapping" in error.value.message_dict
    with pytest.raises(ValidationError):
        importing.resolve_mapping(importer, table, {"Inne": "shoe_size"}, [])


# --- reading files -------------------------------------------------------------------------------

def test_csv_in_cp1250_with_polish_letters_is_read_and_imported(importer):
    content = csv_bytes([["Imię", "Nazwisko", "Miasto", "Telefon"],
                         ["Żaneta", "Żółw", "Łódź", "600 100 200"],
                         ["Łucja", "Gęślą-Jaźń", "Świnoujście", "+48 601 100 200"]], encoding="cp1250")
    table = importing.read_table(content, "klienci.csv")
    assert (table.encoding, table.delimiter) == ("cp1250", ";")
    report = importing.import_table(actor=importer, table=table, file_name="klienci.csv", dry_run=False)
    assert report.committed and report.created == 2
    zolw = Client.objects.get(last_name="Żółw")
    assert (zolw.first_name, zolw.city, zolw.sort_name) == ("Żaneta", "Łódź", "zolw zaneta")
    assert [p.number for p in zolw.phones.all()] == ["+48600100200"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "iso-8859-2", "utf-16"])
def test_csv_encodings_and_comma_delimiter_are_detected(encoding):
    content = csv_bytes([["First name", "Last name"], ["Źdźbło", "Ślęża"], ["Łukasz", "Ąę"]], encoding=encoding,
                        delimiter=",")
    table = importing.read_table(content, "x.csv")
    assert table.delimiter == ","
    assert table.rows == [(2, ["Źdźbło", "Ślęża"]), (3, ["Łukasz", "Ąę"])]


def test_xlsx_written_with_openpyxl_is_read_back(importer):
    content = xlsx_bytes([
        ["Imię i nazwisko", "Data urodzenia", "Telefon", "PESEL", "E-mail"],
        [None, None, None, None, None],  # a blank row is skipped, numbering kept
        ["Jan Maria Kowalski", date(1944, 5, 14), 600100200, int(PESEL_1944), "JAN@example.com"],
        ["Zoë Brontë", "1980-02-29", "+44 7400 123456", None, None],
    ])
    report = importing.run_upload(importer, upload("list.xlsx", content), dry_run=False)
    assert report.ok and report.created == 2
    jan = Client.objects.get(last_name="Kowalski")
    assert (jan.first_name, jan.date_of_birth, jan.identifiers) == ("Jan Maria", date(1944, 5, 14),
                                                                      {"pesel": PESEL_1944})
    assert [e.email for e in jan.emails.all()] == ["jan@example.com"]
    assert Client.objects.get(last_name="Brontë").phones.get().number == "+447400123456"


def test_pesel_stored_as_a_number_gets_its_leading_zero_back(importer):
    pesel = "02270803624"  # born 2002-07-08: an XLSX number cell drops the leading zero
    content = xlsx_bytes([["Imię", "Nazwisko", "PESEL"], ["Ala", "Nowak", int(pesel)]])
    report = importing.run_upload(importer, upload("a.xlsx", content), dry_run=False)
    assert report.ok, report.errors
    assert Client.objects.get().identifiers == {"pesel": pesel}


def test_row_numbers_are_those_of_the_spreadsheet(importer):
    content = csv_bytes([[], ["Imię", "Nazwisko", "Telefon"], ["Jan", "Nowak", "12"], [], ['Multi', 'Line', ""],
                         ["Ewa", "", "abc"]], delimiter=",").replace(b"Multi", b'"Multi\nline"')
    report = importing.run_upload(importer, upload("a.csv", content), dry_run=True)
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "Telefon"), (6, "Telefon")]


BAD_FILES = [
    ("empty.csv", b"", "The file is empty."),
    ("blank.csv", b"\n\n  \n", "The file is empty."),
    ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "This is not a spreadsheet"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a spreadsheet"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel (.xls)"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00garbage" * 20, "damaged or is not an Excel workbook"),
    ("renamed.xlsx", b"Imie;Nazwisko\nJan;Nowak\n", "named .xlsx but is not an Excel workbook"),
    ("binary.csv", bytes(range(256)) * 4, "This is not a spreadsheet"),
    ("mac.csv", b"Imie;Nazwisko\nJan;Nowak\x81\x98\n", "text encoding of this file is not known"),
    ("header.csv", b"Imie;Nazwisko\n", "no rows below it"),
    ("names.csv", b"Kolor;Rozmiar\nczerwony;M\n", "No column holds a name"),
]


@pytest.mark.parametrize("name, content, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(importer, name, content, message):
    before = counts()
    with pytest.raises(ValidationError) as error:
        importing.run_upload(importer, upload(name, content), dry_run=False)
    text = " ".join(m for ms in error.value.message_dict.values() for m in ms)
    assert message in text
    assert counts() == before


def test_corrupt_xlsx_inside_a_real_zip_is_refused(importer):
    content = bytearray(xlsx_bytes([["Imię", "Nazwisko"], ["Jan", "Nowak"]]))
    content[len(content) // 2: len(content) // 2 + 200] = b"\x00" * 200
    with pytest.raises(ValidationError, match="damaged"):
        importing.run_upload(importer, upload("a.xlsx", bytes(content)), dry_run=True)


def test_oversize_and_too_many_rows_are_refused(importer, monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    rows = [["Imię", "Nazwisko"]] + [["Jan", f"Nowak{i}"] for i in range(4)]
    with pytest.raises(ValidationError, match="more than 3 rows"):
        importing.run_upload(importer, upload("a.csv", csv_bytes(rows)), dry_run=True)
    big = upload("big.csv", b"x" * 10)
    big.size = importing.MAX_BYTES + 1
    with pytest.raises(ValidationError, match="larger than 20 MB"):
        importing.run_upload(importer, big, dry_run=True)


# --- checking and committing -------------------------------------------------------------------

def _mixed_file() -> bytes:
    return csv_bytes([
        POLISH_HEADER,
        ["1", "Jan", "Kowalski", "1944-05-14", "600 100 200", "", "jan@example.com", "Długa 1", "00-001", "Warszawa",
         PESEL_1944, "vip, nfz", "pierwszy"],
        ["2", "Ewa", "Nowak", "31.02.1980", "123", "", "ewa@", "", "", "", "44051401358", "", ""],
        ["3", "", "", "", "601 100 200", "", "", "", "", "", "", "", ""],
        ["4", "Anna", "Wiśniewska", "14.05.1990", "602 100 200", "603 100 200", "", "", "", "", "", "", ""],
    ])


def test_dry_run_reports_every_error_with_row_and_column_and_writes_nothing(importer):
    before = counts()
    report = importing.run_upload(importer, upload("k.csv", _mixed_file()), dry_run=True)
    assert counts() == before
    assert (report.rows, report.valid, report.invalid_rows, report.created) == (4, 2, 2, 0)
    found = {(e["row"], e["column"], e["field"]) for e in report.errors}
    assert found == {(3, "Data urodzenia", "date_of_birth"), (3, "Telefon", "phones"), (3, "E-mail", "emails"),
                     (3, "PESEL", "identifiers.pesel"), (4, "Nazwisko", "last_name")}
    pesel_error = next(e for e in report.errors if e["field"] == "identifiers.pesel")
    assert "PESEL" in pesel_error["message"]


def test_a_file_with_errors_imports_nothing_unless_valid_rows_only(importer):
    before = counts()
    refused = importing.run_upload(importer, upload("k.csv", _mixed_file()), dry_run=False)
    assert refused.refused and not refused.committed and counts() == before
    report = importing.run_upload(importer, upload("k.csv", _mixed_file()), dry_run=False, valid_rows_only=True)
    assert report.committed and report.created == 2
    anna = Client.objects.get(last_name="Wiśniewska")
    assert [p.number for p in anna.phones.all()] == ["+48602100200", "+48603100200"]
    jan = Client.objects.get(last_name="Kowalski")
    assert (jan.tags, jan.notes, jan.street, jan.identifiers["pesel"]) == (["vip", "nfz"], "pierwszy", "Długa 1",
                                                                         PESEL_1944)
    imported = Activity.objects.get(verb="client.imported")
    assert imported.actor == importer and imported.data["count"] == 2 and imported.data["file_name"] == "k.csv"
    assert Activity.objects.filter(verb="client.created", client_id=anna.pk, data__source="import").count() == 1


def test_imported_clients_are_found_by_the_search(importer):
    from frontoffice.clients import queries

    importing.run_upload(importer, upload("k.csv", _mixed_file()), dry_run=False, valid_rows_only=True)
    org = importer.organization
    for q in ("wisniew", "Wiśniewska", "603 100 200", "jan@example.com", PESEL_1944, "kowal jan"):
        assert queries.client_search(org, q).items, q


def test_duplicates_are_reported_within_the_file_and_against_the_database(importer, owner):
    existing = make_client(owner, first_name="Adam", last_name="Stary", phones=["700 100 200"],
                           emails=["adam@example.com"], date_of_birth="1970-01-01")
    content = csv_bytes([
        ["Imię", "Nazwisko", "Telefon", "E-mail", "Data urodzenia", "PESEL"],
        ["Adam", "Nowy", "700-100-200", "", "", ""],  # 2: phone of an existing client
        ["Bea", "Nowa", "", "ADAM@example.com", "", ""],  # 3: e-mail of an existing client
        ["Adam", "Stary", "", "", "01.01.1970", ""],  # 4: name and date of birth of an existing client
        ["Cyryl", "Pierwszy", "701 100 200", "", "", PESEL_1944],  # 5
        ["Cyryl", "Drugi", "701100200", "", "", ""],  # 6: phone of row 5
        ["Cyryl", "Trzeci", "", "", "", PESEL_1944],  # 7: identifier of row 5
        ["Dora", "Jedyna", "602 200 300", "", "", ""],
    ])
    report = importing.run_upload(importer, upload("d.csv", content), dry_run=True)
    assert report.ok, report.errors
    by_row = {d["row"]: d for d in report.duplicates}
    assert sorted(by_row) == [2, 3, 4, 6, 7] and report.duplicate_rows == 5
    assert by_row[2]["client_id"] == existing.pk and by_row[2]["reason"] == "phone"
    assert (by_row[2]["column"], by_row[2]["value"]) == ("Telefon", "+48700100200")
    assert by_row[3]["reason"] == "email" and by_row[3]["client_id"] == existing.pk
    assert by_row[4]["reason"] == "name and date of birth" and by_row[4]["client_name"] == "Adam Stary"
    assert (by_row[6]["reason"], by_row[6]["other_row"]) == ("phone", 5)
    assert (by_row[7]["reason"], by_row[7]["other_row"]) == ("identifier", 5)
    skipped = importing.run_upload(importer, upload("d.csv", content), dry_run=False, skip_duplicates=True)
    assert skipped.created == 2, skipped.errors
    assert set(Client.objects.exclude(pk=existing.pk).values_list("last_name", flat=True)) == {"Pierwszy", "Jedyna"}


def test_custom_fields_and_organisations_are_imported(importer):
    CustomField.objects.create(organization=importer.organization, key="size", label="Rozmiar",
                               kind=CustomField.CHOICE, choices=["S", "M"])
    content = csv_bytes([["Nazwa firmy", "NIP", "Rozmiar", "Rodzaj"], ["Piekarnia Złoty Kłos", "526-000-12-46", "M",
                                                                       "firma"],
                         ["Apteka", "", "XL", "organizacja"]])
    report = importing.run_upload(importer, upload("f.csv", content), dry_run=True)
    assert [(e["row"], e["column"], e["field"]) for e in report.errors] == [(3, "Rozmiar", "custom.size")]
    importing.run_upload(importer, upload("f.csv", content), dry_run=False, valid_rows_only=True)
    bakery = Client.objects.get()
    assert (bakery.kind, bakery.display_name, bakery.custom, bakery.identifiers) == (
        "organization", "Piekarnia Złoty Kłos", {"size": "M"}, {"nip": "5260001246"})


# --- export ------------------------------------------------------------------------------------

@pytest.fixture
def exporter(org, make_member):
    return make_member(org, caps.MANAGER)


def _varied_clients(member):
    CustomField.objects.get_or_create(organization=member.organization, key="insurer",
                                      defaults={"label": "Insurer"})
    make_client(member, first_name="Żaneta", last_name="Żółw", phones=["600 100 200", "+44 7400 123456"],
                emails=["zaneta@example.com"], date_of_birth="1944-05-14", identifiers={"pesel": PESEL_1944},
                tags=["vip", "nfz"], street="ul. Łąkowa 3", postal_code="90-001", city="Łódź",
                notes="line one\nline two", custom={"insurer": "-Medi+"})
    make_client(member, kind="organization", first_name="", last_name="", organization_name="Apteka pod Żółwiem",
                phones=["601 100 200"], identifiers={"nip": "5260001246"})


def _as_input(client):
    return (client.kind, client.first_name, client.last_name, client.organization_name, client.date_of_birth,
            sorted(p.number for p in client.phones.all()), sorted(e.email for e in client.emails.all()),
            client.identifiers, client.tags, client.street, client.postal_code, client.city, client.notes,
            client.custom)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["en", "pl"])
def test_export_imports_back_unchanged(exporter, signed_in, make_member, fmt, language):
    _varied_clients(exporter)
    web = signed_in(exporter)
    web.cookies["frontoffice_language"] = language
    response = web.get(reverse("clients:export"), {"format": fmt})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    twin_org = OrganizationFactory(name="Twin", slug="twin")
    SiteFactory(organization=twin_org)
    CustomField.objects.create(organization=twin_org, key="insurer", label="Insurer")
    twin = make_member(twin_org, caps.OWNER)
    report = importing.run_upload(twin, upload(f"export.{fmt}", content), dry_run=False)
    assert report.ok and report.created == 2, report.errors
    assert "ID" in report.columns[0] and report.mapping[0] == ""
    original = sorted(_as_input(c) for c in Client.objects.filter(organization=exporter.organization))
    copied = sorted(_as_input(c) for c in Client.objects.filter(organization=twin_org))
    assert copied == original


def test_formula_injection_is_neutralised_in_csv_and_xlsx(exporter, signed_in):
    # (a leading tab or carriage return never reaches the database: validation strips it)
    make_client(exporter, first_name="=HYPERLINK(\"http://evil\")", last_name="@SUM(A1)", tags=["+cmd|' /C calc'!A0"],
                notes="-2+3", city="\x01=1+1")
    web = signed_in(exporter)
    response = web.get(reverse("clients:export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, row = rows[0], rows[1]
    cells = dict(zip(header, row))
    assert cells["First name"] == "'=HYPERLINK(\"http://evil\")"
    assert cells["Last name"] == "'@SUM(A1)"
    assert cells["Tags"] == "'+cmd|' /C calc'!A0"
    assert cells["Notes"] == "'-2+3"
    assert cells["City"] == "'=1+1"
    response = web.get(reverse("clients:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    values = [cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert not any(cell.data_type == "f" for cell in values)
    texts = [cell.value for cell in values if isinstance(cell.value, str)]
    assert "'=HYPERLINK(\"http://evil\")" in texts and "'@SUM(A1)" in texts and "'-2+3" in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)


@pytest.mark.parametrize("text, expected", [("=1+1", "'=1+1"), ("+48", "'+48"), ("-x", "'-x"), ("@a", "'@a"),
                                            ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", "")])
def test_neutralise(text, expected):
    assert exporting.neutralise(text) == expected


def test_export_of_a_search_covers_every_page_and_is_recorded(exporter, signed_in):
    for n in range(45):
        make_client(exporter, first_name=f"Osoba{n}", last_name="Kowalska")
    make_client(exporter, first_name="Adam", last_name="Nowak")
    assert len(exporting.search_ids(exporter.organization, "kowalska")) == 45
    web = signed_in(exporter)
    response = web.get(reverse("clients:export"), {"format": "csv", "q": "kowalska"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 46 and all("Kowalska" in row for row in rows[1:])
    response = web.get(reverse("clients:export"), {"format": "csv"})
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()) == 47
    logged = Activity.objects.filter(verb="client.exported_list").order_by("id")
    assert [(a.data["count"], a.data["filtered"], a.actor_id) for a in logged] == [(45, True, exporter.pk),
                                                                                   (46, False, exporter.pk)]


def test_export_leaves_out_archived_and_erased_clients_unless_asked(exporter, signed_in):
    keep = make_client(exporter, last_name="Aktywny")
    services.client_archive(actor=exporter, client=make_client(exporter, last_name="Archiwalny"))
    services.client_erase(actor=exporter, client=make_client(exporter, last_name="Usunięty"))
    web = signed_in(exporter)

    def names(**query):
        response = web.get(reverse("clients:export"), {"format": "csv", **query})
        return [row[2] for row in csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))][1:]

    assert names() == [keep.last_name]
    assert names(status="archived") == ["Archiwalny"]
    assert sorted(names(status="all")) == ["Aktywny", "Archiwalny"]


def test_export_page_and_bad_format(exporter, signed_in):
    web = signed_in(exporter)
    assert web.get(reverse("clients:export")).status_code == 200
    response = web.get(reverse("clients:export"), {"format": "pdf"})
    assert response.status_code == 400 and "Choose CSV or XLSX" in response.content.decode()


def test_export_response_narrows_a_queryset_to_the_members_organisation(exporter, other_owner):
    mine = make_client(exporter, last_name="Mój")
    make_client(other_owner, last_name="Obcy")
    response = exporting.export_response(exporter, Client.objects.all(), "csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert mine.last_name in text and "Obcy" not in text


# --- the pages ---------------------------------------------------------------------------------

def test_import_through_the_pages_upload_map_check_then_import(importer, signed_in):
    web = signed_in(importer)
    assert web.get(reverse("clients:import")).status_code == 200
    response = web.post(reverse("clients:import"), {"file": upload("k.csv", _mixed_file())})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("clients:import_job", args=[job.pk])
    page = web.get(response["Location"])
    assert page.status_code == 200 and 'name="map-1"' in page.content.decode()
    assert '<option value="first_name" selected>' in page.content.decode()
    mapping = {f"map-{i}": target for i, target in enumerate(job.mapping)} | {"map-12": ""}  # ignore "Uwagi"
    response = web.post(reverse("clients:import_job", args=[job.pk]), mapping | {"action": "check"})
    job.refresh_from_db()
    assert job.status == ImportJob.DONE and job.report["invalid_rows"] == 2 and Client.objects.count() == 0
    html = web.get(reverse("clients:import_job", args=[job.pk])).content.decode()
    assert "Rows with errors" in html and "Data urodzenia" in html and " disabled>" in html
    assert "Import the 2 valid rows" in html
    response = web.post(reverse("clients:import_job", args=[job.pk]), {"action": "commit", "valid_rows_only": "0"})
    assert Client.objects.count() == 0  # "Import all" is refused while rows have errors
    response = web.post(reverse("clients:import_job", args=[job.pk]), {"action": "commit", "valid_rows_only": "1"})
    commit = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("clients:import_job", args=[commit.pk])
    assert commit.status == ImportJob.DONE and commit.report["created"] == 2
    assert Client.objects.get(last_name="Kowalski").notes == ""  # the ignored column
    assert not commit.file.storage.exists(commit.file.name)  # the spreadsheet is gone once imported
    html = web.get(reverse("clients:import_job", args=[commit.pk])).content.decode()
    assert "Imported 2 records." in html
    again = web.post(reverse("clients:import_job", args=[job.pk]), {"action": "commit", "valid_rows_only": "1"})
    assert Client.objects.count() == 2 and again.status_code == 302  # a second click adds nobody


def test_a_background_check_reports_in_the_uploaders_language(importer, signed_in):
    importer.user.language = "pl"
    importer.user.save(update_fields=["language"])
    job = jobs.import_job_create(actor=importer, uploaded_file=upload("k.csv", _mixed_file()))
    jobs.import_job_start(actor=importer, job=job, mapping=job.mapping)
    job.refresh_from_db()
    messages = {e["field"]: e["message"] for e in job.report["errors"]}
    assert messages["last_name"] != "Enter a name." and "Enter" not in messages["last_name"]


def test_the_mapping_page_refuses_a_mapping_without_a_name(importer, signed_in):
    web = signed_in(importer)
    web.post(reverse("clients:import"), {"file": upload("k.csv", _mixed_file())})
    job = ImportJob.objects.get()
    response = web.post(reverse("clients:import_job", args=[job.pk]), {"action": "check", "map-1": "notes"})
    assert response.status_code == 400 and "No column holds a name" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.NEW


def test_an_unreadable_upload_is_refused_on_the_form(importer, signed_in):
    response = signed_in(importer).post(reverse("clients:import"), {"file": upload("a.pdf", b"%PDF-1.4 ...")})
    assert response.status_code == 400 and "This is not a spreadsheet" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_running_job_page_polls_and_shows_a_progress_bar(importer, signed_in):
    job = ImportJob.objects.create(organization=importer.organization, created_by=importer, file_name="big.csv",
                                   status=ImportJob.RUNNING, stage="checking", total=2000, processed=500)
    web = signed_in(importer)
    html = web.get(reverse("clients:import_job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert html.startswith('<section id="import-status"') and 'hx-trigger="every 500ms"' in html
    assert '<progress class="import-progress" max="2000" value="500"' in html and "25 %" in html
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.DONE, report={"error": ""} | _empty_report())
    html = web.get(reverse("clients:import_job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html  # finished: the polling stops


def _empty_report():
    return importing.ImportReport(file_name="big.csv", columns=["Imię"], mapping=["first_name"], rows=1, valid=1,
                                  invalid_rows=0, errors=[], duplicates=[], duplicate_rows=0, dry_run=True).to_dict()


def test_a_stalled_job_can_be_started_again_and_a_finished_one_cancelled(importer, signed_in):
    web = signed_in(importer)
    web.post(reverse("clients:import"), {"file": upload("k.csv", _mixed_file())})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.RUNNING,
                                               updated_at=job.updated_at - jobs.STALLED_AFTER * 2)
    assert "Start again" in web.get(reverse("clients:import_job", args=[job.pk])).content.decode()
    web.post(reverse("clients:import_job", args=[job.pk]), {"action": "restart"})
    job.refresh_from_db()
    assert job.status == ImportJob.DONE
    response = web.post(reverse("clients:import_job", args=[job.pk]), {"action": "cancel"})
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == ImportJob.CANCELLED
    assert not job.file.storage.exists(job.file.name)


# --- permissions and tenancy ------------------------------------------------------------------

def _job_of(member) -> ImportJob:
    return jobs.import_job_create(actor=member, uploaded_file=upload("k.csv", _mixed_file()))


ROUTES = [
    ("get", "clients:import", "clients.import", None),
    ("post", "clients:import", "clients.import", None),
    ("get", "clients:import_job", "clients.import", "job"),
    ("post", "clients:import_job", "clients.import", "job"),
    ("get", "clients:export", "clients.export", None),
    ("get", "clients:privacy_json", "clients.privacy", "client"),
    ("get", "clients:privacy_pdf", "clients.privacy", "client"),
    ("get", "clients:erase", "clients.privacy", "client"),
    ("post", "clients:erase", "clients.privacy", "client"),
]


@pytest.mark.parametrize("method, name, capability, row", ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_every_transfer_route_needs_its_capability_and_stays_in_its_organisation(
        org, other_org, make_member, signed_in, client, method, name, capability, row):
    from tests.access_table import role_granting, role_lacking

    allowed = make_member(org, role_granting(capability))
    rows = {"job": lambda: _job_of(allowed).pk, "client": lambda: make_client(allowed).pk}
    args = [rows[row]()] if row else []
    url = reverse(name, args=args)
    before = Client.objects.count(), ImportJob.objects.count(), Activity.objects.count()
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    lacking = make_member(org, role_lacking(capability))
    assert getattr(signed_in(lacking), method)(url).status_code == 403
    if row:
        stranger = make_member(other_org, caps.OWNER)
        assert getattr(signed_in(stranger), method)(url).status_code == 404
    assert (Client.objects.count(), ImportJob.objects.count(), Activity.objects.count()) == before
    ok = getattr(signed_in(allowed), method)(url)
    assert ok.status_code in (200, 302, 400)


def test_privacy_downloads_are_refused_to_a_receptionist_and_an_auditor(org, make_member, signed_in):
    client_row = make_client(make_member(org, caps.OWNER))
    for role in (caps.RECEPTIONIST, caps.AUDITOR, caps.ADMIN_ASSISTANT):
        web = signed_in(make_member(org, role))
        for name in ("clients:privacy_json", "clients:privacy_pdf", "clients:erase"):
            assert web.get(reverse(name, args=[client_row.pk])).status_code == 403, (role, name)


def test_run_upload_checks_the_capability(receptionist):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        importing.run_upload(receptionist, upload("k.csv", _mixed_file()), dry_run=True)
    with pytest.raises(PermissionDenied):
        exporting.export_response(receptionist, "", "csv")


# --- the command line ----------------------------------------------------------------------------

def test_cli_import_dry_run_then_for_real(org, owner, tmp_path, capsys):
    path = tmp_path / "klienci.csv"
    path.write_bytes(_mixed_file())
    assert main(["import", "clients", str(path), "--org", org.slug, "--dry-run"]) == 1
    out, err = capsys.readouterr()
    assert "row 3 [Data urodzenia]:" in out and "row 4 [Nazwisko]: Enter a name." in out
    assert "dry run: nothing was saved" in out and "100%" in err and Client.objects.count() == 0
    assert main(["import", "clients", str(path), "--org", org.slug]) == 1
    out, err = capsys.readouterr()
    assert "nothing was imported" in err and Client.objects.count() == 0
    assert main(["import", "clients", str(path), "--org", org.slug, "--valid-rows-only",
                 "--map", "Uwagi=ignore"]) == 0
    out, _err = capsys.readouterr()
    assert "imported 2 client(s)" in out and Client.objects.count() == 2
    assert Activity.objects.get(verb="client.imported").actor == owner


def test_cli_import_clean_dry_run_and_bad_arguments(org, owner, tmp_path, capsys, make_member):
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes([["Imię", "Nazwisko"], ["Jan", "Nowak"]]))
    assert main(["import", "clients", str(path), "--org", org.slug, "--dry-run"]) == 0
    assert "rows: 1  valid: 1" in capsys.readouterr().out and Client.objects.count() == 0
    assert main(["import", "clients", str(path), "--org", "nope"]) == 1
    assert main(["import", "clients", str(tmp_path / "missing.csv"), "--org", org.slug]) == 1
    assert main(["import", "clients", str(path), "--org", org.slug, "--map", "nonsense"]) == 1
    assert main(["import", "clients", str(path), "--org", org.slug, "--as", "nobody@example.com"]) == 1
    clerk = make_member(org, caps.ADMIN_ASSISTANT)
    assert main(["import", "clients", str(path), "--org", org.slug, "--as", clerk.user.email]) == 0
    assert Client.objects.get().created_by == clerk


@pytest.mark.parametrize("cell, first, last", [
    ("Kowalski Jan", "Jan", "Kowalski"), ("Kowalska Anna Maria", "Anna Maria", "Kowalska"),
    ("Kowalski, Jan", "Jan", "Kowalski"),
])
def test_surname_first_column_is_split_the_right_way(cell, first, last):
    from frontoffice.clients.importing.checking import row_input
    from frontoffice.clients.importing.columns import FULL_NAME_LAST_FIRST

    data = row_input([cell], [FULL_NAME_LAST_FIRST])
    assert (data.first_name, data.last_name) == (first, last)


def test_cli_import_as_a_member_without_the_capability_is_refused(org, receptionist, tmp_path, capsys):
    from frontoffice.cli import main

    path = tmp_path / "k.csv"
    path.write_text("Imię;Nazwisko\nJan;Kowalski\n", encoding="utf-8")
    assert main(["import", "clients", str(path), "--org", org.slug, "--as", receptionist.user.email]) == 1
    assert "clients.import" in capsys.readouterr().err
