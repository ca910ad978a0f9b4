"""The calls API: the call log, calls logged by hand and transfers, messages, lines and their flows, and the
telephony provider.

Handlers parse, check the capability, look rows up in the member's organisation and call the same services
and queries as the pages. Ids in a body or a filter that are not of the organisation are refused with 400
naming the field; ids in the path, with 404.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from frontoffice.calls.models import Call, Line, Message
from frontoffice.calls.plans import flow_from_dict
from frontoffice.calls.queries import log
from frontoffice.calls.schemas import (
    CallDetailOut,
    CallFilter,
    CallPage,
    FlowIn,
    FlowOut,
    LineIn,
    LineList,
    LineOut,
    ManualCallIn,
    MessageFilter,
    MessageIn,
    MessageOut,
    MessagePage,
    ProviderIn,
    ProviderOut,
    TransferIn,
)
from frontoffice.calls.services import lines, messages, provider, switchboard
from frontoffice.clients.queries import clients_of
from frontoffice.core.apiutils import aware, fields_as_sent, own, require
from frontoffice.core.pagination import paginate_desc
from frontoffice.core.schemas import ErrorOut

calls_router = Router(tags=["calls"])
messages_router = Router(tags=["calls"])
lines_router = Router(tags=["calls"])
telephony_router = Router(tags=["calls"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- looking rows up ---------------------------------------------------------------------------

def _site(request, site_id: int | None):
    """The site named, or the organisation's only active one."""
    if site_id is not None:
        return own(request.org.sites, site_id, "site_id")
    found = list(request.org.sites.filter(active=True)[:2])
    if len(found) != 1:
        raise ValidationError({"site_id": _("Choose the site: the organisation has more than one.") if found
                               else _("The organisation has no open site.")})
    return found[0]


def _clients(request):
    return clients_of(request.org, archived=None)



# The services name model fields; the API's caller sent ids.
_SENT_AS = {"line": "line_id", "number_raw": "number", "department": "department_id", "client": "client_id",
            "member": "member_id", "for_member": "for_member_id", "for_department": "for_department_id",
            "call": "call_id", "site": "site_id"}




# --- calls -------------------------------------------------------------------------------------

def _call_or_404(request, call_id: int) -> Call:
    call = log.call_of(request.org, call_id)
    if call is None:
        raise Http404
    return call


@calls_router.get("", response={200: CallPage, **ERRORS}, summary="The call log",
                  description="Newest first. `from` and `to` are days (YYYY-MM-DD, `to` includes its day) or "
                              "moments (ISO 8601, `to` excluded); without an offset, in the organisation's "
                              "time zone. Pass `next_cursor` back as `cursor` for the next page.")
def call_list(request, filters: Query[CallFilter]):
    require(request, "calls.view")
    rows = log.calls_of(request.org, from_=filters.from_, to=filters.to, outcome=filters.outcome,
                        line=own(request.org.lines, filters.line, "line"),
                        department=own(request.org.departments, filters.department, "department"),
                        client=own(_clients(request), filters.client, "client"))
    page = paginate_desc(rows.select_related("handled_by__user"), key="offered_at", cursor=filters.cursor,
                         limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@calls_router.post("", response={201: CallDetailOut, **ERRORS}, summary="Log a call by hand",
                   description="For an office with an ordinary phone and no provider: the call has ended "
                               "when it is logged. A `number` that is not a phone number (withheld) is kept "
                               "as given, with an empty E.164 number.")
def call_create(request, payload: ManualCallIn):
    require(request, "calls.answer")
    with fields_as_sent(_SENT_AS):
        call = switchboard.call_log_manual(
            actor=request.member, line=own(request.org.lines, payload.line_id, "line_id"),
            number_raw=payload.number, outcome=payload.outcome,
            department=own(request.org.departments, payload.department_id, "department_id"),
            client=own(_clients(request), payload.client_id, "client_id"), caller_name=payload.caller_name,
            notes=payload.notes, offered_at=aware(request, payload.offered_at), answered=payload.answered)
    return Status(201, _call_or_404(request, call.pk))


@calls_router.get("/{call_id}", response={200: CallDetailOut, **ERRORS}, summary="One call, with its legs")
def call_get(request, call_id: int):
    require(request, "calls.view")
    return _call_or_404(request, call_id)


@calls_router.post("/{call_id}/transfer", response={200: CallDetailOut, **ERRORS}, summary="Transfer a call",
                   description="To a department (its ring group) or a member (their phone): exactly one. "
                               "A live provider call is redirected by the provider; otherwise the transfer "
                               "is recorded as done by hand. Transferring a call the desk already routed "
                               "records a misroute.")
def call_transfer(request, call_id: int, payload: TransferIn):
    require(request, "calls.answer")
    call = _call_or_404(request, call_id)
    with fields_as_sent(_SENT_AS):
        department = own(request.org.departments, payload.department_id, "department_id")
        member = own(request.org.members, payload.member_id, "member_id")
        switchboard.call_transfer(actor=request.member, call=call, department=department, member=member)
    return _call_or_404(request, call_id)


# --- messages ----------------------------------------------------------------------------------

_OPEN = {"open": True, "done": False, "all": None}


@messages_router.get("", response={200: MessagePage, **ERRORS}, summary="Messages and callbacks owed",
                     description="Yours, your departments', and at the desk (calls.answer) the desk's; "
                                 "newest first. `status=open` (the default): not dealt with yet.")
def message_list(request, filters: Query[MessageFilter]):
    require(request, "calls.view")
    rows = log.messages_for(request.member, open=_OPEN[filters.status])
    page = paginate_desc(rows, key="created_at", cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@messages_router.post("", response={201: MessageOut, **ERRORS}, summary="Take a message",
                      description="For a member or a department. The recipient sees it in the application "
                                  "and gets it by e-mail. Taken on a call (`call_id`), the call's number, "
                                  "name and client fill what is left out.")
def message_create(request, payload: MessageIn):
    require(request, "calls.answer")
    with fields_as_sent(_SENT_AS):
        message = messages.message_take(
            actor=request.member, text=payload.text, urgency=payload.urgency,
            for_member=own(request.org.members, payload.for_member_id, "for_member_id"),
            for_department=own(request.org.departments, payload.for_department_id, "for_department_id"),
            caller_name=payload.caller_name, caller_number=payload.caller_number,
            call=own(request.org.calls, payload.call_id, "call_id"),
            client=own(_clients(request), payload.client_id, "client_id"))
    return Status(201, _message_or_404(request, message.pk))


def _message_or_404(request, message_id: int) -> Message:
    found = (request.org.phone_messages.filter(pk=message_id)
             .select_related("for_member__user", "for_department", "created_by__user", "done_by__user")
             .first())
    if found is None:
        raise Http404
    return found


@messages_router.post("/{message_id}/done", response={200: MessageOut, **ERRORS},
                      summary="Mark a message dealt with",
                      description="By the recipient, a member of the recipient department, or the desk "
                                  "(calls.answer). 409 when it was dealt with already.")
def message_done(request, message_id: int):
    require(request, "calls.view")
    message = _message_or_404(request, message_id)
    if not messages.may_close(request.member, message):
        raise HttpError(403, _("Only the recipient, their department or the desk may close this message."))
    messages.message_done(actor=request.member, message=message)
    return _message_or_404(request, message_id)


# --- lines and their flows ----------------------------------------------------------------------

def _line_or_404(request, line_id: int) -> Line:
    line = request.org.lines.filter(pk=line_id).first()
    if line is None:
        raise Http404
    line.organization = request.org  # the same row, already loaded: spares the services a query
    return line


@lines_router.get("", response={200: LineList, **ERRORS}, summary="The phone lines",
                  description="Switched-off lines too (`active` false): the call log still points at them.")
def line_list(request):
    require(request, "calls.view")
    return {"items": request.org.lines.all()}


@lines_router.post("", response={201: LineOut, **ERRORS}, summary="Add a phone line",
                   description="The number is unique across every organisation. A new line thanks the caller "
                               "and rings its department (a direct line) or the desk; change that with "
                               "`PUT /lines/{id}/flow`.")
def line_create(request, payload: LineIn):
    require(request, "calls.manage")
    with fields_as_sent(_SENT_AS):
        line = lines.line_create(
            actor=request.member, number=payload.number, label=payload.label, position=payload.position,
            site=_site(request, payload.site_id),
            department=own(request.org.departments, payload.department_id, "department_id"))
    return Status(201, line)


@lines_router.get("/{line_id}/flow", response={200: FlowOut, **ERRORS}, summary="A line's call flow")
def line_flow_get(request, line_id: int):
    require(request, "calls.view")
    return flow_from_dict(_line_or_404(request, line_id).flow)


@lines_router.put("/{line_id}/flow", response={200: FlowOut, **ERRORS}, summary="Replace a line's call flow",
                  description="What is left out takes its default. A greeting recording is uploaded in "
                              "the application; while the line has one, it is played instead of "
                              "`greeting_text`. A flow whose menu or overflow loops, or that names a "
                              "department without a ring group, is refused.")
def line_flow_put(request, line_id: int, payload: FlowIn):
    require(request, "calls.manage")
    line = _line_or_404(request, line_id)
    with fields_as_sent(_SENT_AS):
        line = lines.line_flow_save(actor=request.member, line=line, flow=payload.dict())
    return flow_from_dict(line.flow)


# --- the telephony provider ----------------------------------------------------------------------

@telephony_router.put("/provider", response={200: ProviderOut, **ERRORS},
                      summary="Connect the telephony provider",
                      description="Twilio, or SignalWire (with its `space_url`). The auth token signs every "
                                  "webhook; it is never shown back (`token_hint`: its last four "
                                  "characters). An empty `auth_token` keeps the stored one. Point the "
                                  "number's webhooks at `voice_url` and `status_url`.")
def provider_put(request, payload: ProviderIn):
    require(request, "calls.provider")
    return provider.provider_set(actor=request.member, **payload.dict())
