"""Client pages: list and search, quick and full entry, the client page with its timeline,
duplicates and merge, consents, related parties, conflict checks, custom fields."""
# Being written: each view below is replaced by its real implementation.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


client_list = client_create = quick_create = check_duplicates = duplicates = conflict_check = _todo
field_list = field_edit = merge_undo = client_detail = client_edit = timeline = archive = restore = _todo
consent_add = party_add = party_remove = merge = _todo
