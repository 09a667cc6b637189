from django.urls import path

from veche.importers import views

app_name = "importers"
urlpatterns = [
    path("", views.upload, name="upload"),
]
