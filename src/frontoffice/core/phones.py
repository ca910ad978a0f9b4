"""Phone numbers: parsed with the ``phonenumbers`` library, stored as E.164."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"\d")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,}$")


def normalize(text: str, country: str) -> str:
    """E.164 for whatever the user typed ("600 100 200", "+48 600-100-200", "0048…"), or ValidationError."""
    raw = (text or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, (country or "PL").upper())
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": text}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": text})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize(text: str, country: str) -> str | None:
    try:
        return normalize(text, country)
    except ValidationError:
        return None


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_LIKE.match((text or "").strip())) and len(digits(text)) >= 6


def digits(text: str) -> str:
    return "".join(_DIGITS.findall(text or ""))


def reversed_digits(e164: str) -> str:
    return digits(e164)[::-1]


def display(e164: str) -> str:
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164
