"""Departments: create, update, delete; names unique per organisation; only the organisation's rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from frontoffice.core import services
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity, Department
from tests.core.factories import DepartmentFactory


@pytest.fixture
def registration(org):
    return DepartmentFactory(organization=org, name="Registration", site=org.sites.get())


def test_department_create_with_site_and_members(org, manager, receptionist):
    site = org.sites.get()
    department = services.department_create(
        actor=manager,
        name="  Billing ",
        site=site,
        phone=" 400 ",
        email="billing@example.com",
        members=[receptionist],
    )
    assert (department.name, department.phone, department.site, department.organization) == (
        "Billing",
        "400",
        site,
        org,
    )
    assert list(department.members.all()) == [receptionist]
    activity = Activity.objects.get(verb="department.created")
    assert (activity.actor, activity.subject_id, activity.site) == (manager, str(department.pk), site)


@pytest.mark.parametrize("name", ["registration", "REGISTRATION", " Registration "])
def test_department_names_are_unique_per_organisation_whatever_the_case(org, manager, registration, name):
    with pytest.raises(ValidationError) as refused:
        services.department_create(actor=manager, name=name)
    assert "name" in refused.value.message_dict
    assert org.departments.count() == 1
    assert not Activity.objects.exists()


def test_another_organisation_may_use_the_same_department_name(registration, other_owner):
    assert (
        services.department_create(actor=other_owner, name="Registration").organization
        == other_owner.organization
    )


@pytest.mark.parametrize("field", ["site", "members"])
def test_department_create_refuses_another_organisations_site_or_member(
    org, manager, other_org, other_owner, field
):
    foreign = {"site": other_org.sites.get(), "members": [other_owner]}[field]
    with pytest.raises(ValidationError) as refused:
        services.department_create(actor=manager, name="Billing", **{field: foreign})
    assert field in refused.value.message_dict
    assert not Department.objects.filter(name="Billing").exists()


@pytest.mark.parametrize("fields, field", [({"name": ""}, "name"), ({"email": "billing@"}, "email")])
def test_department_create_refuses_bad_input(org, manager, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.department_create(actor=manager, **({"name": "Billing"} | fields))
    assert field in refused.value.message_dict
    assert not org.departments.exists()


def test_department_update_records_changes_including_members(org, manager, receptionist, registration):
    services.department_update(
        actor=manager,
        department=registration,
        name="Front desk",
        phone="101",
        members=[receptionist, manager],
    )
    registration.refresh_from_db()
    assert registration.name == "Front desk"
    assert set(registration.members.all()) == {receptionist, manager}
    changes = Activity.objects.get(verb="department.updated", actor=manager).data["changes"]
    assert changes["name"] == ["Registration", "Front desk"]
    assert changes["members"] == [[], sorted([receptionist.pk, manager.pk])]


def test_department_update_without_a_change_records_nothing(org, manager, registration):
    services.department_update(actor=manager, department=registration, name="Registration", members=[])
    assert not Activity.objects.exists()


def test_department_update_keeps_its_own_name_in_another_case(org, manager, registration):
    services.department_update(actor=manager, department=registration, name="REGISTRATION")
    assert Department.objects.get(pk=registration.pk).name == "REGISTRATION"


@pytest.mark.parametrize("case", ["taken name", "foreign site", "foreign member", "unknown field"])
def test_department_update_refuses_bad_input_and_saves_nothing(
    org, manager, registration, other_org, other_owner, case
):
    DepartmentFactory(organization=org, name="Billing")
    fields, field = {
        "taken name": ({"name": "billing"}, "name"),
        "foreign site": ({"site": other_org.sites.get()}, "site"),
        "foreign member": ({"members": [other_owner]}, "members"),
        "unknown field": ({"organization": other_org}, "organization"),
    }[case]
    saved = Department.objects.values().get(pk=registration.pk)
    with pytest.raises(ValidationError) as refused:
        services.department_update(actor=manager, department=registration, phone="999", **fields)
    assert field in refused.value.message_dict
    assert Department.objects.values().get(pk=registration.pk) == saved
    assert not registration.members.exists()
    assert not Activity.objects.exists()


def test_department_delete_removes_it_and_records_its_name(org, manager, registration):
    pk = registration.pk
    services.department_delete(actor=manager, department=registration)
    assert not Department.objects.filter(pk=pk).exists()
    activity = Activity.objects.get(verb="department.deleted")
    assert activity.actor == manager
    assert activity.data == {"department_id": pk, "name": "Registration"}


def test_department_in_use_cannot_be_deleted(org, manager, registration, monkeypatch):
    def protected(self, *args, **kwargs):
        raise models.ProtectedError("in use", set())

    monkeypatch.setattr(Department, "delete", protected)
    with pytest.raises(Conflict):
        services.department_delete(actor=manager, department=registration)
    assert not Activity.objects.exists()
