"""Connects webhooks to the pipeline: the one place, called once from ``WebhooksConfig.ready``.

The webhook fan-out stands behind advisories' "change recorded" door beside the alerts' fan-out
(each enqueued on its own), and the sender behind webhooks' own "deliveries created" door.
"""

from __future__ import annotations

from advisories import handoffs as pipeline_doors
from webhooks import handoffs, tasks


def connect() -> None:
    pipeline_doors.change_recorded.connect(tasks.fan_out_change)
    handoffs.deliveries_created.connect(tasks.send_deliveries)
