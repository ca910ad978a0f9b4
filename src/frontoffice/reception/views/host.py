"""The host's "I'm on my way" link from the arrival e-mail: public, the signed token is the key."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from frontoffice.core.errors import Conflict
from frontoffice.reception import services
from frontoffice.reception.models import Visit


def _refusal(request, status: int, *, visit: Visit | None = None, message: str = ""):
    return render(request, "reception/host_met.html", {"refused": True, "visit": visit, "message": message},
                  status=status)


def _language(visit: Visit) -> str:
    """The language of the e-mail the link came in: the host's own, else the organisation's."""
    host = visit.host_member
    return (host.user.language if host is not None else "") or visit.organization.language


@require_http_methods(["GET", "POST"])
def host_met_link(request, token):
    """The page behind the link in the host's arrival e-mail, in the e-mail's language."""
    visit = services.visit_from_host_token(token)
    if visit is None:  # forged, expired (24 hours), or the visit is gone
        return _refusal(request, 400)
    with translation.override(_language(visit)):  # render() builds the page here, in that language
        return _host_met(request, visit)


def _host_met(request, visit: Visit):
    """GET shows who is waiting and one button (mail scanners follow links, so GET records nothing);
    POST records that the host met the visitor, or (``action=check_out``, once met) that the visitor left."""
    done = visit.host_met_at is not None
    checking_out = request.method == "POST" and request.POST.get("action") == "check_out"
    if request.method == "POST" and (checking_out or not done):
        try:
            if checking_out:
                services.visit_check_out(visit=visit, actor=visit.host_member, via="host")
            else:
                services.visit_host_met(visit=visit, actor=None, via="link")
        except (Conflict, ValidationError) as exc:
            return _refusal(request, 409, visit=visit,
                            message=exc.message if isinstance(exc, Conflict) else " ".join(exc.messages))
        done = True
    return render(request, "reception/host_met.html", {"visit": visit, "done": done,
                                                       "just_recorded": request.method == "POST"})
