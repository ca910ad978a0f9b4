"""Roles and the capabilities they grant: the one table the whole application asks.

Views and API handlers ask for a capability (``member.can("members.manage")``), never for a role
name. Later apps add their capabilities to this table, so a reader sees every grant in one place.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

RECEPTIONIST = "receptionist"
CLERK = "clerk"
ADMIN_ASSISTANT = "admin_assistant"
MANAGER = "manager"
EXECUTIVE = "executive"
AUDITOR = "auditor"
OWNER = "owner"

ROLES = {
    RECEPTIONIST: _("Receptionist"),
    CLERK: _("File clerk"),
    ADMIN_ASSISTANT: _("Administrative assistant"),
    MANAGER: _("Manager"),
    EXECUTIVE: _("Executive"),
    AUDITOR: _("Auditor"),
    OWNER: _("Owner"),
}

# Roles that must use two-factor sign-in when the organisation requires it.
TWO_FACTOR_ROLES = frozenset({OWNER, MANAGER})

EVERYONE = frozenset(ROLES)
STAFF = frozenset({RECEPTIONIST, CLERK, ADMIN_ASSISTANT, MANAGER, OWNER})

CAPABILITIES: dict[str, tuple[frozenset[str], str]] = {
    # capability: (roles granted it, what it allows)
    "dashboard.view": (EVERYONE, _("See the dashboard")),
    "search.use": (EVERYONE, _("Use the global search")),
    "organization.view": (EVERYONE, _("See the organisation's settings")),
    "organization.manage": (frozenset({OWNER}), _("Change the organisation's settings")),
    "sites.manage": (frozenset({OWNER, MANAGER}), _("Add and change sites, opening hours and closures")),
    "departments.view": (EVERYONE, _("See departments")),
    "departments.manage": (frozenset({OWNER, MANAGER}), _("Add, change and remove departments")),
    "members.view": (frozenset({OWNER, MANAGER, ADMIN_ASSISTANT, AUDITOR, RECEPTIONIST}), _("See the staff list")),
    "members.manage": (frozenset({OWNER, MANAGER}), _("Invite members and change their roles and sites")),
    "activity.view": (frozenset({OWNER, AUDITOR}), _("Read the whole activity log (audit)")),
    "activity.view_own": (EVERYONE, _("Read one's own activity")),
    "tokens.manage_own": (EVERYONE, _("Create and revoke one's own API tokens")),
    # clients
    "clients.view": (EVERYONE, _("Find clients and read their records and timeline")),
    "clients.edit": (STAFF, _("Add and correct clients, consents and related parties")),
    "clients.archive": (frozenset({RECEPTIONIST, ADMIN_ASSISTANT, MANAGER, OWNER}), _("Archive and restore clients")),
    "clients.merge": (frozenset({RECEPTIONIST, ADMIN_ASSISTANT, MANAGER, OWNER}), _("Merge duplicate clients and undo merges")),
    "clients.import": (frozenset({ADMIN_ASSISTANT, MANAGER, OWNER}), _("Import clients from spreadsheets")),
    "clients.export": (frozenset({ADMIN_ASSISTANT, MANAGER, OWNER, AUDITOR}), _("Export client lists")),
    "clients.privacy": (frozenset({MANAGER, OWNER}), _("Export everything about a client and erase a client")),
    "clients.fields": (frozenset({OWNER}), _("Define custom client fields")),
    "clients.conflict_check": (STAFF | {EXECUTIVE}, _("Run conflict-of-interest checks")),
    # reception
    "reception.view": (EVERYONE, _("See the desk, visits, who is on site and deliveries")),
    "reception.desk": (frozenset({RECEPTIONIST, ADMIN_ASSISTANT, MANAGER, OWNER}),
                       _("Check visitors in and out, greet them, print badges and log deliveries")),
    "reception.invite": (STAFF | {EXECUTIVE}, _("Invite visitors, as their host or for another member")),
    "reception.watchlist": (frozenset({MANAGER, OWNER}),
                            _("Keep the watchlist and admit a person who matched it")),
    "reception.evacuation": (frozenset({MANAGER, OWNER}), _("Start a roll call and mark people safe")),
    "reception.kiosks": (frozenset({OWNER}),
                         _("Pair and revoke kiosks; edit the documents visitors accept")),
    # calls
    "calls.view": (EVERYONE, _("See the switchboard, the call log and one's messages")),
    "calls.answer": (frozenset({RECEPTIONIST, ADMIN_ASSISTANT, MANAGER, OWNER}),
                     _("Log calls, transfer them, take messages and mark calls handled")),
    "calls.export": (frozenset({ADMIN_ASSISTANT, MANAGER, OWNER, AUDITOR}), _("Export the call log")),
    "calls.manage": (frozenset({MANAGER, OWNER}), _("Set up phone lines, ring groups and call flows")),
    "calls.provider": (frozenset({OWNER}), _("Connect the telephony provider (account and auth token)")),
    # inquiries
    "inquiries.view": (EVERYONE, _("See inquiries, their answers and the knowledge base")),
    "inquiries.answer": (STAFF, _("Take, answer, forward and close inquiries")),
    "inquiries.articles": (frozenset({ADMIN_ASSISTANT, MANAGER, OWNER}),
                           _("Write and retire knowledge-base articles and canned replies")),
    "inquiries.manage": (frozenset({MANAGER, OWNER}),
                         _("Set up inquiry categories, response targets, the mailbox, the FAQ page and web form")),
}


def capabilities_for(roles: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    return frozenset(cap for cap, (granted, _label) in CAPABILITIES.items() if granted & set(roles))


def roles_granting(capability: str) -> frozenset[str]:
    return CAPABILITIES[capability][0]
