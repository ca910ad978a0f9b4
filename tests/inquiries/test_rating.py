"""The client's rating from the signed link (inquiries/services/rating.py): once, untampered, in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import ValidationError

from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.inquiries.models import Inquiry
from frontoffice.inquiries.services.inquiries import inquiry_answer
from frontoffice.inquiries.services.rating import (
    SALT,
    inquiry_for_token,
    inquiry_rate,
    rating_link,
    rating_token,
)
from tests.clients.factories import make_client
from tests.inquiries.factories import InquiryFactory


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PUBLIC_URL = "https://office.example"


@pytest.fixture
def answered(receptionist):
    inquiry = InquiryFactory(client=make_client(receptionist), site=receptionist.sites.get())
    return inquiry_answer(actor=receptionist, inquiry=inquiry, text="Yes.", close=True)


def test_the_link_is_absolute_and_its_token_names_the_inquiry(answered):
    link = rating_link(answered)
    assert link.startswith("https://office.example/public/rate/") and link.endswith("/")
    assert inquiry_for_token(link.rstrip("/").rsplit("/", 1)[1]) == answered


def test_a_rating_is_kept_once_and_recorded_for_who_answered(answered, receptionist):
    inquiry = inquiry_rate(token=rating_token(answered), rating="5", comment="  Quick and kind. ")
    assert (inquiry.rating, inquiry.rating_comment) == (5, "Quick and kind.") and inquiry.rated_at
    activity = Activity.objects.get(verb="inquiry.rated")
    assert activity.actor is None and activity.actor_kind == "client" and activity.client_id == answered.client_id
    assert activity.data == {"rating": 5, "answered_by": receptionist.pk, "with_comment": True}
    with pytest.raises(Conflict):
        inquiry_rate(token=rating_token(answered), rating=1)
    assert Inquiry.objects.get(pk=answered.pk).rating == 5


@pytest.mark.parametrize("rating", [0, 6, "", None, "five", 2.5])
def test_a_rating_outside_1_to_5_is_refused(answered, rating):
    with pytest.raises(ValidationError) as refused:
        inquiry_rate(token=rating_token(answered), rating=rating)
    assert "rating" in refused.value.message_dict
    assert Inquiry.objects.get(pk=answered.pk).rated_at is None


def test_a_long_comment_is_refused(answered):
    with pytest.raises(ValidationError) as refused:
        inquiry_rate(token=rating_token(answered), rating=4, comment="x" * 2001)
    assert "comment" in refused.value.message_dict


def _code(token: str) -> str:
    with pytest.raises(ValidationError) as refused:
        inquiry_rate(token=token, rating=5)
    [error] = refused.value.error_dict["token"]
    return error.code


def test_a_tampered_token_is_refused(answered, other_org, receptionist):
    token = rating_token(answered)
    assert _code(token[:-2] + ("aa" if not token.endswith("aa") else "bb")) == "invalid"
    assert _code("") == "invalid"
    # The signature of another salt (another link of the application) is no use here.
    assert _code(signing.dumps({"i": answered.pk, "o": answered.organization_id}, salt="other")) == "invalid"
    # A validly signed token whose organisation is not the inquiry's names nothing.
    assert _code(signing.dumps({"i": answered.pk, "o": other_org.pk}, salt=SALT)) == "invalid"
    assert _code(signing.dumps(["x"], salt=SALT)) == "invalid"
    assert not Activity.objects.filter(verb="inquiry.rated").exists()


def test_a_token_expires_after_60_days(answered):
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        token = rating_token(answered)
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=59), tick=False):
        inquiry_for_token(token)
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=61), tick=False):
        assert _code(token) == "expired"


def test_an_unanswered_inquiry_cannot_be_rated(receptionist):
    inquiry = InquiryFactory(client=make_client(receptionist), site=receptionist.sites.get())
    with pytest.raises(Conflict):
        inquiry_rate(token=rating_token(inquiry), rating=3)
