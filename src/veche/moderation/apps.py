from django.apps import AppConfig


def labels_version() -> int:
    """The legal-label list's version (a named function, so registering twice is one)."""
    from veche.moderation import versions

    return versions.current(versions.LABELS)


class ModerationConfig(AppConfig):
    name = "veche.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from veche.accounts.policy import register_refusal
        from veche.core.presentation import (
            register_presentation_version,
            register_text_transform,
        )
        from veche.discussion import hooks
        from veche.discussion.web import register_page_annotator
        from veche.moderation import annotations, checks, legal, recorder, sanctions, signals
        from veche.moderation.checks.flood import vote_guard

        checks.register_all()
        hooks.register_guard(vote_guard)
        hooks.register_companions(recorder.companions)
        hooks.register_recorder(recorder.record, new_comments=False)
        register_refusal(sanctions.refusal, sanctions.annotations)
        register_text_transform(legal.label_text)
        # The rendered tree cache keys on this: a changed label list shows at once.
        register_presentation_version(labels_version)
        register_page_annotator(annotations.annotate)
        signals.connect()
        signals.connect_sections()
