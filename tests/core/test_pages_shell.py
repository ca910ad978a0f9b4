"""The shell around every page: navigation, organisation switch, language, global search, the audit page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Member, User
from frontoffice.core.registry import registry
from tests.core.factories import ActivityFactory, DepartmentFactory, MemberFactory, UserFactory


def _nav_keys(response) -> set[str]:
    return set(re.findall(r'data-nav="([\w.-]+)"', response.content.decode()))


# --- navigation -----------------------------------------------------------------------------


def test_receptionist_sees_no_activity_log_and_owner_does(receptionist, owner, signed_in):
    receptionist_nav = _nav_keys(signed_in(receptionist).get("/"))
    owner_nav = _nav_keys(signed_in(owner).get("/"))
    assert "activity" not in receptionist_nav and "sites" not in receptionist_nav
    assert {"activity", "sites", "members", "organization", "departments", "tokens"} <= owner_nav
    assert "Activity log" in signed_in(owner).get("/").content.decode()
    assert "Activity log" not in signed_in(receptionist).get("/").content.decode()


@pytest.mark.parametrize("role", list(caps.ROLES))
def test_nav_shows_exactly_what_the_role_may_use(org, make_member, signed_in, role):
    member = make_member(org, role)
    expected = {item.key for item in registry.nav if member.can(item.capability)}
    assert _nav_keys(signed_in(member).get("/")) == expected
    for item in registry.nav:
        if not member.can(item.capability):
            assert signed_in(member).get(item.url).status_code == 403, item.key


def test_signed_in_person_without_membership_sees_the_no_membership_page(db):
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "You are not a member of any organisation" in response.content.decode()


# --- organisation switch --------------------------------------------------------------------


@pytest.fixture
def two_hats(org, other_org, owner):
    """The owner of Alpha also works as a receptionist at Beta."""
    MemberFactory(organization=other_org, user=owner.user, roles=[caps.RECEPTIONIST])
    return owner


def test_switching_to_another_of_ones_organisations(two_hats, other_org, signed_in):
    client = signed_in(two_hats)
    page = client.get("/").content.decode()
    assert 'name="organization"' in page and "Beta Law" in page
    response = client.post(reverse("core:switch_organization"), {"organization": other_org.pk})
    assert response.status_code == 302
    assert client.session["frontoffice_org"] == other_org.pk
    after = client.get("/")
    assert after.context["org"] == other_org
    assert "activity" not in _nav_keys(after)  # a receptionist there


@pytest.mark.parametrize("target", ["stranger", "inactive", "nonsense"])
def test_switching_to_an_organisation_one_does_not_belong_to_is_refused(
    org, other_org, owner, signed_in, target
):
    if target == "inactive":
        MemberFactory(organization=other_org, user=owner.user, roles=[caps.OWNER], active=False)
    client = signed_in(owner)
    wanted = "Beta" if target == "nonsense" else other_org.pk
    response = client.post(reverse("core:switch_organization"), {"organization": wanted}, follow=True)
    assert "You are not a member of that organisation." in response.content.decode()
    assert client.session["frontoffice_org"] == org.pk
    assert response.context["org"] == org


def test_a_stale_organisation_in_the_session_falls_back_to_a_membership(org, other_org, owner, signed_in):
    client = signed_in(owner)
    session = client.session
    session["frontoffice_org"] = other_org.pk
    session.save()
    assert client.get("/").context["org"] == org


# --- language -------------------------------------------------------------------------------


def test_language_switch_sets_the_cookie_and_remembers_it_on_the_user(owner, signed_in):
    client = signed_in(owner)
    response = client.post(reverse("core:set_language"), {"language": "pl", "next": "/settings/profile/"})
    assert response.status_code == 302 and response["Location"] == "/settings/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    assert User.objects.get(pk=owner.user.pk).language == "pl"
    assert '<html lang="pl">' in client.get("/").content.decode()


def test_remembered_language_follows_the_user_to_another_device(owner, signed_in):
    signed_in(owner).post(reverse("core:set_language"), {"language": "pl", "next": "/"})
    fresh = signed_in(Member.objects.get(pk=owner.pk))
    assert '<html lang="pl">' in fresh.get("/").content.decode()


def test_language_switch_ignores_unknown_languages(owner, signed_in):
    response = signed_in(owner).post(reverse("core:set_language"), {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=owner.user.pk).language == "en"


def test_language_switch_works_before_signing_in(client):
    response = client.post(reverse("core:set_language"), {"language": "pl", "next": "/account/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    assert '<html lang="pl">' in client.get("/account/login/").content.decode()


def test_language_switch_does_not_redirect_off_site(client):
    response = client.post(reverse("core:set_language"), {"language": "en", "next": "https://evil.example/"})
    assert "evil.example" not in response.get("Location", "")


# --- global search --------------------------------------------------------------------------


@pytest.fixture
def searchable(org, other_org, receptionist, other_owner):
    DepartmentFactory(organization=org, name="Registration", phone="100")
    DepartmentFactory(organization=other_org, name="Regional office", phone="101")
    receptionist.user.full_name = "Regina Kowalska"
    receptionist.user.save()
    other_owner.user.full_name = "Reggie Stranger"
    other_owner.user.save()


def test_search_finds_departments_and_staff_of_ones_own_organisation_only(
    searchable, receptionist, signed_in
):
    response = signed_in(receptionist).get(reverse("core:search"), {"q": "Reg"})
    assert response.status_code == 200
    labels = [(r.kind, r.label) for r in response.context["results"]]
    assert ("Department", "Registration") in labels
    assert ("Staff", "Regina Kowalska") in labels
    html = response.content.decode()
    assert "Regional office" not in html and "Reggie Stranger" not in html


def test_search_answers_json_for_the_type_ahead(searchable, receptionist, signed_in):
    response = signed_in(receptionist).get(
        reverse("core:search"), {"q": "regis"}, headers={"Accept": "application/json"}
    )
    assert [r["label"] for r in response.json()["results"] if r["kind"] == "Department"] == ["Registration"]


def test_search_answers_htmx_with_the_results_only(searchable, receptionist, signed_in):
    response = signed_in(receptionist).get(
        reverse("core:search"), {"q": "Reg"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and "Registration" in html


def test_search_by_extension(searchable, receptionist, signed_in):
    response = signed_in(receptionist).get(reverse("core:search"), {"q": "100"})
    assert [r.label for r in response.context["results"]] == ["Registration"]


def test_search_needs_two_characters(searchable, receptionist, signed_in):
    assert signed_in(receptionist).get(reverse("core:search"), {"q": "R"}).context["results"] == []


def test_search_shows_staff_only_to_who_may_see_the_staff_list(searchable, org, make_member, signed_in):
    clerk = make_member(org, caps.CLERK)
    kinds = {r.kind for r in signed_in(clerk).get(reverse("core:search"), {"q": "Reg"}).context["results"]}
    assert "Department" in kinds and "Staff" not in kinds


def test_search_for_nothing_says_so(searchable, receptionist, signed_in):
    response = signed_in(receptionist).get(reverse("core:search"), {"q": "zzzz"})
    assert "Nothing found for" in response.content.decode()


# --- the audit page -------------------------------------------------------------------------


@pytest.fixture
def log(org, owner, receptionist, other_org):
    day = datetime(2031, 3, 10, 12, 0, tzinfo=org.tz)
    return [
        ActivityFactory(
            organization=org, actor=owner, verb="department.created", subject_label="Billing", occurred_at=day
        ),
        ActivityFactory(
            organization=org,
            actor=receptionist,
            verb="member.updated",
            subject_label="Jan Kowalski",
            client_id=7,
            occurred_at=day + timedelta(days=1),
        ),
        ActivityFactory(
            organization=other_org, verb="department.created", subject_label="Foreign desk", occurred_at=day
        ),
    ]


def test_audit_page_lists_this_organisations_activity(log, owner, signed_in):
    html = signed_in(owner).get(reverse("core:activity")).content.decode()
    assert "Billing" in html and "Jan Kowalski" in html and "Foreign desk" not in html


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ({"verb": "department.created"}, "Billing", "Jan Kowalski"),
        ({"verb": "member."}, "Jan Kowalski", "Billing"),
        ({"client": "7"}, "Jan Kowalski", "Billing"),
        ({"since": "2031-03-11"}, "Jan Kowalski", "Billing"),
        ({"until": "2031-03-10"}, "Billing", "Jan Kowalski"),
    ],
)
def test_audit_page_filters(log, owner, signed_in, query, shown, hidden):
    response = signed_in(owner).get(reverse("core:activity"), query)
    assert response.status_code == 200, response.context["form"].errors
    html = response.content.decode()
    assert shown in html and hidden not in html


def test_audit_page_filters_by_person(log, receptionist, owner, signed_in):
    html = signed_in(owner).get(reverse("core:activity"), {"actor": receptionist.pk}).content.decode()
    assert "Jan Kowalski" in html and "Billing" not in html


@pytest.mark.parametrize(
    "query, field",
    [
        ({"since": "2031-03-12", "until": "2031-03-10"}, "until"),
        ({"since": "someday"}, "since"),
        ({"client": "-3"}, "client"),
        ({"verb": "no.such.verb"}, "verb"),
    ],
)
def test_audit_page_refuses_bad_filters_and_keeps_them(log, owner, signed_in, query, field):
    response = signed_in(owner).get(reverse("core:activity"), query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    html = response.content.decode()
    for value in query.values():
        assert value in html


def test_audit_page_filter_by_another_organisations_member_is_refused(log, other_owner, owner, signed_in):
    response = signed_in(owner).get(reverse("core:activity"), {"actor": other_owner.pk})
    assert response.status_code == 400 and "actor" in response.context["form"].errors


def test_audit_page_pages_with_a_cursor(org, owner, signed_in):
    start = datetime(2031, 1, 1, 9, 0, tzinfo=org.tz)
    for i in range(55):
        ActivityFactory(
            organization=org,
            verb="test.happened",
            subject_label=f"entry {i:02d}",
            occurred_at=start + timedelta(minutes=i),
        )
    client = signed_in(owner)
    first = client.get(reverse("core:activity"), {"verb": ""})
    assert len(first.context["page"].items) == 50
    more = re.search(r'href="\?([^"]*cursor=[^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(reverse("core:activity") + "?" + more)
    labels = [a.subject_label for a in second.context["page"].items]
    assert labels == [f"entry {i:02d}" for i in range(4, -1, -1)]


def test_audit_page_with_a_broken_cursor_starts_again(log, owner, signed_in):
    response = signed_in(owner).get(reverse("core:activity"), {"cursor": "broken!"})
    assert response.status_code == 200 and "Billing" in response.content.decode()


def test_audit_page_is_403_for_a_receptionist(log, receptionist, signed_in):
    assert signed_in(receptionist).get(reverse("core:activity")).status_code == 403


def test_auditor_may_read_the_audit_page(log, auditor, signed_in):
    assert signed_in(auditor).get(reverse("core:activity")).status_code == 200


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_what_i_did_today(org, owner, receptionist, signed_in):
    ActivityFactory(organization=org, actor=owner, verb="department.created", subject_label="My department")
    ActivityFactory(organization=org, actor=receptionist, verb="department.created", subject_label="Hers")
    html = signed_in(owner).get("/").content.decode()
    assert "My department" in html and "Hers" not in html
