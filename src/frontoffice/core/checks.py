"""Start-up checks of invariants the settings cannot express."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from frontoffice.core.capabilities import CAPABILITIES, ROLES


@register()
def capability_table(app_configs, **kwargs):
    problems = []
    for capability, (roles, _label) in CAPABILITIES.items():
        unknown = set(roles) - set(ROLES)
        if unknown:
            problems.append(Error(f"Capability {capability} names unknown roles {sorted(unknown)}",
                                  id="frontoffice.E001"))
    return problems


@register(deploy=True)
def public_url(app_configs, **kwargs):
    if settings.HTTPS and not settings.PUBLIC_URL.startswith("https://"):
        return [Warning("FRONTOFFICE_HTTPS is on but FRONTOFFICE_PUBLIC_URL is not https://",
                        hint="Set FRONTOFFICE_PUBLIC_URL to the address people and providers use.",
                        id="frontoffice.W001")]
    return []
