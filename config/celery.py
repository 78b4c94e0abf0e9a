"""The Celery app: configured from Django settings (CELERY_* names), tasks found per stage."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portcullis")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each pipeline stage keeps its thin tasks in its own `tasks` module.
app.autodiscover_tasks(
    [
        "advisories.ingest",
        "advisories.extraction",
        "advisories.reconciliation",
        "advisories.alerts",
        "webhooks",
        "publishing.export",
    ]
)
