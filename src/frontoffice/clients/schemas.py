"""The shapes of the clients API. Pydantic checks the shape of a request (types, sizes);
``clients.validation.clean_client`` checks what it means (phone, e-mail, identifiers, custom fields)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from frontoffice.clients.models import PERSON
from frontoffice.clients.services import MERGE_UNDO_DAYS
from frontoffice.core.schemas import ActivityOut

Kind = Literal["person", "organization"]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
OrganizationName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Phones = Annotated[list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=20)]
Emails = Annotated[list[Annotated[str, StringConstraints(max_length=254)]], Field(max_length=20)]
Identifiers = Annotated[dict[Key, Annotated[str, StringConstraints(max_length=40)]], Field(max_length=20)]
Tags = Annotated[list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=100)]


def _scalar(value):
    """A custom field's value as text for the rules: numbers are welcome, true/false or lists are not."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | None):
        raise ValueError("Use text, a number, a date (YYYY-MM-DD) or null.")
    return value if value is None or isinstance(value, str) else str(value)


CustomValue = Annotated[Annotated[str, StringConstraints(max_length=500)] | None, BeforeValidator(_scalar),
                        WithJsonSchema({"anyOf": [{"type": "string", "maxLength": 500}, {"type": "number"},
                                                  {"type": "null"}]})]
Custom = Annotated[dict[Key, CustomValue], Field(max_length=100)]


class ClientOut(Schema):
    id: int
    kind: Kind
    first_name: str
    last_name: str
    organization_name: str
    display_name: str
    date_of_birth: date | None
    phones: list[str] = Field(description="E.164, e.g. +48600100200")
    emails: list[str]
    identifiers: dict[str, str]
    tags: list[str]
    custom: dict[str, object]
    archived: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_phones(obj) -> list[str]:
        return [phone.number for phone in obj.phones.all()]

    @staticmethod
    def resolve_emails(obj) -> list[str]:
        return [email.email for email in obj.emails.all()]


class ClientIn(Schema):
    """A new client. Phones may be typed in any format; the organisation's country is the default."""

    model_config = ConfigDict(extra="forbid")  # a mistyped field is refused, not silently lost

    kind: Kind = PERSON
    first_name: PersonName = ""
    last_name: PersonName = ""
    organization_name: OrganizationName = ""
    date_of_birth: date | None = None
    phones: Phones = Field(default_factory=list)
    emails: Emails = Field(default_factory=list)
    identifiers: Identifiers = Field(default_factory=dict)
    tags: Tags = Field(default_factory=list)
    custom: Custom = Field(default_factory=dict)


class ClientPatch(Schema):
    """Only the fields sent change; each replaces the whole value (send the full list of phones).
    ``null`` is accepted only where a field can be empty: ``date_of_birth``."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = None
    first_name: PersonName = None
    last_name: PersonName = None
    organization_name: OrganizationName = None
    date_of_birth: date | None = None
    phones: Phones = None
    emails: Emails = None
    identifiers: Identifiers = None
    tags: Tags = None
    custom: Custom = None


class ClientFilter(Schema):
    q: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description="Any part of a name (case and diacritics ignored), a phone in any format or its "
                        "last 6+ digits, an e-mail or an identifier. Empty: every client, by name.")
    archived: Literal["false", "true", "any"] = Field("false", description="Archived: hide, only, both")
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: int = Field(20, ge=1, le=100)


class ExportFilter(Schema):
    # Checked by the export itself (400 naming "format") so that the capability is checked first.
    format: Annotated[str, StringConstraints(max_length=10)] = Field(
        "csv", description="csv or xlsx", json_schema_extra={"enum": ["csv", "xlsx"]})
    q: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description="The search of the list (as for GET /clients); empty: every client")
    archived: Literal["false", "true", "any"] = "false"


class ClientPage(Schema):
    items: list[ClientOut]
    next_cursor: str | None


class TimelineFilter(Schema):
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.]+$", max_length=64)] | None = Field(
        None, description="A verb prefix: `client` for the record's own history, `client.merged`, `visit`, …")
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: int = Field(50, ge=1, le=200)


class TimelinePage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    other_id: int = Field(ge=1, description="The client merged into this one (archived, pointing here)")


class MergeOut(Schema):
    id: int
    kept_id: int
    merged_id: int
    merged_at: datetime
    undoable_until: datetime
    undone_at: datetime | None

    @staticmethod
    def resolve_undoable_until(obj) -> datetime:
        return obj.merged_at + timedelta(days=MERGE_UNDO_DAYS)


class MergeResult(Schema):
    merge: MergeOut
    client: ClientOut = Field(description="The kept client, with what it took over")


class UndoResult(Schema):
    merge: MergeOut
    kept: ClientOut
    restored: ClientOut = Field(description="The client that was merged, live again")


class DuplicatePair(Schema):
    first: ClientOut
    second: ClientOut
    reason: str = Field(description="phone, email, identifier, or name and date of birth")


class DuplicateList(Schema):
    items: list[DuplicatePair]


class ImportOptions(Schema):
    dry_run: bool = Field(True, description="true (the default): check and report, store nothing")
    valid_rows_only: bool = Field(False, description="Store the valid rows even when other rows have errors")
    skip_duplicates: bool = Field(False, description="Leave out rows like a client on file or an earlier row")
    mapping: Annotated[str, StringConstraints(max_length=20000)] = Field(
        "", description='JSON: {"column header": "client field"} overrides of the guessed mapping, or a list '
                        'with one field per column ("" ignores a column). Empty: guessed from the headers.')


class RowError(Schema):
    row: int = Field(description="The row number as the spreadsheet shows it")
    column: str
    field: str
    message: str


class RowDuplicate(Schema):
    row: int
    column: str
    value: str
    reason: str = Field(description="phone, email, identifier, or name and date of birth")
    other_row: int | None = Field(None, description="An earlier row of the same file it repeats")
    client_id: int | None = Field(None, description="A client already on file it matches")
    client_name: str | None = None


class ImportResult(Schema):
    detail: str
    file_name: str
    columns: list[str]
    mapping: list[str] = Field(description="The client field each column feeds, in order ('': ignored)")
    rows: int
    valid: int
    invalid_rows: int
    errors: list[RowError] = Field(description="Per-row errors (the first 1,000)")
    duplicates: list[RowDuplicate] = Field(description="Rows like a client on file or an earlier row")
    duplicate_rows: int
    dry_run: bool
    valid_rows_only: bool
    skip_duplicates: bool
    created: int
    committed: bool
    seconds: float
