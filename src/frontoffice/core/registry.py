"""What apps add to the shell: navigation entries, global-search providers, dashboard panels, and the
sections of the switchboard's screen pop.

Each app registers in its ``AppConfig.ready``; the shell shows only what the member may use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.urls import get_script_prefix, reverse


@functools.lru_cache(maxsize=256)
def _reversed(url_name: str, prefix: str) -> str:
    return reverse(url_name)  # nav targets take no arguments: one answer per name and script prefix


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    capability: str
    order: int = 100
    group: str = "main"  # main | settings
    term: str | None = None  # "clients": label with the vertical's word ("Patients", "Students")

    @property
    def url(self) -> str:
        return _reversed(self.url_name, get_script_prefix())


@dataclass(frozen=True)
class SearchResult:
    kind: str
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Panel:
    """A card on the dashboard: ``template`` rendered with ``panel`` = ``context(request)``.

    ``cached``: everything the card shows changes only with an activity of the member's organisation (every
    service that writes appends one), with the day or the member's roles, or with the clock within a minute.
    The dashboard then keeps the card with the rest of the page it rendered for this member until one of
    those changes (core/fragments.py), and renders it with ``panel``, ``member``, ``org``, ``terms`` and
    ``today`` only: no request, no session, no CSRF token. Leave it False for a card that shows anything
    else: it is rendered on every request, with the page's whole context.
    """

    key: str
    template: str
    capability: str
    context: Callable | None = None
    order: int = 100
    cached: bool = False


@dataclass(frozen=True)
class PopLine:
    """One line of a screen-pop section: ``text`` (a link when ``url``) and a muted ``detail``."""

    text: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class PopSection:
    """What one app tells the receptionist about a caller: "Last visit", "Open questions",
    "Today's appointment"… Empty ``lines`` show ``empty`` (or nothing when that is empty too)."""

    key: str
    title: str
    lines: tuple[PopLine, ...] = ()
    empty: str = ""


def _no_client_names(organization, ids) -> dict[int, str]:
    return {}


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    # (organization, client ids) -> {id: current display name}; the clients app provides it, so
    # the activity log can keep only ids and still show names (erased clients show their pseudonym).
    client_names: Callable = _no_client_names
    panels: list[Panel] = field(default_factory=list)
    # subject type ("calls.call") -> (subject id) -> the page that shows it, for links from the activity log.
    subject_urls: dict[str, Callable] = field(default_factory=dict)

    def add_subject_url(self, subject_type: str, url: Callable) -> None:
        self.subject_urls[subject_type] = url

    def subject_url(self, subject_type: str, subject_id: str) -> str:
        url = self.subject_urls.get(subject_type)
        return url(subject_id) if url is not None and subject_id else ""

    def add_panel(self, panel: Panel) -> None:
        self.panels = sorted([p for p in self.panels if p.key != panel.key] + [panel], key=lambda p: p.order)

    def panels_for(self, member) -> list[Panel]:
        """The cards the member may see, in order."""
        return [panel for panel in self.panels if member.can(panel.capability)]
    search: list[tuple[int, str, Callable]] = field(default_factory=list)  # (order, capability, provider)
    # (order, key, capability, provider): the screen pop's sections, see add_pop_section.
    pop_sections: list[tuple[int, str, str, Callable]] = field(default_factory=list)
    _nav_paths: tuple | None = field(default=None, repr=False)

    def add_nav(self, item: NavItem) -> None:
        self.nav = sorted([n for n in self.nav if n.key != item.key] + [item], key=lambda n: (n.order, n.key))

    def add_search(self, capability: str, provider: Callable, order: int = 100) -> None:
        """``provider(member, q, limit)`` returns a list of SearchResult; lower ``order`` shows first."""
        if all(p is not provider for _o, _c, p in self.search):
            self.search = sorted(self.search + [(order, capability, provider)], key=lambda entry: entry[0])

    def add_pop_section(self, key: str, provider: Callable, order: int = 100,
                        capability: str = "calls.view") -> None:
        """``provider(member, call)`` returns a PopSection or None (nothing to say about this caller).

        ``call`` is a calls ``Call`` (read ``client_id``, ``from_number``, ``organization_id``); an app
        that adds a section never imports calls. Registering a key again replaces it."""
        kept = [entry for entry in self.pop_sections if entry[1] != key]
        self.pop_sections = sorted(kept + [(order, key, capability, provider)], key=lambda entry: entry[:2])

    def pop_for(self, member, call) -> list[PopSection]:
        """The sections the member may see about the caller of ``call``, in order."""
        sections = []
        for _order, _key, capability, provider in self.pop_sections:
            if member.can(capability):
                section = provider(member, call)
                if section is not None:
                    sections.append(section)
        return sections

    def nav_paths(self) -> frozenset[str]:
        """The path of every entry (to mark the current page), worked out again only when the entries or
        the script prefix change."""
        prefix, known = get_script_prefix(), self._nav_paths
        if known is None or known[0] is not self.nav or known[1] != prefix:
            known = self._nav_paths = (self.nav, prefix, frozenset(item.url for item in self.nav))
        return known[2]

    def nav_for(self, member, group: str = "main") -> list[NavItem]:
        if member is None:
            return []
        items = [n for n in self.nav if n.group == group and member.can(n.capability)]
        terms = member.organization.preset.terms
        return [replace(n, label=str(getattr(terms, n.term)).capitalize()) if n.term else n for n in items]

    def search_for(self, member, q: str, limit: int = 8) -> list[SearchResult]:
        results: list[SearchResult] = []
        for _order, capability, provider in self.search:
            if member.can(capability):
                results.extend(provider(member, q, limit))
        return results


registry = Registry()
