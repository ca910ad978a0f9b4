"""Journeys through the shell around every page: sign-in, organisation and language switch, navigation,
global search, the phone layout, and a clean console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontoffice.core import capabilities as caps
from frontoffice.core.registry import registry
from tests.browser.harness import log_of, submit_login_form
from tests.core.factories import DepartmentFactory, MemberFactory


def test_sign_in_through_the_form_lands_on_the_dashboard(page, login, live_server, receptionist):
    login(page, receptionist)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text(f"Good day, {receptionist.user.get_short_name()}")
    expect(page.locator(".topbar .org-name")).to_have_text("Alpha Clinic")


def test_sign_in_with_a_wrong_password_shows_the_error(page, receptionist):
    submit_login_form(page, receptionist.user.email, "not the password")

    expect(page).to_have_url(re.compile(r"/account/login/"))
    expect(page.locator(".form-errors")).to_contain_text("That e-mail and password do not match")
    expect(page.locator("header.topbar")).to_have_count(0)


def test_member_of_two_organisations_switches_with_the_top_switcher(page, login, owner, other_org):
    MemberFactory(organization=other_org, user=owner.user, roles=[caps.RECEPTIONIST])
    login(page, owner)
    expect(page.locator(".lead")).to_contain_text("Alpha Clinic")

    page.locator("#org-switch").select_option(label="Beta Law")  # app.js submits on change

    expect(page.locator(".messages")).to_contain_text("You are now working in Beta Law.")
    expect(page.locator(".lead")).to_contain_text("Beta Law")
    expect(page.locator("#org-switch option:checked")).to_have_text("Beta Law")
    expect(page).to_have_title(re.compile("Beta Law"))


def test_switching_to_polish_translates_the_page_and_is_remembered(page, signed_in_as, receptionist):
    signed_in_as(page, receptionist)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator(".topbar .lang-switch button[value=pl]").click()

    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator(".topbar .user button[type=submit]")).to_have_text("Wyloguj")
    page.goto("/")  # the choice is remembered, not just applied to one response
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    receptionist.user.refresh_from_db()
    assert receptionist.user.language == "pl"


@pytest.mark.parametrize("role", list(caps.ROLES))
def test_sidebar_shows_exactly_the_entries_the_role_may_use(page, signed_in_as, org, make_member, role):
    member = make_member(org, role)
    signed_in_as(page, member)

    def shown(links):
        return links.evaluate_all("links => links.map(a => [a.dataset.nav, a.getAttribute('href')])")

    def allowed(group):
        return [[item.key, item.url] for item in registry.nav_for(member, group)]

    assert shown(page.locator("#sidenav > ul").first.locator("a[data-nav]")) == allowed("main")
    assert shown(page.locator("#sidenav h2 + ul a[data-nav]")) == allowed("settings")


def test_slash_focuses_the_global_search_and_typing_shows_live_results(page, signed_in_as, live_server,
                                                                      receptionist):
    DepartmentFactory(organization=receptionist.organization, name="Radiology", phone="240")
    DepartmentFactory(organization=receptionist.organization, name="Cardiology", phone="250")
    signed_in_as(page, receptionist)
    search = page.locator("#global-search")

    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("radio")

    results = page.locator("#search-results")
    expect(results).to_contain_text("Radiology")
    expect(results).not_to_contain_text("Cardiology")
    expect(page).to_have_url(f"{live_server.url}/")  # swapped in by htmx, no page load


def test_phone_layout_shows_the_menu_toggle_and_opens_the_nav(open_page, signed_in_as, receptionist):
    page = open_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    signed_in_as(page, receptionist)
    toggle, nav = page.locator(".menu-toggle"), page.locator("#sidenav")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()

    toggle.tap()

    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.locator("a[data-nav=dashboard]")).to_be_visible()


def test_dashboard_has_no_console_errors_or_csp_violations(page, login, owner):
    DepartmentFactory(organization=owner.organization, name="Radiology")
    login(page, owner)
    page.reload()
    page.locator("#global-search").fill("rad")  # an htmx request too, under the same CSP
    expect(page.locator("#search-results")).to_contain_text("Radiology")

    log = log_of(page)
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.csp_violations == []
