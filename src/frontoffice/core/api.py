"""The core API: who am I, the organisation, its sites, departments, members and activity."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from frontoffice.core import queries, services
from frontoffice.core.apiutils import require
from frontoffice.core.pagination import paginate_desc
from frontoffice.core.schemas import (
    ActivityPage,
    DepartmentIn,
    DepartmentOut,
    DepartmentPatch,
    ErrorOut,
    MemberOut,
    MeOut,
    OrganizationOut,
    OrganizationPatch,
    SiteIn,
    SiteOut,
    SitePatch,
)

router = Router(tags=["organisation"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who the token or session acts as")
def me(request):
    member = request.member
    return {"user": member.user, "member_id": member.pk, "roles": member.roles,
            "capabilities": sorted(member.capabilities), "organization": member.organization}


@router.get("/organization", response={200: OrganizationOut, **ERRORS})
def organization_get(request):
    require(request, "organization.view")
    return request.org


@router.patch("/organization", response={200: OrganizationOut, **ERRORS})
def organization_patch(request, payload: OrganizationPatch):
    require(request, "organization.manage")
    return services.organization_update(actor=request.member, organization=request.org,
                                        **payload.dict(exclude_unset=True))


@router.get("/sites", response={200: list[SiteOut], **ERRORS})
def site_list(request):
    require(request, "organization.view")
    return request.org.sites.prefetch_related("closures")


@router.post("/sites", response={201: SiteOut, **ERRORS})
def site_create(request, payload: SiteIn):
    require(request, "sites.manage")
    return Status(201, services.site_create(actor=request.member, **payload.dict()))


@router.patch("/sites/{site_id}", response={200: SiteOut, **ERRORS})
def site_patch(request, site_id: int, payload: SitePatch):
    require(request, "sites.manage")
    site = get_object_or_404(request.org.sites, pk=site_id)
    return services.site_update(actor=request.member, site=site, **payload.dict(exclude_unset=True))


def _department_refs(request, data: dict) -> dict:
    """Turn ids from the payload into this organisation's rows, naming the field that does not fit."""
    if "site_id" in data:
        site_id = data.pop("site_id")
        data["site"] = None
        if site_id is not None:
            data["site"] = request.org.sites.filter(pk=site_id).first()
            if data["site"] is None:
                raise ValidationError({"site_id": _("No such site in your organisation.")})
    if data.get("member_ids") is not None:
        ids = set(data.pop("member_ids"))
        members = list(request.org.members.filter(pk__in=ids))
        if len(members) != len(ids):
            raise ValidationError({"member_ids": _("Some of these members are not in your organisation.")})
        data["members"] = members
    else:
        data.pop("member_ids", None)
    return data


@router.get("/departments", response={200: list[DepartmentOut], **ERRORS})
def department_list(request):
    require(request, "departments.view")
    return request.org.departments.prefetch_related("members")


@router.get("/departments/{department_id}", response={200: DepartmentOut, **ERRORS})
def department_get(request, department_id: int):
    require(request, "departments.view")
    return get_object_or_404(request.org.departments, pk=department_id)


@router.post("/departments", response={201: DepartmentOut, **ERRORS})
def department_create(request, payload: DepartmentIn):
    require(request, "departments.manage")
    data = _department_refs(request, payload.dict())
    return Status(201, services.department_create(actor=request.member, **data))


@router.patch("/departments/{department_id}", response={200: DepartmentOut, **ERRORS})
def department_patch(request, department_id: int, payload: DepartmentPatch):
    require(request, "departments.manage")
    department = get_object_or_404(request.org.departments, pk=department_id)
    data = _department_refs(request, payload.dict(exclude_unset=True))
    return services.department_update(actor=request.member, department=department, **data)


@router.delete("/departments/{department_id}", response={204: None, **ERRORS})
def department_delete(request, department_id: int):
    require(request, "departments.manage")
    department = get_object_or_404(request.org.departments, pk=department_id)
    services.department_delete(actor=request.member, department=department)
    return Status(204, None)


@router.get("/members", response={200: list[MemberOut], **ERRORS})
def member_list(request):
    require(request, "members.view")
    return queries.members_of(request.org)


class ActivityFilter(Schema):
    client: int | None = Field(None, ge=1)
    actor: int | None = Field(None, ge=1)
    verb: str | None = Field(None, max_length=64)
    since: date | None = None
    until: date | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


@router.get("/activity", response={200: ActivityPage, **ERRORS}, summary="The activity log, newest first")
def activity_list(request, filters: Query[ActivityFilter]):
    if filters.actor is not None and filters.actor == request.member.pk:
        require(request, "activity.view_own")
    else:
        require(request, "activity.view")
    if filters.since and filters.until and filters.until < filters.since:
        raise ValidationError({"until": _("The end date is before the start date.")})
    rows = queries.activity_filtered(request.org, client_id=filters.client, actor=filters.actor,
                                     verb=filters.verb, since=filters.since, until=filters.until)
    page = paginate_desc(rows, key="occurred_at", cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}
