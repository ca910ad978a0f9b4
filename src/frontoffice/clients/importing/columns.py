"""The spreadsheet columns a client list has: what each import column feeds, guessed from its header.

The same vocabulary names the export's columns, so an exported file imports back unchanged (in either
language: headers are recognised in English and Polish whatever the page language is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontoffice.clients import presets
from frontoffice.clients.models import CustomField
from frontoffice.core.text import fold

IGNORE = ""
FULL_NAME = "full_name"  # "Jan Kowalski" in one column: split into first and last name
FULL_NAME_LAST_FIRST = "full_name_last_first"  # "Kowalski Jan", the way Polish registers list people
MULTIPLE = {"phones", "emails", "tags"}  # several columns may feed these; a cell may hold several values


@dataclass(frozen=True)
class Target:
    key: str  # a ClientInput field, "full_name", "identifiers.<key>" or "custom.<key>"
    label: str

    @property
    def multiple(self) -> bool:
        return self.key in MULTIPLE


# Built-in targets: (key, label, header words in English and Polish, written folded).
_BASE = (
    ("first_name", gettext_lazy("First name"),
     "first name|firstname|first|given name|forename|imie|imiona"),
    ("last_name", gettext_lazy("Last name"),
     "last name|lastname|last|surname|family name|nazwisko"),
    (FULL_NAME, gettext_lazy("Full name (first and last)"),
     ("name|full name|client|client name|patient|student|person|imie i nazwisko|klient|"
      "pacjent|uczen|osoba|dane osobowe")),
    (FULL_NAME_LAST_FIRST, gettext_lazy("Full name (last name first)"),
     "nazwisko i imie|nazwisko imie|surname and first name|last name first name|last first|surname first name"),
    ("organization_name", gettext_lazy("Organisation name"),
     ("company|company name|organisation|organization|organisation name|organization name|firm|business|"
      "employer|firma|nazwa firmy|nazwa|nazwa organizacji|organizacja|pracodawca|instytucja")),
    ("kind", gettext_lazy("Kind (person or organisation)"),
     "kind|type|client type|rodzaj|typ|rodzaj klienta|osoba firma"),
    ("date_of_birth", gettext_lazy("Date of birth"),
     "date of birth|birth date|birthdate|dob|birthday|born|data urodzenia|urodzony|urodzona|urodziny|data ur"),
    ("phones", gettext_lazy("Phone"),
     ("phone|phones|telephone|tel|phone number|phone numbers|mobile|mobile phone|cell|cell phone|cellphone|"
      "home phone|work phone|telefon|telefony|nr telefonu|numer telefonu|komorka|tel kom|telefon komorkowy|"
      "nr tel|telefon domowy|telefon stacjonarny")),
    ("emails", gettext_lazy("E-mail"),
     ("email|e mail|emails|e mails|mail|email address|e mail address|adres email|adres e mail|poczta email|"
      "poczta e mail")),
    ("street", gettext_lazy("Street and number"),
     ("street|address|street address|street and number|address line 1|address 1|adres|ulica|ulica i numer|"
      "ul|adres zamieszkania")),
    ("postal_code", gettext_lazy("Postal code"),
     "postal code|postcode|post code|zip|zip code|kod pocztowy|kod"),
    ("city", gettext_lazy("City"), "city|town|locality|miasto|miejscowosc"),
    ("country", gettext_lazy("Country"), "country|country code|kraj"),
    ("tags", gettext_lazy("Tags"), "tags|tag|labels|groups|tagi|etykiety|grupy"),
    ("notes", gettext_lazy("Notes"),
     "notes|note|comments|comment|remarks|uwagi|notatki|notatka|komentarz|komentarze|opis"),
)
_IGNORED_HEADERS = {"id", "lp", "l p", "#", "no", "nr", "number", "numer"}
_KINDS = {"person": "person", "osoba": "person", "individual": "person", "private": "person",
          "prywatna": "person", "osoba fizyczna": "person", "organization": "organization",
          "organisation": "organization", "organizacja": "organization", "company": "organization",
          "firma": "organization", "business": "organization", "instytucja": "organization"}


def header_key(text: str) -> str:
    """A header folded for comparison: "E-mail" → "e mail", "Imię i nazwisko" → "imie i nazwisko"."""
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", fold(text)).split())


def _both_languages(label) -> set[str]:
    names = set()
    for language in ("en", "pl"):
        with translation.override(language):
            names.add(header_key(str(label)))
    return names


def targets(organization, fields: list[CustomField]) -> list[Target]:
    """Every field a column can feed, in the order the export writes them."""
    found = [Target(key, str(label)) for key, label, _words in _BASE]
    found += [Target(f"identifiers.{ident.key}", str(ident.label)) for ident in presets.identifiers_for(
        organization.vertical)]
    found += [Target(f"custom.{field.key}", field.label) for field in fields]
    return found


def _vocabulary(organization, fields: list[CustomField]) -> dict[str, str]:
    """Folded header → target key."""
    words: dict[str, str] = {}
    for key, label, synonyms in _BASE:
        for word in synonyms.split("|") + sorted(_both_languages(label)):
            words.setdefault(header_key(word), key)
    for ident in presets.identifiers_for(organization.vertical):
        for word in {ident.key, ident.key.replace("_", " "), *_both_languages(ident.label)}:
            words[header_key(word)] = f"identifiers.{ident.key}"
        # "NIP (tax number)" is also written plain "NIP"
        words.setdefault(header_key(str(ident.label).split("(")[0]), f"identifiers.{ident.key}")
    for field in fields:
        for word in (field.key, field.key.replace("_", " "), field.label):
            words.setdefault(header_key(word), f"custom.{field.key}")
    return words


def guess_mapping(columns: list[str], organization, fields: list[CustomField]) -> list[str]:
    """One target per column, from its header; a column that feeds a single field twice is ignored."""
    words = _vocabulary(organization, fields)
    mapping, taken = [], set()
    for column in columns:
        key = header_key(column)
        target = IGNORE if key in _IGNORED_HEADERS else words.get(key, IGNORE)
        if not target:  # "Telefon 2", "Phone (mobile)", "E-mail służbowy": the first words decide
            for size in range(len(key.split()) - 1, 0, -1):
                target = words.get(" ".join(key.split()[:size]), IGNORE)
                if target:
                    break
        if target and target not in MULTIPLE and target in taken:
            target = IGNORE
        taken.add(target)
        mapping.append(target)
    return mapping


def apply_overrides(columns: list[str], mapping: list[str], overrides: dict, allowed: set[str]) -> list[str]:
    """Change the guessed mapping: ``{"Column header" or column index: "field"}`` ("" or "ignore" = skip)."""
    mapping = list(mapping)
    by_header = {header_key(c): i for i, c in reversed(list(enumerate(columns)))}
    for column, target in overrides.items():
        target = (target or "").strip()
        target = IGNORE if target in ("ignore", "-") else target
        if isinstance(column, int) or (isinstance(column, str) and column.isdigit() and header_key(column)
                                       not in by_header):
            index = int(column)
            if not 0 <= index < len(columns):
                raise ValidationError({"mapping": [_("There is no column %(n)s.") % {"n": column}]})
        elif header_key(str(column)) in by_header:
            index = by_header[header_key(str(column))]
        else:
            raise ValidationError({"mapping": [_("There is no column “%(name)s” in the file.") % {"name": column}]})
        if target and target not in allowed:
            raise ValidationError({"mapping": [_("“%(field)s” is not a client field.") % {"field": target}]})
        mapping[index] = target
    return check_mapping(columns, mapping)


def check_mapping(columns: list[str], mapping: list[str]) -> list[str]:
    """Refuse a mapping with no name column or with two columns feeding one single-valued field."""
    mapping = (list(mapping) + [IGNORE] * len(columns))[: len(columns)]
    seen: dict[str, str] = {}
    for column, target in zip(columns, mapping):
        if target and target not in MULTIPLE:
            if target in seen:
                raise ValidationError({"mapping": [_("Columns “%(a)s” and “%(b)s” both go to the same field; "
                                                     "ignore one of them.") % {"a": seen[target], "b": column}]})
            seen[target] = column
    if not {"first_name", "last_name", FULL_NAME, FULL_NAME_LAST_FIRST, "organization_name"} & set(seen):
        raise ValidationError({"mapping": [_("No column holds a name. Choose which column is the first name, "
                                             "last name, full name or organisation name.")]})
    return mapping


def kind_of(text: str) -> str:
    """"osoba" → person, "firma" → organization; unknown words are left for validation to refuse."""
    return _KINDS.get(header_key(text), text.strip())
