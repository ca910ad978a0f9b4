"""The visitor documents pages: the active texts per kind, adding one, editing (a new version) and retiring."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from frontoffice.reception.models import VisitDocument
from tests.reception.factories import VisitDocumentFactory


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def web(owner, signed_in):
    return signed_in(owner)


@pytest.fixture
def nda(org, owner):
    return VisitDocumentFactory(organization=org, kind=VisitDocument.NDA, title="Confidentiality", version=3,
                                visit_types=["contractor", "interview"], created_by=owner,
                                body="I keep what I see here to myself.")


def form(**fields):
    return {"kind": "health", "title": "Health declaration", "body": "I have no symptoms of infection.",
            "visit_types": ["patient", "visitor"]} | fields


def test_list_groups_active_documents_by_kind_with_their_visit_types_and_version(web, org, nda):
    VisitDocumentFactory(organization=org, kind=VisitDocument.PHOTO, title="Badge photo")
    VisitDocumentFactory(organization=org, kind=VisitDocument.NDA, title="Confidentiality", version=2, active=False)
    html = page(web.get(reverse("reception:documents")))
    nda_part, health_part = html.split("Non-disclosure agreement")[1].split("Health declaration")
    assert "Confidentiality" in nda_part and "Contractor, Interview" in nda_part
    assert "<td>3</td>" in nda_part and "<td>2</td>" not in nda_part
    assert "None." in health_part.split("Photo consent")[0]
    assert "Badge photo" in html.split("Photo consent")[1] and "every visit" in html.split("Photo consent")[1]
    assert reverse("reception:document_edit", args=[nda.pk]) in html
    assert reverse("reception:document_retire", args=[nda.pk]) in html and "data-confirm" in html


def test_list_never_shows_another_organisations_documents(web, other_org):
    VisitDocumentFactory(organization=other_org, title="Their secret text")
    assert "Their secret text" not in page(web.get(reverse("reception:documents")))


def test_form_offers_the_verticals_visit_types(web):
    html = page(web.get(reverse("reception:document_new")))
    for key in ("patient", "visitor", "delivery", "contractor", "interview"):
        assert f'value="{key}"' in html
    assert "None ticked: every visitor accepts it." in html


def test_adding_a_document(web, owner, org):
    response = web.post(reverse("reception:document_new"), form())
    assert response.status_code == 302 and response["Location"] == reverse("reception:documents")
    document = VisitDocument.objects.get(organization=org)
    assert (document.kind, document.title, document.version, document.active) == (
        "health", "Health declaration", 1, True)
    assert document.visit_types == ["patient", "visitor"] and document.created_by == owner
    assert "Health declaration saved as version 1." in page(web.get(response["Location"]))


def test_editing_says_it_makes_a_new_version_and_makes_one(web, org, nda):
    html = page(web.get(reverse("reception:document_edit", args=[nda.pk])))
    assert "Saving creates version 4" in html and "version 3" in html
    assert 'value="Confidentiality"' in html and "I keep what I see here to myself." in html
    assert re.search(r'value="contractor"[^>]*checked', html) and not re.search(r'value="patient"[^>]*checked', html)
    response = web.post(reverse("reception:document_edit", args=[nda.pk]), form(
        kind="nda", title="Confidentiality", body="New words.", visit_types=["contractor"]))
    assert response.status_code == 302
    nda.refresh_from_db()
    assert not nda.active and nda.body == "I keep what I see here to myself."  # the old words stay as they were
    current = VisitDocument.objects.get(organization=org, active=True)
    assert (current.version, current.body, current.visit_types) == (4, "New words.", ["contractor"])
    assert "Confidentiality saved as version 4." in page(web.get(response["Location"]))


def test_a_visit_type_the_vertical_no_longer_has_is_kept_when_editing(web, org, owner):
    old = VisitDocumentFactory(organization=org, title="Old rules", visit_types=["courier"], created_by=owner)
    html = page(web.get(reverse("reception:document_edit", args=[old.pk])))
    assert re.search(r'value="courier"[^>]*checked', html)
    web.post(reverse("reception:document_edit", args=[old.pk]), form(kind="nda", title="Old rules",
                                                                     visit_types=["courier", "patient"]))
    assert VisitDocument.objects.get(organization=org, active=True).visit_types == ["courier", "patient"]


def test_an_old_version_cannot_be_edited(web, nda):
    web.post(reverse("reception:document_edit", args=[nda.pk]), form(kind="nda", title="Confidentiality"))
    assert web.get(reverse("reception:document_edit", args=[nda.pk])).status_code == 404


@pytest.mark.parametrize("fields, name, message", [
    ({"title": ""}, "title", "This field is required."),
    ({"body": "  "}, "body", "This field is required."),
    ({"kind": "poem"}, "kind", "Select a valid choice."),
    ({"visit_types": ["patient", "astronaut"]}, "visit_types", "Select a valid choice."),
])
def test_bad_input_saves_nothing_and_keeps_what_was_typed(web, nda, fields, name, message):
    typed = form(body="Words worth keeping.", title="My title") | fields
    response = web.post(reverse("reception:document_edit", args=[nda.pk]), typed)
    assert response.status_code == 400
    html = page(response)
    assert message in html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    assert "Words worth keeping." in html or name == "body"
    assert 'value="My title"' in html or name == "title"
    nda.refresh_from_db()
    assert nda.active and VisitDocument.objects.count() == 1


def test_retiring_stops_asking_for_the_document(web, nda):
    response = web.post(reverse("reception:document_retire", args=[nda.pk]))
    assert response.status_code == 302
    nda.refresh_from_db()
    assert not nda.active
    html = page(web.get(reverse("reception:documents")))
    assert "Confidentiality is no longer asked for." in html
    assert reverse("reception:document_edit", args=[nda.pk]) not in html


def test_only_the_owner_edits_documents(manager, signed_in, nda):
    assert signed_in(manager).get(reverse("reception:documents")).status_code == 403
    assert signed_in(manager).post(reverse("reception:document_retire", args=[nda.pk])).status_code == 403
    nda.refresh_from_db()
    assert nda.active


def test_list_query_count_is_pinned(web, org, owner, django_assert_max_num_queries):
    for n in range(12):
        VisitDocumentFactory(organization=org, kind=["nda", "health", "photo", "other"][n % 4], created_by=owner,
                             title=f"Text {n}")
    web.get(reverse("reception:documents"))
    with django_assert_max_num_queries(4):  # session and member, the organisation switcher, the documents
        assert page(web.get(reverse("reception:documents"))).count('">Text ') == 12
