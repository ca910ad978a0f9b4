from django.contrib import admin
from django.urls import include, path

from frontoffice.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("clients/", include("frontoffice.clients.urls")),
    path("reception/", include("frontoffice.reception.urls")),
    path("kiosk/", include("frontoffice.reception.kiosk.urls")),
    path("calls/", include("frontoffice.calls.urls")),
    path("telephony/", include("frontoffice.calls.telephony.urls")),
    path("inquiries/", include("frontoffice.inquiries.urls")),
    path("public/", include("frontoffice.inquiries.public.urls")),
    path("", include("frontoffice.core.urls")),
]

handler403 = "frontoffice.core.views.shell.error_403"
handler404 = "frontoffice.core.views.shell.error_404"
handler500 = "frontoffice.core.views.shell.error_500"
