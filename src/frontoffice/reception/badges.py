"""Visitor badges and the roll call, as PDFs (fpdf2 with the DejaVu fonts, so Polish letters print).

``badge_pdf(visit, size="label")`` draws one badge 62 mm × 100 mm: the visit type's colour as a band
across the top, the visitor's name as large as it fits, company, host, date, badge number, site and a
QR code of the visit's ``code`` (the kiosk checks the visitor out when it reads it), the code printed
under it for typing. ``roll_call_pdf(...)`` lists everyone on site for an evacuation.

Both are written in the organisation's language and dated in the site's time zone (which defaults to
the organisation's). The views and the API serve the bytes; they pass the objects, nothing else.
"""

from __future__ import annotations

import io
import logging
import re
import zoneinfo
from datetime import datetime
from pathlib import Path

import segno
from babel import dates as babel_dates
from django.utils import translation
from django.utils.translation import gettext as _

from frontoffice.core.errors import Conflict
from frontoffice.core.text import fold
from frontoffice.reception import presets

FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"
FONT = "DejaVu"

# fpdf2 subsets the fonts with fontTools, which logs every glyph table at INFO: not for the server log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

LABEL_WIDTH, LABEL_HEIGHT = 62.0, 100.0  # mm: Brother DK-22205 continuous 62 mm tape, cut at 100 mm
A4_WIDTH, A4_HEIGHT = 210.0, 297.0
SIZES = ("label", "a4")

_MARGIN = 4.5  # mm of white at the sides of the badge: label printers do not print to the edge
_BAND = 11.0  # height of the visit type's colour band
_QR = 26.0  # side of the QR image, its 4-module quiet zone included
_QR_BORDER = 4  # modules
_PT = 25.4 / 72  # mm per point
_GREY = (95, 95, 95)
_DEFAULT_COLOUR = "#607D8B"


# --- shared pieces --------------------------------------------------------------------------------

def _new_pdf(page_format, *, footer=None):
    from fpdf import FPDF

    class Document(FPDF):
        def footer(self):
            if footer:
                footer(self)

    pdf = Document(orientation="P", unit="mm", format=page_format)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_creator("frontoffice")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    return pdf


def _locale(organization) -> str:
    return organization.language or "en"


def _zone(site, organization) -> zoneinfo.ZoneInfo:
    """The site's time zone, from the organisation passed in (``site.tz`` would load it again)."""
    return zoneinfo.ZoneInfo(site.time_zone or organization.time_zone)


def _date(moment: datetime, tz, locale: str) -> str:
    """A localised long date (January 5, 2026 / 5 stycznia 2026) of the moment in the time zone."""
    return _plain(babel_dates.format_date(moment.astimezone(tz).date(), "long", locale=locale))


def _time(moment: datetime, tz, locale: str) -> str:
    return _plain(babel_dates.format_time(moment.astimezone(tz), "short", locale=locale))


def _plain(text: str) -> str:
    # CLDR puts narrow no-break spaces in times ("2:07 PM"); text extracted from the PDF (and every
    # search in it) expects ordinary spaces.
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _visit_type(visit) -> tuple[str, str]:
    """(label, colour hex) of the visit's type; an unknown key prints as itself on a grey band."""
    found = presets.visit_type(visit.organization.vertical, visit.visit_type)
    if found is None:
        return (visit.visit_type or "").replace("_", " ").capitalize(), _DEFAULT_COLOUR
    return str(found.label), found.colour


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return _rgb(_DEFAULT_COLOUR)


def _ink_on(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on the colour (WCAG relative luminance)."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (0, 0, 0) if luminance > 0.4 else (255, 255, 255)


def _wrap(pdf, text: str, width: float, *, hyphens: bool) -> list[str] | None:
    """Greedy wrap at the current font between words, and after hyphens too if ``hyphens`` (for
    double-barrelled surnames); None when a piece is wider than ``width`` on its own."""
    lines: list[str] = []
    for word in text.split():
        for index, piece in enumerate(re.split(r"(?<=-)(?=.)", word) if hyphens else [word]):
            if pdf.get_string_width(piece) > width:
                return None
            joined = f"{lines[-1]}{'' if index else ' '}{piece}" if lines else piece
            if lines and pdf.get_string_width(joined) <= width:
                lines[-1] = joined
            else:
                lines.append(piece)
    return lines


def _clip(pdf, text: str, width: float) -> str:
    """The text cut with an ellipsis so that it fits ``width`` at the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fit(pdf, text: str, width: float, *, style: str, tiers: tuple[tuple[float, float, int], ...]
         ) -> tuple[float, list[str]]:
    """The largest font size (and its lines) at which ``text`` fits ``width``, and sets that font.

    ``tiers`` are (largest, smallest, max_lines), tried in order, in half points, each first breaking
    between words only and then after hyphens too. If nothing fits, the text is broken anywhere at
    the last tier's smallest size and the last line ends in "…": a badge never runs off its edge,
    whatever was typed.
    """
    text = " ".join(text.split()) or "—"
    for largest, smallest, max_lines in tiers:
        for hyphens in (False, True):
            size = largest
            while size >= smallest:
                pdf.set_font(FONT, style, size)
                lines = _wrap(pdf, text, width, hyphens=hyphens)
                if lines is not None and len(lines) <= max_lines:
                    return size, lines
                size -= 0.5
    lines, line = [], ""
    for char in text:
        if line and pdf.get_string_width(line + char) > width:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [_clip(pdf, "".join(lines[max_lines - 1:]) + "…", width)]
    return smallest, lines


def _line(pdf, text: str, width: float, *, style: str = "", largest: float, smallest: float) -> str:
    """One line of ``text`` as large as fits between the sizes (cut with "…" below), font set."""
    return _fit(pdf, text, width, style=style, tiers=((largest, smallest, 1),))[1][0]


def _host(visit, separator: str = " · ") -> str:
    """The host member's name, or the department; both when the visit names both."""
    host = visit.host_name
    if visit.host_member_id and visit.host_department_id:
        host = f"{host}{separator}{visit.host_department.name}"
    return host or "—"


# --- the badge ------------------------------------------------------------------------------------

def badge_pdf(visit, size: str = "label") -> bytes:
    """The visitor's badge as a PDF of one page.

    ``size="label"``: a page of exactly 62 mm × 100 mm, portrait, for a Brother-type label printer with
    62 mm continuous tape (DK-22205; set the printer's label length to 100 mm).
    ``size="a4"``: an A4 page with the badge once, at its real size, centred, inside a dashed cut line.
    Once and not twice: a badge is a pass whose QR code checks the visitor out at the kiosk, so a spare
    copy lying on the desk (or walking out with someone else) is a risk, and a receptionist printing
    for one visitor wants one badge, centred where the printer's margins cannot reach it.

    Refused with ``Conflict`` for a visit that was cancelled, did not come, has left, or is held for a
    manager after a watchlist match: no badge for someone who must not be walking around.
    """
    if size not in SIZES:
        raise ValueError(f"unknown badge size {size!r}; one of {SIZES}")
    _check_badge_allowed(visit)  # before the override: the message is for the receptionist
    organization = visit.organization
    with translation.override(organization.language):
        if size == "label":
            pdf = _new_pdf((LABEL_WIDTH, LABEL_HEIGHT))
            pdf.add_page()
            _draw_badge(pdf, visit, 0, 0)
        else:
            pdf = _new_pdf("A4")
            pdf.add_page()
            x, y = (A4_WIDTH - LABEL_WIDTH) / 2, (A4_HEIGHT - LABEL_HEIGHT) / 2
            _draw_badge(pdf, visit, x, y)
            _draw_cut_line(pdf, x, y)
        pdf.set_title(_("Visitor badge: %(name)s") % {"name": visit.visitor_name})
        pdf.set_author(organization.name)
        return bytes(pdf.output())


def _check_badge_allowed(visit) -> None:
    refusals = {
        "cancelled": _("This visit was cancelled: there is no badge to print."),
        "no_show": _("This visitor did not come: there is no badge to print."),
        "left": _("This visitor has already left: there is no badge to print."),
    }
    if visit.status in refusals:
        raise Conflict(refusals[visit.status])
    if visit.held_at is not None:
        raise Conflict(_("This visit is waiting for a manager: print the badge once they admit the visitor."))


def _draw_cut_line(pdf, x: float, y: float) -> None:
    pdf.set_draw_color(140)
    pdf.set_line_width(0.2)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=1.5)
        pdf.rect(x, y, LABEL_WIDTH, LABEL_HEIGHT)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*_GREY)
    pdf.set_xy(x - 20, y - 7)
    pdf.cell(LABEL_WIDTH + 40, 5, _("Cut along the dashed line."), align="C")


def _draw_badge(pdf, visit, x: float, y: float) -> None:
    """The badge with its top-left corner at (x, y) mm; every element is placed in its own box, so
    a long name or company shrinks (then wraps, then is cut) but never pushes the rest around."""
    organization = visit.organization
    inner = LABEL_WIDTH - 2 * _MARGIN
    left = x + _MARGIN
    _draw_band(pdf, visit, x, y, inner)

    pdf.set_text_color(*_GREY)
    text = _line(pdf, visit.site.name, inner, largest=8, smallest=6)
    pdf.set_xy(left, y + _BAND + 1.5)
    pdf.cell(inner, 4, text, align="L")

    # The name: two lines at up to 26 pt (first name over surname, read across a room), three lines
    # once it has had to shrink below 14 pt.
    pdf.set_text_color(0)
    _box(pdf, left, y + 18, inner, 23.5, visit.visitor_name, style="B", tiers=((26, 14, 2), (13.5, 9, 3)))
    if visit.visitor_company:
        _box(pdf, left, y + 41.8, inner, 6.5, visit.visitor_company, tiers=((11, 9, 1), (8, 6.5, 2)))

    pdf.set_draw_color(200)
    pdf.set_line_width(0.2)
    pdf.line(left, y + 49.2, left + inner, y + 49.2)

    when = visit.arrived_at or visit.expected_at
    date = _date(when, _zone(visit.site, organization), _locale(organization)) if when else "—"
    _fact(pdf, left, y + 50.2, inner, _("Host"), _host(visit))
    _fact(pdf, left, y + 60.2, inner, _("Date"), date)

    _draw_qr(pdf, visit.code, x, y + LABEL_HEIGHT - _QR - 5.5)
    _draw_number_and_hint(pdf, visit, x, y)


def _draw_band(pdf, visit, x: float, y: float, inner: float) -> None:
    """The visit type as a colour band, full bleed: a printer that cannot reach the edge clips only colour."""
    label, colour = _visit_type(visit)
    rgb = _rgb(colour)
    pdf.set_fill_color(*rgb)
    pdf.rect(x, y, LABEL_WIDTH, _BAND, style="F")
    pdf.set_text_color(*_ink_on(rgb))
    text = _line(pdf, label.upper(), inner, style="B", largest=13, smallest=7)
    pdf.set_xy(x + _MARGIN, y)
    pdf.cell(inner, _BAND, text, align="L")


def _box(pdf, x: float, y: float, width: float, height: float, text: str, *, style: str = "",
         tiers: tuple[tuple[float, float, int], ...], middle: bool = True) -> None:
    """``text`` fitted (``_fit``) into the box, its lines centred vertically (or from the top)."""
    size, lines = _fit(pdf, text, width, style=style, tiers=tiers)
    step = size * _PT * 1.15
    top = y + max(0.0, (height - step * len(lines)) / 2) if middle else y
    for index, line in enumerate(lines):
        pdf.set_xy(x, top + index * step)
        pdf.cell(width, step, line, align="L")


def _fact(pdf, x: float, y: float, width: float, label: str, value: str) -> None:
    """A small grey label over its value (one line, or two smaller ones if it must)."""
    pdf.set_text_color(*_GREY)
    pdf.set_font(FONT, "", 6.5)
    pdf.set_xy(x, y)
    pdf.cell(width, 3, label.upper(), align="L")
    pdf.set_text_color(0)
    _box(pdf, x, y + 3.1, width, 6.5, value, tiers=((10.5, 8.5, 1), (8, 6.5, 2)), middle=False)


def _draw_qr(pdf, code: str, x: float, y: float) -> None:
    """The QR at the badge's left, its dark modules aligned with the text above; the code beneath."""
    qr = segno.make(code, micro=False, error="m")  # segno raises the error level while the size allows
    image = io.BytesIO()
    # 10 px a module: ~300 dpi at this size, as sharp on a thermal printer as a vector would be, and
    # an image the tests (and anyone) can read back out of the PDF.
    qr.save(image, kind="png", scale=10, border=_QR_BORDER)
    module = _QR / (qr.symbol_size(border=_QR_BORDER)[0])
    qr_x = x + _MARGIN - _QR_BORDER * module
    pdf.image(image, x=qr_x, y=y, w=_QR, h=_QR)
    pdf.set_font(FONT, "B", 9)
    pdf.set_text_color(0)
    pdf.set_xy(qr_x, y + _QR - _QR_BORDER * module + 0.8)
    pdf.cell(_QR, 4, code, align="C")


def _draw_number_and_hint(pdf, visit, x: float, y: float) -> None:
    """The badge number (large, for the roll call) and how to check out, right of the QR."""
    column = x + _QR + 3
    width = x + LABEL_WIDTH - _MARGIN - column
    top = y + LABEL_HEIGHT - _QR - 4
    if visit.badge_number:
        pdf.set_text_color(*_GREY)
        pdf.set_font(FONT, "", 6.5)
        pdf.set_xy(column, top)
        pdf.cell(width, 3, _("Badge").upper(), align="R")
        pdf.set_text_color(0)
        number = _line(pdf, visit.badge_number, width, style="B", largest=30, smallest=10)
        pdf.set_xy(column, top + 3.5)
        pdf.cell(width, pdf.font_size * 1.05, number, align="R")
    pdf.set_text_color(*_GREY)
    pdf.set_font(FONT, "", 6.5)
    pdf.set_xy(column, y + LABEL_HEIGHT - 15.5)
    pdf.multi_cell(width, 2.9, _("Leaving? Scan this code at the kiosk or hand the badge in at the desk."),
                   align="R")


# --- the roll call --------------------------------------------------------------------------------

_ROLL_MARGIN = 14.0


def roll_call_pdf(organization, site, visits, now: datetime, evacuation=None) -> bytes:
    """Everyone on site as an A4 list to take outside in an evacuation, sorted by name.

    ``site`` may be None for all sites of the organisation (a Site column is added then).
    ``visits`` are the visits on site (``queries.on_site``): number, name, company, host, arrival time
    and badge number, with a box to tick on paper. With ``evacuation``, people already marked safe
    show "☑ safe" and the time they were marked. The title carries the site and ``now`` in local time;
    every page repeats the column headings and is numbered, and the total ends the list.
    """
    locale = _locale(organization)
    tz = _zone(site, organization) if site is not None else organization.tz
    visits = sorted(visits, key=lambda v: (fold(v.visitor_name), v.pk or 0))
    marks = _safe_times(visits, evacuation)
    safe = sum(1 for v in visits if v.pk in marks)
    with translation.override(organization.language):
        title = _("Roll call — %(site)s — %(when)s") % {
            "site": site.name if site is not None else _("all sites"),
            "when": f"{_date(now, tz, locale)}, {_time(now, tz, locale)}",
        }
        pdf = _new_pdf("A4", footer=lambda pdf: _roll_call_footer(pdf, title))
        pdf.set_title(title)
        pdf.set_author(organization.name)
        pdf.set_margins(_ROLL_MARGIN, _ROLL_MARGIN, _ROLL_MARGIN)
        pdf.set_auto_page_break(True, margin=16)
        pdf.add_page()

        pdf.set_font(FONT, "B", 15)
        pdf.set_text_color(0)
        pdf.multi_cell(0, 7.5, title, align="L", new_x="LMARGIN", new_y="NEXT")
        notes = [organization.name, _("Visitors on site: %(count)s. Tick each person as they are found.")
                 % {"count": len(visits)}]
        if evacuation is not None:
            notes.append(_("Evacuation started at %(time)s; %(safe)s of %(count)s marked safe so far.") % {
                "time": _time(evacuation.started_at, tz, locale), "safe": safe, "count": len(visits)})
        pdf.set_font(FONT, "", 9.5)
        pdf.set_text_color(*_GREY)
        for note in notes:
            pdf.multi_cell(0, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

        _roll_call_table(pdf, organization, visits, marks, with_site=site is None, now=now)

        total = _("Total on site: %(count)s") % {"count": len(visits)}
        if evacuation is not None:
            total += " · " + _("marked safe: %(safe)s") % {"safe": safe}
        pdf.ln(3)
        pdf.set_font(FONT, "B", 11)
        pdf.set_text_color(0)
        pdf.cell(0, 7, total, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _safe_times(visits, evacuation) -> dict[int, datetime]:
    """{visit id: when marked safe} in the roll call; visits from ``queries.on_site`` carry their
    ``safe_mark`` already (for every open roll call when all sites are listed), others cost a query."""
    if evacuation is None:
        return {}
    if all(hasattr(v, "safe_mark") for v in visits):
        return {v.pk: v.safe_mark.marked_at for v in visits if v.safe_mark is not None}
    return {m.visit_id: m.marked_at for m in evacuation.marks.all()}


def _roll_call_footer(pdf, title: str) -> None:
    pdf.set_xy(_ROLL_MARGIN, -11)
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*_GREY)
    width = pdf.w - 2 * _ROLL_MARGIN
    pdf.cell(width * 0.7, 5, _clip(pdf, title, width * 0.7), align="L")
    page = _("Page %(page)s of %(pages)s") % {"page": pdf.page_no(), "pages": "{nb}"}
    pdf.cell(width * 0.3, 5, page, align="R")


def _roll_call_table(pdf, organization, visits, marks, *, with_site: bool, now: datetime) -> None:
    """The table, its heading row repeated on every page; each time in the visit's site's zone."""
    from fpdf.fonts import FontFace

    if not visits:
        pdf.set_font(FONT, "", 11)
        pdf.set_text_color(0)
        pdf.cell(0, 8, _("Nobody is on site."), new_x="LMARGIN", new_y="NEXT")
        return
    headings = [_("No."), _("Name"), _("Company"), _("Host"), _("Arrived"), _("Badge"), _("Found")]
    widths = [8, 44, 37, 33, 18, 14, 28]
    if with_site:
        headings.insert(4, _("Site"))
        widths = [8, 34, 30, 28, 22, 18, 14, 28]
    locale = _locale(organization)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(0)
    tick_box = FontFace(size_pt=15)  # big enough to tick with a pen
    marked = FontFace(emphasis="B", size_pt=8, color=(27, 94, 32))
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", borders_layout="HORIZONTAL_LINES",
                   line_height=4.2, padding=(1.2, 1), text_align="LEFT", v_align="MIDDLE",
                   headings_style=FontFace(emphasis="B", size_pt=8.5, fill_color=(235, 235, 235)),
                   repeat_headings=1, min_row_height=7.5) as table:
        head = table.row()
        for heading in headings:
            head.cell(heading)
        for number, visit in enumerate(visits, 1):
            tz = _zone(visit.site, organization)
            values = [str(number), visit.visitor_name, visit.visitor_company or "—", _host(visit, " / ")]
            if with_site:
                values.append(visit.site.name)
            values += [_arrived(visit.arrived_at, now, tz, locale), visit.badge_number or "—"]
            row = table.row()
            for value in values:
                row.cell(value)
            if visit.pk in marks:
                when = _time(marks[visit.pk], tz, locale)
                row.cell("☑ " + _("safe %(time)s") % {"time": when}, style=marked)
            else:
                row.cell("☐", style=tick_box)


def _arrived(arrived: datetime | None, now: datetime, tz, locale: str) -> str:
    """The local time of arrival; with the date for someone still here from an earlier day."""
    if arrived is None:
        return "—"
    if arrived.astimezone(tz).date() == now.astimezone(tz).date():
        return _time(arrived, tz, locale)
    day = babel_dates.format_date(arrived.astimezone(tz).date(), "short", locale=locale)
    return f"{_plain(day)}\n{_time(arrived, tz, locale)}"
