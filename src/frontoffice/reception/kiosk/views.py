"""The kiosk's screens: welcome, scan or type a code, find yourself by name, confirm, accept the
documents, check in; walk in without an invitation; check out; the language button.

Each screen is one request: the server keeps nothing half-done between them (a walk-in carries its
details to the documents step in hidden fields), so an idle timeout can drop the visitor anywhere.
Any code the kiosk cannot use sends the visitor back to the welcome screen with a kind sentence
(``NOTICES``) and changes nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontoffice.core.errors import Conflict
from frontoffice.reception import queries, services
from frontoffice.reception.errors import WatchlistMatch
from frontoffice.reception.kiosk import auth, lookup
from frontoffice.reception.kiosk.auth import kiosk_required
from frontoffice.reception.kiosk.forms import WalkInForm

NOTICES = {
    lookup.UNKNOWN: _("We could not find that code. Please check your invitation, or ask at the reception "
                      "desk."),
    lookup.OTHER_SITE: _("This visit is booked at another of our sites. Please ask at the reception desk."),
    lookup.CANCELLED: _("This visit has been cancelled. Please ask at the reception desk."),
    lookup.ALREADY_IN: _("You are already checked in. Please take a seat; your host knows you are here."),
    lookup.ALREADY_LEFT: _("This visit has already ended. Thank you for coming."),
    lookup.NOT_TODAY: _("This visit is booked for another day. Please ask at the reception desk."),
    lookup.NEVER_ARRIVED: _("This visit was never checked in, so there is nothing to check out. If you need "
                            "help, please ask at the reception desk."),
    lookup.SEE_DESK: _("Please see the reception desk."),
}
PAIRING_NOTICES = {
    "unpaired": _("This screen is not set up as a kiosk. Ask the office owner for a kiosk key."),
}

DONE_CHECKED_IN = "in"
DONE_CHECKED_OUT = "out"
DONE_SEE_DESK = "desk"
DONE_SCREENS = (DONE_CHECKED_IN, DONE_CHECKED_OUT, DONE_SEE_DESK)
RETURN_AFTER_SECONDS = 10  # a done screen goes back to the welcome by itself
IDLE_SECONDS = 60  # without a touch, any other screen does


def _page(request, template: str, context: dict | None = None, *, status: int = 200, idle: bool = True):
    kiosk = request.kiosk
    here = request.get_full_path() if request.method == "GET" else reverse("kiosk:welcome")
    return render(request, f"reception/kiosk/{template}", {
        "kiosk": kiosk, "organization": kiosk.organization, "site": kiosk.site,
        "languages": settings.LANGUAGES, "here": here,
        "idle_url": _restart_url() if idle else "", "idle_seconds": IDLE_SECONDS,
        **(context or {}),
    }, status=status)


def _restart_url() -> str:
    return reverse("kiosk:welcome") + "?reset=1"


def _to_welcome(problem: str):
    return redirect(reverse("kiosk:welcome") + "?" + urlencode({"m": problem}))


def _done(screen: str):
    return redirect(reverse("kiosk:done") + "?" + urlencode({"r": screen}))


# --- pairing --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pair(request):
    """Paste the kiosk key (or open the link the owner was given) to make this tablet a kiosk."""
    token = (request.POST.get("token") or request.GET.get("token") or "").strip()
    if request.method == "POST":
        kiosk = services.kiosk_authenticate(token) if token else None
        if kiosk is not None:
            return auth.forget_visitor(auth.pair(redirect("kiosk:welcome"), token))
        error = _("This kiosk key is not valid. Ask the office owner for a new one.")
        return _pairing_page(request, {"error": error}, status=400)
    return _pairing_page(request, {"token": token, "notice": PAIRING_NOTICES.get(request.GET.get("m", ""))})


def _pairing_page(request, context: dict, *, status: int = 200):
    return render(request, "reception/kiosk/pair.html", {
        "current": auth.kiosk_from(request), "staff_signed_in": request.user.is_authenticated, **context,
    }, status=status)


# --- welcome, language, done ----------------------------------------------------------------


@require_GET
@kiosk_required
def welcome(request):
    if request.GET.get("reset"):
        return auth.forget_visitor(redirect("kiosk:welcome"))
    notice = NOTICES.get(request.GET.get("m", ""))
    chosen = auth.visitor_chose_language(request)
    return _page(request, "welcome.html", {"notice": notice}, idle=bool(notice or chosen))


@require_POST
@kiosk_required
def language(request):
    wanted = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not (target.startswith("/kiosk/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)):
        target = reverse("kiosk:welcome")
    response = redirect(target)
    if wanted in dict(settings.LANGUAGES):
        auth.set_visitor_language(response, wanted)
    return response


@require_GET
@kiosk_required
def done(request):
    screen = request.GET.get("r", "")
    if screen not in DONE_SCREENS:
        return redirect("kiosk:welcome")
    return _page(request, "done.html", {"screen": screen, "return_after": RETURN_AFTER_SECONDS})


# --- checking in with an invitation ---------------------------------------------------------


@require_GET
@kiosk_required
def code(request):
    """Scan the QR code of the invitation (a scanner types it and presses Enter) or type it."""
    typed = request.GET.get("code")
    if typed is None:
        return _page(request, "code.html", {"action": reverse("kiosk:code")})
    found = lookup.for_check_in(request.kiosk, typed)
    if found.problem:
        return _to_welcome(found.problem)
    return redirect("kiosk:confirm", code=found.visit.code)


@require_GET
@kiosk_required
def find(request):
    """Type your name: today's expected visitors at this site, shown as "Anna K."."""
    query = request.GET.get("q", "").strip()[:100]
    visits = lookup.expected_today(request.kiosk, query) if query else []
    rows = [{"visit": visit, "name": lookup.short_name(visit.visitor_name)} for visit in visits]
    return _page(request, "find.html", {"query": query, "rows": rows, "searched": bool(query),
                                        "too_short": bool(query) and len(query) < lookup.MIN_NAME_LENGTH})


@require_GET
@kiosk_required
def confirm(request, code):
    found = lookup.for_check_in(request.kiosk, code)
    if found.problem:
        return _to_welcome(found.problem)
    visit = found.visit
    documents = list(queries.documents_for(request.kiosk.organization, visit.visit_type))
    return _page(request, "confirm.html", {"visit": visit, "name": lookup.short_name(visit.visitor_name),
                                           "visit_type": _type_label(request.kiosk, visit.visit_type),
                                           "documents": documents})


@require_GET
@kiosk_required
def documents(request, code):
    found = lookup.for_check_in(request.kiosk, code)
    if found.problem:
        return _to_welcome(found.problem)
    docs = list(queries.documents_for(request.kiosk.organization, found.visit.visit_type))
    if not docs:
        return redirect("kiosk:confirm", code=found.visit.code)
    return _documents_page(request, docs, code=found.visit.code)


@require_POST
@kiosk_required
def check_in(request):
    found = lookup.for_check_in(request.kiosk, request.POST.get("code", ""))
    if found.problem:
        return _to_welcome(found.problem)
    visit = found.visit
    docs = list(queries.documents_for(request.kiosk.organization, visit.visit_type))
    accepted = _accepted(request, docs)
    try:
        services.visit_check_in(actor=None, visit=visit, via="kiosk", kiosk=request.kiosk,
                                accepted_documents=accepted)
    except WatchlistMatch:
        return _done(DONE_SEE_DESK)
    except ValidationError as exc:
        if docs and "documents" in _fields(exc):
            return _documents_page(request, docs, code=visit.code, accepted=accepted, missing=True)
        return _to_welcome(lookup.SEE_DESK)
    except Conflict:
        return _to_welcome(lookup.SEE_DESK)
    return _done(DONE_CHECKED_IN)


# --- walking in -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@kiosk_required
def walk_in(request):
    """Name, company, whom you visit and why; then the documents for that type of visit; checked in."""
    if request.method == "GET":
        return _page(request, "walk_in.html", {"form": WalkInForm(kiosk=request.kiosk)})
    form = WalkInForm(request.POST, kiosk=request.kiosk)
    if not form.is_valid():
        return _page(request, "walk_in.html", {"form": form}, status=400)
    docs = list(queries.documents_for(request.kiosk.organization, form.cleaned_data["visit_type"]))
    accepted = _accepted(request, docs)
    if request.POST.get("step") != "documents" and docs:
        return _documents_page(request, docs, walk_in=form)
    try:
        services.visit_walk_in(actor=None, site=request.kiosk.site, via="kiosk", kiosk=request.kiosk,
                               accepted_documents=accepted, **form.service_arguments())
    except WatchlistMatch:
        return _done(DONE_SEE_DESK)
    except ValidationError as exc:
        fields = _fields(exc)
        if docs and "documents" in fields:
            return _documents_page(request, docs, walk_in=form, accepted=accepted, missing=True)
        _add_errors(form, exc)
        return _page(request, "walk_in.html", {"form": form}, status=400)
    except Conflict:
        return _to_welcome(lookup.SEE_DESK)
    return _done(DONE_CHECKED_IN)


# --- checking out ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@kiosk_required
def check_out(request):
    """Scan the QR code on the badge (or type the code): goodbye."""
    if request.method == "GET":
        return _page(request, "check_out.html", {"action": reverse("kiosk:check_out")})
    found = lookup.for_check_out(request.kiosk, request.POST.get("code", ""))
    if found.problem:
        return _to_welcome(found.problem)
    try:
        services.visit_check_out(actor=None, visit=found.visit, via="kiosk")
    except Conflict:
        return _to_welcome(lookup.SEE_DESK)
    return _done(DONE_CHECKED_OUT)


# --- helpers --------------------------------------------------------------------------------


def _documents_page(request, docs, *, code: str = "", walk_in: WalkInForm | None = None, accepted=(),
                    missing: bool = False):
    accepted_ids = {document.pk for document in accepted}
    carried = [(name, walk_in.cleaned_data[name]) for name in walk_in.fields] if walk_in else []
    return _page(request, "documents.html", {
        "documents": [(document, document.pk in accepted_ids) for document in docs],
        "code": code, "walk_in": walk_in is not None, "carried": carried, "missing": missing,
    }, status=400 if missing else 200)


def _accepted(request, docs) -> list:
    ticked = set(request.POST.getlist("accept"))
    return [document for document in docs if str(document.pk) in ticked]


def _fields(exc: ValidationError) -> set[str]:
    return set(exc.message_dict) if hasattr(exc, "error_dict") else set()


def _add_errors(form, exc: ValidationError) -> None:
    known = set(form.fields)
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        target = "host" if field in ("host_member", "host_department") else field
        form.add_error(target if target in known else None, errors)


def _type_label(kiosk, key: str) -> str:
    return next((str(t.label) for t in queries.visit_types(kiosk.organization) if t.key == key), key)
