"""Calls rows for tests, written directly (services are tested on their own; these set up scenes).

Every factory takes the organisation from its site or department (``LineFactory(site=site)``).
"""

from __future__ import annotations

import factory
from django.utils import timezone

from frontoffice.calls.models import Call, Line, Message, RingGroup, RingMember, TelephonyProvider
from tests.core.factories import DepartmentFactory, MemberFactory, OrganizationFactory, SiteFactory

AUTH_TOKEN = "12345678901234567890123456789012"  # what tests sign webhooks with


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TelephonyProvider

    organization = factory.SubFactory(OrganizationFactory)
    kind = TelephonyProvider.Kind.TWILIO
    account_sid = factory.Sequence(lambda n: f"AC{n:032d}")
    auth_token = AUTH_TOKEN


class RingGroupFactory(factory.django.DjangoModelFactory):
    """A department's ring group; ``RingGroupFactory(department=d, targets=[...])`` is not supported:
    add RingMemberFactory rows."""

    class Meta:
        model = RingGroup

    department = factory.SubFactory(DepartmentFactory)
    organization = factory.SelfAttribute("department.organization")
    strategy = RingGroup.Strategy.PARALLEL
    ring_seconds = 20
    overflow = RingGroup.Overflow.VOICEMAIL
    is_desk = False


class RingMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RingMember

    ring_group = factory.SubFactory(RingGroupFactory)
    member = None
    target = factory.Sequence(lambda n: f"+4822{n:07d}")
    ring_seconds = 15
    position = factory.Sequence(lambda n: n)


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Line

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    number = factory.Sequence(lambda n: f"+4858{n:07d}")
    label = factory.Sequence(lambda n: f"Line {n}")
    department = None
    flow = factory.LazyFunction(dict)
    position = factory.Sequence(lambda n: n)


class CallFactory(factory.django.DjangoModelFactory):
    """A call ringing now on a new line; pass ``status``/``outcome``/times for other scenes."""

    class Meta:
        model = Call

    line = factory.SubFactory(LineFactory)
    organization = factory.SelfAttribute("line.organization")
    site = factory.SelfAttribute("line.site")
    sid = factory.Sequence(lambda n: f"CA{n:032d}")
    from_number = factory.Sequence(lambda n: f"+48601{n:06d}")
    status = Call.Status.RINGING
    offered_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    for_member = factory.SubFactory(MemberFactory)
    organization = factory.SelfAttribute("for_member.organization")
    caller_name = factory.Faker("name")
    caller_number = factory.Sequence(lambda n: f"+48602{n:06d}")
    text = "Please call back about the appointment."
