"""Checking what a person typed about a client — one set of rules for the forms, the API and imports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from frontoffice.clients import presets
from frontoffice.clients.models import COMPANY, PERSON, CustomField
from frontoffice.core import phones
from frontoffice.core.models import Organization

MAX_TAGS = 30


@dataclass
class ClientInput:
    kind: str = PERSON
    first_name: str = ""
    last_name: str = ""
    organization_name: str = ""
    date_of_birth: date | str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    custom: dict[str, object] = field(default_factory=dict)


@dataclass
class CleanClient:
    """Validated, normalised values ready to store."""

    kind: str
    first_name: str
    last_name: str
    organization_name: str
    date_of_birth: date | None
    phones: list[str]
    emails: list[str]
    street: str
    postal_code: str
    city: str
    country: str
    identifiers: dict[str, str]
    tags: list[str]
    notes: str
    custom: dict[str, object]

    @property
    def display_name(self) -> str:
        if self.kind == COMPANY:
            return self.organization_name
        return f"{self.first_name} {self.last_name}".strip()


def _text(value, limit: int) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()[:limit]


def clean_client(organization: Organization, data: ClientInput,
                 fields: list[CustomField] | None = None) -> CleanClient:
    """Validate ``data`` for ``organization``; raise ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    kind = data.kind or PERSON
    if kind not in (PERSON, COMPANY):
        fail("kind", _("Choose person or organisation."))
    first, last, company = _text(data.first_name, 100), _text(data.last_name, 100), _text(data.organization_name, 200)
    if kind == PERSON and not (first or last):
        fail("last_name", _("Enter a name."))
    if kind == COMPANY and not company:
        fail("organization_name", _("Enter the organisation's name."))

    birth = _clean_date(data.date_of_birth, fail)
    if birth is not None and kind == COMPANY:
        fail("date_of_birth", _("An organisation has no date of birth."))

    numbers = []
    for raw in data.phones or []:
        if not str(raw).strip():
            continue
        try:
            numbers.append(phones.normalize(str(raw), organization.country))
        except ValidationError as exc:
            fail("phones", exc.messages[0])
    emails = []
    for raw in data.emails or []:
        address = str(raw or "").strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            fail("emails", _("“%(value)s” is not an e-mail address.") % {"value": raw})
        else:
            emails.append(address)

    identifiers = _clean_identifiers(organization, kind, data.identifiers or {}, birth, fail)
    tags = list(dict.fromkeys(_text(t, 40) for t in (data.tags or []) if _text(t, 40)))
    if len(tags) > MAX_TAGS:
        fail("tags", _("Use at most %(n)s tags.") % {"n": MAX_TAGS})
    country = _text(data.country, 100).upper()  # checked whole: "Poland" is not "PO"
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        fail("country", _("Use a two-letter country code such as PL."))
    custom = clean_custom(organization, data.custom or {}, fields, fail)
    if errors:
        raise ValidationError(errors)
    return CleanClient(
        kind=kind, first_name=first if kind == PERSON else "", last_name=last if kind == PERSON else "",
        organization_name=company, date_of_birth=birth, phones=list(dict.fromkeys(numbers)),
        emails=list(dict.fromkeys(emails)), street=_text(data.street, 200), postal_code=_text(data.postal_code, 20),
        city=_text(data.city, 100), country=country, identifiers=identifiers, tags=tags,
        notes=str(data.notes or "").strip()[:10000], custom=custom,
    )


def _clean_date(value, fail) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        parsed = None
        try:
            parsed = parse_date(text)
        except ValueError:
            parsed = None
        if parsed is None:
            match = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", text)  # 31.12.1980, the Polish way
            if match:
                try:
                    parsed = date(int(match[3]), int(match[2]), int(match[1]))
                except ValueError:
                    parsed = None
        if parsed is None:
            fail("date_of_birth", _("Write the date as YYYY-MM-DD or DD.MM.YYYY."))
            return None
    if parsed > timezone.localdate() or parsed.year < 1890:
        fail("date_of_birth", _("That date of birth is not possible."))
        return None
    return parsed


def _clean_identifiers(organization, kind, given: dict, birth, fail) -> dict[str, str]:
    known = {ident.key: ident for ident in presets.identifiers_for(organization.vertical)}
    clean = {}
    for key, raw in given.items():
        value = str(raw or "").strip()
        if not value:
            continue
        ident = known.get(key)
        if ident is None:
            fail(f"identifiers.{key}", _("Unknown identifier “%(key)s”.") % {"key": key})
            continue
        if kind not in ident.kinds:
            fail(f"identifiers.{key}", _("%(label)s does not apply to this kind of client.") % {"label": ident.label})
            continue
        try:
            clean[key] = ident.validate(value) if ident.validate else value
        except ValueError:
            fail(f"identifiers.{key}", _("This %(label)s is not valid: check the digits.") % {"label": ident.label})
            continue
    if "pesel" in clean and birth is not None:
        from stdnum.pl import pesel

        if pesel.get_birth_date(clean["pesel"]) != birth:
            fail("identifiers.pesel", _("The PESEL does not match the date of birth."))
    return clean


def clean_custom(organization, given: dict, fields: list[CustomField] | None, fail) -> dict[str, object]:
    fields = fields if fields is not None else list(organization.client_fields.filter(active=True))
    by_key = {f.key: f for f in fields}
    clean: dict[str, object] = {}
    for key in given:
        if key not in by_key:
            fail(f"custom.{key}", _("Unknown field “%(key)s”.") % {"key": key})
    for key, definition in by_key.items():
        raw = given.get(key)
        if raw in (None, ""):
            if definition.required:
                fail(f"custom.{key}", _("%(label)s is required.") % {"label": definition.label})
            continue
        value = _custom_value(definition, raw)
        if value is None:
            fail(f"custom.{key}", _("“%(value)s” is not a valid %(kind)s for %(label)s.") % {
                "value": raw, "kind": definition.get_kind_display(), "label": definition.label})
        else:
            clean[key] = value
    return clean


def _custom_value(definition: CustomField, raw):
    text = str(raw).strip()
    if definition.kind == CustomField.TEXT:
        return text[:500]
    if definition.kind == CustomField.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None
        return str(number) if number.is_finite() else None
    if definition.kind == CustomField.DATE:
        try:
            parsed = raw if isinstance(raw, date) else parse_date(text)
        except ValueError:
            parsed = None
        return parsed.isoformat() if parsed else None
    if definition.kind == CustomField.CHOICE:
        return text if text in definition.choices else None
    return None
