"""The tenancy and permission table: every route of the application and who may use it.

``tests/core/test_access.py`` walks every row: anonymous, a member lacking the capability, a
member of another organisation using this organisation's ids, and a member who may. A URL pattern
that is in the URLconf but not in the table fails ``test_every_url_pattern_is_in_the_access_table``.

Each app lists its routes in ``tests/<app>/access.py``::

    from tests.access_table import API, PAGE, Route

    def populate(world):            # optional: the rows its URLs point at, in world.org
        world.visit = VisitFactory(organization=world.org, site=world.site)

    ROUTES = [
        Route("GET", "reception:visit", "reception.view", args=lambda w, m: [w.visit.pk]),
        Route("POST", "reception:check_in", "reception.check_in", args=lambda w, m: [w.visit.pk],
              data=lambda w, m: {...}, ok=(302,)),
        Route("GET", "api:visit_list", "reception.view", kind=API),
    ]

``args``/``data``/``query`` are called with the world and the member of ``world.org`` the request is
built for; a route with ``args`` names rows of ``world.org``, so a member of another organisation
must get 404 from it.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.urls import reverse

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Member

# kinds of route
PAGE = "page"  # a page for a signed-in member (member_required)
USER = "user"  # a page for any signed-in person, membership or not (password change, two-factor)
PUBLIC = "public"  # a page anyone may open (sign-in, password reset, health check)
API = "api"  # an API operation for a token's member
API_PUBLIC = "api_public"  # the API's own documents (schema, docs)

# Namespaces left out of the table, with the reason.
EXEMPT_NAMESPACES = {
    "admin": "Django admin: operators only (is_staff), guarded by Django's own admin_view",
    "telephony": "provider webhooks: signed by the provider, not a session; tested in tests/calls/test_webhooks.py",
}


@dataclass(frozen=True)
class Route:
    method: str
    name: str  # the URL pattern's name, with namespace ("core:site_edit", "api:site_patch")
    capability: str | None  # None: any member (or, for USER/PUBLIC kinds, nobody in particular)
    kind: str = PAGE
    args: Callable | None = None  # (world, member) -> URL args naming rows of world.org
    query: Callable | None = None  # (world, member) -> dict of query parameters
    data: Callable | None = None  # (world, member) -> form data (pages) or JSON body (API)
    ok: tuple[int, ...] = (200,)  # statuses for a member who may (anyone, for public kinds)
    label: str = ""  # tells two rows with the same method and name apart
    tenant_ids: bool | None = None  # do the args name rows of world.org? (default: when there are args)
    app: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}" + (f" [{self.label}]" if self.label else "")

    @property
    def names_rows(self) -> bool:
        return self.args is not None if self.tenant_ids is None else self.tenant_ids

    @property
    def is_api(self) -> bool:
        return self.kind in (API, API_PUBLIC)

    def url(self, world, member: Member | None) -> str:
        url = reverse(self.name, args=self.args(world, member) if self.args else [])
        if self.query:
            url += "?" + urlencode(self.query(world, member), doseq=True)
        return url

    def body(self, world, member: Member | None) -> dict | None:
        return self.data(world, member) if self.data else None


def _role_order(roles) -> list[str]:
    return sorted(roles, key=lambda role: (len(caps.capabilities_for([role])), list(caps.ROLES).index(role)))


def role_granting(capability: str | None) -> str:
    """The least privileged role that has ``capability`` (a receptionist when none is needed)."""
    if capability is None:
        return caps.RECEPTIONIST
    return _role_order(caps.roles_granting(capability))[0]


def role_lacking(capability: str | None) -> str | None:
    """The most privileged role without ``capability``; None when every role has it."""
    if capability is None:
        return None
    lacking = set(caps.ROLES) - caps.roles_granting(capability)
    return _role_order(lacking)[-1] if lacking else None


def _app_modules():
    tests_dir = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(tests_dir)]), key=lambda i: i.name):
        if info.ispkg and (tests_dir / info.name / "access.py").exists():
            yield info.name, importlib.import_module(f"tests.{info.name}.access")


def routes() -> list[Route]:
    """Every app's rows, in app order."""
    collected = []
    for app, module in _app_modules():
        collected.extend(dataclasses.replace(route, app=app) for route in module.ROUTES)
    return collected


class World:
    """Two organisations: ``org`` (with a site, and whatever each app's ``populate`` adds) and
    ``other_org``, whose members must never reach ``org``'s rows."""

    def __init__(self):
        from tests.core.factories import OrganizationFactory, SiteFactory

        self.org = OrganizationFactory(name="Alpha Clinic", slug="alpha")
        self.site = SiteFactory(organization=self.org, name="Alpha main")
        self.other_org = OrganizationFactory(name="Beta Law", slug="beta", vertical="legal")
        self.other_site = SiteFactory(organization=self.other_org, name="Beta main")
        for _app, module in _app_modules():
            fill = getattr(module, "populate", None)
            if fill is not None:
                fill(self)

    def member(self, *roles: str, organization=None) -> Member:
        from tests.core.factories import MemberFactory

        organization = organization or self.org
        member = MemberFactory(organization=organization, roles=list(roles))
        member.sites.set(organization.sites.all())
        return member
