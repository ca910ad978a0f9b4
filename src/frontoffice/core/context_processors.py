from __future__ import annotations

from django.conf import settings

from frontoffice.core.registry import registry


def shell(request):
    member = getattr(request, "member", None)
    memberships = []
    if member is not None:
        # One indexed query: the switcher appears as soon as someone is added to a second organisation.
        memberships = list(member.user.memberships.filter(active=True).select_related("organization")
                           .order_by("organization__name"))
    return {
        "member": member,
        "org": getattr(request, "org", None),
        "terms": member.organization.preset.terms if member else None,
        "nav_main": registry.nav_for(member, "main"),
        "nav_settings": registry.nav_for(member, "settings"),
        "memberships": memberships,
        "demo_mode": settings.DEMO,
    }

