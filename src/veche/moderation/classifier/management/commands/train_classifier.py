from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Build the classifier artefacts (needs the build-time packages)."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=None)
        parser.add_argument("--m2v-dir", default=None)

    def handle(self, *args, data=None, m2v_dir=None, **options):
        from veche.moderation.classifier import train

        argv = (["--data", data] if data else []) + (["--m2v-dir", m2v_dir] if m2v_dir else [])
        train.main(argv)
