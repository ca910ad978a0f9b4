"""The reception API's rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.reception.models import Visit
from tests.access_table import API, Route
from tests.reception.factories import DeliveryFactory, VisitFactory


def populate(world) -> None:
    """An expected visit, a visitor waiting and a package at the desk (under world.reception_api)."""
    host = world.member(caps.EXECUTIVE)
    expected = VisitFactory(site=world.site, host_member=host, visitor_name="Apirow Expected",
                            expected_at=timezone.now() + timedelta(days=30))
    arrived = VisitFactory(site=world.site, host_member=host, visitor_name="Apirow Waiting",
                           status=Visit.ARRIVED, arrived_at=timezone.now(), badge_number="1")
    delivery = DeliveryFactory(site=world.site, recipient=host)
    world.reception_api = SimpleNamespace(host=host, expected=expected, arrived=arrived, delivery=delivery)


def _expected(world, member):
    return [world.reception_api.expected.pk]


def _arrived(world, member):
    return [world.reception_api.arrived.pk]


def _invitation(world, member):
    return {"site_id": world.site.pk, "host_member_id": world.reception_api.host.pk,
            "visitor_name": "Apirow Invited", "visitor_email": "apirow.invited@example.org",
            "expected_at": (timezone.now() + timedelta(days=1)).isoformat()}


def _walk_in(world, member):
    return {"arrived": True, "site_id": world.site.pk, "host_member_id": world.reception_api.host.pk,
            "visitor_name": "Apirow Walkin"}


ROUTES = [
    Route("GET", "api:visit_list", "reception.view", kind=API, query=lambda w, m: {"date": "2031-03-10"}),
    Route("POST", "api:visit_create", "reception.invite", kind=API, data=_invitation, ok=(201,),
          label="invitation"),
    Route("POST", "api:visit_create", "reception.desk", kind=API, data=_walk_in, ok=(201,), label="walk-in"),
    Route("GET", "api:visit_on_site", "reception.view", kind=API),
    Route("GET", "api:visit_get", "reception.view", kind=API, args=_expected),
    # The desk may change any visit; the host or inviter (reception.invite) only theirs: not this one.
    Route("PATCH", "api:visit_patch", "reception.desk", kind=API, args=_expected,
          data=lambda w, m: {"purpose": "Contract"}),
    Route("POST", "api:visit_check_in", "reception.desk", kind=API, args=_expected),
    Route("POST", "api:visit_check_out", "reception.desk", kind=API, args=_arrived),
    Route("POST", "api:visit_cancel", "reception.desk", kind=API, args=_expected,
          data=lambda w, m: {"reason": "Ill"}),
    # A real badge is a PDF, not the JSON the walk expects: ask for a size there is not (400, "size").
    Route("GET", "api:visit_badge", "reception.desk", kind=API, args=_arrived,
          query=lambda w, m: {"size": "poster"}, ok=(400,)),
    Route("GET", "api:delivery_list", "reception.view", kind=API, query=lambda w, m: {"waiting": "true"}),
    Route("POST", "api:delivery_create", "reception.desk", kind=API,
          data=lambda w, m: {"site_id": w.site.pk, "carrier": "DHL", "recipient_id": w.reception_api.host.pk},
          ok=(201,)),
    Route("POST", "api:delivery_pickup", "reception.desk", kind=API,
          args=lambda w, m: [w.reception_api.delivery.pk],
          data=lambda w, m: {"picked_up_by_name": "Anna Nowak"}),
]
