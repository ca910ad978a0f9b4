"""The dashboard and the shell's top bar and navigation kept between requests (core/fragments.py): what a
kept piece shows is always the member's own, of their own organisation, and changes show at once."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontoffice.clients.models import Client as ClientRecord
from frontoffice.core import capabilities as caps
from frontoffice.core import fragments, services
from frontoffice.core.models import Member
from frontoffice.core.registry import Panel, registry
from tests.calls.factories import MessageFactory
from tests.clients.factories import make_client
from tests.core.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _page(client: Client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _nav_keys(page: str) -> set[str]:
    return set(re.findall(r'data-nav="([\w.-]+)"', page))


def _csrf_tokens(page: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)


# --- the dashboard --------------------------------------------------------------------------

def test_a_kept_dashboard_costs_only_the_change_stamp_beyond_the_signed_in_floor(owner, signed_in):
    make_client(owner, first_name="Ada", last_name="Lovelace")
    client = signed_in(owner)
    _page(client)
    with CaptureQueriesContext(connection) as queries:
        assert "Ada Lovelace" in _page(client)
    assert len(queries) == 2  # the session; the user with memberships and change stamps
    assert "core_activity" in queries[1]["sql"]


def test_the_change_stamp_is_the_organisations_latest_activity(org, other_org, owner, other_owner):
    assert fragments.change_stamp(org) == 0
    first = services.activity_record(organization=org, verb="site.updated", actor=owner)
    services.activity_record(organization=other_org, verb="site.updated", actor=other_owner)
    assert fragments.change_stamp(org) == first.pk
    assert fragments.change_stamp(other_org) > first.pk


def test_a_change_through_a_service_shows_on_the_next_dashboard(owner, signed_in):
    client = signed_in(owner)
    assert "Ada Lovelace" not in _page(client)
    make_client(owner, first_name="Ada", last_name="Lovelace")
    assert "Ada Lovelace" in _page(client)


def test_a_change_without_an_activity_shows_once_the_minute_turns(owner, signed_in, monkeypatch):
    record = make_client(owner, first_name="Ada", last_name="Lovelace")
    client = signed_in(owner)
    assert "Ada Lovelace" in _page(client)
    ClientRecord.objects.filter(pk=record.pk).update(display_name="Grace Hopper")  # as an operator might
    now = fragments.time.time()
    monkeypatch.setattr(fragments.time, "time", lambda: now + fragments.BUCKET_SECONDS)
    assert "Grace Hopper" in _page(client)


def test_one_organisations_dashboard_is_never_shown_in_another(org, other_org, owner, signed_in):
    both = MemberFactory(organization=other_org, user=owner.user, roles=[caps.OWNER])
    make_client(owner, first_name="Alpha", last_name="Patient")
    make_client(both, first_name="Beta", last_name="Client")
    client = signed_in(owner)
    assert "Alpha Patient" in _page(client) and "Beta Client" not in _page(client)
    client.post(reverse("core:switch_organization"), {"organization": other_org.pk})
    page = _page(client)
    assert "Beta Client" in page and "Alpha Patient" not in page


def test_each_member_sees_their_own_messages_card(org, make_member, signed_in):
    anna, ben = make_member(org, caps.RECEPTIONIST), make_member(org, caps.RECEPTIONIST)
    MessageFactory(for_member=anna, caller_name="Only For Anna")
    assert "Only For Anna" in _page(signed_in(anna))
    assert "Only For Anna" not in _page(signed_in(ben))


def test_new_roles_show_at_once_even_when_changed_without_an_activity(org, receptionist, signed_in):
    client = signed_in(receptionist)
    page = _page(client)
    assert "activity" not in _nav_keys(page) and "Auditor" not in page
    Member.objects.filter(pk=receptionist.pk).update(roles=[caps.RECEPTIONIST, caps.AUDITOR])
    page = _page(client)
    assert "activity" in _nav_keys(page) and "Auditor" in page


def test_a_role_changed_by_a_manager_shows_on_the_next_dashboard(org, owner, manager, signed_in):
    client = signed_in(manager)
    page = _page(client)
    assert "Quick entry" in page and "activity" not in _nav_keys(page)
    services.member_update(actor=owner, member=manager, roles=[caps.AUDITOR])
    page = _page(client)
    assert "Quick entry" not in page and "activity" in _nav_keys(page)


def test_the_dashboard_follows_the_language(owner, signed_in):
    client = signed_in(owner)
    assert "What you did today" in _page(client)
    client.post(reverse("core:set_language"), {"language": "pl", "next": "/"})
    page = _page(client)
    assert '<html lang="pl">' in page and "What you did today" not in page


@pytest.fixture
def panel_templates(settings, tmp_path):
    (tmp_path / "live_panel.html").write_text('<article class="card">live {{ panel.n }}</article>')
    (tmp_path / "kept_panel.html").write_text('<article class="card">kept {{ panel.n }}</article>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]


def test_a_card_that_may_not_be_kept_is_rendered_on_every_request_in_its_place(owner, signed_in, monkeypatch,
                                                                              panel_templates):
    seen = []

    def counting(request):
        seen.append(request.member.pk)
        return {"n": len(seen)}

    monkeypatch.setattr(registry, "panels", [])
    registry.add_panel(Panel("live", "live_panel.html", "dashboard.view", counting, order=1))
    registry.add_panel(Panel("kept", "kept_panel.html", "dashboard.view", counting, order=2, cached=True))
    client = signed_in(owner)
    first, second = _page(client), _page(client)
    assert "kept 1" in first and "kept 1" in second  # kept: its context ran once, for the first page
    assert "live 2" in first and "live 3" in second
    assert first.index("live 2") < first.index("kept 1") < first.index("What you did today")
    assert "\ue000" not in second


# --- the top bar and navigation -------------------------------------------------------------

def test_every_session_gets_its_own_csrf_token_in_the_kept_top_bar(owner):
    browsers = []
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(owner.user)
        browsers.append(browser)
    tokens = [_csrf_tokens(_page(browser)) for browser in browsers]
    assert len(tokens[0]) == 2 and len(set(tokens[0])) == 1  # the language and sign-out forms
    first, second = browsers
    refused = second.post(reverse("core:set_language"), {"language": "pl", "next": "/",
                                                         "csrfmiddlewaretoken": tokens[0][0]})
    assert refused.status_code == 403
    accepted = second.post(reverse("core:set_language"), {"language": "pl", "next": "/",
                                                          "csrfmiddlewaretoken": tokens[1][0]})
    assert accepted.status_code == 302
    assert _page(first) and tokens[0][0] not in _page(first)  # masked afresh on every page


def test_the_language_form_returns_to_the_page_it_is_on(owner, signed_in):
    client = signed_in(owner)
    _page(client)
    page = _page(client, reverse("core:search") + "?q=a&x=<b>")
    assert 'name="next" value="/search/?q=a&amp;x=%3Cb%3E"' in page


def test_the_current_page_is_marked_in_the_kept_navigation(owner, signed_in):
    client = signed_in(owner)
    members_url = reverse("core:members")
    _page(client)  # the dashboard's navigation, kept
    page = _page(client, members_url)
    assert f'href="{members_url}" data-nav="members" aria-current="page"' in page
    assert page.count('aria-current="page"') == 1
    page = _page(client, reverse("core:search") + "?q=ab")  # not an entry: nothing marked
    assert 'aria-current="page"' not in page and 'data-nav="members"' in page


def test_flash_messages_stay_with_their_session(owner, signed_in):
    mine, other = signed_in(owner), signed_in(owner)
    _page(other)
    mine.post(reverse("core:switch_organization"), {"organization": "nonsense"})
    assert "You are not a member of that organisation." not in _page(other)
    assert "You are not a member of that organisation." in _page(mine)


def test_the_whole_dashboard_is_kept_with_each_requests_token_path_and_messages_filled_in(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner.user)
    assert browser.get("/").context is not None  # rendered, and kept
    kept = browser.get("/?from=<menu>")
    assert kept.context is None  # served from the kept page: no template rendered
    page = kept.content.decode()
    assert fragments.CSRF_HOLE not in page and fragments.PATH_HOLE not in page
    assert 'name="next" value="/?from=%3Cmenu%3E"' in page
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert _csrf_tokens(page) == [header_token, header_token]
    accepted = browser.post(reverse("core:set_language"), {"language": "en", "next": "/",
                                                           "csrfmiddlewaretoken": header_token})
    assert accepted.status_code == 302

    browser.post(reverse("core:switch_organization"), {"organization": "nonsense",
                                                       "csrfmiddlewaretoken": header_token})
    with_message = browser.get("/")
    assert with_message.context is not None  # a page with a message of its own is rendered, not kept
    assert "You are not a member of that organisation." in with_message.content.decode()
    assert "You are not a member of that organisation." not in browser.get("/").content.decode()


def test_the_organisation_switch_lists_only_ones_own_organisations(org, other_org, owner, other_owner, signed_in):
    assert 'id="org-switch"' not in _page(signed_in(other_owner))
    MemberFactory(organization=other_org, user=owner.user, roles=[caps.RECEPTIONIST])
    assert 'id="org-switch"' in _page(signed_in(owner))
    page = _page(signed_in(other_owner))
    assert 'id="org-switch"' not in page and org.name not in page


def test_a_renamed_person_sees_the_new_name_at_once(owner, signed_in):
    client = signed_in(owner)
    _page(client)
    type(owner.user).objects.filter(pk=owner.user.pk).update(full_name="Renamed Person")
    page = _page(client)
    assert "Renamed Person" in page and "Good day, Renamed" in page


def test_kept_pieces_live_in_a_cache_of_this_process():
    assert settings.CACHES[fragments.CACHE]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
