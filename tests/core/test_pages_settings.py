"""The settings pages: every form's happy path, and bad input shown again with the input kept and
nothing changed."""

from __future__ import annotations

import re

import pytest
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from frontoffice.core import capabilities as caps
from frontoffice.core import services
from frontoffice.core.models import Activity, ApiToken, Closure, Department, Member, Organization, Site
from tests.core.factories import ClosureFactory, DepartmentFactory


def assert_refused(response, message: str, *kept: str, field: str | None = None):
    """The form came back (400, or 200 with errors), saying ``message`` and keeping what was typed."""
    assert response.status_code in (200, 400), response.status_code
    form = response.context["form"]
    assert form.errors, "the form has no errors"
    if field is not None:
        assert field in form.errors, form.errors
    html = response.content.decode()
    assert escape(message) in html, f"{message!r} not on the page"
    for value in kept:
        assert escape(value) in html, f"the typed {value!r} was lost"


@pytest.fixture
def as_owner(owner, signed_in):
    return signed_in(owner)


@pytest.fixture
def as_manager(manager, signed_in):
    return signed_in(manager)


def _snapshot(model, **filters):
    return list(model.objects.filter(**filters).order_by("pk").values())


# --- organisation ---------------------------------------------------------------------------

ORGANIZATION = {
    "name": "Alpha Health",
    "language": "en",
    "time_zone": "Europe/London",
    "currency": "GBP",
    "country": "GB",
    "visitor_retention_days": "30",
    "caller_retention_days": "60",
}


def test_organization_form_saves_and_records(org, owner, as_owner):
    response = as_owner.post(reverse("core:organization"), ORGANIZATION)
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.time_zone, org.currency, org.visitor_retention_days) == (
        "Alpha Health",
        "Europe/London",
        "GBP",
        30,
    )
    changes = Activity.objects.get(verb="organization.updated", actor=owner).data["changes"]
    assert changes["currency"] == ["PLN", "GBP"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("currency", "EURO", "Ensure this value has at most 3 characters"),
        ("currency", "E1R", "Use a three-letter ISO 4217 code such as PLN or EUR."),
        ("country", "G1", "Use a two-letter country code such as PL or GB."),
        ("time_zone", "Mars/Olympus", "Mars/Olympus is not a known time zone."),
        ("visitor_retention_days", "-5", "Ensure this value is greater than or equal to 0."),
        ("name", "", "This field is required."),
    ],
)
def test_organization_form_refuses_bad_input(org, as_owner, field, value, message):
    before = _snapshot(Organization)
    response = as_owner.post(reverse("core:organization"), ORGANIZATION | {field: value})
    assert response.status_code == 400
    assert_refused(
        response, message, *(v for k, v in ORGANIZATION.items() if k != field and len(v) > 2), field=field
    )
    assert _snapshot(Organization) == before
    assert not Activity.objects.exists()


def test_organization_page_is_read_only_for_a_receptionist(org, receptionist, signed_in):
    client = signed_in(receptionist)
    page = client.get(reverse("core:organization"))
    assert page.status_code == 200 and '<form method="post" class="form narrow"' not in page.content.decode()
    assert client.post(reverse("core:organization"), ORGANIZATION).status_code == 403
    assert Organization.objects.get(pk=org.pk).name == "Alpha Clinic"


# --- sites and closures ---------------------------------------------------------------------

SITE = {
    "name": "Annex",
    "address": "1 Side Street",
    "time_zone": "",
    "active": "on",
    "hours_mon": "8:00-12:00, 13:00-16:00",
    "hours_sat": "09:00–13:00",
}


def test_site_form_creates_a_site_with_its_hours(org, manager, as_manager):
    response = as_manager.post(reverse("core:site_new"), SITE)
    assert response.status_code == 302
    site = org.sites.get(name="Annex")
    assert site.opening_hours["mon"] == [["08:00", "12:00"], ["13:00", "16:00"]]
    assert site.opening_hours["sat"] == [["09:00", "13:00"]] and site.opening_hours["tue"] == []
    assert Activity.objects.get(verb="site.created").actor == manager


def test_site_form_edits_a_site(org, as_manager):
    site = org.sites.get()
    page = as_manager.get(reverse("core:site_edit", args=[site.pk]))
    assert 'value="08:00-16:00"' in page.content.decode()
    response = as_manager.post(reverse("core:site_edit", args=[site.pk]), SITE | {"name": "Alpha main"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.address == "1 Side Street" and site.opening_hours["tue"] == []


@pytest.mark.parametrize(
    "changes, message, field",
    [
        ({"hours_mon": "banana"}, "Write a range as 08:00-16:00.", "hours_mon"),
        ({"hours_mon": "8-9-10"}, "Write a range as 08:00-16:00.", "hours_mon"),
        ({"hours_tue": "16:00-08:00"}, "On tue a range ends before it starts.", None),
        ({"hours_wed": "08:00-12:00, 11:00-14:00"}, "On wed two ranges overlap.", None),
        ({"hours_thu": "8am-4pm"}, "Write times as HH:MM, e.g. 08:00-16:00.", None),
        ({"name": "ALPHA MAIN"}, "There is already a site with this name.", "name"),
        ({"time_zone": "Atlantis/Capital"}, "Atlantis/Capital is not a known time zone.", "time_zone"),
        ({"name": ""}, "This field is required.", "name"),
    ],
)
def test_site_form_refuses_bad_input(org, as_manager, changes, message, field):
    before = _snapshot(Site)
    data = SITE | changes
    response = as_manager.post(reverse("core:site_new"), data)
    kept = [v for k, v in data.items() if k != "active" and v]
    assert_refused(response, message, *kept, field=field)
    assert _snapshot(Site) == before
    assert not Activity.objects.exists()


def test_site_edit_refuses_bad_hours_and_keeps_the_saved_ones(org, as_manager):
    site = org.sites.get()
    response = as_manager.post(
        reverse("core:site_edit", args=[site.pk]), SITE | {"name": "Alpha main", "hours_fri": "17:00-09:00"}
    )
    assert_refused(response, "On fri a range ends before it starts.", "17:00-09:00")
    assert Site.objects.get(pk=site.pk).opening_hours == site.opening_hours


def test_closure_form_adds_and_removes_a_closure(org, manager, as_manager):
    site = org.sites.get()
    response = as_manager.post(
        reverse("core:closure_add", args=[site.pk]),
        {"starts_on": "2031-12-24", "ends_on": "2031-12-26", "reason": "Christmas"},
    )
    assert response.status_code == 302
    closure = Closure.objects.get(site=site)
    assert "Christmas" in as_manager.get(reverse("core:site_edit", args=[site.pk])).content.decode()
    response = as_manager.post(reverse("core:closure_remove", args=[site.pk, closure.pk]))
    assert response.status_code == 302
    assert not Closure.objects.exists()
    assert [a.verb for a in Activity.objects.order_by("id")] == ["site.closure_added", "site.closure_removed"]


@pytest.mark.parametrize(
    "data, message, field",
    [
        (
            {"starts_on": "2031-12-26", "ends_on": "2031-12-24", "reason": "Backwards"},
            "A closure cannot end before it starts.",
            "ends_on",
        ),
        ({"starts_on": "", "reason": "No date"}, "This field is required.", "starts_on"),
        ({"starts_on": "24.12.2031x", "reason": "Odd date"}, "Enter a valid date.", "starts_on"),
    ],
)
def test_closure_form_refuses_bad_input(org, as_manager, data, message, field):
    site = org.sites.get()
    response = as_manager.post(reverse("core:closure_add", args=[site.pk]), data)
    assert response.status_code == 400
    form = response.context["closure_form"]
    assert field in form.errors
    html = response.content.decode()
    assert escape(message) in html and data["reason"] in html
    assert not Closure.objects.exists() and not Activity.objects.exists()


def test_closure_of_another_site_cannot_be_removed_through_this_one(org, manager, as_manager):
    site = org.sites.get()
    annex = services.site_create(actor=manager, name="Annex")
    closure = ClosureFactory(site=annex)
    assert as_manager.post(reverse("core:closure_remove", args=[site.pk, closure.pk])).status_code == 404
    assert Closure.objects.filter(pk=closure.pk).exists()


# --- departments ----------------------------------------------------------------------------


@pytest.fixture
def registration(org):
    return DepartmentFactory(organization=org, name="Registration", site=org.sites.get())


def _department(org, receptionist, **changes):
    return {
        "name": "Billing",
        "site": org.sites.get().pk,
        "phone": "400",
        "email": "billing@example.com",
        "members": [receptionist.pk],
        "active": "on",
    } | changes


def test_department_form_creates_edits_and_deletes(org, manager, receptionist, as_manager):
    assert as_manager.post(reverse("core:department_new"), _department(org, receptionist)).status_code == 302
    billing = org.departments.get(name="Billing")
    assert list(billing.members.all()) == [receptionist]
    edit = as_manager.post(
        reverse("core:department_edit", args=[billing.pk]),
        _department(org, receptionist, phone="401", members=[]),
    )
    assert edit.status_code == 302
    billing.refresh_from_db()
    assert billing.phone == "401" and not billing.members.exists()
    assert as_manager.post(reverse("core:department_delete", args=[billing.pk])).status_code == 302
    assert not org.departments.filter(name="Billing").exists()
    verbs = [a.verb for a in Activity.objects.order_by("id")]
    assert verbs == ["department.created", "department.updated", "department.deleted"]


@pytest.mark.parametrize(
    "changes, message, field",
    [
        ({"name": "registration"}, "There is already a department with this name.", "name"),
        ({"name": ""}, "This field is required.", "name"),
        ({"email": "billing@"}, "Enter a valid email address.", "email"),
        ({"site": "999999"}, "Select a valid choice.", "site"),
    ],
)
def test_department_form_refuses_bad_input(
    org, receptionist, registration, as_manager, changes, message, field
):
    before = _snapshot(Department)
    data = _department(org, receptionist, **changes)
    response = as_manager.post(reverse("core:department_new"), data)
    assert_refused(
        response, message, *(v for k, v in data.items() if k in ("name", "phone", "email") and v), field=field
    )
    assert _snapshot(Department) == before
    assert not Activity.objects.exists()


def test_department_form_offers_and_accepts_only_this_organisations_sites_and_members(
    org, other_org, other_owner, receptionist, as_manager
):
    page = as_manager.get(reverse("core:department_new")).content.decode()
    assert "Beta main" not in page and other_owner.user.full_name not in page
    response = as_manager.post(
        reverse("core:department_new"),
        _department(org, receptionist, site=other_org.sites.get().pk, members=[other_owner.pk]),
    )
    assert_refused(response, "Select a valid choice.", field="site")
    assert "members" in response.context["form"].errors
    assert not Department.objects.filter(name="Billing").exists()


def test_department_edit_refuses_a_taken_name(org, receptionist, registration, as_manager):
    billing = DepartmentFactory(organization=org, name="Billing")
    response = as_manager.post(
        reverse("core:department_edit", args=[billing.pk]),
        _department(org, receptionist, name="REGISTRATION"),
    )
    assert_refused(response, "There is already a department with this name.", "REGISTRATION", field="name")
    assert Department.objects.get(pk=billing.pk).name == "Billing"


def test_department_in_use_says_so_instead_of_deleting(registration, as_manager, monkeypatch):
    def protected(self, *args, **kwargs):
        raise models.ProtectedError("in use", set())

    monkeypatch.setattr(Department, "delete", protected)
    response = as_manager.post(reverse("core:department_delete", args=[registration.pk]), follow=True)
    assert "This department is still in use; deactivate it instead." in response.content.decode()
    assert Department.objects.filter(pk=registration.pk).exists()


def test_departments_page_shows_manage_links_only_to_who_may_manage(
    org, registration, receptionist, signed_in, as_manager
):
    edit_link = reverse("core:department_edit", args=[registration.pk])
    assert edit_link in as_manager.get(reverse("core:departments")).content.decode()
    plain = signed_in(receptionist).get(reverse("core:departments")).content.decode()
    assert "Registration" in plain and edit_link not in plain


# --- members --------------------------------------------------------------------------------

INVITE = {
    "full_name": "Nina Nowak",
    "email": "nina@example.com",
    "title": "Receptionist",
    "roles": [caps.RECEPTIONIST],
}


def test_invite_form_adds_the_member_and_mails_them(
    org, manager, as_manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager.post(reverse("core:member_invite"), INVITE | {"sites": [org.sites.get().pk]})
    assert response.status_code == 302
    member = org.members.get(user__email="nina@example.com")
    assert member.roles == [caps.RECEPTIONIST] and member.title == "Receptionist"
    assert [mail.to for mail in mailoutbox] == [["nina@example.com"]]


@pytest.mark.parametrize(
    "changes, message, field",
    [
        ({"email": "nina@"}, "Enter a valid email address.", "email"),
        ({"roles": []}, "This field is required.", "roles"),
        (
            {"roles": ["janitor"]},
            "Select a valid choice. janitor is not one of the available choices.",
            "roles",
        ),
        ({"full_name": ""}, "This field is required.", "full_name"),
        ({"roles": [caps.OWNER]}, "Only an owner can make someone an owner.", "roles"),
    ],
)
def test_invite_form_refuses_bad_input(org, as_manager, mailoutbox, changes, message, field):
    members = org.members.count()
    data = INVITE | changes
    response = as_manager.post(reverse("core:member_invite"), data)
    assert_refused(
        response,
        message,
        *(v for k, v in data.items() if k in ("full_name", "email", "title") and v),
        field=field,
    )
    assert org.members.count() == members
    assert not Activity.objects.exists() and mailoutbox == []


def test_invite_form_refuses_someone_already_a_member(org, receptionist, as_manager):
    response = as_manager.post(reverse("core:member_invite"), INVITE | {"email": receptionist.user.email})
    assert_refused(response, "This person is already a member.", receptionist.user.email, field="email")


def _member_form(member, **changes):
    return {
        "title": member.title,
        "phone": member.phone,
        "roles": member.roles,
        "sites": [s.pk for s in member.sites.all()],
        "active": "on",
    } | changes


def test_member_form_changes_roles_and_title(org, manager, receptionist, as_manager):
    response = as_manager.post(
        reverse("core:member_edit", args=[receptionist.pk]),
        _member_form(receptionist, title="Desk lead", roles=[caps.RECEPTIONIST, caps.CLERK]),
    )
    assert response.status_code == 302
    receptionist.refresh_from_db()
    assert receptionist.title == "Desk lead" and receptionist.roles == [caps.CLERK, caps.RECEPTIONIST]
    assert Activity.objects.get(verb="member.updated").actor == manager


def test_member_form_deactivates_a_member_who_then_cannot_work(org, receptionist, as_manager, signed_in):
    client = signed_in(receptionist)
    form = _member_form(receptionist)
    del form["active"]
    assert as_manager.post(reverse("core:member_edit", args=[receptionist.pk]), form).status_code == 302
    assert not Member.objects.get(pk=receptionist.pk).active
    assert client.get("/").status_code == 403


@pytest.mark.parametrize(
    "case", ["last owner steps down", "deactivate yourself", "manager makes an owner", "no roles"]
)
def test_member_form_refuses_bad_changes(org, owner, manager, receptionist, signed_in, case):
    actor, subject, changes, message, field = {
        "last owner steps down": (
            owner,
            owner,
            {"roles": [caps.MANAGER], "title": "Boss"},
            "The organisation must keep at least one owner.",
            "roles",
        ),
        "deactivate yourself": (
            manager,
            manager,
            {"active": "", "title": "Boss"},
            "You cannot deactivate yourself.",
            "active",
        ),
        "manager makes an owner": (
            manager,
            receptionist,
            {"roles": [caps.OWNER], "title": "Boss"},
            "Only an owner can grant or remove the owner role.",
            "roles",
        ),
        "no roles": (
            manager,
            receptionist,
            {"roles": [], "title": "Boss"},
            "This field is required.",
            "roles",
        ),
    }[case]
    before = _snapshot(Member)
    data = {k: v for k, v in _member_form(subject, **changes).items() if v != ""}
    response = signed_in(actor).post(reverse("core:member_edit", args=[subject.pk]), data)
    assert_refused(response, message, "Boss", field=field)
    assert _snapshot(Member) == before
    assert not Activity.objects.exists()


# --- API tokens and profile -----------------------------------------------------------------


def test_token_page_shows_a_new_token_once_and_it_works(receptionist, signed_in, client):
    page = signed_in(receptionist)
    response = page.post(reverse("core:tokens"), {"name": "spreadsheet"})
    assert response.status_code == 200
    raw = re.search(r'id="new-token">(fo_[^<]+)<', response.content.decode()).group(1)
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json()["member_id"]
        == receptionist.pk
    )
    assert raw not in page.get(reverse("core:tokens")).content.decode()


def test_token_page_refuses_a_token_without_a_name(receptionist, signed_in):
    response = signed_in(receptionist).post(reverse("core:tokens"), {"name": ""})
    assert response.status_code == 400
    assert_refused(response, "This field is required.", field="name")
    assert not ApiToken.objects.exists()


def test_token_page_revokes_only_ones_own_tokens(receptionist, manager, signed_in):
    mine, _ = services.token_create(member=receptionist, name="mine")
    theirs, _ = services.token_create(member=manager, name="theirs")
    client = signed_in(receptionist)
    assert client.post(reverse("core:token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("core:token_revoke", args=[mine.pk])).status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_password_change_form(owner, signed_in):
    client = signed_in(owner)
    refused = client.post(
        reverse("core:password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    )
    assert refused.status_code == 200 and refused.context["form"].errors
    owner.user.refresh_from_db()
    from tests.core.factories import PASSWORD

    assert owner.user.check_password(PASSWORD)
    done = client.post(
        reverse("core:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a fresh passphrase",
            "new_password2": "a fresh passphrase",
        },
    )
    assert done.status_code == 302
    owner.user.refresh_from_db()
    assert owner.user.check_password("a fresh passphrase")


def test_department_form_can_create_an_inactive_department(org, receptionist, as_manager):
    data = _department(org, receptionist)
    del data["active"]
    assert as_manager.post(reverse("core:department_new"), data).status_code == 302
    assert org.departments.get(name="Billing").active is False
