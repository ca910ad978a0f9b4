"""Visits before the arrival: invitations, appointments, corrections, cancellations, no-shows, clients."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.clients.models import Client
from frontoffice.core import capabilities as caps
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.reception import services
from frontoffice.reception.models import CODE_ALPHABET, Visit
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory
from tests.reception.factories import VisitFactory, eager_tasks, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture
def host(org, make_member):
    return make_member(org, caps.EXECUTIVE)


def activities(verb):
    return list(Activity.objects.filter(verb=verb))


def soon(hours=2):
    return timezone.now() + timedelta(hours=hours)


# --- invitations ---------------------------------------------------------------------------------

def test_invite_expects_the_visitor_and_mails_the_invitation(site, host, receptionist):
    visit = services.visit_invite(actor=receptionist, site=site, host_member=host, visit_type="visitor",
                                  expected_at=soon(), visitor_name="  Anna   Nowak ", visitor_email="anna@example.com",
                                  visitor_phone="600 100 200", purpose="Contract")
    assert visit.status == Visit.EXPECTED and visit.invited_by == receptionist
    assert visit.visitor_name == "Anna Nowak" and visit.visitor_phone == "+48600100200"
    assert len(visit.code) == 10 and set(visit.code) <= set(CODE_ALPHABET)
    [entry] = activities("visit.invited")
    assert entry.actor == receptionist and entry.subject_label == "" and entry.data["invitation"] is True
    assert [m.to for m in mail.outbox] == [["anna@example.com"]]


def test_invitation_in_the_past_is_refused(site, host, receptionist):
    with pytest.raises(ValidationError) as refused:
        services.visit_invite(actor=receptionist, site=site, host_member=host, visit_type="visitor",
                              expected_at=timezone.now() - timedelta(hours=1), visitor_name="Anna Nowak",
                              visitor_email="anna@example.com")
    assert "expected_at" in refused.value.message_dict
    assert not Visit.objects.exists() and not mail.outbox


def test_invitation_needs_an_email_to_be_sent_but_not_otherwise(site, host, receptionist):
    with pytest.raises(ValidationError) as refused:
        services.visit_invite(actor=receptionist, site=site, host_member=host, visit_type="visitor",
                              expected_at=soon(), visitor_name="Anna Nowak")
    assert "visitor_email" in refused.value.message_dict
    visit = services.visit_invite(actor=receptionist, site=site, host_member=host, visit_type="visitor",
                                  expected_at=soon(), visitor_name="Anna Nowak", send_invitation=False)
    assert visit.pk and not mail.outbox


@pytest.mark.parametrize("field, value", [("visit_type", "client"), ("visitor_email", "not-an-address"),
                                          ("visitor_phone", "12"), ("visitor_name", "")])
def test_invitation_with_bad_input_names_the_field(site, host, receptionist, field, value):
    fields = {"visit_type": "visitor", "visitor_name": "Anna Nowak", "visitor_email": "anna@example.com"}
    fields[field] = value
    with pytest.raises(ValidationError) as refused:
        services.visit_invite(actor=receptionist, site=site, host_member=host, expected_at=soon(), **fields)
    assert field in refused.value.message_dict
    assert not Visit.objects.exists()


def test_invitation_needs_a_host_person_or_department(site, receptionist):
    with pytest.raises(ValidationError) as refused:
        services.visit_invite(actor=receptionist, site=site, visit_type="visitor", expected_at=soon(),
                              visitor_name="Anna Nowak", send_invitation=False)
    assert "host" in refused.value.message_dict
    department = DepartmentFactory(organization=site.organization)
    visit = services.visit_invite(actor=receptionist, site=site, host_department=department, visit_type="visitor",
                                  expected_at=soon(), visitor_name="Anna Nowak", send_invitation=False)
    assert visit.host_name == department.name


def test_invitation_refuses_rows_of_another_organisation(site, receptionist, other_org, make_member):
    stranger = make_member(other_org, caps.EXECUTIVE)
    with pytest.raises(ValidationError) as refused:
        services.visit_invite(actor=receptionist, site=other_org.sites.get(), host_member=stranger,
                              visit_type="visitor", expected_at=soon(), visitor_name="A B", send_invitation=False)
    assert {"site", "host_member"} <= set(refused.value.message_dict)


def test_invitation_for_a_client_takes_their_name_and_contacts(site, host, receptionist):
    client = make_client(receptionist, phones=["601 200 300"], emails=["jan@example.com"])
    visit = services.visit_invite(actor=receptionist, site=site, host_member=host, visit_type="patient",
                                  expected_at=soon(), client=client)
    assert (visit.visitor_name, visit.visitor_email, visit.visitor_phone) == (
        "Jan Kowalski", "jan@example.com", "+48601200300")
    assert Activity.objects.get(verb="visit.invited").client_id == client.pk


def test_expect_makes_an_appointment_visit_without_mail(org, site, host, receptionist):
    client = make_client(receptionist, emails=["jan@example.com"])
    visit = services.visit_expect(organization=org, site=site, client=client, expected_at=soon(), host_member=host)
    assert visit.status == Visit.EXPECTED and visit.visit_type == "patient" and visit.client == client
    assert visit.visitor_name == "Jan Kowalski" and not mail.outbox
    [entry] = activities("visit.expected")
    assert entry.actor is None and entry.actor_kind == "system" and entry.client_id == client.pk


def test_expect_refuses_an_erased_client(org, site, host, owner):
    from frontoffice.clients.services import client_erase

    client = make_client(owner)
    client_erase(actor=owner, client=client)
    with pytest.raises(ValidationError) as refused:
        services.visit_expect(organization=org, site=site, client=client, expected_at=soon(), host_member=host)
    assert "client" in refused.value.message_dict


# --- corrections, cancellations, no-shows ----------------------------------------------------------

def test_update_records_the_names_of_the_changed_fields_only(site, receptionist):
    visit = VisitFactory(site=site, purpose="Meeting")
    services.visit_update(actor=receptionist, visit=visit, purpose="Signing", visitor_company="ACME",
                          notes="")
    visit.refresh_from_db()
    assert (visit.purpose, visit.visitor_company) == ("Signing", "ACME")
    [entry] = activities("visit.updated")
    assert entry.data == {"fields": ["purpose", "visitor_company"]}
    services.visit_update(actor=receptionist, visit=visit, purpose="Signing")
    assert len(activities("visit.updated")) == 1


def test_update_of_an_ended_visit_is_a_conflict(site, receptionist):
    for status in (Visit.LEFT, Visit.CANCELLED):
        visit = VisitFactory(site=site, status=status)
        with pytest.raises(Conflict):
            services.visit_update(actor=receptionist, visit=visit, purpose="x")


def test_update_cannot_remove_the_last_host(site, receptionist):
    visit = VisitFactory(site=site)
    with pytest.raises(ValidationError) as refused:
        services.visit_update(actor=receptionist, visit=visit, host_member=None)
    assert "host" in refused.value.message_dict


def test_update_refuses_unknown_fields(site, receptionist):
    with pytest.raises(TypeError):
        services.visit_update(actor=receptionist, visit=VisitFactory(site=site), status="left")


def test_cancel_keeps_the_reason_in_the_notes_not_in_the_log(site, receptionist):
    visit = VisitFactory(site=site, notes="")
    services.visit_cancel(actor=receptionist, visit=visit, reason="Ill today")
    assert visit.status == Visit.CANCELLED and visit.cancelled_at and "Ill today" in visit.notes
    assert activities("visit.cancelled")[0].data == {"reason_given": True}


def test_cancel_of_a_checked_in_visit_is_a_conflict(site, receptionist):
    visit = VisitFactory(site=site)
    services.visit_check_in(actor=receptionist, visit=visit)
    with pytest.raises(Conflict, match="already checked in"):
        services.visit_cancel(actor=receptionist, visit=visit)
    visit.refresh_from_db()
    assert visit.status == Visit.ARRIVED


def test_no_show_only_for_an_expected_visit(site, receptionist):
    visit = VisitFactory(site=site)
    services.visit_no_show(actor=receptionist, visit=visit)
    assert Visit.objects.get(pk=visit.pk).status == Visit.NO_SHOW
    with pytest.raises(Conflict):
        services.visit_no_show(actor=receptionist, visit=visit)
    with pytest.raises(Conflict):
        services.visit_cancel(actor=receptionist, visit=visit)


# --- the visitor as a client -----------------------------------------------------------------------

def test_make_client_creates_one_from_the_visitor(site, receptionist):
    visit = VisitFactory(site=site, visitor_name="Anna Maria Nowak", visitor_email="anna@example.com",
                         visitor_phone="+48600100200")
    client = services.visit_make_client(actor=receptionist, visit=visit)
    assert (client.first_name, client.last_name) == ("Anna Maria", "Nowak")
    assert list(client.phones.values_list("number", flat=True)) == ["+48600100200"]
    assert Visit.objects.get(pk=visit.pk).client == client
    entry = Activity.objects.get(verb="visit.client_linked")
    assert entry.client_id == client.pk and entry.data == {"created": True}
    with pytest.raises(Conflict):
        services.visit_make_client(actor=receptionist, visit=visit)


def test_make_client_links_the_one_client_with_the_same_phone(site, receptionist):
    existing = make_client(receptionist, first_name="Anna", last_name="Nowak", phones=["600 100 200"])
    visit = VisitFactory(site=site, visitor_name="Ania Nowak", visitor_email="", visitor_phone="+48600100200")
    assert services.visit_make_client(actor=receptionist, visit=visit) == existing
    assert Client.objects.count() == 1


def test_make_client_creates_a_new_one_when_the_contact_is_ambiguous(site, receptionist):
    make_client(receptionist, first_name="Anna", last_name="Nowak", phones=["600 100 200"])
    make_client(receptionist, first_name="Piotr", last_name="Nowak", emails=["nowak@example.com"])
    visit = VisitFactory(site=site, visitor_name="Anna Nowak", visitor_email="nowak@example.com",
                         visitor_phone="+48600100200")
    client = services.visit_make_client(actor=receptionist, visit=visit)
    assert Client.objects.count() == 3 and client.display_name == "Anna Nowak"


# --- the host's link -------------------------------------------------------------------------------

def test_host_link_token_round_trip_and_expiry(site):
    import time_machine

    visit = VisitFactory(site=site)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = services.host_link_token(visit)
    assert services.visit_from_host_token(token) == visit
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert services.visit_from_host_token(token) == visit
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert services.visit_from_host_token(token) is None
    assert services.visit_from_host_token(token[:-2] + "xx") is None
    assert services.visit_from_host_token("") is None
    from django.core import signing

    other_salt = signing.TimestampSigner(salt="something.else").sign(str(visit.pk))
    assert services.visit_from_host_token(other_salt) is None
