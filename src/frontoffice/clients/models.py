"""The client database: people and organisations the office serves, with their contacts.

A client is archived, merged or erased, never deleted: other parts of the system (visits, calls,
receipts) keep pointing at it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Member, Organization

PERSON = "person"
COMPANY = "organization"
KIND_CHOICES = [(PERSON, _("person")), (COMPANY, _("organisation"))]


class Client(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="clients")
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES, default=PERSON)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    organization_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    display_name = models.CharField(max_length=250)
    # Folded (lower-case, no diacritics) "last first" or organisation name: the type-ahead sort key.
    sort_name = models.CharField(max_length=250, db_index=True)
    # Folded names, contacts, identifiers and tags: what substring search looks in.
    search_text = models.TextField(blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    identifiers = models.JSONField(_("identifiers"), default=dict, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    # Indexed only where set (Meta.indexes): nearly every row is NULL, and a plain index made SQLite's
    # planner, once ANALYZE had run, pick it for "merged_into IS NULL" and sort the whole table.
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    db_index=False)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("client")
        ordering = ["sort_name", "id"]
        indexes = [
            models.Index(fields=["organization", "sort_name", "id"], name="client_org_sort"),
            models.Index(fields=["organization", "date_of_birth"], name="client_org_dob"),
            models.Index(fields=["merged_into"], name="client_merged_into",
                         condition=models.Q(merged_into__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_active(self) -> bool:
        return not self.archived and self.merged_into_id is None and self.erased_at is None


class ClientPhone(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=20)  # E.164
    # Digits reversed, so "the last 6+ digits" is an indexed prefix search.
    reversed_digits = models.CharField(max_length=20)
    label = models.CharField(_("label"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["organization", "number"], name="client_phone_exact"),
            models.Index(fields=["organization", "reversed_digits"], name="client_phone_suffix"),
        ]

    def __str__(self) -> str:
        return self.number


class ClientEmail(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(_("e-mail"), max_length=254)  # lower-case
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "email"], name="client_email")]

    def __str__(self) -> str:
        return self.email


class ClientIdentifier(models.Model):
    """An identifier (PESEL, NIP, patient number, …) in a table of its own for exact lookups;
    ``Client.identifiers`` holds the same values for reading."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="identifier_rows")
    scheme = models.CharField(max_length=20)
    value = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["organization", "value"], name="client_identifier")]


class Consent(models.Model):
    DATA_PROCESSING = "data_processing"
    MARKETING = "marketing"
    KINDS = [(DATA_PROCESSING, _("data processing")), (MARKETING, _("marketing"))]

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consent"), max_length=20, choices=KINDS)
    granted = models.BooleanField(_("granted"))
    given_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=100, help_text=_("e.g. paper form, kiosk, e-mail"))
    recorded_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]


class RelatedParty(models.Model):
    """Someone connected to a client's matter (legal: the opposing party), for conflict checks."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="related_parties")
    name = models.CharField(_("name"), max_length=200)
    folded_name = models.CharField(max_length=200)
    relation = models.CharField(_("relation"), max_length=60, default="opposing_party")

    class Meta:
        indexes = [models.Index(fields=["organization", "folded_name"], name="related_party_name")]


class CustomField(models.Model):
    TEXT, NUMBER, DATE, CHOICE = "text", "number", "date", "choice"
    KINDS = [(TEXT, _("text")), (NUMBER, _("number")), (DATE, _("date")), (CHOICE, _("choice"))]

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="client_fields")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("type"), max_length=10, choices=KINDS, default=TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="custom_field_unique_key")]

    def __str__(self) -> str:
        return self.label


class Merge(models.Model):
    """A merge of ``merged`` into ``kept``, with what was moved, so it can be undone for 30 days."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=dict)  # {"model label": [ids], ...} moved from merged to kept
    kept_before = models.JSONField(default=dict)  # the kept record's fields before the merge
    merged_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-merged_at"]


class ImportJob(models.Model):
    """One spreadsheet import: the uploaded file, the column mapping, its progress and its report.

    A dry run and the commit that follows it are two jobs over the same stored file. Written by
    ``clients.importing`` only; the file is deleted once the rows are in (or the import is cancelled).
    """

    NEW, PENDING, RUNNING, DONE, FAILED, CANCELLED = "new", "pending", "running", "done", "failed", "cancelled"
    STATUSES = [(NEW, _("waiting for the column mapping")), (PENDING, _("waiting to start")),
                (RUNNING, _("running")), (DONE, _("done")), (FAILED, _("failed")), (CANCELLED, _("cancelled"))]

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(max_length=255)  # as uploaded, for people to recognise
    dry_run = models.BooleanField(default=True)
    valid_rows_only = models.BooleanField(default=False)
    skip_duplicates = models.BooleanField(default=False)
    mapping = models.JSONField(default=list, blank=True)  # one target field per column ("" = ignored)
    source = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW)
    stage = models.CharField(max_length=10, blank=True)  # checking | saving, while running
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="import_job_org_time")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.processed / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED, self.CANCELLED)
