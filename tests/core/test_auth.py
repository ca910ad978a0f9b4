"""Signing in: e-mail and password, lock-out, password reset, two-factor codes, password hashing."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.models import Activity, User
from tests.core.factories import PASSWORD, UserFactory

LOGIN = "/account/login/"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def _link_path(body: str) -> str:
    url = re.search(r"https?://\S+/account/password/reset/\S+/", body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def device(owner):
    return TOTPDevice.objects.create(user=owner.user, name="phone", confirmed=True)


# --- e-mail and password --------------------------------------------------------------------


def test_sign_in_with_email_and_password_reaches_the_dashboard(owner, client):
    response = _login(client, owner.user.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert client.get("/").status_code == 200


def test_wrong_password_says_so_and_keeps_the_email(owner, client):
    response = _login(client, owner.user.email, "not the password")
    assert response.status_code == 200
    assert "That e-mail and password do not match" in response.content.decode()
    assert f'value="{owner.user.email}"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2_at_full_cost(db, settings):
    from frontoffice import settings as production  # the suite swaps in a cheaper Argon2 (tests/conftest.py)

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = User.objects.create_user("new@example.com", "a long enough password", full_name="New")
    assert user.password.startswith("argon2$argon2id$")
    assert f"m={Argon2PasswordHasher.memory_cost}" in user.password
    assert user.check_password("a long enough password")


def test_five_failed_sign_ins_lock_the_account_with_429(owner, client):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, owner.user.email, "wrong").status_code == 200
    locked = _login(client, owner.user.email, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # even the right password is refused while the lock lasts
    again = _login(client, owner.user.email)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_out_is_per_account_so_a_colleague_at_the_same_desk_can_sign_in(owner, receptionist, client):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, owner.user.email, "wrong")
    response = _login(Client(), receptionist.user.email)
    assert response.status_code == 302


# --- password reset -------------------------------------------------------------------------


def test_password_reset_mails_a_link_that_sets_a_new_password(owner, client, mailoutbox):
    response = client.post(reverse("core:password_reset"), {"email": owner.user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [owner.user.email]
    form_url = client.get(_link_path(mailoutbox[0].body))["Location"]
    done = client.post(
        form_url, {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"}
    )
    assert done.status_code == 302
    assert _login(Client(), owner.user.email, "a brand new passphrase").status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db, client, mailoutbox):
    response = client.post(reverse("core:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_invited_person_whose_link_expired_can_ask_for_a_new_one(owner, client, mailoutbox):
    # The invitation says: if the link has expired, use "Forgot your password?".
    invited = services.member_invite(
        actor=owner, email="late@example.com", full_name="Late Comer", roles=[caps.RECEPTIONIST], notify=False
    )
    assert not invited.user.has_usable_password()
    client.post(reverse("core:password_reset"), {"email": "late@example.com"})
    assert [mail.to for mail in mailoutbox] == [["late@example.com"]]


# --- two-factor sign-in ---------------------------------------------------------------------


def test_two_factor_setup_confirms_the_device_with_a_real_code(owner, signed_in):
    client = signed_in(owner)
    page = client.get(reverse("core:two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=owner.user)
    assert not device.confirmed
    assert device.config_url.split("secret=")[1].split("&")[0] in page.content.decode()
    response = client.post(reverse("core:two_factor_setup"), {"code": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert Activity.objects.filter(verb="member.two_factor_enabled", actor=owner).exists()


def test_two_factor_setup_refuses_a_wrong_code(owner, signed_in):
    client = signed_in(owner)
    client.get(reverse("core:two_factor_setup"))
    device = TOTPDevice.objects.get(user=owner.user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("core:two_factor_setup"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_sign_in_with_a_device_asks_for_the_code_before_any_page(owner, device, client):
    response = _login(client, owner.user.email)
    assert response["Location"].startswith(reverse("core:two_factor_verify"))
    for path in ["/", reverse("core:members"), reverse("core:profile")]:
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked["Location"].startswith(reverse("core:two_factor_verify"))
    verified = client.post(
        reverse("core:two_factor_verify"), {"code": _code(device), "next": "/settings/members/"}
    )
    assert verified.status_code == 302
    assert verified["Location"] == "/settings/members/"
    assert client.get("/").status_code == 200


def test_wrong_two_factor_code_keeps_the_door_shut(owner, device, client):
    _login(client, owner.user.email)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("core:two_factor_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/").status_code == 302


def test_half_signed_in_session_cannot_use_the_api(owner, device, client):
    _login(client, owner.user.email)
    response = client.get("/api/v1/me")
    assert response.status_code == 401


def test_half_signed_in_session_cannot_turn_off_two_factor(owner, device, client):
    _login(client, owner.user.email)
    client.post(reverse("core:two_factor_disable"))
    assert TOTPDevice.objects.filter(user=owner.user, confirmed=True).exists()


def test_half_signed_in_session_cannot_change_the_password(owner, device, client):
    _login(client, owner.user.email)
    client.post(
        reverse("core:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "taken over by a thief",
            "new_password2": "taken over by a thief",
        },
    )
    owner.user.refresh_from_db()
    assert owner.user.check_password(PASSWORD)


def test_fully_signed_in_session_can_use_the_api(owner, device, client):
    _login(client, owner.user.email)
    client.post(reverse("core:two_factor_verify"), {"code": _code(device)})
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("role", [caps.OWNER, caps.MANAGER])
def test_required_two_factor_sends_an_owner_or_manager_without_a_device_to_the_setup(
    role, org, make_member, signed_in
):
    org.require_two_factor = True
    org.save()
    client = signed_in(make_member(org, role))
    for path in ["/", reverse("core:members"), reverse("core:profile")]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("core:two_factor_setup")
    assert client.get(reverse("core:two_factor_setup")).status_code == 200


def test_required_two_factor_leaves_a_receptionist_alone(org, receptionist, signed_in):
    org.require_two_factor = True
    org.save()
    assert signed_in(receptionist).get("/").status_code == 200


def test_required_two_factor_keeps_the_api_session_shut_until_set_up(org, owner, signed_in):
    org.require_two_factor = True
    org.save()
    assert signed_in(owner).get("/api/v1/me").status_code == 401


def test_two_factor_cannot_be_turned_off_when_the_organisation_requires_it(org, owner, device, client):
    org.require_two_factor = True
    org.save()
    _login(client, owner.user.email)
    client.post(reverse("core:two_factor_verify"), {"code": _code(device)})
    client.post(reverse("core:two_factor_disable"))
    assert TOTPDevice.objects.filter(user=owner.user).exists()


def test_two_factor_can_be_turned_off_when_not_required(owner, device, client):
    _login(client, owner.user.email)
    client.post(reverse("core:two_factor_verify"), {"code": _code(device)})
    response = client.post(reverse("core:two_factor_disable"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner.user).exists()
    assert Activity.objects.filter(verb="member.two_factor_disabled", actor=owner).exists()


def test_user_factory_passwords_sign_in(db):
    # The factories cache the Argon2 hash; make sure it is a real one.
    user = UserFactory()
    assert user.password.startswith("argon2$") and user.check_password(PASSWORD)
    other = UserFactory(password="another fine passphrase")
    assert other.check_password("another fine passphrase")


def test_lock_out_counts_every_spelling_of_the_address_as_one_account(owner, client):
    email = owner.user.email
    spellings = [email, email.upper(), email.capitalize(), f" {email}", email.swapcase()]
    for spelling in spellings[: settings.AXES_FAILURE_LIMIT]:
        _login(client, spelling, "wrong")
    assert _login(Client(), email).status_code == 429


def test_the_code_page_brings_one_back_to_the_full_address_asked_for(owner, device, client):
    _login(client, owner.user.email)
    wanted = "/search/?q=Reg&page=2"
    to_code = client.get(wanted)["Location"]
    assert to_code.startswith(reverse("core:two_factor_verify"))
    verified = client.post(to_code, {"code": _code(device)})
    assert verified["Location"] == wanted


def test_sign_in_with_a_device_keeps_the_full_next_address(owner, device, client):
    wanted = "/search/?q=Reg&page=2"
    response = client.post(
        f"{LOGIN}?{urlencode({'next': wanted})}",
        {"username": owner.user.email, "password": PASSWORD, "next": wanted},
    )
    verified = client.post(response["Location"], {"code": _code(device)})
    assert verified["Location"] == wanted


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567"])
def test_a_code_that_is_not_six_digits_is_refused_with_a_clear_message(owner, device, client, code):
    _login(client, owner.user.email)
    response = client.post(reverse("core:two_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert "Enter the six digits your authenticator app shows." in response.content.decode()
    assert client.get("/").status_code == 302


def test_password_reset_form_refuses_a_malformed_address(db, client, mailoutbox):
    response = client.post(reverse("core:password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] and "not-an-address" in response.content.decode()
    assert mailoutbox == []


def test_new_password_form_refuses_two_different_passwords(owner, client, mailoutbox):
    client.post(reverse("core:password_reset"), {"email": owner.user.email})
    form_url = client.get(_link_path(mailoutbox[0].body))["Location"]
    response = client.post(form_url, {"new_password1": "one fine passphrase", "new_password2": "another one"})
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    owner.user.refresh_from_db()
    assert owner.user.check_password(PASSWORD)
