from django.urls import include, path

from xtdbench import views

urlpatterns = [
    path("articles/<slug:slug>/", views.ArticleDetail.as_view(), name="article"),
    # Includes the REST API under comments/api/ (comments-xtd-api-list).
    path("comments/", include("django_comments_xtd.urls")),
    path("health", views.health),
]
