"""A client's right of access: everything the office holds about one client, as JSON and as a PDF a
person can read (DESIGN §4 rule 7). Erasure itself is ``services.client_erase``.

Other apps add what they hold (visits, calls, appointments, payments…) with ``register_section``::

    privacy.register_section("visits", lambda client: [{"arrived": ..., "host": ...}, ...])

Each section is a list of flat dicts; the JSON holds them as they are and the PDF prints them as tables.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients import presets
from frontoffice.clients.models import KIND_CHOICES, Client, Consent
from frontoffice.core import phones, verbs
from frontoffice.core.models import Activity, Member
from frontoffice.core.services import activity_record

FORMAT_VERSION = 1
FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"

# fpdf2 subsets the fonts with fontTools, which logs every glyph table at INFO: not for the server log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

Section = Callable[[Client], list[dict]]
SECTIONS: dict[str, tuple[str, Section]] = {}  # name → (title, function)


def register_section(name: str, func: Section, title: str | None = None) -> None:
    """Add what another app holds about a client to the export: ``func(client)`` → list of flat dicts."""
    SECTIONS[name] = (title or name, func)


def client_dossier(client: Client) -> dict:
    """Everything about ``client`` as plain data: the record, contacts, identifiers, consents, related
    parties, custom fields, the whole timeline (with the records merged into it) and the apps' sections."""
    organization = client.organization
    merged_ids = list(Client.objects.filter(merged_into=client).values_list("pk", flat=True))
    identifier_labels = {i.key: str(i.label) for i in presets.identifiers_for(organization.vertical)}
    field_labels = dict(organization.client_fields.values_list("key", "label"))
    kinds = dict(Consent.KINDS)
    activities = (Activity.objects.filter(organization=organization, client_id__in=[client.pk, *merged_ids])
                  .select_related("actor__user").order_by("occurred_at", "id"))
    return {
        "format_version": FORMAT_VERSION,
        "organization": organization.name,
        "generated_at": timezone.now(),
        "client": {
            "id": client.pk, "kind": client.kind, "display_name": client.display_name,
            "first_name": client.first_name, "last_name": client.last_name,
            "organization_name": client.organization_name, "date_of_birth": client.date_of_birth,
            "street": client.street, "postal_code": client.postal_code, "city": client.city,
            "country": client.country, "tags": client.tags, "notes": client.notes,
            "archived": client.archived, "erased_at": client.erased_at, "created_at": client.created_at,
            "updated_at": client.updated_at, "merged_records": merged_ids,
        },
        "phones": [{"number": p.number, "label": p.label} for p in client.phones.all()],
        "emails": [e.email for e in client.emails.all()],
        "identifiers": [{"scheme": k, "label": identifier_labels.get(k, k), "value": v}
                        for k, v in client.identifiers.items()],
        "custom_fields": [{"key": k, "label": field_labels.get(k, k), "value": v} for k, v in client.custom.items()],
        "consents": [{"kind": c.kind, "label": str(kinds.get(c.kind, c.kind)), "granted": c.granted,
                      "given_on": c.given_on, "source": c.source, "recorded_at": c.recorded_at}
                     for c in client.consents.all()],
        "related_parties": [{"name": p.name, "relation": p.relation} for p in client.related_parties.all()],
        "timeline": [{"occurred_at": a.occurred_at, "verb": a.verb, "what": verbs.label(a.verb),
                      "by": a.actor.user.full_name if a.actor else a.actor_kind,
                      "subject": f"{a.subject_type}:{a.subject_id}" if a.subject_type else "", "data": a.data}
                     for a in activities],
        "sections": {name: func(client) for name, (_title, func) in SECTIONS.items()},
    }


def client_privacy_export(*, actor: Member, client: Client, fmt: str) -> tuple[str, str, bytes]:
    """(file name, content type, content) of the access-request export; recorded as ``client.exported``.

    The file is built before the short transaction that records it: on SQLite a transaction holds the
    write lock, and rendering a long timeline as a PDF takes a moment.
    """
    if fmt not in ("json", "pdf"):
        raise ValueError(fmt)
    dossier = client_dossier(client)
    if fmt == "json":
        content_type = "application/json"
        content = json.dumps(dossier, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    else:
        content_type, content = "application/pdf", render_pdf(dossier)
    with transaction.atomic():
        activity_record(organization=client.organization, actor=actor, verb="client.exported", subject=client,
                        client_id=client.pk, label="", data={"format": fmt})
    return f"client-{client.pk}-{timezone.localdate().isoformat()}.{fmt}", content_type, content


# --- the PDF ------------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def _pdf():
    from fpdf import FPDF

    class Dossier(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.set_text_color(110)
            self.cell(0, 8, _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}, align="C")

    pdf = Dossier(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(16, 16, 16)
    return pdf


def render_pdf(dossier: dict) -> bytes:
    record = dossier["client"]
    pdf = _pdf()
    pdf.set_title(_("Personal data of %(name)s") % {"name": record["display_name"]})
    pdf.set_author(dossier["organization"])
    pdf.set_creator("frontoffice")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, _("Everything %(org)s holds about %(name)s") % {
        "org": dossier["organization"], "name": record["display_name"]}, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    pdf.set_text_color(90)
    pdf.multi_cell(0, 5, _("Prepared on %(when)s in answer to an access request. The same data, complete and "
                           "machine-readable, is in the JSON export.") % {"when": _text(dossier["generated_at"])},
                   align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    _facts(pdf, _("Record"), [
        (_("Name"), record["display_name"]), (_("Kind"), dict(KIND_CHOICES).get(record["kind"], record["kind"])),
        (_("First name"), record["first_name"]), (_("Last name"), record["last_name"]),
        (_("Organisation name"), record["organization_name"]), (_("Date of birth"), record["date_of_birth"]),
        (_("Street and number"), record["street"]), (_("Postal code"), record["postal_code"]),
        (_("City"), record["city"]), (_("Country"), record["country"]), (_("Tags"), record["tags"]),
        (_("Notes"), record["notes"]), (_("Client number in this system"), record["id"]),
        (_("Recorded since"), record["created_at"]), (_("Archived"), record["archived"]),
        (_("Erased"), record["erased_at"]),
    ])
    _facts(pdf, _("Contacts"), [(_("Phone"), phones.display(p["number"])) for p in dossier["phones"]]
           + [(_("E-mail"), e) for e in dossier["emails"]])
    _facts(pdf, _("Identifiers"), [(i["label"], i["value"]) for i in dossier["identifiers"]])
    _facts(pdf, _("Other fields"), [(f["label"], f["value"]) for f in dossier["custom_fields"]])
    _table(pdf, _("Consents"), [_("Consent"), _("Granted"), _("Date"), _("Source")],
           [[c["label"], c["granted"], c["given_on"], c["source"]] for c in dossier["consents"]], (50, 25, 30, 73))
    _table(pdf, _("Related parties"), [_("Name"), _("Relation")],
           [[p["name"], p["relation"]] for p in dossier["related_parties"]], (110, 68))
    for name, rows in dossier["sections"].items():
        title = SECTIONS.get(name, (name,))[0]
        keys = list(dict.fromkeys(k for row in rows for k in row))
        _table(pdf, str(title), keys, [[row.get(k) for k in keys] for row in rows], None)
    _table(pdf, _("Timeline"), [_("When"), _("What"), _("By"), _("Details")],
           [[a["occurred_at"], a["what"], a["by"], a["data"]] for a in dossier["timeline"]], (32, 50, 38, 58))
    return bytes(pdf.output())


def _heading(pdf, title: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # keep a heading with the start of its table
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)


def _facts(pdf, title: str, pairs: list[tuple[str, object]]) -> None:
    _heading(pdf, title)
    if not pairs:
        pdf.cell(0, 6, _("Nothing recorded."), new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(col_widths=(55, 123), first_row_as_headings=False, borders_layout="HORIZONTAL_LINES",
                   line_height=5.5, padding=1, text_align="LEFT") as table:
        for label, value in pairs:
            row = table.row()
            row.cell(str(label))
            row.cell(_text(value))


def _table(pdf, title: str, headings: list[str], rows: list[list], widths) -> None:
    _heading(pdf, title)
    if not rows:
        pdf.cell(0, 6, _("Nothing recorded."), new_x="LMARGIN", new_y="NEXT")
        return
    options = {"col_widths": widths} if widths else {}
    with pdf.table(borders_layout="HORIZONTAL_LINES", line_height=5, padding=1, text_align="LEFT", **options) as table:
        head = table.row()
        for heading in headings:
            head.cell(str(heading))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(_text(value))
