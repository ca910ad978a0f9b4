"""The watchlist, kiosks, visitor documents, roll calls and deliveries."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.models import Kiosk, VisitDocument
from tests.core.factories import SiteFactory
from tests.reception.factories import (  # noqa: F401 (eager_tasks, site: fixtures)
    DeliveryFactory,
    VisitFactory,
    WatchlistEntryFactory,
    eager_tasks,
    site,
)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

pytestmark = pytest.mark.usefixtures("eager_tasks")


# --- watchlist -----------------------------------------------------------------------------------

def test_watchlist_add_update_remove_keep_names_out_of_the_log(org, manager):
    entry = services.watchlist_add(actor=manager, full_name=" Żaneta  Łęcka ", reason="Threats",
                                   date_of_birth=date(1980, 1, 1))
    assert (entry.full_name, entry.name_folded) == ("Żaneta Łęcka", "zaneta lecka")
    services.watchlist_update(actor=manager, entry=entry, full_name="Zaneta Lecka-Nowak", reason="Threats",
                              date_of_birth=None)
    assert entry.name_folded == "zaneta lecka-nowak"
    services.watchlist_remove(actor=manager, entry=entry)
    assert not entry.active
    verbs = list(Activity.objects.order_by("id").values_list("verb", "subject_label"))
    assert verbs == [("watchlist.added", ""), ("watchlist.updated", ""), ("watchlist.removed", "")]


def test_watchlist_add_needs_a_name_and_a_reason(manager):
    with pytest.raises(ValidationError) as refused:
        services.watchlist_add(actor=manager, full_name=" ", reason="")
    assert set(refused.value.message_dict) == {"full_name", "reason"}


@pytest.mark.parametrize("name, matches", [("Jan Nowak", True), ("nowak jan", True), ("NOWÁK, Jan", True),
                                           ("Jan Nowakowski", False), ("Jan", False), ("Jan Maria Nowak", False)])
def test_watchlist_match_is_folded_word_set_equality(org, name, matches):
    entry = WatchlistEntryFactory(organization=org, full_name="Jan Nowak")
    assert (services.watchlist_match(organization=org, name=name) == entry) is matches


def test_watchlist_match_ignores_inactive_entries_and_checks_the_birth_date(org):
    WatchlistEntryFactory(organization=org, full_name="Jan Nowak", active=False)
    assert services.watchlist_match(organization=org, name="Jan Nowak") is None
    entry = WatchlistEntryFactory(organization=org, full_name="Jan Nowak", date_of_birth=date(1970, 3, 4))
    assert services.watchlist_match(organization=org, name="Jan Nowak") == entry
    assert services.watchlist_match(organization=org, name="Jan Nowak", date_of_birth=date(1970, 3, 4)) == entry
    assert services.watchlist_match(organization=org, name="Jan Nowak", date_of_birth=date(1971, 3, 4)) is None


# --- kiosks --------------------------------------------------------------------------------------

def test_kiosk_token_is_shown_once_and_stored_hashed(site, owner):
    kiosk, raw = services.kiosk_create(actor=owner, site=site, name="Entrance tablet")
    assert raw.startswith("fok_") and len(raw) > 40 and raw not in kiosk.token_hash
    assert kiosk.prefix == raw[:10]
    assert services.kiosk_authenticate(raw) == kiosk
    assert services.kiosk_authenticate(raw + "x") is None
    assert services.kiosk_authenticate("fo_" + raw[4:]) is None
    services.kiosk_revoke(actor=owner, kiosk=kiosk)
    assert services.kiosk_authenticate(raw) is None
    with pytest.raises(Conflict):
        services.kiosk_revoke(actor=owner, kiosk=kiosk)


def test_kiosk_last_seen_is_written_at_most_once_a_minute(site, owner):
    kiosk, raw = services.kiosk_create(actor=owner, site=site, name="Tablet")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.kiosk_authenticate(raw)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        services.kiosk_authenticate(raw)
        assert Kiosk.objects.get(pk=kiosk.pk).last_seen_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        services.kiosk_authenticate(raw)
        assert Kiosk.objects.get(pk=kiosk.pk).last_seen_at == start + timedelta(seconds=61)


def test_kiosk_needs_a_name_and_a_site_of_the_organisation(owner, other_org):
    with pytest.raises(ValidationError) as refused:
        services.kiosk_create(actor=owner, site=other_org.sites.get(), name="")
    assert set(refused.value.message_dict) == {"name"}
    with pytest.raises(ValidationError) as refused:
        services.kiosk_create(actor=owner, site=other_org.sites.get(), name="Tablet")
    assert set(refused.value.message_dict) == {"site"}


# --- documents -----------------------------------------------------------------------------------

def test_editing_a_document_saves_a_new_version_and_retires_the_old(owner):
    first = services.document_save(actor=owner, kind="nda", title="Confidentiality", body="v1",
                                   visit_types=["contractor"])
    second = services.document_save(actor=owner, kind="nda", title="Confidentiality", body="v2",
                                    visit_types=["contractor", "interview"], replaces=first)
    first.refresh_from_db()
    assert (first.active, second.active, second.version, first.body) == (False, True, 2, "v1")
    assert [a.verb for a in Activity.objects.order_by("id")] == ["visit_document.created", "visit_document.revised"]
    with pytest.raises(Conflict):
        services.document_save(actor=owner, kind="nda", title="Old", body="x", visit_types=[], replaces=first)


def test_document_validation(owner):
    with pytest.raises(ValidationError) as refused:
        services.document_save(actor=owner, kind="poem", title="", body=" ", visit_types=["spaceship"])
    assert set(refused.value.message_dict) == {"kind", "title", "body", "visit_types"}
    assert not VisitDocument.objects.exists()


def test_document_retire(owner):
    document = services.document_save(actor=owner, kind="health", title="Health", body="x", visit_types=[])
    services.document_retire(actor=owner, document=document)
    services.document_retire(actor=owner, document=document)
    assert not document.active
    assert Activity.objects.filter(verb="visit_document.retired").count() == 1


# --- roll calls ----------------------------------------------------------------------------------

def test_roll_call_start_mark_end(site, manager, receptionist):
    here = services.visit_check_in(actor=receptionist, visit=VisitFactory(site=site))
    evacuation = services.evacuation_start(actor=manager, site=site)
    with pytest.raises(Conflict):
        services.evacuation_start(actor=manager, site=site)
    first = services.evacuation_mark_safe(actor=manager, evacuation=evacuation, visit=here)
    again = services.evacuation_mark_safe(actor=manager, evacuation=evacuation, visit=here)
    assert first == again and evacuation.marks.count() == 1
    services.evacuation_end(actor=manager, evacuation=evacuation)
    assert evacuation.ended_at is not None
    with pytest.raises(Conflict):
        services.evacuation_mark_safe(actor=manager, evacuation=evacuation, visit=here)
    with pytest.raises(Conflict):
        services.evacuation_end(actor=manager, evacuation=evacuation)
    services.evacuation_start(actor=manager, site=site)  # the next one may start
    assert Activity.objects.get(verb="evacuation.started", subject_id=str(evacuation.pk)).data == {"on_site": 1}


def test_roll_call_mark_of_a_visit_at_another_site_is_refused(org, site, manager):
    evacuation = services.evacuation_start(actor=manager, site=site)
    with pytest.raises(ValidationError):
        services.evacuation_mark_safe(actor=manager, evacuation=evacuation,
                                      visit=VisitFactory(site=SiteFactory(organization=org)))


# --- deliveries ----------------------------------------------------------------------------------

def test_delivery_log_mails_the_recipient_and_pickup_records_the_wait(site, receptionist, make_member, mailoutbox):
    recipient = make_member(site.organization, caps.EXECUTIVE)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        delivery = services.delivery_log(actor=receptionist, site=site, carrier=" DHL ", recipient=recipient,
                                         tracking="JD0001", photo=SimpleUploadedFile("p.png", PNG, "image/png"))
    delivery.refresh_from_db()
    assert delivery.carrier == "DHL" and delivery.photo.name.startswith("deliveries/")
    assert delivery.received_by == receptionist and delivery.notified_at is not None
    assert [m.to for m in mailoutbox] == [[recipient.user.email]] and "DHL" in mailoutbox[0].body
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        services.delivery_pickup(actor=receptionist, delivery=delivery, picked_up_by_name="Ola (assistant)")
    assert delivery.picked_up_by_name == "Ola (assistant)" and delivery.handed_over_by == receptionist
    assert Activity.objects.get(verb="delivery.picked_up").data == {"minutes_waiting": 90}
    with pytest.raises(Conflict):
        services.delivery_pickup(actor=receptionist, delivery=delivery)


def test_delivery_needs_a_carrier_and_a_recipient_of_the_organisation(site, receptionist, other_owner):
    with pytest.raises(ValidationError) as refused:
        services.delivery_log(actor=receptionist, site=site, carrier="", recipient=other_owner)
    assert set(refused.value.message_dict) == {"carrier", "recipient"}


def test_pickup_of_a_delivery_picked_up_elsewhere_is_a_conflict(site, receptionist):
    delivery = DeliveryFactory(site=site)
    stale = type(delivery).objects.get(pk=delivery.pk)
    services.delivery_pickup(actor=receptionist, delivery=delivery)
    with pytest.raises(Conflict):
        services.delivery_pickup(actor=receptionist, delivery=stale)
