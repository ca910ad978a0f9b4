"""Tenancy and permissions, walked over every route of the application (tests/access_table.py).

For every row: anonymous → the sign-in page (pages) or 401 (API); a member lacking the capability →
403; a member of another organisation using this organisation's ids → 404; a member who may → 2xx/3xx.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from frontoffice.api import api
from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.models import Activity, Member
from tests.access_table import (
    API,
    API_PUBLIC,
    EXEMPT_NAMESPACES,
    PAGE,
    PUBLIC,
    USER,
    World,
    role_granting,
    role_lacking,
    routes,
)
from tests.core.factories import UserFactory

ROUTES = routes()
ids = [route.id for route in ROUTES]


@pytest.fixture(scope="module")
def _world_once(django_db_setup, django_db_blocker):
    """The world, built once for the whole walk in a transaction rolled back at the end (as Django's
    setUpTestData does); each test runs in a savepoint inside it, so what one test changes the next
    does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world_once, db):
    return _world_once


def _page_client(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    session = client.session
    session["frontoffice_org"] = member.organization_id
    session.save()
    return client


def _api_client(member: Member) -> Client:
    _token, raw = services.token_create(member=member, name="access walk")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _client_for(route, member: Member) -> Client:
    return _api_client(member) if route.is_api else _page_client(member)


def _send(route, client: Client, url: str, body):
    if route.is_api:
        return client.generic(
            route.method, url, json.dumps(body) if body is not None else "", content_type="application/json"
        )
    if route.method == "GET":
        return client.get(url)
    return client.generic(route.method, url, _form(body), content_type="application/x-www-form-urlencoded")


def _form(body) -> str:
    return urlencode(body or {}, doseq=True)


def _request(route, world, *, url_for: Member, client: Client):
    """Build the URL and body as for ``url_for`` (a member of world.org); send them with ``client``."""
    url, body = route.url(world, url_for), route.body(world, url_for)
    before = Activity.objects.count()
    return _send(route, client, url, body), before


def _assert_api_error(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)


def _allowed_member(world, route) -> Member:
    return world.member(role_granting(route.capability))


def _foreign_member(world) -> Member:
    return world.member(*caps.ROLES, organization=world.other_org)


# --- anonymous ------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=ids)
def test_anonymous_is_sent_to_sign_in_or_refused_401(route, world):
    response, before = _request(route, world, url_for=_allowed_member(world, route), client=Client())
    if route.kind in (PUBLIC, API_PUBLIC):
        assert response.status_code in route.ok
        return
    if route.kind == API:
        _assert_api_error(response, 401)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))
    assert Activity.objects.count() == before


API_ROUTES = [route for route in ROUTES if route.kind == API]


@pytest.mark.parametrize("token", ["fo_not-a-real-token", "garbage", "revoked", "inactive member"])
@pytest.mark.parametrize("route", API_ROUTES, ids=[route.id for route in API_ROUTES])
def test_api_refuses_a_bad_or_revoked_token_with_401(route, token, world):
    member = _allowed_member(world, route)
    if token == "revoked":
        found, token = services.token_create(member=member, name="old")
        services.token_revoke(actor=member, token=found)
    elif token == "inactive member":
        _found, token = services.token_create(member=member, name="left")
        Member.objects.filter(pk=member.pk).update(active=False)
    response, before = _request(
        route, world, url_for=member, client=Client(headers={"Authorization": f"Bearer {token}"})
    )
    _assert_api_error(response, 401)
    assert Activity.objects.count() == before


PAGE_ROUTES = [route for route in ROUTES if route.kind == PAGE]


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=[route.id for route in PAGE_ROUTES])
def test_signed_in_person_without_membership_gets_403(route, world):
    client = Client()
    client.force_login(UserFactory())
    response, before = _request(route, world, url_for=_allowed_member(world, route), client=client)
    assert response.status_code == 403
    assert Activity.objects.count() == before


# --- a member lacking the capability --------------------------------------------------------

LACKING = [route for route in ROUTES if route.kind in (PAGE, API) and role_lacking(route.capability)]


@pytest.mark.parametrize("route", LACKING, ids=[route.id for route in LACKING])
def test_member_lacking_the_capability_gets_403(route, world):
    member = world.member(role_lacking(route.capability))
    assert not member.can(route.capability)
    response, before = _request(route, world, url_for=member, client=_client_for(route, member))
    if route.is_api:
        _assert_api_error(response, 403)
    else:
        assert response.status_code == 403
    assert Activity.objects.count() == before


# --- a member of another organisation -------------------------------------------------------

FOREIGN = [route for route in ROUTES if route.kind in (PAGE, USER, API) and route.names_rows]


@pytest.mark.parametrize("route", FOREIGN, ids=[route.id for route in FOREIGN])
def test_member_of_another_organisation_using_our_ids_gets_404(route, world):
    stranger = _foreign_member(world)  # holds every role there, so only tenancy can refuse
    response, before = _request(
        route, world, url_for=_allowed_member(world, route), client=_client_for(route, stranger)
    )
    if route.is_api:
        _assert_api_error(response, 404)
    else:
        assert response.status_code == 404
    assert Activity.objects.count() == before


# --- a member who may -----------------------------------------------------------------------

ALLOWED = [route for route in ROUTES if route.kind in (PAGE, USER, API)]


@pytest.mark.parametrize("route", ALLOWED, ids=[route.id for route in ALLOWED])
def test_member_with_the_capability_gets_through(route, world):
    member = _allowed_member(world, route)
    response, _before = _request(route, world, url_for=member, client=_client_for(route, member))
    assert response.status_code in route.ok, response.content[:2000]
    if route.is_api and response.status_code != 204:
        assert response["Content-Type"].startswith("application/json")


# --- the table itself -----------------------------------------------------------------------


def _url_patterns(patterns=None, prefix="", namespace=""):
    """(name with namespace, route) of every pattern in the URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
            yield from _url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = pattern.name or f"<unnamed {prefix}{pattern.pattern}>"
            yield f"{namespace}:{name}" if namespace else name, prefix + str(pattern.pattern)


def _in_table_scope(name: str) -> bool:
    return name.split(":")[0] not in EXEMPT_NAMESPACES


def test_every_url_pattern_is_in_the_access_table():
    in_urlconf = {name for name, _route in _url_patterns() if _in_table_scope(name)}
    in_table = {route.name for route in ROUTES}
    missing = sorted(in_urlconf - in_table)
    assert not missing, f"add these routes to tests/<app>/access.py (see tests/access_table.py): {missing}"
    stale = sorted(in_table - in_urlconf)
    assert not stale, f"the access table names routes that no longer exist: {stale}"


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_api_operation_is_in_the_access_table_with_its_method():
    paths = dict(_url_patterns())
    operations = {
        (method.upper(), path) for path, spec in api.get_openapi_schema()["paths"].items() for method in spec
    }
    in_table = {(route.method, _openapi_path(paths[route.name])) for route in ROUTES if route.kind == API}
    assert operations - in_table == set(), "API operations missing from the access table"
    assert in_table - operations == set(), "access-table API rows with a method the operation does not have"


def test_the_table_asks_only_for_known_capabilities():
    unknown = {route.capability for route in ROUTES if route.capability} - set(caps.CAPABILITIES)
    assert not unknown


def test_the_table_can_catch_a_refusal():
    # Guards the walk itself: some roles must be refused somewhere, else it would prove nothing.
    assert LACKING and FOREIGN
    assert role_lacking("activity.view") is not None
    assert role_granting("activity.view") in caps.roles_granting("activity.view")
