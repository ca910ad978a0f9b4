"""Inviting members (with the invitation e-mail) and changing their roles, sites and status."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity, Member, User
from tests.core.factories import UserFactory


def _invite(actor, **overrides):
    arguments = {"email": "New.Person@Example.com", "full_name": "New Person", "roles": [caps.RECEPTIONIST]}
    return services.member_invite(actor=actor, **(arguments | overrides))


# --- member_invite --------------------------------------------------------------------------


def test_member_invite_adds_a_new_person_who_has_no_password_yet(org, manager):
    member = _invite(manager, sites=list(org.sites.all()), title="Receptionist")
    assert member.organization == org and member.roles == [caps.RECEPTIONIST]
    assert member.user.email == "new.person@example.com"
    assert not member.user.has_usable_password()
    assert list(member.sites.all()) == list(org.sites.all())
    activity = Activity.objects.get(verb="member.invited")
    assert activity.actor == manager
    assert activity.data == {"roles": [caps.RECEPTIONIST], "email": "new.person@example.com"}


def test_invitation_is_mailed_only_when_the_transaction_commits(
    org, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invite(manager)
    assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.com"]
    assert "Alpha Clinic" in mailoutbox[0].subject


def test_invitation_link_lets_the_person_choose_a_password_and_sign_in(
    org, manager, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(manager)
    link = re.search(r"https?://\S+", mailoutbox[0].body).group(0)
    assert link.startswith(settings.PUBLIC_URL + "/account/password/reset/")
    client = Client()
    form_url = client.get(link.removeprefix(settings.PUBLIC_URL))["Location"]
    assert client.get(form_url).status_code == 200
    done = client.post(
        form_url, {"new_password1": "my very own passphrase", "new_password2": "my very own passphrase"}
    )
    assert done.status_code == 302
    signed_in = Client().post(
        "/account/login/", {"username": "new.person@example.com", "password": "my very own passphrase"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_invitation_is_written_in_the_persons_language(
    org, manager, mailoutbox, django_capture_on_commit_callbacks
):
    org.language = "pl"
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        member = _invite(manager)
    assert member.user.language == "pl"
    with translation.override("pl"):
        polish = gettext("You have been invited to %(org)s") % {"org": "Alpha Clinic"}
    assert polish != "You have been invited to Alpha Clinic"
    assert [mail.subject for mail in mailoutbox] == [polish]


def test_member_invite_without_notify_sends_nothing(
    org, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(manager, notify=False)
    assert mailoutbox == []


def test_inviting_someone_who_already_has_an_account_adds_the_membership(
    org, manager, other_owner, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = _invite(manager, email=other_owner.user.email.upper())
    assert member.user == other_owner.user
    assert member.user.memberships.count() == 2
    assert mailoutbox == []  # they sign in with the password they have


def test_inviting_a_member_twice_is_a_conflict_on_the_email(org, manager, receptionist):
    with pytest.raises(Conflict) as refused:
        _invite(manager, email=receptionist.user.email)
    assert refused.value.field == "email"
    assert org.members.count() == 2


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "not an address"}, "email"),
        ({"full_name": "  "}, "full_name"),
        ({"roles": []}, "roles"),
        ({"roles": ["janitor"]}, "roles"),
    ],
)
def test_member_invite_refuses_bad_input_and_creates_nothing(org, manager, overrides, field):
    users = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        _invite(manager, **overrides)
    assert field in refused.value.message_dict
    assert User.objects.count() == users
    assert org.members.count() == 1
    assert not Activity.objects.exists()


def test_member_invite_refuses_another_organisations_site(org, manager, other_org):
    with pytest.raises(ValidationError) as refused:
        _invite(manager, sites=[other_org.sites.get()])
    assert "sites" in refused.value.message_dict
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_only_an_owner_can_invite_an_owner(org, manager, owner):
    with pytest.raises(ValidationError) as refused:
        _invite(manager, roles=[caps.OWNER])
    assert "roles" in refused.value.message_dict
    assert _invite(owner, roles=[caps.OWNER]).roles == [caps.OWNER]


# --- member_update --------------------------------------------------------------------------


def test_member_update_records_changes_and_the_new_roles_take_effect(org, manager, receptionist):
    assert not receptionist.can("members.manage")
    services.member_update(
        actor=manager,
        member=receptionist,
        roles=[caps.RECEPTIONIST, caps.MANAGER],
        title="Desk lead",
        sites=[],
    )
    assert receptionist.can("members.manage")
    receptionist.refresh_from_db()
    assert receptionist.roles == sorted([caps.MANAGER, caps.RECEPTIONIST])
    changes = Activity.objects.get(verb="member.updated", actor=manager).data["changes"]
    assert changes["roles"] == [[caps.RECEPTIONIST], sorted([caps.MANAGER, caps.RECEPTIONIST])]
    assert changes["title"] == ["", "Desk lead"]
    assert changes["sites"] == [[org.sites.get().pk], []]


def test_the_last_owner_cannot_give_up_the_owner_role(org, owner):
    with pytest.raises(Conflict) as refused:
        services.member_update(actor=owner, member=owner, roles=[caps.MANAGER])
    assert refused.value.field == "roles"
    assert Member.objects.get(pk=owner.pk).roles == [caps.OWNER]
    assert not Activity.objects.exists()


def test_an_owner_can_step_down_when_another_owner_remains(org, owner, make_member):
    make_member(org, caps.OWNER)
    services.member_update(actor=owner, member=owner, roles=[caps.MANAGER])
    assert Member.objects.get(pk=owner.pk).roles == [caps.MANAGER]


def test_the_last_owner_cannot_be_deactivated(org, owner, make_member):
    co_owner = make_member(org, caps.OWNER)
    services.member_update(actor=owner, member=co_owner, active=False)
    with pytest.raises(Conflict) as refused:
        services.member_update(actor=co_owner, member=owner, active=False)
    assert refused.value.field == "active"
    assert Member.objects.get(pk=owner.pk).active


def test_only_an_owner_grants_the_owner_role(org, owner, manager, receptionist):
    with pytest.raises(ValidationError) as refused:
        services.member_update(actor=manager, member=receptionist, roles=[caps.OWNER])
    assert "roles" in refused.value.message_dict
    assert Member.objects.get(pk=receptionist.pk).roles == [caps.RECEPTIONIST]
    services.member_update(actor=owner, member=receptionist, roles=[caps.OWNER])
    assert Member.objects.get(pk=receptionist.pk).roles == [caps.OWNER]


def test_only_an_owner_removes_the_owner_role(org, owner, manager, make_member):
    co_owner = make_member(org, caps.OWNER)
    with pytest.raises(ValidationError):
        services.member_update(actor=manager, member=co_owner, roles=[caps.RECEPTIONIST])
    assert Member.objects.get(pk=co_owner.pk).roles == [caps.OWNER]


def test_nobody_can_deactivate_themselves(org, manager):
    with pytest.raises(Conflict) as refused:
        services.member_update(actor=manager, member=manager, active=False)
    assert refused.value.field == "active"
    assert Member.objects.get(pk=manager.pk).active


def test_a_deactivated_member_loses_every_capability(org, manager, receptionist):
    services.member_update(actor=manager, member=receptionist, active=False)
    assert receptionist.capabilities == frozenset()


@pytest.mark.parametrize("case", ["no roles", "unknown role", "foreign site"])
def test_member_update_refuses_bad_input_and_saves_nothing(org, manager, receptionist, other_org, case):
    fields, field = {
        "no roles": ({"roles": []}, "roles"),
        "unknown role": ({"roles": ["janitor"]}, "roles"),
        "foreign site": ({"sites": [other_org.sites.get()]}, "sites"),
    }[case]
    saved = Member.objects.values().get(pk=receptionist.pk)
    with pytest.raises(ValidationError) as refused:
        services.member_update(actor=manager, member=receptionist, title="changed", **fields)
    assert field in refused.value.message_dict
    assert Member.objects.values().get(pk=receptionist.pk) == saved
    assert list(receptionist.sites.all()) == list(org.sites.all())


def test_member_invite_of_an_existing_user_keeps_their_name(org, manager):
    user = UserFactory(full_name="Real Name")
    member = _invite(manager, email=user.email, full_name="Other Name")
    assert member.user.full_name == "Real Name"


def test_nobody_gives_themselves_a_role(org, make_member):
    manager = make_member(org, caps.MANAGER)
    with pytest.raises(Conflict):
        services.member_update(actor=manager, member=manager, roles=[caps.MANAGER, caps.AUDITOR])
    assert Member.objects.get(pk=manager.pk).roles == [caps.MANAGER]


def test_only_an_owner_deactivates_an_owner(org, make_member):
    make_member(org, caps.OWNER)
    second_owner = make_member(org, caps.OWNER)
    manager = make_member(org, caps.MANAGER)
    with pytest.raises(ValidationError):
        services.member_update(actor=manager, member=second_owner, active=False)
    assert Member.objects.get(pk=second_owner.pk).active
