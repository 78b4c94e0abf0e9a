"""Celery entry points of the advisories app.

Each concern keeps its thin tasks in its own module, registered under an explicit
`advisories.tasks.<name>` so the beat schedule and queued messages never depend on where a task
is defined. Importing them here is what lets Celery's autodiscovery find them.
"""

from advisories.alerts_tasks import (  # noqa: F401
    alerts_digest,
    alerts_sweep,
    fan_out_change,
    send_deliveries,
    send_subscription_mail,
)
from advisories.extraction_tasks import extract_notice, extraction_sweep  # noqa: F401
from advisories.feeds_tasks import poll_feeds  # noqa: F401
from advisories.reconciliation_tasks import reconcile  # noqa: F401
