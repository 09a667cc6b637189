from django.apps import AppConfig


class ClassifierConfig(AppConfig):
    name = "veche.moderation.classifier"
    label = "classifier"
