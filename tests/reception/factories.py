"""Reception rows for tests, written directly (services are tested on their own; these set up scenes).

Every factory takes the organisation from its site (``VisitFactory(site=site)``) or builds a new one.
"""

import hashlib
from datetime import timedelta

import factory
import pytest
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.reception import presets
from frontoffice.reception.models import Delivery, Kiosk, Visit, VisitDocument, WatchlistEntry
from frontoffice.core.text import fold
from tests.core.factories import MemberFactory, OrganizationFactory, SiteFactory


def _first_visit_type(organization) -> str:
    return presets.visit_types(organization.vertical)[0].key


class VisitFactory(factory.django.DjangoModelFactory):
    """An expected visit in an hour, hosted by a new member of the site's organisation.

    ``VisitFactory(site=site, status=Visit.ARRIVED, arrived_at=...)`` for a visitor already waiting."""

    class Meta:
        model = Visit

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    visitor_name = factory.Faker("name")
    visitor_company = ""
    visitor_email = factory.Sequence(lambda n: f"visitor{n}@example.org")
    host_member = factory.SubFactory(MemberFactory, organization=factory.SelfAttribute("..organization"),
                                     roles=[caps.EXECUTIVE])
    visit_type = factory.LazyAttribute(lambda v: _first_visit_type(v.organization))
    purpose = "Meeting"
    status = Visit.EXPECTED
    expected_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))


class VisitDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitDocument

    organization = factory.SubFactory(OrganizationFactory)
    kind = VisitDocument.NDA
    title = factory.Sequence(lambda n: f"Document {n}")
    body = "I will keep what I see and hear here confidential."
    version = 1
    visit_types = factory.LazyFunction(list)
    active = True


class KioskFactory(factory.django.DjangoModelFactory):
    """A paired kiosk; pass ``token="fok_…"`` to know its raw token (the default is unique per kiosk)."""

    class Meta:
        model = Kiosk

    class Params:
        token = factory.Sequence(lambda n: f"fok_test-kiosk-token-{n:08d}")

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    name = factory.Sequence(lambda n: f"Kiosk {n}")
    prefix = factory.LazyAttribute(lambda k: k.token[:10])
    token_hash = factory.LazyAttribute(lambda k: hashlib.sha256(k.token.encode()).hexdigest())


class WatchlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WatchlistEntry

    organization = factory.SubFactory(OrganizationFactory)
    full_name = "Jan Nowak"
    name_folded = factory.LazyAttribute(lambda e: fold(e.full_name))
    reason = "Threatened staff."
    active = True


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A parcel waiting at the desk for a new member of the site's organisation."""

    class Meta:
        model = Delivery

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    carrier = "DHL"
    tracking = factory.Sequence(lambda n: f"JD{n:012d}")
    recipient = factory.SubFactory(MemberFactory, organization=factory.SelfAttribute("..organization"))
    description = "Box"
    received_at = factory.LazyFunction(timezone.now)


# Fixtures the domain's test modules share: ``from tests.reception.factories import eager_tasks, site``
# with ``pytestmark = pytest.mark.usefixtures("eager_tasks")``.

@pytest.fixture
def eager_tasks(settings):
    """Tasks (e-mails) run at once, inside the test's transaction."""
    settings.TASKS_EAGER = True


@pytest.fixture
def site(org):
    """The organisation's one site (Europe/Warsaw, open Monday to Friday 08:00-16:00)."""
    return org.sites.get()
