"""organization_create (from a vertical preset) and organization_update."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from frontoffice.core import capabilities as caps
from frontoffice.core import presets, services
from frontoffice.core.models import Activity, Department, Member, Organization, Site, User
from tests.core.factories import UserFactory


def _create(**overrides):
    arguments = {
        "name": "Green Street Surgery",
        "vertical": presets.MEDICAL,
        "owner_email": "boss@example.com",
        "owner_password": "a long owner passphrase",
    } | overrides
    return services.organization_create(**arguments)


def _counts():
    return (
        Organization.objects.count(),
        Site.objects.count(),
        Department.objects.count(),
        Member.objects.count(),
        User.objects.count(),
        Activity.objects.count(),
    )


# --- organization_create --------------------------------------------------------------------


@pytest.mark.parametrize("vertical", list(presets.VERTICALS))
def test_organization_create_starts_with_the_departments_of_its_vertical(db, vertical):
    organization, _owner = _create(vertical=vertical)
    departments = sorted((d.name, d.phone) for d in organization.departments.all())
    assert departments == sorted((str(name), ext) for name, ext in presets.VERTICALS[vertical].departments)
    site = organization.sites.get()
    assert site.opening_hours == presets.DEFAULT_OPENING_HOURS
    assert all(d.site == site for d in organization.departments.all())


def test_organization_create_makes_the_owner_a_member_who_can_sign_in(db):
    organization, owner = _create(owner_email="Boss@Example.com")
    assert owner.organization == organization
    assert owner.roles == [caps.OWNER]
    assert owner.user.email == "boss@example.com"
    assert owner.user.check_password("a long owner passphrase")
    assert list(owner.sites.all()) == list(organization.sites.all())
    assert owner.can("organization.manage")


def test_organization_create_records_the_owner_as_the_actor(db):
    organization, owner = _create()
    activity = Activity.objects.get(organization=organization)
    assert (activity.verb, activity.actor, activity.subject_id) == (
        "organization.created",
        owner,
        str(organization.pk),
    )
    assert activity.data == {"vertical": presets.MEDICAL}


def test_organization_create_reuses_an_existing_user(db):
    user = UserFactory(email="boss@example.com")
    _organization, owner = _create(owner_email="BOSS@example.com", owner_password=None)
    assert owner.user == user


def test_organization_create_gives_each_organisation_its_own_slug(db):
    first, _ = _create()
    second, _ = _create(name="Green Street: Surgery", owner_email="other@example.com")
    assert first.slug == "green-street-surgery"
    assert second.slug == "green-street-surgery-2"


def test_organization_create_refuses_a_name_in_use(db):
    _create()
    with pytest.raises(ValidationError) as refused:
        _create(name="green street surgery", owner_email="other@example.com")
    assert "name" in refused.value.message_dict


@pytest.mark.parametrize(
    "field, overrides",
    [
        ("vertical", {"vertical": "bakery"}),
        ("owner_email", {"owner_email": "not-an-address"}),
        ("name", {"name": "   "}),
        ("time_zone", {"time_zone": "Mars/Olympus_Mons"}),
        ("currency", {"currency": "12"}),
        ("country", {"country": "P1"}),
    ],
)
def test_organization_create_refuses_bad_input_and_creates_nothing(db, field, overrides):
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        _create(**overrides)
    assert field in refused.value.message_dict
    assert _counts() == before


# --- organization_update --------------------------------------------------------------------


def test_organization_update_records_each_change_as_before_and_after(org, owner):
    services.organization_update(
        actor=owner, organization=org, name="Alpha Health", currency="eur", time_zone="Europe/Warsaw"
    )
    org.refresh_from_db()
    assert (org.name, org.currency) == ("Alpha Health", "EUR")
    activity = Activity.objects.get(verb="organization.updated")
    assert activity.actor == owner
    assert activity.data == {
        "changes": {"name": ["Alpha Clinic", "Alpha Health"], "currency": ["PLN", "EUR"]}
    }


def test_organization_update_without_a_change_records_nothing(org, owner):
    services.organization_update(actor=owner, organization=org, name=org.name)
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("currency", "EURO"),
        ("currency", "E1R"),
        ("country", "POL"),
        ("country", "1"),
        ("time_zone", "Europe/Atlantis"),
        ("language", "xx"),
        ("name", ""),
    ],
)
def test_organization_update_refuses_bad_values_and_saves_nothing(org, owner, field, value):
    saved = Organization.objects.values().get(pk=org.pk)
    with pytest.raises(ValidationError) as refused:
        services.organization_update(
            actor=owner, organization=org, **{field: value, "visitor_retention_days": 30}
        )
    assert field in refused.value.message_dict
    assert Organization.objects.values().get(pk=org.pk) == saved
    assert not Activity.objects.exists()


def test_organization_update_refuses_fields_that_cannot_change(org, owner):
    with pytest.raises(ValidationError) as refused:
        services.organization_update(actor=owner, organization=org, slug="taken-over")
    assert "slug" in refused.value.message_dict
    assert Organization.objects.get(pk=org.pk).slug == "alpha"
