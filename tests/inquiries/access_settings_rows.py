"""The inquiries settings rows of the access table (see tests/access_table.py): the categories and the
channels (the mailbox, the inbound-mail webhook's token, the public pages)."""

from __future__ import annotations

from types import SimpleNamespace

from tests.access_table import Route
from tests.core.factories import DepartmentFactory
from tests.inquiries.factories import CategoryFactory


def populate(world) -> None:
    """A category routed to a department, of world.org (under world.inquiry_settings)."""
    department = DepartmentFactory(organization=world.org, site=world.site, name="Settings accounts")
    world.inquiry_settings = SimpleNamespace(
        department=department,
        category=CategoryFactory(organization=world.org, key="settings-billing", name="Settings billing",
                                 department=department),
    )


def _category(world, member):
    return [world.inquiry_settings.category.pk]


def _new_category(world, member):
    return {"name": f"Parking {member.pk}", "first_answer_hours": "2", "resolution_hours": "8"}


def _edit_category(world, member):
    return {"name": "Settings billing", "key": "settings-billing", "first_answer_hours": "1.5",
            "resolution_hours": "8", "department": world.inquiry_settings.department.pk, "active": "on"}


def _channels(world, member):
    return {"address": "questions@example.com", "imap_port": "993", "imap_ssl": "on", "imap_folder": "INBOX",
            "public_faq": "on"}


ROUTES = [
    Route("GET", "inquiries:settings_categories", "inquiries.manage"),
    Route("GET", "inquiries:category_new", "inquiries.manage"),
    Route("POST", "inquiries:category_new", "inquiries.manage", data=_new_category, ok=(302,)),
    Route("GET", "inquiries:category_edit", "inquiries.manage", args=_category),
    Route("POST", "inquiries:category_edit", "inquiries.manage", args=_category, data=_edit_category,
          ok=(302,)),
    Route("GET", "inquiries:settings_channels", "inquiries.manage"),
    Route("GET", "inquiries:satisfaction", "inquiries.manage"),
    Route("POST", "inquiries:settings_channels", "inquiries.manage", data=_channels, ok=(302,)),
    Route("POST", "inquiries:channels_token", "inquiries.manage"),
    Route("POST", "inquiries:channels_token_revoke", "inquiries.manage", ok=(302,)),
]
