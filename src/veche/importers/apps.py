from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "veche.importers"
    label = "importers"
