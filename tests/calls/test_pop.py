"""The screen pop: the extension point other apps add sections through (reception's visits is the first),
what the pop says about the caller, and the client search that links a caller."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.calls import pop
from frontoffice.core import capabilities as caps
from frontoffice.core.registry import PopLine, PopSection, Registry, registry
from frontoffice.reception.models import Visit
from tests.calls.factories import CallFactory, LineFactory
from tests.clients.factories import make_client
from tests.reception.factories import VisitFactory


@pytest.fixture
def line(org):
    return LineFactory(site=org.sites.get())


# --- the extension point -----------------------------------------------------------------------

def test_sections_come_in_order_for_members_who_may_see_them(org, receptionist, auditor, line):
    board = Registry()
    call = CallFactory(line=line)
    board.add_pop_section("late", lambda m, c: PopSection("late", "Late"), order=50)
    board.add_pop_section("early", lambda m, c: PopSection("early", f"Call {c.pk}"), order=10)
    board.add_pop_section("quiet", lambda m, c: None, order=20)  # nothing to say about this caller
    board.add_pop_section("secret", lambda m, c: PopSection("secret", "Secret"), capability="calls.answer")
    assert [s.key for s in board.pop_for(receptionist, call)] == ["early", "late", "secret"]
    assert [s.key for s in board.pop_for(auditor, call)] == ["early", "late"]
    assert board.pop_for(auditor, call)[0].title == f"Call {call.pk}"


def test_registering_a_key_again_replaces_it(receptionist, line):
    board = Registry()
    board.add_pop_section("visits", lambda m, c: PopSection("visits", "Old"))
    board.add_pop_section("visits", lambda m, c: PopSection("visits", "New"), order=5)
    assert [s.title for s in board.pop_for(receptionist, CallFactory(line=line))] == ["New"]


def test_reception_adds_the_visits_section():
    assert any(key == "reception" for _order, key, _cap, _provider in registry.pop_sections)


# --- reception's section -----------------------------------------------------------------------

def _visits_section(member, call):
    return next((s for s in registry.pop_for(member, call) if s.key == "reception"), None)


def test_visits_section_shows_the_last_visit_and_the_next_expected_one(org, receptionist, make_member, line):
    client = make_client(receptionist)
    site = org.sites.get()
    host = make_member(org, caps.EXECUTIVE, user__full_name="Dr Anna Lekarz")
    now = timezone.now()
    VisitFactory(site=site, client=client, status=Visit.LEFT, arrived_at=now - timedelta(days=30), host_member=host)
    last = VisitFactory(site=site, client=client, status=Visit.LEFT, arrived_at=now - timedelta(days=3),
                        host_member=host)
    coming = VisitFactory(site=site, client=client, expected_at=now + timedelta(hours=2), purpose="Check-up")
    VisitFactory(site=site, expected_at=now + timedelta(hours=1))  # someone else's
    section = _visits_section(receptionist, CallFactory(line=line, client=client))
    assert [line.url for line in section.lines] == [reverse("reception:visit", args=[last.pk]),
                                                   reverse("reception:visit", args=[coming.pk])]
    assert section.lines[0].text.startswith("Last visit: ") and section.lines[0].detail == "Dr Anna Lekarz"
    assert section.lines[1].text.startswith("Expected: ") and section.lines[1].detail == "Check-up"


def test_visits_section_is_absent_for_an_unknown_caller_and_says_so_for_a_client_without_visits(
        receptionist, line):
    assert _visits_section(receptionist, CallFactory(line=line)) is None
    section = _visits_section(receptionist, CallFactory(line=line, client=make_client(receptionist)))
    assert section.lines == () and section.empty == "No visits yet."


def test_visits_section_never_shows_another_organisations_visits(org, receptionist, other_org, other_owner,
                                                                   line):
    client = make_client(receptionist)
    # A visit of the other organisation pointing at this client id (it cannot happen through the services).
    VisitFactory(site=other_org.sites.get(), client=client, status=Visit.LEFT, arrived_at=timezone.now())
    assert _visits_section(receptionist, CallFactory(line=line, client=client)).lines == ()


# --- what the pop says -------------------------------------------------------------------------

def test_pop_of_a_known_caller(receptionist, line):
    client = make_client(receptionist, first_name="Anna", last_name="Nowak", phones=["+48601100200"],
                         notes="x" * 500)
    earlier = CallFactory(line=line, client=client, status="ended", offered_at=timezone.now() - timedelta(days=1))
    call = CallFactory(line=line, client=client, from_number="+48601100200")
    shown = pop.build(receptionist, call)
    assert (shown.caller, shown.number, shown.withheld, shown.sharing) == ("Anna Nowak", "+48 601 100 200",
                                                                          False, 1)
    assert len(shown.notes) == pop.NOTES_SHOWN + 1 and shown.notes.endswith("…")
    assert shown.previous == [earlier]
    assert {s.key for s in shown.sections} >= {"reception", "inquiries"}  # the apps add what they know


def test_pop_warns_when_clients_share_the_number(receptionist, line):
    make_client(receptionist, first_name="Jan", phones=["+48601100200"])
    make_client(receptionist, first_name="Ewa", phones=["+48601100200"])
    assert pop.build(receptionist, CallFactory(line=line, from_number="+48601100200")).sharing == 2


def test_pop_of_a_new_caller_and_of_a_withheld_number(receptionist, line):
    earlier = CallFactory(line=line, from_number="+48601999000", offered_at=timezone.now() - timedelta(hours=1))
    new = pop.build(receptionist, CallFactory(line=line, from_number="+48601999000"))
    assert (new.client, new.caller, new.sharing, new.previous) == (None, "", 0, [earlier])
    withheld = pop.build(receptionist, CallFactory(line=line, from_number=""))
    assert withheld.withheld and withheld.number == "" and withheld.previous == []


def test_client_matches_need_two_characters_and_stay_in_the_organisation(receptionist, other_owner):
    make_client(receptionist, first_name="Zenon", last_name="Szukany", phones=["+48601000111"])
    make_client(other_owner, first_name="Zenon", last_name="Obcy")
    assert pop.client_matches(receptionist, "Z") == []
    found = pop.client_matches(receptionist, "Zenon")
    assert [m.client.display_name for m in found] == ["Zenon Szukany"] and found[0].phone == "+48 601 000 111"


def test_pop_line_defaults():
    assert PopLine("x") == PopLine("x", "", "")
