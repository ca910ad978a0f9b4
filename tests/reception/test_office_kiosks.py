"""The kiosk pages: the list, pairing a new kiosk (the token shown once, with a link and a QR code) and
revoking one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.reception import services
from frontoffice.reception.models import Kiosk
from tests.core.factories import SiteFactory
from tests.reception.factories import KioskFactory


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def web(owner, signed_in):
    return signed_in(owner)


@pytest.fixture
def site(org):
    return org.sites.get()


def test_list_shows_each_kiosk_with_its_site_and_when_it_was_last_seen(web, site):
    KioskFactory(site=site, name="Entrance", last_seen_at=timezone.now() - timedelta(minutes=3))
    revoked = KioskFactory(site=site, name="Old tablet", revoked_at=timezone.now())
    KioskFactory(site=site, name="Spare")
    html = page(web.get(reverse("reception:kiosks")))
    assert "Entrance" in html and "Alpha main" in html and "Old tablet" in html and "never" in html
    assert "revoked" in html and reverse("reception:kiosk_revoke", args=[revoked.pk]) not in html
    assert html.index("Spare") < html.index("Old tablet")  # revoked ones last


def test_list_never_shows_another_organisations_kiosks(web, other_org):
    KioskFactory(site=other_org.sites.get(), name="Their tablet")
    assert "Their tablet" not in page(web.get(reverse("reception:kiosks")))


def test_pairing_shows_the_token_once_with_a_link_and_a_qr_code(web, owner, org, site):
    other_site = SiteFactory(organization=org, name="Annex")
    response = web.post(reverse("reception:kiosk_new"), {"site": other_site.pk, "name": "Annex door"})
    assert response.status_code == 200
    html = page(response)
    kiosk = Kiosk.objects.get()
    assert (kiosk.site, kiosk.name, kiosk.created_by, kiosk.organization) == (other_site, "Annex door", owner, org)
    token = re.search(r'id="kiosk-token">([^<]+)<', html).group(1)
    assert token.startswith("fok_") and kiosk.prefix and token.startswith(kiosk.prefix)
    assert token not in kiosk.token_hash
    assert services.kiosk_authenticate(token) == kiosk
    assert f"http://testserver/kiosk/pair/?token={token}" in html
    assert "<svg" in html and 'data-copy="#pairing-url"' in html and 'data-copy="#kiosk-token"' in html
    assert token not in page(web.get(reverse("reception:kiosks")))  # never shown again


@pytest.mark.parametrize("fields, name, message", [
    ({"name": " "}, "name", "This field is required."),
    ({"site": "999999"}, "site", "Select a valid choice."),
])
def test_bad_input_pairs_nothing_and_keeps_what_was_typed(web, site, fields, name, message):
    response = web.post(reverse("reception:kiosk_new"), {"site": site.pk, "name": "Front desk tablet"} | fields)
    assert response.status_code == 400
    html = page(response)
    assert message in html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    assert 'value="Front desk tablet"' in html or name == "name"
    assert not Kiosk.objects.exists()


def test_a_site_of_another_organisation_is_refused(web, other_org):
    response = web.post(reverse("reception:kiosk_new"), {"site": other_org.sites.get().pk, "name": "Sneaky"})
    assert response.status_code == 400 and not Kiosk.objects.exists()


def test_revoking_asks_first_and_stops_the_token(web, owner, site):
    kiosk, token = services.kiosk_create(actor=owner, site=site, name="Entrance")
    html = page(web.get(reverse("reception:kiosks")))
    assert "data-confirm" in html.split(reverse("reception:kiosk_revoke", args=[kiosk.pk]))[1][:200]
    response = web.post(reverse("reception:kiosk_revoke", args=[kiosk.pk]))
    assert response.status_code == 302
    kiosk.refresh_from_db()
    assert kiosk.revoked_at is not None and services.kiosk_authenticate(token) is None
    assert "Entrance was revoked" in page(web.get(reverse("reception:kiosks")))


def test_revoking_twice_says_so_and_keeps_the_first_time(web, site):
    kiosk = KioskFactory(site=site, revoked_at=timezone.now() - timedelta(days=1))
    first = kiosk.revoked_at
    response = web.post(reverse("reception:kiosk_revoke", args=[kiosk.pk]), follow=True)
    assert response.status_code == 200 and "This kiosk was revoked already." in page(response)
    kiosk.refresh_from_db()
    assert kiosk.revoked_at == first


def test_only_the_owner_pairs_kiosks(manager, signed_in):
    assert signed_in(manager).get(reverse("reception:kiosks")).status_code == 403


def test_list_query_count_is_pinned(web, owner, site, django_assert_max_num_queries):
    for n in range(15):
        KioskFactory(site=site, created_by=owner, name=f"Tablet {n}")
    web.get(reverse("reception:kiosks"))
    with django_assert_max_num_queries(4):  # session and member, the organisation switcher, the kiosks
        assert page(web.get(reverse("reception:kiosks"))).count("<td>Tablet ") == 15
