"""The demo's "Simulate an incoming call" button (``simulator.py``): only in a demo installation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontoffice.calls import simulator
from frontoffice.core.permissions import member_required


@require_POST
@member_required("calls.answer")
def simulate_call(request):
    """A call comes in through the real webhook, signed as the provider signs; the rest plays by itself."""
    if not settings.DEMO:
        raise Http404
    try:
        call, player = simulator.simulate_incoming(request.org, host=request.get_host())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("calls:switchboard")
    simulator.play_later(player)
    messages.success(request, _("A simulated call is coming in on %(line)s.") % {"line": call.line.label})
    return redirect("calls:switchboard")
