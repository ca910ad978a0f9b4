"""The inquiry settings pages: categories (routing, targets) and channels (mailbox, webhook, public pages)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontoffice.core.models import Activity
from frontoffice.inquiries import presets
from frontoffice.inquiries.models import Category, Channels
from frontoffice.inquiries.services import categories as services
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import CategoryFactory

pytestmark = pytest.mark.django_db

CATEGORIES = reverse("inquiries:settings_categories")
NEW = reverse("inquiries:category_new")
CHANNELS = reverse("inquiries:settings_channels")
TOKEN = reverse("inquiries:channels_token")
REVOKE = reverse("inquiries:channels_token_revoke")


@pytest.fixture
def web(signed_in, manager):
    return signed_in(manager)


def category_form(**fields) -> dict:
    return {"name": "Parking", "key": "", "department": "", "first_answer_hours": "2",
            "resolution_hours": "8"} | fields


def channels_form(**fields) -> dict:
    return {"address": "", "imap_host": "", "imap_port": "993", "imap_ssl": "on", "imap_user": "",
            "imap_password": "", "imap_folder": "INBOX", "site": "", "default_category": ""} | fields


# --- categories ----------------------------------------------------------------------------------

def test_the_first_visit_shows_the_verticals_categories(org, web):
    DepartmentFactory(organization=org, name="Laboratory")
    response = web.get(CATEGORIES)
    assert response.status_code == 200
    html = response.content.decode()
    assert [c.key for c in Category.objects.filter(organization=org)] == [
        p.key for p in presets.categories(org.vertical)]
    row = re.search(r'<tr id="category-\d+"[^>]*>\s*<td><strong>Test results</strong>.*?</tr>', html, re.S)
    assert row and "Laboratory" in row.group(0) and "4 h" in row.group(0) and "16 h" in row.group(0)


def test_the_categories_page_takes_the_same_queries_for_many_rows(org, web):
    web.get(CATEGORIES)  # the presets are made on the first visit
    with CaptureQueriesContext(connection) as few:
        assert web.get(CATEGORIES).status_code == 200
    for n in range(20):
        CategoryFactory(organization=org, department=DepartmentFactory(organization=org))
    with CaptureQueriesContext(connection) as many:
        assert web.get(CATEGORIES).status_code == 200
    assert len(many) == len(few)


def test_a_receptionist_cannot_open_the_settings(signed_in, receptionist):
    client = signed_in(receptionist)
    assert client.get(CATEGORIES).status_code == 403
    assert client.get(CHANNELS).status_code == 403
    assert client.post(NEW, category_form()).status_code == 403
    assert not Category.objects.filter(name="Parking").exists()


def test_manager_adds_a_category(org, web):
    department = DepartmentFactory(organization=org, name="Facilities")
    response = web.post(NEW, category_form(department=department.pk, first_answer_hours="1.5"))
    assert response.status_code == 302
    assert response["Location"] == CATEGORIES
    category = Category.objects.get(organization=org, name="Parking")
    assert (category.key, category.department, category.first_answer_hours) == (
        "parking", department, Decimal("1.50"))
    assert "The category Parking is saved." in web.get(CATEGORIES).content.decode()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"first_answer_hours": "0.1"}, "first_answer_hours", "greater than or equal to 0.25"),
    ({"resolution_hours": "5000"}, "resolution_hours", "less than or equal to 2000"),
    ({"first_answer_hours": "10", "resolution_hours": "5"}, "resolution_hours",
     "Resolving cannot take less time than the first answer."),
    ({"name": ""}, "name", "This field is required."),
    ({"key": "Not a key!"}, "key", "Use up to 40 small letters"),
    ({"first_answer_hours": "soon"}, "first_answer_hours", "Enter a number."),
])
def test_bad_category_input_comes_back_with_what_was_typed(org, web, fields, field, message):
    response = web.post(NEW, category_form(name="Parking spaces", **fields) if "name" not in fields
                        else category_form(**fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    if "name" not in fields:
        assert 'value="Parking spaces"' in html
    assert not Category.objects.filter(organization=org, name="Parking spaces").exists()
    assert not Activity.objects.filter(verb="inquiry_category.saved").exists()


def test_a_department_of_another_organisation_is_not_a_choice(org, other_org, web):
    theirs = DepartmentFactory(organization=other_org)
    response = web.post(NEW, category_form(department=theirs.pk))
    assert response.status_code == 400
    assert 'id="id_department_error"' in response.content.decode()
    assert not Category.objects.filter(name="Parking").exists()


def test_manager_changes_a_categorys_targets_and_department(org, web):
    category = CategoryFactory(organization=org, key="billing", name="Billing")
    department = DepartmentFactory(organization=org, name="Accounts")
    url = reverse("inquiries:category_edit", args=[category.pk])
    page = web.get(url).content.decode()
    assert 'value="Billing"' in page and 'name="active"' in page
    response = web.post(url, category_form(name="Billing", key="", department=department.pk,
                                           first_answer_hours="8", resolution_hours="40", active="on"))
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.key, category.department, category.resolution_hours) == ("billing", department,
                                                                              Decimal("40.00"))


def test_a_category_is_switched_off_by_unticking_in_use(org, web):
    category = CategoryFactory(organization=org)
    web.post(reverse("inquiries:category_edit", args=[category.pk]),
             category_form(name=category.name, key=category.key))
    category.refresh_from_db()
    assert category.active is False


def test_another_organisations_category_is_404(org, other_org, web):
    theirs = CategoryFactory(organization=other_org, name="Theirs")
    url = reverse("inquiries:category_edit", args=[theirs.pk])
    assert web.get(url).status_code == 404
    assert web.post(url, category_form(name="Mine now")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


# --- channels ------------------------------------------------------------------------------------

def test_the_channels_page_of_a_new_office(org, web):
    response = web.get(CHANNELS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="inbound-status"' in html and "off" in html
    assert not Channels.objects.filter(organization=org).exists()  # looking changes nothing


def test_manager_sets_up_the_mailbox_and_the_password_is_never_shown_back(org, web):
    site = org.sites.get()
    response = web.post(CHANNELS, channels_form(
        address="questions@alpha.example", imap_host="imap.alpha.example", imap_user="questions",
        imap_password="pa55word", site=site.pk, public_faq="on"))
    assert response.status_code == 302
    channels = Channels.objects.get(organization=org)
    assert (channels.imap_host, channels.imap_user, channels.imap_password, channels.site) == (
        "imap.alpha.example", "questions", "pa55word", site)
    page = web.get(CHANNELS).content.decode()
    assert "pa55word" not in page
    assert "Saved. Leave empty to keep it" in page
    # Saved again without typing the password: it stays.
    response = web.post(CHANNELS, channels_form(imap_host="imap.alpha.example", imap_user="q2"))
    assert response.status_code == 302
    channels.refresh_from_db()
    assert (channels.imap_user, channels.imap_password) == ("q2", "pa55word")


@pytest.mark.parametrize(("fields", "field"), [
    ({"imap_host": "imap.alpha.example"}, "imap_user"),
    ({"imap_host": "imap.alpha.example", "imap_user": "q"}, "imap_password"),
    ({"imap_host": "not a host"}, "imap_host"),
    ({"address": "nobody"}, "address"),
    ({"imap_port": "0"}, "imap_port"),
    ({"imap_folder": ""}, "imap_folder"),
])
def test_bad_channel_input_comes_back_and_changes_nothing(org, web, fields, field):
    response = web.post(CHANNELS, channels_form(**fields))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Channels.objects.filter(organization=org).exists()


def test_a_site_of_another_organisation_is_not_a_choice(org, other_org, web):
    response = web.post(CHANNELS, channels_form(site=other_org.sites.get().pk))
    assert response.status_code == 400
    assert 'id="id_site_error"' in response.content.decode()


def test_the_public_pages_links_and_the_embed_snippet(org, web):
    org.name = 'Alpha "Clinic" <b>'
    org.save()
    web.post(CHANNELS, channels_form(public_faq="on", public_form="on"))
    html = web.get(CHANNELS).content.decode()
    assert f'/public/{org.slug}/faq/' in html
    snippet = re.search(r'<code class="token" id="embed-snippet">(.*?)</code>', html, re.S).group(1)
    assert snippet.startswith("&lt;iframe src=")
    assert f"/public/{org.slug}/ask/?embed=1" in snippet
    assert "<b>" not in html.split('id="embed-snippet"')[1].split("</code>")[0]


def test_the_webhook_address_is_shown_once(org, web):
    response = web.post(TOKEN)
    assert response.status_code == 200
    html = response.content.decode()
    url = re.search(r'<code class="token" id="inbound-url">([^<]+)</code>', html).group(1)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url.endswith(reverse("public:inbound_mail", args=[token]))
    channels = Channels.objects.get(organization=org)
    assert channels.inbound_token_hash == services.inbound_token_hash(token)
    again = web.get(CHANNELS).content.decode()
    assert token not in again
    assert "Make a new address" in again


def test_the_webhook_address_shown_is_the_one_that_works(org, web, client):
    def post_to(token):
        return client.post(reverse("public:inbound_mail", args=[token]), data=b"not a message",
                           content_type="message/rfc822")

    first = re.search(r'id="inbound-url">[^<]*/([^/<]+)/</code>', web.post(TOKEN).content.decode()).group(1)
    assert post_to(first).status_code != 403
    second = re.search(r'id="inbound-url">[^<]*/([^/<]+)/</code>', web.post(TOKEN).content.decode()).group(1)
    assert post_to(first).status_code == 403  # the old address stops working
    assert post_to(second).status_code != 403


def test_the_webhook_is_switched_off(org, web):
    web.post(TOKEN)
    assert web.post(REVOKE).status_code == 302
    assert Channels.objects.get(organization=org).inbound_token_hash == ""


def test_the_webhook_actions_are_post_only(web):
    assert web.get(TOKEN).status_code == 405
    assert web.get(REVOKE).status_code == 405
