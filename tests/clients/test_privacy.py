"""The right of access (everything about a client as JSON and a readable PDF), erasure, and the
demo clients."""

from __future__ import annotations

import io
import json
import time
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader
from stdnum.pl import nip, pesel

from frontoffice.clients import demo, privacy, queries, services
from frontoffice.clients.models import Client, ClientPhone, Consent, CustomField, RelatedParty
from frontoffice.clients.validation import ClientInput
from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from tests.clients.factories import make_client

PESEL_1944 = "44051401359"


@pytest.fixture
def manager(org, make_member):
    return make_member(org, caps.MANAGER)


@pytest.fixture
def zolw(manager):
    CustomField.objects.create(organization=manager.organization, key="insurer", label="Ubezpieczyciel")
    client = make_client(manager, first_name="Żaneta", last_name="Żółw", phones=["600 100 200"],
                         emails=["zaneta@example.com"], date_of_birth="1944-05-14",
                         identifiers={"pesel": PESEL_1944}, street="ul. Źródlana 5", city="Łódź",
                         tags=["stały pacjent"], notes="Prefers mornings", custom={"insurer": "Gęś S.A."})
    services.consent_record(actor=manager, client=client, kind=Consent.MARKETING, granted=True,
                            given_on=date(2024, 3, 1), source="kiosk")
    services.related_party_add(actor=manager, client=client, name="Mikołaj Ćwik")
    data = ClientInput(**{**_input(client).__dict__, "city": "Łódź-Bałuty"})
    services.client_update(actor=manager, client=client, data=data)
    return client


def _input(client: Client) -> ClientInput:
    return ClientInput(kind=client.kind, first_name=client.first_name, last_name=client.last_name,
                       organization_name=client.organization_name, date_of_birth=client.date_of_birth,
                       phones=[p.number for p in client.phones.all()], emails=[e.email for e in client.emails.all()],
                       street=client.street, postal_code=client.postal_code, city=client.city, country=client.country,
                       identifiers=dict(client.identifiers), tags=list(client.tags), notes=client.notes,
                       custom=dict(client.custom))


def test_privacy_json_holds_the_record_contacts_and_the_timeline(manager, zolw, signed_in):
    response = signed_in(manager).get(reverse("clients:privacy_json", args=[zolw.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;") and response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["client"]["last_name"] == "Żółw" and data["client"]["city"] == "Łódź-Bałuty"
    assert data["client"]["date_of_birth"] == "1944-05-14"
    assert data["phones"] == [{"number": "+48600100200", "label": ""}] and data["emails"] == ["zaneta@example.com"]
    assert data["identifiers"] == [{"scheme": "pesel", "label": "PESEL", "value": PESEL_1944}]
    assert data["custom_fields"] == [{"key": "insurer", "label": "Ubezpieczyciel", "value": "Gęś S.A."}]
    assert [(c["kind"], c["granted"], c["given_on"], c["source"]) for c in data["consents"]] == [
        ("marketing", True, "2024-03-01", "kiosk")]
    assert data["related_parties"] == [{"name": "Mikołaj Ćwik", "relation": "opposing_party"}]
    timeline = [(a["verb"], a["by"]) for a in data["timeline"]]
    assert timeline == [("client.created", manager.user.full_name), ("client.consent_recorded", manager.user.full_name),
                        ("client.party_added", manager.user.full_name), ("client.updated", manager.user.full_name)]
    assert data["timeline"][3]["data"] == {"fields": ["city"]} and data["timeline"][0]["what"] == "added a client"
    exported = Activity.objects.get(verb="client.exported")
    assert (exported.actor, exported.client_id, exported.data) == (manager, zolw.pk, {"format": "json"})


def test_the_timeline_of_merged_records_and_other_apps_sections_are_included(manager, zolw, monkeypatch):
    other = make_client(manager, first_name="Żaneta", last_name="Żółw", phones=["601 100 200"])
    services.client_merge(actor=manager, kept=zolw, merged=other)
    monkeypatch.setattr(privacy, "SECTIONS", {})  # only this stand-in section; the real ones come back after
    privacy.register_section("visits", lambda client: [{"arrived": "2025-01-02 09:00", "host": "dr Nowak",
                                                         "client": client.pk}], title="Visits")
    dossier = privacy.client_dossier(zolw)
    pdf = privacy.render_pdf(dossier)
    assert dossier["client"]["merged_records"] == [other.pk]
    assert sum(1 for a in dossier["timeline"] if a["verb"] == "client.created") == 2
    assert dossier["sections"] == {"visits": [{"arrived": "2025-01-02 09:00", "host": "dr Nowak", "client": zolw.pk}]}
    assert "dr Nowak" in _pdf_text(pdf)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_privacy_pdf_is_readable_with_polish_letters(manager, zolw, signed_in):
    response = signed_in(manager).get(reverse("clients:privacy_pdf", args=[zolw.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    for expected in ("Żółw", "Żaneta", "Łódź-Bałuty", "ul. Źródlana 5", "Gęś S.A.", "Mikołaj Ćwik", PESEL_1944,
                     "+48 600 100 200", "zaneta@example.com", "Timeline", "added a client", "stały pacjent"):
        assert expected in text, expected
    assert Activity.objects.get(verb="client.exported").data == {"format": "pdf"}


def test_privacy_pdf_in_polish(manager, zolw, signed_in):
    web = signed_in(manager)
    web.cookies["frontoffice_language"] = "pl"
    text = _pdf_text(web.get(reverse("clients:privacy_pdf", args=[zolw.pk])).content)
    assert "Żółw" in text and "Żaneta" in text


def test_privacy_routes_are_404_for_another_organisations_client(manager, zolw, other_owner, signed_in):
    web = signed_in(other_owner)
    for name in ("clients:privacy_json", "clients:privacy_pdf", "clients:erase"):
        assert web.get(reverse(name, args=[zolw.pk])).status_code == 404
    assert web.post(reverse("clients:erase", args=[zolw.pk]), {"confirm": "ERASE"}).status_code == 404
    assert not Activity.objects.filter(verb__in=["client.exported", "client.erased"]).exists()


# --- erasure -------------------------------------------------------------------------------------

def test_erase_page_explains_and_wants_the_code_or_the_word(manager, zolw, signed_in):
    web = signed_in(manager)
    url = reverse("clients:erase", args=[zolw.pk])
    code = services.pseudonym(zolw)
    page = web.get(url).content.decode()
    assert code in page and "What is kept" in page and reverse("clients:privacy_pdf", args=[zolw.pk]) in page
    response = web.post(url, {"confirm": "yes please"})
    assert response.status_code == 400 and "nothing was erased" in response.content.decode()
    zolw.refresh_from_db()
    assert zolw.erased_at is None and zolw.last_name == "Żółw"


@pytest.mark.parametrize("typed", ["ERASE", "erase", "code"])
def test_erase_removes_personal_fields_and_keeps_the_row(manager, zolw, signed_in, typed):
    code = services.pseudonym(zolw)
    response = signed_in(manager).post(reverse("clients:erase", args=[zolw.pk]),
                                       {"confirm": code.lower() if typed == "code" else typed})
    assert response.status_code == 302 and response["Location"] == reverse("clients:detail", args=[zolw.pk])
    zolw.refresh_from_db()
    assert zolw.erased_at is not None and zolw.archived
    assert (zolw.first_name, zolw.last_name, zolw.date_of_birth, zolw.street, zolw.city, zolw.identifiers,
            zolw.tags, zolw.notes, zolw.custom) == ("", "", None, "", "", {}, [], "", {})
    assert code in zolw.display_name
    assert not ClientPhone.objects.filter(client=zolw).exists()
    assert not RelatedParty.objects.filter(client=zolw).exists()
    assert Client.objects.filter(pk=zolw.pk).exists()
    assert not queries.client_search(manager.organization, "zolw").items
    assert Activity.objects.get(verb="client.erased").data == {"pseudonym": code}
    # the access export of an erased record holds no personal data any more
    data = privacy.client_dossier(zolw)
    assert "Żółw" not in json.dumps(data, ensure_ascii=False, default=str)


def test_erasing_twice_says_so(manager, zolw, signed_in):
    web = signed_in(manager)
    url = reverse("clients:erase", args=[zolw.pk])
    web.post(url, {"confirm": "ERASE"})
    assert "was erased on" in web.get(url).content.decode()
    response = web.post(url, {"confirm": "ERASE"})
    assert response.status_code == 409 and "erased already" in response.content.decode()
    assert Activity.objects.filter(verb="client.erased").count() == 1


# --- demo clients --------------------------------------------------------------------------------

@pytest.mark.parametrize("vertical", ["medical", "legal", "small_business"])
def test_demo_clients_are_many_valid_fast_and_include_duplicates(db, make_member, vertical):
    from tests.core.factories import OrganizationFactory, SiteFactory

    country = "GB" if vertical == "small_business" else "PL"
    organization = OrganizationFactory(vertical=vertical, country=country, slug=f"demo-{vertical}")
    SiteFactory(organization=organization)
    members = {caps.OWNER: make_member(organization, caps.OWNER),
               caps.RECEPTIONIST: make_member(organization, caps.RECEPTIONIST)}
    started = time.monotonic()
    demo.load(organization, members)
    assert time.monotonic() - started < 5
    clients = Client.objects.filter(organization=organization)
    assert clients.count() >= demo.DEMO_CLIENTS
    assert clients.filter(kind="organization").exists()
    assert len(queries.duplicate_pairs(organization)) >= 3
    pesels = [c.identifiers["pesel"] for c in clients if "pesel" in c.identifiers]
    nips = [c.identifiers["nip"] for c in clients if "nip" in c.identifiers]
    if country == "PL":
        assert len(pesels) > 50 and all(pesel.is_valid(p) for p in pesels) and all(nip.is_valid(n) for n in nips)
        assert any(set(c.display_name) & set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ") for c in clients)
    assert all(c.phones.exists() for c in clients[:50])
    assert queries.client_search(organization, clients.first().display_name.split()[0]).items
    assert RelatedParty.objects.filter(organization=organization).exists() == (vertical == "legal")
    demo.load(organization, members)  # again: nothing doubles
    assert Client.objects.filter(organization=organization).count() == clients.count()
