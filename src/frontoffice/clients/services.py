"""Every write to the client database: create, correct, archive, merge (and undo), erase,
consents, related parties, custom fields, conflict checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from frontoffice.clients import search
from frontoffice.clients.models import (
    COMPANY,
    Client,
    ClientEmail,
    ClientIdentifier,
    ClientPhone,
    Consent,
    CustomField,
    Merge,
    RelatedParty,
)
from frontoffice.clients.validation import CleanClient, ClientInput, clean_client
from frontoffice.core import phones
from frontoffice.core.errors import Conflict
from frontoffice.core.models import Member, Organization
from frontoffice.core.services import activity_record
from frontoffice.core.text import fold, terms

MERGE_UNDO_DAYS = 30
CORRECTION_WINDOW = timedelta(hours=24)
STORED_FIELDS = ("kind", "first_name", "last_name", "organization_name", "date_of_birth", "street", "postal_code",
                 "city", "country", "identifiers", "tags", "notes", "custom")

# Rows in other apps that point at a client: ("app_label.Model", "field name"). Apps add theirs in
# AppConfig.ready(); a merge moves them to the kept client, an undo moves them back.
CLIENT_REFERENCES: list[tuple[str, str]] = []


def register_client_reference(model_label: str, field: str) -> None:
    if (model_label, field) not in CLIENT_REFERENCES:
        CLIENT_REFERENCES.append((model_label, field))


def _apply(client: Client, clean: CleanClient) -> dict[str, bool]:
    """Write validated values onto ``client``; return which stored fields changed."""
    changed = {}
    for name in STORED_FIELDS:
        value = getattr(clean, name)
        if getattr(client, name) != value:
            changed[name] = True
            setattr(client, name, value)
    client.display_name = clean.display_name
    return changed


def _store_contacts(client: Client, clean: CleanClient) -> bool:
    """Replace phones, e-mails and identifier rows when they differ; True if anything changed."""
    _forget_prefetched(client)
    organization = client.organization
    old_phones = [p.number for p in client.phones.all()] if client.pk else []
    old_emails = [e.email for e in client.emails.all()] if client.pk else []
    changed = False
    if old_phones != clean.phones:
        client.phones.all().delete()
        ClientPhone.objects.bulk_create([
            ClientPhone(organization=organization, client=client, number=n, reversed_digits=phones.reversed_digits(n),
                        position=i) for i, n in enumerate(clean.phones)])
        changed = True
    if old_emails != clean.emails:
        client.emails.all().delete()
        ClientEmail.objects.bulk_create([ClientEmail(organization=organization, client=client, email=e, position=i)
                                         for i, e in enumerate(clean.emails)])
        changed = True
    client.identifier_rows.all().delete()
    ClientIdentifier.objects.bulk_create([ClientIdentifier(organization=organization, client=client, scheme=k, value=v)
                                          for k, v in clean.identifiers.items()])
    return changed


def _forget_prefetched(client: Client) -> None:
    # A client loaded with prefetch_related("phones") would otherwise answer with the old contacts.
    getattr(client, "_prefetched_objects_cache", {}).clear()


def reindex(client: Client) -> None:
    """Recompute the stored search text of ``client`` and its full-text rows."""
    _forget_prefetched(client)
    client.sort_name, client.search_text = search.texts_for(
        client, phone_numbers=[p.number for p in client.phones.all()], emails=[e.email for e in client.emails.all()])
    Client.objects.filter(pk=client.pk).update(sort_name=client.sort_name, search_text=client.search_text)
    search.index(client)


@transaction.atomic
def client_create(*, actor: Member | None, data: ClientInput, source: str = "desk",
                  organization: Organization | None = None) -> Client:
    """A new client. ``actor`` None: the client wrote in by themselves (an e-mail, the web form): pass
    ``organization``."""
    organization = actor.organization if actor is not None else organization
    if organization is None:
        raise ValueError("client_create needs an actor or an organisation")
    clean = clean_client(organization, data)
    client = Client(organization=organization, created_by=actor)
    _apply(client, clean)
    client.sort_name, client.search_text = search.texts_for(client, phone_numbers=clean.phones, emails=clean.emails)
    client.save()
    _store_contacts(client, clean)
    search.index(client)
    activity_record(organization=organization, actor=actor, verb="client.created", subject=client,
                    client_id=client.pk, label="", data={"source": source})
    return client


@transaction.atomic
def client_update(*, actor: Member, client: Client, data: ClientInput) -> Client:
    _require_live(client)
    clean = clean_client(client.organization, data)
    changed = _apply(client, clean)
    if _store_contacts(client, clean):
        changed["contacts"] = True
    if not changed:
        return client
    client.save()
    reindex(client)
    fields = sorted(changed)
    activity_record(organization=client.organization, actor=actor, verb="client.updated", subject=client,
                    client_id=client.pk, label="", data={"fields": fields})
    if (client.created_by_id and client.created_by_id != actor.pk
            and timezone.now() - client.created_at < CORRECTION_WINDOW):
        # Someone else fixed a fresh record: an error attributed to whoever entered it (DESIGN §7).
        activity_record(organization=client.organization, actor=actor, verb="client.corrected", subject=client,
                        client_id=client.pk, label="", data={"fields": fields, "responsible_id": client.created_by_id})
    return client


def _require_live(client: Client) -> None:
    if client.erased_at is not None:
        raise Conflict(_("This client's personal data was erased."))
    if client.merged_into_id is not None:
        raise Conflict(_("This record was merged into another one."))


@transaction.atomic
def client_archive(*, actor: Member, client: Client) -> Client:
    if not client.archived:
        client.archived = True
        client.save(update_fields=["archived", "updated_at"])
        activity_record(organization=client.organization, actor=actor, verb="client.archived", subject=client,
                        client_id=client.pk, label="")
    return client


@transaction.atomic
def client_restore(*, actor: Member, client: Client) -> Client:
    _require_live(client)
    if client.archived:
        client.archived = False
        client.save(update_fields=["archived", "updated_at"])
        activity_record(organization=client.organization, actor=actor, verb="client.restored", subject=client,
                        client_id=client.pk, label="")
    return client


# --- merge ----------------------------------------------------------------------------------

_FILLABLE = ("date_of_birth", "street", "postal_code", "city", "country", "first_name", "last_name",
             "organization_name")


@transaction.atomic
def client_merge(*, actor: Member, kept: Client, merged: Client) -> Merge:
    """Fold ``merged`` into ``kept``: contacts, consents, related parties and every row of other apps
    that points at it move over; empty fields of ``kept`` are filled. Undoable for 30 days."""
    if kept.pk == merged.pk:
        raise ValidationError({"other_id": _("A record cannot be merged with itself.")})
    if kept.organization_id != merged.organization_id:
        raise ValidationError({"other_id": _("No such client.")})
    for client in (kept, merged):
        _require_live(client)
    before = {name: _jsonable(getattr(kept, name)) for name in STORED_FIELDS + ("display_name",)}
    moved: dict[str, list[int]] = {}
    kept_numbers = set(kept.phones.values_list("number", flat=True))
    kept_emails = set(kept.emails.values_list("email", flat=True))
    moved["clients.clientphone"] = _move(merged.phones.exclude(number__in=kept_numbers), kept)
    moved["clients.clientemail"] = _move(merged.emails.exclude(email__in=kept_emails), kept)
    # Where both records have the same kind of identifier, the kept record's value stays.
    moved["clients.clientidentifier"] = _move(merged.identifier_rows.exclude(
        scheme__in=list(kept.identifiers)), kept)
    moved["clients.consent"] = _move(merged.consents.all(), kept)
    moved["clients.relatedparty"] = _move(merged.related_parties.all(), kept)
    for label, field in CLIENT_REFERENCES:
        model = apps.get_model(label)
        rows = model.objects.filter(**{field: merged})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            model.objects.filter(pk__in=ids).update(**{field: kept})
        moved[f"{label.lower()}:{field}"] = ids
    for name in _FILLABLE:
        if not getattr(kept, name) and getattr(merged, name) and not (name.endswith("_name") and kept.kind == COMPANY):
            setattr(kept, name, getattr(merged, name))
    kept.identifiers = merged.identifiers | kept.identifiers
    kept.tags = list(dict.fromkeys(kept.tags + merged.tags))
    if merged.notes and merged.notes not in kept.notes:
        kept.notes = (kept.notes + "\n\n" + merged.notes).strip()
    kept.custom = merged.custom | kept.custom
    kept.display_name = (kept.organization_name if kept.kind == COMPANY
                         else f"{kept.first_name} {kept.last_name}".strip())
    kept.save()
    reindex(kept)
    # Only what the merge changed, as [before, after]: an undo puts back a field nobody touched since.
    kept_before = {name: [value, _jsonable(getattr(kept, name))] for name, value in before.items()
                   if value != _jsonable(getattr(kept, name))}
    kept_before["_merged_was_archived"] = merged.archived
    merged.merged_into = kept
    merged.archived = True
    merged.save(update_fields=["merged_into", "archived", "updated_at"])
    search_remove(merged)
    merge = Merge.objects.create(organization=kept.organization, kept=kept, merged=merged, moved=moved,
                                 kept_before=kept_before, merged_by=actor)
    activity_record(organization=kept.organization, actor=actor, verb="client.merged", subject=kept,
                    client_id=kept.pk, label="", data={"merged_id": merged.pk, "merge_id": merge.pk})
    return merge


def _move(queryset: models.QuerySet, kept: Client) -> list[int]:
    ids = list(queryset.values_list("pk", flat=True))
    if ids:
        queryset.model.objects.filter(pk__in=ids).update(client=kept)
    return ids


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def merge_undo(*, actor: Member, merge: Merge) -> Client:
    """Separate the records again, moving back exactly what the merge moved."""
    merge = Merge.objects.select_for_update().select_related("kept", "merged").get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict(_("This merge was undone already."))
    if timezone.now() - merge.merged_at > timedelta(days=MERGE_UNDO_DAYS):
        raise Conflict(_("A merge can be undone for %(days)s days; this one is older.") % {"days": MERGE_UNDO_DAYS})
    kept, merged = merge.kept, merge.merged
    if kept.erased_at is not None or merged.erased_at is not None:
        raise Conflict(_("The personal data was erased, so this merge cannot be undone."))
    for key, ids in merge.moved.items():
        if not ids:
            continue
        if ":" in key:
            label, field = key.split(":")
            apps.get_model(label).objects.filter(pk__in=ids).update(**{field: merged})
        else:
            apps.get_model(key).objects.filter(pk__in=ids).update(client=merged)
    changes = dict(merge.kept_before)
    merged_was_archived = changes.pop("_merged_was_archived", False)
    for name, (value, after) in changes.items():
        if _jsonable(getattr(kept, name)) != after:
            continue  # corrected since the merge: the correction stays
        if name == "date_of_birth" and value:
            value = date.fromisoformat(value)
        setattr(kept, name, value)
    kept.save()
    reindex(kept)
    merged.merged_into = None
    merged.archived = merged_was_archived
    merged.save(update_fields=["merged_into", "archived", "updated_at"])
    reindex(merged)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    activity_record(organization=kept.organization, actor=actor, verb="client.merge_undone", subject=kept,
                    client_id=kept.pk, label="", data={"merged_id": merged.pk, "merge_id": merge.pk})
    return merged


def search_remove(client: Client) -> None:
    """Keep a merged or erased record out of the type-ahead."""
    Client.objects.filter(pk=client.pk).update(search_text="")
    client.search_text = ""
    search.index(client)


# --- privacy --------------------------------------------------------------------------------

def pseudonym(client: Client) -> str:
    digest = hashlib.sha256(f"{client.organization_id}:{client.pk}:{client.created_at.isoformat()}".encode())
    return digest.hexdigest()[:8].upper()


@transaction.atomic
def client_erase(*, actor: Member, client: Client) -> Client:
    """Anonymise the personal data; the record stays (with a pseudonym) for what the law keeps."""
    if client.erased_at is not None:
        raise Conflict(_("This client was erased already."))
    for absorbed in Client.objects.filter(merged_into=client, erased_at__isnull=True):
        _anonymise(absorbed)  # records merged into this one describe the same person
    merges = Merge.objects.filter(models.Q(kept=client) | models.Q(merged__merged_into=client))
    merges.update(kept_before={})  # the pre-merge copies held personal data; such merges stay final
    code = _anonymise(client)
    activity_record(organization=client.organization, actor=actor, verb="client.erased", subject=client,
                    client_id=client.pk, label="", data={"pseudonym": code})
    return client


def _anonymise(client: Client) -> str:
    code = pseudonym(client)
    client.first_name, client.last_name = "", ""
    client.organization_name = ""
    client.display_name = _("Erased client %(code)s") % {"code": code}
    client.date_of_birth = None
    client.street = client.postal_code = client.city = ""
    client.identifiers, client.tags, client.custom, client.notes = {}, [], {}, ""
    client.archived = True
    client.erased_at = timezone.now()
    client.save()
    client.phones.all().delete()
    client.emails.all().delete()
    client.identifier_rows.all().delete()
    client.related_parties.all().delete()
    client.sort_name = fold(client.display_name)
    Client.objects.filter(pk=client.pk).update(sort_name=client.sort_name)
    search_remove(client)
    return code


# --- consents, related parties, custom fields --------------------------------------------------

@transaction.atomic
def consent_record(*, actor: Member, client: Client, kind: str, granted: bool, given_on: date,
                   source: str) -> Consent:
    _require_live(client)
    if kind not in dict(Consent.KINDS):
        raise ValidationError({"kind": _("Unknown consent.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("A consent cannot be dated in the future.")})
    if not source.strip():
        raise ValidationError({"source": _("Say where the consent came from.")})
    consent = Consent.objects.create(organization=client.organization, client=client, kind=kind, granted=granted,
                                     given_on=given_on, source=source.strip()[:100], recorded_by=actor)
    activity_record(organization=client.organization, actor=actor, verb="client.consent_recorded", subject=client,
                    client_id=client.pk, label="", data={"kind": kind, "granted": granted})
    return consent


@transaction.atomic
def related_party_add(*, actor: Member, client: Client, name: str, relation: str = "opposing_party") -> RelatedParty:
    _require_live(client)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Enter the party's name.")})
    party = RelatedParty.objects.create(organization=client.organization, client=client, name=name[:200],
                                        folded_name=fold(name)[:200], relation=relation[:60] or "opposing_party")
    activity_record(organization=client.organization, actor=actor, verb="client.party_added", subject=client,
                    client_id=client.pk, label="", data={"relation": party.relation})
    return party


@transaction.atomic
def related_party_remove(*, actor: Member, party: RelatedParty) -> None:
    client = party.client
    party.delete()
    activity_record(organization=client.organization, actor=actor, verb="client.party_removed", subject=client,
                    client_id=client.pk, label="")


@transaction.atomic
def custom_field_save(*, actor: Member, label: str, kind: str, choices: list[str] | None = None,
                      required: bool = False, field: CustomField | None = None, active: bool = True) -> CustomField:
    organization = actor.organization
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Name the field.")})
    if kind not in dict(CustomField.KINDS):
        raise ValidationError({"kind": _("Choose text, number, date or choice.")})
    choices = [c.strip() for c in (choices or []) if c.strip()]
    if kind == CustomField.CHOICE and not choices:
        raise ValidationError({"choices": _("A choice field needs at least one option.")})
    if field is None:
        key = slugify(fold(label)).replace("-", "_")[:40] or "field"
        base, n = key, 1
        while organization.client_fields.filter(key=key).exists():
            n += 1
            key = f"{base}_{n}"[:40]
        field = CustomField(organization=organization, key=key, position=organization.client_fields.count())
        verb = "client_field.created"
    else:
        verb = "client_field.updated"
    field.label, field.kind, field.choices, field.required, field.active = label[:100], kind, choices, required, active
    field.save()
    activity_record(organization=organization, actor=actor, verb=verb, subject=field)
    return field


# --- conflict of interest (legal) --------------------------------------------------------------

@dataclass
class ConflictHit:
    client: Client
    matched: str  # "client" or "related party"
    name: str


@transaction.atomic
def conflict_check(*, actor: Member, name: str) -> list[ConflictHit]:
    """Search clients and their related parties by name variants; the check itself is recorded."""
    words = terms(name)
    if not words:
        raise ValidationError({"name": _("Enter a name to check.")})
    organization = actor.organization
    hits: dict[tuple[int, str], ConflictHit] = {}
    stems = [w[:max(4, len(w) - 2)] for w in words]  # Kowalski / Kowalska / Kowalskiego
    clients = Client.objects.filter(organization=organization, merged_into__isnull=True, erased_at__isnull=True)
    for stem in stems:
        clients = clients.filter(sort_name__contains=stem)
    for client in clients[:50]:
        hits[(client.pk, "client")] = ConflictHit(client, "client", client.display_name)
    parties = RelatedParty.objects.filter(organization=organization).select_related("client")
    for stem in stems:
        parties = parties.filter(folded_name__contains=stem)
    for party in parties[:50]:
        hits[(party.client_id, party.name)] = ConflictHit(party.client, "related party", party.name)
    result = list(hits.values())
    activity_record(organization=organization, actor=actor, verb="client.conflict_checked", label="",
                    data={"query_terms": len(words), "hits": len(result),
                          "client_ids": sorted({h.client.pk for h in result})})
    return result
