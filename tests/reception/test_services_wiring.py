"""What reception adds to the shared registries: verbs, navigation, the dashboard card, client references."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation

from frontoffice.clients import privacy
from frontoffice.clients.services import CLIENT_REFERENCES
from frontoffice.core import capabilities as caps
from frontoffice.core import verbs
from frontoffice.core.registry import registry
from frontoffice.reception.models import Visit
from tests.reception.factories import DeliveryFactory, VisitFactory


def test_registrations():
    assert ("reception.visit", "client") in CLIENT_REFERENCES
    assert "visits" in privacy.SECTIONS
    with translation.override("en"):  # whatever language an earlier test left active
        assert verbs.label("visit.checked_in") == "checked a visitor in"
    assert [n.url_name for n in registry.nav if n.key == "reception"] == ["reception:desk"]
    assert any(p.key == "reception" for p in registry.panels)


def test_every_member_sees_reception_in_the_navigation(org, auditor):
    assert "reception" in [n.key for n in registry.nav_for(auditor)]


def test_the_dashboard_card_counts_todays_visitors(org, receptionist, signed_in, make_member):
    site = org.sites.get()
    VisitFactory(site=site, expected_at=timezone.now() + timedelta(minutes=30), visitor_name="Ola Nowa")
    VisitFactory(site=site, status=Visit.ARRIVED, arrived_at=timezone.now() - timedelta(minutes=30))
    DeliveryFactory(site=site)
    page = signed_in(receptionist).get(reverse("core:dashboard"))
    html = page.content.decode()
    assert page.status_code == 200 and "Visitors" in html and "Ola Nowa" in html
    assert "1</strong> waiting (1 too long)" in html and reverse("reception:desk") in html


def test_every_capability_of_reception_is_in_the_table():
    expected = {"reception.view", "reception.desk", "reception.invite", "reception.watchlist",
                "reception.evacuation", "reception.kiosks"}
    assert expected <= set(caps.CAPABILITIES)
    assert caps.roles_granting("reception.kiosks") == {caps.OWNER}
    assert caps.EXECUTIVE in caps.roles_granting("reception.invite")
    assert caps.CLERK not in caps.roles_granting("reception.desk")
