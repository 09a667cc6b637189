from django.urls import path

from veche.accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("u/<str:username>/avatar.svg", views.avatar, name="avatar"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/my-data.json", views.download_my_data, name="download_data"),
    path("settings/delete/", views.delete_my_account, name="delete_account"),
]
