"""Core's rows of the access table (see tests/access_table.py)."""

from __future__ import annotations

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from tests.access_table import API, API_PUBLIC, PUBLIC, USER, Route
from tests.core.factories import ClosureFactory, DepartmentFactory


def populate(world) -> None:
    world.closure = ClosureFactory(site=world.site)
    world.department = DepartmentFactory(organization=world.org, site=world.site, name="Registration")
    world.colleague = world.member(caps.RECEPTIONIST)


def _token_of(world, member):
    token, _raw = services.token_create(member=member, name="to revoke")
    return [token.pk]


def _organization_form(world, member):
    return {
        "name": "Alpha Clinic renamed",
        "language": "en",
        "time_zone": "Europe/Warsaw",
        "currency": "PLN",
        "country": "PL",
        "visitor_retention_days": 90,
        "caller_retention_days": 365,
    }


def _site_form(world, member):
    return {
        "name": "Annex",
        "address": "1 Side Street",
        "time_zone": "",
        "active": "on",
        "hours_mon": "08:00-16:00",
        "hours_tue": "08:00-12:00, 13:00-16:00",
    }


def _department_form(world, member):
    return {
        "name": "Billing desk",
        "site": world.site.pk,
        "phone": "401",
        "email": "billing@example.com",
        "members": [world.colleague.pk],
        "active": "on",
    }


def _invite_form(world, member):
    return {
        "full_name": "New Person",
        "email": "new.person@example.com",
        "roles": [caps.RECEPTIONIST],
        "sites": [world.site.pk],
    }


def _member_form(world, member):
    return {
        "title": "Senior receptionist",
        "phone": "105",
        "roles": [caps.RECEPTIONIST],
        "sites": [world.site.pk],
        "active": "on",
    }


ROUTES = [
    # the shell
    Route("GET", "core:dashboard", "dashboard.view"),
    Route("POST", "core:switch_organization", None, data=lambda w, m: {"organization": w.org.pk}, ok=(302,)),
    Route(
        "POST",
        "core:set_language",
        None,
        kind=PUBLIC,
        data=lambda w, m: {"language": "pl", "next": "/"},
        ok=(302,),
    ),
    Route("GET", "core:search", "search.use", query=lambda w, m: {"q": "Reg"}),
    Route("GET", "core:healthz", None, kind=PUBLIC),
    # signing in
    Route("GET", "core:login", None, kind=PUBLIC),
    Route("POST", "core:logout", None, kind=PUBLIC, ok=(302,)),
    Route("GET", "core:two_factor_verify", None, kind=USER, ok=(302,)),  # no device yet: on to the setup
    Route("GET", "core:two_factor_setup", None, kind=USER),
    Route("POST", "core:two_factor_disable", None, ok=(302,)),
    Route("GET", "core:password_reset", None, kind=PUBLIC),
    Route("GET", "core:password_reset_done", None, kind=PUBLIC),
    Route(
        "GET",
        "core:password_reset_confirm",
        None,
        kind=PUBLIC,
        args=lambda w, m: ["MQ", "not-a-token"],
        tenant_ids=False,
    ),  # a stale link: the page says so
    Route("GET", "core:password_reset_complete", None, kind=PUBLIC),
    Route("GET", "core:password_change", None, kind=USER),
    Route("GET", "core:password_change_done", None, kind=USER),
    # settings
    Route("GET", "core:organization", "organization.view"),
    Route("POST", "core:organization", "organization.manage", data=_organization_form, ok=(302,)),
    Route("GET", "core:sites", "sites.manage"),
    Route("GET", "core:site_new", "sites.manage"),
    Route("POST", "core:site_new", "sites.manage", data=_site_form, ok=(302,)),
    Route("GET", "core:site_edit", "sites.manage", args=lambda w, m: [w.site.pk]),
    Route(
        "POST", "core:site_edit", "sites.manage", args=lambda w, m: [w.site.pk], data=_site_form, ok=(302,)
    ),
    Route(
        "POST",
        "core:closure_add",
        "sites.manage",
        args=lambda w, m: [w.site.pk],
        data=lambda w, m: {"starts_on": "2031-05-01", "reason": "Labour Day"},
        ok=(302,),
    ),
    Route(
        "POST", "core:closure_remove", "sites.manage", args=lambda w, m: [w.site.pk, w.closure.pk], ok=(302,)
    ),
    Route("GET", "core:departments", "departments.view"),
    Route("GET", "core:department_new", "departments.manage"),
    Route("POST", "core:department_new", "departments.manage", data=_department_form, ok=(302,)),
    Route("GET", "core:department_edit", "departments.manage", args=lambda w, m: [w.department.pk]),
    Route(
        "POST",
        "core:department_edit",
        "departments.manage",
        args=lambda w, m: [w.department.pk],
        data=_department_form,
        ok=(302,),
    ),
    Route(
        "POST", "core:department_delete", "departments.manage", args=lambda w, m: [w.department.pk], ok=(302,)
    ),
    Route("GET", "core:members", "members.view"),
    Route("GET", "core:member_invite", "members.manage"),
    Route("POST", "core:member_invite", "members.manage", data=_invite_form, ok=(302,)),
    Route("GET", "core:member_edit", "members.manage", args=lambda w, m: [w.colleague.pk]),
    Route(
        "POST",
        "core:member_edit",
        "members.manage",
        args=lambda w, m: [w.colleague.pk],
        data=_member_form,
        ok=(302,),
    ),
    Route("GET", "core:tokens", "tokens.manage_own"),
    Route("POST", "core:tokens", "tokens.manage_own", data=lambda w, m: {"name": "export"}),
    Route("POST", "core:token_revoke", "tokens.manage_own", args=_token_of, ok=(302,)),
    Route("GET", "core:profile", None),
    Route("GET", "core:activity", "activity.view"),
    # the API's own documents
    Route("GET", "api:openapi-json", None, kind=API_PUBLIC),
    Route("GET", "api:openapi-view", None, kind=API_PUBLIC),
    Route("GET", "api:api-root", None, kind=API_PUBLIC, ok=(404,)),  # ninja's root: a 404 unless DEBUG
    # the API
    Route("GET", "api:me", None, kind=API),
    Route("GET", "api:organization_get", "organization.view", kind=API),
    Route(
        "PATCH",
        "api:organization_patch",
        "organization.manage",
        kind=API,
        data=lambda w, m: {"name": "Alpha renamed"},
    ),
    Route("GET", "api:site_list", "organization.view", kind=API),
    Route(
        "POST", "api:site_create", "sites.manage", kind=API, data=lambda w, m: {"name": "Annex"}, ok=(201,)
    ),
    Route(
        "PATCH",
        "api:site_patch",
        "sites.manage",
        kind=API,
        args=lambda w, m: [w.site.pk],
        data=lambda w, m: {"address": "2 Main Street"},
    ),
    Route("GET", "api:department_list", "departments.view", kind=API),
    Route(
        "POST",
        "api:department_create",
        "departments.manage",
        kind=API,
        data=lambda w, m: {"name": "Billing"},
        ok=(201,),
    ),
    Route("GET", "api:department_get", "departments.view", kind=API, args=lambda w, m: [w.department.pk]),
    Route(
        "PATCH",
        "api:department_patch",
        "departments.manage",
        kind=API,
        args=lambda w, m: [w.department.pk],
        data=lambda w, m: {"phone": "555"},
    ),
    Route(
        "DELETE",
        "api:department_delete",
        "departments.manage",
        kind=API,
        args=lambda w, m: [w.department.pk],
        ok=(204,),
    ),
    Route("GET", "api:member_list", "members.view", kind=API),
    Route("GET", "api:activity_list", "activity.view", kind=API),
    Route(
        "GET",
        "api:activity_list",
        "activity.view_own",
        kind=API,
        query=lambda w, m: {"actor": m.pk},
        label="own",
    ),
]
