"""Rendered pieces of pages kept between requests, in a cache of this process, under keys that name
everything a piece shows, so a kept piece is never out of date by more than a short, known bound.

- The shell's top bar and navigation (``shell_pieces``) show the member's name, roles and organisations and
  the language: they are kept under exactly those. The CSRF token and the current path differ per request,
  so the kept piece has holes where each request puts its own.
- The dashboard (``MemberFragments``) shows the organisation's data. Every service that changes state
  appends an activity in the same transaction (DESIGN §4.3), so the organisation's latest activity id is a
  change stamp, read in one cheap query. Its key names the organisation, the member (name, roles), the
  language, time zone and day, the stamp, and the current minute, for what is relative to the clock
  ("waiting too long"). A transaction that commits an older activity id after a newer one is seen at the
  latest when the minute turns.

The cache is this process's memory (``CACHES["fragments"]``), never a shared one: a new release's
templates never meet pieces the old one rendered. A piece is rendered from its own context, never with the
request, so nothing of one session (its CSRF token, its messages) can be kept and shown to another.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template import loader
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from frontoffice.core.models import Activity
from frontoffice.core.prepared import Prepared
from frontoffice.core.registry import registry

CACHE = "fragments"
BUCKET_SECONDS = 60
TIMEOUT = 2 * BUCKET_SECONDS  # a dashboard piece outlives its minute only until it is replaced
SHELL_TIMEOUT = 3600  # the shell's pieces have no minute in their key

_latest_activity = Prepared(lambda org_id: Activity.objects.filter(organization_id=org_id).order_by("-id")
                            .values_list("id", flat=True)[:1], 2_000_000_001)


def hole(name: str) -> str:
    """A stand-in left in a kept piece where each request puts its own value (private-use characters:
    HTML escaping leaves them alone, and no text the app shows contains them)."""
    return f"\ue000{name}\ue000"


CSRF_HOLE = hole("csrf")
PATH_HOLE = hole("path")


def change_stamp(organization) -> int:
    """The id of the organisation's latest activity (0 before the first)."""
    found = _latest_activity(organization.pk)
    return found[0] if found else 0


def shell_pieces(request) -> tuple[str, str]:
    """The signed-in page's top bar (with ``CSRF_HOLE`` and ``PATH_HOLE`` in it) and navigation."""
    pieces = getattr(request, "_shell_pieces", None)
    if pieces is None:
        pieces = request._shell_pieces = _shell_pieces(request)
    return pieces


def shell_key(request) -> str:
    """What the top bar and navigation show, as a key: a page kept whole names it in its own key."""
    member = request.member
    shown = (member.pk, tuple(member.roles), member.organization.vertical, member.user.full_name,
             tuple((m.organization_id, m.organization.name) for m in request.memberships),
             translation.get_language(), get_script_prefix(), _current_nav_path(request))
    return "shell:" + _digest(shown)


def fill_holes(request, html: str) -> str:
    """A kept page with this request's CSRF token and path in its holes."""
    return (html.replace(CSRF_HOLE, escape(get_token(request)))
            .replace(PATH_HOLE, escape(request.get_full_path())))


def _current_nav_path(request) -> str:
    return request.path if request.path in registry.nav_paths() else ""  # the entry marked as the current page


def _shell_pieces(request) -> tuple[str, str]:
    member = request.member
    path = _current_nav_path(request)
    key = shell_key(request)
    cache = caches[CACHE]
    pieces = cache.get(key)
    if pieces is None:
        context = {"member": member, "org": member.organization, "memberships": request.memberships,
                   "nav_main": registry.nav_for(member, "main"), "nav_settings": registry.nav_for(member, "settings"),
                   "current_path": path, "csrf_token": CSRF_HOLE, "next_path": PATH_HOLE}
        pieces = (str(loader.get_template("core/_topbar.html").render(context)),
                  str(loader.get_template("core/_nav.html").render(context)))
        cache.set(key, pieces, SHELL_TIMEOUT)
    return pieces


class MemberFragments:
    """The kept pieces of the request member's pages in the organisation's ``day``."""

    def __init__(self, request, day):
        member, org = request.member, request.org
        stamp = getattr(member, "org_change_stamp", None)  # read with the membership (core.sessions)
        shown = (org.pk, member.pk, tuple(member.roles), member.user.full_name, translation.get_language(),
                 org.time_zone, day.isoformat(), change_stamp(org) if stamp is None else stamp,
                 int(time.time() // BUCKET_SECONDS), get_script_prefix())
        self.suffix = _digest(shown)
        self.cache = caches[CACHE]

    def get_or_render(self, name: str, template: str, context: Callable[[], dict]) -> SafeString:
        """The piece ``name``: kept, or ``template`` rendered with ``context()`` and kept."""
        key = f"{name}:{self.suffix}"
        html = self.cache.get(key)
        if html is None:
            html = str(loader.get_template(template).render(context()))
            self.cache.set(key, html, TIMEOUT)
        return mark_safe(html)


def _digest(shown: tuple) -> str:
    """A short key for what a piece shows (the cache checks every character of a key on every read)."""
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
