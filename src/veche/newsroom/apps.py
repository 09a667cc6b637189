from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "veche.newsroom"
    label = "newsroom"
