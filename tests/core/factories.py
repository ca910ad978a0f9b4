import functools
from datetime import date

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core import presets
from frontoffice.core.models import Activity, Closure, Department, Member, Organization, Site, User
from tests.hashers import FastArgon2PasswordHasher

PASSWORD = "correct horse battery staple"


@functools.cache
def _hashed(raw: str) -> str:
    # Argon2 at production cost takes ~0.1 s per hash by design: use the test-sized one, once per password.
    return make_password(raw, hasher=FastArgon2PasswordHasher())


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose password is PASSWORD (or ``UserFactory(password="...")``), hashed with Argon2."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    language = "en"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.password = _hashed(PASSWORD if extracted is None else extracted)
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Office {n}")
    slug = factory.Sequence(lambda n: f"office-{n}")
    vertical = presets.MEDICAL
    language = "en"
    time_zone = "Europe/Warsaw"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    opening_hours = factory.LazyFunction(lambda: dict(presets.DEFAULT_OPENING_HOURS))


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    starts_on = date(2030, 12, 24)
    ends_on = date(2030, 12, 26)
    reason = "Christmas"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: [caps.RECEPTIONIST])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Department {n}")
    phone = factory.Sequence(lambda n: str(100 + n))


class ActivityFactory(factory.django.DjangoModelFactory):
    """A log entry written directly (services write real ones); for filter and paging tests."""

    class Meta:
        model = Activity

    organization = factory.SubFactory(OrganizationFactory)
    actor = None
    actor_kind = factory.LazyAttribute(lambda a: "member" if a.actor else "system")
    verb = "test.happened"
    occurred_at = factory.LazyFunction(timezone.now)
