"""Connects every door of ``advisories.handoffs`` to the task of the stage behind it.

This is the one place the stages are wired together; it sits above all of them and nothing but
the app config imports it.
"""

from __future__ import annotations

from advisories import handoffs
from advisories.alerts import tasks as alerts_tasks
from advisories.extraction import tasks as extraction_tasks


def connect() -> None:
    """Called once from ``AdvisoriesConfig.ready``."""
    handoffs.notice_stored.connect(extraction_tasks.extract_notice)
    handoffs.change_recorded.connect(alerts_tasks.fan_out_change)
    handoffs.deliveries_created.connect(alerts_tasks.send_deliveries)
    handoffs.subscription_mail_due.connect(alerts_tasks.send_subscription_mail)
