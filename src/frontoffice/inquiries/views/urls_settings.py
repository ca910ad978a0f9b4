"""Inquiry settings under /inquiries/settings/ (views/settings.py): categories and channels."""

from django.urls import path

from frontoffice.inquiries.views import settings

urlpatterns = [
    path("settings/categories/", settings.settings_categories, name="settings_categories"),
    path("settings/categories/new/", settings.category_edit, name="category_new"),
    path("settings/categories/<int:pk>/", settings.category_edit, name="category_edit"),
    path("settings/channels/", settings.settings_channels, name="settings_channels"),
    path("settings/channels/inbound-token/", settings.channels_token, name="channels_token"),
    path("settings/channels/inbound-token/revoke/", settings.channels_token_revoke,
         name="channels_token_revoke"),
]
