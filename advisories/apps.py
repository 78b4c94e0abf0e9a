from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "advisories"
    verbose_name = "Sources, notices, claims and alerts"
