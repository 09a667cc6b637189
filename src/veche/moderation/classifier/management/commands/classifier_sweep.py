from django.core.management.base import BaseCommand

from veche.moderation.classifier.checks import mark_unchecked, sweep


class Command(BaseCommand):
    help = "Re-check every comment the classifier has not scored yet."

    def add_arguments(self, parser):
        parser.add_argument("--local", action="store_true",
                            help="load the model in this process instead of asking the scorer")
        parser.add_argument("--unchecked", action="store_true",
                            help="first mark for checking every comment the classifier never "
                                 "saw (imported ones, or posted while it was off)")

    def handle(self, *args, local=False, unchecked=False, **options):
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
            self.stdout.write(str(outcomes))
