"""What apps add to the shell: navigation entries, global-search providers, dashboard panels.

Each app registers in its ``AppConfig.ready``; the shell shows only what the member may use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    capability: str
    order: int = 100
    group: str = "main"  # main | settings

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class SearchResult:
    kind: str
    label: str
    url: str
    detail: str = ""


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    search: list[tuple[str, Callable]] = field(default_factory=list)  # (capability, provider)

    def add_nav(self, item: NavItem) -> None:
        self.nav = sorted([n for n in self.nav if n.key != item.key] + [item], key=lambda n: (n.order, n.key))

    def add_search(self, capability: str, provider: Callable) -> None:
        """``provider(member, q, limit)`` returns a list of SearchResult."""
        if (capability, provider) not in self.search:
            self.search.append((capability, provider))

    def nav_for(self, member, group: str = "main") -> list[NavItem]:
        if member is None:
            return []
        return [n for n in self.nav if n.group == group and member.can(n.capability)]

    def search_for(self, member, q: str, limit: int = 8) -> list[SearchResult]:
        results: list[SearchResult] = []
        for capability, provider in self.search:
            if member.can(capability):
                results.extend(provider(member, q, limit))
        return results


registry = Registry()
