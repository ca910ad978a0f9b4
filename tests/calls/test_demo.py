"""The demo office's phones and the switchboard's "Simulate an incoming call" (through the real webhooks)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from frontoffice.calls import demo, simulator
from frontoffice.calls.hours import is_open
from frontoffice.calls.models import Call, Line, Message, RingGroup, TelephonyProvider
from frontoffice.calls.plans import plan_for_line
from frontoffice.calls.services.switchboard import call_answer, call_transfer
from frontoffice.calls.telephony import client as telephony_client
from frontoffice.calls.telephony import signatures
from frontoffice.calls.telephony.views import voice
from frontoffice.core import capabilities as caps
from frontoffice.core import demo as core_demo
from frontoffice.core.models import Activity, Member
from tests.calls.factories import AUTH_TOKEN, LineFactory, ProviderFactory

pytestmark = pytest.mark.usefixtures("eager_tasks")

# A Wednesday, 14:30 in Warsaw: the demo office is open and its day has begun.
WEDNESDAY = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
ALWAYS = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def eager_tasks(settings):
    settings.TASKS_EAGER = True


@pytest.fixture
def frozen():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def members_by_role(organization) -> dict[str, Member]:
    by_role: dict[str, Member] = {}
    for member in Member.objects.filter(organization=organization).select_related("user").order_by("pk"):
        for role in member.roles:
            by_role.setdefault(role, member)
    return by_role


def demo_office(vertical: str = "medical"):
    organization, _logins = core_demo.load_office(vertical)
    demo.load(organization, members_by_role(organization))  # idempotent, whether wired as a loader or not
    return organization


@pytest.fixture
def office(db, frozen):
    return demo_office()


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    session = client.session
    session["frontoffice_org"] = member.organization_id
    session.save()
    return client


# --- the demo office's phones -------------------------------------------------------------------------

@pytest.mark.parametrize("vertical", ["medical", "legal", "education", "small_business"])
def test_demo_office_has_lines_ring_groups_a_menu_and_a_provider(db, frozen, vertical):
    organization = demo_office(vertical)
    main, direct = Line.objects.filter(organization=organization).order_by("position")
    plan = plan_for_line(main)
    assert len(plan.flow.menu) >= 2 and plan.flow.menu_prompt and plan.flow.after_hours_text
    assert plan.flow.greeting_text and plan.flow.after_hours_voicemail
    assert set(plan.flow.menu.values()) <= set(plan.departments)
    assert direct.department_id in plan.departments
    assert plan_for_line(direct).flow.department_id == direct.department_id
    departments = organization.departments.filter(active=True)
    assert RingGroup.objects.filter(organization=organization).count() == departments.count()
    desk = RingGroup.objects.get(organization=organization, is_desk=True)
    assert desk.department == departments.order_by("pk").first()
    assert {g.overflow for g in RingGroup.objects.filter(organization=organization)} == {
        "voicemail", "department", "message"}
    assert all(d.targets for d in plan.departments.values())
    provider = TelephonyProvider.objects.get(organization=organization)
    assert provider.account_sid == demo.DEMO_ACCOUNT_SID and len(provider.auth_token) == 32
    if vertical == "medical":
        assert "112" in plan.flow.after_hours_text  # the emergency number


def test_demo_day_of_calls(office):
    calls = Call.objects.filter(organization=office)
    outcomes = set(calls.values_list("outcome", flat=True))
    assert outcomes == {"answered", "transferred", "voicemail", "abandoned", "message"}
    answered = calls.exclude(wait_seconds=None)
    assert answered.filter(wait_seconds__lte=20).exists() and answered.filter(wait_seconds__gt=20).exists()
    assert calls.filter(from_number="").exists()  # a withheld caller
    assert calls.filter(client__isnull=False).exists()
    assert calls.filter(client=None).exclude(from_number="").exists()  # new callers
    assert calls.filter(line__department__isnull=False).exists()  # one on the direct line
    site = office.sites.get()
    hours = plan_for_line(calls.first().line).hours
    now = datetime.now(UTC)
    for call in calls:
        times = [datetime.fromisoformat(leg["at"]) for leg in call.legs]
        assert times == sorted(times)
        assert call.legs[0]["kind"] == "offered" and call.legs[-1]["kind"] == "ended"
        assert call.offered_at <= call.ended_at < now
        if call.offered_at.astimezone(site.tz).date() == now.astimezone(site.tz).date():
            assert is_open(hours, call.offered_at), call.offered_at  # callers call while the office is open
        if call.answered_at:
            assert call.wait_seconds == round((call.answered_at - call.offered_at).total_seconds())
    assert Activity.objects.filter(organization=office, verb="call.offered").count() == calls.count()
    calls_activity = Activity.objects.filter(organization=office, verb__startswith="call.")
    assert not calls_activity.exclude(subject_label="").exists()  # callers' numbers stay out of the log


def test_demo_misroute_is_the_desk_members(office):
    misrouted = Call.objects.get(organization=office, misrouted=True)
    receptionist = members_by_role(office)[caps.RECEPTIONIST]
    assert misrouted.transfers == 2 and [leg["kind"] for leg in misrouted.legs].count("transfer") == 2
    activity = Activity.objects.get(organization=office, verb="call.misrouted")
    assert activity.actor == receptionist and activity.subject_id == str(misrouted.pk)
    assert activity.data["transferred_by"] != receptionist.pk
    assert misrouted.routed_by_id == activity.data["transferred_by"]


def test_demo_messages_owed(office):
    messages = Message.objects.filter(organization=office)
    by_role = members_by_role(office)
    voicemail = messages.get(kind="voicemail")
    assert voicemail.recording_url.startswith("https://") and voicemail.call.outcome == "voicemail"
    assert voicemail.is_open and voicemail.for_department_id == voicemail.call.department_id
    callbacks = messages.filter(kind="callback")
    assert callbacks.filter(done_at=None).count() >= 1 and callbacks.exclude(done_at=None).count() == 1
    assert all(c.call.outcome == "abandoned" for c in callbacks)
    assert messages.filter(kind="message", for_member=by_role[caps.EXECUTIVE], urgency="urgent",
                           done_at=None).exists()
    assert messages.filter(kind="message", for_member=by_role[caps.MANAGER], done_at=None).exists()
    assert messages.filter(kind="message", for_department__isnull=False, done_at=None).exists()
    taken = Activity.objects.filter(organization=office, verb="message.taken")
    assert taken.count() == messages.exclude(kind="callback").count()


def test_demo_loader_runs_once(office):
    counts = (Line.objects.count(), Call.objects.count(), Message.objects.count())
    demo.load(office, members_by_role(office))
    assert (Line.objects.count(), Call.objects.count(), Message.objects.count()) == counts


def test_demo_numbers_stay_unique_when_taken(db, frozen):
    LineFactory(number=demo.NUMBERS["medical"][0])
    organization = demo_office("medical")
    numbers = list(Line.objects.filter(organization=organization).values_list("number", flat=True))
    assert demo.NUMBERS["medical"][0] not in numbers and len(set(numbers)) == 2


# --- "Simulate an incoming call" -----------------------------------------------------------------

@pytest.fixture
def demo_on(settings):
    settings.DEMO = True


@pytest.fixture
def open_office(office):
    office.sites.update(opening_hours=ALWAYS)
    RingGroup.objects.filter(organization=office).update(opening_hours={})
    return office


@pytest.fixture
def players(monkeypatch):
    """The calls the view would play in a thread, kept to be played here (without pauses)."""
    kept: list[simulator.Provider] = []
    monkeypatch.setattr(simulator, "play_later", kept.append)
    return kept


def simulate(member: Member, client: Client | None = None) -> tuple[object, Call | None]:
    before = set(Call.objects.values_list("pk", flat=True))
    response = (client or signed_in(member)).post(reverse("calls:demo_simulate_call"))
    new = Call.objects.exclude(pk__in=before).first()
    return response, new


def play(player: simulator.Provider, seed: int = 1) -> Call:
    player.pause = lambda seconds: None
    player.rng = random.Random(seed)
    simulator.play(player)
    return Call.objects.get(sid=player.sid)


def test_simulated_call_passes_the_signature_check_and_plays_to_the_end(demo_on, open_office, players,
                                                                        monkeypatch):
    receptionist = members_by_role(open_office)[caps.RECEPTIONIST]
    response, call = simulate(receptionist)
    assert response.status_code == 302 and response["Location"] == reverse("calls:switchboard")
    assert call is not None and call.organization == open_office and call.sid.startswith("CA")
    assert call.status == Call.Status.IN_MENU and call.line.flow["menu"]
    assert Activity.objects.filter(verb="call.offered", subject_id=str(call.pk)).exists()
    [player] = players
    monkeypatch.setattr(simulator, "ANSWER_SHARE", 1.0)
    call = play(player)
    assert call.status == Call.Status.ENDED and call.outcome == "answered" and call.answered_by is not None
    kinds = [leg["kind"] for leg in call.legs]
    assert kinds[:2] == ["offered", "menu"] and "answered" in kinds and kinds[-1] == "ended"
    assert call.menu_choice in call.line.flow["menu"] and call.department_id is not None


def test_simulated_call_nobody_answers_overflows_to_voicemail(demo_on, open_office, players, monkeypatch):
    monkeypatch.setattr(simulator, "ANSWER_SHARE", 0.0)
    _response, call = simulate(members_by_role(open_office)[caps.RECEPTIONIST])
    call = play(players[0])
    assert call.status == Call.Status.ENDED and call.answered_at is None
    # Nobody answers in the demo: each overflow is followed to its end — voicemail, or the desk's message.
    assert call.outcome in ("voicemail", "abandoned")
    if call.outcome == "voicemail":
        assert Message.objects.filter(call=call, kind="voicemail").exclude(recording_url="").exists()
    else:
        assert Message.objects.filter(call=call, kind="callback").exists() or not call.from_number


def test_simulated_call_after_hours_leaves_a_voicemail(demo_on, office, players):
    office.sites.update(opening_hours={})
    _response, call = simulate(members_by_role(office)[caps.RECEPTIONIST])
    assert call.status == Call.Status.RINGING and call.legs[-1]["reason"] == "after_hours"
    call = play(players[0])
    assert call.outcome == "voicemail" and call.status == Call.Status.ENDED
    assert Message.objects.get(call=call).kind == "voicemail"


def test_receptionist_takes_the_simulated_call_over(demo_on, open_office, players):
    receptionist = members_by_role(open_office)[caps.RECEPTIONIST]
    _response, call = simulate(receptionist)
    call_answer(actor=receptionist, call=call)
    call = play(players[0])
    assert call.status == Call.Status.ENDED and call.outcome == "answered"
    assert call.answered_by == receptionist
    assert not [leg for leg in call.legs if leg["kind"] == "menu"]  # the menu key was not played over her


def test_transfer_of_a_simulated_call_needs_no_network(demo_on, open_office, players, monkeypatch):
    sent = []

    class Refusing(simulator.HttpClient):
        timeout = 5

        def request(self, method, uri, **kwargs):
            sent.append(uri)
            raise AssertionError("no request may leave a demo for the demo account")

    monkeypatch.setattr(telephony_client, "_shared", Refusing(None, False))
    simulator.install_demo_provider()
    by_role = members_by_role(open_office)
    _response, call = simulate(by_role[caps.RECEPTIONIST])
    call_answer(actor=by_role[caps.RECEPTIONIST], call=call)
    billing = open_office.departments.order_by("pk").last()
    call = call_transfer(actor=by_role[caps.RECEPTIONIST], call=call, department=billing)
    assert call.transfers == 1 and call.status == Call.Status.RINGING and not sent
    assert [leg for leg in call.legs if leg["kind"] == "transfer"][0]["by_hand"] is False


def test_demo_provider_http_passes_other_accounts_on():
    seen = []

    class Real(simulator.HttpClient):
        def request(self, method, uri, **kwargs):
            seen.append(uri)
            return "real"

    http = simulator.DemoProviderHttp(Real(None, False))
    other = "https://api.twilio.com/2010-04-01/Accounts/AC0000/Calls/CA1.json"
    assert http.request("POST", other) == "real" and seen == [other]
    ours = f"https://api.twilio.com/2010-04-01/Accounts/{demo.DEMO_ACCOUNT_SID}/Calls/CA1.json"
    answer = http.request("POST", ours)
    assert answer.status_code == 200 and '"CA1"' in answer.text and seen == [other]


def test_tampered_or_wrongly_signed_simulation_is_refused(db, settings):
    line = LineFactory()
    ProviderFactory(organization=line.organization)
    params = {"AccountSid": "AC1", "CallSid": "CA" + "1" * 32, "From": "+48601000001", "To": line.number,
              "CallStatus": "ringing", "Direction": "inbound"}
    path = reverse("telephony:voice")

    def post(data, token=AUTH_TOKEN, signed_params=None):
        signature = signatures.sign(settings.PUBLIC_URL + path, signed_params or data, token)
        request = RequestFactory().post(path, urlencode(data), content_type=simulator.FORM,
                                        HTTP_X_TWILIO_SIGNATURE=signature)
        return voice(request)

    assert post({**params, "From": "+48601000009"}, signed_params=params).status_code == 403  # tampered
    assert post(params, token="not-the-token").status_code == 403
    assert not Call.objects.exists()
    player = simulator.Provider(token=AUTH_TOKEN, account_sid="AC1", sid=params["CallSid"],
                                caller=params["From"], called=line.number, host="testserver")
    assert player.post(path, player.params(CallStatus="ringing")).status_code == 200
    assert Call.objects.filter(sid=params["CallSid"]).exists()


def test_simulate_is_404_outside_a_demo(office, players, settings):
    settings.DEMO = False
    response, call = simulate(members_by_role(office)[caps.RECEPTIONIST])
    assert response.status_code == 404 and call is None and not players


def test_simulate_needs_calls_answer(demo_on, office, players):
    for role in (caps.EXECUTIVE, caps.CLERK, caps.AUDITOR):
        response, call = simulate(members_by_role(office)[role])
        assert response.status_code == 403 and call is None
    assert not players


def test_simulate_refuses_get(demo_on, office, players):
    response = signed_in(members_by_role(office)[caps.RECEPTIONIST]).get(reverse("calls:demo_simulate_call"))
    assert response.status_code == 405 and not players


def test_simulate_stays_in_the_members_organisation(demo_on, office, players):
    """The owner of the second demo office simulates there: nothing reaches the first office."""
    second, _logins = core_demo.load_office(core_demo.SECOND["medical"])
    demo.load(second, members_by_role(second))
    owner_there = Member.objects.get(organization=second, user__email=core_demo.owner_email())
    calls_here = Call.objects.filter(organization=office).count()
    _response, call = simulate(owner_there)
    assert call.organization == second and call.line.organization == second
    assert Call.objects.filter(organization=office).count() == calls_here


def test_simulate_without_a_line_or_provider_says_so(demo_on, db, players):
    organization, _logins = core_demo.load_office("legal")  # the calls demo is not loaded here
    Line.objects.filter(organization=organization).delete()
    TelephonyProvider.objects.filter(organization=organization).delete()
    owner = Member.objects.get(organization=organization, user__email=core_demo.owner_email())
    browser = signed_in(owner)
    response, call = simulate(owner, browser)
    assert response.status_code == 302 and call is None and not players
    page = browser.get(response["Location"])
    assert "telephony provider first" in page.content.decode()


def test_switchboard_shows_the_button_only_in_a_demo(office, settings):
    receptionist = members_by_role(office)[caps.RECEPTIONIST]
    settings.DEMO = True
    html = signed_in(receptionist).get(reverse("calls:switchboard")).content.decode()
    if "calls/_demo_simulate.html" not in _switchboard_template():
        pytest.skip("the switchboard does not include calls/_demo_simulate.html yet")
    assert reverse("calls:demo_simulate_call") in html
    settings.DEMO = False
    assert reverse("calls:demo_simulate_call") not in signed_in(receptionist).get(
        reverse("calls:switchboard")).content.decode()
    settings.DEMO = True
    executive = members_by_role(office)[caps.EXECUTIVE]
    assert reverse("calls:demo_simulate_call") not in signed_in(executive).get(
        reverse("calls:switchboard")).content.decode()


def _switchboard_template() -> str:
    from django.template.loader import get_template

    return get_template("calls/switchboard.html").template.source


def test_demo_window_is_a_working_day(db):
    with time_machine.travel(datetime(2026, 11, 29, 10, 0, tzinfo=UTC), tick=False):  # a Sunday
        organization = demo_office("legal")
    site = organization.sites.get()
    days = {c.offered_at.astimezone(site.tz).date() for c in Call.objects.filter(organization=organization)}
    assert all(day.weekday() < 5 for day in days)
    assert max(days) == datetime(2026, 11, 27).date() - timedelta(days=0)  # Friday
