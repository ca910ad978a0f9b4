"""The kiosk: the tablet at the door, signed in with a kiosk token, never with a staff session."""

from django.urls import path

from frontoffice.reception.kiosk import views

app_name = "kiosk"

urlpatterns = [
    path("", views.welcome, name="welcome"),
    path("pair/", views.pair, name="pair"),
    path("language/", views.language, name="language"),
    path("code/", views.code, name="code"),
    path("find/", views.find, name="find"),
    path("visit/<str:code>/", views.confirm, name="confirm"),
    path("visit/<str:code>/documents/", views.documents, name="documents"),
    path("check-in/", views.check_in, name="check_in"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("check-out/", views.check_out, name="check_out"),
    path("done/", views.done, name="done"),
]
