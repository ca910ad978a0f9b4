"""The desk's inquiry pages: the desk (my questions, my departments' queue, overdue first), the phone and
walk-in screen (question → suggested articles → answer → close, in one POST), an inquiry's page with its
thread, and the actions on it.

Each view parses a form, calls one service (two for "answer at once": open, then answer, in one transaction)
and renders; a refusal comes back on the form with what was typed, and nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from frontoffice.clients import queries as client_queries
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Activity
from frontoffice.core.permissions import member_required
from frontoffice.inquiries.forms.desk import (
    ActionForm,
    AnswerForm,
    AssignForm,
    DeskFilterForm,
    EditForm,
    ForwardForm,
    InquiryNewForm,
    note_form,
    reopen_form,
    wait_form,
)
from frontoffice.inquiries.models import Attachment, Category, Inquiry, InquiryMessage
from frontoffice.inquiries.presets import categories_ensure
from frontoffice.inquiries.queries import lists
from frontoffice.inquiries.services import inquiries as services

SESSION_NEW = "inquiries_new"  # the channel and site of the last question taken: the next is likely the same
SESSION_LAST = "inquiries_last"  # the question answered last on the phone screen, linked from the next
FILTERED_LIMIT = 50  # the most urgent; the count says how many more a narrower filter would show
MATCHES = 6


def _ensure_categories(organization) -> None:
    """The vertical's categories exist from the first visit of the desk on."""
    if not Category.objects.filter(organization=organization).exists():
        categories_ensure(organization)


def _suggest_url() -> str:
    try:
        return reverse("inquiries:article_suggest")
    except NoReverseMatch:  # the knowledge base's pages are not mounted
        return ""


# --- due times ---------------------------------------------------------------------------------

def _span(seconds: float) -> str:
    minutes = max(1, int(abs(seconds) // 60))
    if minutes < 60:
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d h", "%(n)d h", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def due_label(due: datetime, now: datetime) -> str:
    """"in 3 h", "overdue by 20 min": how long is left, at a glance."""
    seconds = (due - now).total_seconds()
    if seconds >= 0:
        return _("in %(span)s") % {"span": _span(seconds)}
    return _("overdue by %(span)s") % {"span": _span(seconds)}


def decorate(inquiry: Inquiry, now: datetime) -> Inquiry:
    """The due time that matters now (the first answer's until one is given, then the resolution's)."""
    waiting_for_first = inquiry.first_answered_at is None
    due = inquiry.first_answer_due if waiting_for_first else inquiry.resolution_due
    if waiting_for_first and due is None:
        due = inquiry.resolution_due
    inquiry.due_at = due if inquiry.is_open else None
    first = waiting_for_first and inquiry.first_answer_due
    inquiry.due_kind = _("first answer") if first else _("resolution")
    inquiry.overdue = bool(inquiry.due_at and inquiry.due_at < now)
    inquiry.due_text = due_label(inquiry.due_at, now) if inquiry.due_at else ""
    return inquiry


# --- the desk ----------------------------------------------------------------------------------

@dataclass
class Section:
    """One list of the desk: its rows (capped) and how many there are in all."""

    rows: list = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))


def _desk_sections(member, now) -> tuple[Section, Section, int]:
    found = lists.desk_lists(member, now=now)
    return (Section([decorate(row, now) for row in found.mine], found.mine_count),
            Section([decorate(row, now) for row in found.queue], found.queue_count), found.overdue_count)


def _filtered(request, form: DeskFilterForm, now) -> Section:
    data = form.cleaned_data
    status = data.get("status") or None
    assigned = form.assigned_member(request.member)
    rows = lists.inquiries_of(
        request.org, status=list(Inquiry.OPEN_STATUSES) if status == form.OPEN else status,
        category=data.get("category"), department=data.get("department"), client=data.get("client"),
        assigned=lists.UNASSIGNED if assigned == form.NOBODY else assigned,
        overdue=True if data.get("overdue") else None, q=data.get("q") or "", now=now)
    return Section([decorate(row, now) for row in rows[:FILTERED_LIMIT]], rows.count())


@require_GET
@member_required("inquiries.view")
def desk(request):
    _ensure_categories(request.org)
    now = timezone.now()
    form = DeskFilterForm(request.GET or None, organization=request.org)
    context = {"form": form, "now": now, "can_answer": request.member.can("inquiries.answer")}
    if form.is_bound and not form.is_valid():
        return render(request, "inquiries/desk.html", context, status=400)
    if form.active:
        context["results"] = _filtered(request, form, now)
    else:
        context["mine"], context["queue"], context["overdue_count"] = _desk_sections(request.member, now)
    return render(request, "inquiries/desk.html", context)


# --- the phone and walk-in screen ----------------------------------------------------------------

def _member_sites(request):
    sites = request.member.sites.filter(active=True)
    return sites if sites.exists() else request.org.sites.filter(active=True)


def _new_initial(request) -> dict:
    remembered = request.session.get(SESSION_NEW) or {}
    initial = {"channel": remembered.get("channel", Inquiry.Channel.PHONE), "site": remembered.get("site")}
    general = Category.objects.filter(organization=request.org, active=True, key="general").first()
    if general is not None:
        initial["category"] = general.pk
    pk = request.GET.get("client", "")
    if pk.isdigit():
        client = get_object_or_404(client_queries.clients_of(request.org), pk=pk)
        initial |= {"client": client.pk, "client_name": client.display_name}
    return initial


def _open_and_answer(request, form: InquiryNewForm) -> Inquiry | None:
    """Open the inquiry and (unless it is saved for later) answer it, all or nothing."""
    try:
        with transaction.atomic():
            inquiry = services.inquiry_open(actor=request.member, **form.open_fields())
            if form.cleaned_data["action"] != form.SAVE:
                inquiry = services.inquiry_answer(actor=request.member, inquiry=inquiry,
                                                  **form.answer_fields())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    except Conflict as exc:
        form.add_error(None, exc.message)
        return None
    return inquiry


def _new_context(request, form: InquiryNewForm) -> dict:
    chosen = form.chosen_client
    if chosen is None and not form.is_bound and form.initial.get("client"):
        chosen = client_queries.clients_of(request.org).filter(pk=form.initial["client"]).first()
    last = request.session.get(SESSION_LAST) if not form.is_bound else None
    return {"form": form.focus(), "chosen_client": chosen, "suggest_url": _suggest_url(),
            "articles": form.articles,
            "last": Inquiry.objects.filter(organization=request.org, pk=last).first() if last else None}


@member_required("inquiries.answer")
def inquiry_new(request):
    _ensure_categories(request.org)
    sites = _member_sites(request)
    if request.method != "POST":
        form = InquiryNewForm(organization=request.org, sites=sites, initial=_new_initial(request))
        return render(request, "inquiries/inquiry_new.html", _new_context(request, form))
    form = InquiryNewForm(request.POST, organization=request.org, sites=sites)
    inquiry = _open_and_answer(request, form) if form.is_valid() else None
    if inquiry is None:
        return render(request, "inquiries/inquiry_new.html", _new_context(request, form), status=400)
    request.session[SESSION_NEW] = {"channel": inquiry.channel, "site": inquiry.site_id}
    if form.cleaned_data["action"] == form.SAVE:
        flash.success(request, _("The question is saved: %(subject)s") % {"subject": inquiry.subject})
        return redirect("inquiries:inquiry", inquiry.pk)
    notice = _("Answered and closed: %(subject)s") if inquiry.status == Inquiry.Status.CLOSED \
        else _("Answered: %(subject)s")
    flash.success(request, notice % {"subject": inquiry.subject})
    request.session[SESSION_LAST] = inquiry.pk
    return redirect("inquiries:inquiry_new")


@require_GET
@member_required("inquiries.answer")
def inquiry_client_matches(request):
    """The clients matching what is typed in the phone screen's client field."""
    q = request.GET.get("q", "").strip()[:100]
    matches = []
    if len(q) >= 2 and request.member.can("clients.view"):
        matches = client_queries.client_search(request.org, q, limit=MATCHES).items
        for client in matches:
            client.phone_display = next((phones.display(p.number) for p in client.phones.all()), "")
            client.email_display = next((e.email for e in client.emails.all()), "")
    return render(request, "inquiries/inquiry_client_matches.html", {"q": q, "matches": matches})


# --- an inquiry --------------------------------------------------------------------------------

def _inquiry(request, pk) -> Inquiry:
    return get_object_or_404(
        Inquiry.objects.select_related("client", "category", "department", "site", "assigned_to__user",
                                       "opened_by__user", "first_answered_by__user", "answered_by__user"),
        organization=request.org, pk=pk)


def _thread(inquiry: Inquiry) -> list[InquiryMessage]:
    """The messages after the question (the first inbound message repeats it: shown once)."""
    rows = list(inquiry.messages.select_related("author__user").prefetch_related("attachments"))
    first = rows[0] if rows else None
    if first and first.kind == InquiryMessage.Kind.INBOUND and first.body.strip() == inquiry.question.strip():
        first.is_question = True
    return rows


def _email_to(inquiry: Inquiry) -> str:
    """Where an answer would be e-mailed ("" when it is not)."""
    return services.answer_address(inquiry)


def _suggest_text(inquiry: Inquiry, thread: list[InquiryMessage]) -> str:
    """What the suggestions are looked up with: the client's latest message, else the question."""
    latest = next((m.body for m in reversed(thread) if m.kind == InquiryMessage.Kind.INBOUND), "")
    if latest and latest.strip() != inquiry.question.strip():
        return latest[:1000]
    question = inquiry.question.strip()
    return (question if question.startswith(inquiry.subject.rstrip("…")) else
            f"{inquiry.subject}\n{question}")[:1000]


def _forms(request, inquiry: Inquiry, given: dict, *, email_to: str) -> dict:
    """Every form of the inquiry's page, empty, except the one that was just sent (``given``)."""
    org = request.org
    forms = {
        "answer_form": AnswerForm(organization=org, can_email=bool(email_to)),
        "forward_form": ForwardForm(organization=org, initial={"department": inquiry.department_id}),
        "assign_form": AssignForm(organization=org, initial={"member": inquiry.assigned_to_id}),
        "edit_form": EditForm(organization=org, initial={"category": inquiry.category_id,
                                                         "priority": inquiry.priority}),
        "note_form": note_form(), "wait_form": wait_form(), "reopen_form": reopen_form(),
    }
    return forms | given


def _activities(inquiry: Inquiry) -> list[Activity]:
    rows = Activity.objects.filter(organization_id=inquiry.organization_id, subject_type="inquiries.inquiry",
                                   subject_id=str(inquiry.pk))
    return list(rows.select_related("actor__user").order_by("occurred_at", "id")[:100])


def _detail_context(request, inquiry: Inquiry, refusal: str = "", **given) -> dict:
    now = timezone.now()
    decorate(inquiry, now)
    thread = _thread(inquiry)
    can_answer = request.member.can("inquiries.answer")
    context = {
        "inquiry": inquiry, "now": now, "thread": thread, "can_answer": can_answer,
        "loose_attachments": list(inquiry.attachments.filter(message__isnull=True)),
        "articles_used": list(inquiry.article_uses.select_related("article", "member__user")),
        "activities": _activities(inquiry), "suggest_url": _suggest_url(),
        "suggest_text": _suggest_text(inquiry, thread), "refusal": refusal,
    }
    if can_answer:
        context["email_to"] = _email_to(inquiry)
        context |= _forms(request, inquiry, given, email_to=context["email_to"])
    return context


def _show(request, inquiry: Inquiry, status: int = 200, refusal: str = "", **given):
    context = _detail_context(request, inquiry, refusal, **given)
    return render(request, "inquiries/inquiry.html", context, status=status)


@require_GET
@member_required("inquiries.view")
def inquiry(request, pk):
    return _show(request, _inquiry(request, pk))


@require_GET
@member_required("inquiries.view")
def inquiry_attachment(request, pk, attachment_pk):
    """A file the client sent, to members only, always as a download (never shown as a page)."""
    attachment = get_object_or_404(Attachment, organization=request.org, inquiry_id=pk, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- actions on an inquiry -----------------------------------------------------------------------

def _act(request, pk, form_key: str, form, change, notice: str):
    """Run ``change(inquiry)`` when ``form`` is valid; else (or when refused) the page again with the form."""
    inquiry = _inquiry(request, pk)
    if form.is_valid():
        try:
            with transaction.atomic():
                change(inquiry)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except Conflict as exc:  # the inquiry changed meanwhile: said at the top; the form keeps the text
            return _show(request, _inquiry(request, pk), status=409, refusal=exc.message, **{form_key: form})
        else:
            flash.success(request, notice)
            return redirect("inquiries:inquiry", pk)
    return _show(request, _inquiry(request, pk), status=400, **{form_key: form})


@require_POST
@member_required("inquiries.answer")
def inquiry_answer(request, pk):
    inquiry = _inquiry(request, pk)
    form = AnswerForm(request.POST, organization=request.org, can_email=bool(_email_to(inquiry)))

    def answer(inquiry):
        return services.inquiry_answer(actor=request.member, inquiry=inquiry, **form.service_fields())

    notice = _("Answered and closed.") if request.POST.get("close") else _("Answered.")
    return _act(request, pk, "answer_form", form, answer, notice)


@require_POST
@member_required("inquiries.answer")
def inquiry_forward(request, pk):
    form = ForwardForm(request.POST, organization=request.org)

    def forward(inquiry):
        return services.inquiry_forward(actor=request.member, inquiry=inquiry,
                                           department=form.cleaned_data["department"],
                                           note=form.cleaned_data["note"])

    name = form.cleaned_data["department"].name if form.is_valid() else ""
    return _act(request, pk, "forward_form", form, forward, _("Forwarded to %(name)s.") % {"name": name})


@require_POST
@member_required("inquiries.answer")
def inquiry_assign(request, pk):
    """Give the inquiry to someone (or to nobody); "Take it" posts the member's own id."""
    form = AssignForm(request.POST, organization=request.org)

    def assign(inquiry):
        return services.inquiry_assign(actor=request.member, inquiry=inquiry,
                                       member=form.cleaned_data["member"])

    member = form.cleaned_data.get("member") if form.is_valid() else None
    if member is None:
        notice = _("Nobody is assigned now.")
    elif member.pk == request.member.pk:
        notice = _("The inquiry is yours.")
    else:
        notice = _("Assigned to %(name)s.") % {"name": member.user.full_name or member.user.email}
    return _act(request, pk, "assign_form", form, assign, notice)


@require_POST
@member_required("inquiries.answer")
def inquiry_edit(request, pk):
    """A new category (routes it again, new due times) or priority."""
    form = EditForm(request.POST, organization=request.org)

    def edit(inquiry):
        fields = form.changed_fields(inquiry)
        if not fields:
            return inquiry
        return services.inquiry_update(actor=request.member, inquiry=inquiry, **fields)

    return _act(request, pk, "edit_form", form, edit, _("Saved."))


@require_POST
@member_required("inquiries.answer")
def inquiry_wait(request, pk):
    form = wait_form(request.POST)

    def wait(inquiry):
        return services.inquiry_wait(actor=request.member, inquiry=inquiry, note=form.cleaned_data["text"])

    return _act(request, pk, "wait_form", form, wait, _("Waiting for the client."))


@require_POST
@member_required("inquiries.answer")
def inquiry_close(request, pk):
    form = ActionForm({})

    def close(inquiry):
        return services.inquiry_close(actor=request.member, inquiry=inquiry)

    return _act(request, pk, "close_form", form, close, _("Closed."))


@require_POST
@member_required("inquiries.answer")
def inquiry_reopen(request, pk):
    form = reopen_form(request.POST)

    def reopen(inquiry):
        return services.inquiry_reopen(actor=request.member, inquiry=inquiry,
                                          reason=form.cleaned_data["text"])

    return _act(request, pk, "reopen_form", form, reopen, _("Reopened."))


@require_POST
@member_required("inquiries.answer")
def inquiry_note(request, pk):
    form = note_form(request.POST)

    def note(inquiry):
        return services.inquiry_note(actor=request.member, inquiry=inquiry, text=form.cleaned_data["text"])

    return _act(request, pk, "note_form", form, note, _("The note is added."))
