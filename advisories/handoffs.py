"""The doors between the pipeline's stages: notice -> claims -> status changes -> deliveries.

A stage never imports a later one. When it commits work that the next stage must pick up, it
opens that stage's door here (``notice_stored.open_after_commit(notice.pk)``); what stands
behind each door, the next stage's Celery task, is connected in one place,
``advisories.pipeline``, when the app is ready. A door may have several tasks behind it (an app
above advisories, such as webhooks, connects its own from its app config): each is enqueued on
its own, so one that cannot be enqueued does not keep the others from theirs. The database holds
the work, not the message: a message lost here (a broker outage, a crash before commit) is found
again by that stage's sweeper, so opening a door never fails the write that opened it.
"""

from __future__ import annotations

import logging
from functools import partial

from celery import Task
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

logger = logging.getLogger(__name__)


class Door:
    """One hand-over from a stage to the next, carried out once the transaction commits."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: list[Task] = []

    def connect(self, task: Task) -> None:
        """Put a task behind this door (``advisories.pipeline`` and the app configs above
        advisories do, at start). Connecting the same task twice keeps one."""
        if not any(t.name == task.name for t in self._tasks):
            self._tasks.append(task)

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(self._tasks)

    def open_after_commit(self, *args: object) -> None:
        """Hand ``args`` (ids) to every task behind the door when, and only if, the caller's
        work commits; each task is enqueued by a callback of its own."""
        if not self._tasks:
            raise ImproperlyConfigured(f"Nothing is connected behind the door {self.name!r}.")
        for task in self._tasks:
            transaction.on_commit(partial(self._open, task, args))

    def _open(self, task: Task, args: tuple[object, ...]) -> None:
        try:
            task.delay(*args)
        except Exception:  # the broker may be down; the rows are stored, the sweeper is the net
            logger.exception(
                "handoff %s -> %s%s not enqueued; the sweeper will", self.name, task.name, args
            )


notice_stored = Door("notice stored -> extraction")
change_recorded = Door("status change recorded -> alert fan-out")
deliveries_created = Door("deliveries created -> sending")
subscription_mail_due = Door("subscription mail due -> sending")
