"""The knowledge-base routes under /inquiries/ (views/articles.py)."""

from django.urls import path

from frontoffice.inquiries.views import articles

urlpatterns = [
    path("articles/", articles.articles, name="articles"),
    path("articles/new/", articles.article_new, name="article_new"),
    path("articles/review/", articles.articles_review, name="articles_review"),
    path("articles/suggest/", articles.article_suggest, name="article_suggest"),
    path("articles/<int:pk>/", articles.article, name="article"),
    path("articles/<int:pk>/edit/", articles.article_edit, name="article_edit"),
    path("articles/<int:pk>/retire/", articles.article_retire_view, name="article_retire"),
]
