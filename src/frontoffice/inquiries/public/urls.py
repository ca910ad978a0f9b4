from django.urls import path

from frontoffice.inquiries.public import views
from frontoffice.inquiries.public.inbound import inbound_mail

app_name = "public"

# The organisation's pages first: a slug such as "rate" must still reach its FAQ.
urlpatterns: list = [
    path("<slug:slug>/faq/", views.faq, name="faq"),
    path("<slug:slug>/faq/<int:article_id>/feedback", views.faq_feedback, name="faq_feedback"),
    path("<slug:slug>/ask/", views.ask, name="ask"),
    path("rate/<str:token>/", views.rate, name="rate"),
    path("inbound/<str:token>/", inbound_mail, name="inbound_mail"),
    # Mailgun posts the raw message (``body-mime``) only to a route URL that ends with "mime".
    path("inbound/<str:token>/mime", inbound_mail, name="inbound_mail_mime"),
]
