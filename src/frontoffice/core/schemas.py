from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
HoursRange = Annotated[list[Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]],
                       Field(min_length=2, max_length=2)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class OrganizationOut(Schema):
    id: int
    slug: str
    name: str
    vertical: str
    language: str
    time_zone: str
    currency: str
    country: str
    visitor_retention_days: int
    caller_retention_days: int
    require_two_factor: bool


class OrganizationPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    language: Literal["en", "pl"] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    visitor_retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    caller_retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    require_two_factor: bool | None = None


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    language: str


class MemberOut(Schema):
    id: int
    user: UserOut
    roles: list[str]
    title: str
    phone: str
    active: bool
    site_ids: list[int]

    @staticmethod
    def resolve_site_ids(obj) -> list[int]:
        return [site.pk for site in obj.sites.all()]


class MeOut(Schema):
    user: UserOut
    member_id: int
    roles: list[str]
    capabilities: list[str]
    organization: OrganizationOut


class ClosureOut(Schema):
    id: int
    starts_on: date
    ends_on: date
    reason: str


class SiteOut(Schema):
    id: int
    name: str
    address: str
    time_zone: str
    opening_hours: dict[str, list[list[str]]]
    active: bool
    closures: list[ClosureOut]

    @staticmethod
    def resolve_closures(obj) -> list:
        return list(obj.closures.all())


class SiteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Name
    address: Annotated[str, StringConstraints(max_length=1000)] = ""
    time_zone: Annotated[str, StringConstraints(max_length=64)] = ""
    opening_hours: dict[Weekday, list[HoursRange]] | None = None


class SitePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    address: Annotated[str, StringConstraints(max_length=1000)] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    opening_hours: dict[Weekday, list[HoursRange]] | None = None
    active: bool | None = None


class DepartmentOut(Schema):
    id: int
    name: str
    site_id: int | None
    phone: str
    email: str
    active: bool
    member_ids: list[int]

    @staticmethod
    def resolve_member_ids(obj) -> list[int]:
        return [m.pk for m in obj.members.all()]


class DepartmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Name
    site_id: int | None = None
    phone: Phone = ""
    email: EmailStr | Literal[""] = ""
    member_ids: list[int] = []


class DepartmentPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    site_id: int | None = None
    phone: Phone | None = None
    email: EmailStr | Literal[""] | None = None
    member_ids: list[int] | None = None
    active: bool | None = None


class ActivityOut(Schema):
    id: int
    verb: str
    occurred_at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_kind: str
    site_id: int | None
    subject_type: str
    subject_id: str
    subject_label: str
    client_id: int | None
    data: dict

    @staticmethod
    def resolve_actor_name(obj) -> str | None:
        return obj.actor.user.full_name if obj.actor_id else None


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class ErrorItem(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class MemberRef(Schema):
    member_id: int
    name: str


def member_ref(member) -> dict | None:
    return None if member is None else {"member_id": member.pk, "name": str(member)}
