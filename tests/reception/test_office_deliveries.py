"""The deliveries pages: the list per site, logging a package (with an optional photo), recording the
pick-up, and the photo served only to members of the organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from frontoffice.core import capabilities as caps
from frontoffice.core.models import Activity
from frontoffice.reception.models import Delivery
from frontoffice.reception.views.office_forms import MAX_PHOTO_BYTES
from tests.core.factories import SiteFactory
from tests.reception.factories import DeliveryFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def page(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    settings.TASKS_EAGER = True  # the recipient's e-mail is sent in the request, into the outbox


@pytest.fixture
def desk(receptionist, signed_in):
    return signed_in(receptionist)


@pytest.fixture
def site(org):
    return org.sites.get()


@pytest.fixture
def recipient(org, make_member):
    return make_member(org, caps.EXECUTIVE, user__full_name="Zofia Adresatka", user__email="zofia@example.com")


@pytest.fixture
def parcel(site, recipient):
    return DeliveryFactory(site=site, recipient=recipient, carrier="InPost", tracking="IP123",
                           description="Small box", storage_spot="Shelf B",
                           received_at=timezone.now() - timedelta(hours=2))


def form(at, to, **fields):
    return {"site": at.pk, "recipient": to.pk, "carrier": "DHL", "tracking": "JD0001",
            "description": "Two envelopes", "storage_spot": "Safe"} | fields


# --- the list --------------------------------------------------------------------------------

def test_list_shows_waiting_and_recently_picked_up_packages(desk, site, recipient, parcel):
    DeliveryFactory(site=site, recipient=recipient, carrier="UPS", picked_up_at=timezone.now() - timedelta(hours=1),
                    picked_up_by_name="Marek Kurier")
    DeliveryFactory(site=site, recipient=recipient, carrier="FedEx", picked_up_at=timezone.now() - timedelta(days=9))
    response = desk.get(reverse("reception:deliveries"))
    assert response.status_code == 200
    html = page(response)
    waiting, picked = html.split('id="waiting"')[1].split('id="picked-up"')
    for text in ("Zofia Adresatka", "InPost", "IP123", "Small box", "Shelf B", "waiting 2\xa0hours"):
        assert text in waiting, text
    assert reverse("reception:delivery_pickup", args=[parcel.pk]) in waiting
    assert "UPS" in picked and "Marek Kurier" in picked and "UPS" not in waiting
    assert "FedEx" not in html  # picked up more than a week ago


def test_list_by_site_shows_only_that_sites_packages(desk, org, site, recipient, parcel):
    annex = SiteFactory(organization=org, name="Annex")
    DeliveryFactory(site=annex, recipient=recipient, carrier="GLS")
    everything = page(desk.get(reverse("reception:deliveries")))
    assert "InPost" in everything and "GLS" in everything and 'name="site"' in everything
    annex_only = page(desk.get(reverse("reception:deliveries"), {"site": annex.pk}))
    assert "GLS" in annex_only and "InPost" not in annex_only
    assert f"{reverse('reception:delivery_new')}?site={annex.pk}" in annex_only


def test_a_site_of_another_organisation_shows_nothing_of_it(desk, other_org, recipient, parcel):
    foreign = other_org.sites.get()
    DeliveryFactory(site=foreign, carrier="Foreign Post")
    html = page(desk.get(reverse("reception:deliveries"), {"site": foreign.pk}))
    assert "Foreign Post" not in html and "InPost" in html  # an unknown site is no filter


def test_auditor_sees_the_list_without_logging_or_pickup(auditor, signed_in, parcel):
    html = page(signed_in(auditor).get(reverse("reception:deliveries")))
    assert "InPost" in html
    assert reverse("reception:delivery_new") not in html
    assert reverse("reception:delivery_pickup", args=[parcel.pk]) not in html


def test_list_query_count_is_pinned(desk, site, recipient, django_assert_max_num_queries):
    for n in range(20):
        DeliveryFactory(site=site, recipient=recipient, tracking=f"T{n}")
        DeliveryFactory(site=site, recipient=recipient, picked_up_at=timezone.now(), handed_over_by=recipient)
    desk.get(reverse("reception:deliveries"))
    # session and member, the organisation switcher, the waiting packages, those picked up, the sites
    with django_assert_max_num_queries(6):
        response = desk.get(reverse("reception:deliveries"))
    assert page(response).count('class="pickup"') == 20


# --- logging a package -----------------------------------------------------------------------

def test_log_form_offers_the_organisations_active_members_and_sites(desk, org, other_org, recipient, make_member):
    gone = make_member(org, caps.CLERK, user__full_name="Former Clerk", active=False)
    stranger = make_member(other_org, caps.OWNER, user__full_name="Stranger Owner")
    html = page(desk.get(reverse("reception:delivery_new")))
    assert f'value="{recipient.pk}">Zofia Adresatka' in html
    assert "Former Clerk" not in html and "Stranger Owner" not in html and f'value="{gone.pk}"' not in html
    assert f'value="{stranger.pk}"' not in html
    assert 'enctype="multipart/form-data"' in html and 'accept="image/jpeg' in html


def test_logging_a_package_with_a_photo_tells_the_recipient(desk, receptionist, site, recipient):
    photo = SimpleUploadedFile("IMG_2024 Zofia's parcel.png", PNG, content_type="image/png")
    response = desk.post(reverse("reception:delivery_new"), form(site, recipient, photo=photo))
    delivery = Delivery.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reception:deliveries")
    assert (delivery.carrier, delivery.tracking, delivery.description, delivery.storage_spot) == (
        "DHL", "JD0001", "Two envelopes", "Safe")
    assert delivery.recipient == recipient and delivery.received_by == receptionist and delivery.site == site
    assert delivery.photo.name.startswith("deliveries/") and delivery.photo.name.endswith(".png")
    assert "Zofia" not in delivery.photo.name  # a name of our own, not the sender's
    assert delivery.photo.read() == PNG
    assert Activity.objects.filter(verb="delivery.logged").count() == 1
    assert [m.to for m in mail.outbox] == [["zofia@example.com"]]
    html = page(desk.get(response["Location"]))
    assert "Package for Zofia Adresatka logged" in html
    assert reverse("reception:delivery_photo", args=[delivery.pk]) in html


def test_with_several_sites_logging_goes_back_to_that_sites_list(desk, org, recipient):
    annex = SiteFactory(organization=org, name="Annex")
    html = page(desk.get(reverse("reception:delivery_new"), {"site": annex.pk}))
    assert f'<option value="{annex.pk}" selected>Annex</option>' in html
    response = desk.post(reverse("reception:delivery_new"), form(annex, recipient))
    assert response["Location"] == f"{reverse('reception:deliveries')}?site={annex.pk}"
    assert "<h1>Deliveries · Annex</h1>" in page(desk.get(response["Location"]))


def test_a_package_just_logged_is_just_in(desk, site, recipient):
    DeliveryFactory(site=site, recipient=recipient)
    assert "just in" in page(desk.get(reverse("reception:deliveries")))


def test_a_photo_is_optional(desk, site, recipient):
    assert desk.post(reverse("reception:delivery_new"), form(site, recipient)).status_code == 302
    assert not Delivery.objects.get().photo


@pytest.mark.parametrize("fields, name, message", [
    ({"carrier": " "}, "carrier", "This field is required."),
    ({"recipient": ""}, "recipient", "This field is required."),
    ({"tracking": "x" * 101}, "tracking", "Ensure this value has at most 100 characters"),
    ({"site": "999999"}, "site", "Select a valid choice."),
])
def test_bad_input_is_refused_on_the_field_keeping_what_was_typed(desk, site, recipient, fields, name, message):
    response = desk.post(reverse("reception:delivery_new"), form(site, recipient, **fields))
    assert response.status_code == 400
    html = page(response)
    assert message in html.split(f'name="{name}"', 1)[1].split('<div class="field')[0]
    assert 'value="Two envelopes"' in html and 'value="Safe"' in html
    assert not Delivery.objects.exists() and not mail.outbox


def test_a_recipient_of_another_organisation_is_refused(desk, site, recipient, other_owner):
    response = desk.post(reverse("reception:delivery_new"), form(site, recipient, recipient=other_owner.pk))
    assert response.status_code == 400 and "Select a valid choice." in page(response)
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("parcel.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg"), "is not a picture"),
    (SimpleUploadedFile("parcel.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>",
                        content_type="image/svg+xml"), "is not a picture"),
    (SimpleUploadedFile("huge.jpg", JPEG + b"\x00" * MAX_PHOTO_BYTES, content_type="image/jpeg"),
     "the most it may be is 5.0\xa0MB"),
])
def test_a_photo_that_is_not_a_small_picture_is_refused(desk, site, recipient, upload, message):
    response = desk.post(reverse("reception:delivery_new"), form(site, recipient, photo=upload))
    assert response.status_code == 400
    html = page(response)
    assert message in html.split('name="photo"')[1]
    assert "Choose the photo again" in html and 'value="JD0001"' in html
    assert not Delivery.objects.exists()


# --- the pick-up -----------------------------------------------------------------------------

def test_recording_the_pickup_from_the_list(desk, receptionist, parcel):
    response = desk.post(reverse("reception:delivery_pickup", args=[parcel.pk]),
                         {"picked_up_by_name": "Marek Kurier"})
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.picked_up_at is not None and parcel.picked_up_by_name == "Marek Kurier"
    assert parcel.handed_over_by == receptionist
    assert Activity.objects.filter(verb="delivery.picked_up").count() == 1
    html = page(desk.get(response["Location"]))
    assert "Picked up: the package for Zofia Adresatka." in html
    assert "Marek Kurier" in html.split('id="picked-up"')[1]


def test_pickup_page_shows_the_package(desk, parcel):
    html = page(desk.get(reverse("reception:delivery_pickup", args=[parcel.pk])))
    for text in ("Package for Zofia Adresatka", "InPost", "IP123", "Small box", "Shelf B", 'name="picked_up_by_name"'):
        assert text in html, text


def test_a_package_picked_up_twice_is_refused_and_unchanged(desk, parcel):
    desk.post(reverse("reception:delivery_pickup", args=[parcel.pk]), {"picked_up_by_name": "First"})
    response = desk.post(reverse("reception:delivery_pickup", args=[parcel.pk]), {"picked_up_by_name": "Second"})
    assert response.status_code == 409
    assert "already" in page(response) and 'value="Second"' in page(response)
    parcel.refresh_from_db()
    assert parcel.picked_up_by_name == "First"
    assert Activity.objects.filter(verb="delivery.picked_up").count() == 1


def test_a_picked_up_package_shows_who_collected_it(desk, parcel):
    desk.post(reverse("reception:delivery_pickup", args=[parcel.pk]), {"picked_up_by_name": ""})
    html = page(desk.get(reverse("reception:delivery_pickup", args=[parcel.pk])))
    assert "This package has been picked up." in html and 'name="picked_up_by_name"' not in html


def test_pickup_with_a_too_long_name_changes_nothing(desk, parcel):
    response = desk.post(reverse("reception:delivery_pickup", args=[parcel.pk]), {"picked_up_by_name": "x" * 201})
    assert response.status_code == 400 and "at most 200 characters" in page(response)
    assert 'value="' + "x" * 201 + '"' in page(response)
    parcel.refresh_from_db()
    assert parcel.picked_up_at is None


# --- the photo -------------------------------------------------------------------------------

def _with_photo(delivery, content: bytes, name: str = "parcel.png"):
    delivery.photo.save(name, ContentFile(content))
    return delivery


def test_photo_is_served_as_the_picture_it_is(desk, parcel):
    _with_photo(parcel, JPEG, "parcel.png")  # the bytes decide, not the name
    response = desk.get(reverse("reception:delivery_photo", args=[parcel.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")


def test_photo_is_for_every_member_of_the_organisation(auditor, signed_in, parcel):
    _with_photo(parcel, PNG)
    assert signed_in(auditor).get(reverse("reception:delivery_photo", args=[parcel.pk])).status_code == 200


def test_photo_of_another_organisation_is_404(other_owner, signed_in, parcel):
    _with_photo(parcel, PNG)
    assert signed_in(other_owner).get(reverse("reception:delivery_photo", args=[parcel.pk])).status_code == 404


def test_no_photo_or_a_stored_file_that_is_not_a_picture_is_404(desk, parcel, site, recipient):
    assert desk.get(reverse("reception:delivery_photo", args=[parcel.pk])).status_code == 404
    _with_photo(parcel, b"<html><script>alert(1)</script></html>", "evil.png")
    assert desk.get(reverse("reception:delivery_photo", args=[parcel.pk])).status_code == 404
    missing = DeliveryFactory(site=site, recipient=recipient, photo="deliveries/gone.png")
    assert desk.get(reverse("reception:delivery_photo", args=[missing.pk])).status_code == 404
