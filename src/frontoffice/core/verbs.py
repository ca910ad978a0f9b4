"""Human labels for activity verbs. Each app registers its own; unknown verbs show as written."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

VERBS: dict[str, str] = {}


def register(labels: dict[str, str]) -> None:
    VERBS.update(labels)


def label(verb: str) -> str:
    return str(VERBS.get(verb, verb))


def choices() -> list[tuple[str, str]]:
    """Verb families ("member.") and the verbs in them, for a filter select."""
    families = sorted({verb.split(".")[0] for verb in VERBS})
    options: list[tuple[str, str]] = [("", "—")]
    for family in families:
        options.append((f"{family}.", f"{family}.*"))
        options.extend((verb, f"  {VERBS[verb]}") for verb in sorted(VERBS) if verb.startswith(f"{family}."))
    return options


register({
    "organization.created": _("created the organisation"),
    "organization.updated": _("changed the organisation's settings"),
    "site.created": _("added a site"),
    "site.updated": _("changed a site"),
    "site.closure_added": _("added a closure"),
    "site.closure_removed": _("removed a closure"),
    "department.created": _("added a department"),
    "department.updated": _("changed a department"),
    "department.deleted": _("removed a department"),
    "member.invited": _("invited a member"),
    "member.updated": _("changed a member"),
    "member.two_factor_enabled": _("turned on two-factor sign-in"),
    "member.two_factor_disabled": _("turned off two-factor sign-in"),
    "token.created": _("created an API token"),
    "token.revoked": _("revoked an API token"),
})
