"""The shapes of the reception API. Pydantic checks the shape of a request (types, sizes); the reception
services check what it means (someone to see, an expected time not past, a state that allows the step)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, EmailStr, Field, StringConstraints

from frontoffice.core.schemas import ErrorItem, MemberRef, member_ref
from frontoffice.reception.models import Visit

Status = Literal["expected", "arrived", "with_host", "left", "cancelled", "no_show"]

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Email = EmailStr | Literal[""]
Id = Annotated[int, Field(ge=1)]
Cursor = Annotated[str, StringConstraints(max_length=200)]


# --- visits ------------------------------------------------------------------------------------

class VisitorOut(Schema):
    name: str
    company: str
    email: str
    phone: str = Field(description="E.164, e.g. +48600100200, or empty")


class HostOut(Schema):
    member_id: int | None
    name: str | None = Field(description="The host member's name")
    department_id: int | None
    department: str | None = Field(description="The host department's name")


class VisitOut(Schema):
    id: int
    status: Status
    visitor: VisitorOut
    client_id: int | None
    host: HostOut
    visit_type: str
    purpose: str
    expected_at: dt.datetime | None
    arrived_at: dt.datetime | None
    greeted_by: MemberRef | None
    host_met_at: dt.datetime | None
    left_at: dt.datetime | None
    badge_number: str = Field(description="Per site and day, given at check-in; empty before")
    site_id: int
    code: str = Field(description="The visit's code: the QR content for check-in and check-out")

    @staticmethod
    def resolve_visitor(obj: Visit) -> dict:
        return {"name": obj.visitor_name, "company": obj.visitor_company, "email": obj.visitor_email,
                "phone": obj.visitor_phone}

    @staticmethod
    def resolve_host(obj: Visit) -> dict:
        member, department = obj.host_member, obj.host_department
        return {"member_id": obj.host_member_id, "name": str(member) if member else None,
                "department_id": obj.host_department_id,
                "department": department.name if department else None}

    @staticmethod
    def resolve_greeted_by(obj: Visit) -> dict | None:
        return member_ref(obj.greeted_by)


class VisitPage(Schema):
    items: list[VisitOut]
    next_cursor: str | None


class VisitList(Schema):
    items: list[VisitOut]


class VisitFilter(Schema):
    date: dt.date | None = Field(None, description="A day (YYYY-MM-DD) in the organisation's time zone: "
                                                    "visits expected that day, and walk-ins that arrived "
                                                    "that day")
    status: Status | None = None
    site: Id | None = Field(None, description="A site id")
    host: Id | None = Field(None, description="The host's member id")
    cursor: Cursor | None = None
    limit: int = Field(50, ge=1, le=200)


class OnSiteFilter(Schema):
    site: Id | None = Field(None, description="A site id; every site when left out")


class VisitIn(Schema):
    """An invitation (the default) or, with ``"arrived": true``, a walk-in checked in at once."""

    model_config = ConfigDict(extra="forbid")

    arrived: bool = Field(False, description="true: a walk-in, checked in now; false: an invitation")
    site_id: Id | None = Field(None, description="Needed when the organisation has more than one active site")
    host_member_id: Id | None = None
    host_department_id: Id | None = None
    visit_type: Key | None = Field(None, description="A visit type of the organisation's kind of office "
                                                     "(patient, client, guest, …); the first one when left "
                                                     "out")
    expected_at: dt.datetime | None = Field(None, description="Needed for an invitation; not in the past. "
                                                              "Without an offset: in the organisation's "
                                                              "time zone")
    purpose: Line = ""
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""
    client_id: Id | None = Field(None, description="An existing client: the visitor's name, e-mail and phone "
                                                   "default to the client's")
    visitor_name: Line = ""
    visitor_company: Line = ""
    visitor_email: Email = ""
    visitor_phone: Phone = ""
    send_invitation: bool | None = Field(None, description="E-mail the invitation with the QR code; by "
                                                           "default when visitor_email is given")
    override_watchlist: bool = Field(False, description="Walk-ins only; needs reception.watchlist")


class VisitPatch(Schema):
    """Only the fields sent change. ``null`` clears a host or the expected time."""

    model_config = ConfigDict(extra="forbid")

    host_member_id: Id | None = None
    host_department_id: Id | None = None
    visit_type: Key = None
    expected_at: dt.datetime | None = None
    purpose: Line = None
    notes: Annotated[str, StringConstraints(max_length=5000)] = None
    visitor_name: Name = None
    visitor_company: Line = None
    visitor_email: Email = None
    visitor_phone: Phone = None


class CheckInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    override_watchlist: bool = Field(False, description="Admit a person who matched the watchlist; needs "
                                                        "reception.watchlist")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Line = ""


class BadgeQuery(Schema):
    # Checked by the handler (400 naming "size") so that the capability is checked first.
    size: Annotated[str, StringConstraints(max_length=10)] = Field(
        "label", description="label: 62 mm × 100 mm (the default); a4: an A4 sheet",
        json_schema_extra={"enum": ["label", "a4"]})


# --- deliveries --------------------------------------------------------------------------------

class DeliveryOut(Schema):
    id: int
    site_id: int
    carrier: str
    tracking: str
    recipient: MemberRef
    description: str
    storage_spot: str
    has_photo: bool
    received_by: MemberRef | None
    received_at: dt.datetime
    notified_at: dt.datetime | None
    picked_up_at: dt.datetime | None
    picked_up_by_name: str
    handed_over_by: MemberRef | None

    @staticmethod
    def resolve_recipient(obj) -> dict:
        return member_ref(obj.recipient)

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_received_by(obj) -> dict | None:
        return member_ref(obj.received_by)

    @staticmethod
    def resolve_handed_over_by(obj) -> dict | None:
        return member_ref(obj.handed_over_by)


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryFilter(Schema):
    waiting: bool | None = Field(None, description="true: not picked up yet; false: picked up")
    site: Id | None = None
    recipient: Id | None = Field(None, description="The recipient's member id")
    cursor: Cursor | None = None
    limit: int = Field(50, ge=1, le=200)


class DeliveryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    site_id: Id | None = Field(None, description="Needed when the organisation has more than one active site")
    carrier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    recipient_id: Id = Field(description="The member the package is for")
    tracking: Short = ""
    description: Line = ""
    storage_spot: Short = ""


class PickupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    picked_up_by_name: Line = Field("", description="Who took it, when not the recipient")


class ConflictOut(Schema):
    """409: the request clashes with the visit's state. A visitor who matched the watchlist has
    ``code`` "watchlist" (the visit is held for a manager; nothing about the match is told)."""

    detail: str
    code: str | None = Field(None, description='"watchlist" for a watchlist match')
    errors: list[ErrorItem] = Field(default_factory=list)
