"""The telephony provider: its settings (``provider_set``) and its REST API (``redirect_live_call``), with the
HTTP layer faked: the request the provider would get is recorded, nothing leaves the machine."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from django.core.exceptions import PermissionDenied, ValidationError
from twilio.http import HttpClient
from twilio.http.response import Response

from frontoffice.calls.models import Call, TelephonyProvider
from frontoffice.calls.services.calls import current_step, current_twiml
from frontoffice.calls.services.provider import provider_set
from frontoffice.calls.telephony import client as telephony
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.calls.factories import AUTH_TOKEN, CallFactory, ProviderFactory

SID = "AC" + "a1" * 16


class FakeProviderHttp(HttpClient):
    """Records each request the twilio client makes and answers like the provider (or fails like it)."""

    def __init__(self, status: int = 200, body: dict | None = None, error: Exception | None = None):
        super().__init__(logging.getLogger("tests.fake_provider"), False)
        self.status, self.body, self.error = status, body or {"sid": "CA1", "status": "in-progress"}, error
        self.requests: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.requests.append({"method": method, "url": uri, "data": data, "auth": auth})
        if self.error is not None:
            raise self.error
        return Response(self.status, json.dumps(self.body))


@pytest.fixture
def fake_http(monkeypatch):
    fake = FakeProviderHttp()
    monkeypatch.setattr(telephony, "http_client", lambda: fake)
    return fake


# --- provider_set -----------------------------------------------------------------------------------

def test_owner_connects_twilio(owner):
    provider = provider_set(actor=owner, kind="twilio", account_sid=f"  {SID} ", auth_token="t" * 32)
    assert (provider.organization, provider.kind, provider.account_sid, provider.auth_token, provider.space_url) == (
        owner.organization, "twilio", SID, "t" * 32, "")
    assert provider.token_hint == "…tttt"
    entry = Activity.objects.get(verb="telephony.provider_set")
    assert entry.actor == owner and entry.data["created"] and entry.data["token_changed"]
    assert "t" * 32 not in json.dumps(entry.data) + entry.subject_label


def test_an_empty_token_keeps_the_stored_one(owner):
    provider_set(actor=owner, kind="twilio", account_sid=SID, auth_token="t" * 32)
    other_sid = "AC" + "b2" * 16
    provider = provider_set(actor=owner, kind="twilio", account_sid=other_sid, auth_token="")
    assert (provider.account_sid, provider.auth_token) == (other_sid, "t" * 32)
    assert TelephonyProvider.objects.count() == 1
    entry = Activity.objects.filter(verb="telephony.provider_set").latest("id")
    assert entry.data["changed"] == ["account_sid"] and not entry.data["token_changed"] and not entry.data["created"]


def test_signalwire_needs_a_project_and_its_space(owner):
    provider = provider_set(actor=owner, kind="signalwire", account_sid="0d3b8a4c-1111-2222-3333-444455556666",
                            auth_token="PTabc", space_url="https://Alpha.SignalWire.com/")
    assert (provider.kind, provider.space_url) == ("signalwire", "alpha.signalwire.com")


def test_signalwire_webhooks_are_checked_with_its_signing_key_which_is_kept_like_the_token(owner):
    provider = provider_set(actor=owner, kind="signalwire", account_sid="project", auth_token="PTapi",
                            space_url="a.signalwire.com", signing_key="PSKsign1234")
    assert (provider.webhook_key, provider.signing_key_hint) == ("PSKsign1234", "…1234")
    provider = provider_set(actor=owner, kind="signalwire", account_sid="project", auth_token="",
                            space_url="a.signalwire.com", signing_key="")
    assert (provider.auth_token, provider.signing_key) == ("PTapi", "PSKsign1234")
    entries = Activity.objects.filter(verb="telephony.provider_set").order_by("id")
    assert [e.data["signing_key_changed"] for e in entries] == [True, False]
    assert "PSKsign1234" not in json.dumps([e.data for e in entries])
    provider = provider_set(actor=owner, kind="twilio", account_sid=SID, auth_token="t" * 32, signing_key="ignored")
    assert (provider.signing_key, provider.webhook_key) == ("", "t" * 32)  # Twilio signs with the auth token


@pytest.mark.parametrize("fields, field", [
    ({"kind": "skype"}, "kind"),
    ({"account_sid": "AC123"}, "account_sid"),
    ({"account_sid": "XX" + "a1" * 16}, "account_sid"),
    ({"account_sid": ""}, "account_sid"),
    ({"auth_token": ""}, "auth_token"),
    ({"auth_token": "has space"}, "auth_token"),
    ({"auth_token": "x" * 129}, "auth_token"),
    ({"kind": "signalwire", "account_sid": "project", "space_url": ""}, "space_url"),
    ({"kind": "signalwire", "account_sid": "project", "space_url": "not a host"}, "space_url"),
    ({"kind": "signalwire", "account_sid": "project", "space_url": "example.com/evil?x=1"}, "space_url"),
    ({"kind": "signalwire", "account_sid": "", "space_url": "a.signalwire.com"}, "account_sid"),
    ({"kind": "signalwire", "account_sid": "p", "space_url": "a.signalwire.com", "signing_key": "a b"}, "signing_key"),
    ({"kind": "signalwire", "account_sid": "p", "space_url": "a.signalwire.com", "signing_key": "k" * 129},
     "signing_key"),
])
def test_bad_provider_settings_name_the_field_and_change_nothing(owner, fields, field):
    data = {"kind": "twilio", "account_sid": SID, "auth_token": "t" * 32, "space_url": ""} | fields
    with pytest.raises(ValidationError) as refused:
        provider_set(actor=owner, **data)
    assert field in refused.value.message_dict
    assert not TelephonyProvider.objects.exists() and not Activity.objects.exists()


def test_only_who_may_connect_the_provider(make_member, org):
    manager = make_member(org, caps.MANAGER)
    with pytest.raises(PermissionDenied):
        provider_set(actor=manager, kind="twilio", account_sid=SID, auth_token="t" * 32)


def test_each_organisation_has_its_own_provider(owner, other_owner):
    provider_set(actor=owner, kind="twilio", account_sid=SID, auth_token="t" * 32)
    provider_set(actor=other_owner, kind="twilio", account_sid=SID, auth_token="u" * 32)
    tokens = dict(TelephonyProvider.objects.values_list("organization_id", "auth_token"))
    assert tokens == {owner.organization_id: "t" * 32, other_owner.organization_id: "u" * 32}


# --- redirecting a live call ------------------------------------------------------------------------

@pytest.fixture
def live_call(org):
    ProviderFactory(organization=org, account_sid=SID)
    return CallFactory(line__site=org.sites.get(), sid="CA" + "c3" * 16, status=Call.Status.CONNECTED,
                       state={"department": 5, "_step": 2, "_twiml": "<Response><Hangup/></Response>"})


def test_redirect_updates_the_live_call_with_the_twiml_and_moves_it_a_step(live_call, fake_http):
    document = '<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+48221110001</Dial></Response>'
    telephony.redirect_live_call(live_call, document)
    [sent] = fake_http.requests
    assert sent["method"] == "POST"
    assert sent["url"] == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls/{live_call.sid}.json"
    assert sent["data"] == {"Twiml": document} and sent["auth"] == (SID, AUTH_TOKEN)
    stored = Call.objects.get(pk=live_call.pk)
    assert current_step(stored) == 3 and current_twiml(stored) == document
    assert stored.state["department"] == 5 and live_call.state == stored.state


def test_redirect_through_signalwire_goes_to_the_space(live_call, fake_http):
    TelephonyProvider.objects.update(kind="signalwire", space_url="alpha.signalwire.com",
                                     account_sid="0d3b8a4c-1111-2222-3333-444455556666")
    telephony.redirect_live_call(live_call, "<Response/>")
    assert fake_http.requests[0]["url"] == (
        "https://alpha.signalwire.com/api/laml/2010-04-01/Accounts/0d3b8a4c-1111-2222-3333-444455556666/Calls/"
        f"{live_call.sid}.json")


def test_an_injected_http_client_is_used(live_call):
    fake = FakeProviderHttp()
    telephony.redirect_live_call(live_call, "<Response/>", http=fake)
    assert len(fake.requests) == 1


def test_a_refusal_by_the_provider_is_a_clear_error_and_changes_nothing(live_call, monkeypatch):
    fake = FakeProviderHttp(status=404, body={"code": 20404, "message": "The requested resource was not found",
                                              "status": 404})
    monkeypatch.setattr(telephony, "http_client", lambda: fake)
    with pytest.raises(ValidationError) as refused:
        telephony.redirect_live_call(live_call, "<Response/>")
    assert "refused" in refused.value.message_dict["call"][0]
    assert current_step(Call.objects.get(pk=live_call.pk)) == 2 and current_step(live_call) == 2


def test_an_unreachable_provider_is_a_clear_error(live_call, monkeypatch):
    fake = FakeProviderHttp(error=requests.ConnectionError("no route to host"))
    monkeypatch.setattr(telephony, "http_client", lambda: fake)
    with pytest.raises(ValidationError) as refused:
        telephony.redirect_live_call(live_call, "<Response/>")
    assert "cannot be reached" in refused.value.message_dict["call"][0]


def test_no_provider_or_no_call_sid_cannot_be_redirected(live_call, fake_http):
    live_call.sid = None
    with pytest.raises(ValidationError):
        telephony.redirect_live_call(live_call, "<Response/>")
    TelephonyProvider.objects.all().delete()
    with pytest.raises(ValidationError):
        telephony.redirect_live_call(CallFactory(line=live_call.line), "<Response/>")
    assert fake_http.requests == []


def test_the_real_http_client_is_shared_and_times_out():
    assert telephony.http_client() is telephony.http_client()
    assert telephony.http_client().timeout == telephony.TIMEOUT_SECONDS
