from __future__ import annotations

from django.conf import settings

from frontoffice.core.registry import registry


def shell(request):
    member = getattr(request, "member", None)
    memberships = []
    if member is not None:
        memberships = list(member.user.memberships.filter(active=True).select_related("organization")
                           .order_by("organization__name")) if _many(request) else [member]
    return {
        "member": member,
        "org": getattr(request, "org", None),
        "terms": member.organization.preset.terms if member else None,
        "nav_main": registry.nav_for(member, "main"),
        "nav_settings": registry.nav_for(member, "settings"),
        "memberships": memberships,
        "demo_mode": settings.DEMO,
    }


def _many(request) -> bool:
    # One query only for people who really belong to several organisations; cached in the session.
    key = "frontoffice_many_orgs"
    if key not in request.session:
        request.session[key] = request.member.user.memberships.filter(active=True).count() > 1
    return request.session[key]
