from django.urls import path

from frontoffice.clients.views import records, transfer

app_name = "clients"

urlpatterns = [
    # records: finding, entering and correcting clients (views/records.py)
    path("", records.client_list, name="list"),
    path("new/", records.client_create, name="create"),
    path("quick/", records.quick_create, name="quick_create"),
    path("check-duplicates/", records.check_duplicates, name="check_duplicates"),
    path("duplicates/", records.duplicates, name="duplicates"),
    path("conflicts/", records.conflict_check, name="conflict_check"),
    path("fields/", records.field_list, name="fields"),
    path("fields/new/", records.field_edit, name="field_create"),
    path("fields/<int:pk>/", records.field_edit, name="field_edit"),
    path("merges/<int:merge_pk>/undo/", records.merge_undo, name="merge_undo"),
    path("<int:pk>/", records.client_detail, name="detail"),
    path("<int:pk>/edit/", records.client_edit, name="edit"),
    path("<int:pk>/timeline/", records.timeline, name="timeline"),
    path("<int:pk>/archive/", records.archive, name="archive"),
    path("<int:pk>/restore/", records.restore, name="restore"),
    path("<int:pk>/consents/", records.consent_add, name="consent_add"),
    path("<int:pk>/parties/", records.party_add, name="party_add"),
    path("<int:pk>/parties/<int:party_pk>/remove/", records.party_remove, name="party_remove"),
    path("<int:pk>/merge/", records.merge, name="merge"),
    # transfer: import, export, privacy export and erasure (views/transfer.py)
    path("import/", transfer.import_upload, name="import"),
    path("import/<int:job_pk>/", transfer.import_job, name="import_job"),
    path("export/", transfer.export, name="export"),
    path("<int:pk>/privacy/export.json", transfer.privacy_json, name="privacy_json"),
    path("<int:pk>/privacy/export.pdf", transfer.privacy_pdf, name="privacy_pdf"),
    path("<int:pk>/erase/", transfer.erase, name="erase"),
]
