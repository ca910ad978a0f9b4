"""The back office's routes under /reception/ (views/office.py)."""

from django.urls import path

from frontoffice.reception.views import office

urlpatterns = [
    path("watchlist/", office.watchlist, name="watchlist"),
    path("watchlist/new/", office.watchlist_edit, name="watchlist_new"),
    path("watchlist/<int:pk>/", office.watchlist_edit, name="watchlist_edit"),
    path("watchlist/<int:pk>/remove/", office.watchlist_remove, name="watchlist_remove"),
    path("deliveries/", office.deliveries, name="deliveries"),
    path("deliveries/new/", office.delivery_new, name="delivery_new"),
    path("deliveries/<int:pk>/pickup/", office.delivery_pickup, name="delivery_pickup"),
    path("deliveries/<int:pk>/photo/", office.delivery_photo, name="delivery_photo"),
    path("kiosks/", office.kiosks, name="kiosks"),
    path("kiosks/new/", office.kiosk_new, name="kiosk_new"),
    path("kiosks/<int:pk>/revoke/", office.kiosk_revoke, name="kiosk_revoke"),
    path("documents/", office.documents, name="documents"),
    path("documents/new/", office.document_edit, name="document_new"),
    path("documents/<int:pk>/", office.document_edit, name="document_edit"),
    path("documents/<int:pk>/retire/", office.document_retire, name="document_retire"),
]
