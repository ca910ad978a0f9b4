""""Was this helpful?" from the public FAQ: counted on the article, kept as a row.

No member acts here, so no activity is recorded; the row (with the source kept only as a keyed hash,
for the rate limit in ``public/ratelimit.py``) is the record.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from frontoffice.inquiries.models import Article, ArticleFeedback

COMMENT_MAX = 1000


@transaction.atomic
def article_feedback_give(*, article: Article, helpful: bool, comment: str = "",
                          source_hash: str) -> ArticleFeedback:
    """Count one "yes" or "no" for a public, active article, with the visitor's optional comment."""
    if not article.active or article.audience != Article.Audience.PUBLIC:
        raise ValidationError({"article": _("This answer is not published.")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("Please keep the comment under %(max)d characters.") % {
            "max": COMMENT_MAX}})
    counter = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return ArticleFeedback.objects.create(organization_id=article.organization_id, article=article,
                                          helpful=bool(helpful), comment=comment, source_hash=source_hash)
