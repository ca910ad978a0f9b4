"""Core's global-search providers: departments and staff. Other apps register their own."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frontoffice.core.registry import SearchResult, registry


def departments(member, q: str, limit: int) -> list[SearchResult]:
    rows = member.organization.departments.filter(Q(name__icontains=q) | Q(phone__startswith=q))[:limit]
    url = "core:department_edit" if member.can("departments.manage") else None
    return [SearchResult(str(_("Department")), d.name, reverse(url, args=[d.pk]) if url else reverse("core:departments"),
                         d.phone) for d in rows]


def staff(member, q: str, limit: int) -> list[SearchResult]:
    rows = (member.organization.members.filter(active=True)
            .filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q) | Q(phone__startswith=q))
            .select_related("user")[:limit])
    return [SearchResult(str(_("Staff")), m.user.full_name, reverse("core:members"), m.title or m.user.email)
            for m in rows]


registry.add_search("departments.view", departments)
registry.add_search("members.view", staff)
