"""The kiosk, screen by screen with the Django test client: pairing, checking in with a code or by name,
the documents, walking in, checking out, the language button, and every way a tablet or a code can be
wrong (each ends on the welcome screen with a kind sentence, having changed nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from frontoffice.core import capabilities as caps
from frontoffice.core import services as core_services
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.kiosk import auth
from frontoffice.reception.models import DocumentAcceptance, Visit
from tests.core.factories import DepartmentFactory, SiteFactory
from tests.reception.factories import (
    KioskFactory,
    VisitDocumentFactory,
    VisitFactory,
    WatchlistEntryFactory,
)

WARSAW = ZoneInfo("Europe/Warsaw")
# A Tuesday morning: "today" is the same local day in every test, whatever the clock says.
MORNING = datetime(2030, 3, 12, 9, 30, tzinfo=WARSAW)
RAW = "fok_kiosk-tests-raw-token-0001"


@pytest.fixture(autouse=True)
def _morning(settings):
    settings.TASKS_EAGER = True  # the host's e-mail is sent in the request, into mail.outbox
    with time_machine.travel(MORNING, tick=True):
        yield


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def kiosk(site):
    return KioskFactory(site=site, token=RAW, name="Front door")


@pytest.fixture
def tablet(kiosk):
    """A browser on the tablet, paired with the kiosk."""
    browser = Client()
    response = browser.post(reverse("kiosk:pair"), {"token": RAW})
    assert response.status_code == 302
    return browser


@pytest.fixture
def host(org, make_member):
    member = make_member(org, caps.EXECUTIVE)
    member.user.full_name = "Ewa Zielińska"
    member.user.email = "ewa@alpha.example"
    member.user.save()
    return member


@pytest.fixture
def invited(org, site, host, owner):
    return services.visit_invite(actor=owner, site=site, host_member=host, visit_type="visitor",
                                 expected_at=MORNING + timedelta(minutes=30),
                                 visitor_name="Anna Maria Kowalska", visitor_company="Acme",
                                 visitor_email="anna@example.org", send_invitation=False)


@pytest.fixture
def nda(org):
    return VisitDocumentFactory(organization=org, title="Confidentiality", body="I keep secrets.", version=3)


def page(response) -> str:
    return response.content.decode()


def welcome_with(response, notice: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("kiosk:welcome") + f"?m={notice}"


def done(response, screen: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("kiosk:done") + f"?r={screen}"


def unchanged(visit: Visit, status: str) -> None:
    visit.refresh_from_db()
    assert visit.status == status
    assert not visit.acceptances.exists()


# --- pairing --------------------------------------------------------------------------------


def test_pairing_keeps_the_token_in_an_httponly_strict_cookie(kiosk):
    response = Client().post(reverse("kiosk:pair"), {"token": f"  {RAW}\n"})
    assert response["Location"] == reverse("kiosk:welcome")
    cookie = response.cookies[auth.COOKIE]
    assert cookie.value == RAW
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["secure"]
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["path"] == "/kiosk/"


def test_pairing_cookie_is_secure_behind_https(kiosk, settings):
    settings.HTTPS = True
    response = Client().post(reverse("kiosk:pair"), {"token": RAW}, secure=True)
    assert response.cookies[auth.COOKIE]["secure"]


def test_pairing_link_fills_in_the_key_and_waits_for_a_tap(kiosk):
    response = Client().get(reverse("kiosk:pair"), {"token": RAW})
    assert response.status_code == 200
    assert f'value="{RAW}"' in page(response)
    assert auth.COOKIE not in response.cookies  # a link alone pairs nothing


@pytest.mark.parametrize("token", ["fok_never-issued", "", "garbage", "api"])
def test_pairing_refuses_a_key_that_is_not_a_kiosk_key(token, kiosk, owner):
    if token == "api":
        _token, token = core_services.token_create(member=owner, name="not a kiosk")
    response = Client().post(reverse("kiosk:pair"), {"token": token})
    assert response.status_code == 400
    assert "This kiosk key is not valid" in page(response)
    assert auth.COOKIE not in response.cookies


def test_pairing_refuses_a_revoked_key(kiosk, owner):
    services.kiosk_revoke(actor=owner, kiosk=kiosk)
    response = Client().post(reverse("kiosk:pair"), {"token": RAW})
    assert response.status_code == 400
    assert auth.COOKIE not in response.cookies


def test_a_key_made_on_the_office_pages_pairs_the_tablet(site, owner):
    made, raw = services.kiosk_create(actor=owner, site=site, name="Lobby")
    browser = Client()
    browser.post(reverse("kiosk:pair"), {"token": raw})
    response = browser.get(reverse("kiosk:welcome"))
    assert response.status_code == 200
    assert "Welcome to Alpha Clinic" in page(response)


@pytest.mark.parametrize("name", ["kiosk:welcome", "kiosk:code", "kiosk:find", "kiosk:walk_in",
                                  "kiosk:check_out"])
def test_an_unpaired_browser_is_sent_to_pairing(name, db):
    response = Client().get(reverse(name))
    assert response["Location"] == reverse("kiosk:pair") + "?m=unpaired"
    follow = Client().get(response["Location"])
    assert "not set up as a kiosk" in page(follow)


def test_revoking_the_kiosk_locks_the_tablet_out_at_the_next_tap(tablet, kiosk, owner, invited):
    assert tablet.get(reverse("kiosk:confirm", args=[invited.code])).status_code == 200
    services.kiosk_revoke(actor=owner, kiosk=kiosk)
    response = tablet.post(reverse("kiosk:check_in"), {"code": invited.code})
    assert response["Location"] == reverse("kiosk:pair") + "?m=unpaired"
    assert response.cookies[auth.COOKIE].value == ""  # the dead key is dropped
    unchanged(invited, Visit.EXPECTED)
    assert tablet.get(reverse("kiosk:welcome")).status_code == 302


def test_a_forged_cookie_is_not_a_kiosk(kiosk, invited):
    browser = Client()
    browser.cookies[auth.COOKIE] = "fok_forged"
    response = browser.post(reverse("kiosk:check_in"), {"code": invited.code})
    assert response["Location"].startswith(reverse("kiosk:pair"))
    unchanged(invited, Visit.EXPECTED)


# --- the screens ----------------------------------------------------------------------------


def test_welcome_offers_check_in_check_out_and_the_languages(tablet):
    response = tablet.get(reverse("kiosk:welcome"))
    html = page(response)
    assert reverse("kiosk:code") in html and reverse("kiosk:check_out") in html
    assert 'value="en"' in html and 'value="pl"' in html
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "<script>" not in html and "onclick" not in html
    assert "data-idle-url" not in html  # at rest: nothing to time out


def test_every_screen_but_the_welcome_times_out_to_a_fresh_welcome(tablet, invited):
    for url in (reverse("kiosk:code"), reverse("kiosk:find"), reverse("kiosk:walk_in"),
                reverse("kiosk:check_out"), reverse("kiosk:confirm", args=[invited.code])):
        assert f'data-idle-url="{reverse("kiosk:welcome")}?reset=1"' in page(tablet.get(url)), url


def test_the_whole_visit_at_the_kiosk(tablet, invited, nda, host, kiosk):
    # Scanned: the scanner types the code in its own way, and presses Enter.
    scanned = "-".join([invited.code[:5].lower(), invited.code[5:].lower()])
    response = tablet.get(reverse("kiosk:code"), {"code": scanned})
    assert response["Location"] == reverse("kiosk:confirm", args=[invited.code])

    confirm = page(tablet.get(response["Location"]))
    assert "Anna K." in confirm and "Kowalska" not in confirm
    assert "Ewa Zielińska" in confirm and "10:00" in confirm and "Acme" in confirm
    assert reverse("kiosk:documents", args=[invited.code]) in confirm

    documents = page(tablet.get(reverse("kiosk:documents", args=[invited.code])))
    assert "Confidentiality" in documents and "I keep secrets." in documents and "I accept" in documents

    refused = tablet.post(reverse("kiosk:check_in"), {"code": invited.code})
    assert refused.status_code == 400
    assert "Please accept each document" in page(refused)
    unchanged(invited, Visit.EXPECTED)

    response = tablet.post(reverse("kiosk:check_in"), {"code": invited.code, "accept": [nda.pk]})
    done(response, "in")
    assert "Your host has been told" in page(tablet.get(response["Location"]))
    invited.refresh_from_db()
    assert invited.status == Visit.ARRIVED and invited.check_in_via == "kiosk"
    assert invited.greeted_by is None and invited.checked_in_by is None  # the desk greets
    acceptance = DocumentAcceptance.objects.get(visit=invited)
    assert acceptance.document == nda and acceptance.document.version == 3
    assert [message.to for message in mail.outbox] == [["ewa@alpha.example"]]
    assert "Anna Maria Kowalska" in mail.outbox[0].body
    checked_in = Activity.objects.get(verb="visit.checked_in")
    assert checked_in.actor is None and checked_in.data["kiosk_id"] == kiosk.pk

    response = tablet.post(reverse("kiosk:check_out"), {"code": invited.code.lower()})
    done(response, "out")
    assert "Goodbye" in page(tablet.get(response["Location"]))
    invited.refresh_from_db()
    assert invited.status == Visit.LEFT and invited.check_out_via == "kiosk"


def test_a_visit_without_documents_is_checked_in_from_the_confirm_screen(tablet, invited):
    confirm = page(tablet.get(reverse("kiosk:confirm", args=[invited.code])))
    assert f'name="code" value="{invited.code}"' in confirm
    assert tablet.get(reverse("kiosk:documents", args=[invited.code]))["Location"] == \
        reverse("kiosk:confirm", args=[invited.code])
    done(tablet.post(reverse("kiosk:check_in"), {"code": invited.code}), "in")
    invited.refresh_from_db()
    assert invited.status == Visit.ARRIVED


def test_documents_of_another_visit_type_are_not_asked_for(tablet, invited, org):
    VisitDocumentFactory(organization=org, visit_types=["contractor"], title="Site safety")
    VisitDocumentFactory(organization=org, title="Old text", active=False)
    confirm = page(tablet.get(reverse("kiosk:confirm", args=[invited.code])))
    assert reverse("kiosk:documents", args=[invited.code]) not in confirm
    done(tablet.post(reverse("kiosk:check_in"), {"code": invited.code}), "in")


def test_a_scanned_link_is_read_as_its_code(tablet, invited):
    scanned = f"https://office.example/kiosk/visit/{invited.code}/"
    response = tablet.get(reverse("kiosk:code"), {"code": scanned})
    assert response["Location"] == reverse("kiosk:confirm", args=[invited.code])


# --- finding yourself by name ---------------------------------------------------------------


def test_finding_by_name_lists_only_todays_expected_visitors_here_by_first_name_and_initial(
        tablet, invited, org, site):
    other_site = SiteFactory(organization=org, name="Annex")
    VisitFactory(site=other_site, visitor_name="Anna Nowak", expected_at=MORNING + timedelta(hours=1))
    VisitFactory(site=site, visitor_name="Anna Tomorrow", expected_at=MORNING + timedelta(days=1))
    VisitFactory(site=site, visitor_name="Anna Waiting", status=Visit.ARRIVED, expected_at=MORNING)
    VisitFactory(site=site, visitor_name="Anna Cancelled", status=Visit.CANCELLED, expected_at=MORNING)
    VisitFactory(site=site, visitor_name="Łucja Żak", expected_at=MORNING + timedelta(hours=2))

    html = page(tablet.get(reverse("kiosk:find"), {"q": "anna"}))
    assert "Anna K." in html and reverse("kiosk:confirm", args=[invited.code]) in html
    for hidden in ("Kowalska", "Nowak", "Tomorrow", "Waiting", "Cancelled", "Anna M."):
        assert hidden not in html
    assert "Łucja Ż." in page(tablet.get(reverse("kiosk:find"), {"q": "lucja z"}))
    assert "could not find you" in page(tablet.get(reverse("kiosk:find"), {"q": "Zbigniew"}))
    assert "at least two letters" in page(tablet.get(reverse("kiosk:find"), {"q": "a"}))


def test_finding_by_name_never_shows_another_organisations_visitors(tablet, other_org):
    VisitFactory(site=other_org.sites.get(), visitor_name="Anna Obca",
                 expected_at=MORNING + timedelta(hours=1))
    assert "Anna O." not in page(tablet.get(reverse("kiosk:find"), {"q": "anna"}))


# --- walking in -----------------------------------------------------------------------------


def test_walk_in_with_a_document_to_accept(tablet, org, host, nda):
    department = DepartmentFactory(organization=org, name="Radiology", email="radiology@alpha.example")
    form = page(tablet.get(reverse("kiosk:walk_in")))
    assert "Radiology" in form and "Ewa Zielińska" in form and "Patient" in form
    details = {"visitor_name": " Piotr   Wiśniewski ", "visitor_company": "Delta",
               "host": f"d:{department.pk}", "visit_type": "patient"}

    documents = tablet.post(reverse("kiosk:walk_in"), details)
    assert documents.status_code == 200
    html = page(documents)
    assert "Confidentiality" in html and 'name="step" value="documents"' in html
    assert 'name="visitor_name" value="Piotr Wiśniewski"' in html
    assert not Visit.objects.exists()  # nothing kept between the steps

    refused = tablet.post(reverse("kiosk:walk_in"), {**details, "step": "documents"})
    assert refused.status_code == 400 and not Visit.objects.exists()

    done(tablet.post(reverse("kiosk:walk_in"), {**details, "step": "documents", "accept": [nda.pk]}), "in")
    visit = Visit.objects.get()
    assert visit.visitor_name == "Piotr Wiśniewski" and visit.visitor_company == "Delta"
    assert visit.host_department == department and visit.host_member is None
    assert visit.status == Visit.ARRIVED and visit.check_in_via == "kiosk"
    assert visit.acceptances.get().document == nda
    assert mail.outbox and mail.outbox[0].to == ["radiology@alpha.example"]


def test_walk_in_to_a_member_without_documents(tablet, host):
    response = tablet.post(reverse("kiosk:walk_in"), {"visitor_name": "Jan Kos", "host": f"m:{host.pk}",
                                                      "visit_type": "visitor"})
    done(response, "in")
    visit = Visit.objects.get()
    assert visit.host_member == host and visit.visitor_company == ""
    assert mail.outbox[0].to == ["ewa@alpha.example"]


@pytest.mark.parametrize("bad", [
    {"visitor_name": "  "},
    {"host": "m:999999"},
    {"host": "foreign"},
    {"visit_type": "spaceship"},
])
def test_walk_in_with_missing_or_foreign_details_is_refused(bad, tablet, host, other_org, make_member):
    if bad.get("host") == "foreign":
        bad = {"host": f"m:{make_member(other_org, caps.EXECUTIVE).pk}"}
    data = {"visitor_name": "Jan Kos", "host": f"m:{host.pk}", "visit_type": "visitor", **bad}
    response = tablet.post(reverse("kiosk:walk_in"), data)
    assert response.status_code == 400
    assert 'class="kiosk-error"' in page(response)
    assert not Visit.objects.exists()


# --- bad input: a kind sentence, the welcome screen, nothing changed -------------------------


def test_an_unknown_code(tablet):
    welcome_with(tablet.get(reverse("kiosk:code"), {"code": "NOTACODE99"}), "unknown")
    welcome_with(tablet.get(reverse("kiosk:confirm", args=["NOTACODE99"])), "unknown")
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": "NOTACODE99"}), "unknown")
    welcome_with(tablet.post(reverse("kiosk:check_out"), {"code": ""}), "unknown")
    html = page(tablet.get(reverse("kiosk:welcome"), {"m": "unknown"}))
    assert "We could not find that code" in html
    assert "data-idle-url" in html  # the sentence goes away by itself


def test_a_code_of_another_organisation_is_an_unknown_code(tablet, other_org):
    theirs = VisitFactory(site=other_org.sites.get(), expected_at=MORNING + timedelta(minutes=10))
    welcome_with(tablet.get(reverse("kiosk:code"), {"code": theirs.code}), "unknown")
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": theirs.code}), "unknown")
    unchanged(theirs, Visit.EXPECTED)
    theirs.status = Visit.ARRIVED
    theirs.save()
    welcome_with(tablet.post(reverse("kiosk:check_out"), {"code": theirs.code}), "unknown")
    unchanged(theirs, Visit.ARRIVED)


def test_a_code_of_another_site(tablet, org):
    annex = SiteFactory(organization=org, name="Annex")
    visit = VisitFactory(site=annex, expected_at=MORNING + timedelta(minutes=10))
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": visit.code}), "other_site")
    unchanged(visit, Visit.EXPECTED)
    assert "another of our sites" in page(tablet.get(reverse("kiosk:welcome"), {"m": "other_site"}))


def test_a_cancelled_visit(tablet, invited, owner):
    services.visit_cancel(actor=owner, visit=invited)
    welcome_with(tablet.get(reverse("kiosk:code"), {"code": invited.code}), "cancelled")
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": invited.code}), "cancelled")
    welcome_with(tablet.post(reverse("kiosk:check_out"), {"code": invited.code}), "cancelled")
    unchanged(invited, Visit.CANCELLED)
    assert "has been cancelled" in page(tablet.get(reverse("kiosk:welcome"), {"m": "cancelled"}))


def test_a_visit_already_checked_in(tablet, invited):
    done(tablet.post(reverse("kiosk:check_in"), {"code": invited.code}), "in")
    count = Activity.objects.count()
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": invited.code}), "already_in")
    welcome_with(tablet.get(reverse("kiosk:confirm", args=[invited.code])), "already_in")
    assert Activity.objects.count() == count and len(mail.outbox) == 1
    assert "already checked in" in page(tablet.get(reverse("kiosk:welcome"), {"m": "already_in"}))


def test_checking_out_a_visit_that_never_arrived(tablet, invited):
    welcome_with(tablet.post(reverse("kiosk:check_out"), {"code": invited.code}), "never_arrived")
    unchanged(invited, Visit.EXPECTED)
    assert "never checked in" in page(tablet.get(reverse("kiosk:welcome"), {"m": "never_arrived"}))


def test_checking_out_twice(tablet, invited):
    tablet.post(reverse("kiosk:check_in"), {"code": invited.code})
    done(tablet.post(reverse("kiosk:check_out"), {"code": invited.code}), "out")
    welcome_with(tablet.post(reverse("kiosk:check_out"), {"code": invited.code}), "already_left")
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": invited.code}), "already_left")


def test_a_visit_booked_for_another_day(tablet, site):
    later = VisitFactory(site=site, expected_at=MORNING + timedelta(days=2))
    welcome_with(tablet.get(reverse("kiosk:code"), {"code": later.code}), "not_today")
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": later.code}), "not_today")
    unchanged(later, Visit.EXPECTED)


def test_a_watchlist_match_shows_only_see_the_desk(tablet, invited, org):
    WatchlistEntryFactory(organization=org, full_name="Kowalska Anna Maria", reason="Shouted at the staff.")
    response = tablet.post(reverse("kiosk:check_in"), {"code": invited.code})
    done(response, "desk")
    html = page(tablet.get(response["Location"]))
    assert "Please see the reception desk" in html
    for secret in ("watchlist", "Watchlist", "Shouted", "manager"):
        assert secret not in html
    invited.refresh_from_db()
    assert invited.status == Visit.EXPECTED and invited.held_at is not None
    assert Activity.objects.filter(verb="visit.watchlist_matched").exists()
    # Trying again changes nothing more: the desk takes it from here.
    welcome_with(tablet.post(reverse("kiosk:check_in"), {"code": invited.code}), "see_desk")


def test_a_walk_in_matching_the_watchlist_is_held_without_a_word_why(tablet, org, host):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    response = tablet.post(reverse("kiosk:walk_in"), {"visitor_name": "jan NOWAK", "host": f"m:{host.pk}",
                                                      "visit_type": "visitor"})
    done(response, "desk")
    assert not mail.outbox


def test_unknown_done_screen_is_the_welcome(tablet):
    assert tablet.get(reverse("kiosk:done"), {"r": "hacked"})["Location"] == reverse("kiosk:welcome")


# --- language -------------------------------------------------------------------------------


def test_the_language_button_switches_for_this_visitor_and_idle_switches_back(tablet, org):
    assert 'lang="en"' in page(tablet.get(reverse("kiosk:welcome")))
    response = tablet.post(reverse("kiosk:language"), {"language": "pl", "next": reverse("kiosk:code")})
    assert response["Location"] == reverse("kiosk:code")
    assert response.cookies[auth.LANGUAGE_COOKIE]["samesite"] == "Strict"
    assert '<html lang="pl">' in page(tablet.get(reverse("kiosk:code")))
    assert "data-idle-url" in page(tablet.get(reverse("kiosk:welcome")))  # a chosen language times out

    reset = tablet.get(reverse("kiosk:welcome"), {"reset": "1"})
    assert reset["Location"] == reverse("kiosk:welcome")
    assert '<html lang="en">' in page(tablet.get(reverse("kiosk:welcome")))


def test_the_organisation_language_is_the_kiosk_default(tablet, org, kiosk):
    org.language = "pl"
    org.save()
    assert '<html lang="pl">' in page(tablet.get(reverse("kiosk:welcome")))
    kiosk.language = "en"
    kiosk.save()
    assert '<html lang="en">' in page(tablet.get(reverse("kiosk:welcome")))


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/account/login/", ""])
def test_the_language_button_returns_only_to_kiosk_screens(tablet, target):
    response = tablet.post(reverse("kiosk:language"), {"language": "pl", "next": target})
    assert response["Location"] == reverse("kiosk:welcome")


def test_an_unknown_language_changes_nothing(tablet):
    response = tablet.post(reverse("kiosk:language"), {"language": "xx"})
    assert auth.LANGUAGE_COOKIE not in response.cookies


# --- a kiosk is not a member ----------------------------------------------------------------


def test_a_staff_session_in_the_same_browser_is_ignored(tablet, owner, invited, kiosk):
    tablet.force_login(owner.user)
    session = tablet.session
    session["frontoffice_org"] = owner.organization_id
    session.save()
    owner.user.language = "pl"
    owner.user.save()
    html = page(tablet.get(reverse("kiosk:welcome")))
    assert owner.user.full_name not in html and reverse("core:logout") not in html
    assert '<html lang="en">' in html
    tablet.post(reverse("kiosk:check_in"), {"code": invited.code})
    checked_in = Activity.objects.get(verb="visit.checked_in")
    assert checked_in.actor is None
    invited.refresh_from_db()
    assert invited.checked_in_by is None


def test_kiosk_forms_need_the_csrf_token(kiosk, invited):
    browser = Client(enforce_csrf_checks=True)
    browser.post(reverse("kiosk:pair"), {"token": RAW})  # refused: no token yet
    assert auth.COOKIE not in browser.cookies or not browser.cookies[auth.COOKIE].value
    form = browser.get(reverse("kiosk:pair"))
    csrf = form.context["csrf_token"]
    assert browser.post(reverse("kiosk:pair"), {"token": RAW, "csrfmiddlewaretoken": csrf}).status_code == 302
    refused = browser.post(reverse("kiosk:check_in"), {"code": invited.code})
    assert refused.status_code == 302 and refused["Location"] == reverse("kiosk:welcome")  # never a staff page
    unchanged(invited, Visit.EXPECTED)
    csrf = browser.get(reverse("kiosk:confirm", args=[invited.code])).context["csrf_token"]
    done(browser.post(reverse("kiosk:check_in"), {"code": invited.code, "csrfmiddlewaretoken": csrf}), "in")


def test_last_seen_is_kept_up_to_date(tablet, kiosk):
    tablet.get(reverse("kiosk:welcome"))
    kiosk.refresh_from_db()
    assert kiosk.last_seen_at is not None


def test_the_pairing_page_offers_to_sign_a_staff_member_out(owner, signed_in, kiosk):
    browser = signed_in(owner)
    html = page(browser.get(reverse("kiosk:pair")))
    assert "Someone is signed in" in html and reverse("core:logout") in html
    response = browser.post(reverse("core:logout"), {"next": reverse("kiosk:pair")})
    assert response["Location"] == reverse("kiosk:pair")
    assert "Someone is signed in" not in page(browser.get(reverse("kiosk:pair")))


def test_a_staff_session_owing_a_second_factor_does_not_take_the_kiosk_to_the_staff_pages(manager, signed_in,
                                                                                           kiosk, invited):
    manager.organization.require_two_factor = True
    manager.organization.save()
    browser = signed_in(manager)  # no device yet: every staff page sends this session to two-factor set-up
    assert browser.get(reverse("reception:desk"))["Location"].startswith(reverse("core:two_factor_setup"))
    browser.cookies.load({auth.COOKIE: RAW})
    assert browser.get(reverse("kiosk:welcome")).status_code == 200
