"""What the inquiries app adds to the shared registries, in one place (called from apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PERIODIC = (
    ("inquiries.overdue", "frontoffice.inquiries.tasks_overdue.notify_overdue_all", 5),
    ("inquiries.poll_mail", "frontoffice.inquiries.imap.poll_all", 2),
)


def register() -> None:
    from frontoffice.clients.services import register_client_reference
    from frontoffice.core import periodic
    from frontoffice.core.demo import DEMO_LOADERS
    from frontoffice.core.registry import NavItem, registry
    from frontoffice.inquiries import demo, pop, verbs  # noqa: F401  (verbs registers the labels on import)

    register_client_reference("inquiries.inquiry", "client")
    registry.add_subject_url("inquiries.inquiry", _inquiry_url)
    registry.add_pop_section("inquiries", pop.open_questions, order=30, capability="inquiries.view")
    registry.add_pop_section("inquiries_articles", pop.suggested_answers, order=31, capability="inquiries.view")
    registry.add_search("inquiries.view", _articles_search, order=40)
    for item in (
        NavItem("inquiries", _("Inquiries"), "inquiries:desk", "inquiries.view", order=10),
        NavItem("articles", _("Knowledge base"), "inquiries:articles", "inquiries.view", order=11),
        NavItem("inquiry_settings", _("Inquiries"), "inquiries:settings_categories", "inquiries.manage", order=34,
                group="settings"),
    ):
        registry.add_nav(item)
    if demo.load not in DEMO_LOADERS:
        DEMO_LOADERS.append(demo.load)
    for name, func_path, minutes in PERIODIC:
        periodic.register(name, func_path, minutes=minutes)


def _inquiry_url(inquiry_id: str) -> str:
    from django.urls import reverse

    return reverse("inquiries:inquiry", args=[inquiry_id])


def _articles_search(member, q: str, limit: int):
    from frontoffice.inquiries.views.articles import global_search

    return global_search(member, q, limit)
