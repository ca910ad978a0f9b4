"""A believable day at the demo office's reception, relative to the moment the demo is loaded.

Visitors expected later today, some waiting (one of them too long), some with their host, some gone,
a cancellation, parcels on the shelf, one person on the watchlist and the documents the kiosk asks for.
Rows are written with their own times and each step's activity with the time it happened, so the
timeline and the analysis read like a real morning (the services stamp "now", which a demo cannot use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation

from frontoffice.clients.models import Client
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Member, Organization
from frontoffice.core.services import activity_record
from frontoffice.core.text import fold
from frontoffice.reception import presets
from frontoffice.reception.models import (
    VIA_DESK,
    VIA_KIOSK,
    Delivery,
    DocumentAcceptance,
    Visit,
    VisitDocument,
    WatchlistEntry,
)


@dataclass(frozen=True)
class Scene:
    """One visit, its moments in minutes from now (None: did not happen)."""

    name: str
    company: str
    type_index: int  # into the vertical's visit types
    expected: int | None
    arrived: int | None = None
    greeted: int | None = None
    host_met: int | None = None
    left: int | None = None
    cancelled: int | None = None
    via: str = VIA_DESK
    with_client: bool = False
    purpose: str = ""


PEOPLE = {
    True: ("Tomasz Lis", "Agnieszka Wrona", "Marek Sowa", "Karolina Zając", "Jakub Nowicki", "Ewelina Kruk",
           "Bartosz Wilk", "Natalia Sikora", "Hubert Żmuda", "Iga Borkowska", "Oskar Kaczmarek"),
    False: ("Oliver Grant", "Priya Patel", "Liam O'Connor", "Hannah Brooks", "Samuel Reid", "Zoë Hartley",
            "Daniel Kim", "Megan Lloyd", "Tom Ashworth", "Aisha Rahman", "Ben Carter"),
}
COMPANIES = {
    True: ("Chłód Serwis sp. z o.o.", "InPost", "Biuro Projektowe Łuk", "Drukarnia Sowa", ""),
    False: ("Westside Electrical", "DPD", "Avon Recruitment", "Quayside Builders", ""),
}
WATCHLIST = {True: ("Grzegorz Ćwik", "Groził personelowi w rejestracji (notatka służbowa z marca)."),
             False: ("Gary Holt", "Abusive to the front desk; barred by the office manager.")}
CARRIERS = {True: (("InPost", "Karton, 2 kg", "Regał B"), ("Poczta Polska", "List polecony", "Sejf")),
            False: (("DPD", "Box of toner", "Shelf B"), ("Royal Mail", "Signed-for letter", "Safe"))}


def _scenes(polish: bool) -> list[Scene]:
    names, companies = PEOPLE[polish], COMPANIES[polish]
    return [
        Scene(names[0], "", 0, expected=25, with_client=True),
        Scene(names[1], companies[2], 4, expected=55, purpose="Interview" if not polish else "Rozmowa"),
        Scene(names[2], companies[0], 3, expected=120, purpose="Service" if not polish else "Serwis"),
        Scene(names[3], "", 0, expected=-5, arrived=-3, via=VIA_KIOSK, with_client=True),
        Scene(names[4], companies[3], 1, expected=-30, arrived=-17, greeted=-16),  # waiting too long
        Scene(names[5], "", 0, expected=-45, arrived=-47, greeted=-46, host_met=-38, with_client=True),
        Scene(names[6], companies[0], 3, expected=None, arrived=-75, greeted=-74, host_met=-70),
        Scene(names[7], "", 0, expected=-180, arrived=-185, greeted=-184, host_met=-176, left=-130,
              with_client=True),
        Scene(names[8], companies[1], 2, expected=None, arrived=-150, greeted=-150, left=-140),
        Scene(names[9], companies[2], 4, expected=-240, arrived=-236, greeted=-235, host_met=-229, left=-170,
              via=VIA_KIOSK),
        Scene(names[10], "", 1, expected=90, cancelled=-60),
    ]


def _at(now: datetime, offset: int | None) -> datetime | None:
    return None if offset is None else now + timedelta(minutes=offset)


def _record(visit: Visit, verb: str, actor: Member | None, when: datetime, data: dict | None = None,
            actor_kind: str | None = None) -> None:
    activity_record(organization=visit.organization, site=visit.site, actor=actor, verb=verb, subject=visit,
                    client_id=visit.client_id, label="", data=data or {}, occurred_at=when, actor_kind=actor_kind)


def _minutes(delta: timedelta) -> int:
    return round(delta.total_seconds() / 60)


def _make_visit(organization: Organization, scene: Scene, now: datetime, *, site, host: Member | None,
                department, desk: Member, inviter: Member, client: Client | None, badge: str) -> Visit:
    types = presets.visit_types(organization.vertical)
    kind = types[scene.type_index % len(types)]
    expected_at, arrived_at = _at(now, scene.expected), _at(now, scene.arrived)
    greeted_at, host_met_at, left_at = _at(now, scene.greeted), _at(now, scene.host_met), _at(now, scene.left)
    cancelled_at = _at(now, scene.cancelled)
    status = (Visit.CANCELLED if cancelled_at else Visit.LEFT if left_at else Visit.WITH_HOST if host_met_at
              else Visit.ARRIVED if arrived_at else Visit.EXPECTED)
    visit = Visit.objects.create(
        organization=organization, site=site, client=client, visit_type=kind.key, purpose=scene.purpose,
        visitor_name=client.display_name if client else scene.name, visitor_company=scene.company,
        visitor_email="" if client else f"{fold(scene.name).replace(' ', '.')}@example.com",
        host_member=host, host_department=department if host is None else None, status=status,
        expected_at=expected_at, arrived_at=arrived_at, greeted_at=greeted_at, host_met_at=host_met_at,
        left_at=left_at, cancelled_at=cancelled_at, greeted_by=desk if greeted_at else None,
        checked_in_by=desk if arrived_at and scene.via == VIA_DESK else None,
        checked_out_by=desk if left_at else None, invited_by=inviter if expected_at else None,
        check_in_via=scene.via if arrived_at else "", check_out_via=VIA_DESK if left_at else "",
        host_notified_at=arrived_at + timedelta(seconds=20) if arrived_at else None, badge_number=badge)
    if expected_at:
        invited_at = min(now, expected_at - timedelta(days=2))
        _record(visit, "visit.expected" if client else "visit.invited", inviter, invited_at)
    if cancelled_at:
        _record(visit, "visit.cancelled", desk, cancelled_at, {"reason_given": False})
    if arrived_at:
        kiosk = scene.via == VIA_KIOSK
        data = {"via": scene.via, "kiosk_id": None,
                "minutes_late": _minutes(arrived_at - expected_at) if expected_at else None}
        if expected_at is None:
            data["walk_in"] = True
        _record(visit, "visit.checked_in", None if kiosk else desk, arrived_at, data,
                actor_kind="client" if kiosk else None)
        _record(visit, "visit.host_notified", None, visit.host_notified_at)
        if kiosk and greeted_at:
            _record(visit, "visit.greeted", desk, greeted_at,
                    {"seconds_to_greet": int((greeted_at - arrived_at).total_seconds())})
    if host_met_at:
        _record(visit, "visit.host_met", host, host_met_at,
                {"seconds_waiting": int((host_met_at - arrived_at).total_seconds()), "via": "link"})
    if left_at:
        _record(visit, "visit.checked_out", desk, left_at,
                {"via": VIA_DESK, "minutes_on_site": _minutes(left_at - arrived_at)})
    return visit


def _documents(organization: Organization, owner: Member) -> list[VisitDocument]:
    documents = []
    for default in presets.default_documents(organization.vertical):
        with translation.override(organization.language):  # visitors read them in the office's language
            title, body = str(default.title), str(default.body)
        document = VisitDocument.objects.create(organization=organization, kind=default.kind, title=title, body=body,
                                                visit_types=list(default.visit_types), created_by=owner)
        activity_record(organization=organization, actor=owner, verb="visit_document.created", subject=document,
                        data={"version": 1, "replaces": None})
        documents.append(document)
    return documents


def _deliveries(organization: Organization, site, now: datetime, desk: Member, recipients: list[Member],
                polish: bool) -> None:
    waiting = CARRIERS[polish]
    for index, (carrier, description, spot) in enumerate(waiting):
        received = now - timedelta(minutes=95 - 60 * index)
        delivery = Delivery.objects.create(organization=organization, site=site, carrier=carrier,
                                           tracking=f"{6000 + index}{424242 + index * 7}", description=description,
                                           storage_spot=spot, recipient=recipients[index % len(recipients)],
                                           received_by=desk, received_at=received,
                                           notified_at=received + timedelta(seconds=30))
        activity_record(organization=organization, site=site, actor=desk, verb="delivery.logged", subject=delivery,
                        occurred_at=received, data={"recipient_id": delivery.recipient_id, "photo": False})
    received, picked = now - timedelta(days=1, hours=2), now - timedelta(days=1)
    delivery = Delivery.objects.create(organization=organization, site=site, carrier=waiting[0][0],
                                       tracking="5550001234", description=waiting[0][1], storage_spot=waiting[0][2],
                                       recipient=recipients[-1], received_by=desk, received_at=received,
                                       notified_at=received, picked_up_at=picked, handed_over_by=desk)
    activity_record(organization=organization, site=site, actor=desk, verb="delivery.logged", subject=delivery,
                    occurred_at=received, data={"recipient_id": delivery.recipient_id, "photo": False})
    activity_record(organization=organization, site=site, actor=desk, verb="delivery.picked_up", subject=delivery,
                    occurred_at=picked, data={"minutes_waiting": _minutes(picked - received)})


@transaction.atomic
def load(organization: Organization, members: dict[str, Member]) -> None:
    """The demo loader (``core.demo.DEMO_LOADERS``): today's reception for ``organization``."""
    if Visit.objects.filter(organization=organization).exists():
        return
    site = organization.sites.order_by("pk").first()
    if site is None:
        return
    owner = members[caps.OWNER]
    desk = members.get(caps.RECEPTIONIST) or owner
    inviter = members.get(caps.ADMIN_ASSISTANT) or desk
    hosts = [members.get(caps.EXECUTIVE) or owner, members.get(caps.MANAGER) or owner, None]
    department = organization.departments.order_by("pk").first()
    polish = organization.country == "PL"
    now = timezone.now().replace(second=0, microsecond=0)
    clients = iter(Client.objects.filter(organization=organization, merged_into__isnull=True,
                                         erased_at__isnull=True, kind="person").order_by("pk")[:5])
    documents = _documents(organization, owner)
    scenes = sorted(_scenes(polish), key=lambda s: s.arrived if s.arrived is not None else 10 ** 6)
    today = now.astimezone(site.tz).date()
    badge = 0
    for index, scene in enumerate(scenes):
        arrived = _at(now, scene.arrived)
        number = ""
        if arrived is not None and arrived.astimezone(site.tz).date() == today:
            badge += 1
            number = str(badge)
        host = hosts[index % len(hosts)] or (owner if department is None else None)
        visit = _make_visit(organization, scene, now, site=site, host=host, department=department, desk=desk,
                            inviter=inviter, client=next(clients, None) if scene.with_client else None,
                            badge=number)
        if scene.via == VIA_KIOSK and arrived is not None:
            DocumentAcceptance.objects.bulk_create([
                DocumentAcceptance(visit=visit, document=d, accepted_at=arrived)
                for d in documents if d.applies_to(visit.visit_type)])
    name, reason = WATCHLIST[polish]
    entry = WatchlistEntry.objects.create(organization=organization, full_name=name, name_folded=fold(name),
                                          date_of_birth=date(1979, 4, 2), reason=reason,
                                          added_by=members.get(caps.MANAGER) or owner)
    activity_record(organization=organization, actor=entry.added_by, verb="watchlist.added", subject=entry,
                    label="", occurred_at=now - timedelta(days=40))
    recipients = [m for m in (members.get(caps.EXECUTIVE), members.get(caps.MANAGER), owner) if m is not None]
    _deliveries(organization, site, now, desk, recipients, polish)
