from django.utils.translation import gettext_lazy as _

from frontoffice.core.verbs import register

register({
    "call.offered": _("received a call"),
    "call.logged": _("logged a call by hand"),
    "call.answered": _("answered a call"),
    "call.transferred": _("transferred a call"),
    "call.misrouted": _("routed a call to the wrong place"),
    "call.voicemail": _("received a voicemail"),
    "call.abandoned": _("missed a call (the caller hung up)"),
    "call.ended": _("ended a call"),
    "call.handled": _("marked a call handled"),
    "call.client_linked": _("linked a caller to a client"),
    "message.taken": _("took a message"),
    "message.notified": _("told the recipient about a message"),
    "message.done": _("dealt with a message"),
    "callback.suggested": _("suggested calling back a missed caller"),
    "line.created": _("added a phone line"),
    "line.updated": _("changed a phone line"),
    "line.removed": _("removed a phone line"),
    "flow.saved": _("changed a call flow"),
    "ring_group.saved": _("changed a ring group"),
    "telephony.provider_set": _("connected the telephony provider"),
    "call.anonymised": _("cleared callers' details after the retention period"),
    "call.log_exported": _("exported the call log"),
})
