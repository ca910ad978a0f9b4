"""The audit page: the whole activity log, filtered, for owners and auditors."""

from __future__ import annotations

from django.shortcuts import render

from frontoffice.core import queries
from frontoffice.core.forms import ActivityFilterForm
from frontoffice.core.pagination import BadCursor, paginate_desc
from frontoffice.core.permissions import member_required
from frontoffice.core.views.helpers import render_page

PAGE_SIZE = 50


@member_required("activity.view")
def activity_log(request):
    form = ActivityFilterForm(request.GET or None, organization=request.org)
    if form.is_bound and not form.is_valid():
        return render(request, "core/activity.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    rows = queries.activity_filtered(
        request.org, client_id=data.get("client"), actor=data.get("actor"), verb=data.get("verb") or None,
        since=data.get("since"), until=data.get("until"))
    try:
        page = paginate_desc(rows, key="occurred_at", cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    except BadCursor:
        page = paginate_desc(rows, key="occurred_at", cursor=None, limit=PAGE_SIZE)
    page.items = queries.with_client_names(request.org, page.items)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render_page(request, "core/activity.html", {"form": form, "page": page, "query": query.urlencode()},
                       partial="core/_activity_rows.html")
