"""Journeys through the client pages in a real Chromium: quick entry by keyboard, the duplicate warning
while typing, search-as-you-type (diacritics, phone formats, the global box), import with errors then
success, merge and its undo, the timeline and its filter, the conflict check of a law office.

Each journey asserts what the user sees. The import runs on the real task path (the in-process thread
of core/tasks.py, not TASKS_EAGER), held until the page has shown it waiting, so the progress bar and the
polling are exercised as in production. That works on SQLite too: Django's in-memory test database is a
named shared-cache one, so the task thread's own connection sees what the test and the server committed.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect

from frontoffice.clients.importing import jobs as import_jobs
from frontoffice.clients.models import COMPANY, Client, ImportJob
from frontoffice.core import services as core_services
from tests.browser.harness import log_of
from tests.clients.factories import make_client

BAD_REQUEST = "the server responded with a status of 400"
KEYBOARD_BUDGET_S = 10  # the issue: name + phone in under 10 seconds, keyboard only


def assert_clean(page, *, expected_400: bool = False) -> None:
    """No JavaScript exception, CSP violation, 5xx or console error; with ``expected_400`` the console
    lines Chromium writes for a validation answer (htmx 400) are allowed, nothing else."""
    log = log_of(page)
    assert log.page_errors == []
    assert log.csp_violations == []
    assert log.server_errors == []
    assert [e for e in _without_superseded(log.console_errors)
            if not (expected_400 and BAD_REQUEST in e)] == []


def _without_superseded(errors: list[str]) -> list[str]:
    """Drop what htmx logs for a search request superseded by the next keystroke (hx-sync replace aborts
    it): one ``htmx:sendAbort`` line and, for the same request, one ``htmx:afterRequest`` line."""
    aborted = sum(e.startswith("htmx:sendAbort") for e in errors)
    kept = []
    for error in errors:
        if error.startswith("htmx:sendAbort"):
            continue
        if aborted and error.startswith("htmx:afterRequest"):
            aborted -= 1
            continue
        kept.append(error)
    return kept


def open_clients(page, signed_in_as, member):
    signed_in_as(page, member)
    page.goto("/clients/")
    expect(page.locator("#quick-entry")).to_be_visible()
    return page


# --- 1. quick entry, keyboard only ---------------------------------------------------------------

def test_quick_entry_by_keyboard_only_saves_and_links_to_the_record(page, signed_in_as, receptionist, request):
    open_clients(page, signed_in_as, receptionist)
    quick = page.locator("#quick-entry")

    started = time.perf_counter()
    page.keyboard.press("n")
    expect(page.locator("#quick-name")).to_be_focused()
    page.keyboard.type("Żaneta Żółw")
    page.keyboard.press("Tab")
    expect(quick.locator("input[name=phone]")).to_be_focused()
    page.keyboard.type("600 100 200")
    page.keyboard.press("Enter")
    confirmation = quick.locator(".notice.success")
    expect(confirmation).to_contain_text("Added Żaneta Żółw.")
    elapsed = time.perf_counter() - started

    request.node.user_properties.append(("keyboard_journey_seconds", round(elapsed, 3)))  # for --junitxml
    assert elapsed < KEYBOARD_BUDGET_S, f"the keyboard journey took {elapsed:.1f} s"
    expect(page.locator("#quick-name")).to_be_focused()  # ready for the next client at once
    expect(page.locator("#quick-name")).to_have_value("")
    page.keyboard.press("Shift+Tab")  # back from the name field to the link in the confirmation
    link = confirmation.get_by_role("link", name="Open the record")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Żaneta Żółw")
    expect(page.locator(".record .facts")).to_contain_text("+48 600 100 200")
    expect(page.locator(".record a[href='tel:+48600100200']")).to_have_text("+48 600 100 200")
    assert_clean(page)


def test_quick_entry_with_a_bad_phone_names_the_field_keeps_the_typing_then_saves(page, signed_in_as, receptionist):
    open_clients(page, signed_in_as, receptionist)
    phone = page.locator("#quick-entry input[name=phone]")
    page.keyboard.press("n")
    page.keyboard.type("Ewa Nowak")
    page.keyboard.press("Tab")
    page.keyboard.type("12")
    page.keyboard.press("Enter")

    error = "“12” is not a valid phone number."
    expect(page.locator("#quick-entry .field.has-error .error")).to_have_text(error)
    expect(phone).to_be_focused()  # back on the field to correct, nothing lost
    expect(phone).to_have_value("12")
    expect(page.locator("#quick-name")).to_have_value("Ewa Nowak")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(error)  # a screen reader says what is wrong with it
    assert not Client.objects.exists()

    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("600 100 201")
    page.keyboard.press("Enter")
    expect(page.locator("#quick-entry .notice.success")).to_contain_text("Added Ewa Nowak.")
    assert_clean(page, expected_400=True)  # the refusal answered 400; nothing else went wrong


# --- 2. the duplicate warning, before saving -----------------------------------------------------

def test_quick_entry_warns_of_a_possible_duplicate_by_phone_before_saving(page, signed_in_as, receptionist):
    existing = make_client(receptionist, first_name="Jan", last_name="Kowalski", phones=["600 100 200"])
    make_client(receptionist, first_name="Janina", last_name="Nowak", phones=["601 222 333"])
    open_clients(page, signed_in_as, receptionist)
    panel = page.locator("#quick-duplicates")

    page.keyboard.press("n")
    page.keyboard.type("Jan Kowalsky")
    page.keyboard.press("Tab")
    page.keyboard.type("+48600100200")  # the number on file, typed in another format

    expect(panel).to_contain_text("Possible duplicates — is it one of these?")
    hit = panel.locator("li")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("Jan Kowalski")
    expect(hit).to_contain_text(f"#{existing.pk}")
    expect(hit.locator(".reason")).to_have_text("same phone")
    expect(hit.get_by_role("link", name="Jan Kowalski")).to_have_attribute("href", f"/clients/{existing.pk}/")
    expect(page.locator("#quick-entry input[name=phone]")).to_be_focused()  # the warning does not steal focus
    assert Client.objects.count() == 2  # shown while typing: nothing was saved
    assert_clean(page)


# --- 3. search as you type: diacritics, phone formats, the global box ---------------------------

def test_search_ignores_diacritics_and_phone_formats_in_the_list_and_the_global_box(page, signed_in_as, live_server,
                                                                                   receptionist):
    make_client(receptionist, first_name="Żaneta", last_name="Żółw", phones=["600 100 200"])
    make_client(receptionist, kind=COMPANY, first_name="", last_name="", organization_name="Łódź Print",
                phones=["42 630 10 10"])
    make_client(receptionist, first_name="Jan", last_name="Kowalski", phones=["601 222 333"])
    open_clients(page, signed_in_as, receptionist)
    search, rows = page.locator("#client-q"), page.locator("#client-rows tr")
    expect(rows).to_have_count(3)

    page.keyboard.press("f")
    expect(search).to_be_focused()
    page.keyboard.type("zolw")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Żaneta Żółw")
    expect(rows.first).to_contain_text("+48 600 100 200")
    expect(page).to_have_url(f"{live_server.url}/clients/?q=zolw&status=active")  # htmx, the URL kept in step

    # Each answer differs from the one before, so a stale list can never pass for the new one.
    for typed, found in [("lodz", "Łódź Print"), ("600-100-200", "Żaneta Żółw"), ("ŁÓDŹ", "Łódź Print"),
                         ("+48600100200", "Żaneta Żółw"), ("kowal", "Jan Kowalski"), ("100200", "Żaneta Żółw")]:
        search.fill(typed)
        expect(rows.first, f"searching {typed!r}").to_contain_text(found)
        expect(rows, f"searching {typed!r}").to_have_count(1)
    search.fill("zzz")
    expect(rows.first).to_have_text("Nothing found for “zzz”.")

    page.keyboard.press("Escape")  # leave the list's search box, then "/" for the global one
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("zolw")
    results = page.locator("#search-results")
    expect(results).to_contain_text("Żaneta Żółw")
    expect(results).to_contain_text("+48 600 100 200")
    expect(results).not_to_contain_text("Kowalski")
    page.locator("#global-search").fill("600 100 200")
    expect(results.locator("li")).to_have_count(1)
    results.get_by_role("link", name=re.compile("Żaneta Żółw")).click()
    expect(page.locator("h1")).to_have_text("Żaneta Żółw")
    assert_clean(page)


# --- 4. import with errors, then success -------------------------------------------------------

HEADER = "Imię;Nazwisko;Telefon;E-mail;PESEL"
WITH_ERRORS = [
    HEADER,
    "Anna;Nowak;600 200 300;anna.nowak@example.com;44051401359",  # row 2: valid
    "Piotr;Zieliński;600 200 301;;92031504564",  # row 3: PESEL checksum wrong
    "Ewa;Wójcik;12 34;ewa.wojcik@example.com;",  # row 4: not a phone number
    "Tomasz;Lewandowski;+48 600 200 302;t.lewandowski@example.com;80010101230",  # row 5: valid
]
CORRECTED = [WITH_ERRORS[0], WITH_ERRORS[1], "Piotr;Zieliński;600 200 301;;92031504563",
             "Ewa;Wójcik;600 200 303;ewa.wojcik@example.com;", WITH_ERRORS[4]]


@pytest.fixture
def import_runs(monkeypatch):
    """The import task, on its real path (a thread of the server process), held until ``let_run()``.

    So each step can be seen waiting with its progress bar, then finishing while the page stays put:
    the status is polled and swapped by htmx, not reloaded.
    """
    turns = threading.Semaphore(0)
    run = import_jobs.import_job_run

    def held(job_id):
        if turns.acquire(timeout=15):  # a test that failed before letting it run: do nothing
            run(job_id)

    monkeypatch.setattr(import_jobs, "import_job_run", held)  # core.tasks looks the task up by name
    return turns.release


def progress_then_done(page, let_run, done):
    """The job page waits with a progress bar; once the task may run, ``done`` appears in place."""
    status = page.locator("#import-status")
    expect(status).to_contain_text("Waiting to start…")
    expect(status.locator("progress.import-progress")).to_be_visible()
    page.evaluate("window.stillThisPage = true")
    let_run()
    expect(done).to_be_visible()
    expect(status.locator("progress")).to_have_count(0)
    assert page.evaluate("window.stillThisPage") is True  # updated by polling, not by a reload
    return status


def upload_and_check(page, path, let_run):
    """Upload a file, keep the guessed columns, run the dry run; returns the finished report."""
    page.goto("/clients/import/")
    page.locator("input[name=file]").set_input_files(path)
    page.get_by_role("button", name="Upload and choose columns").click()
    expect(page.locator("h1")).to_have_text("2. Which column is which?")
    for index, target in enumerate(["first_name", "last_name", "phones", "emails", "identifiers.pesel"]):
        expect(page.locator(f"#map-{index}")).to_have_value(target)  # guessed from the Polish headers
    page.get_by_role("button", name="Check every row").click()
    expect(page.locator("h1")).to_have_text("3. Check the rows")
    return progress_then_done(page, let_run, page.get_by_role("heading", name="Result of the check"))


def test_import_with_errors_then_the_valid_rows_then_a_corrected_file(page, signed_in_as, owner, tmp_path,
                                                                      import_runs):
    signed_in_as(page, owner)
    bad = tmp_path / "klienci.csv"
    bad.write_text("\n".join(WITH_ERRORS) + "\n", encoding="utf-8")

    status = upload_and_check(page, bad, import_runs)

    facts = status.locator("dl.facts")
    expect(facts).to_contain_text(re.compile(r"Rows in the file\s*4"))
    expect(facts).to_contain_text(re.compile(r"Ready to import\s*2"))
    expect(facts).to_contain_text(re.compile(r"Rows with errors\s*2"))
    errors = status.locator("table", has=page.get_by_role("columnheader", name="Problem")).locator("tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td")).to_have_text(["3", "PESEL", "This PESEL is not valid: check the digits."])
    expect(errors.nth(1).locator("td")).to_have_text(["4", "Telefon", re.compile("“12 34” is not a (valid )?phone")])
    expect(status.get_by_role("button", name="Import all 4 rows")).to_be_disabled()
    assert not Client.objects.exists()  # a dry run saves nothing

    status.get_by_role("button", name="Import the 2 valid rows").click()

    expect(page.locator("h1")).to_have_text("4. Import")
    done = progress_then_done(page, import_runs, page.locator("#import-status .notice.success"))
    expect(done.locator(".notice.success")).to_contain_text("Imported 2 records.")
    expect(done.locator(".notice.success")).to_contain_text("2 rows with errors were left out.")
    page.locator("#import-status").get_by_role("link", name=re.compile("Open the")).click()
    search = page.locator("#client-q")
    search.fill("nowak")
    expect(page.locator("#client-rows")).to_contain_text("Anna Nowak")
    search.fill("lewandowski")
    expect(page.locator("#client-rows")).to_contain_text("Tomasz Lewandowski")
    search.fill("zielinski")
    expect(page.locator("#client-rows")).to_contain_text("Nothing found")

    good = tmp_path / "klienci-poprawione.csv"
    good.write_text("\n".join(CORRECTED) + "\n", encoding="utf-8")
    status = upload_and_check(page, good, import_runs)

    expect(status.locator("dl.facts")).to_contain_text(re.compile(r"Rows with errors\s*0"))
    expect(status.locator("dl.facts")).to_contain_text(re.compile(r"Possible duplicates\s*2"))
    expect(status.get_by_role("button", name=re.compile("valid row"))).to_have_count(0)
    duplicates = status.locator("table", has=page.get_by_role("columnheader", name="Looks like")).locator("tbody tr")
    expect(duplicates).to_have_count(2)
    expect(duplicates.nth(0)).to_contain_text("Anna Nowak")
    expect(duplicates.nth(1)).to_contain_text("Tomasz Lewandowski")
    expect(duplicates.locator("td:first-child")).to_have_text(["2", "5"])
    status.get_by_label("Skip possible duplicates").check()
    status.get_by_role("button", name="Import all 4 rows").click()

    done = progress_then_done(page, import_runs, page.locator("#import-status .notice.success"))
    expect(done.locator(".notice.success")).to_contain_text("Imported 2 records.")
    expect(done.locator(".notice.success")).to_contain_text("2 possible duplicates were skipped.")
    page.goto("/clients/")
    page.locator("#client-q").fill("wojcik")
    expect(page.locator("#client-rows")).to_contain_text("Ewa Wójcik")
    page.locator("#client-q").fill("zielinski")
    expect(page.locator("#client-rows")).to_contain_text("Piotr Zieliński")
    page.locator("#client-q").fill("nowak")
    expect(page.locator("#client-rows tr")).to_have_count(1)  # the skipped duplicate was not added twice
    assert Client.objects.count() == 4
    assert list(ImportJob.objects.filter(dry_run=False).values_list("status", flat=True)) == ["done", "done"]
    assert_clean(page)


# --- 5. merge, and its undo -----------------------------------------------------------------------

def test_merge_two_records_of_one_person_then_undo(page, signed_in_as, receptionist):
    kept = make_client(receptionist, first_name="Jan", last_name="Kowalski", phones=["600 100 200"],
                       date_of_birth="1980-05-01")
    other = make_client(receptionist, first_name="Jan", last_name="Kowalski", phones=["601 222 333"],
                        emails=["jan.k@example.com"])
    signed_in_as(page, receptionist)
    page.goto(f"/clients/{kept.pk}/")
    phones = page.locator(".record .facts dt:text-is('Phones') + dd")
    expect(phones).to_have_text("+48 600 100 200")

    page.get_by_role("link", name="Merge with another record").click()
    expect(page.locator("#merge-q")).to_be_focused()
    page.keyboard.type("kowalski")
    candidates = page.locator("#merge-candidates li")
    expect(candidates).to_have_count(1)  # the record itself is not offered
    expect(candidates).to_contain_text("601 222 333")
    candidates.get_by_role("link").click()
    compare = page.locator("table.compare tr", has_text="Phones")
    expect(compare).to_contain_text("+48 600 100 200")
    expect(compare).to_contain_text("+48 601 222 333")
    page.get_by_role("button", name="Merge Jan Kowalski into Jan Kowalski").click()

    expect(page).to_have_url(re.compile(rf"/clients/{kept.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("Jan Kowalski was merged into Jan Kowalski. "
                                                      "You can undo this for 30 days.")
    expect(phones).to_contain_text("+48 600 100 200")
    expect(phones).to_contain_text("+48 601 222 333")
    expect(page.locator(".record .facts")).to_contain_text("jan.k@example.com")
    timeline = page.locator("#timeline ol.timeline > li")
    expect(timeline.first.locator(".what")).to_have_text("Merged two clients")
    expect(timeline.first.locator(".detail")).to_have_text(f"Jan Kowalski #{other.pk}")
    expect(timeline.locator(".what", has_text="Added a client")).to_have_count(2)  # its history came along
    page.goto(f"/clients/{other.pk}/")  # an old link to the merged record leads to the kept one
    expect(page).to_have_url(re.compile(rf"/clients/{kept.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("That record was merged into this one.")

    page.locator(".merge-notice").get_by_role("button", name="Undo merge").click()

    expect(page.locator(".messages")).to_contain_text("The merge was undone: Jan Kowalski is a separate record again.")
    expect(phones).to_have_text("+48 600 100 200")
    expect(page.locator(".merge-notice")).to_have_count(0)
    expect(timeline.first.locator(".what")).to_have_text("Undid a merge")
    page.goto(f"/clients/{other.pk}/")
    expect(page.locator(".lead")).to_contain_text(f"#{other.pk}")
    expect(phones).to_have_text("+48 601 222 333")
    page.goto("/clients/?q=kowalski")
    expect(page.locator("#client-rows tr")).to_have_count(2)
    assert_clean(page)


# --- 6. the timeline ------------------------------------------------------------------------------

def test_timeline_shows_added_and_changed_newest_first_and_filters_by_kind(page, signed_in_as, receptionist):
    who = receptionist.user.full_name
    open_clients(page, signed_in_as, receptionist)
    page.keyboard.press("n")
    page.keyboard.type("Marta Wiśniewska")
    page.keyboard.press("Enter")
    page.locator("#quick-entry").get_by_role("link", name="Open the record").click()
    expect(page.locator("h1")).to_have_text("Marta Wiśniewska")

    page.keyboard.press("e")  # the page's shortcut to the full form
    expect(page.locator("h1")).to_have_text("Edit: Marta Wiśniewska")
    expect(page.get_by_label("E-mails")).to_have_accessible_description("One per line.")  # the hint, read out
    page.get_by_label("E-mails").fill("marta@example.com")
    page.get_by_label("Notes").fill("Prefers morning appointments.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")

    entries = page.locator("#timeline ol.timeline > li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).locator(".what")).to_have_text("Changed a client")
    expect(entries.nth(0).locator(".detail")).to_contain_text("phones and e-mails")
    expect(entries.nth(0).locator(".who")).to_have_text(who)
    expect(entries.nth(1).locator(".what")).to_have_text("Added a client")
    expect(entries.nth(1).locator(".detail")).to_have_text("quick entry")
    expect(entries.nth(1).locator(".who")).to_have_text(who)

    # A later app (visits) adds its entries just by recording activity with the client set.
    client = Client.objects.get(last_name="Wiśniewska")
    core_services.activity_record(organization=client.organization, actor=receptionist, verb="visit.checked_in",
                                  client_id=client.pk, label="Check-up")
    page.reload()
    expect(entries).to_have_count(3)
    expect(entries.nth(0).locator(".detail")).to_have_text("Check-up")
    filters = page.locator(".timeline-filter")
    expect(filters.get_by_role("link")).to_have_text(["all", "record", "visits"])

    filters.get_by_role("link", name="visits").click()
    expect(filters.get_by_role("link", name="visits")).to_have_attribute("aria-current", "true")
    expect(entries).to_have_count(1)
    expect(entries.first.locator(".detail")).to_have_text("Check-up")
    filters.get_by_role("link", name="record").click()
    expect(entries).to_have_count(2)
    expect(entries.locator(".what")).to_have_text(["Changed a client", "Added a client"])
    filters.get_by_role("link", name="all").click()
    expect(entries).to_have_count(3)
    expect(page).to_have_url(re.compile(rf"/clients/{client.pk}/$"))  # swapped in place by htmx
    assert_clean(page)


# --- 7. conflict check in a law office -------------------------------------------------------------

def test_conflict_check_finds_a_related_party_by_a_name_variant(page, signed_in_as, other_owner):
    client = make_client(other_owner, first_name="Adam", last_name="Nowicki")
    signed_in_as(page, other_owner)
    page.goto(f"/clients/{client.pk}/")
    parties = page.locator("#parties")
    parties.get_by_text("Add a party").click()
    parties.get_by_label("Name").fill("Maria Kowalska")
    parties.get_by_label("Relation").select_option(label="opposing party")
    parties.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("Related party added.")
    expect(parties).to_contain_text("Maria Kowalska")

    page.goto("/clients/conflicts/")
    expect(page.get_by_label("Name to check")).to_be_focused()
    page.keyboard.type("Kowalski")
    page.keyboard.press("Enter")

    expect(page.locator(".notice")).to_contain_text("1 possible conflict — review before taking the matter.")
    row = page.locator("table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Maria Kowalska", "related party", "Adam Nowicki"])
    row.get_by_role("link", name="Adam Nowicki").click()
    expect(page.locator("h1")).to_have_text("Adam Nowicki")
    assert_clean(page)
