from __future__ import annotations

from django.conf import settings

from frontoffice.core.registry import registry


def shell(request):
    member = getattr(request, "member", None)
    return {
        "member": member,
        "org": getattr(request, "org", None),
        "terms": member.organization.preset.terms if member else None,
        "nav_main": registry.nav_for(member, "main"),
        "nav_settings": registry.nav_for(member, "settings"),
        "memberships": getattr(request, "memberships", []),  # loaded once, by MembershipMiddleware
        "demo_mode": settings.DEMO,
    }

