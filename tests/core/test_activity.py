"""The activity log is append-only, and every change is logged, with its actor, in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.db.models import F

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.models import Activity, ApiToken, Closure, Department, Member, Organization, Site
from tests.core.factories import ActivityFactory, ClosureFactory, DepartmentFactory

# --- append-only ----------------------------------------------------------------------------


@pytest.fixture
def entry(org, owner):
    return services.activity_record(
        organization=org, actor=owner, verb="test.recorded", subject=org, data={"n": 1}
    )


def test_activity_record_fills_in_who_what_and_when(org, owner, entry):
    stored = Activity.objects.get(pk=entry.pk)
    assert (stored.organization, stored.actor, stored.actor_kind, stored.verb) == (
        org,
        owner,
        "member",
        "test.recorded",
    )
    assert (stored.subject_type, stored.subject_id, stored.subject_label) == (
        "core.organization",
        str(org.pk),
        "Alpha Clinic",
    )
    assert stored.occurred_at is not None and stored.data == {"n": 1}


def test_activity_without_an_actor_is_the_systems(org):
    assert services.activity_record(organization=org, actor=None, verb="test.purged").actor_kind == "system"


def test_activity_refuses_an_actor_of_another_organisation(org, other_owner):
    with pytest.raises(ValueError):
        services.activity_record(organization=org, actor=other_owner, verb="test.recorded")
    assert not Activity.objects.exists()


def test_an_activity_cannot_be_saved_again(entry):
    entry.verb = "test.rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.save(update_fields=["verb"])
    assert Activity.objects.get(pk=entry.pk).verb == "test.recorded"


def test_an_activity_cannot_be_deleted(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert Activity.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda rows: rows.update(verb="test.rewritten"),
        lambda rows: rows.update(data={}),
        lambda rows: rows.delete(),
        lambda rows: rows.bulk_update(list(rows.all()), ["verb"]),
    ],
    ids=["update", "update data", "delete", "bulk_update"],
)
@pytest.mark.parametrize(
    "rows",
    [
        lambda org: Activity.objects.all(),
        lambda org: Activity.objects.filter(verb="test.recorded"),
        lambda org: org.activities.all(),
        lambda org: org.activities,
    ],
    ids=["all", "filtered", "related", "related manager"],
)
def test_activity_querysets_refuse_to_change_or_delete_rows(org, entry, rows, operation):
    with pytest.raises(PermissionError):
        operation(rows(org))
    stored = Activity.objects.get(pk=entry.pk)
    assert (stored.verb, stored.data) == ("test.recorded", {"n": 1})


def test_activity_querysets_still_read_and_append(org, entry):
    ActivityFactory(organization=org)
    assert Activity.objects.filter(organization=org).count() == 2
    assert org.activities.filter(occurred_at__lte=F("occurred_at")).count() == 2


# --- every service records its change, with the actor, in the same transaction ---------------


@dataclass
class Scene:
    org: Organization
    owner: Member
    manager: Member
    receptionist: Member
    site: Site
    department: Department
    closure: Closure
    token: ApiToken


@pytest.fixture
def scene(org, owner, manager, receptionist):
    site = org.sites.get()
    token, _raw = services.token_create(member=receptionist, name="desk")
    return Scene(
        org,
        owner,
        manager,
        receptionist,
        site,
        DepartmentFactory(organization=org, name="Registration"),
        ClosureFactory(site=site),
        token,
    )


# name: (call(scene) -> actor, verb, changed(scene) -> bool)
SERVICES = {
    "organization_update": (
        lambda s: services.organization_update(actor=s.owner, organization=s.org, name="Renamed") and s.owner,
        "organization.updated",
        lambda s: Organization.objects.filter(name="Renamed").exists(),
    ),
    "site_create": (
        lambda s: services.site_create(actor=s.manager, name="Annex") and s.manager,
        "site.created",
        lambda s: Site.objects.filter(name="Annex").exists(),
    ),
    "site_update": (
        lambda s: services.site_update(actor=s.manager, site=s.site, address="2 Road") and s.manager,
        "site.updated",
        lambda s: Site.objects.filter(address="2 Road").exists(),
    ),
    "closure_add": (
        lambda s: (
            services.closure_add(actor=s.manager, site=s.site, starts_on=date(2031, 1, 1)) and s.manager
        ),
        "site.closure_added",
        lambda s: Closure.objects.count() == 2,
    ),
    "closure_remove": (
        lambda s: services.closure_remove(actor=s.manager, closure=s.closure) or s.manager,
        "site.closure_removed",
        lambda s: not Closure.objects.exists(),
    ),
    "department_create": (
        lambda s: services.department_create(actor=s.manager, name="Billing") and s.manager,
        "department.created",
        lambda s: Department.objects.filter(name="Billing").exists(),
    ),
    "department_update": (
        lambda s: (
            services.department_update(actor=s.manager, department=s.department, phone="777") and s.manager
        ),
        "department.updated",
        lambda s: Department.objects.filter(phone="777").exists(),
    ),
    "department_delete": (
        lambda s: services.department_delete(actor=s.manager, department=s.department) or s.manager,
        "department.deleted",
        lambda s: not Department.objects.exists(),
    ),
    "member_invite": (
        lambda s: (
            services.member_invite(actor=s.manager, email="n@example.com", full_name="N", roles=[caps.CLERK])
            and s.manager
        ),
        "member.invited",
        lambda s: Member.objects.filter(user__email="n@example.com").exists(),
    ),
    "member_update": (
        lambda s: services.member_update(actor=s.manager, member=s.receptionist, title="Lead") and s.manager,
        "member.updated",
        lambda s: Member.objects.filter(title="Lead").exists(),
    ),
    "token_create": (
        lambda s: services.token_create(member=s.receptionist, name="second") and s.receptionist,
        "token.created",
        lambda s: ApiToken.objects.count() == 2,
    ),
    "token_revoke": (
        lambda s: services.token_revoke(actor=s.owner, token=s.token) and s.owner,
        "token.revoked",
        lambda s: ApiToken.objects.filter(revoked_at__isnull=False).exists(),
    ),
    "two_factor_confirm": (
        lambda s: services.two_factor_confirm(
            user=s.owner.user, member=s.owner,
            device=TOTPDevice.objects.create(user=s.owner.user, name="phone", confirmed=False)) or s.owner,
        "member.two_factor_enabled",
        lambda s: TOTPDevice.objects.filter(user=s.owner.user, confirmed=True).exists(),
    ),
    "two_factor_disable": (
        lambda s: (TOTPDevice.objects.create(user=s.receptionist.user, name="phone", confirmed=True) and
                   services.two_factor_disable(user=s.receptionist.user, member=s.receptionist)) or s.receptionist,
        "member.two_factor_disabled",
        lambda s: not TOTPDevice.objects.filter(user=s.receptionist.user).exists(),
    ),
}


@pytest.mark.parametrize("name", SERVICES)
def test_service_records_one_activity_with_its_actor(scene, name):
    call, verb, changed = SERVICES[name]
    before = set(Activity.objects.values_list("pk", flat=True))
    actor = call(scene)
    new = Activity.objects.exclude(pk__in=before)
    assert [(a.verb, a.actor, a.organization) for a in new] == [(verb, actor, scene.org)]
    assert changed(scene)


@pytest.mark.parametrize("name", SERVICES)
def test_service_that_fails_after_logging_leaves_neither_change_nor_activity(scene, name, monkeypatch):
    call, _verb, changed = SERVICES[name]
    record = services.activity_record

    def record_then_fail(**kwargs):
        record(**kwargs)
        raise RuntimeError("the transaction fails after the log entry is written")

    monkeypatch.setattr(services, "activity_record", record_then_fail)
    before = Activity.objects.count()
    with pytest.raises(RuntimeError):
        call(scene)
    assert Activity.objects.count() == before
    assert not changed(scene)


def test_organization_create_is_one_transaction_with_its_activity(db, monkeypatch):
    record = services.activity_record

    def record_then_fail(**kwargs):
        record(**kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "activity_record", record_then_fail)
    with pytest.raises(RuntimeError):
        services.organization_create(name="Doomed", vertical="legal", owner_email="d@example.com")
    assert not Organization.objects.exists() and not Activity.objects.exists() and not Site.objects.exists()


def test_every_state_changing_core_service_is_in_the_table():
    # A new service in core/services.py must be added to SERVICES above (or listed here with a reason).
    not_logged = {
        "activity_record": "it is the log",
        "organization_create": "tested on its own above (it creates the actor)",
        "user_set_language": "a personal preference of the user, not an act in any one organisation",
        "token_authenticate": "only touches last_used_at",
        "send_invitation": "sends mail, changes nothing",
        "validate_opening_hours": "validates only",
        "token_hash": "computes only",
    }
    public = {
        name
        for name, value in vars(services).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", "") == services.__name__
    }
    assert public - set(SERVICES) - set(not_logged) == set()
