"""Checking every row of a file with the one set of client rules, and finding duplicates.

Nothing here writes: a dry run is exactly this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frontoffice.clients.importing.columns import FULL_NAME, FULL_NAME_LAST_FIRST, MULTIPLE, kind_of
from frontoffice.clients.importing.files import Table
from frontoffice.clients.models import COMPANY, Client, ClientEmail, ClientIdentifier, ClientPhone
from frontoffice.clients.validation import CleanClient, ClientInput, clean_client
from frontoffice.core.text import fold

KEEP_ERRORS = 1000  # per report; the count of rows with errors is always exact
KEEP_DUPLICATES = 1000
_SPLIT_VALUES = {"phones": re.compile(r"[;,\n]+"), "emails": re.compile(r"[;,\s]+"), "tags": re.compile(r"[;,|\n]+")}
LOOKUP_CHUNK = 500


@dataclass
class Checked:
    """The outcome of checking a file: valid rows ready to store, and what a person must see."""

    rows: int = 0
    valid: list[tuple[int, CleanClient]] = field(default_factory=list)
    invalid_rows: int = 0
    errors: list[dict] = field(default_factory=list)  # {row, column, field, message}
    duplicates: list[dict] = field(default_factory=list)  # {row, column, value, reason, other_row | client_id}
    duplicate_rows: set[int] = field(default_factory=set)
    births: dict[int, str] = field(default_factory=dict)  # row → "folded sort name|date of birth"


def split_name(value: str, *, last_first: bool) -> tuple[str, str]:
    """(first, last) from one cell: "Jan Kowalski", "Kowalski Jan" (last_first) or "Kowalski, Jan"."""
    if "," in value:
        last, _sep, first = value.partition(",")
        return first.strip(), last.strip()
    words = value.split()
    if last_first:
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]


def row_input(cells: list[str], mapping: list[str]) -> ClientInput:
    data = ClientInput()
    identifiers: dict[str, str] = {}
    custom: dict[str, str] = {}
    for value, target in zip(cells, mapping):
        if not target or not value:
            continue
        if target in MULTIPLE:
            getattr(data, target).extend(v.strip() for v in _SPLIT_VALUES[target].split(value) if v.strip())
        elif target in (FULL_NAME, FULL_NAME_LAST_FIRST):
            data.first_name, data.last_name = split_name(value, last_first=target == FULL_NAME_LAST_FIRST)
        elif target == "kind":
            data.kind = kind_of(value)
        elif target.startswith("identifiers."):
            identifiers[target.split(".", 1)[1]] = value
        elif target.startswith("custom."):
            custom[target.split(".", 1)[1]] = value
        else:
            setattr(data, target, value)
    if "pesel" in identifiers and identifiers["pesel"].isdigit() and len(identifiers["pesel"]) == 10:
        identifiers["pesel"] = identifiers["pesel"].zfill(11)  # a spreadsheet stored it as a number
    data.identifiers, data.custom = identifiers, custom
    if "kind" not in mapping and data.organization_name and not (data.first_name or data.last_name):
        data.kind = COMPANY
    return data


def _column_for(key: str, mapping: list[str], columns: list[str]) -> str:
    """The column a validation error belongs to ("identifiers.pesel" → "PESEL")."""
    wanted = {key}
    if key in ("first_name", "last_name"):
        wanted |= {FULL_NAME, FULL_NAME_LAST_FIRST}
    if key == "last_name":
        wanted |= {"first_name"}
    for target in [key, *sorted(wanted - {key})]:
        if target in mapping:
            return columns[mapping.index(target)]
    return ""


def check_rows(organization, table: Table, mapping: list[str], fields,
               progress: Callable[[int], None] | None = None) -> Checked:
    """Validate every row; collect errors per row and column, and duplicates within the file."""
    checked = Checked(rows=len(table.rows))
    seen: dict[tuple[str, str], int] = {}  # (reason, value) → first row
    columns = table.columns
    for index, (number, cells) in enumerate(table.rows):
        if progress is not None and index % 1000 == 0:
            progress(index)
        try:
            clean = clean_client(organization, row_input(cells, mapping), fields)
        except ValidationError as exc:
            checked.invalid_rows += 1
            for key, messages in exc.message_dict.items():
                for message in messages:
                    if len(checked.errors) < KEEP_ERRORS:
                        checked.errors.append({"row": number, "column": _column_for(key, mapping, columns),
                                               "field": key, "message": message})
            continue
        checked.valid.append((number, clean))
        for reason, target, values in _contact_keys(clean):
            for value in values:
                first = seen.setdefault((reason, value), number)
                if first != number:
                    _duplicate(checked, number, {"column": _column_for(target, mapping, columns), "value": value,
                                                 "reason": reason, "other_row": first})
        if clean.date_of_birth:
            checked.births[number] = birth = f"{_sort_name(clean)}|{clean.date_of_birth.isoformat()}"
            first = seen.setdefault(("name and date of birth", birth), number)
            if first != number:
                _duplicate(checked, number, {"column": "", "value": clean.display_name,
                                             "reason": "name and date of birth", "other_row": first})
    if progress is not None:
        progress(len(table.rows))
    return checked


def _contact_keys(clean: CleanClient):
    yield "phone", "phones", clean.phones
    yield "email", "emails", clean.emails
    for key, value in clean.identifiers.items():
        yield "identifier", f"identifiers.{key}", [value]


def _sort_name(clean: CleanClient) -> str:
    return fold(clean.organization_name) if clean.kind == COMPANY else fold(f"{clean.last_name} {clean.first_name}")


def _duplicate(checked: Checked, number: int, entry: dict) -> None:
    if number in checked.duplicate_rows:
        return  # one entry per row is enough to send a person to look
    checked.duplicate_rows.add(number)
    if len(checked.duplicates) < KEEP_DUPLICATES:
        checked.duplicates.append({"row": number} | entry)


def find_existing(organization, checked: Checked, mapping: list[str], columns: list[str]) -> None:
    """Add rows that match a live client already in the database (same phone, e-mail, identifier,
    or the same name and date of birth). Indexed lookups in chunks: a few queries per 500 values."""
    wanted: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for number, clean in checked.valid:
        for reason, target, values in _contact_keys(clean):
            for value in values:
                wanted.setdefault((reason, value), []).append((number, target))
        if number in checked.births:
            wanted.setdefault(("name and date of birth", checked.births[number]), []).append((number, ""))
    live = {"client__merged_into__isnull": True, "client__erased_at__isnull": True}
    lookups = [
        ("phone", ClientPhone.objects.filter(organization=organization, **live), "number"),
        ("email", ClientEmail.objects.filter(organization=organization, **live), "email"),
        ("identifier", ClientIdentifier.objects.filter(organization=organization, **live), "value"),
    ]
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for reason, queryset, column in lookups:
        values = [value for r, value in wanted if r == reason]
        for start in range(0, len(values), LOOKUP_CHUNK):
            rows = queryset.filter(**{f"{column}__in": values[start:start + LOOKUP_CHUNK]}).values_list(
                column, "client_id", "client__display_name")
            for value, client_id, name in rows:
                found.setdefault((reason, value), (client_id, name))
    births = [key for r, key in wanted if r == "name and date of birth"]
    for start in range(0, len(births), LOOKUP_CHUNK):
        chunk = [key.split("|") for key in births[start:start + LOOKUP_CHUNK]]
        rows = (Client.objects.filter(organization=organization, merged_into__isnull=True, erased_at__isnull=True,
                                      sort_name__in={name for name, _d in chunk},
                                      date_of_birth__in={d for _n, d in chunk})
                .values_list("sort_name", "date_of_birth", "pk", "display_name"))
        for sort_name, born, client_id, name in rows:
            key = ("name and date of birth", f"{sort_name}|{born.isoformat()}")
            if key in wanted:  # the query matched names and dates separately
                found.setdefault(key, (client_id, name))
    column_of = {target: column for column, target in reversed(list(zip(columns, mapping)))}
    for (reason, value), (client_id, name) in found.items():
        for number, target in wanted[(reason, value)]:
            column = column_of.get(target, "")
            _duplicate(checked, number, {"column": column, "value": value.split("|")[0], "reason": reason,
                                         "client_id": client_id, "client_name": name})
    checked.duplicates.sort(key=lambda entry: entry["row"])


def reason_label(reason: str) -> str:
    return {"phone": _("same phone"), "email": _("same e-mail"), "identifier": _("same identifier"),
            "name and date of birth": _("same name and date of birth")}.get(reason, reason)
