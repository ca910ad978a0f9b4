"""The inquiries API (/api/v1/inquiries, /articles): the JSON contract, filters and pages, taking, changing,
answering and forwarding inquiries, writing and searching articles, bad input, tenancy and capabilities (the
access table walks every route too: tests/inquiries/access_api_rows.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.inquiries.models import Article, ArticleUse, Inquiry, InquiryMessage
from frontoffice.inquiries.services.articles import article_retire, article_save
from tests.clients.factories import make_client
from tests.core.factories import DepartmentFactory, SiteFactory
from tests.inquiries.factories import ArticleFactory, CategoryFactory, InquiryFactory

INQUIRIES = "/api/v1/inquiries"
ARTICLES = "/api/v1/articles"
SEARCH = "/api/v1/articles/search"
INQUIRY_CONTRACT = {"id", "reference", "channel", "status", "priority", "subject", "question", "client",
                    "category", "department_id", "department", "site_id", "assigned_to", "contact_email",
                    "answer", "opened_by", "opened_at", "first_answer_due", "resolution_due", "overdue",
                    "first_answered_at", "first_answered_by", "answered_at", "answered_by", "closed_at",
                    "reopened", "answered_in_first_contact", "rating", "rating_comment", "rated_at",
                    "updated_at"}
DETAIL_CONTRACT = INQUIRY_CONTRACT | {"internal_notes", "messages", "attachments", "articles_used"}
ARTICLE_CONTRACT = {"id", "question", "answer", "keywords", "category", "language", "audience", "owner",
                    "review_on", "is_canned_reply", "active", "uses", "helpful_yes", "helpful_no",
                    "created_at", "updated_at"}


def send(http, method: str, url: str, body=None):
    """A JSON request; without a body, an empty one (as curl -X POST sends)."""
    return http.generic(method, url, "" if body is None else json.dumps(body),
                        content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def ref(member) -> dict:
    return {"member_id": member.pk, "name": member.user.full_name}


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def desk(receptionist, api_as):
    return api_as(receptionist)


@pytest.fixture
def registration(org, site):
    return DepartmentFactory(organization=org, site=site, name="Registration")


@pytest.fixture
def billing(org, site):
    return DepartmentFactory(organization=org, site=site, name="Billing")


@pytest.fixture
def general(org, registration):
    return CategoryFactory(organization=org, key="general", name="General", department=registration)


@pytest.fixture
def invoices(org, billing):
    return CategoryFactory(organization=org, key="billing", name="Billing", department=billing)


@pytest.fixture
def asker(owner):
    return make_client(owner, first_name="Żaneta", last_name="Żółw")


@pytest.fixture
def asked(site, general, registration, asker):
    """An open phone question."""
    return InquiryFactory(site=site, category=general, department=registration, client=asker,
                          subject="Opening hours", question="When are you open on Saturdays?")


def foreign(other_org, other_owner):
    """Rows of another organisation, by the field that would name them."""
    other_site = other_org.sites.get()
    department = DepartmentFactory(organization=other_org, site=other_site)
    category = CategoryFactory(organization=other_org, department=department)
    return {"site_id": lambda: other_site.pk, "department_id": lambda: department.pk,
            "category_id": lambda: category.pk, "client_id": lambda: make_client(other_owner).pk,
            "member_id": lambda: other_owner.pk,
            "article_id": lambda: ArticleFactory(organization=other_org).pk,
            "inquiry_id": lambda: InquiryFactory(site=other_site, category=category,
                                                 client=make_client(other_owner)).pk}


# --- reading inquiries -----------------------------------------------------------------------------

def test_an_inquiry_has_exactly_the_contract_fields(desk, asked, site, general, registration, asker,
                                                    receptionist):
    Inquiry.objects.filter(pk=asked.pk).update(assigned_to=receptionist, opened_by=receptionist,
                                               contact_email="zaneta@example.org")
    response = desk.get(INQUIRIES)
    assert response.status_code == 200, response.content
    [body] = response.json()["items"]
    assert set(body) == INQUIRY_CONTRACT
    moments = {"opened_at": None, "updated_at": None}
    assert body | moments == {
        "id": asked.pk, "reference": asked.reference, "channel": "phone", "status": "open",
        "priority": "normal",
        "subject": "Opening hours", "question": "When are you open on Saturdays?",
        "client": {"client_id": asker.pk, "name": asker.display_name},
        "category": {"category_id": general.pk, "key": "general", "name": "General"},
        "department_id": registration.pk, "department": "Registration", "site_id": site.pk,
        "assigned_to": ref(receptionist), "contact_email": "zaneta@example.org", "answer": "",
        "opened_by": ref(receptionist), "first_answer_due": None, "resolution_due": None, "overdue": False,
        "first_answered_at": None, "first_answered_by": None, "answered_at": None, "answered_by": None,
        "closed_at": None, "reopened": 0, "answered_in_first_contact": False, "rating": None,
        "rating_comment": "", "rated_at": None, **moments}
    assert response.json()["next_cursor"] is None


def test_one_inquiry_comes_with_its_thread_attachments_and_articles_used(desk, asked, org, receptionist):
    Inquiry.objects.filter(pk=asked.pk).update(internal_notes="Calls every week")
    inbound = InquiryMessage.objects.create(organization=org, inquiry=asked, kind="inbound",
                                            body="<b>Hello</b>, when are you open?")
    InquiryMessage.objects.create(organization=org, inquiry=asked, kind="answer", author=receptionist,
                                  body="Saturdays 9-13.")
    asked.attachments.create(organization=org, message=inbound, file="inquiries/x.pdf", filename="scan.pdf",
                             content_type="application/pdf", size=1234)
    article = ArticleFactory(organization=org, question="When are you open?")
    ArticleUse.objects.create(organization=org, inquiry=asked, article=article, member=receptionist)
    response = desk.get(f"{INQUIRIES}/{asked.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == DETAIL_CONTRACT
    assert body["internal_notes"] == "Calls every week"
    assert [(m["kind"], m["author"], m["body"]) for m in body["messages"]] == [
        ("inbound", None, "<b>Hello</b>, when are you open?"),
        ("answer", ref(receptionist), "Saturdays 9-13.")]
    assert [(a["filename"], a["size"], a["message_id"]) for a in body["attachments"]] == [
        ("scan.pdf", 1234, inbound.pk)]
    assert "file" not in body["attachments"][0]
    [used] = body["articles_used"]
    assert (used["article_id"], used["question"], used["member"]) == (
        article.pk, "When are you open?", ref(receptionist))


def test_an_unknown_inquiry_is_404(desk, db):
    response = desk.get(f"{INQUIRIES}/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_an_inquiry_past_its_target_is_overdue_until_answered(desk, asked):
    Inquiry.objects.filter(pk=asked.pk).update(first_answer_due=timezone.now() - timedelta(minutes=1),
                                               resolution_due=timezone.now() + timedelta(hours=3))
    assert desk.get(f"{INQUIRIES}/{asked.pk}").json()["overdue"] is True
    Inquiry.objects.filter(pk=asked.pk).update(first_answered_at=timezone.now())
    assert desk.get(f"{INQUIRIES}/{asked.pk}").json()["overdue"] is False


def test_the_list_filters_by_status_category_assignee_client_department_and_overdue(
        desk, org, site, asked, general, invoices, billing, receptionist, owner, asker):
    other_client = make_client(owner, last_name="Nowak")
    late = InquiryFactory(site=site, category=invoices, department=billing, client=other_client,
                          assigned_to=receptionist, resolution_due=timezone.now() - timedelta(hours=1))
    closed = InquiryFactory(site=site, category=general, client=asker, status=Inquiry.Status.CLOSED,
                            closed_at=timezone.now(), resolution_due=timezone.now() - timedelta(hours=1))
    waiting = InquiryFactory(site=site, category=general, client=asker, status=Inquiry.Status.WAITING)
    on = lambda **params: set(ids(desk.get(INQUIRIES, params)))  # noqa: E731
    assert on() == {asked.pk, late.pk, closed.pk, waiting.pk}
    assert on(status="closed") == {closed.pk}
    assert on(status="open_any") == {asked.pk, late.pk, waiting.pk}
    assert on(category=invoices.pk) == {late.pk}
    assert on(department=billing.pk) == {late.pk}
    assert on(assigned=receptionist.pk) == {late.pk}
    assert on(assigned="me") == {late.pk}
    assert on(assigned="none") == {asked.pk, closed.pk, waiting.pk}
    assert on(client=asker.pk) == {asked.pk, closed.pk, waiting.pk}
    assert on(overdue="true") == {late.pk}
    assert on(overdue="false") == {asked.pk, closed.pk, waiting.pk}
    assert on(client=asker.pk, status="open") == {asked.pk}


def test_the_list_pages_by_cursor_newest_first_without_repeats_or_gaps(desk, site, general, asker):
    start = timezone.now() - timedelta(days=1)
    made = [InquiryFactory(site=site, category=general, client=asker,
                           opened_at=start + timedelta(minutes=n)).pk for n in range(12)]
    made.append(InquiryFactory(site=site, category=general, client=asker,
                               opened_at=start + timedelta(minutes=5)).pk)  # a tie
    seen, sizes, cursor = [], [], None
    while True:
        body = desk.get(INQUIRIES, {"limit": 5} | ({"cursor": cursor} if cursor else {})).json()
        sizes.append(len(body["items"]))
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sizes == [5, 5, 3]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    times = [Inquiry.objects.get(pk=pk).opened_at for pk in seen]
    assert times == sorted(times, reverse=True)


def test_a_page_of_inquiries_costs_the_same_queries_whatever_its_size(desk, org, site, general, receptionist,
                                                                      owner, make_member):
    def queries_for_a_page():
        desk.get(INQUIRIES)  # the token's last-use stamp is written at most once a minute
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(INQUIRIES).status_code == 200
        return len(captured)

    InquiryFactory(site=site, category=general, client=make_client(owner), assigned_to=receptionist)
    few = queries_for_a_page()
    for n in range(8):
        department = DepartmentFactory(organization=org, site=site)
        category = CategoryFactory(organization=org, department=department)
        member = make_member(org)
        InquiryFactory(site=site, category=category, department=department, assigned_to=member,
                       opened_by=make_member(org), answered_by=member, first_answered_by=member,
                       client=make_client(owner, last_name=f"K{n}"))
    assert queries_for_a_page() == few


def test_one_inquiry_costs_the_same_queries_however_long_its_thread(desk, org, asked, receptionist,
                                                                    make_member):
    def queries_for_it():
        desk.get(f"{INQUIRIES}/{asked.pk}")
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(f"{INQUIRIES}/{asked.pk}").status_code == 200
        return len(captured)

    InquiryMessage.objects.create(organization=org, inquiry=asked, kind="answer", author=receptionist,
                                  body="a")
    ArticleUse.objects.create(organization=org, inquiry=asked, member=receptionist,
                              article=ArticleFactory(organization=org))
    few = queries_for_it()
    for n in range(5):
        author = make_member(org)
        InquiryMessage.objects.create(organization=org, inquiry=asked, kind="note", author=author,
                                      body=f"{n}")
        ArticleUse.objects.create(organization=org, inquiry=asked, member=author,
                                  article=ArticleFactory(organization=org))
    assert queries_for_it() == few


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "pending"}, "status"), ({"assigned": "you"}, "assigned"), ({"overdue": "maybe"}, "overdue"),
    ({"limit": 500}, "limit"), ({"category": "x"}, "category"), ({"client": 0}, "client"),
])
def test_a_bad_filter_is_422_naming_it(desk, params, field):
    response = desk.get(INQUIRIES, params)
    assert response.status_code == 422, response.content
    assert error_fields(response) == {field}


def test_a_category_client_member_or_department_of_another_organisation_is_400_naming_it(desk, other_org,
                                                                                         other_owner):
    others = foreign(other_org, other_owner)
    for field, key in (("category", "category_id"), ("client", "client_id"), ("assigned", "member_id"),
                       ("department", "department_id")):
        response = desk.get(INQUIRIES, {field: others[key]()})
        assert response.status_code == 400, response.content
        assert error_fields(response) == {field}


def test_a_forged_cursor_is_400_naming_the_cursor(desk, asked):
    response = desk.get(INQUIRIES, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert error_fields(response) == {"cursor"}


# --- taking an inquiry -----------------------------------------------------------------------------

def test_an_inquiry_is_taken_for_a_known_client_and_routed_by_its_category(desk, site, invoices, billing,
                                                                          asker, receptionist):
    response = send(desk, "POST", INQUIRIES, {"client_id": asker.pk, "category_id": invoices.pk,
                                              "question": "Why was I charged twice?\nInvoice 12/2031",
                                              "priority": "high"})
    assert response.status_code == 201, response.content
    body = response.json()
    inquiry = Inquiry.objects.get()
    assert set(body) == DETAIL_CONTRACT
    assert body["id"] == inquiry.pk
    assert (body["client"]["client_id"], body["category"]["category_id"], body["department_id"]) == (
        asker.pk, invoices.pk, billing.pk)
    assert (body["status"], body["channel"], body["priority"], body["site_id"]) == ("open", "phone", "high",
                                                                                     site.pk)
    assert body["subject"] == "Why was I charged twice?"
    assert body["opened_by"] == ref(receptionist)
    assert Activity.objects.filter(verb="inquiry.opened", actor=receptionist, client_id=asker.pk).count() == 1


def test_a_new_client_is_quick_added_with_the_inquiry(desk, general, org):
    response = send(desk, "POST", INQUIRIES, {
        "new_client": {"full_name": "Anna Nowak", "phone": "600 100 200", "email": "anna@example.org"},
        "category_id": general.pk, "channel": "walk_in", "question": "Do you issue certificates?",
        "contact_email": "anna@example.org"})
    assert response.status_code == 201, response.content
    body = response.json()
    created = org.clients.get()
    assert body["client"] == {"client_id": created.pk, "name": created.display_name}
    assert "Nowak" in created.display_name
    assert (body["channel"], body["contact_email"]) == ("walk_in", "anna@example.org")


def test_a_person_already_known_by_their_phone_is_not_added_twice(desk, general, org, owner):
    known = make_client(owner, first_name="Anna", last_name="Nowak", phones=["+48600100200"])
    response = send(desk, "POST", INQUIRIES, {"new_client": {"full_name": "A. Nowak", "phone": "600 100 200"},
                                              "category_id": general.pk,
                                              "question": "Is my prescription ready?"})
    assert response.status_code == 201, response.content
    assert response.json()["client"]["client_id"] == known.pk
    assert org.clients.count() == 1


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"question": ""}, 422, "question"),
    ({"question": "   "}, 422, "question"),
    ({"category_id": None}, 422, "category_id"),
    ({"category_id": "other"}, 400, "category_id"),
    ({"client_id": "other"}, 400, "client_id"),
    ({"client_id": None}, 400, "client_id"),
    ({"assigned_to_id": "other"}, 400, "assigned_to_id"),
    ({"site_id": "other"}, 400, "site_id"),
    ({"channel": "fax"}, 422, "channel"),
    ({"contact_email": "not an address"}, 422, "contact_email"),
    ({"new_client": {"full_name": ""}, "client_id": None}, 422, "new_client.full_name"),
    ({"new_client": {"full_name": "Anna Nowak", "phone": "12"}, "client_id": None}, 400, "new_client.phone"),
    ({"questoin": "typo"}, 422, "questoin"),  # a typo is refused, not lost
], ids=["empty-question", "blank-question", "no-category", "foreign-category", "foreign-client", "no-client",
        "foreign-assignee", "foreign-site", "bad-channel", "bad-email", "nameless-new-client",
        "bad-new-phone", "unknown-field"])
def test_bad_input_on_a_new_inquiry_is_refused_and_saves_nothing(desk, general, asker, other_org, other_owner,
                                                                 change, status, field):
    others = foreign(other_org, other_owner)
    others["assigned_to_id"] = others["member_id"]
    change = {key: others[key]() if value == "other" else value for key, value in change.items()}
    body = {"client_id": asker.pk, "category_id": general.pk, "question": "When are you open?"} | change
    response = send(desk, "POST", INQUIRIES, {key: value for key, value in body.items()
                                              if value is not None or key == "category_id"})
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert field in error_fields(response)
    assert not Inquiry.objects.exists()
    assert not Activity.objects.filter(verb="inquiry.opened").exists()


def test_the_site_is_the_members_first_unless_named(desk, org, site, general, asker, receptionist):
    annex = SiteFactory(organization=org, name="Annex")
    receptionist.sites.set([annex])
    body = {"client_id": asker.pk, "category_id": general.pk, "question": "When are you open?"}
    assert send(desk, "POST", INQUIRIES, body).json()["site_id"] == annex.pk
    assert send(desk, "POST", INQUIRIES, body | {"site_id": site.pk}).json()["site_id"] == site.pk


# --- changing, answering and forwarding ----------------------------------------------------------------

def test_patch_changes_only_what_is_sent(desk, asked, receptionist, make_member, org):
    colleague = make_member(org, caps.CLERK)
    response = send(desk, "PATCH", f"{INQUIRIES}/{asked.pk}", {
        "priority": "urgent", "assigned_to_id": colleague.pk, "internal_notes": "Prefers e-mail"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["priority"], body["assigned_to"], body["internal_notes"]) == ("urgent", ref(colleague),
                                                                                "Prefers e-mail")
    assert (body["subject"], body["status"]) == ("Opening hours", "open")
    response = send(desk, "PATCH", f"{INQUIRIES}/{asked.pk}", {"assigned_to_id": None})
    assert response.status_code == 200, response.content
    assert response.json()["assigned_to"] is None
    assert Activity.objects.filter(verb="inquiry.assigned", actor=receptionist).count() == 2


def test_a_new_category_re_routes_the_inquiry(desk, asked, invoices, billing):
    response = send(desk, "PATCH", f"{INQUIRIES}/{asked.pk}", {"category_id": invoices.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["category"]["category_id"], body["department_id"]) == (invoices.pk, billing.pk)


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"category_id": "other"}, 400, "category_id"),
    ({"assigned_to_id": "other"}, 400, "assigned_to_id"),
    ({"assigned_to_id": "auditor"}, 400, "assigned_to_id"),  # one who does not answer inquiries
    ({"category_id": None}, 422, "category_id"),
    ({"subject": ""}, 422, "subject"),
    ({"priority": "asap"}, 422, "priority"),
    ({"status": "closed"}, 422, "status"),  # the status moves through answer, forward, …: never set by hand
], ids=["foreign-category", "foreign-assignee", "not-an-answerer", "no-category", "empty-subject",
        "bad-priority", "status"])
def test_bad_input_on_a_change_is_refused_and_changes_nothing(desk, asked, auditor, other_org, other_owner,
                                                              change, status, field):
    others = foreign(other_org, other_owner)
    others["assigned_to_id"] = others["member_id"]
    change = {key: others[key]() if value == "other" else auditor.pk if value == "auditor" else value
              for key, value in change.items()}
    before = Inquiry.objects.values().get(pk=asked.pk)
    response = send(desk, "PATCH", f"{INQUIRIES}/{asked.pk}", change)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert Inquiry.objects.values().get(pk=asked.pk) == before


def test_an_answer_from_an_article_is_recorded_and_its_use_counted(desk, asked, org, receptionist):
    article = ArticleFactory(organization=org, question="When are you open?", answer="Saturdays 9-13.")
    response = send(desk, "POST", f"{INQUIRIES}/{asked.pk}/answer",
                    {"text": "Saturdays 9-13, see you!", "article_ids": [article.pk]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["answer"]) == ("answered", "Saturdays 9-13, see you!")
    assert (body["first_answered_by"], body["answered_by"]) == (ref(receptionist), ref(receptionist))
    assert body["first_answered_at"] is not None
    assert [(m["kind"], m["body"]) for m in body["messages"]] == [("answer", "Saturdays 9-13, see you!")]
    assert [used["article_id"] for used in body["articles_used"]] == [article.pk]
    article.refresh_from_db()
    assert article.uses == 1
    assert Activity.objects.filter(verb="inquiry.first_answered", actor=receptionist).count() == 1


def test_an_answer_to_an_e_mailed_question_goes_out_by_e_mail_unless_told_not_to(desk, site, general, asker,
                                                                                  settings, mailoutbox):
    settings.TASKS_EAGER = True  # the answer is e-mailed in the request, into the outbox
    emailed = [InquiryFactory(site=site, category=general, client=asker, channel="email",
                              contact_email="zaneta@example.org") for _n in range(2)]
    response = send(desk, "POST", f"{INQUIRIES}/{emailed[0].pk}/answer", {"text": "Saturdays 9-13."})
    assert response.status_code == 200, response.content
    [mail] = mailoutbox
    assert mail.to == ["zaneta@example.org"]
    assert emailed[0].reference in mail.subject
    assert response.json()["messages"][0]["kind"] == "answer"
    response = send(desk, "POST", f"{INQUIRIES}/{emailed[1].pk}/answer", {"text": "Saturdays 9-13.",
                                                                         "send_email": False})
    assert response.status_code == 200, response.content
    assert len(mailoutbox) == 1


def test_an_answer_may_close_the_inquiry_and_a_closed_one_is_not_answered_again(desk, asked):
    response = send(desk, "POST", f"{INQUIRIES}/{asked.pk}/answer", {"text": "Saturdays 9-13.", "close": True,
                                                                     "send_email": False})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    again = send(desk, "POST", f"{INQUIRIES}/{asked.pk}/answer", {"text": "And Sundays too."})
    assert again.status_code == 409, again.content
    assert again.json()["detail"]
    assert InquiryMessage.objects.filter(inquiry=asked, kind="answer").count() == 1


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"text": ""}, 422, "text"),
    ({}, 422, "text"),
    ({"text": "Yes", "article_ids": ["other"]}, 400, "article_ids"),
    ({"text": "Yes", "send_email": True}, 400, "send_email"),  # a phone question: no address to send to
    ({"text": "Yes", "article_ids": [0]}, 422, "article_ids.0"),
    ({"text": "Yes", "close": "perhaps"}, 422, "close"),
    ({"text": "Yes", "status": "closed"}, 422, "status"),
], ids=["empty", "missing", "foreign-article", "no-address", "not-an-id", "bad-close", "unknown-field"])
def test_a_bad_answer_is_refused_and_changes_nothing(desk, asked, org, other_org, other_owner, body, status,
                                                     field):
    values = {"other": foreign(other_org, other_owner)["article_id"]}
    if "article_ids" in body:
        body = body | {"article_ids": [values[v]() if v in values else v for v in body["article_ids"]]}
    response = send(desk, "POST", f"{INQUIRIES}/{asked.pk}/answer", body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    asked.refresh_from_db()
    assert (asked.status, asked.answer, asked.first_answered_at) == ("open", "", None)
    assert not InquiryMessage.objects.exists() and not ArticleUse.objects.exists()


def test_an_inquiry_is_forwarded_to_a_department(desk, asked, billing, receptionist):
    response = send(desk, "POST", f"{INQUIRIES}/{asked.pk}/forward", {"department_id": billing.pk,
                                                                      "note": "About an invoice"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["department_id"], body["department"]) == ("forwarded", billing.pk, "Billing")
    assert Activity.objects.filter(verb="inquiry.forwarded", actor=receptionist).count() == 1


@pytest.mark.parametrize(("body", "status", "field"), [
    ({}, 422, "department_id"),
    ({"department_id": "other"}, 400, "department_id"),
    ({"department_id": 0}, 422, "department_id"),
    ({"department_id": "billing", "note": "x" * 20001}, 422, "note"),
    ({"department_id": "billing", "to": "billing"}, 422, "to"),
], ids=["no-department", "foreign-department", "zero", "long-note", "unknown-field"])
def test_a_bad_forward_is_refused_and_changes_nothing(desk, asked, billing, other_org, other_owner, body,
                                                      status, field):
    values = {"other": foreign(other_org, other_owner)["department_id"], "billing": lambda: billing.pk}
    body = {key: values[value]() if value in values else value for key, value in body.items()}
    response = send(desk, "POST", f"{INQUIRIES}/{asked.pk}/forward", body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    asked.refresh_from_db()
    assert (asked.status, asked.department.name) == ("open", "Registration")
    assert not Activity.objects.filter(verb="inquiry.forwarded").exists()


def test_a_closed_inquiry_is_not_forwarded(desk, asked, billing):
    Inquiry.objects.filter(pk=asked.pk).update(status=Inquiry.Status.CLOSED, closed_at=timezone.now())
    response = send(desk, "POST", f"{INQUIRIES}/{asked.pk}/forward", {"department_id": billing.pk})
    assert response.status_code == 409, response.content
    asked.refresh_from_db()
    assert asked.department.name == "Registration"


# --- the knowledge base ----------------------------------------------------------------------------

@pytest.fixture
def writer(org, make_member, api_as):
    """An administrative assistant: writes articles."""
    return make_member(org, caps.ADMIN_ASSISTANT)


def test_an_article_is_written_with_the_organisations_language_by_default(writer, api_as, org, general):
    org.language = "pl"
    org.save()
    response = send(api_as(writer), "POST", ARTICLES, {
        "question": "Jak dostać zaświadczenie do szkoły?", "answer": "Proszę przyjść z legitymacją.",
        "keywords": "zaświadczenie, szkoła", "category_id": general.pk, "audience": "public",
        "owner_id": writer.pk, "review_on": "2031-06-30", "is_canned_reply": True})
    assert response.status_code == 201, response.content
    body = response.json()
    article = Article.objects.get()
    assert set(body) == ARTICLE_CONTRACT
    assert body | {"created_at": None, "updated_at": None} == {
        "id": article.pk, "question": "Jak dostać zaświadczenie do szkoły?",
        "answer": "Proszę przyjść z legitymacją.", "keywords": "zaświadczenie, szkoła",
        "category": {"category_id": general.pk, "key": "general", "name": "General"}, "language": "pl",
        "audience": "public", "owner": ref(writer), "review_on": "2031-06-30", "is_canned_reply": True,
        "active": True, "uses": 0, "helpful_yes": 0, "helpful_no": 0, "created_at": None, "updated_at": None}
    assert Activity.objects.filter(verb="article.created", actor=writer).count() == 1


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"question": ""}, 422, "question"),
    ({"answer": " "}, 422, "answer"),
    ({"question": "x" * 301}, 422, "question"),
    ({"language": "de"}, 422, "language"),
    ({"audience": "everyone"}, 422, "audience"),
    ({"review_on": "30.06.2031"}, 422, "review_on"),
    ({"category_id": "other"}, 400, "category_id"),
    ({"owner_id": "other"}, 400, "owner_id"),
    ({"uses": 100}, 422, "uses"),
], ids=["no-question", "blank-answer", "long-question", "bad-language", "bad-audience", "bad-date",
        "foreign-category", "foreign-owner", "read-only-field"])
def test_bad_input_on_an_article_is_refused_and_saves_nothing(writer, api_as, other_org, other_owner, change,
                                                              status, field):
    others = foreign(other_org, other_owner)
    others["owner_id"] = others["member_id"]
    change = {key: others[key]() if value == "other" else value for key, value in change.items()}
    body = {"question": "Where do I park?", "answer": "Behind the building."} | change
    response = send(api_as(writer), "POST", ARTICLES, body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert not Article.objects.exists()


def test_the_article_list_filters_and_pages(desk, org, general):
    start = timezone.now() - timedelta(days=3)
    internal = ArticleFactory(organization=org, category=general)
    public = ArticleFactory(organization=org, audience="public", language="pl")
    canned = ArticleFactory(organization=org, is_canned_reply=True)
    retired = ArticleFactory(organization=org, active=False)
    for n, article in enumerate((internal, public, canned, retired)):  # created_at is set on insert
        Article.objects.filter(pk=article.pk).update(created_at=start + timedelta(hours=n))
    on = lambda **params: ids(desk.get(ARTICLES, params))  # noqa: E731
    assert on() == [canned.pk, public.pk, internal.pk]
    assert on(active="false") == [retired.pk]
    assert on(audience="public") == [public.pk]
    assert on(language="pl") == [public.pk]
    assert on(category=general.pk) == [internal.pk]
    assert on(canned="true") == [canned.pk]
    first = desk.get(ARTICLES, {"limit": 2}).json()
    second = desk.get(ARTICLES, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["id"] for a in first["items"] + second["items"]] == [canned.pk, public.pk, internal.pk]
    assert second["next_cursor"] is None


def test_bad_article_filters_are_refused_naming_them(desk, other_org, other_owner):
    assert error_fields(desk.get(ARTICLES, {"audience": "everyone"})) == {"audience"}
    response = desk.get(ARTICLES, {"category": foreign(other_org, other_owner)["category_id"]()})
    assert response.status_code == 400
    assert error_fields(response) == {"category"}


def test_search_ranks_the_right_article_first_across_word_forms_and_diacritics(desk, org, owner):
    def write(question, answer, language="en", **extra):
        return article_save(actor=owner, question=question, answer=answer, language=language,
                            audience="internal", **extra)

    certificate = write("How do I get a medical certificate for school?", "Ask at the front desk.")
    write("What are your opening hours?", "Monday to Friday, 8 to 18.")
    write("How much does a visit cost?", "See the price list.")
    zaswiadczenie = write("Jak dostać zaświadczenie lekarskie?", "W rejestracji.", language="pl")
    response = desk.get(SEARCH, {"q": "how do i get a medical certificate for school"})
    assert response.status_code == 200, response.content
    found = response.json()["items"]
    assert found and found[0]["id"] == certificate.pk
    assert set(found[0]) == ARTICLE_CONTRACT
    assert ids(desk.get(SEARCH, {"q": "zaswiadczenia", "language": "pl"}))[:1] == [zaswiadczenie.pk]


def test_search_narrows_to_a_category_canned_replies_and_an_audience(desk, org, owner, general, invoices):
    def write(question, **extra):
        return article_save(actor=owner, question=question, answer="See the desk.", language="en",
                            **({"audience": "internal"} | extra))

    hours = write("What are your opening hours?", category=general)
    canned = write("Opening hours: the canned reply", is_canned_reply=True, audience="public")
    billed = write("Are invoices sent outside opening hours?", category=invoices)
    assert set(ids(desk.get(SEARCH, {"q": "opening hours"}))) == {hours.pk, canned.pk, billed.pk}
    assert ids(desk.get(SEARCH, {"q": "opening hours", "category": general.pk})) == [hours.pk]
    assert ids(desk.get(SEARCH, {"q": "opening hours", "canned": "true"})) == [canned.pk]
    assert ids(desk.get(SEARCH, {"q": "opening hours", "audience": "public"})) == [canned.pk]
    article_retire(actor=owner, article=billed)
    assert set(ids(desk.get(SEARCH, {"q": "opening hours"}))) == {hours.pk, canned.pk}


def test_search_finds_nothing_of_another_organisation(desk, org, other_org, other_owner):
    article_save(actor=other_owner, question="What are your opening hours?", answer="Never.", language="en",
                 audience="public")
    assert ids(desk.get(SEARCH, {"q": "opening hours"})) == []


@pytest.mark.parametrize(("params", "field"), [
    ({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 501}, "q"), ({"q": "hours", "limit": 0}, "limit"),
    ({"q": "hours", "audience": "all"}, "audience"),
])
def test_a_bad_search_is_422_naming_the_field(desk, params, field):
    response = desk.get(SEARCH, params)
    assert response.status_code == 422, response.content
    assert error_fields(response) == {field}


# --- capabilities and tenancy (the access table walks every route; these are the cases it cannot) ----

def test_an_auditor_may_read_but_change_nothing(auditor, api_as, asked, billing, org):
    http = api_as(auditor)
    article = ArticleFactory(organization=org)
    assert ids(http.get(INQUIRIES)) == [asked.pk]
    assert http.get(f"{INQUIRIES}/{asked.pk}").status_code == 200
    assert ids(http.get(ARTICLES)) == [article.pk]
    for method, url, body in [
            ("POST", INQUIRIES, {"client_id": asked.client_id, "category_id": asked.category_id,
                                 "question": "?"}),
            ("PATCH", f"{INQUIRIES}/{asked.pk}", {"priority": "high"}),
            ("POST", f"{INQUIRIES}/{asked.pk}/answer", {"text": "Yes"}),
            ("POST", f"{INQUIRIES}/{asked.pk}/forward", {"department_id": billing.pk}),
            ("POST", ARTICLES, {"question": "Q?", "answer": "A."})]:
        response = send(http, method, url, body)
        assert response.status_code == 403, (url, response.content)
        assert "inquiries." in response.json()["detail"]
    assert Inquiry.objects.count() == 1 and Article.objects.count() == 1


def test_the_desk_answers_but_does_not_write_articles(desk):
    response = send(desk, "POST", ARTICLES, {"question": "Q?", "answer": "A."})
    assert response.status_code == 403
    assert "inquiries.articles" in response.json()["detail"]


def test_another_organisations_inquiries_and_articles_are_neither_listed_nor_reached(asked, org, other_org,
                                                                                     make_member, api_as,
                                                                                     billing):
    ArticleFactory(organization=org)
    stranger = api_as(make_member(other_org, *caps.ROLES))
    for url in (INQUIRIES, ARTICLES):
        assert ids(stranger.get(url)) == []
    for method, url, body in [("GET", f"{INQUIRIES}/{asked.pk}", None),
                              ("PATCH", f"{INQUIRIES}/{asked.pk}", {"priority": "high"}),
                              ("POST", f"{INQUIRIES}/{asked.pk}/answer", {"text": "Yes"}),
                              ("POST", f"{INQUIRIES}/{asked.pk}/forward", {"department_id": billing.pk})]:
        response = send(stranger, method, url, body)
        assert response.status_code == 404, (url, response.content)
    asked.refresh_from_db()
    assert (asked.status, asked.priority) == ("open", "normal")


# --- the OpenAPI document ------------------------------------------------------------------------------

def test_every_inquiries_operation_is_in_the_openapi_schema(client, db):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    assert set(paths["/api/v1/inquiries"]) == {"get", "post"}
    assert set(paths["/api/v1/inquiries/{inquiry_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/inquiries/{inquiry_id}/answer"]) == {"post"}
    assert set(paths["/api/v1/inquiries/{inquiry_id}/forward"]) == {"post"}
    assert set(paths["/api/v1/articles"]) == {"get", "post"}
    assert set(paths["/api/v1/articles/search"]) == {"get"}
    assert {p["name"] for p in paths["/api/v1/inquiries"]["get"]["parameters"]} >= {
        "status", "category", "assigned", "client", "overdue"}
    components = schema["components"]["schemas"]
    assert set(components["InquiryOut"]["properties"]["status"]["enum"]) == set(Inquiry.Status.values)
