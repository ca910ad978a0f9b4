"""What clients said of the answers they got: the average rating per member who answered and per category."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from frontoffice.core.permissions import member_required
from frontoffice.inquiries.queries.lists import satisfaction as ratings

PERIODS = (30, 90, 365)


@require_GET
@member_required("inquiries.manage")
def satisfaction(request):
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    days = days if days in PERIODS else 90
    since = timezone.now() - timedelta(days=days)
    return render(request, "inquiries/settings_satisfaction.html", {
        "tab": "satisfaction", "days": days, "periods": PERIODS,
        "by_member": ratings(request.org, by="member", since=since),
        "by_category": ratings(request.org, by="category", since=since),
    })
