"""The demo office: a realistic organisation for each vertical, one login per role.

Loaded by ``frontoffice demo``; idempotent, so running the demo again reuses the data.
Later apps add their demo data through ``DEMO_LOADERS`` (a visit day, a call history, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.models import Member, Organization, User

DEMO_PASSWORD = "frontoffice-demo"

# App demo loaders: each is called as loader(organization, members_by_role) after the core data exists.
DEMO_LOADERS: list[Callable[[Organization, dict[str, Member]], None]] = []


@dataclass(frozen=True)
class DemoOffice:
    name: str
    language: str
    domain: str
    address: str
    people: tuple[tuple[str, str, str], ...]  # (role, full name, job title)


OFFICES = {
    "medical": DemoOffice(
        "Przychodnia Zdrowie", "pl", "przychodnia.example", "ul. Puławska 145\n02-715 Warszawa",
        ((caps.OWNER, "Anna Nowak", "Właścicielka"), (caps.MANAGER, "Piotr Wiśniewski", "Kierownik rejestracji"),
         (caps.RECEPTIONIST, "Zofia Wójcik", "Rejestratorka"), (caps.CLERK, "Łukasz Kamiński", "Archiwista"),
         (caps.ADMIN_ASSISTANT, "Małgorzata Lewandowska", "Asystentka dyrektora"),
         (caps.EXECUTIVE, "dr Krzysztof Zieliński", "Dyrektor medyczny"),
         (caps.AUDITOR, "Ewa Szymańska", "Audytorka")),
    ),
    "legal": DemoOffice(
        "Kowalski & Partners", "en", "kowalski-law.example", "Al. Jerozolimskie 65\n00-697 Warszawa",
        ((caps.OWNER, "Anna Nowak", "Managing partner"), (caps.MANAGER, "James Whitfield", "Office manager"),
         (caps.RECEPTIONIST, "Emily Carter", "Receptionist"), (caps.CLERK, "Tomasz Dąbrowski", "File clerk"),
         (caps.ADMIN_ASSISTANT, "Olivia Bennett", "Legal secretary"),
         (caps.EXECUTIVE, "Marek Kowalski", "Senior partner"), (caps.AUDITOR, "Henry Price", "Auditor")),
    ),
    "education": DemoOffice(
        "Szkoła Podstawowa nr 12", "pl", "sp12.example", "ul. Ogrodowa 12\n90-001 Łódź",
        ((caps.OWNER, "Anna Nowak", "Dyrektorka"), (caps.MANAGER, "Barbara Kozłowska", "Kierowniczka sekretariatu"),
         (caps.RECEPTIONIST, "Joanna Jankowska", "Sekretarka"), (caps.CLERK, "Paweł Mazur", "Archiwista"),
         (caps.ADMIN_ASSISTANT, "Katarzyna Krawczyk", "Asystentka"),
         (caps.EXECUTIVE, "Andrzej Piotrowski", "Wicedyrektor"), (caps.AUDITOR, "Magdalena Grabowska", "Audytorka")),
    ),
    "small_business": DemoOffice(
        "Harbour Print & Design", "en", "harbourprint.example", "12 Quay Street\nBristol BS1 4DJ",
        ((caps.OWNER, "Anna Nowak", "Owner"), (caps.MANAGER, "Sarah Mitchell", "Operations manager"),
         (caps.RECEPTIONIST, "Daniel Hughes", "Front desk"), (caps.CLERK, "Grace Turner", "Records clerk"),
         (caps.ADMIN_ASSISTANT, "Chloe Evans", "Office assistant"), (caps.EXECUTIVE, "Robert Clarke", "Director"),
         (caps.AUDITOR, "Ian Fraser", "Bookkeeper")),
    ),
}
OFFICES["general"] = OFFICES["small_business"]

# The second organisation the owner belongs to, so switching organisations can be tried.
SECOND = {"medical": "legal", "legal": "medical", "education": "small_business", "small_business": "education",
          "general": "medical"}


def _login(office: DemoOffice, role: str) -> str:
    return f"{role.replace('_', '.')}@{office.domain}"


def owner_email() -> str:
    return "owner@frontoffice.example"


@transaction.atomic
def load_office(vertical: str) -> tuple[Organization, list[tuple[str, str]]]:
    """Create (or find) the demo office of ``vertical``; returns it and its (role, login) pairs."""
    office = OFFICES[vertical]
    slug_hint = f"demo-{vertical.replace('_', '-')}"
    logins = [(caps.OWNER, owner_email())] + [(role, _login(office, role)) for role, _n, _t in office.people[1:]]
    existing = Organization.objects.filter(slug=slug_hint).first()
    if existing is not None:
        return existing, logins
    organization, owner = services.organization_create(
        name=office.name, vertical=vertical, owner_email=owner_email(), owner_name=office.people[0][1],
        owner_password=DEMO_PASSWORD, language=office.language,
        time_zone="Europe/London" if office.domain.endswith("print.example") else "Europe/Warsaw",
        currency="GBP" if office.domain.endswith("print.example") else "PLN",
        country="GB" if office.domain.endswith("print.example") else "PL",
        site_name=office.name.split(" ")[0] + (" — main office" if office.language == "en" else " — siedziba"),
        address=office.address,
    )
    Organization.objects.filter(pk=organization.pk).update(slug=slug_hint)
    organization.refresh_from_db()
    owner.title = office.people[0][2]
    owner.save(update_fields=["title"])
    site = organization.sites.get()
    by_role = {caps.OWNER: owner}
    departments = list(organization.departments.all())
    for index, (role, full_name, title) in enumerate(office.people[1:]):
        member = services.member_invite(actor=owner, email=_login(office, role), full_name=full_name,
                                        roles=[role], sites=[site], title=title, notify=False)
        by_role[role] = member
        if departments:
            department = departments[index % len(departments)]
            services.department_update(actor=owner, department=department,
                                       members=list(department.members.all()) + [member])
    users = User.objects.filter(memberships__organization=organization)
    for user in users:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    for loader in DEMO_LOADERS:
        loader(organization, by_role)
    return organization, logins


def load(vertical: str = "medical") -> tuple[Organization, list[tuple[str, str]]]:
    """The main demo office plus a second one the owner also belongs to."""
    organization, logins = load_office(vertical)
    load_office(SECOND[vertical])
    return organization, logins
