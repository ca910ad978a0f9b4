"""How often one source may use the public pages: "was this helpful?" and the web form.

A source is the visitor's address, kept only as a keyed hash (HMAC with the secret key), never as the
address itself. An IPv6 visitor counts by their /64 network, since one connection may pick any address
inside it.

The FAQ's feedback is counted from its own rows (``ArticleFeedback.source_hash``, ``created_at``): exact,
and shared by every worker. Questions from the web form leave no such row, so they are counted in the
cache: shared by every worker when ``FRONTOFFICE_REDIS_URL`` is set; per worker process otherwise (with
N gunicorn workers a source may get up to N times the limit, still a limit).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from frontoffice.inquiries.models import Article, ArticleFeedback

FEEDBACK_PER_ARTICLE_EVERY = timedelta(days=1)  # one "helpful?" per article per source per day
FEEDBACK_PER_HOUR = 30  # and at most this many per source per hour, over all articles
QUESTIONS_PER_HOUR = 5  # questions from the web form per source per hour

ARTICLE_TODAY = "article_today"
TOO_MANY = "too_many"


def client_address(request) -> str:
    """The visitor's address: REMOTE_ADDR, or behind the HTTPS proxy (``AXES_IPWARE_PROXY_COUNT``, as
    the sign-in lockout counts) the address the proxy saw, the right-most entry it added to
    X-Forwarded-For (entries further left are whatever the visitor sent)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or ""


def _network(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def source_hash(request) -> str:
    """The keyed SHA-256 of where the request comes from (64 hex characters)."""
    return salted_hmac("frontoffice.inquiries.public.source", _network(client_address(request)),
                       algorithm="sha256").hexdigest()


def feedback_refusal(article: Article, source: str, *, now: datetime) -> str | None:
    """Why this source may not tell us about ``article`` now (``ARTICLE_TODAY``, ``TOO_MANY``), or None."""
    recent = ArticleFeedback.objects.filter(organization_id=article.organization_id, source_hash=source)
    if recent.filter(article=article, created_at__gt=now - FEEDBACK_PER_ARTICLE_EVERY).exists():
        return ARTICLE_TODAY
    if recent.filter(created_at__gt=now - timedelta(hours=1)).count() >= FEEDBACK_PER_HOUR:
        return TOO_MANY
    return None


def take(bucket: str, source: str, *, limit: int, seconds: int, now: datetime) -> bool:
    """Count one use of ``bucket`` by ``source`` in the current window of ``seconds``; False when the
    source has already used it ``limit`` times in that window (then nothing is counted)."""
    window = int(now.timestamp()) // seconds
    key = f"inquiries.public:{bucket}:{source}:{window}"
    cache.add(key, 0, timeout=seconds + 60)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr: start again
        cache.set(key, 1, timeout=seconds + 60)
        used = 1
    return used <= limit


def question_allowed(organization, source: str, *, now: datetime) -> bool:
    return take(f"ask:{organization.pk}", source, limit=QUESTIONS_PER_HOUR, seconds=3600, now=now)
