"""What reception holds about a client, for the access-request export (``clients.privacy``)."""

from __future__ import annotations

from frontoffice.reception.models import Visit


def visits_section(client) -> list[dict]:
    visits = (Visit.objects.filter(organization=client.organization, client=client)
              .select_related("site", "host_member__user", "host_department").order_by("created_at", "pk"))
    return [{
        "visit_id": v.pk, "status": v.status, "visit_type": v.visit_type, "site": v.site.name,
        "host": v.host_name, "visitor_name": v.visitor_name, "visitor_company": v.visitor_company,
        "visitor_email": v.visitor_email, "visitor_phone": v.visitor_phone, "purpose": v.purpose,
        "expected_at": v.expected_at, "arrived_at": v.arrived_at, "host_met_at": v.host_met_at,
        "left_at": v.left_at, "cancelled_at": v.cancelled_at, "badge_number": v.badge_number,
        "documents_accepted": [f"{a.document.title} v{a.document.version}" for a in v.acceptances.select_related(
            "document")],
    } for v in visits]
