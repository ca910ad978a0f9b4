"""The messages pages: one's messages and callbacks owed, taking a message, marking one done.

Each view parses a form, calls one service and renders; a refusal of the service goes back on the form with
what was typed, and nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontoffice.calls.forms.messages import MessageForm
from frontoffice.calls.models import Call, Message
from frontoffice.calls.queries.log import inbox_counts, messages_for
from frontoffice.calls.services.messages import may_close, message_done, message_take
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.pagination import BadCursor, paginate_desc
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page

OPEN_LIMIT = 300  # open messages get dealt with; more than this is a backlog, shown newest first
DONE_PAGE = 50


@dataclass
class Inbox:
    """The open messages a member sees, each in one section: callbacks owed, theirs, their departments'."""

    callbacks: list = field(default_factory=list)
    mine: list = field(default_factory=list)
    departments: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.callbacks) + len(self.mine) + len(self.departments)


def _shown(message: Message) -> Message:
    message.number_display = phones.display(message.caller_number) if message.caller_number.startswith("+") \
        else message.caller_number
    return message


def _inbox(member) -> Inbox:
    inbox = Inbox()
    department_ids = set(member.departments.values_list("pk", flat=True))
    for message in messages_for(member, open=True)[:OPEN_LIMIT]:
        _shown(message)
        message.closable = may_close(member, message, department_ids=department_ids)
        if message.kind == Message.Kind.CALLBACK:
            inbox.callbacks.append(message)
        elif message.for_member_id == member.pk:
            inbox.mine.append(message)
        else:
            inbox.departments.append(message)
    return inbox


def _done_page(request):
    rows = messages_for(request.member, open=False)
    try:
        page = paginate_desc(rows, key="done_at", cursor=request.GET.get("cursor"), limit=DONE_PAGE)
    except BadCursor:
        page = paginate_desc(rows, key="done_at", cursor=None, limit=DONE_PAGE)
    page.items = [_shown(message) for message in page.items]
    return page


@require_GET
@member_required("calls.view")
def messages(request):
    done = request.GET.get("state") == "done"
    context = {"done": done, "can_take": request.member.can("calls.answer")}
    if done:
        context["page"] = _done_page(request)
        return render_page(request, "calls/messages.html", context, partial="calls/messages_done_rows.html")
    return render(request, "calls/messages.html", context | {"inbox": _inbox(request.member)})


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


def _call_from_query(request) -> Call | None:
    pk = request.GET.get("call", "")
    return get_object_or_404(Call.objects.select_related("client", "department"), organization=request.org,
                             pk=pk) if pk.isdigit() else None


@member_required("calls.answer")
def message_new(request):
    if request.method == "POST":
        form = MessageForm(request.POST, organization=request.org)
        if form.is_valid():
            try:
                message_take(actor=request.member, **form.service_fields())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                flash.success(request, _("The message was passed on."))
                return redirect(_next_url(request, reverse("calls:messages")))
        return render(request, "calls/messages_form.html", {"form": form, "next": _next_url(request, "")}, status=400)
    call = _call_from_query(request)
    form = MessageForm.for_call(call, request.org) if call else MessageForm(organization=request.org)
    return render(request, "calls/messages_form.html", {"form": form, "call": call, "next": _next_url(request, "")})


@require_POST
@member_required("calls.view")
def message_done_view(request, pk):
    message = get_object_or_404(Message, organization=request.org, pk=pk)
    try:
        message_done(actor=request.member, message=message)
    except Conflict as exc:
        flash.info(request, exc.message)
    else:
        flash.success(request, _("Marked as done."))
    return redirect(_next_url(request, reverse("calls:messages")))


def dashboard_panel(request) -> dict:
    """The dashboard card "Messages" (registered in wiring): the member's open messages, newest few."""
    latest = [_shown(message) for message in messages_for(request.member, open=True)[:5]]
    return {"counts": inbox_counts(request.member), "latest": latest, "messages_url": reverse("calls:messages")}
