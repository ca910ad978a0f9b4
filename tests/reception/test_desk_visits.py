"""One visit at the desk: its page, the actions on it (each back with a message) and the badge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.models import Visit
from tests.clients.factories import make_client
from tests.reception.factories import VisitFactory


def page(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def desk(receptionist, signed_in):
    return signed_in(receptionist)


@pytest.fixture
def host(org, make_member):
    return make_member(org, caps.EXECUTIVE)


@pytest.fixture
def expected(site, host):
    return VisitFactory(site=site, host_member=host, visitor_name="Ewa Oczekiwana", visitor_company="Acme",
                        visitor_phone="+48600100200")


@pytest.fixture
def waiting(site, host):
    return VisitFactory(site=site, host_member=host, visitor_name="Adam Czekający", status=Visit.ARRIVED,
                        arrived_at=timezone.now() - timedelta(minutes=4), badge_number="3")


def _reload(visit) -> Visit:
    return Visit.objects.get(pk=visit.pk)


# --- the visit page ----------------------------------------------------------------------------

def test_visit_page_shows_the_visitor_times_status_and_activity(desk, receptionist, expected):
    services.visit_check_in(actor=receptionist, visit=expected)
    html = page(desk.get(reverse("reception:visit", args=[expected.pk])))
    assert "Ewa Oczekiwana" in html and "Acme" in html and "+48 600 100 200" in html
    assert "waiting" in html  # the status
    assert expected.code in html
    assert "checked a visitor in" in html and receptionist.user.full_name in html
    assert reverse("reception:visit_check_out", args=[expected.pk]) in html
    assert reverse("reception:badge", args=[expected.pk]) + "?size=a4" in html


def test_visit_page_offers_what_fits_the_state(desk, expected):
    html = page(desk.get(reverse("reception:visit", args=[expected.pk])))
    assert reverse("reception:visit_check_in", args=[expected.pk]) in html
    assert reverse("reception:visit_cancel", args=[expected.pk]) in html
    assert reverse("reception:visit_no_show", args=[expected.pk]) in html
    assert reverse("reception:visit_check_out", args=[expected.pk]) not in html
    assert reverse("reception:badge", args=[expected.pk]) not in html


def test_visit_of_another_organisation_is_404(other_org, make_member, signed_in, expected):
    stranger = signed_in(make_member(other_org, *caps.ROLES))
    assert stranger.get(reverse("reception:visit", args=[expected.pk])).status_code == 404
    assert stranger.post(reverse("reception:visit_check_in", args=[expected.pk])).status_code == 404
    assert _reload(expected).status == Visit.EXPECTED


# --- the actions -------------------------------------------------------------------------------

def test_check_in_from_the_desk_goes_back_to_the_desk_with_a_message(desk, receptionist, site, expected):
    back = f"{reverse('reception:desk')}?site={site.pk}"
    response = desk.post(reverse("reception:visit_check_in", args=[expected.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    visit = _reload(expected)
    assert visit.status == Visit.ARRIVED and visit.greeted_by == receptionist and visit.check_in_via == "desk"
    assert "Ewa Oczekiwana is checked in." in page(desk.get(back))


def test_next_pointing_elsewhere_is_ignored(desk, expected):
    response = desk.post(reverse("reception:visit_check_in", args=[expected.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("reception:visit", args=[expected.pk])


def test_checking_in_twice_says_so_and_changes_nothing(desk, waiting):
    before = Activity.objects.count()
    response = desk.post(reverse("reception:visit_check_in", args=[waiting.pk]), follow=True)
    assert "already checked in" in page(response)
    assert _reload(waiting).arrived_at == waiting.arrived_at and Activity.objects.count() == before


def test_checking_out_one_that_never_arrived_says_so(desk, expected):
    response = desk.post(reverse("reception:visit_check_out", args=[expected.pk]), follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert 'class="error"' in page(response)
    assert _reload(expected).status == Visit.EXPECTED


def test_greet_host_met_and_check_out(desk, receptionist, waiting):
    desk.post(reverse("reception:visit_greet", args=[waiting.pk]))
    assert _reload(waiting).greeted_by == receptionist
    desk.post(reverse("reception:visit_host_met", args=[waiting.pk]))
    assert _reload(waiting).status == Visit.WITH_HOST
    response = desk.post(reverse("reception:visit_check_out", args=[waiting.pk]), follow=True)
    visit = _reload(waiting)
    assert visit.status == Visit.LEFT and visit.check_out_via == "desk"
    assert "Adam Czekający has left." in page(response)


def test_cancel_with_a_reason_and_no_show(desk, expected, site, host):
    desk.post(reverse("reception:visit_cancel", args=[expected.pk]), {"reason": "Rescheduled"})
    assert _reload(expected).status == Visit.CANCELLED
    other = VisitFactory(site=site, host_member=host)
    desk.post(reverse("reception:visit_no_show", args=[other.pk]))
    assert _reload(other).status == Visit.NO_SHOW


def test_cancel_with_a_reason_too_long_changes_nothing(desk, expected):
    response = desk.post(reverse("reception:visit_cancel", args=[expected.pk]), {"reason": "x" * 201}, follow=True)
    assert "at most 200 characters" in page(response)
    assert _reload(expected).status == Visit.EXPECTED


def test_cancelling_a_visitor_who_is_here_is_refused(desk, waiting):
    response = desk.post(reverse("reception:visit_cancel", args=[waiting.pk]), follow=True)
    assert 'class="error"' in page(response) and _reload(waiting).status == Visit.ARRIVED


def test_make_client_links_a_new_client(desk, expected):
    response = desk.post(reverse("reception:visit_make_client", args=[expected.pk]), follow=True)
    visit = _reload(expected)
    assert visit.client is not None and visit.client.display_name == "Ewa Oczekiwana"
    assert "linked to the client record" in page(response)


def test_make_client_reuses_the_one_client_with_that_phone(desk, receptionist, expected):
    existing = make_client(receptionist, first_name="Ewa", last_name="Oczekiwana", phones=["600 100 200"])
    desk.post(reverse("reception:visit_make_client", args=[expected.pk]))
    assert _reload(expected).client == existing


def test_manager_admits_a_held_visitor(manager, signed_in, site, host):
    held = VisitFactory(site=site, host_member=host, held_at=timezone.now())
    signed_in(manager).post(reverse("reception:visit_admit", args=[held.pk]))
    visit = _reload(held)
    assert visit.held_at is None and visit.status == Visit.ARRIVED


def test_manager_turns_a_held_visitor_away(manager, signed_in, site, host):
    held = VisitFactory(site=site, host_member=host, held_at=timezone.now())
    signed_in(manager).post(reverse("reception:visit_turn_away", args=[held.pk]))
    assert _reload(held).status == Visit.CANCELLED


def test_receptionist_cannot_admit(desk, site, host):
    held = VisitFactory(site=site, host_member=host, held_at=timezone.now())
    assert desk.post(reverse("reception:visit_admit", args=[held.pk])).status_code == 403
    assert _reload(held).held_at is not None


def test_check_in_of_a_watchlisted_visitor_holds_it(desk, org, site, host):
    from tests.reception.factories import WatchlistEntryFactory

    WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    visit = VisitFactory(site=site, host_member=host, visitor_name="Jan Nowak")
    response = desk.post(reverse("reception:visit_check_in", args=[visit.pk]), follow=True)
    assert "Ask a manager to come to the desk." in page(response)
    held = _reload(visit)
    assert held.held_at is not None and held.status == Visit.EXPECTED


def test_actions_need_post(desk, expected):
    assert desk.get(reverse("reception:visit_check_in", args=[expected.pk])).status_code == 405


# --- the badge ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["label", "a4"])
def test_badge_is_a_pdf(desk, waiting, size):
    response = desk.get(reverse("reception:badge", args=[waiting.pk]), {"size": size})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_badge_of_a_cancelled_visit_is_refused_with_a_message(desk, site, host):
    visit = VisitFactory(site=site, host_member=host, status=Visit.CANCELLED, cancelled_at=timezone.now())
    response = desk.get(reverse("reception:badge", args=[visit.pk]), follow=True)
    assert response.redirect_chain == [(reverse("reception:visit", args=[visit.pk]), 302)]
    assert "cancelled: there is no badge to print" in page(response)


def test_badge_of_an_unknown_size_is_400(desk, waiting):
    assert desk.get(reverse("reception:badge", args=[waiting.pk]), {"size": "poster"}).status_code == 400
