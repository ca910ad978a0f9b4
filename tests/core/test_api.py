"""The core API under /api/v1/: what it returns, what it refuses and how its errors look."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from frontoffice.api import api
from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.models import Activity, Department, Organization, Site
from tests.core.factories import ActivityFactory, ClosureFactory, DepartmentFactory


def _send(client, method: str, url: str, body=None):
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def assert_error(response, status: int, field: str | None = "", detail: str = ""):
    """An error body: {"detail": str, "errors": [{"field", "message"}]}, naming ``field`` when given."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert detail in body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"} and isinstance(error["message"], str) and error["message"]
    if field:
        assert any((error["field"] or "").split(".")[0] == field for error in body["errors"]), body
    return body


@pytest.fixture
def as_owner(owner, api_as):
    return api_as(owner)


@pytest.fixture
def as_manager(manager, api_as):
    return api_as(manager)


@pytest.fixture
def as_receptionist(receptionist, api_as):
    return api_as(receptionist)


# --- /me and the organisation ---------------------------------------------------------------


def test_me_says_who_the_token_acts_as(receptionist, as_receptionist):
    body = as_receptionist.get("/api/v1/me").json()
    assert body["member_id"] == receptionist.pk
    assert body["user"]["email"] == receptionist.user.email
    assert body["roles"] == [caps.RECEPTIONIST]
    assert body["capabilities"] == sorted(receptionist.capabilities)
    assert body["organization"]["slug"] == "alpha"


def test_the_signed_in_browser_session_can_use_the_api(owner, signed_in):
    assert signed_in(owner).get("/api/v1/me").json()["member_id"] == owner.pk


def test_session_writes_through_the_api_need_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    response = _send(client, "PATCH", "/api/v1/organization", {"name": "Forged"})
    assert response.status_code == 403
    assert Organization.objects.get(pk=owner.organization_id).name == "Alpha Clinic"


def test_organization_get(org, as_receptionist):
    body = as_receptionist.get("/api/v1/organization").json()
    assert (body["id"], body["name"], body["currency"], body["vertical"]) == (
        org.pk,
        "Alpha Clinic",
        "PLN",
        "medical",
    )


def test_organization_patch_changes_and_records(org, owner, as_owner):
    response = _send(as_owner, "PATCH", "/api/v1/organization", {"name": "Alpha Health", "currency": "eur"})
    assert response.status_code == 200, response.content
    assert response.json()["currency"] == "EUR"
    org.refresh_from_db()
    assert org.name == "Alpha Health"
    assert Activity.objects.get(verb="organization.updated").actor == owner


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"currency": "EURO"}, 422, "currency"),
        ({"country": "POL"}, 422, "country"),
        ({"language": "de"}, 422, "language"),
        ({"visitor_retention_days": 0}, 422, "visitor_retention_days"),
        ({"name": ""}, 422, "name"),
        ({"time_zone": "Mars/Base"}, 400, "time_zone"),
    ],
)
def test_organization_patch_refuses_bad_input_naming_the_field(org, as_owner, body, status, field):
    assert_error(
        _send(as_owner, "PATCH", "/api/v1/organization", body | {"caller_retention_days": 7}), status, field
    )
    org.refresh_from_db()
    assert (org.currency, org.caller_retention_days) == ("PLN", 365)
    assert not Activity.objects.filter(verb="organization.updated").exists()


def test_malformed_json_is_refused_with_a_json_error(org, as_owner):
    response = as_owner.generic("PATCH", "/api/v1/organization", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code, field=None)


# --- sites ----------------------------------------------------------------------------------


def test_sites_lists_only_this_organisations_sites_with_their_closures(org, other_org, as_receptionist):
    ClosureFactory(site=org.sites.get())
    body = as_receptionist.get("/api/v1/sites").json()
    assert [site["name"] for site in body] == ["Alpha main"]
    assert body[0]["closures"][0]["starts_on"] == "2030-12-24"
    assert body[0]["opening_hours"]["mon"] == [["08:00", "16:00"]]


def test_site_create(org, manager, as_manager):
    response = _send(
        as_manager, "POST", "/api/v1/sites", {"name": "Annex", "opening_hours": {"sat": [["09:00", "13:00"]]}}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["opening_hours"]["sat"] == [["09:00", "13:00"]] and body["opening_hours"]["mon"] == []
    assert Site.objects.get(pk=body["id"]).organization == org


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({}, 422, "name"),
        ({"name": "   "}, 422, "name"),
        ({"name": "alpha MAIN"}, 400, "name"),
        ({"name": "Annex", "time_zone": "Mars/Base"}, 400, "time_zone"),
        ({"name": "Annex", "opening_hours": {"mon": [["8am", "4pm"]]}}, 422, "opening_hours"),
        ({"name": "Annex", "opening_hours": {"someday": [["08:00", "16:00"]]}}, 422, "opening_hours"),
        ({"name": "Annex", "opening_hours": {"mon": [["16:00", "08:00"]]}}, 400, "opening_hours"),
        (
            {"name": "Annex", "opening_hours": {"mon": [["08:00", "12:00"], ["11:00", "16:00"]]}},
            400,
            "opening_hours",
        ),
    ],
)
def test_site_create_refuses_bad_input_naming_the_field(org, as_manager, body, status, field):
    assert_error(_send(as_manager, "POST", "/api/v1/sites", body), status, field)
    assert org.sites.count() == 1


def test_site_patch(org, as_manager):
    site = org.sites.get()
    response = _send(
        as_manager, "PATCH", f"/api/v1/sites/{site.pk}", {"address": "1 High St", "active": False}
    )
    assert response.status_code == 200, response.content
    site.refresh_from_db()
    assert (site.address, site.active) == ("1 High St", False)


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"time_zone": "Nowhere"}, 400, "time_zone"),
        ({"opening_hours": {"tue": [["09:00"]]}}, 422, "opening_hours"),
        ({"active": "perhaps"}, 422, "active"),
    ],
)
def test_site_patch_refuses_bad_input_naming_the_field(org, as_manager, body, status, field):
    site = org.sites.get()
    assert_error(_send(as_manager, "PATCH", f"/api/v1/sites/{site.pk}", body), status, field)
    assert Site.objects.get(pk=site.pk).opening_hours["tue"] == [["08:00", "16:00"]]


@pytest.mark.parametrize("which", ["missing", "foreign"])
def test_site_patch_of_a_site_not_in_this_organisation_is_404(org, other_org, as_manager, which):
    pk = 999_999 if which == "missing" else other_org.sites.get().pk
    assert_error(_send(as_manager, "PATCH", f"/api/v1/sites/{pk}", {"address": "x"}), 404)
    assert not Site.objects.filter(address="x").exists()


# --- departments ----------------------------------------------------------------------------


@pytest.fixture
def registration(org):
    return DepartmentFactory(organization=org, name="Registration", site=org.sites.get())


def test_departments_list_and_get(org, other_org, registration, receptionist, as_receptionist):
    registration.members.set([receptionist])
    DepartmentFactory(organization=other_org, name="Litigation")
    listed = as_receptionist.get("/api/v1/departments").json()
    assert [d["name"] for d in listed] == ["Registration"]
    one = as_receptionist.get(f"/api/v1/departments/{registration.pk}").json()
    assert one["member_ids"] == [receptionist.pk] and one["site_id"] == org.sites.get().pk


def test_department_create_update_delete(org, manager, receptionist, as_manager):
    site = org.sites.get()
    created = _send(
        as_manager,
        "POST",
        "/api/v1/departments",
        {"name": "Billing", "site_id": site.pk, "member_ids": [receptionist.pk], "email": "b@example.com"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    patched = _send(as_manager, "PATCH", f"/api/v1/departments/{pk}", {"phone": "400", "member_ids": []})
    assert patched.status_code == 200, patched.content
    assert patched.json()["phone"] == "400" and patched.json()["member_ids"] == []
    unlinked = _send(as_manager, "PATCH", f"/api/v1/departments/{pk}", {"site_id": None})
    assert unlinked.json()["site_id"] is None
    deleted = _send(as_manager, "DELETE", f"/api/v1/departments/{pk}")
    assert deleted.status_code == 204
    assert_error(as_manager.get(f"/api/v1/departments/{pk}"), 404)
    verbs = list(
        Activity.objects.filter(actor=manager, verb__startswith="department.")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["department.created", "department.updated", "department.updated", "department.deleted"]


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({}, 422, "name"),
        ({"name": "registration"}, 400, "name"),
        ({"name": "Billing", "email": "billing@"}, 422, "email"),
        ({"name": "Billing", "site_id": "foreign"}, 400, "site_id"),
        ({"name": "Billing", "member_ids": "foreign"}, 400, "member_ids"),
        ({"name": "Billing", "member_ids": [999_999]}, 400, "member_ids"),
        ({"name": "Billing", "member_ids": "not a list"}, 422, "member_ids"),
    ],
)
def test_department_create_refuses_bad_input_naming_the_field(
    org, other_org, other_owner, registration, as_manager, body, status, field
):
    body = dict(body)
    if body.get("site_id") == "foreign":
        body["site_id"] = other_org.sites.get().pk
    if body.get("member_ids") == "foreign":
        body["member_ids"] = [other_owner.pk]
    assert_error(_send(as_manager, "POST", "/api/v1/departments", body), status, field)
    assert list(org.departments.values_list("name", flat=True)) == ["Registration"]


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"name": ""}, 422, "name"),
        ({"email": "nope"}, 422, "email"),
        ({"site_id": 999_999}, 400, "site_id"),
    ],
)
def test_department_patch_refuses_bad_input_naming_the_field(registration, as_manager, body, status, field):
    assert_error(_send(as_manager, "PATCH", f"/api/v1/departments/{registration.pk}", body), status, field)
    assert Department.objects.get(pk=registration.pk).name == "Registration"


def test_department_delete_while_in_use_is_409(registration, as_manager, monkeypatch):
    def protected(self, *args, **kwargs):
        raise models.ProtectedError("in use", set())

    monkeypatch.setattr(Department, "delete", protected)
    body = assert_error(
        _send(as_manager, "DELETE", f"/api/v1/departments/{registration.pk}"), 409, field=None
    )
    assert "deactivate" in body["detail"]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_departments_of_another_organisation_are_404(other_org, as_manager, method):
    foreign = DepartmentFactory(organization=other_org, name="Litigation")
    assert_error(
        _send(
            as_manager,
            method,
            f"/api/v1/departments/{foreign.pk}",
            {"name": "Mine now"} if method == "PATCH" else None,
        ),
        404,
    )
    assert Department.objects.filter(pk=foreign.pk, name="Litigation").exists()


@pytest.mark.parametrize(
    "method, url, field",
    [
        ("GET", "/api/v1/departments/abc", "department_id"),
        ("PATCH", "/api/v1/departments/abc", "department_id"),
        ("DELETE", "/api/v1/departments/1.5", "department_id"),
        ("PATCH", "/api/v1/sites/abc", "site_id"),
    ],
)
def test_an_id_that_is_not_a_number_is_422_naming_it(as_manager, method, url, field):
    assert_error(_send(as_manager, method, url, {} if method == "PATCH" else None), 422, field)


def test_a_token_of_a_deactivated_member_is_401(receptionist, owner, api_as):
    client = api_as(receptionist)
    services.member_update(actor=owner, member=receptionist, active=False)
    assert_error(client.get("/api/v1/me"), 401)


# --- members --------------------------------------------------------------------------------


def test_members_lists_this_organisations_members(org, owner, receptionist, other_owner, as_receptionist):
    body = as_receptionist.get("/api/v1/members").json()
    assert {m["id"] for m in body} == {owner.pk, receptionist.pk}
    mine = next(m for m in body if m["id"] == receptionist.pk)
    assert mine["roles"] == [caps.RECEPTIONIST] and mine["site_ids"] == [org.sites.get().pk]
    assert mine["user"]["email"] == receptionist.user.email


def test_members_needs_the_capability(org, make_member, api_as):
    clerk = make_member(org, caps.CLERK)
    assert_error(api_as(clerk).get("/api/v1/members"), 403, detail="members.view")


# --- activity -------------------------------------------------------------------------------


@pytest.fixture
def log(org, owner, receptionist, other_org):
    """Entries on three days, Warsaw time; and one in another organisation."""
    day = datetime(2031, 3, 10, 12, 0, tzinfo=org.tz)
    rows = [
        ActivityFactory(organization=org, actor=owner, verb="department.created", occurred_at=day),
        ActivityFactory(
            organization=org,
            actor=receptionist,
            verb="visit.checked_in",
            client_id=7,
            occurred_at=day + timedelta(days=1),
        ),
        ActivityFactory(
            organization=org,
            actor=receptionist,
            verb="department.updated",
            client_id=8,
            occurred_at=day + timedelta(days=2),
        ),
        ActivityFactory(
            organization=org, actor=None, verb="visit.purged", occurred_at=day + timedelta(days=2, hours=1)
        ),
    ]
    ActivityFactory(organization=other_org, verb="department.created", occurred_at=day)
    return rows


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_activity_lists_this_organisation_newest_first(log, as_owner):
    listed = _ids(as_owner.get("/api/v1/activity"))
    assert listed[:4] == [row.pk for row in reversed(log)]
    assert Activity.objects.get(pk=listed[4]).verb == "token.created"  # the test's own token, made today
    assert len(listed) == 5


@pytest.mark.parametrize(
    "query, expected",
    [
        ("client=7", [1]),
        ("verb=department.created", [0]),
        ("verb=department.", [2, 0]),
        ("verb=visit.", [3, 1]),
        ("since=2031-03-11", [3, 2, 1]),
        ("since=2031-01-01&until=2031-03-11", [1, 0]),
        ("since=2031-03-11&until=2031-03-11", [1]),
        ("since=2031-03-11&verb=department.", [2]),
    ],
)
def test_activity_filters(log, as_owner, query, expected):
    assert _ids(as_owner.get(f"/api/v1/activity?{query}")) == [log[i].pk for i in expected]


def test_activity_filter_by_actor(log, receptionist, as_owner):
    assert _ids(as_owner.get(f"/api/v1/activity?actor={receptionist.pk}")) == [log[2].pk, log[1].pk]


def test_activity_dates_are_whole_days_in_the_organisations_time_zone(org, owner, as_owner):
    late = ActivityFactory(
        organization=org, verb="test.late", occurred_at=datetime(2031, 3, 10, 23, 30, tzinfo=org.tz)
    )
    assert _ids(as_owner.get("/api/v1/activity?until=2031-03-10&verb=test.late")) == [late.pk]
    assert _ids(as_owner.get("/api/v1/activity?since=2031-03-11&verb=test.late")) == []


def test_anyone_may_read_their_own_activity_but_not_others(log, receptionist, owner, as_receptionist):
    assert _ids(as_receptionist.get(f"/api/v1/activity?actor={receptionist.pk}&since=2031-01-01")) == [
        log[2].pk,
        log[1].pk,
    ]
    assert_error(as_receptionist.get(f"/api/v1/activity?actor={owner.pk}"), 403, detail="activity.view")
    assert_error(as_receptionist.get("/api/v1/activity"), 403)


def test_activity_filter_by_an_actor_of_another_organisation_finds_nothing(log, other_owner, as_owner):
    assert _ids(as_owner.get(f"/api/v1/activity?actor={other_owner.pk}")) == []


def test_activity_cursor_walks_every_entry_once(org, owner, as_owner):
    start = datetime(2031, 1, 1, 9, 0, tzinfo=org.tz)
    # Several entries share a moment, so the cursor must break ties by id.
    made = [
        ActivityFactory(organization=org, actor=owner, occurred_at=start + timedelta(minutes=i // 3))
        for i in range(23)
    ]
    seen, cursor, pages = [], None, 0
    while True:
        response = as_owner.get(
            "/api/v1/activity", {"limit": 5, "verb": "test.happened"} | ({"cursor": cursor} if cursor else {})
        )
        seen += _ids(response)
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    expected = sorted(made, key=lambda a: (a.occurred_at, a.pk), reverse=True)
    assert seen == [a.pk for a in expected]


def test_activity_cursor_keeps_its_place_when_new_entries_arrive(org, owner, as_owner):
    start = datetime(2031, 1, 1, 9, 0, tzinfo=org.tz)
    old = [ActivityFactory(organization=org, occurred_at=start + timedelta(minutes=i)) for i in range(4)]
    first = as_owner.get("/api/v1/activity", {"limit": 2, "verb": "test.happened"})
    ActivityFactory(organization=org, occurred_at=start + timedelta(hours=5))
    second = as_owner.get(
        "/api/v1/activity", {"limit": 2, "verb": "test.happened", "cursor": first.json()["next_cursor"]}
    )
    assert _ids(second) == [old[1].pk, old[0].pk]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "bm90IGpzb24",
        "eyJhIjogMX0",
        "WyJub3QgYSBkYXRlIiwgMV0",
        "WyIyMDMxLTAxLTAxVDA5OjAwOjAwKzAwOjAwIiwgIngiXQ",
        "W10",
    ],
)
def test_a_bad_cursor_is_400_naming_the_cursor(log, as_owner, cursor):
    assert_error(as_owner.get("/api/v1/activity", {"cursor": cursor}), 400, "cursor")


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("limit=0", 422, "limit"),
        ("limit=201", 422, "limit"),
        ("since=yesterday", 422, "since"),
        ("client=-1", 422, "client"),
        ("since=2031-03-12&until=2031-03-10", 400, "until"),
    ],
)
def test_activity_refuses_bad_filters_naming_the_field(log, as_owner, query, status, field):
    assert_error(as_owner.get(f"/api/v1/activity?{query}"), status, field)


# --- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer fo_nonsense", "Token abc", "Basic dXNlcjpwYXNz"])
def test_no_or_bad_credentials_are_401_json(org, client, header):
    headers = {"Authorization": header} if header else {}
    assert_error(client.get("/api/v1/me", headers=headers), 401)


def test_a_revoked_token_is_401(receptionist, client):
    token, raw = services.token_create(member=receptionist, name="old")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    services.token_revoke(actor=receptionist, token=token)
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}), 401)


def test_unknown_api_path_is_a_json_404(as_owner):
    assert_error(as_owner.get("/api/v1/no-such-thing"), 404)


def test_a_method_the_route_does_not_take_is_a_json_405(as_owner):
    response = _send(as_owner, "PUT", "/api/v1/organization", {"name": "x"})
    assert_error(response, 405)
    assert "PATCH" in response["Allow"]


@pytest.mark.parametrize(
    "method, url",
    [
        ("PATCH", "/api/v1/organization"),
        ("POST", "/api/v1/sites"),
        ("PATCH", "/api/v1/sites/{site}"),
        ("POST", "/api/v1/departments"),
    ],
)
def test_a_field_the_endpoint_does_not_know_is_422_naming_it(org, as_owner, method, url):
    body = {"name": "Fine name", "slug": "taken-over"}
    assert_error(_send(as_owner, method, url.format(site=org.sites.get().pk), body), 422, "slug")
    assert Organization.objects.get(pk=org.pk).slug == "alpha"
    assert not Activity.objects.exclude(verb="token.created").exists()


# --- the schema and the docs ----------------------------------------------------------------


def _api_url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                yield pattern.name

    return set(walk(get_resolver().url_patterns)) - {"openapi-json", "openapi-view", "api-root"}


def test_openapi_schema_is_valid_and_lists_every_endpoint(client, db):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    operations = {op["operationId"] for spec in schema["paths"].values() for op in spec.values()}
    assert len(operations) == len(_api_url_names())
    for name in _api_url_names():
        assert any(op.endswith(f"_{name}") for op in operations), name
    assert "/api/v1/departments/{department_id}" in schema["paths"]
    assert set(schema["paths"]["/api/v1/departments/{department_id}"]) == {"get", "patch", "delete"}
    for spec in schema["paths"].values():
        for operation in spec.values():
            assert "401" in operation["responses"] or operation.get("security") == []


def test_openapi_schema_is_the_one_the_api_builds(client, db):
    assert (
        json.loads(client.get("/api/v1/openapi.json").content)["paths"].keys()
        == api.get_openapi_schema()["paths"].keys()
    )


def test_api_docs_render_without_inline_script_code(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts
    for attributes, body in scripts:
        if "src=" in attributes:
            assert not body.strip()
        else:
            assert 'type="application/json"' in attributes
            json.loads(body)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
