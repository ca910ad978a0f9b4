"""Reception journeys in a real Chromium, with a real SMTP server (aiosmtpd) receiving the e-mails:
invite → the QR e-mail arrives → the visitor scans it at the kiosk → the host's e-mail → "on my way" →
check-out by QR; a walk-in at the desk; a watchlist match; the roll call PDF."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from frontoffice.core import capabilities as caps
from frontoffice.reception import services
from frontoffice.reception.models import Visit
from tests.browser.mailserver import inbox  # noqa: F401 (fixture)
from tests.reception.factories import VisitDocumentFactory, WatchlistEntryFactory



@pytest.fixture
def office(org, make_member):
    site = org.sites.get()
    site.name, site.address = "Główna siedziba", "ul. Długa 5, 00-001 Warszawa"
    site.save()
    host = make_member(org, caps.EXECUTIVE, user__email="host@firma.example", user__full_name="Łucja Żmijewska")
    desk = make_member(org, caps.RECEPTIONIST, user__email="desk@firma.example", user__full_name="Zofia Wójcik")
    return site, host, desk


def _settles(visit: Visit, **expected) -> None:
    """Wait (up to 10 s) until the browser's last request has left ``visit`` with these field values."""
    deadline = time.monotonic() + 10
    while True:
        visit.refresh_from_db()
        if all(getattr(visit, name) == value for name, value in expected.items()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"visit {visit.pk}: {dict((n, getattr(visit, n)) for n in expected)} != {expected}")
        time.sleep(0.05)


def _text(message) -> str:
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_type() == "text/plain")


def _qr_in(message) -> str:
    """The QR image of the e-mail, decoded."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert images, "the invitation has no QR image"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0].get_content())))
    assert found, "the QR image does not decode"
    return found[0].text


def _kiosk_page(open_page, live_server, site, owner):
    _kiosk, raw = services.kiosk_create(actor=owner, site=site, name="Door tablet")
    tablet = open_page(has_touch=True)
    tablet.goto("/kiosk/pair/")
    tablet.locator("input[name=token]").fill(raw)
    tablet.locator("form button[type=submit]").first.click()
    expect(tablet.get_by_text("Check in", exact=True)).to_be_visible()
    return tablet


def test_invitation_to_kiosk_check_in_host_on_the_way_and_check_out_by_qr(open_page, signed_in_as, live_server,
                                                                         inbox, office, owner):
    site, host, _desk = office
    VisitDocumentFactory(organization=site.organization, kind="nda", title="Poufność", visit_types=[])

    # The host invites a visitor from the invitation page.
    page = signed_in_as(open_page(), host)
    page.goto("/reception/invite/")
    page.get_by_label("Name", exact=True).fill("Grzegorz Brzęczyszczykiewicz")
    page.get_by_label("E-mail", exact=True).fill("gosc@example.com")
    page.get_by_label("Company", exact=True).fill("Żuraw sp. z o.o.")
    page.get_by_label("Expected at", exact=True).fill((timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("form#invite-form, form").locator("button[type=submit]").last.click()
    expect(page).not_to_have_url(re.compile(r"/invite/"))
    visit = Visit.objects.get(visitor_email="gosc@example.com")
    assert visit.status == Visit.EXPECTED and visit.host_member == host

    # The invitation arrives with the code as text and as a QR image.
    invitation = inbox.wait_for("gosc@example.com")
    assert visit.code in _text(invitation)
    assert _qr_in(invitation) == visit.code

    # At the door: the scanner types the QR's content and Enter; the visitor accepts the NDA.
    tablet = _kiosk_page(open_page, live_server, site, owner)
    tablet.get_by_text("Check in", exact=True).click()
    tablet.locator("#kiosk-code").fill(_qr_in(invitation))
    tablet.locator("#kiosk-code").press("Enter")
    tablet.get_by_role("link", name="Yes, that's me").click()
    expect(tablet.get_by_text("Poufność")).to_be_visible()
    tablet.get_by_label("I accept", exact=True).check()
    tablet.get_by_role("button", name="Check me in").click()
    _settles(visit, status=Visit.ARRIVED, check_in_via="kiosk")
    assert visit.badge_number and visit.acceptances.count() == 1

    # The host is told at once, with a link that records when they met the visitor.
    alert = inbox.wait_for("host@firma.example")
    assert "Grzegorz" in _text(alert)
    link = re.search(r"https?://\S+/reception/host/\S+/", _text(alert)).group(0)
    phone = open_page()
    phone.goto(link)
    phone.get_by_role("button", name="I'm on my way").click()
    _settles(visit, status=Visit.WITH_HOST)
    assert visit.host_met_at is not None

    # Leaving: the badge's QR at the kiosk.
    tablet.goto("/kiosk/")
    tablet.get_by_text("Check out", exact=True).click()
    tablet.locator("#kiosk-code").fill(visit.code)
    tablet.locator("#kiosk-code").press("Enter")
    _settles(visit, status=Visit.LEFT, check_out_via="kiosk")


def test_walk_in_at_the_desk_by_keyboard_lands_in_the_waiting_list(open_page, signed_in_as, office):
    site, host, desk = office
    page = signed_in_as(open_page(), desk)
    page.goto("/reception/")
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(r"/reception/walk-in/"))
    page.get_by_label("Name", exact=True).fill("Jan Świątek")
    page.get_by_label("Company", exact=True).fill("Kurier Łódź")
    page.get_by_label("Host", exact=True).select_option(label=host.user.full_name)
    page.locator("#walk-in-form button[type=submit]").last.click()
    expect(page).not_to_have_url(re.compile(r"/walk-in/"))
    visit = Visit.objects.get(visitor_name="Jan Świątek")
    assert visit.status == Visit.ARRIVED and visit.greeted_by == desk and visit.host_member == host
    page.goto("/reception/")
    expect(page.locator("#desk-live, main").get_by_text("Jan Świątek").first).to_be_visible()


def test_a_watchlist_match_at_the_desk_asks_for_a_manager_who_admits(open_page, signed_in_as, office, manager):
    site, host, desk = office
    manager.sites.add(site)
    WatchlistEntryFactory(organization=site.organization, full_name="Adam Złoty", reason="Threatened staff")
    page = signed_in_as(open_page(), desk)
    page.goto("/reception/walk-in/")
    page.get_by_label("Name", exact=True).fill("Złoty Adam")
    page.get_by_label("Host", exact=True).select_option(label=host.user.full_name)
    page.locator("#walk-in-form button[type=submit]").last.click()
    expect(page.get_by_text("Call a manager", exact=False).first).to_be_visible()
    expect(page.get_by_text("Threatened staff")).to_have_count(0)  # the reason is for the manager's list only
    visit = Visit.objects.get(visitor_name="Złoty Adam")
    assert visit.held_at is not None and visit.status == Visit.EXPECTED

    boss = signed_in_as(open_page(), manager)
    boss.goto("/reception/")
    boss.once("dialog", lambda dialog: dialog.accept())  # "Admit this visitor although they matched…?"
    boss.get_by_role("button", name="Admit").first.click()
    _settles(visit, status=Visit.ARRIVED, held_at=None)


def test_roll_call_pdf_lists_everyone_on_site_with_polish_letters(open_page, signed_in_as, office, settings):
    # The host e-mails run in this thread: a task thread writing the shared in-memory SQLite database while
    # the next walk-in inserts would lock its table ("database table is locked").
    settings.TASKS_EAGER = True
    site, host, desk = office
    for name in ("Łukasz Żółć", "Gęśla Ćwik"):
        services.visit_walk_in(actor=desk, site=site, host_member=host, visit_type="visitor", visitor_name=name)
    page = signed_in_as(open_page(), desk)
    page.goto("/reception/on-site/")
    link = page.locator("a[href*='roll-call']").first
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Łukasz Żółć" in text and "Gęśla Ćwik" in text and "Główna siedziba" in text
