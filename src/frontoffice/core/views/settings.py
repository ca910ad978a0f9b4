"""Settings pages: the organisation, its sites, departments and members, and one's own profile."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from frontoffice.core import queries, services
from frontoffice.core.errors import Conflict
from frontoffice.core.forms import (
    ClosureForm,
    DepartmentForm,
    MemberForm,
    MemberInviteForm,
    OrganizationForm,
    SiteForm,
    TokenForm,
    add_service_errors,
)
from frontoffice.core.permissions import member_required


def _attempt(form, call):
    """Run a service for a valid form; on refusal put the reason on the form. True when it worked."""
    try:
        call()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    except Conflict as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True


@member_required("organization.view")
def organization(request):
    org = request.org
    can_edit = request.member.can("organization.manage")
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("organization.manage")
        if form.is_valid():
            org.refresh_from_db()  # the form wrote into the instance; the service compares against the saved row
            if _attempt(form, lambda: services.organization_update(
                    actor=request.member, organization=org,
                    **{name: form.cleaned_data[name] for name in OrganizationForm.Meta.fields})):
                messages.success(request, _("Saved."))
                return redirect("core:organization")
    return render(request, "core/settings/organization.html", {"form": form, "can_edit": can_edit},
                  status=400 if form.errors else 200)


@member_required("sites.manage")
def site_list(request):
    sites = request.org.sites.prefetch_related("closures")
    return render(request, "core/settings/sites.html", {"sites": sites})


@member_required("sites.manage")
def site_edit(request, pk=None):
    site = get_object_or_404(request.org.sites, pk=pk) if pk else None
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        if site is None:
            done = _attempt(form, lambda: services.site_create(actor=request.member, **form.service_fields()))
        else:
            site.refresh_from_db()
            done = _attempt(form, lambda: services.site_update(actor=request.member, site=site,
                                                               **form.service_fields()))
        if done:
            messages.success(request, _("Site saved."))
            return redirect("core:sites")
    closure_form = ClosureForm()
    return render(request, "core/settings/site_form.html", {"form": form, "site": site,
                                                            "closure_form": closure_form})


@require_POST
@member_required("sites.manage")
def closure_add(request, pk):
    site = get_object_or_404(request.org.sites, pk=pk)
    form = ClosureForm(request.POST)
    if form.is_valid() and _attempt(form, lambda: services.closure_add(actor=request.member, site=site,
                                                                       **form.cleaned_data)):
        messages.success(request, _("Closure added."))
        return redirect("core:site_edit", pk=site.pk)
    return render(request, "core/settings/site_form.html",
                  {"form": SiteForm(instance=site), "site": site, "closure_form": form}, status=400)


@require_POST
@member_required("sites.manage")
def closure_remove(request, pk, closure_pk):
    closure = get_object_or_404(request.org.closures, pk=closure_pk, site_id=pk)
    services.closure_remove(actor=request.member, closure=closure)
    messages.success(request, _("Closure removed."))
    return redirect("core:site_edit", pk=pk)


@member_required("departments.view")
def department_list(request):
    departments = request.org.departments.select_related("site").prefetch_related("members__user")
    return render(request, "core/settings/departments.html", {
        "departments": departments, "can_manage": request.member.can("departments.manage")})


@member_required("departments.manage")
def department_edit(request, pk=None):
    department = get_object_or_404(request.org.departments, pk=pk) if pk else None
    form = DepartmentForm(request.POST or None, instance=department, organization=request.org)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "site", "phone", "email", "active")}
        members = list(form.cleaned_data["members"])
        if department is None:
            done = _attempt(form, lambda: services.department_create(actor=request.member, members=members, **data))
        else:
            department.refresh_from_db()
            done = _attempt(form, lambda: services.department_update(
                actor=request.member, department=department, members=members, **data))
        if done:
            messages.success(request, _("Department saved."))
            return redirect("core:departments")
    return render(request, "core/settings/department_form.html", {"form": form, "department": department})


@require_POST
@member_required("departments.manage")
def department_delete(request, pk):
    department = get_object_or_404(request.org.departments, pk=pk)
    try:
        services.department_delete(actor=request.member, department=department)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Department removed."))
    return redirect("core:departments")


@member_required("members.view")
def member_list(request):
    return render(request, "core/settings/members.html", {
        "members": queries.members_of(request.org), "can_manage": request.member.can("members.manage")})


@member_required("members.manage")
def member_invite(request):
    form = MemberInviteForm(request.POST or None, organization=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(form, lambda: services.member_invite(
                actor=request.member, email=data["email"], full_name=data["full_name"], roles=data["roles"],
                sites=list(data["sites"]), title=data["title"])):
            messages.success(request, _("%(name)s was added; a new account gets an e-mail to choose a password.")
                             % {"name": data["full_name"]})
            return redirect("core:members")
    return render(request, "core/settings/member_invite.html", {"form": form})


@member_required("members.manage")
def member_edit(request, pk):
    member = get_object_or_404(request.org.members.select_related("user"), pk=pk)
    form = MemberForm(request.POST or None, instance=member, organization=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member.refresh_from_db()
        if _attempt(form, lambda: services.member_update(
                actor=request.member, member=member, roles=data["roles"], sites=list(data["sites"]),
                active=data["active"], title=data["title"], phone=data["phone"])):
            messages.success(request, _("Saved."))
            return redirect("core:members")
    return render(request, "core/settings/member_form.html", {"form": form, "subject": member})


@member_required("tokens.manage_own")
def token_list(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        result = {}
        if _attempt(form, lambda: result.update(pair=services.token_create(member=request.member,
                                                                           name=form.cleaned_data["name"]))):
            new_token = result["pair"][1]
            form = TokenForm()
    tokens = request.member.api_tokens.all()
    return render(request, "core/settings/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token},
                  status=400 if form.errors else 200)


@require_POST
@member_required("tokens.manage_own")
def token_revoke(request, pk):
    token = get_object_or_404(request.member.api_tokens, pk=pk)
    services.token_revoke(actor=request.member, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("core:tokens")


@member_required()
def profile(request):
    return render(request, "core/settings/profile.html", {
        "has_two_factor": user_has_device(request.user, confirmed=True)})
