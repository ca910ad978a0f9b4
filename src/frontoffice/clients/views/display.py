"""How the client pages show things: list rows, the side-by-side comparison of a merge, and
timeline entries (who, what, a short detail). Reads only; the views decide what to show."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontoffice.clients import presets, queries
from frontoffice.clients.forms import RELATION_LABELS
from frontoffice.clients.models import Client, Consent
from frontoffice.core import phones
from frontoffice.core.models import Activity, Organization
from frontoffice.core.registry import registry

TIMELINE_PAGE = 30

# Verb families of the timeline filter, in this order; families of later apps show under their own name.
FAMILIES = {
    "client": gettext_lazy("record"), "visit": gettext_lazy("visits"), "call": gettext_lazy("calls"),
    "inquiry": gettext_lazy("inquiries"), "appointment": gettext_lazy("appointments"),
    "payment": gettext_lazy("payments"), "document": gettext_lazy("documents"),
    "message": gettext_lazy("messages"), "callback": gettext_lazy("callbacks"),
}
SOURCES = {"quick": gettext_lazy("quick entry"), "desk": gettext_lazy("full form"),
           "import": gettext_lazy("import"), "api": gettext_lazy("API")}


# --- lists -------------------------------------------------------------------------------------

@dataclass
class Row:
    """A client in a list, with the first phone (formatted) and e-mail from its prefetched contacts."""

    client: Client
    phone: str = ""
    phone_e164: str = ""
    email: str = ""


def row(client: Client) -> Row:
    numbers, emails = client.phones.all(), client.emails.all()
    email = emails[0].email if emails else ""
    if not numbers:
        return Row(client, email=email)
    return Row(client, phones.display(numbers[0].number), numbers[0].number, email)


def rows(clients) -> list[Row]:
    return [row(client) for client in clients]


def comparison(organization: Organization, kept: Client, other: Client) -> list[tuple[str, str, str]]:
    """(label, kept's value, other's value) rows for the side-by-side view of a merge."""
    labels = {ident.key: ident.label for ident in presets.identifiers_for(organization.vertical)}

    def facts(c: Client) -> list[str]:
        return [c.display_name, str(c.get_kind_display()), c.date_of_birth.isoformat() if c.date_of_birth else "",
                "\n".join(phones.display(p.number) for p in c.phones.all()),
                "\n".join(e.email for e in c.emails.all()),
                "\n".join(filter(None, [c.street, f"{c.postal_code} {c.city}".strip(), c.country])),
                "\n".join(f"{labels.get(k, k)}: {v}" for k, v in c.identifiers.items()),
                ", ".join(c.tags), c.notes[:300], timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M")]

    names = [_("Name"), _("Kind"), _("Date of birth"), _("Phones"), _("E-mails"), _("Address"), _("Identifiers"),
             _("Tags"), _("Notes"), _("Added")]
    return list(zip(names, facts(kept), facts(other)))


# --- the timeline ------------------------------------------------------------------------------

@dataclass
class Entry:
    activity: Activity
    who: str
    detail: str
    url: str = ""  # the page of what the entry is about, where its app registered one


def timeline_context(client: Client, *, kind: str | None, cursor: str | None = None) -> dict:
    """One page of the client's timeline as entries, and (on the first page) the families to filter by.
    Raises BadCursor for a cursor that is not ours."""
    page = queries.timeline(client, verb_prefix=kind, cursor=cursor, limit=TIMELINE_PAGE)
    names = queries.client_names(client.organization, [a.data.get("merged_id") for a in page.items
                                                       if isinstance(a.data, dict)])
    entries = [Entry(a, _who(a, client), _detail(a, names), registry.subject_url(a.subject_type, a.subject_id))
               for a in page.items]
    families = [] if cursor else _families(client)
    return {"entries": entries, "next_cursor": page.next_cursor, "kind": kind or "", "families": families}


def _families(client: Client) -> list[tuple[str, str]]:
    """("visit.", "visits") for every family of verbs in this client's timeline, known ones first."""
    ids = Q(client_id=client.pk) | Q(client_id__in=Client.objects.filter(merged_into=client).values("pk"))
    present = {verb.split(".")[0] for verb in Activity.objects.filter(ids, organization_id=client.organization_id)
               .order_by().values_list("verb", flat=True).distinct()}
    ordered = [f for f in FAMILIES if f in present] + sorted(present - set(FAMILIES))
    return [(f"{family}.", str(FAMILIES.get(family, family.replace("_", " ")))) for family in ordered]


def _who(activity: Activity, client: Client) -> str:
    if activity.actor is not None:
        return activity.actor.user.full_name
    if activity.actor_kind == "client":
        return str(client.organization.preset.terms.client).capitalize()
    return _("System")


def _detail(activity: Activity, names: dict[int, str]) -> str:
    """A short line from the entry's data, for the entries this app knows; else its subject."""
    data = activity.data if isinstance(activity.data, dict) else {}
    if isinstance(data.get("fields"), list):
        return ", ".join(_field_label(name) for name in data["fields"])
    if data.get("merged_id"):
        return f"{names.get(data['merged_id'], '')} #{data['merged_id']}".strip()
    if "kind" in data and "granted" in data:
        kind = dict(Consent.KINDS).get(data["kind"], data["kind"])
        return f"{kind}: {_('granted') if data['granted'] else _('refused or withdrawn')}"
    if data.get("relation"):
        return str(RELATION_LABELS.get(data["relation"], data["relation"]))
    if data.get("source"):
        return str(SOURCES.get(data["source"], data["source"]))
    return activity.subject_label


def _field_label(name: str) -> str:
    if name == "contacts":
        return _("phones and e-mails")
    try:
        return str(Client._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field an old entry names that is gone since
        return name
