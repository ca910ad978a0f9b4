"""The back-office pages are in the menu of the members who may use them, and only theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from frontoffice.core import capabilities as caps

PAGES = {
    "reception:deliveries": "Deliveries",
    "reception:watchlist": "Watchlist",
    "reception:kiosks": "Kiosks",
    "reception:documents": "Visitor documents",
}


@pytest.mark.parametrize("role, shown", [
    (caps.OWNER, {"reception:deliveries", "reception:watchlist", "reception:kiosks", "reception:documents"}),
    (caps.MANAGER, {"reception:deliveries", "reception:watchlist"}),
    (caps.RECEPTIONIST, {"reception:deliveries"}),
    (caps.AUDITOR, {"reception:deliveries"}),
])
def test_menu_shows_the_pages_the_member_may_use(org, make_member, signed_in, role, shown):
    html = signed_in(make_member(org, role)).get(reverse("core:dashboard")).content.decode()
    nav = html.split('id="sidenav"', 1)[1].split("</nav>", 1)[0]
    for name, label in PAGES.items():
        link = f'href="{reverse(name)}"'
        assert (link in nav) == (name in shown), (role, name)
        if name in shown:
            assert label in nav
