from django import template

from frontoffice.core import verbs

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    return verbs.label(verb)
