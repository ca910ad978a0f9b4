"""What the switchboard's screen pop says about a caller's questions (``registry.add_pop_section``).

Two sections, registered by ``wiring.register``:

- **Open questions**: the caller's inquiries still open (open, forwarded, waiting for the client), the most
  urgent first — overdue ones say so — with a link to each, and a count of the rest.
- **Suggested answers**: knowledge-base articles for what the caller probably rings about — the question of
  their most urgent open inquiry, else the articles the desk uses most for the department the caller chose
  in the menu — each with the start of its answer, so the receptionist can read it out from the pop.

Both read only the call's ``organization_id``, ``client_id`` and ``department_id`` (never import calls), and
cost a few indexed queries: the pop is drawn when a call is chosen and after each action on it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from frontoffice.core.registry import PopLine, PopSection
from frontoffice.inquiries import search
from frontoffice.inquiries.models import Article, Inquiry
from frontoffice.inquiries.queries.lists import next_due

OPEN_SHOWN = 3
ARTICLES_SHOWN = 3
ANSWER_CHARS = 160


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j M, H:i")


def _open_inquiries(member, call) -> list[Inquiry]:
    """The caller's open inquiries, the most urgent first: by the due time that matters now (the first
    answer's until one is given, then the resolution's), so the overdue ones lead."""
    if call.client_id is None:
        return []
    return list(Inquiry.objects.filter(organization_id=member.organization_id, client_id=call.client_id,
                                       status__in=Inquiry.OPEN_STATUSES)
                .select_related("department").annotate(due=next_due())
                .order_by(F("due").asc(nulls_last=True), "-opened_at", "-pk")[:OPEN_SHOWN + 1])


def _due(inquiry: Inquiry, now) -> tuple[str, bool]:
    """(when it is due, overdue?) for the due time that matters now (annotated by ``_open_inquiries``)."""
    if inquiry.due is None:
        return "", False
    return _when(inquiry.due), inquiry.due <= now


def _detail(inquiry: Inquiry, now) -> str:
    parts = [inquiry.get_status_display()]
    if inquiry.department is not None:
        parts.append(inquiry.department.name)
    when, overdue = _due(inquiry, now)
    if when:
        label = _("overdue since %(when)s") if overdue else _("due %(when)s")
        parts.append(label % {"when": when})
    return " · ".join(parts)


def open_questions(member, call) -> PopSection | None:
    """The caller's open inquiries, and (for who may take one) a link to take a new question from them;
    nothing for an unknown or withheld caller (no client to ask about)."""
    if call.client_id is None:
        return None
    found = _open_inquiries(member, call)
    now = timezone.now()
    lines = [PopLine(inquiry.subject, reverse("inquiries:inquiry", args=[inquiry.pk]), _detail(inquiry, now))
             for inquiry in found[:OPEN_SHOWN]]
    if len(found) > OPEN_SHOWN:
        more = Inquiry.objects.filter(organization_id=member.organization_id, client_id=call.client_id,
                                      status__in=Inquiry.OPEN_STATUSES).count() - OPEN_SHOWN
        query = urlencode({"client": call.client_id, "status": "open"})
        lines.append(PopLine(_("and %(n)s more open") % {"n": more}, f"{reverse('inquiries:desk')}?{query}"))
    empty = _("No open questions.")
    if member.can("inquiries.answer"):
        if not lines:
            lines.append(PopLine(empty))
        lines.append(PopLine(_("Take a new question"),
                             f"{reverse('inquiries:inquiry_new')}?{urlencode({'client': call.client_id})}"))
    return PopSection("inquiries", _("Open questions"), tuple(lines), empty=empty)


def _suggested(member, call) -> list[Article]:
    """Articles for the caller's most urgent open question; else (or when none fits it) the ones the desk uses
    most in the categories of the department the caller chose."""
    found = _open_inquiries(member, call)
    if found:
        suggested = search.suggest(member.organization, f"{found[0].subject}\n{found[0].question}",
                                   limit=ARTICLES_SHOWN)
        if suggested:
            return list(suggested)
    if call.department_id is None:
        return []
    return list(Article.objects.filter(organization_id=member.organization_id, active=True,
                                       category__department_id=call.department_id)
                .order_by("-uses", "question")[:ARTICLES_SHOWN])


def suggested_answers(member, call) -> PopSection | None:
    """Articles for what the caller probably asks; nothing when there is nothing to go on."""
    articles = _suggested(member, call)
    if not articles:
        return None
    lines = tuple(PopLine(article.question, reverse("inquiries:article", args=[article.pk]),
                          Truncator(" ".join(article.answer.split())).chars(ANSWER_CHARS))
                  for article in articles)
    return PopSection("inquiries_articles", _("Suggested answers"), lines)
