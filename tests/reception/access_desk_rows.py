"""The desk's rows of the access table (see tests/access_table.py): the desk screen, walk-ins,
invitations, a visit and its actions, badges, who is on site, roll calls and the host's link."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.reception import presets, services
from frontoffice.reception.models import Evacuation, Visit
from tests.access_table import PUBLIC, Route
from tests.core.factories import SiteFactory
from tests.reception.factories import VisitFactory


def populate(world) -> None:
    """Visits of world.org in every state the desk acts on, and a second site with a roll call going
    on (under world.desk)."""
    now = timezone.now()
    host = world.member(caps.EXECUTIVE)
    annex = SiteFactory(organization=world.org, name="Alpha annex")
    manager = world.member(caps.MANAGER)
    evacuee = VisitFactory(site=annex, host_member=host, status=Visit.ARRIVED, arrived_at=now, badge_number="1")
    world.desk = SimpleNamespace(
        host=host,
        annex=annex,
        expected=VisitFactory(site=world.site, host_member=host, visitor_name="Ewa Oczekiwana"),
        arrived=VisitFactory(site=world.site, host_member=host, status=Visit.ARRIVED, arrived_at=now,
                             badge_number="1", visitor_name="Adam Czekający"),
        held=VisitFactory(site=world.site, host_member=host, held_at=now, visitor_name="Jan Nowak"),
        evacuee=evacuee,
        evacuation=Evacuation.objects.create(organization=world.org, site=annex, started_by=manager),
        visit_type=presets.visit_types(world.org.vertical)[0].key,
    )


def _visit(name):
    return lambda w, m: [getattr(w.desk, name).pk]


def _walk_in(world, member):
    return {"visitor_name": "Olga Nowa", "visitor_company": "Firma", "host": f"m{world.desk.host.pk}",
            "visit_type": world.desk.visit_type, "purpose": "Meeting", "client": ""}


def _invite(world, member):
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1), world.org.tz)
    return {"visitor_name": "Piotr Gość", "visitor_email": "piotr@example.com", "host": f"m{world.desk.host.pk}",
            "site": world.site.pk, "expected_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
            "visit_type": world.desk.visit_type, "send_invitation": "on"}


ROUTES = [
    Route("GET", "reception:desk", "reception.view"),
    Route("GET", "reception:desk", "reception.view", query=lambda w, m: {"site": w.site.pk}, tenant_ids=True,
          label="site"),
    Route("GET", "reception:desk_live", "reception.view", query=lambda w, m: {"site": w.site.pk}, tenant_ids=True),
    Route("GET", "reception:today", "reception.view", query=lambda w, m: {"site": w.site.pk, "status": "waiting"},
          tenant_ids=True),
    Route("GET", "reception:walk_in", "reception.desk", query=lambda w, m: {"q": "ewa"}),
    Route("POST", "reception:walk_in", "reception.desk", data=_walk_in, ok=(302,)),
    Route("GET", "reception:invite", "reception.invite"),
    Route("POST", "reception:invite", "reception.invite", data=_invite, ok=(302,)),
    Route("GET", "reception:visit", "reception.view", args=_visit("arrived")),
    Route("POST", "reception:visit_check_in", "reception.desk", args=_visit("expected"), ok=(302,)),
    Route("POST", "reception:visit_check_out", "reception.desk", args=_visit("arrived"), ok=(302,)),
    Route("POST", "reception:visit_greet", "reception.desk", args=_visit("arrived"), ok=(302,)),
    Route("POST", "reception:visit_host_met", "reception.desk", args=_visit("arrived"), ok=(302,)),
    Route("POST", "reception:visit_cancel", "reception.desk", args=_visit("expected"), ok=(302,),
          data=lambda w, m: {"reason": "Rescheduled"}),
    Route("POST", "reception:visit_no_show", "reception.desk", args=_visit("expected"), ok=(302,)),
    Route("POST", "reception:visit_make_client", "reception.desk", args=_visit("expected"), ok=(302,)),
    Route("POST", "reception:visit_admit", "reception.watchlist", args=_visit("held"), ok=(302,)),
    Route("POST", "reception:visit_turn_away", "reception.watchlist", args=_visit("held"), ok=(302,)),
    Route("GET", "reception:badge", "reception.desk", args=_visit("arrived"), query=lambda w, m: {"size": "a4"}),
    Route("GET", "reception:on_site", "reception.view"),
    Route("GET", "reception:roll_call_pdf", "reception.desk", query=lambda w, m: {"site": w.site.pk},
          tenant_ids=True),
    Route("POST", "reception:evacuation_start", "reception.evacuation", data=lambda w, m: {"site": w.site.pk},
          tenant_ids=True, ok=(302,)),
    Route("GET", "reception:evacuation", "reception.evacuation", args=lambda w, m: [w.desk.evacuation.pk]),
    Route("POST", "reception:evacuation_mark", "reception.evacuation", args=lambda w, m: [w.desk.evacuation.pk],
          data=lambda w, m: {"visit": w.desk.evacuee.pk}, ok=(302,)),
    Route("POST", "reception:evacuation_end", "reception.evacuation", args=lambda w, m: [w.desk.evacuation.pk],
          ok=(302,)),
    Route("GET", "reception:host_met_link", None, kind=PUBLIC, tenant_ids=False,
          args=lambda w, m: [services.host_link_token(w.desk.arrived)]),
    Route("POST", "reception:host_met_link", None, kind=PUBLIC, tenant_ids=False,
          args=lambda w, m: [services.host_link_token(w.desk.arrived)]),
]
