from django.utils.translation import gettext_lazy as _

from frontoffice.core.verbs import register

register({
    "inquiry.opened": _("opened an inquiry"),
    "inquiry.updated": _("changed an inquiry"),
    "inquiry.assigned": _("assigned an inquiry"),
    "inquiry.first_answered": _("answered an inquiry for the first time"),
    "inquiry.answered": _("answered an inquiry"),
    "inquiry.forwarded": _("forwarded an inquiry to a department"),
    "inquiry.waiting": _("asked the client for more"),
    "inquiry.client_replied": _("received the client's reply to an inquiry"),
    "inquiry.reopened": _("reopened an inquiry"),
    "inquiry.closed": _("closed an inquiry"),
    "inquiry.rated": _("rated an answer"),
    "inquiry.overdue": _("let an inquiry go past its target"),
    "inquiry.noted": _("added an internal note to an inquiry"),
    "inquiry.acknowledged": _("acknowledged a question by e-mail"),
    "inquiry.answer_emailed": _("e-mailed an answer to the client"),
    "article.created": _("wrote a knowledge-base article"),
    "article.updated": _("changed a knowledge-base article"),
    "article.retired": _("retired a knowledge-base article"),
    "article.used": _("answered from a knowledge-base article"),
    "inquiry_category.saved": _("changed an inquiry category"),
    "inquiry_channels.saved": _("changed the inquiry channels"),
})
