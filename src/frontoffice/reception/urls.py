"""Reception pages. The desk's routes and the back office's live in their own view modules."""

from frontoffice.reception.views import urls_desk, urls_office

app_name = "reception"

urlpatterns = urls_desk.urlpatterns + urls_office.urlpatterns
