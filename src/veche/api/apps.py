from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "veche.api"
    label = "api"
    verbose_name = "API and embedding"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from veche.api.models import AllowedSite
        from veche.api.origins import forget_allowed_origins

        for signal in (post_save, post_delete):
            signal.connect(forget_allowed_origins, sender=AllowedSite, dispatch_uid=f"api-{signal}")
