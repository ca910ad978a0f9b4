"""What each vertical declares about clients: identifiers (validated where a standard exists)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip, pesel, regon


@dataclass(frozen=True)
class Identifier:
    key: str
    label: str
    validate: Callable[[str], str] | None  # returns the compact form or raises ValueError
    kinds: tuple[str, ...] = ("person", "organization")


def _stdnum(module):
    def check(value: str) -> str:
        try:
            return module.validate(value)
        except StdnumError as exc:
            raise ValueError(str(exc)) from None

    return check


def _reference(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9/._-]{0,39}", value):
        raise ValueError("letters, digits and / . _ - only")
    return value


PESEL = Identifier("pesel", _("PESEL"), _stdnum(pesel), ("person",))
NIP = Identifier("nip", _("NIP (tax number)"), _stdnum(nip))
REGON = Identifier("regon", _("REGON"), _stdnum(regon), ("organization",))
PATIENT_NO = Identifier("patient_no", _("Patient number"), _reference, ("person",))
STUDENT_NO = Identifier("student_no", _("Student number"), _reference, ("person",))
MATTER_NO = Identifier("matter_no", _("Matter number"), _reference)
CUSTOMER_NO = Identifier("customer_no", _("Customer number"), _reference)

IDENTIFIERS: dict[str, tuple[Identifier, ...]] = {
    "medical": (PESEL, PATIENT_NO, NIP),
    "legal": (MATTER_NO, PESEL, NIP, REGON),
    "education": (STUDENT_NO, PESEL),
    "small_business": (CUSTOMER_NO, NIP, REGON),
    "general": (PESEL, NIP, REGON),
}


def identifiers_for(vertical: str) -> tuple[Identifier, ...]:
    return IDENTIFIERS.get(vertical, IDENTIFIERS["general"])
