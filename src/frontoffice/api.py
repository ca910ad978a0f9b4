"""The REST API under /api/v1/: one NinjaAPI; each app mounts its router here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from frontoffice.calls.api import calls_router, lines_router, messages_router, telephony_router
from frontoffice.clients.api import router as clients_router
from frontoffice.core.api import router as core_router
from frontoffice.core.apiutils import SessionAuth, TokenAuth, conflict_body, validation_errors
from frontoffice.core.errors import Conflict
from frontoffice.core.pagination import BadCursor
from frontoffice.inquiries.api import articles_router, inquiries_router
from frontoffice.reception.api import deliveries_router, visits_router

api = NinjaAPI(
    title="frontoffice API",
    version="1",
    description="The front office's REST API. Authenticate with `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


_LOCATIONS = {"body", "query", "path", "form", "payload", "data", "filters"}


def _field_name(loc) -> str | None:
    """"body.payload.email.function-after[...]" -> "email": the field as the client sent it."""
    parts = [str(p) for p in loc if str(p) not in _LOCATIONS and "[" not in str(p)]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    errors, seen = [], set()
    for error in exc.errors:
        field = _field_name(error.get("loc", ()))
        if field in seen:  # a union type reports each alternative; one message per field is enough
            continue
        seen.add(field)
        errors.append({"field": field, "message": error.get("msg", "")})
    return api.create_response(request, {"detail": _("The request has invalid fields."), "errors": errors},
                               status=422)


@api.exception_handler(ValidationError)
def _refused(request, exc: ValidationError):
    return api.create_response(request, {"detail": _("The request was refused."),
                                         "errors": validation_errors(exc)}, status=400)


@api.exception_handler(Conflict)
def _conflict(request, exc: Conflict):
    return api.create_response(request, conflict_body(exc), status=409)


@api.exception_handler(BadCursor)
def _bad_cursor(request, exc: BadCursor):
    return api.create_response(request, {"detail": _("The cursor is not valid."),
                                         "errors": [{"field": "cursor", "message": _("Not a valid cursor.")}]},
                               status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("Authentication required: send a valid API token."),
                                         "errors": []}, status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found."), "errors": []}, status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc), "errors": []}, status=exc.status_code)


api.add_router("/", core_router)
api.add_router("/clients", clients_router)
api.add_router("/visits", visits_router)
api.add_router("/deliveries", deliveries_router)
api.add_router("/calls", calls_router)
api.add_router("/messages", messages_router)
api.add_router("/lines", lines_router)
api.add_router("/telephony", telephony_router)
api.add_router("/inquiries", inquiries_router)
api.add_router("/articles", articles_router)
