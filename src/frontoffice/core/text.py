"""Folding text for search: one definition, so both database engines find the same rows."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae",
                          "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i"})
_NON_WORD = re.compile(r"[^\w@.+-]+")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (Żółw → zolw, Łódź → lodz) and collapse white space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


def terms(query: str) -> list[str]:
    """The search terms of a query, folded, without duplicates, in order."""
    seen: list[str] = []
    for term in fold(query).split():
        term = term.strip(".-+")
        if term and term not in seen:
            seen.append(term)
    return seen
