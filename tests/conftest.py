"""Fixtures every app's tests use: organisations, members by role, signed-in clients, API clients."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from tests.core.factories import MemberFactory, OrganizationFactory, SiteFactory


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Argon2 as in production, at a test-sized cost (tests/core/test_auth.py checks the real one).
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _fresh_fragments():
    """Rendered pieces of pages live per process, keyed by ids (core/fragments.py); every test's database
    starts afresh and may give out the same ids again, so the pieces start afresh too."""
    caches["fragments"].clear()


@pytest.fixture
def org(db):
    organization = OrganizationFactory(name="Alpha Clinic", slug="alpha")
    SiteFactory(organization=organization, name="Alpha main")
    return organization


@pytest.fixture
def other_org(db):
    organization = OrganizationFactory(name="Beta Law", slug="beta", vertical="legal")
    SiteFactory(organization=organization, name="Beta main")
    return organization


@pytest.fixture
def make_member(db):
    def make(organization, *roles, **kwargs):
        member = MemberFactory(organization=organization, roles=list(roles or [caps.RECEPTIONIST]), **kwargs)
        member.sites.set(organization.sites.all())
        return member

    return make


@pytest.fixture
def owner(org, make_member):
    return make_member(org, caps.OWNER)


@pytest.fixture
def receptionist(org, make_member):
    return make_member(org, caps.RECEPTIONIST)


@pytest.fixture
def manager(org, make_member):
    return make_member(org, caps.MANAGER)


@pytest.fixture
def auditor(org, make_member):
    return make_member(org, caps.AUDITOR)


@pytest.fixture
def other_owner(other_org, make_member):
    return make_member(other_org, caps.OWNER)


@pytest.fixture
def signed_in():
    """signed_in(member) -> a Django test client signed in as that member, in that organisation."""

    def sign_in(member) -> Client:
        client = Client()
        client.force_login(member.user)
        session = client.session
        session["frontoffice_org"] = member.organization_id
        session.save()
        return client

    return sign_in


@pytest.fixture
def api_as():
    """api_as(member) -> a test client sending that member's fresh API token."""

    def make(member) -> Client:
        _token, raw = services.token_create(member=member, name="tests")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
