"""Import, export, privacy export and erasure pages."""
# Being written: each view below is replaced by its real implementation.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


import_upload = import_job = export = privacy_json = privacy_pdf = erase = _todo
