from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "veche.discussion"
    label = "discussion"
