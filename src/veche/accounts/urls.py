from django.urls import path

from veche.accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("u/<str:username>/avatar.svg", views.avatar, name="avatar"),
    path("settings/", views.settings_view, name="settings"),
]
