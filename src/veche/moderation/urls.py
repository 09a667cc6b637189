from django.urls import path

from veche.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("decide/", views.decide, name="decide"),
    path("report/<int:comment_id>/", views.report, name="report"),
    path("users/<int:user_id>/", views.user_page, name="user"),
    path("mine/", views.mine, name="mine"),
]
