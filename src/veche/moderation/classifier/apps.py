from django.apps import AppConfig


class ClassifierConfig(AppConfig):
    name = "veche.moderation.classifier"
    label = "classifier"
    verbose_name = "Abuse classifier"

    def ready(self) -> None:
        from veche.moderation import classifier
        from veche.moderation.classifier import conf

        if not (conf.enabled() and classifier.installed()):
            return
        from veche.discussion import hooks
        from veche.moderation.classifier import checks

        hooks.register_check(checks.check, start=checks.start)
        hooks.register_companions(checks.companions)
        hooks.register_recorder(checks.record, new_comments=False)
