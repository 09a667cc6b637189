from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "veche.accounts"
    label = "accounts"

    def ready(self) -> None:
        from veche.accounts.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="veche.roles")
        from veche.accounts import claims

        claims.connect()
