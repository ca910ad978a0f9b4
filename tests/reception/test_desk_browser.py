"""The desk in a real Chromium: what only the browser does — the stopwatches ticking and turning red
without a reload, the lists refreshing themselves while the keyboard focus stays put, "n" and "/" and
a walk-in done by keyboard — and that no page breaks the Content Security Policy or logs an error.

Plain Playwright on the system Chromium (see tests/browser/harness.py), with a browser of this module's
own, as tests/reception/test_kiosk_browser.py does.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from frontoffice.core import capabilities as caps
from frontoffice.reception import services
from frontoffice.reception.models import Visit
from tests.browser import harness
from tests.clients.factories import make_client
from tests.core.factories import MemberFactory, OrganizationFactory, SiteFactory
from tests.reception.factories import VisitFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(harness.chromium_path() is None and not harness.browser_required(),
                       reason=harness.MISSING_CHROMIUM),
]
OVERDUE = re.compile(r"\boverdue\b")


@pytest.fixture(scope="module")
def chromium():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the test thread touches the ORM beside the loop
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=harness.chromium_path(), headless=True,
                                             args=harness.CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def scene(transactional_db, settings):
    settings.TASKS_EAGER = True
    organization = OrganizationFactory(name="Alpha Clinic", slug="alpha", settings={"wait_target_minutes": 1})
    site = SiteFactory(organization=organization, name="Alpha main")
    receptionist = MemberFactory(organization=organization, roles=[caps.RECEPTIONIST])
    host = MemberFactory(organization=organization, roles=[caps.EXECUTIVE], user__full_name="Dr Anna Host")
    for member in (receptionist, host):
        member.sites.set([site])
    return receptionist, host, site


@pytest.fixture
def desk(chromium, live_server, scene, signed_in):
    """A signed-in receptionist's desk screen; fails on any console error or CSP violation."""
    receptionist, _host, _site = scene
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000},
                                   locale="en-GB", timezone_id="Europe/Warsaw")
    context.set_default_timeout(10_000)
    harness.watch_context(context)
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": signed_in(receptionist).cookies[name].value,
                          "url": live_server.url}])
    page = context.new_page()
    harness.watch_page(page)
    page.goto("/reception/")
    expect(page.locator("#desk-live")).to_be_visible()
    yield page
    problems = [p for p in harness.log_of(page).problems() if "400 (Bad Request)" not in p]
    context.close()
    assert not problems, problems


def test_the_stopwatch_ticks_and_turns_red_past_the_target_without_a_reload(desk, scene):
    _receptionist, host, site = scene
    visit = VisitFactory(site=site, host_member=host, visitor_name="Ewa Czeka", status=Visit.ARRIVED,
                         arrived_at=timezone.now() - timedelta(seconds=56))
    row = desk.locator("tr[data-row]", has_text="Ewa Czeka")
    expect(row).to_be_visible(timeout=5_000)  # the refresh brought the new visitor in
    timer = row.locator(".timer")
    first = timer.inner_text()
    expect(timer).not_to_have_text(first, timeout=3_000)  # ticking
    expect(row).to_have_class(OVERDUE, timeout=8_000)  # past one minute, turned red in place
    expect(timer).to_have_class(OVERDUE)
    assert Visit.objects.get(pk=visit.pk).status == Visit.ARRIVED


def test_the_refresh_keeps_the_focused_button(desk, scene):
    receptionist, host, site = scene
    first = VisitFactory(site=site, host_member=host, visitor_name="Adam Pierwszy", expected_at=timezone.now())
    desk.reload()
    button = desk.locator(f"#in-{first.pk}")
    button.focus()
    VisitFactory(site=site, host_member=host, visitor_name="Olga Druga")  # something changes meanwhile
    expect(desk.get_by_text("Olga Druga")).to_be_visible(timeout=5_000)
    expect(desk.locator(f"#in-{first.pk}")).to_be_focused()
    desk.keyboard.press("Enter")  # the focused button still works
    expect(desk.locator(".messages")).to_contain_text("Adam Pierwszy is checked in.")
    assert Visit.objects.get(pk=first.pk).status == Visit.ARRIVED


def test_slash_filters_the_lists_and_n_starts_a_walk_in(desk, scene):
    _receptionist, host, site = scene
    for name in ("Zofia Żak", "Marek Sowa"):
        VisitFactory(site=site, host_member=host, visitor_name=name)
    desk.reload()
    desk.keyboard.press("/")
    expect(desk.locator("#desk-q")).to_be_focused()
    desk.keyboard.type("zak")  # no diacritics needed
    expect(desk.locator("tr[data-row]", has_text="Zofia Żak")).to_be_visible()
    expect(desk.locator("tr[data-row]", has_text="Marek Sowa")).to_be_hidden()
    desk.keyboard.press("Escape")
    expect(desk.locator("tr[data-row]", has_text="Marek Sowa")).to_be_visible()
    desk.keyboard.press("n")
    expect(desk).to_have_url(re.compile(r"/reception/walk-in/"))
    expect(desk.locator("#walkin-q")).to_be_focused()


def test_a_walk_in_of_a_client_by_keyboard(desk, scene):
    receptionist, host, site = scene
    client = make_client(receptionist, first_name="Anna", last_name="Żółwińska", phones=["600 100 200"])
    desk.keyboard.press("n")
    expect(desk.locator("#walkin-q")).to_be_focused()
    desk.keyboard.type("zolw")
    match = desk.locator(".client-matches .match", has_text="Anna Żółwińska")
    expect(match).to_be_visible()
    match.locator("input").check()
    expect(desk.locator(".new-person")).to_be_hidden()  # a client was picked: no new-person fields
    desk.locator("select[name=host]").select_option(label="Dr Anna Host")
    desk.locator("input[name=purpose]").fill("Check-up")
    desk.keyboard.press("Enter")
    expect(desk.locator(".messages")).to_contain_text("Anna Żółwińska is checked in")
    row = desk.locator(".card.waiting tr[data-row]", has_text="Anna Żółwińska")
    expect(row).to_be_visible()
    visit = Visit.objects.get()
    assert visit.client == client and visit.status == Visit.ARRIVED and visit.host_member == host


def test_a_check_out_from_another_desk_shows_up_here(desk, scene):
    receptionist, host, site = scene
    visit = VisitFactory(site=site, host_member=host, visitor_name="Piotr Wychodzi", status=Visit.ARRIVED,
                         arrived_at=timezone.now())
    desk.reload()
    expect(desk.locator(".card.waiting", has_text="Piotr Wychodzi")).to_be_visible()
    services.visit_check_out(actor=receptionist, visit=visit)
    expect(desk.locator(".card.left", has_text="Piotr Wychodzi")).to_be_visible(timeout=5_000)
    expect(desk.locator(".card.waiting", has_text="Piotr Wychodzi")).to_have_count(0)
