"""What every page's frame needs, cheaply: the signed-in top bar and navigation from core/fragments.py (kept
between requests), and the URLs of static files worked out once per process."""

import functools

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe

from frontoffice.core.fragments import CSRF_HOLE, PATH_HOLE, shell_pieces

register = template.Library()


@register.simple_tag(takes_context=True)
def shell_topbar(context):
    request = context["request"]
    top, _nav = shell_pieces(request)
    if context.get("keep_holes"):  # a page kept whole: each request fills its own (fragments.fill_holes)
        return mark_safe(top)
    return mark_safe(top.replace(CSRF_HOLE, escape(context.get("csrf_token", "")))
                     .replace(PATH_HOLE, escape(request.get_full_path())))


@register.simple_tag(takes_context=True)
def shell_nav(context):
    return mark_safe(shell_pieces(context["request"])[1])


@register.simple_tag
def asset(path: str) -> str:
    """``{% static %}`` for the files every page links: the same answer for the life of the process."""
    return _asset(path, get_script_prefix())


@functools.lru_cache(maxsize=64)
def _asset(path: str, prefix: str) -> str:
    return static(path)
