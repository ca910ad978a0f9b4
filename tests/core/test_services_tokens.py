"""API tokens: shown once, stored hashed, revocable, with a throttled last-used time."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.core import services
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity, ApiToken, Member


def test_token_create_returns_the_raw_token_once_and_stores_only_its_hash(receptionist):
    token, raw = services.token_create(member=receptionist, name="  accounting export ")
    assert raw.startswith("fo_") and len(raw) > 40
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert stored["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(value) for value in stored.values()}
    assert stored["prefix"] == raw[:10]
    assert stored["name"] == "accounting export"
    activity = Activity.objects.get(verb="token.created")
    assert activity.actor == receptionist and activity.subject_id == str(token.pk)
    assert raw not in str(activity.data) and raw not in activity.subject_label


def test_two_tokens_differ(receptionist):
    assert (
        services.token_create(member=receptionist, name="a")[1]
        != services.token_create(member=receptionist, name="b")[1]
    )


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_token_needs_a_name_of_sensible_length(receptionist, name):
    with pytest.raises(ValidationError) as refused:
        services.token_create(member=receptionist, name=name)
    assert "name" in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_an_inactive_member_cannot_get_a_token(receptionist):
    receptionist.active = False
    with pytest.raises(Conflict):
        services.token_create(member=receptionist, name="sneaky")
    assert not ApiToken.objects.exists()


def test_token_authenticate_finds_the_member_of_a_live_token(receptionist):
    token, raw = services.token_create(member=receptionist, name="desk")
    found = services.token_authenticate(raw)
    assert found == token
    assert found.member == receptionist and found.member.organization == receptionist.organization


@pytest.mark.parametrize("raw", ["", "fo_", "fo_unknown", "Bearer fo_x", "not-our-token"])
def test_token_authenticate_refuses_unknown_tokens(receptionist, raw):
    services.token_create(member=receptionist, name="desk")
    assert services.token_authenticate(raw) is None


def test_token_authenticate_refuses_a_token_with_a_changed_character(receptionist):
    _token, raw = services.token_create(member=receptionist, name="desk")
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert services.token_authenticate(tampered) is None


def test_a_revoked_token_no_longer_works(receptionist, owner):
    token, raw = services.token_create(member=receptionist, name="desk")
    services.token_revoke(actor=owner, token=token)
    assert services.token_authenticate(raw) is None
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Activity.objects.get(verb="token.revoked").actor == owner


def test_revoking_twice_records_once(receptionist):
    token, _raw = services.token_create(member=receptionist, name="desk")
    services.token_revoke(actor=receptionist, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    services.token_revoke(actor=receptionist, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert Activity.objects.filter(verb="token.revoked").count() == 1


@pytest.mark.parametrize("who", ["member", "user"])
def test_tokens_of_someone_switched_off_no_longer_work(receptionist, who):
    _token, raw = services.token_create(member=receptionist, name="desk")
    if who == "member":
        Member.objects.filter(pk=receptionist.pk).update(active=False)
    else:
        receptionist.user.is_active = False
        receptionist.user.save()
    assert services.token_authenticate(raw) is None


def test_last_used_time_is_written_at_most_once_a_minute(receptionist, settings):
    settings.API_TOKEN_TOUCH_SECONDS = 60
    token, raw = services.token_create(member=receptionist, name="desk")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        services.token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        services.token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start + timedelta(seconds=61)
