from django.core.management.base import BaseCommand
from django.utils import timezone

from veche.moderation.classifier.checks import mark_unchecked, sweep
from veche.moderation.classifier.models import ClassifierState
from veche.moderation.models import ModerationEvent


def held_since(started) -> int:
    """Comments the classifier's re-checks held from `started` on (the audit log)."""
    return ModerationEvent.objects.filter(
        created_at__gte=started, to_status="pending", event_type="comment.classifier_status"
    ).count()


class Command(BaseCommand):
    help = "Re-check every comment the classifier has not scored yet."

    def add_arguments(self, parser):
        parser.add_argument("--local", action="store_true",
                            help="load the model in this process instead of asking the scorer")
        parser.add_argument("--unchecked", action="store_true",
                            help="first mark for checking every comment the classifier never "
                                 "saw (imported ones, or posted while it was off)")

    def handle(self, *args, local=False, unchecked=False, **options):
        started = timezone.now()
        scorer = None
        if unchecked:
            marked = mark_unchecked()
            if options["verbosity"]:
                self.stdout.write(f"Marked {marked} comment(s) the classifier never saw.")
        if local:
            from veche.moderation.classifier.model import load

            model = load()
            scorer = lambda text, lang: model.score(text, lang).as_dict()  # noqa: E731
        outcomes = sweep(scorer=scorer)
        if options["verbosity"]:
            scored = outcomes.get(ClassifierState.State.SCORED, 0)
            waiting = outcomes.get(ClassifierState.State.UNSCORED, 0)
            self.stdout.write(
                f"Checked {scored} comment(s); {held_since(started)} held for the moderators"
                + (f"; {waiting} still unscored (the scorer did not answer)" if waiting else "")
            )
