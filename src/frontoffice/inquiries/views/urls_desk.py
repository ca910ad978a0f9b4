"""The desk's routes (namespace "inquiries", mounted at /inquiries/): the desk, the phone and walk-in screen,
an inquiry's page, its files and the actions on it (views/desk.py)."""

from django.urls import path

from frontoffice.inquiries.views import desk, satisfaction

urlpatterns = [
    path("", desk.desk, name="desk"),
    path("new/", desk.inquiry_new, name="inquiry_new"),
    path("new/clients/", desk.inquiry_client_matches, name="inquiry_client_matches"),
    path("<int:pk>/", desk.inquiry, name="inquiry"),
    path("<int:pk>/files/<int:attachment_pk>/", desk.inquiry_attachment, name="inquiry_attachment"),
    path("<int:pk>/answer/", desk.inquiry_answer, name="inquiry_answer"),
    path("<int:pk>/forward/", desk.inquiry_forward, name="inquiry_forward"),
    path("<int:pk>/assign/", desk.inquiry_assign, name="inquiry_assign"),
    path("<int:pk>/change/", desk.inquiry_edit, name="inquiry_edit"),
    path("<int:pk>/wait/", desk.inquiry_wait, name="inquiry_wait"),
    path("<int:pk>/close/", desk.inquiry_close, name="inquiry_close"),
    path("<int:pk>/reopen/", desk.inquiry_reopen, name="inquiry_reopen"),
    path("<int:pk>/note/", desk.inquiry_note, name="inquiry_note"),
    path("satisfaction/", satisfaction.satisfaction, name="satisfaction"),
]
