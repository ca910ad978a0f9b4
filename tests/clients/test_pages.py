"""The client pages: list and search, quick and full entry, the duplicates panel, the client page and
its timeline, merge and undo, consents, related parties, conflict checks and custom fields."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.clients import services
from frontoffice.clients.models import Client, Consent, CustomField, Merge, RelatedParty
from frontoffice.clients.validation import ClientInput
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.core.services import activity_record
from tests.clients.factories import make_client

HTMX = {"HTTP_HX_REQUEST": "true"}
VALID_PESEL = "80123112341"  # born 1980-12-31


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def web(owner, signed_in):
    return signed_in(owner)


@pytest.fixture
def desk(receptionist, signed_in):
    return signed_in(receptionist)


@pytest.fixture
def jan(owner):
    return make_client(owner, phones=["600 100 200"], emails=["jan@example.com"], tags=["vip", "diabetes"],
                       date_of_birth="1980-12-31", identifiers={"pesel": VALID_PESEL})


# --- the list --------------------------------------------------------------------------------

def test_list_shows_name_birth_date_formatted_phone_email_and_tags(web, jan):
    response = web.get(reverse("clients:list"))
    assert response.status_code == 200
    html = page(response)
    assert "Jan Kowalski" in html and "1980-12-31" in html
    assert "+48 600 100 200" in html and 'href="tel:+48600100200"' in html
    assert "jan@example.com" in html and "vip" in html and "diabetes" in html


def test_list_uses_the_verticals_word_for_clients(web, jan, other_org, make_member, signed_in):
    assert "<h1>Patients</h1>" in page(web.get(reverse("clients:list")))  # the medical office
    lawyer = signed_in(make_member(other_org, caps.OWNER))
    assert "<h1>Clients</h1>" in page(lawyer.get(reverse("clients:list")))


def test_search_as_you_type_answers_htmx_with_the_results_only(web, jan, owner):
    make_client(owner, first_name="Anna", last_name="Żółw")
    response = web.get(reverse("clients:list"), {"q": "zolw"}, **HTMX)
    html = page(response)
    assert response.status_code == 200
    assert "<html" not in html and 'id="client-rows"' in html
    assert "Anna Żółw" in html and "Jan Kowalski" not in html


def test_search_finds_by_phone_in_any_format(web, jan):
    assert "Jan Kowalski" in page(web.get(reverse("clients:list"), {"q": "600-100-200"}))


def test_list_pages_with_a_cursor_more_link(web, owner):
    for n in range(23):
        make_client(owner, first_name="Anna", last_name=f"Nowak{n:02d}")
    html = page(web.get(reverse("clients:list")))
    assert "Nowak19" in html and "Nowak20" not in html
    more = html.split('<tr class="more">')[1]
    cursor = more.split("cursor=")[1].split('"')[0]
    rest = page(web.get(reverse("clients:list"), {"cursor": cursor}, **HTMX))
    assert "Nowak20" in rest and "Nowak22" in rest and "Nowak19" not in rest
    assert 'class="more"' not in rest and "<table" not in rest


def test_a_bad_cursor_starts_from_the_first_page(web, jan):
    response = web.get(reverse("clients:list"), {"cursor": "garbage!"})
    assert response.status_code == 200 and "Jan Kowalski" in page(response)


def test_archived_filter(web, owner, jan):
    old = services.client_archive(actor=owner, client=make_client(owner, first_name="Olga", last_name="Stara"))
    assert old.display_name not in page(web.get(reverse("clients:list"), **HTMX))
    archived = page(web.get(reverse("clients:list"), {"status": "archived"}, **HTMX))
    assert old.display_name in archived and "Jan Kowalski" not in archived
    everyone = page(web.get(reverse("clients:list"), {"status": "all"}, **HTMX))
    assert old.display_name in everyone and "Jan Kowalski" in everyone


def test_export_and_import_links_follow_capabilities_and_carry_the_query(web, desk, jan):
    html = page(web.get(reverse("clients:list"), {"q": "kow"}))
    assert f'{reverse("clients:export")}?q=kow&amp;format=csv' in html
    assert reverse("clients:import") in html
    desk_html = page(desk.get(reverse("clients:list")))
    assert reverse("clients:export") not in desk_html and reverse("clients:import") not in desk_html
    assert 'id="quick-entry"' in desk_html  # a receptionist enters clients


def test_auditor_sees_the_list_without_entry_forms(org, make_member, signed_in, jan):
    auditor = signed_in(make_member(org, caps.AUDITOR))
    html = page(auditor.get(reverse("clients:list")))
    assert "Jan Kowalski" in html and 'id="quick-entry"' not in html and reverse("clients:export") in html


def test_list_query_count_is_pinned_with_20_results(web, owner, django_assert_max_num_queries):
    for n in range(25):
        make_client(owner, first_name="Anna", last_name=f"Nowak{n:02d}", phones=[f"600 100 2{n:02d}"],
                    emails=[f"anna{n}@example.com"], tags=["x"])
    web.get(reverse("clients:list"))  # warm the session
    with django_assert_max_num_queries(6):
        response = web.get(reverse("clients:list"))
    assert page(response).count('href="tel:') == 20
    with django_assert_max_num_queries(8):
        response = web.get(reverse("clients:list"), {"q": "nowak"})
    assert page(response).count('href="tel:') == 20


# --- quick entry -----------------------------------------------------------------------------

def test_quick_entry_creates_a_client_with_an_e164_phone(desk, receptionist):
    response = desk.post(reverse("clients:quick_create"), {"entry": "quick", "name": "Jan Maria Kowalski",
                                                           "phone": "600 100 200"}, **HTMX)
    assert response.status_code == 200
    client = Client.objects.get(organization=receptionist.organization)
    assert (client.first_name, client.last_name) == ("Jan Maria", "Kowalski")
    assert [p.number for p in client.phones.all()] == ["+48600100200"]
    assert client.created_by == receptionist
    html = page(response)
    assert "Added Jan Maria Kowalski." in html and reverse("clients:detail", args=[client.pk]) in html
    assert 'value="Jan Maria Kowalski"' not in html  # a fresh form for the next one, focused
    assert 'id="quick-name" maxlength="250" autofocus' in html
    created = Activity.objects.get(verb="client.created", client_id=client.pk)
    assert created.data == {"source": "quick"}


def test_quick_entry_of_an_organisation(desk):
    desk.post(reverse("clients:quick_create"), {"name": "Łódź  Print  Sp. z o.o.", "is_organization": "on"}, **HTMX)
    client = Client.objects.get()
    assert (client.kind, client.organization_name, client.first_name) == ("organization", "Łódź Print Sp. z o.o.", "")


def test_quick_entry_without_htmx_goes_to_the_new_record(desk):
    response = desk.post(reverse("clients:quick_create"), {"name": "Kowalski", "phone": ""})
    client = Client.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("clients:detail", args=[client.pk])
    assert (client.first_name, client.last_name) == ("", "Kowalski")


def test_quick_entry_with_a_bad_phone_keeps_the_input_and_saves_nothing(desk):
    response = desk.post(reverse("clients:quick_create"), {"name": "Jan Kowalski", "phone": "12"}, **HTMX)
    assert response.status_code == 400
    html = page(response)
    assert "“12” is not" in html and 'value="Jan Kowalski"' in html and 'value="12"' in html
    assert 'id="id_phone" autofocus' in html or "autofocus" in html.split('name="phone"')[1].split(">")[0]
    assert not Client.objects.exists()


def test_quick_entry_without_a_name_says_so(desk):
    response = desk.post(reverse("clients:quick_create"), {"name": "  ", "phone": "600 100 200"})
    assert response.status_code == 400
    assert "Enter a name." in page(response) and 'value="600 100 200"' in page(response)
    assert not Client.objects.exists()


def test_quick_entry_panel_swaps_errors_in_with_htmx(desk):
    html = page(desk.get(reverse("clients:list")))
    assert "data-swap-errors" in html and "clients/clients.js" in html


# --- the duplicates panel --------------------------------------------------------------------

def test_duplicates_check_finds_the_same_phone_typed_differently(desk, jan):
    response = desk.post(reverse("clients:check_duplicates"), {"entry": "quick", "name": "", "phone": "+48 600-100-200"})
    assert response.status_code == 200
    html = page(response)
    assert "Jan Kowalski" in html and "same phone" in html and reverse("clients:detail", args=[jan.pk]) in html


def test_duplicates_check_ignores_what_is_not_finished_yet(desk, jan):
    response = desk.post(reverse("clients:check_duplicates"), {"entry": "quick", "name": "Jan Kowalski",
                                                               "phone": "600 1"})
    assert response.status_code == 200
    assert "same name" in page(response)  # the half-typed phone is left out, the name still compared
    assert page(desk.post(reverse("clients:check_duplicates"), {"entry": "quick", "name": "", "phone": ""})).strip() == ""


def test_duplicates_check_from_the_full_form_by_email_and_identifier(desk, jan):
    response = desk.post(reverse("clients:check_duplicates"), {
        "entry": "full", "kind": "person", "first_name": "", "last_name": "", "emails": "oops\nJAN@example.com",
        "date_of_birth": "31.12.19", "ident_pesel": VALID_PESEL})
    html = page(response)
    assert response.status_code == 200 and "Jan Kowalski" in html and "same identifier" in html


def test_duplicates_check_on_the_edit_form_leaves_the_record_itself_out(desk, jan):
    url = reverse("clients:check_duplicates") + f"?exclude={jan.pk}"
    assert "Jan Kowalski" not in page(desk.post(url, {"entry": "quick", "name": "Jan Kowalski",
                                                      "phone": "600100200"}))


def test_duplicates_check_on_the_edit_form_offers_to_merge(desk, owner, jan):
    twin = make_client(owner, first_name="Janek", last_name="Kowalski", phones=["600100200"])
    url = reverse("clients:check_duplicates") + f"?exclude={jan.pk}"
    html = page(desk.post(url, {"entry": "full", "kind": "person", "first_name": "Jan", "last_name": "Kowalski",
                                "phones": "600 100 200"}))
    assert f'{reverse("clients:merge", args=[jan.pk])}?other_id={twin.pk}' in html


def test_duplicates_check_never_shows_another_organisations_clients(other_org, make_member, signed_in, jan):
    stranger = signed_in(make_member(other_org, caps.OWNER))
    html = page(stranger.post(reverse("clients:check_duplicates"), {"entry": "quick", "name": "Jan Kowalski",
                                                                    "phone": "600 100 200"}))
    assert "Jan Kowalski" not in html


# --- the full form ---------------------------------------------------------------------------

@pytest.fixture
def custom_fields(owner):
    return [
        services.custom_field_save(actor=owner, label="Insurer", kind="choice", choices=["NFZ", "Private"]),
        services.custom_field_save(actor=owner, label="Weight", kind="number"),
        services.custom_field_save(actor=owner, label="First visit", kind="date"),
        services.custom_field_save(actor=owner, label="Referred by", kind="text"),
    ]


def full(**fields):
    return {"entry": "full", "kind": "person", "first_name": "Jan", "last_name": "Kowalski", "date_of_birth": "",
            "phones": "", "emails": "", "street": "", "postal_code": "", "city": "", "country": "", "tags": "",
            "notes": ""} | fields


def test_full_form_shows_the_verticals_identifiers_and_the_custom_fields(web, custom_fields):
    html = page(web.get(reverse("clients:create")))
    for label in ("PESEL", "Patient number", "NIP (tax number)", "Insurer", "Weight", "First visit", "Referred by"):
        assert label in html
    assert '<option value="NFZ">NFZ</option>' in html and 'type="date" name="custom_first_visit"' in html


def test_full_form_creates_a_complete_record(web, owner, custom_fields):
    response = web.post(reverse("clients:create"), full(
        date_of_birth="31.12.1980", phones="600 100 200\n+44 20 7946 0958\n", emails="Jan@Example.com\nj.k@example.org",
        street="ul. Puławska 1", postal_code="02-715", city="Warszawa", country="pl", tags="vip, diabetes ,",
        notes="Prefers mornings.", ident_pesel=VALID_PESEL, ident_patient_no="P-100",
        custom_insurer="NFZ", custom_weight="72,5", custom_first_visit="2024-05-01", custom_referred_by="Dr Nowak"))
    client = Client.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("clients:detail", args=[client.pk])
    assert client.date_of_birth == date(1980, 12, 31) and client.country == "PL"
    assert [p.number for p in client.phones.all()] == ["+48600100200", "+442079460958"]
    assert [e.email for e in client.emails.all()] == ["jan@example.com", "j.k@example.org"]
    assert client.identifiers == {"pesel": VALID_PESEL, "patient_no": "P-100"}
    assert client.tags == ["vip", "diabetes"]
    assert client.custom == {"insurer": "NFZ", "weight": "72.5", "first_visit": "2024-05-01", "referred_by": "Dr Nowak"}
    assert Activity.objects.get(verb="client.created").data == {"source": "desk"}


@pytest.mark.parametrize("fields, name, message", [
    ({"ident_pesel": "80123112340"}, "ident_pesel", "This PESEL is not valid"),
    ({"date_of_birth": "31.02.1980"}, "date_of_birth", "Write the date as YYYY-MM-DD or DD.MM.YYYY."),
    ({"phones": "600 100 200\n123"}, "phones", "“123” is not"),
    ({"emails": "jan@"}, "emails", "“jan@” is not an e-mail address."),
    ({"custom_weight": "heavy"}, "custom_weight", "“heavy” is not a valid number for Weight."),
    ({"custom_insurer": "Other"}, "custom_insurer", "is not a valid choice for Insurer."),
    ({"first_name": "", "last_name": ""}, "last_name", "Enter a name."),
    ({"kind": "organization", "organization_name": ""}, "organization_name", "Enter the organisation&#x27;s name."),
    ({"country": "Poland"}, "country", "Use a two-letter country code such as PL."),
    ({"country": "P1"}, "country", "Use a two-letter country code such as PL."),
])
def test_full_form_refuses_bad_input_on_the_field_keeping_everything_typed(web, custom_fields, fields, name, message):
    typed = full(notes="Do not lose this note.", street="ul. Długa 5", phones="600 100 200", custom_referred_by="Dr X",
                 **{k: v for k, v in fields.items() if k != "phones"})
    typed.update(fields)
    response = web.post(reverse("clients:create"), typed)
    assert response.status_code == 400
    html = page(response)
    field_html = html.split(f'name="{name}"')[1].split('<div class="field')[0]
    assert message in field_html, field_html[:500]
    assert "Do not lose this note." in html and 'value="ul. Długa 5"' in html and 'value="Dr X"' in html
    assert not Client.objects.exists()


def test_required_custom_field_is_asked_for(web, owner):
    services.custom_field_save(actor=owner, label="Insurer", kind="text", required=True)
    response = web.post(reverse("clients:create"), full())
    assert response.status_code == 400 and "Insurer is required." in page(response)
    assert "Insurer *" in page(response)
    assert not Client.objects.exists()


def test_edit_form_shows_the_record_and_saves_changes(web, jan):
    html = page(web.get(reverse("clients:edit", args=[jan.pk])))
    assert "+48 600 100 200</textarea>" in html and "jan@example.com</textarea>" in html
    assert 'value="vip, diabetes"' in html and f'value="{VALID_PESEL}"' in html and 'value="1980-12-31"' in html
    response = web.post(reverse("clients:edit", args=[jan.pk]), full(
        last_name="Kowalski-Nowak", date_of_birth="1980-12-31", phones="+48 600 100 200\n601 200 300",
        emails="jan@example.com", tags="vip", ident_pesel=VALID_PESEL))
    assert response.status_code == 302
    jan.refresh_from_db()
    assert jan.display_name == "Jan Kowalski-Nowak" and jan.tags == ["vip"]
    assert [p.number for p in jan.phones.all()] == ["+48600100200", "+48601200300"]


def test_edit_with_bad_input_changes_nothing(web, jan):
    response = web.post(reverse("clients:edit", args=[jan.pk]), full(last_name="Nowak", phones="abc"))
    assert response.status_code == 400 and "“abc” is not" in page(response) and 'value="Nowak"' in page(response)
    jan.refresh_from_db()
    assert jan.last_name == "Kowalski" and [p.number for p in jan.phones.all()] == ["+48600100200"]


def test_an_erased_record_cannot_be_edited(web, owner, jan):
    services.client_erase(actor=owner, client=jan)
    response = web.post(reverse("clients:edit", args=[jan.pk]), full())
    assert response.status_code == 409 and "erased" in page(response)


# --- the client page -------------------------------------------------------------------------

def test_client_page_shows_the_whole_record(web, owner, jan, custom_fields):
    services.client_update(actor=owner, client=jan, data=ClientInput(
        first_name="Jan", last_name="Kowalski", date_of_birth="1980-12-31", phones=["600 100 200"],
        emails=["jan@example.com"], street="ul. Puławska 1", postal_code="02-715", city="Warszawa",
        identifiers={"pesel": VALID_PESEL}, tags=["vip"], notes="Prefers mornings.", custom={"insurer": "NFZ"}))
    services.consent_record(actor=owner, client=jan, kind="marketing", granted=False, given_on=date(2025, 1, 2),
                            source="paper form")
    html = page(web.get(reverse("clients:detail", args=[jan.pk])))
    for text in ("Jan Kowalski", "1980-12-31", "+48 600 100 200", "jan@example.com", "ul. Puławska 1", "02-715 Warszawa",
                 "PESEL", VALID_PESEL, "Insurer", "NFZ", "Prefers mornings.", "Marketing", "refused or withdrawn",
                 "paper form", "Timeline", "Changed a client"):
        assert text in html, text
    assert reverse("clients:edit", args=[jan.pk]) in html and reverse("clients:merge", args=[jan.pk]) in html
    assert reverse("clients:privacy_json", args=[jan.pk]) in html and reverse("clients:erase", args=[jan.pk]) in html
    assert "Related parties" not in html  # a medical office, none recorded


def test_client_page_actions_follow_capabilities(org, make_member, signed_in, jan):
    auditor = page(signed_in(make_member(org, caps.AUDITOR)).get(reverse("clients:detail", args=[jan.pk])))
    assert reverse("clients:edit", args=[jan.pk]) not in auditor
    assert reverse("clients:archive", args=[jan.pk]) not in auditor
    assert reverse("clients:erase", args=[jan.pk]) not in auditor
    desk = page(signed_in(make_member(org, caps.RECEPTIONIST)).get(reverse("clients:detail", args=[jan.pk])))
    assert reverse("clients:edit", args=[jan.pk]) in desk and reverse("clients:archive", args=[jan.pk]) in desk
    assert reverse("clients:privacy_json", args=[jan.pk]) not in desk


def test_client_page_query_count_is_pinned(web, owner, jan, custom_fields, django_assert_max_num_queries):
    for n in range(5):
        services.consent_record(actor=owner, client=jan, kind="marketing", granted=True, given_on=date(2025, 1, n + 1),
                                source="kiosk")
        services.related_party_add(actor=owner, client=jan, name=f"Party {n}")
    other = make_client(owner, first_name="Jan", last_name="Kowalsky")
    services.client_merge(actor=owner, kept=jan, merged=other)
    web.get(reverse("clients:detail", args=[jan.pk]))
    # 16: the shell lists the member's organisations for the switcher (one indexed query).
    with django_assert_max_num_queries(16):
        response = web.get(reverse("clients:detail", args=[jan.pk]))
    assert page(response).count("Party ") >= 5 and page(response).count("Added a related party") == 5


def test_a_merged_record_redirects_to_the_one_it_was_merged_into(web, owner, jan):
    other = make_client(owner, first_name="Jan", last_name="Kowalsky")
    services.client_merge(actor=owner, kept=jan, merged=other)
    response = web.get(reverse("clients:detail", args=[other.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("clients:detail", args=[jan.pk])


def test_archive_and_restore(desk, jan):
    response = desk.post(reverse("clients:archive", args=[jan.pk]))
    assert response.status_code == 302
    jan.refresh_from_db()
    assert jan.archived
    assert "archived" in page(desk.get(reverse("clients:detail", args=[jan.pk])))
    desk.post(reverse("clients:restore", args=[jan.pk]))
    jan.refresh_from_db()
    assert not jan.archived


# --- the timeline ----------------------------------------------------------------------------

def test_timeline_shows_time_in_the_org_zone_who_what_and_a_detail(web, owner, jan):
    moment = timezone.make_aware(timezone.datetime(2025, 7, 1, 10, 30), timezone.get_fixed_timezone(0))
    activity_record(organization=owner.organization, actor=None, verb="document.filed", client_id=jan.pk,
                    occurred_at=moment, data={"desk": "Registration"})
    html = page(web.get(reverse("clients:timeline", args=[jan.pk]), **HTMX))
    assert "2025-07-01 12:30" in html  # Europe/Warsaw in summer
    assert "System" in html and "document.filed".capitalize() in html
    assert owner.user.full_name in html and "Added a client" in html and "full form" in html


def test_timeline_filters_by_kind_and_shows_the_families_present(web, owner, jan):
    activity_record(organization=owner.organization, actor=owner, verb="payment.taken", client_id=jan.pk)
    html = page(web.get(reverse("clients:detail", args=[jan.pk])))
    assert "?kind=client." in html and "?kind=payment." in html and "?kind=visit." not in html
    filtered = page(web.get(reverse("clients:timeline", args=[jan.pk]), {"kind": "payment."}, **HTMX))
    assert "Payment.taken" in filtered and "Added a client" not in filtered
    assert web.get(reverse("clients:timeline", args=[jan.pk]), {"kind": "'; drop"}).status_code == 400


def test_timeline_pages_older_entries(web, owner, jan):
    for n in range(35):
        activity_record(organization=owner.organization, actor=owner, verb="call.answered", client_id=jan.pk,
                        data={}, occurred_at=timezone.now() - timedelta(minutes=n + 1))
    html = page(web.get(reverse("clients:timeline", args=[jan.pk]), **HTMX))
    assert "Added a client" in html and html.count("Answered a call") == 29 and "Older entries" in html  # newest first
    cursor = html.split("cursor=")[1].split('"')[0]
    older = page(web.get(reverse("clients:timeline", args=[jan.pk]), {"cursor": cursor}, **HTMX))
    assert older.count("Answered a call") == 6 and "Older entries" not in older and "<ol" not in older
    assert web.get(reverse("clients:timeline", args=[jan.pk]), {"cursor": "nonsense"}).status_code == 400


def test_timeline_without_htmx_is_a_whole_page(web, jan):
    response = web.get(reverse("clients:timeline", args=[jan.pk]))
    assert response.status_code == 200 and "<html" in page(response) and "Added a client" in page(response)


def test_timeline_shows_a_merged_records_activity_after_merge_and_not_after_undo(web, owner, jan):
    other = make_client(owner, first_name="Jan", last_name="Kowalsky")
    activity_record(organization=owner.organization, actor=owner, verb="document.filed", client_id=other.pk)
    url = reverse("clients:timeline", args=[jan.pk])
    assert "Document.filed" not in page(web.get(url, {"kind": "document."}, **HTMX))
    response = web.post(reverse("clients:merge", args=[jan.pk]), {"other_id": other.pk})
    assert response.status_code == 302
    assert "Document.filed" in page(web.get(url, {"kind": "document."}, **HTMX))
    merge = Merge.objects.get()
    web.post(reverse("clients:merge_undo", args=[merge.pk]))
    assert "Document.filed" not in page(web.get(url, {"kind": "document."}, **HTMX))
    assert "Document.filed" in page(web.get(reverse("clients:timeline", args=[other.pk]), **HTMX))


# --- merge -----------------------------------------------------------------------------------

def test_merge_page_searches_and_compares_side_by_side(desk, owner, jan):
    other = make_client(owner, first_name="Jan", last_name="Kowalsky", emails=["jk@example.com"])
    found = page(desk.get(reverse("clients:merge", args=[jan.pk]), {"q": "kowalsky"}, **HTMX))
    assert f"?other_id={other.pk}" in found and "<html" not in found
    assert f"?other_id={jan.pk}&" not in found  # not itself
    html = page(desk.get(reverse("clients:merge", args=[jan.pk]), {"other_id": other.pk}))
    assert "Compare" in html and "jk@example.com" in html and "jan@example.com" in html and "30 days" in html
    assert f'name="other_id" value="{other.pk}"' in html


def test_merge_then_undo_from_the_kept_record(desk, owner, jan):
    other = make_client(owner, first_name="Jan", last_name="Kowalsky", emails=["jk@example.com"])
    response = desk.post(reverse("clients:merge", args=[jan.pk]), {"other_id": other.pk}, follow=True)
    html = page(response)
    merge = Merge.objects.get()
    assert "Jan Kowalsky was merged into Jan Kowalski. You can undo this for 30 days." in html
    assert reverse("clients:merge_undo", args=[merge.pk]) in html and "Undo merge" in html
    assert "jk@example.com" in html
    response = desk.post(reverse("clients:merge_undo", args=[merge.pk]), follow=True)
    assert "Jan Kowalsky is a separate record again." in page(response)
    other.refresh_from_db()
    assert other.merged_into is None and [e.email for e in other.emails.all()] == ["jk@example.com"]
    assert reverse("clients:merge_undo", args=[merge.pk]) not in page(response)


def test_an_old_merge_offers_no_undo_and_refuses_it(desk, owner, jan):
    other = make_client(owner, first_name="Jan", last_name="Kowalsky")
    merge = services.client_merge(actor=owner, kept=jan, merged=other)
    Merge.objects.filter(pk=merge.pk).update(merged_at=timezone.now() - timedelta(days=31))
    assert reverse("clients:merge_undo", args=[merge.pk]) not in page(desk.get(reverse("clients:detail", args=[jan.pk])))
    response = desk.post(reverse("clients:merge_undo", args=[merge.pk]), follow=True)
    assert "can be undone for 30 days" in page(response)
    other.refresh_from_db()
    assert other.merged_into == jan


@pytest.mark.parametrize("other_id, message", [("self", "cannot be merged with itself"), ("", "Choose the record"),
                                               ("foreign", "No such client."), ("999999", "No such client.")])
def test_merge_refuses_a_bad_other_record(desk, jan, other_owner, other_id, message):
    if other_id == "self":
        other_id = jan.pk
    elif other_id == "foreign":
        other_id = make_client(other_owner).pk
    response = desk.post(reverse("clients:merge", args=[jan.pk]), {"other_id": other_id})
    assert response.status_code == 400 and message in page(response)
    assert not Merge.objects.exists()


def test_duplicates_page_lists_pairs_with_the_reason_and_both_merge_directions(desk, owner, jan):
    twin = make_client(owner, first_name="Janek", last_name="Kowalski", phones=["+48600100200"])
    html = page(desk.get(reverse("clients:duplicates")))
    assert "same phone" in html and "Janek Kowalski" in html
    assert f'action="{reverse("clients:merge", args=[jan.pk])}"' in html
    assert f'action="{reverse("clients:merge", args=[twin.pk])}"' in html
    desk.post(reverse("clients:merge", args=[twin.pk]), {"other_id": jan.pk})  # keep right
    jan.refresh_from_db()
    assert jan.merged_into == twin
    assert "No likely duplicates found." in page(desk.get(reverse("clients:duplicates")))


# --- consents and related parties ------------------------------------------------------------

def test_consent_is_recorded(desk, jan):
    response = desk.post(reverse("clients:consent_add", args=[jan.pk]), {
        "kind": "data_processing", "granted": "yes", "given_on": "02.01.2025", "source": "kiosk"})
    assert response.status_code == 302 and response["Location"].endswith("#consents")
    consent = Consent.objects.get()
    assert (consent.kind, consent.granted, consent.given_on, consent.source) == (
        "data_processing", True, date(2025, 1, 2), "kiosk")


@pytest.mark.parametrize("fields, name, message", [
    ({"given_on": "2999-01-01"}, "given_on", "A consent cannot be dated in the future."),
    ({"given_on": "yesterday"}, "given_on", "Enter a valid date."),
    ({"source": " "}, "source", "Say where the consent came from."),
])
def test_consent_bad_input_is_named_and_kept(desk, jan, fields, name, message):
    typed = {"kind": "marketing", "granted": "no", "given_on": "2025-01-02", "source": "the phone call"} | fields
    response = desk.post(reverse("clients:consent_add", args=[jan.pk]), typed)
    assert response.status_code == 400
    html = page(response)
    assert message in html.split(f'name="{name}"')[1].split('<div class="field')[0]
    assert "<details class=\"add\" open>" in html and f'value="{typed["given_on"]}"' in html
    assert not Consent.objects.exists()


def test_related_parties_are_added_shown_and_removed(desk, jan, other_org, make_member, signed_in):
    response = desk.post(reverse("clients:party_add", args=[jan.pk]), {"name": "Adam  Zabłocki",
                                                                       "relation": "opposing_party"})
    assert response.status_code == 302
    party = RelatedParty.objects.get()
    html = page(desk.get(reverse("clients:detail", args=[jan.pk])))
    assert "Adam Zabłocki" in html and "opposing party" in html
    response = desk.post(reverse("clients:party_remove", args=[jan.pk, party.pk]))
    assert response.status_code == 302 and not RelatedParty.objects.exists()


def test_related_party_without_a_name_is_refused(desk, jan):
    response = desk.post(reverse("clients:party_add", args=[jan.pk]), {"name": " ", "relation": "other"})
    assert response.status_code == 400 and "Enter the party&#x27;s name." in page(response)
    assert not RelatedParty.objects.exists()


def test_a_law_firm_always_sees_related_parties_and_the_conflict_check(other_org, make_member, signed_in):
    lawyer = make_member(other_org, caps.RECEPTIONIST)
    client = make_client(lawyer)
    web = signed_in(lawyer)
    assert "Related parties" in page(web.get(reverse("clients:detail", args=[client.pk])))
    assert reverse("clients:conflict_check") in page(web.get(reverse("clients:list")))


# --- conflict check --------------------------------------------------------------------------

def test_conflict_check_finds_clients_and_parties_and_is_recorded(desk, owner, jan):
    other = make_client(owner, first_name="Ewa", last_name="Nowak")
    services.related_party_add(actor=owner, client=other, name="Anna Kowalska")
    response = desk.post(reverse("clients:conflict_check"), {"name": "Kowalski"})
    html = page(response)
    assert response.status_code == 200
    assert reverse("clients:detail", args=[jan.pk]) in html and reverse("clients:detail", args=[other.pk]) in html
    assert "Anna Kowalska" in html and "related party" in html and "2 possible conflicts" in html
    assert Activity.objects.filter(verb="client.conflict_checked").count() == 1


def test_conflict_check_without_hits_says_so_and_a_blank_name_is_refused(desk, jan):
    assert "No conflicts found." in page(desk.post(reverse("clients:conflict_check"), {"name": "Zawadzki"}))
    response = desk.post(reverse("clients:conflict_check"), {"name": " "})
    assert response.status_code == 400 and "Enter a name to check." in page(response)
    assert Activity.objects.filter(verb="client.conflict_checked").count() == 1


# --- custom fields ---------------------------------------------------------------------------

def test_custom_fields_are_listed_created_and_edited(web, owner):
    response = web.post(reverse("clients:field_create"), {"label": "Insurer", "kind": "choice",
                                                          "choices": "NFZ\n\n Private \n", "required": "on",
                                                          "active": "on"})
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert (field.key, field.choices, field.required, field.active) == ("insurer", ["NFZ", "Private"], True, True)
    html = page(web.get(reverse("clients:fields")))
    assert "Insurer" in html and "NFZ, Private" in html
    edit = page(web.get(reverse("clients:field_edit", args=[field.pk])))
    assert "NFZ\nPrivate</textarea>" in edit
    web.post(reverse("clients:field_edit", args=[field.pk]), {"label": "Insurer", "kind": "text", "choices": ""})
    field.refresh_from_db()
    assert (field.kind, field.required, field.active) == ("text", False, False)


@pytest.mark.parametrize("fields, name, message", [
    ({"label": " "}, "label", "Name the field."),
    ({"kind": "choice", "choices": "\n"}, "choices", "A choice field needs at least one option."),
    ({"kind": "colour"}, "kind", "Select a valid choice."),
])
def test_custom_field_bad_input(web, fields, name, message):
    typed = {"label": "Shoe size", "kind": "number", "choices": "", "active": "on"} | fields
    response = web.post(reverse("clients:field_create"), typed)
    assert response.status_code == 400
    assert message in page(response).split(f'name="{name}"')[1].split('<div class="field')[0]
    assert not CustomField.objects.exists()


# --- who may, and tenancy --------------------------------------------------------------------

def test_receptionist_cannot_define_custom_fields(desk):
    assert desk.get(reverse("clients:fields")).status_code == 403
    assert desk.post(reverse("clients:field_create"), {"label": "X", "kind": "text"}).status_code == 403
    assert not CustomField.objects.exists()


def test_auditor_cannot_enter_or_change_clients(org, make_member, signed_in, jan):
    auditor = signed_in(make_member(org, caps.AUDITOR))
    assert auditor.get(reverse("clients:detail", args=[jan.pk])).status_code == 200
    assert auditor.get(reverse("clients:edit", args=[jan.pk])).status_code == 403
    assert auditor.post(reverse("clients:edit", args=[jan.pk]), full(last_name="Nowak")).status_code == 403
    assert auditor.post(reverse("clients:quick_create"), {"name": "Ala Nowa"}).status_code == 403
    assert auditor.post(reverse("clients:merge", args=[jan.pk]), {"other_id": jan.pk}).status_code == 403
    assert auditor.post(reverse("clients:archive", args=[jan.pk])).status_code == 403
    jan.refresh_from_db()
    assert jan.last_name == "Kowalski" and not jan.archived and Client.objects.count() == 1


def test_a_clerk_cannot_merge_or_archive(org, make_member, signed_in, jan):
    clerk = signed_in(make_member(org, caps.CLERK))
    assert clerk.get(reverse("clients:duplicates")).status_code == 403
    assert clerk.get(reverse("clients:merge", args=[jan.pk])).status_code == 403
    assert clerk.post(reverse("clients:archive", args=[jan.pk])).status_code == 403


def _routes_with_ids(world):
    client, merge, party, field = world["client"], world["merge"], world["party"], world["field"]
    return [
        ("get", "clients:detail", [client.pk]), ("get", "clients:edit", [client.pk]),
        ("post", "clients:edit", [client.pk]), ("get", "clients:timeline", [client.pk]),
        ("post", "clients:archive", [client.pk]), ("post", "clients:restore", [client.pk]),
        ("post", "clients:consent_add", [client.pk]), ("post", "clients:party_add", [client.pk]),
        ("post", "clients:party_remove", [client.pk, party.pk]), ("get", "clients:merge", [client.pk]),
        ("post", "clients:merge", [client.pk]), ("post", "clients:merge_undo", [merge.pk]),
        ("get", "clients:field_edit", [field.pk]), ("post", "clients:field_edit", [field.pk]),
    ]


def test_another_organisations_ids_are_404_on_every_route(owner, other_owner, signed_in):
    client = make_client(owner)
    kept = make_client(owner, first_name="Ewa", last_name="Zawadzka")
    world = {"client": client, "party": services.related_party_add(actor=owner, client=client, name="Adam Zabłocki"),
             "field": services.custom_field_save(actor=owner, label="Insurer", kind="text"),
             "merge": services.client_merge(actor=owner, kept=kept, merged=make_client(owner, first_name="Ewa",
                                                                                      last_name="Zawadzka"))}
    stranger = signed_in(other_owner)
    own = make_client(other_owner, first_name="Obcy", last_name="Klient")
    before = Activity.objects.count()
    for method, name, args in _routes_with_ids(world):
        data = {"other_id": own.pk, "name": "X", "kind": "marketing", "granted": "yes", "given_on": "2025-01-01",
                "source": "x", "label": "X"} if method == "post" else {}
        response = getattr(stranger, method)(reverse(name, args=args), data)
        assert response.status_code == 404, (method, name)
    assert Activity.objects.count() == before
    # and our id as the "other" record of a merge is no such client
    response = stranger.post(reverse("clients:merge", args=[own.pk]), {"other_id": client.pk})
    assert response.status_code == 400 and not Merge.objects.filter(kept=own).exists()


def test_pages_need_a_signed_in_member(client, jan):
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))
