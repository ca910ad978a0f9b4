"""The rows of the desk's lists as HTML, built in Python.

The desk re-fetches its lists every 3 seconds, with up to ~200 rows on a busy day: a template per row
(``{% include %}``, ``{% url %}``, ``{% csrf_token %}``, filters) cost about a millisecond a row. Here the
labels are translated and escaped, the URLs reversed and the CSRF field made once per response, and each
row is an f-string of plain values (rows of ``queries.desk_screen``), each value from the database passed
through ``escape`` (``html.escape``, what Django's ``escape`` does, without its lazy-string wrapper: this
runs ~15 times a row). The markup is the one the template had.
"""

from __future__ import annotations

import functools
from datetime import datetime
from html import escape

from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from frontoffice.reception.models import CHECK_OUT_VIA, Visit

_PK = 2147483647  # a placeholder id, reversed once and swapped for each row's


def _url(name: str) -> str:
    """The URL of ``name`` for visit ``{pk}``, to be filled with ``str.format``."""
    return reverse(f"reception:{name}", args=[_PK]).replace(str(_PK), "{pk}")


@functools.cache
def _urls(script_prefix: str) -> dict[str, str]:
    """The rows' URLs (escaped), reversed once per process for the prefix the app is served under."""
    return {name: escape(_url(name)) for name in (
        "visit", "visit_admit", "visit_turn_away", "visit_greet", "visit_host_met", "visit_check_out",
        "visit_check_in", "badge")}


def host_name(row: dict) -> str:
    """As ``Visit.host_name``: the member (their name, else their e-mail), else the department."""
    if row["host_member__user__email"] is not None:
        return row["host_member__user__full_name"] or row["host_member__user__email"]
    return row["host_department__name"] or ""


class DeskRows:
    """Renders the rows of one response: ``rows.held(row)``, ``rows.waiting(row)``… each an HTML string
    (``join`` marks the whole list safe)."""

    def __init__(self, request, *, types: dict, can: dict, back: str, now: datetime, wait_target_seconds: int):
        self.can, self.now, self.target = can, now, wait_target_seconds
        self.zone = timezone.get_current_timezone()
        self.urls = _urls(get_script_prefix())
        self.types = {key: f'<span class="vtype" style="--vtype: {escape(kind.colour)}">{escape(str(kind.label))}</span>'
                      for key, kind in types.items()}
        # The hidden fields of every form of the response: the same CSRF token value serves them all.
        self.hidden = (f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
                       f'<input type="hidden" name="next" value="{escape(back)}">')
        terms = request.member.organization.preset.terms
        linked = _("Linked to a client record")
        on_file = _("%(client)s on file") % {"client": capfirst(terms.client)}
        self.on_file = f' <span class="badge" title="{escape(linked)}">{escape(on_file)}</span>'
        self.via = {key: escape(str(label)) for key, label in CHECK_OUT_VIA}
        # Literal msgids, so that makemessages finds them (they were the template's).
        self.text = {key: escape(text) for key, text in {
            "admit": _("Admit"), "turn_away": _("Turn away"), "call": _("Call a manager"),
            "admit_confirm": _("Admit this visitor although they matched the watchlist?"), "greet": _("Greet"),
            "with_host": _("With host"), "badge": _("Badge"), "check_out": _("Check out"), "check_in": _("Check in"),
            "greeted": _("greeted"), "not_greeted": _("not greeted yet"), "host_told": _("host told"),
            "waiting_since": _("Waiting since"), "late": _("late"), "host_since": _("With the host since"),
            "badge_n": _("badge %(n)s"),  # no markup in it: escaped once here, filled with an escaped number
        }.items()}
        self._hosts: dict[tuple, str] = {}  # the few hosts of the day, escaped once
        self._escaped: dict[int, tuple[str, str, str]] = {}

    # --- pieces -----------------------------------------------------------------------------------

    def _time(self, moment: datetime | None) -> tuple[str, str]:
        """(ISO 8601, HH:MM) in the current time zone; empty for no time."""
        if moment is None:
            return "", ""
        local = moment.astimezone(self.zone)
        return local.isoformat(), f"{local.hour:02d}:{local.minute:02d}"  # strftime is slower

    def _form(self, name: str, pk: int, label: str, button_id: str, css: str = "", confirm: str = "") -> str:
        """A POST form of one button (``label``, ``css`` and ``confirm`` are escaped already)."""
        confirm = f' data-confirm="{confirm}"' if confirm else ""
        css = f' class="{css}"' if css else ""
        return (f'<form method="post" action="{self.urls[name].format(pk=pk)}"{confirm}>{self.hidden}'
                f'<button type="submit"{css} id="{button_id}">{label}</button></form>')

    def _visitor(self, row: dict) -> str:
        """The visitor's name (a link to the visit) and company, then the type of visit and "on file"."""
        return (f'{self._name(row)}\n{self.types.get(row["visit_type"], "")}'
                f'{self.on_file if row["client_id"] else ""}')

    def _people(self, row: dict) -> tuple[str, str, str]:
        """The visitor's name, company and host, escaped (once a row: the row and its link both show them)."""
        found = self._escaped.get(row["pk"])
        if found is None:
            key = (row["host_member__user__email"], row["host_member__user__full_name"], row["host_department__name"])
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = escape(host_name(row))
            found = self._escaped[row["pk"]] = (escape(row["visitor_name"]), escape(row["visitor_company"]), host)
        return found

    def _name(self, row: dict) -> str:
        name, company, _host = self._people(row)
        company = f' <span class="muted">· {company}</span>' if company else ""
        return (f'<a class="visitor" id="v-{row["pk"]}" href="{self.urls["visit"].format(pk=row["pk"])}">'
                f'{name}</a>{company}')

    def _row(self, row: dict, when: str, who: str, last: str, css: str = "", last_class: str = "row-actions") -> str:
        name, company, host = self._people(row)
        css = f' class="{css}"' if css else ""
        return (f'<tr data-row data-search="{name} {company} {host}"{css}>'
                f'\n    <td class="when">{when}</td>\n    <td>{who}</td>\n    <td class="host">{host or "—"}</td>'
                f'\n    <td class="{last_class}">{last}</td>\n  </tr>')

    # --- one row of each list ---------------------------------------------------------------------

    def held(self, row: dict) -> str:
        iso, hm = self._time(row["held_at"])
        pk, text = row["pk"], self.text
        if self.can["watchlist"]:
            actions = (self._form("visit_admit", pk, text["admit"], f"admit-{pk}", confirm=text["admit_confirm"])
                       + self._form("visit_turn_away", pk, text["turn_away"], f"turn-away-{pk}", css="danger"))
        else:
            actions = f'<strong class="bad">{text["call"]}</strong>'
        return self._row(row, f'<time datetime="{iso}">{hm}</time>', self._visitor(row), actions)

    def waiting(self, row: dict) -> str:
        iso, hm = self._time(row["arrived_at"])
        pk, text, overdue = row["pk"], self.text, " overdue" if row["overdue"] else ""
        timer = (f'<span class="timer{overdue}" data-since="{iso}" data-target="{self.target}" '
                 f'title="{text["waiting_since"]} {hm}">{row["waiting_label"]}</span>')
        badge = (f'<span>{text["badge_n"] % {"n": escape(row["badge_number"])}}</span>'
                 if row["badge_number"] else "")
        greeted = (f'<span class="ok">✓ {text["greeted"]}</span>' if row["greeted_at"]
                   else f'<span class="warn">{text["not_greeted"]}</span>')
        told = f'<span class="ok">✓ {text["host_told"]}</span>' if row["host_notified_at"] else ""
        actions = ""
        if self.can["desk"]:
            actions = ("" if row["greeted_at"] else self._form("visit_greet", pk, text["greet"], f"greet-{pk}")) + \
                self._form("visit_host_met", pk, text["with_host"], f"host-met-{pk}") + \
                (f'<a class="button" id="badge-{pk}" href="{self.urls["badge"].format(pk=pk)}?size=label" '
                 f'target="_blank" rel="noopener">{text["badge"]}</a>') + \
                self._form("visit_check_out", pk, text["check_out"], f"out-w-{pk}")
        who = f'{self._visitor(row)}<div class="steps">{badge}{greeted}{told}</div>'
        return self._row(row, timer, who, actions, css="overdue" if row["overdue"] else "")

    def expected(self, row: dict) -> str:
        iso, hm = self._time(row["expected_at"])
        pk, late = row["pk"], row["expected_at"] < self.now
        when = f'<time datetime="{iso}">{hm}</time>' + (
            f'<br><small class="warn">{self.text["late"]}</small>' if late else "")
        purpose = f'<div class="muted small">{escape(row["purpose"])}</div>' if row["purpose"] else ""
        action = self._form("visit_check_in", pk, self.text["check_in"], f"in-{pk}", css="primary") \
            if self.can["desk"] else ""
        return self._row(row, when, self._visitor(row) + purpose, action, css="late" if late else "")

    def with_host(self, row: dict) -> str:
        iso, hm = self._time(row["host_met_at"])
        when = f'<time datetime="{iso}" title="{self.text["host_since"]}">{hm}</time>'
        action = self._form("visit_check_out", row["pk"], self.text["check_out"], f"out-h-{row['pk']}") \
            if self.can["desk"] else ""
        return self._row(row, when, self._visitor(row), action)

    def left(self, row: dict) -> str:
        iso, hm = self._time(row["left_at"])
        return self._row(row, f'<time datetime="{iso}">{hm}</time>', self._name(row),
                         self.via.get(row["check_out_via"], ""), last_class="muted small")

    def any(self, row: dict) -> str:
        """The row of whichever list the visit is in (the "today's visits" page mixes them)."""
        if row["status"] == Visit.EXPECTED:
            return self.held(row) if row["held_at"] else self.expected(row)
        return getattr(self, {Visit.ARRIVED: "waiting", Visit.WITH_HOST: "with_host"}.get(row["status"], "left"))(row)

    def join(self, rows: list[dict], kind: str = "any") -> SafeString:
        render = getattr(self, kind)
        return mark_safe("".join(render(row) for row in rows))  # noqa: S308 (every value is escaped above)
