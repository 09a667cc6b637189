from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "veche.core"
    label = "core"

    def ready(self) -> None:
        from veche.core import pageclock

        # Every process that writes (web workers, job worker, scorer, commands) tells
        # the full-page cache of other processes and servers that something changed.
        pageclock.install()
