"""Sessions, the signed-in user and API tokens read through prepared statements (core/sessions.py,
core/middleware.py, core/services.token_authenticate): the fast path keeps every rule of the slow one."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.models import ApiToken, Member
from frontoffice.core.sessions import PreparedModelBackend, SessionStore
from tests.core.factories import PASSWORD, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _same_session(client: Client) -> Client:
    """Another browser (or another worker's view of it) carrying the same session cookie."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def _signed_in_page(client: Client) -> bool:
    return client.get(reverse("core:profile")).status_code == 200


def test_the_settings_use_the_prepared_session_store_and_backend_with_axes_first():
    assert settings.SESSION_ENGINE == "frontoffice.core.sessions"
    assert settings.AUTHENTICATION_BACKENDS == ["axes.backends.AxesStandaloneBackend",
                                                "frontoffice.core.sessions.PreparedModelBackend"]


def test_a_signed_in_request_reads_the_session_then_the_user_with_their_memberships(receptionist, signed_in):
    client = signed_in(receptionist)
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    session, user = (query["sql"] for query in queries)  # no third query
    assert 'FROM "django_session"' in session
    assert 'FROM "core_member"' in user and '"core_user"' in user and '"core_organization"' in user


def test_a_person_without_memberships_is_still_signed_in(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403 and response.context["user"] == user


def test_the_user_and_memberships_read_together_match_the_orm(org, other_org, owner, make_member):
    make_member(other_org, caps.RECEPTIONIST, user=owner.user)
    make_member(org, caps.RECEPTIONIST)  # someone else
    MemberFactory(organization=OrganizationFactory(name="Zeta"), user=owner.user, active=False)
    services.activity_record(organization=other_org, verb="site.updated", actor=None)

    user = PreparedModelBackend().get_user(owner.user.pk)

    assert user == owner.user and user.email == owner.user.email
    assert [(m.organization.name, m.roles) for m in user.active_memberships] == [
        ("Alpha Clinic", [caps.OWNER]), ("Beta Law", [caps.RECEPTIONIST])]
    assert all(m.user is user for m in user.active_memberships)
    stamps = {m.organization_id: m.org_change_stamp for m in user.active_memberships}
    assert stamps[other_org.pk] == other_org.activities.latest("id").pk
    assert stamps[org.pk] == (org.activities.order_by("-id").values_list("id", flat=True).first())


def test_signing_in_with_a_password_uses_the_prepared_backend(owner, client):
    response = client.post(reverse("core:login"), {"username": owner.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "frontoffice.core.sessions.PreparedModelBackend"
    assert _signed_in_page(client)


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(receptionist, signed_in):
    client = signed_in(receptionist)
    elsewhere = _same_session(client)
    assert _signed_in_page(elsewhere)
    client.post(reverse("core:logout"))
    assert not _signed_in_page(elsewhere)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(owner, client):
    client.post(reverse("core:login"), {"username": owner.user.email, "password": PASSWORD})
    other = Client()
    other.post(reverse("core:login"), {"username": owner.user.email, "password": PASSWORD})
    assert _signed_in_page(other)
    new = "a much longer new secret"
    response = client.post(reverse("core:password_change"),
                           {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert _signed_in_page(client)
    assert not _signed_in_page(other)


def test_an_expired_session_is_not_read_and_gets_no_second_life(receptionist, signed_in):
    client = signed_in(receptionist)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert not _signed_in_page(client)
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None  # a save would make a new key, as in Django


def test_expired_sessions_are_still_cleared(receptionist, signed_in):
    live = signed_in(receptionist).cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.create(session_key="expiredsessionkey1", session_data="x",
                           expire_date=timezone.now() - timedelta(days=1))
    SessionStore.clear_expired()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


def test_a_deactivated_user_is_signed_out_on_the_next_request(receptionist, signed_in):
    client = signed_in(receptionist)
    assert _signed_in_page(client)
    type(receptionist.user).objects.filter(pk=receptionist.user.pk).update(is_active=False)
    assert not _signed_in_page(client)


def test_a_deactivated_member_loses_the_organisation_on_the_next_request(receptionist, signed_in):
    client = signed_in(receptionist)
    assert client.get("/").status_code == 200
    Member.objects.filter(pk=receptionist.pk).update(active=False)
    response = client.get("/")
    assert response.status_code == 403 and "You are not a member of any organisation" in response.content.decode()


def test_a_session_of_another_user_never_shows_this_users_memberships(receptionist, other_owner, signed_in):
    mine, theirs = signed_in(receptionist), signed_in(other_owner)
    ours, their_name = receptionist.organization.name, other_owner.organization.name
    assert ours != their_name

    def organisation_shown(client):
        page = client.get("/").content.decode()  # the page may be the kept one: read what it shows
        return {name for name in (ours, their_name) if f" · {name} · frontoffice</title>" in page}

    assert organisation_shown(mine) == {ours}
    assert organisation_shown(theirs) == {their_name}
    assert organisation_shown(mine) == {ours}


# --- decoding once per distinct session data -------------------------------------------------------

def test_decoding_gives_each_request_its_own_copy():
    store = SessionStore()
    data = store.encode({"_auth_user_id": "7", "frontoffice_org": 3})
    first = store.decode(data)
    first["frontoffice_org"] = 99
    assert store.decode(data) == {"_auth_user_id": "7", "frontoffice_org": 3}


def test_session_data_with_mutable_values_is_decoded_afresh_every_time():
    store = SessionStore()
    data = store.encode({"recent": [1, 2]})
    store.decode(data)["recent"].append(3)
    assert store.decode(data) == {"recent": [1, 2]}


def test_tampered_session_data_decodes_to_nothing_every_time():
    store = SessionStore()
    data = store.encode({"_auth_user_id": "7"})
    forged = data[:-3] + ("aaa" if not data.endswith("aaa") else "bbb")
    assert store.decode(forged) == {}
    assert store.decode(forged) == {}


def test_data_decoded_under_an_old_secret_is_refused_under_a_new_one(settings):
    store = SessionStore()
    data = store.encode({"_auth_user_id": "7"})
    assert store.decode(data) == {"_auth_user_id": "7"}
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert store.decode(data) == {}


# --- API tokens ----------------------------------------------------------------------------

def test_a_token_revoked_after_use_is_refused_on_the_next_request(receptionist, owner):
    token, raw = services.token_create(member=receptionist, name="script")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/me").status_code == 200
    services.token_revoke(actor=owner, token=token)
    assert api.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("who", ["member", "user"])
def test_a_token_stops_on_the_next_request_when_its_member_or_user_is_switched_off(receptionist, who):
    _token, raw = services.token_create(member=receptionist, name="script")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/me").status_code == 200
    if who == "member":
        Member.objects.filter(pk=receptionist.pk).update(active=False)
    else:
        type(receptionist.user).objects.filter(pk=receptionist.user.pk).update(is_active=False)
    assert api.get("/api/v1/me").status_code == 401


def test_a_token_of_one_organisation_answers_for_that_organisation_only(receptionist, other_owner):
    _mine, raw_mine = services.token_create(member=receptionist, name="a")
    _theirs, raw_theirs = services.token_create(member=other_owner, name="b")
    mine = Client(headers={"Authorization": f"Bearer {raw_mine}"}).get("/api/v1/me").json()
    theirs = Client(headers={"Authorization": f"Bearer {raw_theirs}"}).get("/api/v1/me").json()
    assert mine["organization"]["id"] == receptionist.organization_id and mine["member_id"] == receptionist.pk
    assert theirs["organization"]["id"] == other_owner.organization_id and theirs["member_id"] == other_owner.pk


def test_api_requests_with_a_token_run_one_query_and_stamp_the_last_use_once(receptionist):
    token, raw = services.token_create(member=receptionist, name="script")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    with CaptureQueriesContext(connection) as first:
        api.get("/api/v1/me")
    with CaptureQueriesContext(connection) as second:
        api.get("/api/v1/me")
    assert len(first) == 2 and first[1]["sql"].startswith("UPDATE")  # the lookup, then the first use
    assert len(second) == 1
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


# --- the two-factor device of a verified session ----------------------------------------------

def _verified(client: Client, member, device) -> None:
    from django_otp.oath import totp

    client.post(reverse("core:login"), {"username": member.user.email, "password": PASSWORD})
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert client.post(reverse("core:two_factor_verify"), {"code": code}).status_code == 302


def test_a_verified_session_reads_its_device_in_one_more_query(org, owner, client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=owner.user, name="phone", confirmed=True)
    _verified(client, owner, device)
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    assert len(queries) == 3 and 'FROM "otp_totp_totpdevice"' in queries[2]["sql"]
    assert client.get(reverse("core:profile")).status_code == 200  # verified: no code asked for


@pytest.mark.parametrize("change", ["deleted", "unconfirmed", "given to someone else"])
def test_a_session_whose_device_is_gone_is_no_longer_verified(org, owner, other_owner, client, change):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    org.require_two_factor = True
    org.save()
    device = TOTPDevice.objects.create(user=owner.user, name="phone", confirmed=True)
    _verified(client, owner, device)
    assert _signed_in_page(client)
    devices = TOTPDevice.objects.filter(pk=device.pk)
    if change == "deleted":
        devices.delete()
    elif change == "unconfirmed":
        devices.update(confirmed=False)
    else:
        devices.update(user=other_owner.user)
    response = client.get(reverse("core:profile"))
    assert response.status_code == 302 and response["Location"] == reverse("core:two_factor_setup")
