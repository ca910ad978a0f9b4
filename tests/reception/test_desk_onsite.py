"""Who is on site, the roll call PDF, an evacuation from a phone, and the host's "on my way" link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.models import Evacuation, EvacuationMark, Visit
from tests.core.factories import SiteFactory
from tests.reception.factories import VisitFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def host(org, make_member):
    return make_member(org, caps.EXECUTIVE)


@pytest.fixture
def here(site, host):
    return VisitFactory(site=site, host_member=host, visitor_name="Adam Obecny", status=Visit.ARRIVED,
                        arrived_at=timezone.now() - timedelta(minutes=10), badge_number="1")


@pytest.fixture
def with_host(site, host):
    return VisitFactory(site=site, host_member=host, visitor_name="Olga Zajęta", status=Visit.WITH_HOST,
                        arrived_at=timezone.now() - timedelta(minutes=30), host_met_at=timezone.now())


# --- who is on site ----------------------------------------------------------------------------

def test_on_site_lists_visitors_per_site(receptionist, signed_in, org, site, host, here, with_host):
    annex = SiteFactory(organization=org, name="Annex")
    receptionist.sites.add(annex)
    VisitFactory(site=annex, host_member=host, visitor_name="Anna Annex", status=Visit.ARRIVED,
                 arrived_at=timezone.now())
    VisitFactory(site=site, host_member=host, visitor_name="Piotr Wyszedł", status=Visit.LEFT,
                 arrived_at=timezone.now(), left_at=timezone.now())
    html = page(signed_in(receptionist).get(reverse("reception:on_site")))
    assert "Adam Obecny" in html and "Olga Zajęta" in html and "Anna Annex" in html
    assert "Piotr Wyszedł" not in html
    assert html.index("Alpha main") < html.index("Adam Obecny") < html.index("Annex")
    assert reverse("reception:roll_call_pdf") + f"?site={site.pk}" in html
    assert 'hx-trigger="every 5s"' in html


def test_on_site_htmx_answers_the_lists_only(receptionist, signed_in, here):
    html = page(signed_in(receptionist).get(reverse("reception:on_site"), **HTMX))
    assert "<html" not in html and "Adam Obecny" in html


def test_on_site_of_a_foreign_site_is_404(receptionist, signed_in, other_org):
    response = signed_in(receptionist).get(reverse("reception:on_site"), {"site": other_org.sites.get().pk})
    assert response.status_code == 404


def test_only_a_manager_may_start_a_roll_call(receptionist, manager, signed_in, site, here):
    assert reverse("reception:evacuation_start") not in page(signed_in(receptionist).get(reverse("reception:on_site")))
    assert reverse("reception:evacuation_start") in page(signed_in(manager).get(reverse("reception:on_site")))
    assert signed_in(receptionist).post(reverse("reception:evacuation_start"), {"site": site.pk}).status_code == 403
    assert not Evacuation.objects.exists()


def test_roll_call_pdf(receptionist, signed_in, site, here):
    response = signed_in(receptionist).get(reverse("reception:roll_call_pdf"), {"site": site.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    whole = signed_in(receptionist).get(reverse("reception:roll_call_pdf"))
    assert whole.status_code == 200 and whole.content.startswith(b"%PDF")


# --- evacuation --------------------------------------------------------------------------------

def test_manager_runs_a_roll_call_from_a_phone(manager, signed_in, site, here, with_host):
    phone = signed_in(manager)
    response = phone.post(reverse("reception:evacuation_start"), {"site": site.pk})
    evacuation = Evacuation.objects.get()
    assert response["Location"] == reverse("reception:evacuation", args=[evacuation.pk])
    html = page(phone.get(response["Location"]))
    assert "Adam Obecny" in html and "Olga Zajęta" in html and "0</strong> / 2" in html
    assert f'id="safe-{here.pk}"' in html and 'class="primary big"' in html
    response = phone.post(reverse("reception:evacuation_mark", args=[evacuation.pk]), {"visit": here.pk},
                          follow=True)
    html = page(response)
    assert EvacuationMark.objects.filter(evacuation=evacuation, visit=here).exists()
    assert "Adam Obecny is safe." in html and "1</strong> / 2" in html
    assert f'id="safe-{here.pk}"' not in html and f'id="safe-{with_host.pk}"' in html
    # the list on site shows who is safe
    assert "✓ safe" in page(phone.get(reverse("reception:on_site")))


def test_marking_twice_is_harmless(manager, signed_in, site, here):
    evacuation = services.evacuation_start(actor=manager, site=site)
    phone = signed_in(manager)
    for _ in range(2):
        phone.post(reverse("reception:evacuation_mark", args=[evacuation.pk]), {"visit": here.pk})
    assert EvacuationMark.objects.count() == 1


def test_marking_someone_not_on_the_roll_call_changes_nothing(manager, signed_in, org, site, host):
    evacuation = services.evacuation_start(actor=manager, site=site)
    annex = SiteFactory(organization=org, name="Annex")
    elsewhere = VisitFactory(site=annex, host_member=host, status=Visit.ARRIVED, arrived_at=timezone.now())
    for visit in (elsewhere.pk, "abc", ""):
        response = signed_in(manager).post(reverse("reception:evacuation_mark", args=[evacuation.pk]),
                                           {"visit": visit}, follow=True)
        assert "not on this roll call" in page(response)
    assert not EvacuationMark.objects.exists()


def test_starting_a_second_roll_call_at_a_site_says_so(manager, signed_in, site):
    services.evacuation_start(actor=manager, site=site)
    response = signed_in(manager).post(reverse("reception:evacuation_start"), {"site": site.pk}, follow=True)
    assert Evacuation.objects.count() == 1
    assert 'class="error"' in page(response)


def test_starting_a_roll_call_for_a_foreign_site_is_404(manager, signed_in, other_org):
    response = signed_in(manager).post(reverse("reception:evacuation_start"), {"site": other_org.sites.get().pk})
    assert response.status_code == 404 and not Evacuation.objects.exists()


def test_ending_the_roll_call(manager, signed_in, site, here):
    evacuation = services.evacuation_start(actor=manager, site=site)
    response = signed_in(manager).post(reverse("reception:evacuation_end", args=[evacuation.pk]), follow=True)
    evacuation.refresh_from_db()
    assert evacuation.ended_at is not None and "is over" in page(response)
    html = page(signed_in(manager).get(reverse("reception:evacuation", args=[evacuation.pk])))
    assert "Ended at" in html and 'id="safe-' not in html


def test_evacuation_of_another_organisation_is_404(other_org, make_member, signed_in, manager, site):
    evacuation = services.evacuation_start(actor=manager, site=site)
    stranger = signed_in(make_member(other_org, caps.MANAGER))
    assert stranger.get(reverse("reception:evacuation", args=[evacuation.pk])).status_code == 404


# --- the host's link ---------------------------------------------------------------------------

def test_host_link_shows_the_visitor_and_records_on_post_only(client, here):
    token = services.host_link_token(here)
    url = reverse("reception:host_met_link", args=[token])
    html = page(client.get(url))
    assert "Adam Obecny" in html and "I'm on my way" in html
    assert Visit.objects.get(pk=here.pk).host_met_at is None  # a mail scanner following the link changes nothing
    response = client.post(url)
    visit = Visit.objects.get(pk=here.pk)
    assert response.status_code == 200 and visit.status == Visit.WITH_HOST and visit.host_met_at is not None
    assert "the reception knows you are on your way" in page(response)
    assert Activity.objects.get(verb="visit.host_met").actor == here.host_member  # the link's addressee
    assert "Already recorded" in page(client.get(url))


def test_the_host_checks_their_visitor_out_from_the_same_link(client, here):
    url = reverse("reception:host_met_link", args=[services.host_link_token(here)])
    client.post(url)
    assert "My visitor has left" in page(client.get(url))
    response = client.post(url, {"action": "check_out"})
    visit = Visit.objects.get(pk=here.pk)
    assert response.status_code == 200 and "your visitor is checked out" in page(response)
    assert visit.status == Visit.LEFT and visit.check_out_via == "host" and visit.checked_out_by == here.host_member
    again = client.post(url, {"action": "check_out"})
    assert again.status_code == 409 and Activity.objects.filter(verb="visit.checked_out").count() == 1


def test_the_host_link_page_speaks_the_language_of_the_e_mail(client, here):
    here.host_member.user.language = "pl"
    here.host_member.user.save()
    html = page(client.get(reverse("reception:host_met_link", args=[services.host_link_token(here)]),
                           HTTP_ACCEPT_LANGUAGE="en"))
    assert "Już idę" in html and "I'm on my way" not in html and "Adam Obecny" in html


def test_host_link_posted_twice_records_once(client, here):
    url = reverse("reception:host_met_link", args=[services.host_link_token(here)])
    client.post(url)
    client.post(url)
    assert Activity.objects.filter(verb="visit.host_met").count() == 1


@pytest.mark.parametrize("token", ["garbage", "1:abc:def"])
def test_host_link_with_a_bad_token_is_a_clear_400(client, here, token):
    response = client.get(reverse("reception:host_met_link", args=[token]))
    assert response.status_code == 400 and "This link does not work any more" in page(response)
    assert client.post(reverse("reception:host_met_link", args=[token])).status_code == 400
    assert Visit.objects.get(pk=here.pk).host_met_at is None


def test_host_link_expires_after_a_day(client, here, time_machine):
    token = services.host_link_token(here)
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    response = client.post(reverse("reception:host_met_link", args=[token]))
    assert response.status_code == 400 and Visit.objects.get(pk=here.pk).host_met_at is None


def test_host_link_of_a_visitor_who_left_says_so(client, site, host):
    gone = VisitFactory(site=site, host_member=host, status=Visit.LEFT, arrived_at=timezone.now(),
                        left_at=timezone.now())
    url = reverse("reception:host_met_link", args=[services.host_link_token(gone)])
    assert "already left" in page(client.get(url))
    response = client.post(url)
    assert response.status_code == 409 and Visit.objects.get(pk=gone.pk).status == Visit.LEFT


def test_host_link_signed_for_another_purpose_is_refused(client, here):
    forged = signing.TimestampSigner(salt="something.else").sign(str(here.pk))
    assert client.get(reverse("reception:host_met_link", args=[forged])).status_code == 400
