from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "veche.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from veche.accounts.policy import register_refusal
        from veche.core.presentation import register_text_transform
        from veche.discussion import hooks
        from veche.discussion.web import register_page_annotator
        from veche.moderation import annotations, checks, legal, recorder, sanctions, signals
        from veche.moderation.checks.flood import vote_guard

        checks.register_all()
        hooks.register_guard(vote_guard)
        hooks.register_recorder(recorder.record)
        register_refusal(sanctions.refusal, sanctions.annotations)
        register_text_transform(legal.label_text)
        register_page_annotator(annotations.annotate)
        signals.connect()
        signals.connect_sections()
