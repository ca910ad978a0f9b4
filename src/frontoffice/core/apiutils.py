"""What every app's API router shares: authentication, capability checks, errors, cursors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from frontoffice.core.errors import Conflict
from frontoffice.core.middleware import second_factor_missing
from frontoffice.core.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fo_…``: the token's member acts, in the token's organisation."""

    def authenticate(self, request: HttpRequest, token: str):
        found = token_authenticate(token)
        if found is None:
            return None
        request.member = found.member
        request.org = found.member.organization
        request.api_token = found
        timezone.activate(request.org.tz)
        return found.member


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF-checked for writes), so pages can call the API too."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None):
        member = getattr(request, "member", None)
        if member is None or second_factor_missing(request):
            return None
        return member


def require(request: HttpRequest, capability: str) -> None:
    if not request.member.can(capability):
        raise HttpError(403, f"You lack the capability {capability}.")


def validation_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"field": field if field != "__all__" else None, "message": message}
                for field, errors in exc.message_dict.items() for message in errors]
    return [{"field": None, "message": message} for message in exc.messages]


def conflict_body(exc: Conflict) -> dict:
    return {"detail": exc.message, "errors": [{"field": exc.field, "message": exc.message}]}


def aware(request: HttpRequest, moment: datetime | None) -> datetime | None:
    """A time sent without an offset is read in the organisation's time zone."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, request.org.tz)


@contextmanager
def fields_as_sent(sent_as: Mapping[str, str]) -> Iterator[None]:
    """Report a service's refusal under the names of the fields the caller sent (``{"site": "site_id"}``:
    the services name model fields, the API's callers send ids)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({sent_as.get(field, field): errors
                               for field, errors in exc.error_dict.items()}) from None


def own(rows, pk: int | None, field: str):
    """The organisation's row with this id among ``rows`` (None for None), else 400 naming the field that sent
    it: an id of another organisation is refused like an unknown one."""
    if pk is None:
        return None
    row = rows.filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: _("Nothing with this id in your organisation.")})
    return row
