"""The switchboard page: the board and its cheap poll, the live figures, the screen pop and the actions on a
call (sent by the page's script or as plain forms), and the manual log."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.calls.models import Call
from frontoffice.calls.queries import live
from frontoffice.calls.views.switchboard import SESSION_LINE, VERSION_HEADER
from frontoffice.clients.models import Client
from frontoffice.core import capabilities as caps
from tests.calls.factories import CallFactory, LineFactory
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def line(org):
    return LineFactory(site=org.sites.get(), label="Main number")


@pytest.fixture
def desk(receptionist, signed_in):
    return signed_in(receptionist)


@pytest.fixture
def sales(org):
    return DepartmentFactory(organization=org, name="Sales")


# --- the board ---------------------------------------------------------------------------------

def test_board_lists_live_calls_waiting_first_then_missed_and_earlier(desk, receptionist, line):
    now = timezone.now()
    client = make_client(receptionist, first_name="Anna", last_name="Dzwoniąca")
    CallFactory(line=line, status="connected", client=client, offered_at=now - timedelta(minutes=5),
                answered_at=now - timedelta(minutes=4))
    CallFactory(line=line, status="queued", from_number="+48601100200", offered_at=now - timedelta(seconds=40))
    CallFactory(line=line, status="ringing", from_number="", offered_at=now - timedelta(seconds=5))
    CallFactory(line=line, status="ended", outcome="abandoned", caller_name="Missed Person",
                offered_at=now - timedelta(minutes=1))
    CallFactory(line=line, status="ended", outcome="answered", caller_name="Earlier Person",
                offered_at=now - timedelta(minutes=2))
    page = html(desk.get(reverse("calls:switchboard")))
    order = [page.index(text) for text in ("+48 601 100 200", "Number withheld", "Anna Dzwoniąca",
                                           "Missed Person", "Earlier Person")]
    assert order == sorted(order)
    assert "Calls now" in page and "Missed: call back" in page and "Earlier today" in page
    assert "calls/switchboard.js" in page and "<script>" not in page  # no inline script (CSP)
    assert 'id="manual-dialog"' in page and 'aria-keyshortcuts="m"' in page


def test_a_member_who_may_only_watch_sees_no_actions(auditor, signed_in, line):
    call = CallFactory(line=line)
    page = html(signed_in(auditor).get(reverse("calls:switchboard"), {"call": call.pk}))
    assert "New caller" in page and 'id="manual-dialog"' not in page
    assert reverse("calls:call_answer", args=[call.pk]) not in page


def test_poll_answers_204_until_a_call_changes(desk, line):
    call = CallFactory(line=line)
    first = desk.get(reverse("calls:switchboard_live"), {"v": "none"}, **HTMX)
    version = first[VERSION_HEADER]
    assert first.status_code == 200 and "New caller" in html(first)
    same = desk.get(reverse("calls:switchboard_live"), {"v": version}, **HTMX)
    assert same.status_code == 204 and same.content == b""
    Call.objects.filter(pk=call.pk).update(status="connected", updated_at=timezone.now())
    changed = desk.get(reverse("calls:switchboard_live"), {"v": version}, **HTMX)
    assert changed.status_code == 200 and changed[VERSION_HEADER] != version


def test_version_moves_when_a_change_commits_after_a_later_one(org, line):
    now = timezone.now()
    late = CallFactory(line=line)
    early = CallFactory(line=line)
    Call.objects.filter(pk=late.pk).update(updated_at=now - timedelta(seconds=1))
    Call.objects.filter(pk=early.pk).update(updated_at=now - timedelta(seconds=30))
    before = live.version(org, now=now)
    # A webhook that started earlier commits now, with an older timestamp than the newest row.
    Call.objects.filter(pk=early.pk).update(updated_at=now - timedelta(seconds=20))
    assert live.version(org, now=now) != before
    assert live.version(org, now=now) == live.version(org, now=now)


def test_version_changes_at_local_midnight(org):
    night = datetime(2030, 3, 31, 21, 59, tzinfo=org.tz)  # Warsaw, the day summer time starts
    assert live.version(org, now=night) != live.version(org, now=night + timedelta(hours=3))


def test_poll_that_finds_nothing_new_is_cheap(desk, line, django_assert_max_num_queries):
    CallFactory(line=line)
    version = desk.get(reverse("calls:switchboard_live"), {"v": ""}, **HTMX)[VERSION_HEADER]
    with django_assert_max_num_queries(4):  # session, user, membership, the version
        assert desk.get(reverse("calls:switchboard_live"), {"v": version}, **HTMX).status_code == 204


def test_board_queries_do_not_grow_with_the_calls(desk, line, receptionist, django_assert_max_num_queries):
    for n in range(6):
        CallFactory(line=line, client=make_client(receptionist, first_name=f"N{n}"), status="connected",
                    answered_by=receptionist)
        CallFactory(line=line, status="ended", outcome="answered", department=DepartmentFactory(
            organization=line.organization))
    with django_assert_max_num_queries(9):
        assert desk.get(reverse("calls:switchboard_live"), {"v": ""}, **HTMX).status_code == 200


def test_figures_count_waiting_longest_wait_service_level_and_abandoned(org, line):
    now = timezone.now()
    org.settings = {"answer_target_seconds": 15}
    org.save()
    CallFactory(line=line, status="ended", outcome="answered", answered_at=now, wait_seconds=10,
                offered_at=now - timedelta(minutes=3))
    CallFactory(line=line, status="ended", outcome="answered", answered_at=now, wait_seconds=16,
                offered_at=now - timedelta(minutes=3))
    CallFactory(line=line, status="ended", outcome="abandoned", offered_at=now - timedelta(minutes=2))
    CallFactory(line=line, status="ringing", offered_at=now - timedelta(seconds=50))
    CallFactory(line=line, status="queued", offered_at=now - timedelta(seconds=20))
    CallFactory(line=line, status="ringing", offered_at=now - timedelta(seconds=5))  # within the target: not yet
    CallFactory(line=line, source="manual", sid=None, status="ended", outcome="answered")  # no wait measured
    CallFactory(line=line, status="ended", outcome="abandoned", offered_at=live.day_start(org, now) - timedelta(
        minutes=1))  # yesterday
    board = live.board(org, now=now)
    figures = board.figures
    assert (figures.waiting, figures.offered, figures.abandoned, figures.measured, figures.within_target) == (
        3, 7, 1, 5, 1)
    assert figures.service_level == 20 and figures.target_seconds == 15
    assert figures.longest_since == board.live[0].offered_at == now - timedelta(seconds=50)


def test_service_level_is_a_dash_before_the_first_provider_call(desk, org):
    assert live.figures(org, now=timezone.now(), live=[]).service_level is None
    assert "answered within 20 seconds" in html(desk.get(reverse("calls:switchboard")))


def test_bad_answer_target_setting_falls_back_to_20(org):
    org.settings = {"answer_target_seconds": "soon"}
    assert live.answer_target_seconds(org) == 20


# --- the screen pop ----------------------------------------------------------------------------

def test_pop_shows_the_client_their_notes_and_earlier_calls(desk, receptionist, line):
    client = make_client(receptionist, first_name="Anna", last_name="Nowak", phones=["601 100 200"],
                         notes="Prefers mornings.")
    CallFactory(line=line, client=client, status="ended", outcome="voicemail",
                offered_at=timezone.now() - timedelta(days=2))
    call = CallFactory(line=line, client=client, from_number="+48601100200")
    page = html(desk.get(reverse("calls:call_pop", args=[call.pk]), **HTMX))
    assert "Anna Nowak" in page and reverse("clients:detail", args=[client.pk]) in page
    assert "Prefers mornings." in page and "+48 601 100 200" in page and "voicemail" in page
    assert "Visits" in page and "No visits yet." in page  # reception's section
    assert f'data-pop-call="{call.pk}"' in page and reverse("calls:call_quick_add", args=[call.pk]) not in page


def test_pop_of_a_withheld_number_offers_to_find_the_client(desk, line):
    call = CallFactory(line=line, from_number="")
    page = html(desk.get(reverse("calls:call_pop", args=[call.pk]), **HTMX))
    assert "Number withheld" in page and "find them below" in page and 'id="pop-find"' in page


def test_pop_search_lists_clients_to_link(desk, receptionist, line):
    make_client(receptionist, first_name="Zofia", last_name="Szukana")
    call = CallFactory(line=line, from_number="")
    page = html(desk.get(reverse("calls:call_pop", args=[call.pk]), {"q": "Szuk"}, **HTMX))
    assert "Zofia Szukana" in page and reverse("calls:call_link", args=[call.pk]) in page
    assert "Nobody found" in html(desk.get(reverse("calls:call_pop", args=[call.pk]), {"q": "Qwerty"}, **HTMX))


def test_switchboard_with_a_call_of_another_organisation_is_404(desk, other_org):
    foreign = CallFactory(line=LineFactory(site=other_org.sites.get()))
    assert desk.get(reverse("calls:switchboard"), {"call": foreign.pk}).status_code == 404
    assert desk.get(reverse("calls:call_pop", args=[foreign.pk])).status_code == 404


# --- actions -----------------------------------------------------------------------------------

def test_answer_from_the_page_script_returns_the_pop(desk, receptionist, line):
    call = CallFactory(line=line)
    response = desk.post(reverse("calls:call_answer", args=[call.pk]), **HTMX)
    assert response.status_code == 200 and "You have the call." in html(response)
    call.refresh_from_db()
    assert call.status == "connected" and call.answered_by == receptionist


def test_answer_as_a_plain_form_goes_back_to_the_board(desk, line):
    call = CallFactory(line=line, status="ended")
    response = desk.post(reverse("calls:call_answer", args=[call.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("calls:switchboard") + f"?call={call.pk}"
    assert "This call has ended." in html(desk.get(response["Location"]))


def test_refused_answer_comes_back_as_400_with_the_reason(desk, line):
    call = CallFactory(line=line, status="ended")
    response = desk.post(reverse("calls:call_answer", args=[call.pk]), **HTMX)
    assert response.status_code == 400 and "This call has ended." in html(response)


def test_transfer_to_a_department(desk, line, sales):
    call = CallFactory(line=line, status="connected")
    response = desk.post(reverse("calls:call_transfer", args=[call.pk]), {"to": f"d{sales.pk}"}, **HTMX)
    assert response.status_code == 200 and "Transferred to Sales." in html(response)
    call.refresh_from_db()
    assert call.department == sales and call.transfers == 1


@pytest.mark.parametrize("to", ["", "x1", "d999999", "m"])
def test_transfer_with_a_bad_target_is_400_and_changes_nothing(desk, line, to):
    call = CallFactory(line=line)
    response = desk.post(reverse("calls:call_transfer", args=[call.pk]), {"to": to}, **HTMX)
    assert response.status_code == 400 and 'role="alert"' in html(response)
    call.refresh_from_db()
    assert call.transfers == 0


def test_transfer_to_another_organisations_department_is_refused(desk, line, other_org):
    call = CallFactory(line=line)
    foreign = DepartmentFactory(organization=other_org, name="Foreign")
    response = desk.post(reverse("calls:call_transfer", args=[call.pk]), {"to": f"d{foreign.pk}"}, **HTMX)
    assert response.status_code == 400
    call.refresh_from_db()
    assert call.department is None


def test_transfer_refused_by_the_service_keeps_the_choice(desk, line, sales):
    call = CallFactory(line=line, department=sales)
    response = desk.post(reverse("calls:call_transfer", args=[call.pk]), {"to": f"d{sales.pk}"}, **HTMX)
    assert response.status_code == 400 and "with this department already" in html(response)
    assert f'value="d{sales.pk}" selected' in html(response)


def test_handled(desk, line):
    call = CallFactory(line=line, status="ended", outcome="abandoned")
    assert desk.post(reverse("calls:call_handled", args=[call.pk]), **HTMX).status_code == 200
    call.refresh_from_db()
    assert call.handled_at is not None


def test_quick_add_makes_the_caller_a_client(desk, line):
    call = CallFactory(line=line, from_number="+48601444555")
    response = desk.post(reverse("calls:call_quick_add", args=[call.pk]),
                         {"name": "Ewa Nowa", "phone": "601 444 555"}, **HTMX)
    assert response.status_code == 200 and "The caller is a client now." in html(response)
    call.refresh_from_db()
    assert call.client.display_name == "Ewa Nowa"


def test_quick_add_with_a_bad_number_is_400_with_the_error_on_the_field(desk, line):
    call = CallFactory(line=line)
    response = desk.post(reverse("calls:call_quick_add", args=[call.pk]),
                         {"name": "Ewa Nowa", "phone": "12"}, **HTMX)
    page = html(response)
    assert response.status_code == 400 and "not a valid phone number" in page and 'value="Ewa Nowa"' in page
    assert not Client.objects.exists()


def test_link_an_existing_client(desk, receptionist, line):
    client = make_client(receptionist)
    call = CallFactory(line=line, from_number="")
    assert desk.post(reverse("calls:call_link", args=[call.pk]), {"client": client.pk}, **HTMX).status_code == 200
    call.refresh_from_db()
    assert call.client == client


def test_link_a_client_of_another_organisation_is_400(desk, line, other_owner):
    call = CallFactory(line=line)
    foreign = make_client(other_owner)
    response = desk.post(reverse("calls:call_link", args=[call.pk]), {"client": foreign.pk}, **HTMX)
    assert response.status_code == 400 and "search again" in html(response)
    assert desk.post(reverse("calls:call_link", args=[call.pk]), {"client": "x"}, **HTMX).status_code == 400
    call.refresh_from_db()
    assert call.client is None


def test_take_a_message_opens_the_message_form_for_the_call(desk, line):
    call = CallFactory(line=line)
    response = desk.get(reverse("calls:call_message", args=[call.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("calls:message_new") + f"?call={call.pk}&next=")


def test_actions_need_calls_answer(auditor, signed_in, line):
    call = CallFactory(line=line)
    client = signed_in(auditor)
    assert client.post(reverse("calls:call_answer", args=[call.pk])).status_code == 403
    assert client.post(reverse("calls:manual_call"), {"line": line.pk, "outcome": "answered"}).status_code == 403
    call.refresh_from_db()
    assert call.status == "ringing"


# --- manual mode -------------------------------------------------------------------------------

def test_manual_log_saves_remembers_the_line_and_shows_the_call(desk, receptionist, line, sales):
    second = LineFactory(site=line.site, label="Line 2")
    response = desk.post(reverse("calls:manual_call"), {"line": second.pk, "number": "601 100 200",
                                                        "department": sales.pk, "outcome": "transferred"})
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?call={call.pk}")
    assert (call.line, call.from_number, call.department, call.source) == (second, "+48601100200", sales, "manual")
    assert desk.session[SESSION_LINE] == second.pk
    form = html(desk.get(reverse("calls:switchboard")))
    assert f'<option value="{second.pk}" selected>' in form


def test_manual_log_from_the_dialog_answers_with_the_pop(desk, line):
    response = desk.post(reverse("calls:manual_call"), {"line": line.pk, "number": "", "outcome": "answered"},
                         **HTMX)
    assert response.status_code == 200 and "Number withheld" in html(response)


@pytest.mark.parametrize(("data", "error"), [
    ({"line": None, "outcome": "answered"}, "This field is required."),
    ({"outcome": "sometimes"}, "Select a valid choice."),
    ({"outcome": "transferred"}, "Choose the department"),
])
def test_manual_log_with_bad_input_is_400_and_keeps_what_was_typed(desk, line, data, error):
    data = {"line": line.pk, "number": "601 100 200", "caller_name": "Pan Nowak"} | data
    data = {key: value for key, value in data.items() if value is not None}
    response = desk.post(reverse("calls:manual_call"), data, **HTMX)
    page = html(response)
    assert response.status_code == 400 and error in page
    assert 'value="601 100 200"' in page and 'value="Pan Nowak"' in page
    assert not Call.objects.exists()


def test_manual_log_refuses_another_organisations_line(desk, other_org):
    foreign = LineFactory(site=other_org.sites.get())
    response = desk.post(reverse("calls:manual_call"), {"line": foreign.pk, "outcome": "answered"})
    assert response.status_code == 400 and not Call.objects.exists()


def test_manual_page_without_lines_says_what_to_do(desk):
    page = html(desk.get(reverse("calls:manual_call")))
    assert "Add a phone line in the settings first" in page


def test_manual_number_hint_names_the_client(desk, receptionist):
    make_client(receptionist, first_name="Ola", last_name="Znana", phones=["+48601777888"])
    hint = html(desk.get(reverse("calls:manual_call"), {"number": "601 777 888"}, **HTMX))
    assert "Client: Ola Znana" in hint
    assert "New caller" in html(desk.get(reverse("calls:manual_call"), {"number": "601 777 889"}, **HTMX))
    assert "kept as typed" in html(desk.get(reverse("calls:manual_call"), {"number": "60"}, **HTMX))


def test_receptionist_of_another_organisation_cannot_see_the_board(signed_in, make_member, other_org, line):
    CallFactory(line=line, caller_name="Secret Caller")
    stranger = make_member(other_org, caps.RECEPTIONIST)
    page = html(signed_in(stranger).get(reverse("calls:switchboard")))
    assert "Secret Caller" not in page
