"""Real-browser journeys: the system Chromium, driven by Playwright's sync API, against `live_server`.

Every test under tests/browser/ gets the `browser` marker. Without Chromium the tests are skipped
loudly (reason plus a warning line in the summary); with FRONTOFFICE_REQUIRE_BROWSER=1 (CI) they fail.

Fixtures: `browser` (one Chromium for the whole browser package), `page` (a fresh context per test),
`open_page(**context_args)` for more pages or other settings (locale, viewport, touch), `login` (through
the real form) and `signed_in_as` (a planted session, for journeys that are not about signing in).
On failure every open page is screenshotted into the test's tmp folder; the path is in the report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

from tests.browser import harness

HERE = Path(__file__).parent
PAGES = pytest.StashKey[list]()
ARTIFACTS = pytest.StashKey[Path]()


def _is_browser_test(item: pytest.Item) -> bool:
    return HERE in item.path.parents


@pytest.hookimpl(tryfirst=True)  # before -m selection, so `-m "not browser"` sees the marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Checked here, before live_server and the database are set up, so a skip costs nothing.
    if not _is_browser_test(item) or harness.chromium_path():
        return
    if harness.browser_required():
        pytest.fail(harness.missing_chromium_reason(), pytrace=False)
    pytest.skip(harness.missing_chromium_reason())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Counted from the reports, not from this process, so it also works under pytest-xdist.
    for outcome, label, colour in (("skipped", "SKIPPED", "yellow"), ("error", "FAILED", "red")):
        count = sum(harness.NOT_INSTALLED in str(getattr(report, "longrepr", ""))
                    for report in terminalreporter.stats.get(outcome, []))
        if count:
            message = f"WARNING: {count} browser test(s) {label}. {harness.missing_chromium_reason()}"
            terminalreporter.write_sep("!", message, bold=True, **{colour: True})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    pages = item.stash.get(PAGES, [])
    if report.failed and report.when in ("setup", "call") and pages:
        report.sections.append(("browser screenshots", _capture(pages, item.stash[ARTIFACTS])))
    return report


def _capture(pages, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for number, page in enumerate(pages, start=1):
        if page.is_closed():
            continue
        shot, html = folder / f"page{number}.png", folder / f"page{number}.html"
        try:
            page.screenshot(path=shot, full_page=True)
            html.write_text(page.content(), encoding="utf-8")
            lines.append(f"page {number} at {page.url}\n  screenshot: {shot}\n  html:       {html}")
        except Exception as exc:  # a crashed page must not hide the real failure
            lines.append(f"page {number} at {page.url}: could not capture ({exc})")
        lines += [f"  browser: {problem}" for problem in harness.log_of(page).problems()]
    return "\n".join(lines)


@pytest.fixture(scope="package")
def browser():
    """One headless system Chromium for all browser tests; closed when they are done.

    Package scope rather than session: while Playwright runs, its asyncio loop is "running" in this
    thread, which breaks Django's async-safety check and `async_to_sync` in every later test.
    """
    executable = harness.chromium_path()
    if executable is None:  # pytest_runtest_setup already skipped or failed; this is a safety net
        pytest.fail(harness.missing_chromium_reason(), pytrace=False)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the test thread touches the ORM beside the loop
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=harness.CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package", autouse=True)
def _flush_by_delete():
    """Empty the tables after each browser test with DELETE instead of TRUNCATE on PostgreSQL.

    live_server needs committed data, so every browser test ends with Django's flush. On PostgreSQL
    that is one TRUNCATE of every table, about 1 s per test (a new file per table, synced); deleting
    the few rows a journey made takes ~20 ms. Same end state: empty tables, sequences untouched.
    Django makes PostgreSQL foreign keys DEFERRABLE, so the order of the deletes does not matter.
    Package scope: the patch must outlive the per-test flush that runs at teardown.
    """
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no psycopg: SQLite only, whose flush is a DELETE already
        yield
        return
    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences,
                            allow_cascade=allow_cascade)
        delete = style.SQL_KEYWORD("DELETE FROM")
        deletes = [f"{delete} {style.SQL_FIELD(self.quote_name(table))}" for table in tables]
        return ["SET CONSTRAINTS ALL DEFERRED", *deletes]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture
def browser_context_args(live_server):
    """Defaults for every context; override the fixture in a module, or pass keywords to `open_page`."""
    return {
        "base_url": live_server.url,
        "locale": "en-GB",
        "timezone_id": "Europe/Warsaw",
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture
def open_page(request, browser, browser_context_args, transactional_db, tmp_path):
    """open_page(locale="pl-PL", viewport={...}, has_touch=True, ...) -> a page in a fresh context."""
    contexts = []
    request.node.stash[PAGES] = []
    request.node.stash[ARTIFACTS] = tmp_path / "browser"

    def open_(**context_args):
        context = browser.new_context(**{**browser_context_args, **context_args})
        context.set_default_timeout(10_000)
        harness.watch_context(context)
        contexts.append(context)
        page = context.new_page()
        harness.watch_page(page)
        request.node.stash[PAGES].append(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def login():
    """login(page, member) signs in through the real form (factory password) and waits for the shell."""
    return harness.login


@pytest.fixture
def signed_in_as(signed_in, live_server):
    """signed_in_as(page, member): the session of the `signed_in` test client, planted in the browser.

    About 0.5 s faster than the form (no password hash); use it when the journey is not about
    signing in. Leaves the page on the dashboard.
    """

    def sign_in(page, member):
        name = settings.SESSION_COOKIE_NAME
        page.context.add_cookies([{"name": name, "value": signed_in(member).cookies[name].value,
                                   "url": live_server.url}])
        page.goto("/")
        expect(page.locator("header.topbar"), f"the session of {member.user.email} did not reach the shell"
               ).to_be_visible()
        return page

    return sign_in
