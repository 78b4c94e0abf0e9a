"""The `config` package as a Django app, for its operational parts: the `doctor` command, the
Celery signal handlers that log and count task runs, and the database-backed Prometheus gauges."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "config"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from config import signals  # noqa: F401 - connects the Celery signal handlers
        from config.metrics import register_domain_collector

        register_domain_collector()
