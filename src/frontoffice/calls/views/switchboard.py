"""The switchboard: the receptionist's live screen of calls, the screen pop, and the actions on a call.

The page polls ``switchboard_live`` (switchboard.js, every 700 ms) with the version it has; the answer is
an empty 204 until a call changes. Actions post from the pop; sent by the page's script (``HX-Request``)
they answer with the refreshed pop, otherwise they go back to the switchboard with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontoffice.calls import pop
from frontoffice.calls.forms.switchboard import LinkClientForm, ManualCallForm, QuickAddForm, TransferForm
from frontoffice.calls.lookup import client_for_number
from frontoffice.calls.models import Call
from frontoffice.calls.queries import live
from frontoffice.calls.services import switchboard as services
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.permissions import member_required

SESSION_LINE = "calls_manual_line"
VERSION_HEADER = "X-Board-Version"


def _call(request, pk) -> Call:
    return get_object_or_404(Call.objects.select_related("line", "department", "client", "answered_by__user"),
                             organization=request.org, pk=pk)


def _board_url(call: Call | None = None) -> str:
    return reverse("calls:switchboard") + (f"?call={call.pk}" if call else "")


def _refusal(exc: ValidationError | Conflict) -> str:
    return exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)


# --- the screen ----------------------------------------------------------------------------------

def _live_context(request, now) -> dict:
    return {"board": live.board(request.org, now=now), "now": now, "can_answer": request.member.can("calls.answer")}


def _pop_context(request, call: Call, **extra) -> dict:
    can_answer = request.member.can("calls.answer")
    return {"pop": pop.build(request.member, call), "can_answer": can_answer, "board_url": _board_url(call),
            "transfer_form": TransferForm(organization=request.org) if can_answer else None,
            "quick_form": QuickAddForm(initial={"phone": phones.display(call.from_number) if call.from_number
                                                else "", "name": call.caller_name}) if can_answer else None,
            **extra}


def _manual_form(request, data=None) -> ManualCallForm:
    return ManualCallForm(data, organization=request.org, initial={"line": request.session.get(SESSION_LINE)})


@require_GET
@member_required("calls.view")
def switchboard(request):
    now = timezone.now()
    chosen = request.GET.get("call", "")
    call = _call(request, chosen) if chosen.isdigit() else None
    version = live.version(request.org, now=now)  # before the board: a change in between shows at the next poll
    context = {**_live_context(request, now), "version": version,
               "manual_form": _manual_form(request) if request.member.can("calls.answer") else None}
    if call is not None:
        context |= _pop_context(request, call)
    return render(request, "calls/switchboard.html", context)


@require_GET
@member_required("calls.view")
def switchboard_live(request):
    """The board alone, or 204 (no body) when nothing changed since the version the page has (``?v=``)."""
    now = timezone.now()
    current = live.version(request.org, now=now)
    if request.GET.get("v") == current:
        return HttpResponse(status=204)
    response = render(request, "calls/switchboard_live.html", _live_context(request, now))
    response[VERSION_HEADER] = current
    return response


@require_GET
@member_required("calls.view")
def call_pop(request, pk):
    """The screen pop of one call; with ``?q=`` the clients matching it, to link the caller to."""
    call = _call(request, pk)
    if "q" in request.GET:
        return render(request, "calls/_pop_matches.html", {
            "call": call, "q": request.GET["q"].strip()[:100], "can_answer": request.member.can("calls.answer"),
            "matches": pop.client_matches(request.member, request.GET["q"])})
    return render(request, "calls/_pop.html", _pop_context(request, call))


# --- actions on a call ---------------------------------------------------------------------------

def _done(request, call: Call, notice: str, *, error: bool = False, **forms):
    """After an action: the pop again (the page's script asked), else back to the board with a message."""
    if request.htmx:
        context = _pop_context(request, call, notice=notice, error=error, **forms)
        return render(request, "calls/_pop.html", context, status=400 if error else 200)
    (messages.error if error else messages.success)(request, notice)
    return redirect(_board_url(call))


def _act(request, pk, action, notice: str, **forms):
    call = _call(request, pk)
    try:
        call = action(call)
    except (ValidationError, Conflict) as exc:
        return _done(request, call, _refusal(exc), error=True, **forms)
    return _done(request, _call(request, call.pk), notice)


@require_POST
@member_required("calls.answer")
def call_answer(request, pk):
    return _act(request, pk, lambda call: services.call_answer(actor=request.member, call=call),
                _("You have the call."))


@require_POST
@member_required("calls.answer")
def call_handled(request, pk):
    return _act(request, pk, lambda call: services.call_mark_handled(actor=request.member, call=call),
                _("The call is marked handled."))


@require_POST
@member_required("calls.answer")
def call_transfer(request, pk):
    form = TransferForm(request.POST, organization=request.org)
    if not form.is_valid():
        return _done(request, _call(request, pk), _("Choose where the call goes."), error=True, transfer_form=form)
    target = form.cleaned_data["to"]
    name = target["department"] or target["member"]
    return _act(request, pk, lambda call: services.call_transfer(actor=request.member, call=call, **target),
                _("Transferred to %(name)s.") % {"name": name}, transfer_form=form)


@require_POST
@member_required("calls.answer")
def call_quick_add(request, pk):
    """A new caller: name (and the number of the call) → a client, linked to the call."""
    form = QuickAddForm(request.POST)
    if not form.is_valid():
        return _done(request, _call(request, pk), _("Check the name and number."), error=True, quick_form=form)

    def add(call):
        try:
            return services.call_quick_add(actor=request.member, call=call, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
            raise

    return _act(request, pk, add, _("The caller is a client now."), quick_form=form)


@require_POST
@member_required("calls.answer")
def call_link(request, pk):
    """The caller is this existing client (found by searching in the pop)."""
    form = LinkClientForm(request.POST, organization=request.org)
    if not form.is_valid():
        return _done(request, _call(request, pk), " ".join(form.errors.get("client", [])) or
                     _("Choose the client."), error=True)
    return _act(request, pk, lambda call: services.call_link_client(actor=request.member, call=call,
                                                                   client=form.cleaned_data["client"]),
                _("The call is linked to %(name)s.") % {"name": form.cleaned_data["client"].display_name})


@require_GET
@member_required("calls.answer")
def call_message(request, pk):
    """Take a message from this call: the messages form, filled in from it, coming back here after."""
    call = _call(request, pk)
    return redirect(reverse("calls:message_new") + "?" + urlencode({"call": call.pk, "next": _board_url(call)}))


# --- manual mode ---------------------------------------------------------------------------------

def _who(request, number: str) -> dict:
    """Who the number typed so far belongs to, for the manual form's hint."""
    e164 = phones.try_normalize(number, request.org.country) if phones.looks_like_phone(number) else None
    found = client_for_number(request.org.pk, e164) if e164 else None
    return {"typed": number.strip(), "e164": e164, "found": found}


@member_required("calls.answer")
def manual_call(request):
    """A call on an ordinary phone, logged while talking. The line is remembered for the next one."""
    if request.method == "GET" and "number" in request.GET:
        return render(request, "calls/switchboard_manual_who.html", _who(request, request.GET["number"][:64]))
    form = _manual_form(request, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            call = services.call_log_manual(actor=request.member, **form.service_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            request.session[SESSION_LINE] = call.line_id
            return _done(request, _call(request, call.pk), _("The call is logged."))
    template = "calls/switchboard_manual_form.html" if request.htmx else "calls/switchboard_manual.html"
    return render(request, template, {"manual_form": form}, status=400 if form.errors else 200)
