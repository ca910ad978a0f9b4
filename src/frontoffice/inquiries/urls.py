"""Inquiries pages: the desk's questions, the knowledge base and the settings (categories, channels)."""

from frontoffice.inquiries.views import urls_articles, urls_desk, urls_settings

app_name = "inquiries"

urlpatterns = urls_desk.urlpatterns + urls_articles.urlpatterns + urls_settings.urlpatterns
