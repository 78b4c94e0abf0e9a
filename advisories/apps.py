from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "advisories"
    verbose_name = "Sources, notices, claims and alerts"

    def ready(self) -> None:
        from advisories import pipeline  # app registry must be ready before tasks import models

        pipeline.connect()
