"""What the calls app holds about a client, for the access-request export (``clients.privacy``): their calls
and the messages about them. Callers' details already cleared by retention show as empty."""

from __future__ import annotations

from frontoffice.calls.models import Call, Message


def calls_section(client) -> list[dict]:
    calls = (Call.objects.filter(organization=client.organization, client=client)
             .select_related("line", "department", "answered_by__user").order_by("offered_at", "pk"))
    return [{
        "call_id": c.pk, "offered_at": c.offered_at, "line": c.line.label if c.line_id else "",
        "from_number": c.from_number, "caller_name": c.caller_name,
        "department": c.department.name if c.department_id else "", "outcome": c.outcome,
        "answered_by": c.answered_by.user.full_name if c.answered_by_id else "",
        "wait_seconds": c.wait_seconds, "duration_seconds": c.duration_seconds, "notes": c.notes,
    } for c in calls]


def messages_section(client) -> list[dict]:
    messages = (Message.objects.filter(organization=client.organization, client=client)
                .select_related("for_member__user", "for_department").order_by("created_at", "pk"))
    return [{
        "message_id": m.pk, "created_at": m.created_at, "kind": m.kind,
        "for": m.for_member.user.full_name if m.for_member_id else (m.for_department.name if m.for_department_id
                                                                     else ""),
        "caller_name": m.caller_name, "caller_number": m.caller_number, "text": m.text,
        "recording_url": m.recording_url, "done_at": m.done_at,
    } for m in messages]
