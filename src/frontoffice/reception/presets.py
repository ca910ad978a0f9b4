"""What each vertical declares about visits: the types of visit and the documents visitors accept.

A visit type's ``documents`` name the kinds of document a new office starts with for it
(``default_documents`` turns them into texts the owner can edit); the documents actually asked for
at the kiosk are the organisation's active ``VisitDocument`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NDA = "nda"
HEALTH = "health"
PHOTO = "photo"
OTHER = "other"


@dataclass(frozen=True)
class VisitType:
    key: str
    label: str
    colour: str  # hex, for the badge stripe and the desk board
    what_to_bring: str  # told in the invitation e-mail
    documents: tuple[str, ...] = ()  # kinds of document a new office asks this type to accept


@dataclass(frozen=True)
class DefaultDocument:
    kind: str
    title: str
    body: str
    visit_types: tuple[str, ...]


_ID = _("A photo ID.")

_GUEST = VisitType("guest", _("Guest"), "#2E7D32", _ID)
_CONTRACTOR = VisitType("contractor", _("Contractor"), "#EF6C00",
                        _("A photo ID, your company's work order and any safety equipment you need."),
                        (NDA, HEALTH))
_INTERVIEW = VisitType("interview", _("Interview"), "#6A1B9A",
                       _("A photo ID and a copy of your CV."), (NDA,))
_DELIVERY = VisitType("delivery", _("Delivery"), "#795548",
                      _("The delivery note; parcels are received at the desk."))

VISIT_TYPES: dict[str, tuple[VisitType, ...]] = {
    "medical": (
        VisitType("patient", _("Patient"), "#1565C0",
                  _("Your ID, your insurance card, any referral and the results of earlier tests."), (HEALTH,)),
        VisitType("visitor", _("Visitor"), "#2E7D32", _("A photo ID."), (HEALTH,)),
        _DELIVERY,
        _CONTRACTOR,
        _INTERVIEW,
    ),
    "legal": (
        VisitType("client", _("Client"), "#1565C0",
                  _("A photo ID and any documents about your matter (letters, contracts, court papers).")),
        _GUEST,
        VisitType("courier", _("Courier"), "#795548", _("The delivery note; documents are received at the desk.")),
        VisitType("expert", _("Expert"), "#00838F",
                  _("A photo ID and your report or notes for the meeting."), (NDA,)),
        _CONTRACTOR,
        _INTERVIEW,
    ),
    "education": (
        VisitType("parent", _("Parent"), "#1565C0",
                  _("A photo ID; you will wear a visitor badge while in the school.")),
        VisitType("student", _("Student"), "#00838F", _("Your student card.")),
        _GUEST,
        _CONTRACTOR,
        _INTERVIEW,
    ),
    "small_business": (
        VisitType("customer", _("Customer"), "#1565C0", _("Your order number or any paperwork about your request.")),
        _GUEST,
        VisitType("supplier", _("Supplier"), "#00838F", _("A photo ID and your delivery or price documents."),
                  (NDA,)),
        _CONTRACTOR,
        _INTERVIEW,
        _DELIVERY,
    ),
    "general": (_GUEST, _CONTRACTOR, _INTERVIEW, _DELIVERY),
}

_DOCUMENT_TEXTS: dict[str, tuple[str, str]] = {
    NDA: (_("Confidentiality"),
          _("While on our premises I may see or hear information about this office, its clients and its staff. "
            "I will keep it confidential, not record or photograph it, and not pass it on to anyone.")),
    HEALTH: (_("Health declaration"),
             _("I have no symptoms of an infectious illness (fever, cough, rash, vomiting) and have not been "
               "told to isolate. If I feel unwell during the visit I will tell the reception.")),
    PHOTO: (_("Visitor photo"),
            _("I agree to my photo being taken for the visitor badge. It is deleted together with the visit "
              "record.")),
}


def visit_types(vertical: str) -> tuple[VisitType, ...]:
    return VISIT_TYPES.get(vertical, VISIT_TYPES["general"])


def visit_type(vertical: str, key: str) -> VisitType | None:
    return next((t for t in visit_types(vertical) if t.key == key), None)


def visit_type_choices(vertical: str) -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in visit_types(vertical)]


def default_documents(vertical: str) -> list[DefaultDocument]:
    """The documents a new office of this vertical starts with, each for the types that ask for it."""
    documents = []
    for kind, (title, body) in _DOCUMENT_TEXTS.items():
        types = tuple(t.key for t in visit_types(vertical) if kind in t.documents)
        if types:
            documents.append(DefaultDocument(kind, title, body, types))
    return documents
