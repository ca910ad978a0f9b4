"""The client's rating of an answer (1–5, with a comment) from the signed link in the answer e-mail.

The token names the inquiry and its organisation and is signed with the project's secret and a salt of its
own, so it is no use anywhere else and cannot be edited into another inquiry; it lasts 60 days and works
once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.errors import Conflict
from frontoffice.core.services import activity_record
from frontoffice.inquiries.models import Inquiry

SALT = "frontoffice.inquiries.rating"
VALID_FOR = timedelta(days=60)
COMMENT_MAX = 2000


def rating_token(inquiry: Inquiry) -> str:
    return signing.dumps({"i": inquiry.pk, "o": inquiry.organization_id}, salt=SALT)


def rating_link(inquiry: Inquiry) -> str:
    """The absolute address of the rating page for ``inquiry``."""
    return settings.PUBLIC_URL + reverse("public:rate", kwargs={"token": rating_token(inquiry)})


def _invalid() -> ValidationError:
    return ValidationError({"token": ValidationError(_("This rating link is not valid."), code="invalid")})


def inquiry_for_token(token: str) -> Inquiry:
    """The inquiry a rating link is for; ValidationError (code "invalid" or "expired") when the link was
    tampered with, has expired, or its inquiry is gone."""
    try:
        data = signing.loads(str(token or ""), salt=SALT, max_age=VALID_FOR)
    except signing.SignatureExpired:
        raise ValidationError({"token": ValidationError(
            _("This rating link has expired."), code="expired")}) from None
    except signing.BadSignature:
        raise _invalid() from None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("o"), int):
        raise _invalid()
    inquiry = (Inquiry.objects.select_related("organization", "site")
               .filter(pk=data["i"], organization_id=data["o"]).first())
    if inquiry is None:
        raise _invalid()
    return inquiry


def _stars(value) -> int:
    """A whole number of stars from a form (text) or JSON (a number); 0 for anything else."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


@transaction.atomic
def inquiry_rate(*, token: str, rating: int, comment: str = "") -> Inquiry:
    """Record the client's rating (1–5) and comment; a link is used once (a second use: Conflict)."""
    inquiry = inquiry_for_token(token)
    rating = _stars(rating)
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose from 1 to 5 stars.")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("At most %(max)s characters.") % {"max": COMMENT_MAX}})
    inquiry = Inquiry.objects.select_for_update().select_related("organization", "site").get(pk=inquiry.pk)
    if inquiry.rated_at is not None:
        raise Conflict(_("This answer has been rated already. Thank you!"))
    if inquiry.first_answered_at is None:
        raise Conflict(_("This inquiry has not been answered yet."))
    inquiry.rating, inquiry.rating_comment, inquiry.rated_at = rating, comment, timezone.now()
    inquiry.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    activity_record(organization=inquiry.organization, site=inquiry.site, actor=None, actor_kind="client",
                    verb="inquiry.rated", subject=inquiry, client_id=inquiry.client_id, label="",
                    data={"rating": rating, "answered_by": inquiry.answered_by_id, "with_comment": bool(comment)})
    return inquiry
