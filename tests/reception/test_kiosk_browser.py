"""The kiosk in a real Chromium (a 1280×800 touch tablet): what only the browser does — kiosk.js's idle
timeout and automatic return, the camera scan with BarcodeDetector, a scanner typing a code and Enter —
and that no screen breaks the Content Security Policy or logs an error.

Plain Playwright on the system Chromium (see tests/browser/harness.py), with a browser of this module's
own: a package-wide one would keep Playwright's loop running under the other reception tests.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from frontoffice.core import capabilities as caps
from frontoffice.reception.kiosk import views
from frontoffice.reception.models import Visit
from tests.browser import harness
from tests.core.factories import MemberFactory, OrganizationFactory, SiteFactory
from tests.reception.factories import KioskFactory, VisitDocumentFactory, VisitFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(harness.chromium_path() is None and not harness.browser_required(),
                       reason=harness.MISSING_CHROMIUM),
]
RAW = "fok_kiosk-browser-test-token"

# A camera and a QR reader for a browser without either: the stream is a blank canvas, and the
# detector "sees" the code the test puts in window.__kioskQr once the camera is running.
FAKE_CAMERA = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect() { return Promise.resolve(window.__kioskQr ? [{ rawValue: window.__kioskQr }] : []); }
};
Object.defineProperty(navigator, "mediaDevices", { configurable: true, value: { getUserMedia: () => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return Promise.resolve(canvas.captureStream(5));
} } });
"""
NO_CAMERA = "delete window.BarcodeDetector;"


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
def tablet(chromium, live_server, transactional_db, settings):
    """tablet(init_script) -> a page on a touch tablet whose kiosk is paired; fails on any console error
    or CSP violation."""
    settings.TASKS_EAGER = True
    contexts = []

    def open_(init_script: str = ""):
        context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800},
                                       has_touch=True, locale="en-GB", timezone_id="Europe/Warsaw")
        context.set_default_timeout(10_000)
        harness.watch_context(context)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        harness.watch_page(page)
        page.goto(f"/kiosk/pair/?token={RAW}")
        page.get_by_role("button", name="Set up this kiosk").click()
        expect(page.locator("body.kiosk-welcome")).to_be_visible()
        return page

    yield open_
    for context in contexts:
        problems = [problem for page in context.pages for problem in harness.log_of(page).problems()
                    if "400 (Bad Request)" not in problem]  # a refused form answers 400 on purpose
        context.close()
        assert not problems, problems


@pytest.fixture
def scene(transactional_db):
    organization = OrganizationFactory(name="Alpha Clinic", slug="alpha")
    site = SiteFactory(organization=organization, name="Alpha main")
    KioskFactory(site=site, token=RAW)
    host = MemberFactory(organization=organization, roles=[caps.EXECUTIVE])
    host.sites.set([site])
    visit = VisitFactory(site=site, host_member=host, visit_type="visitor", visitor_name="Anna Kowalska",
                         expected_at=_later_today(site))
    document = VisitDocumentFactory(organization=organization, title="Confidentiality",
                                    body="I keep secrets.")
    return visit, document


def _later_today(site):
    now = timezone.now()
    end_of_day = timezone.localtime(now, site.tz).replace(hour=23, minute=59)
    return min(now + timedelta(minutes=30), end_of_day)


def test_a_scanned_code_documents_checked_in_and_back_to_the_welcome(tablet, scene, monkeypatch):
    visit, _document = scene
    monkeypatch.setattr(views, "RETURN_AFTER_SECONDS", 1)
    page = tablet(NO_CAMERA)
    page.get_by_role("link", name="Check in").first.click()
    expect(page.locator("[data-camera-start]")).to_be_hidden()  # no BarcodeDetector: no camera button
    expect(page.locator("#kiosk-code")).to_be_focused()
    page.keyboard.type(visit.code.lower())  # what a USB scanner does: keys, then Enter
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Is this you?")).to_be_visible()
    page.get_by_role("link", name="Yes, that's me").tap()
    page.get_by_text("I accept").tap()
    page.get_by_role("button", name="Check me in").tap()
    expect(page.get_by_role("heading", name="You are checked in")).to_be_visible()
    expect(page.locator("body.kiosk-welcome")).to_be_visible(timeout=5_000)  # by itself
    visit.refresh_from_db()
    assert visit.status == Visit.ARRIVED and visit.acceptances.count() == 1


def test_checking_out_with_the_camera(tablet, scene, monkeypatch):
    visit, _document = scene
    Visit.objects.filter(pk=visit.pk).update(status=Visit.ARRIVED, arrived_at=timezone.now())
    page = tablet(FAKE_CAMERA)
    page.get_by_role("link", name="Check out").click()
    page.get_by_role("button", name="Use the camera").tap()
    expect(page.locator("[data-camera] video")).to_be_visible()
    page.evaluate("code => { window.__kioskQr = code; }", visit.code)
    expect(page.get_by_role("heading", name="Goodbye")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == Visit.LEFT and visit.check_out_via == "kiosk"


def test_idle_returns_to_the_welcome_in_the_kiosk_language(tablet, scene, monkeypatch):
    monkeypatch.setattr(views, "IDLE_SECONDS", 1)
    page = tablet(NO_CAMERA)
    page.get_by_role("button", name="PL").tap()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    page.locator("a.kiosk-tile").nth(1).tap()  # check out, whatever the language
    expect(page.locator("#kiosk-code")).to_be_visible()
    expect(page.locator("body.kiosk-welcome")).to_be_visible(timeout=5_000)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/kiosk/")
