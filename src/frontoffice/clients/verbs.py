from django.utils.translation import gettext_lazy as _

from frontoffice.core.verbs import register

register({
    "client.created": _("added a client"),
    "client.updated": _("changed a client"),
    "client.corrected": _("corrected a fresh client record"),
    "client.archived": _("archived a client"),
    "client.restored": _("restored a client"),
    "client.merged": _("merged two clients"),
    "client.merge_undone": _("undid a merge"),
    "client.erased": _("erased a client's personal data"),
    "client.exported": _("exported everything about a client"),
    "client.consent_recorded": _("recorded a consent"),
    "client.party_added": _("added a related party"),
    "client.party_removed": _("removed a related party"),
    "client.conflict_checked": _("ran a conflict check"),
    "client.imported": _("imported clients"),
    "client.exported_list": _("exported the client list"),
    "client_field.created": _("added a client field"),
    "client_field.updated": _("changed a client field"),
})
