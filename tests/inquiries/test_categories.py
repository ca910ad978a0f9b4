"""Inquiry categories (the vertical's presets, the owner's changes) and the channels' settings."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from frontoffice.core import capabilities as caps
from frontoffice.core import services as core_services
from frontoffice.core.models import Activity
from frontoffice.inquiries import presets
from frontoffice.inquiries.models import Category, Channels
from frontoffice.inquiries.services import categories as services
from tests.core.factories import DepartmentFactory, SiteFactory
from tests.inquiries.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def new_office(vertical: str, language: str = "en"):
    return core_services.organization_create(
        name=f"{vertical} {language} office", vertical=vertical, language=language,
        owner_email=f"{vertical}.{language}@example.com")


def save(actor, category=None, **fields):
    values = {"key": "", "name": "Parking", "department": None, "first_answer_hours": 2,
              "resolution_hours": 8, "active": True} | fields
    return services.category_save(actor=actor, category=category, **values)


# --- presets -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("vertical", "keys"), [
    ("medical", ["appointments", "prescriptions", "test-results", "billing", "records-request", "general"]),
    ("legal", ["new-matter", "existing-case", "billing", "documents", "general"]),
    ("education", ["admissions", "timetable", "fees", "certificates", "general"]),
    ("small_business", ["orders", "prices", "complaints", "billing", "general"]),
    ("general", ["general", "billing"]),
])
def test_each_vertical_starts_with_its_categories_routed_to_its_departments(vertical, keys):
    organization, _owner = new_office(vertical)
    assert presets.categories_ensure(organization) is True
    rows = list(Category.objects.filter(organization=organization).select_related("department"))
    assert [c.key for c in rows] == keys
    assert all(c.department is not None for c in rows)  # every preset names one of the vertical's departments
    assert all(c.first_answer_hours <= c.resolution_hours for c in rows)


def test_medical_presets_route_to_the_matching_departments():
    organization, _owner = new_office("medical")
    presets.categories_ensure(organization)
    routed = dict(Category.objects.filter(organization=organization).values_list("key", "department__name"))
    assert routed["test-results"] == "Laboratory"
    assert routed["billing"] == "Billing"
    assert routed["appointments"] == "Registration"


def test_presets_are_named_in_the_organisations_language_and_matched_to_its_departments():
    organization, _owner = new_office("medical", language="pl")
    with translation.override("en"):
        presets.categories_ensure(organization)
    lab = Category.objects.get(organization=organization, key="test-results")
    with translation.override("pl"):
        assert lab.name == str(presets.categories("medical")[2].name)
        assert lab.department.name == str(presets.LABORATORY)


def test_a_missing_department_leaves_the_category_unrouted(org):
    DepartmentFactory(organization=org, name="Billing")
    presets.categories_ensure(org)
    rows = dict(Category.objects.filter(organization=org).values_list("key", "department__name"))
    assert rows["billing"] == "Billing"
    assert rows["test-results"] is None


def test_categories_ensure_runs_once(org):
    assert presets.categories_ensure(org) is True
    count = Category.objects.filter(organization=org).count()
    Category.objects.filter(organization=org, key="billing").update(name="Invoices")
    Category.objects.filter(organization=org, key="general").delete()
    assert presets.categories_ensure(org) is False
    assert Category.objects.filter(organization=org).count() == count - 1
    assert Category.objects.get(organization=org, key="billing").name == "Invoices"


def test_an_unknown_vertical_gets_the_general_categories(org):
    org.vertical = "circus"
    assert [p.key for p in presets.categories(org.vertical)] == ["general", "billing"]


# --- category_save -------------------------------------------------------------------------------

def test_manager_adds_a_category_after_the_presets(org, manager):
    department = DepartmentFactory(organization=org, name="Facilities")
    category = save(manager, name="  Parking  spaces ", department=department, first_answer_hours="1.5")
    assert (category.key, category.name) == ("parking-spaces", "Parking spaces")
    assert category.department == department
    assert category.first_answer_hours == Decimal("1.50")
    # The vertical's categories were made first, so the new one is not the only one, and comes last.
    assert Category.objects.filter(organization=org).count() == len(presets.categories(org.vertical)) + 1
    positions = Category.objects.filter(organization=org).values_list("position", flat=True)
    assert category.position == max(positions)
    entry = Activity.objects.get(verb="inquiry_category.saved")
    assert entry.actor == manager
    assert entry.data["created"] is True
    assert entry.data["changes"]["first_answer_hours"] == [None, "1.50"]
    assert entry.data["changes"]["department"] == [None, department.pk]


def test_changing_a_category_records_what_changed(org, manager):
    category = save(manager, key="parking")
    save(manager, category=category, key="parking", resolution_hours=24)
    category.refresh_from_db()
    assert category.resolution_hours == Decimal("24.00")
    entry = Activity.objects.filter(verb="inquiry_category.saved").latest("pk")
    assert entry.data == {"created": False, "changes": {"resolution_hours": ["8.00", "24.00"]}}


def test_saving_unchanged_records_nothing(org, manager):
    category = save(manager, key="parking")
    save(manager, category=category, key="parking")
    assert Activity.objects.filter(verb="inquiry_category.saved").count() == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"first_answer_hours": "0.1"}, "first_answer_hours"),
    ({"first_answer_hours": 0}, "first_answer_hours"),
    ({"first_answer_hours": "abc"}, "first_answer_hours"),
    ({"first_answer_hours": "NaN"}, "first_answer_hours"),
    ({"first_answer_hours": None}, "first_answer_hours"),
    ({"resolution_hours": 2001}, "resolution_hours"),
    ({"first_answer_hours": 10, "resolution_hours": 5}, "resolution_hours"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"key": "Bad Key!"}, "key"),
    ({"key": "x" * 41}, "key"),
    ({"name": "!!!"}, "key"),  # nothing to make a key from
])
def test_bad_category_input_is_refused_and_changes_nothing(org, manager, fields, field):
    presets.categories_ensure(org)
    before = Category.objects.filter(organization=org).count()
    with pytest.raises(ValidationError) as exc:
        save(manager, **fields)
    assert field in exc.value.message_dict
    assert Category.objects.filter(organization=org).count() == before
    assert not Activity.objects.filter(verb="inquiry_category.saved").exists()


def test_key_and_name_are_unique_in_the_organisation(org, other_org, manager, other_owner):
    save(manager, key="parking", name="Parking")
    with pytest.raises(ValidationError) as exc:
        save(manager, key="parking", name="Cars")
    assert "key" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        save(manager, key="cars", name="PARKING")
    assert "name" in exc.value.message_dict
    assert save(other_owner, key="parking", name="Parking").organization == other_org  # theirs is separate


def test_a_department_of_another_organisation_is_refused(org, other_org, manager):
    theirs = DepartmentFactory(organization=other_org)
    with pytest.raises(ValidationError) as exc:
        save(manager, department=theirs)
    assert exc.value.message_dict["department"] == ["Choose one of your organisation's departments."]


def test_a_switched_off_department_is_refused(org, manager):
    closed = DepartmentFactory(organization=org, active=False)
    with pytest.raises(ValidationError) as exc:
        save(manager, department=closed)
    assert "department" in exc.value.message_dict


def test_another_organisations_category_cannot_be_changed(org, other_org, manager):
    theirs = CategoryFactory(organization=other_org)
    with pytest.raises(PermissionDenied):
        save(manager, category=theirs, key=theirs.key)


def test_a_receptionist_cannot_change_categories(org, receptionist):
    with pytest.raises(PermissionDenied):
        save(receptionist)


def test_a_category_can_be_switched_off(org, manager):
    category = save(manager, key="parking")
    save(manager, category=category, key="parking", active=False)
    category.refresh_from_db()
    assert category.active is False


# --- channels ------------------------------------------------------------------------------------

def test_channels_of_an_organisation_never_set_are_all_off(org):
    channels = services.channels_of(org)
    assert channels.pk is None
    assert (channels.public_faq, channels.public_form, channels.imap_host) == (False, False, "")


def test_manager_sets_up_the_mailbox(org, manager):
    site = org.sites.get()
    channels = services.channels_save(
        actor=manager, address="Questions@Alpha.example", imap_host="imaps://IMAP.alpha.example/",
        imap_port=993, imap_ssl=True, imap_user="questions", imap_password="s3cret", imap_folder="INBOX",
        site=site, public_faq=True)
    channels.refresh_from_db()
    assert (channels.address, channels.imap_host, channels.imap_password) == (
        "questions@alpha.example", "imap.alpha.example", "s3cret")
    assert channels.public_faq is True
    entry = Activity.objects.get(verb="inquiry_channels.saved")
    assert entry.data["changes"]["imap_password"] is True
    assert "s3cret" not in str(entry.data)


def test_an_empty_password_keeps_the_stored_one(org, manager):
    services.channels_save(actor=manager, imap_host="imap.alpha.example", imap_user="q",
                           imap_password="s3cret")
    services.channels_save(actor=manager, imap_host="imap.alpha.example", imap_user="q2", imap_password="")
    channels = Channels.objects.get(organization=org)
    assert (channels.imap_user, channels.imap_password) == ("q2", "s3cret")
    last = Activity.objects.filter(verb="inquiry_channels.saved").latest("pk")
    assert "imap_password" not in last.data["changes"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"address": "not an address"}, "address"),
    ({"imap_host": "imap example com"}, "imap_host"),
    ({"imap_port": 0}, "imap_port"),
    ({"imap_port": 70000}, "imap_port"),
    ({"imap_port": "993"}, "imap_port"),
    ({"imap_folder": ""}, "imap_folder"),
    ({"imap_user": "a\nb"}, "imap_user"),
    ({"imap_host": "imap.example.com"}, "imap_user"),  # a mailbox needs its user name
    ({"imap_host": "imap.example.com", "imap_user": "q"}, "imap_password"),  # and its password
    ({"colour": "red"}, "colour"),
])
def test_bad_channel_input_is_refused_and_changes_nothing(org, manager, fields, field):
    with pytest.raises(ValidationError) as exc:
        services.channels_save(actor=manager, **fields)
    assert field in exc.value.message_dict
    assert not Activity.objects.filter(verb="inquiry_channels.saved").exists()
    assert services.channels_of(org).imap_host == ""


def test_a_site_or_default_category_of_another_organisation_is_refused(org, other_org, manager):
    with pytest.raises(ValidationError) as exc:
        services.channels_save(actor=manager, site=SiteFactory(organization=other_org),
                               default_category=CategoryFactory(organization=other_org))
    assert set(exc.value.message_dict) == {"site", "default_category"}


def test_a_receptionist_cannot_change_the_channels(org, receptionist):
    with pytest.raises(PermissionDenied):
        services.channels_save(actor=receptionist, public_faq=True)
    with pytest.raises(PermissionDenied):
        services.inbound_token_rotate(actor=receptionist)


def test_the_inbound_token_is_given_once_and_kept_as_its_hash(org, manager):
    raw = services.inbound_token_rotate(actor=manager)
    channels = Channels.objects.get(organization=org)
    assert channels.inbound_token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert services.inbound_token_hash(raw) == channels.inbound_token_hash
    assert raw not in str(list(Activity.objects.values_list("data", flat=True)))
    again = services.inbound_token_rotate(actor=manager)
    assert again != raw
    channels.refresh_from_db()
    assert channels.inbound_token_hash == services.inbound_token_hash(again)
    assert [a.data for a in Activity.objects.filter(verb="inquiry_channels.saved").order_by("pk")] == [
        {"inbound_token": "created"}, {"inbound_token": "rotated"}]
    services.inbound_token_revoke(actor=manager)
    channels.refresh_from_db()
    assert channels.inbound_token_hash == ""


def test_owner_can_also_manage(org, owner):
    assert owner.can("inquiries.manage")
    assert services.channels_save(actor=owner, public_form=True).public_form is True
    assert caps.MANAGER not in owner.roles
