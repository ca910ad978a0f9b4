from __future__ import annotations

from django.conf import settings


def shell(request):
    """What every page's template may use. The top bar and navigation come from the ``shell`` template tags
    (core/fragments.py), rendered only when a page shows them."""
    member = getattr(request, "member", None)
    return {
        "member": member,
        "org": getattr(request, "org", None),
        "terms": member.organization.preset.terms if member else None,
        "memberships": getattr(request, "memberships", []),  # loaded once, by MembershipMiddleware
        "demo_mode": settings.DEMO,
    }
