"""Asking for a capability: one decorator for pages; the API uses ``require``."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def member_required(capability: str | None = None):
    """The view needs a signed-in member (and the capability, when given); else login, or 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.member is None:
                return render(request, "core/no_membership.html", status=403)
            if capability is not None and not request.member.can(capability):
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        wrapper.capability = capability
        return wrapper

    return decorator
