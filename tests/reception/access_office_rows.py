"""The reception back office's rows of the access table (see tests/access_table.py): the watchlist,
deliveries, kiosks and visitor documents."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from frontoffice.core import capabilities as caps
from tests.access_table import Route
from tests.reception.factories import DeliveryFactory, KioskFactory, VisitDocumentFactory, WatchlistEntryFactory

PHOTO_NAME = "deliveries/access/parcel.png"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def populate(world) -> None:
    """A watchlist entry, a waiting package with a photo, a kiosk and a document of world.org
    (under world.office)."""
    owner = world.member(caps.OWNER)
    delivery = DeliveryFactory(site=world.site, recipient=owner, photo=PHOTO_NAME)
    world.office = SimpleNamespace(
        entry=WatchlistEntryFactory(organization=world.org, full_name="Adam Zakazany"),
        delivery=delivery,
        kiosk=KioskFactory(site=world.site, name="Entrance"),
        document=VisitDocumentFactory(organization=world.org, title="Confidentiality"),
    )


def _photo(world, member):
    """The photo's delivery; its file is written when asked for, since each test has its own media folder."""
    if not default_storage.exists(PHOTO_NAME):
        default_storage.save(PHOTO_NAME, ContentFile(PNG))
    return [world.office.delivery.pk]


def _entry(world, member):
    return [world.office.entry.pk]


def _delivery(world, member):
    return [world.office.delivery.pk]


def _kiosk(world, member):
    return [world.office.kiosk.pk]


def _document(world, member):
    return [world.office.document.pk]


def _watchlist_form(world, member):
    return {"full_name": "Ewa Niewpuszczalna", "date_of_birth": "1980-02-03", "reason": "Shoplifting."}


def _delivery_form(world, member):
    return {"site": world.site.pk, "recipient": member.pk, "carrier": "DPD", "tracking": "X1"}


def _document_form(world, member):
    return {"kind": "health", "title": "Health declaration", "body": "I have no symptoms.", "visit_types": []}


ROUTES = [
    Route("GET", "reception:watchlist", "reception.watchlist"),
    Route("GET", "reception:watchlist_new", "reception.watchlist"),
    Route("POST", "reception:watchlist_new", "reception.watchlist", data=_watchlist_form, ok=(302,)),
    Route("GET", "reception:watchlist_edit", "reception.watchlist", args=_entry),
    Route("POST", "reception:watchlist_edit", "reception.watchlist", args=_entry, data=_watchlist_form, ok=(302,)),
    Route("POST", "reception:watchlist_remove", "reception.watchlist", args=_entry, ok=(302,)),
    Route("GET", "reception:deliveries", "reception.view", query=lambda w, m: {"site": w.site.pk}),
    Route("GET", "reception:delivery_new", "reception.desk"),
    Route("POST", "reception:delivery_new", "reception.desk", data=_delivery_form, ok=(302,)),
    Route("GET", "reception:delivery_pickup", "reception.desk", args=_delivery),
    Route("POST", "reception:delivery_pickup", "reception.desk", args=_delivery,
          data=lambda w, m: {"picked_up_by_name": "Courier of the recipient"}, ok=(302,)),
    Route("GET", "reception:delivery_photo", "reception.view", args=_photo),
    Route("GET", "reception:kiosks", "reception.kiosks"),
    Route("GET", "reception:kiosk_new", "reception.kiosks"),
    Route("POST", "reception:kiosk_new", "reception.kiosks", data=lambda w, m: {"site": w.site.pk, "name": "Lobby"}),
    Route("POST", "reception:kiosk_revoke", "reception.kiosks", args=_kiosk, ok=(302,)),
    Route("GET", "reception:documents", "reception.kiosks"),
    Route("GET", "reception:document_new", "reception.kiosks"),
    Route("POST", "reception:document_new", "reception.kiosks", data=_document_form, ok=(302,)),
    Route("GET", "reception:document_edit", "reception.kiosks", args=_document),
    Route("POST", "reception:document_edit", "reception.kiosks", args=_document, data=_document_form, ok=(302,)),
    Route("POST", "reception:document_retire", "reception.kiosks", args=_document, ok=(302,)),
]
