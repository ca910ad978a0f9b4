"""Reception's e-mails and periodic jobs (reception/tasks.py, emails.py)."""

import io
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.reception import services, tasks
from frontoffice.reception.models import Visit
from tests.core.factories import DepartmentFactory
from tests.reception.factories import DeliveryFactory, VisitFactory, eager_tasks  # noqa: F401 (fixtures)

UTC = dt_timezone.utc

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_URL = "https://office.example"


@pytest.fixture
def site(org):
    site = org.sites.get()
    site.address = "ul. Puławska 145\n02-715 Warszawa"
    site.save()
    return site


def invite(site, actor, **fields):
    fields = {"visit_type": "contractor", "visitor_name": "Łukasz Żółw", "visitor_email": "lukasz@example.com",
              "expected_at": datetime(2030, 7, 1, 8, 30, tzinfo=UTC), **fields}
    return services.visit_invite(actor=actor, site=site, host_member=VisitFactory(site=site).host_member, **fields)


def qr_text(png: bytes) -> str:
    import zxingcpp
    from PIL import Image

    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found.text


# --- the invitation ------------------------------------------------------------------------------

def test_invitation_carries_the_code_as_text_and_as_an_inline_qr_image(site, receptionist):
    visit = invite(site, receptionist)
    [message] = mail.outbox
    assert message.to == ["lukasz@example.com"] and site.organization.name in message.subject
    assert visit.code in message.body
    assert "10:30" in message.body  # 08:30 UTC is 10:30 in Warsaw in July
    assert "ul. Puławska 145, 02-715 Warszawa" in message.body
    assert visit.host_member.user.full_name in message.body
    assert "work order" in message.body  # what a contractor brings
    [(html, kind)] = message.alternatives
    assert kind == "text/html" and 'src="cid:visit-code"' in html and visit.code in html
    [image] = message.attachments
    assert image.get_content_type() == "image/png" and image["Content-ID"] == "<visit-code>"
    assert image["Content-Disposition"].startswith("inline")
    assert qr_text(image.get_payload(decode=True)) == visit.code
    raw = message.message().as_string()
    assert "multipart/related" in raw
    assert Activity.objects.filter(verb="visit.invitation_sent", subject_id=str(visit.pk)).count() == 1


def test_invitation_is_sent_once_unless_forced(site, receptionist):
    visit = invite(site, receptionist)
    tasks.send_invitation(visit_id=visit.pk)
    assert len(mail.outbox) == 1
    tasks.send_invitation(visit_id=visit.pk, force=True)
    assert len(mail.outbox) == 2


def test_no_invitation_for_a_cancelled_or_unknown_visit(site, receptionist):
    visit = invite(site, receptionist, send_invitation=False)
    services.visit_cancel(actor=receptionist, visit=visit)
    tasks.send_invitation(visit_id=visit.pk)
    tasks.send_invitation(visit_id=10 ** 9)
    assert not mail.outbox


# --- the host ------------------------------------------------------------------------------------

def test_host_alert_carries_a_working_link_and_is_sent_once(site, receptionist):
    visit = VisitFactory(site=site, visitor_company="ACME")
    services.visit_check_in(actor=receptionist, visit=visit)
    [message] = mail.outbox
    assert message.to == [visit.host_member.user.email]
    assert visit.visitor_name in message.subject and site.name in message.subject and "ACME" in message.body
    link = next(line for line in message.body.splitlines() if line.startswith("https://office.example/"))
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert link.startswith("https://office.example/reception/host/")
    assert services.visit_from_host_token(token) == visit
    visit.refresh_from_db()
    assert visit.host_notified_at is not None
    entry = Activity.objects.get(verb="visit.host_notified")
    assert entry.actor is None and entry.data == {"to": "member"}
    tasks.notify_host(visit_id=visit.pk)
    assert len(mail.outbox) == 1


def test_host_alert_goes_to_the_department_without_a_host_member(site, receptionist):
    department = DepartmentFactory(organization=site.organization, email="lab@example.com")
    visit = VisitFactory(site=site, host_member=None, host_department=department)
    services.visit_check_in(actor=receptionist, visit=visit)
    assert [m.to for m in mail.outbox] == [["lab@example.com"]]


def test_host_alert_without_any_address_sends_nothing(site, receptionist):
    visit = VisitFactory(site=site, host_member=None, host_department=DepartmentFactory(organization=site.organization,
                                                                                        email=""))
    services.visit_check_in(actor=receptionist, visit=visit)
    assert not mail.outbox and Visit.objects.get(pk=visit.pk).host_notified_at is None


def test_host_alert_is_in_the_hosts_language(site, receptionist, make_member):
    host = make_member(site.organization, caps.EXECUTIVE)
    host.user.language = "pl"
    host.user.save()
    visit = VisitFactory(site=site, host_member=host)
    services.visit_check_in(actor=receptionist, visit=visit)
    [message] = mail.outbox
    assert visit.code not in message.body  # the host gets a link, never the visitor's code


# --- deliveries ----------------------------------------------------------------------------------

def test_notify_delivery_once(site):
    delivery = DeliveryFactory(site=site, description="Toner", storage_spot="Shelf B")
    tasks.notify_delivery(delivery_id=delivery.pk)
    tasks.notify_delivery(delivery_id=delivery.pk)
    [message] = mail.outbox
    assert message.to == [delivery.recipient.user.email]
    assert "Toner" in message.body and "Shelf B" in message.body and message.alternatives
    delivery.refresh_from_db()
    assert delivery.notified_at is not None


def test_notify_delivery_skips_one_picked_up_already(site):
    delivery = DeliveryFactory(site=site, picked_up_at=timezone.now())
    tasks.notify_delivery(delivery_id=delivery.pk)
    assert not mail.outbox


# --- periodic jobs -------------------------------------------------------------------------------

def test_periodic_jobs_are_registered():
    from frontoffice.core import periodic

    jobs = {job.name: (job.func_path, job.minutes) for job in periodic.jobs()}
    assert jobs["reception.auto_check_out"] == ("frontoffice.reception.tasks.auto_check_out_all", 15)
    assert jobs["reception.anonymise"] == ("frontoffice.reception.tasks.anonymise_all", 60)


def test_periodic_jobs_run_for_every_organisation(org, other_org):
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    ours = VisitFactory(site=org.sites.get(), status=Visit.ARRIVED, arrived_at=now - timedelta(days=2))
    theirs = VisitFactory(site=other_org.sites.get(), status=Visit.ARRIVED, arrived_at=now - timedelta(days=2))
    old = VisitFactory(site=other_org.sites.get(), status=Visit.LEFT, arrived_at=now - timedelta(days=400),
                       left_at=now - timedelta(days=400))
    with time_machine.travel(now, tick=False):
        assert tasks.auto_check_out_all() == 2
        assert tasks.anonymise_all() == 1
    assert {v.status for v in Visit.objects.filter(pk__in=[ours.pk, theirs.pk])} == {Visit.LEFT}
    assert Visit.objects.get(pk=old.pk).anonymised_at == now


def test_a_failing_organisation_does_not_stop_the_others(org, other_org, monkeypatch):
    calls = []

    def flaky(*, organization):
        calls.append(organization.pk)
        if organization == org:
            raise RuntimeError("bad data")
        return 1

    monkeypatch.setattr(services, "auto_check_out", flaky)
    with pytest.raises(RuntimeError, match=str(org.pk)):
        tasks.auto_check_out_all()
    assert sorted(calls) == sorted([org.pk, other_org.pk])
