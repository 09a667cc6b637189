from django.core.management.base import BaseCommand

from veche.moderation.classifier.checks import sweep


class Command(BaseCommand):
    help = "Re-check every comment the classifier has not scored yet."

    def add_arguments(self, parser):
        parser.add_argument("--local", action="store_true",
                            help="load the model in this process instead of asking the scorer")

    def handle(self, *args, local=False, **options):
        scorer = None
        if local:
            from veche.moderation.classifier.model import load

            model = load()
            scorer = lambda text, lang: model.score(text, lang).as_dict()  # noqa: E731
        self.stdout.write(str(sweep(scorer=scorer)))
