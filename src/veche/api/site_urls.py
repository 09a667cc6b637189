"""Routes outside /api/v1/: the embed script and pages, and /t/<id>/."""

from django.urls import path

from veche.api import stream, views

app_name = "api-site"
urlpatterns = [
    path("embed.js", views.embed_js, name="embed-js"),
    path("embed/thread", views.embed_thread, name="embed-thread"),
    path("embed/login", views.embed_login, name="embed-login"),
    path("embed/signed-in", views.embed_signed_in, name="embed-signed-in"),
    path("t/<int:thread_id>/", views.thread_page, name="thread"),
    path("t/<int:thread_id>/comments.json", stream.whole_thread, name="thread-json"),
]
