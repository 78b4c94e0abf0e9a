"""The doors between stages: several tasks behind one door, each enqueued on its own."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from advisories import handoffs
from advisories.handoffs import Door

pytestmark = pytest.mark.django_db


class FakeTask:
    def __init__(self, name: str, *, broken: bool = False) -> None:
        self.name = name
        self.broken = broken
        self.calls: list[tuple[object, ...]] = []

    def delay(self, *args: object) -> None:
        if self.broken:
            raise ConnectionError("broker down")
        self.calls.append(args)


def test_every_task_behind_a_door_is_enqueued_once_the_work_commits(
    django_capture_on_commit_callbacks,
):
    door = Door("test")
    first, second = FakeTask("first"), FakeTask("second")
    door.connect(first)
    door.connect(second)

    with django_capture_on_commit_callbacks(execute=True):
        door.open_after_commit(7)

    assert first.calls == [(7,)] and second.calls == [(7,)]


def test_a_task_that_cannot_be_enqueued_does_not_stop_the_others(
    django_capture_on_commit_callbacks,
):
    door = Door("test")
    broken, working = FakeTask("broken", broken=True), FakeTask("working")
    door.connect(broken)
    door.connect(working)

    with django_capture_on_commit_callbacks(execute=True):
        door.open_after_commit(7)

    assert working.calls == [(7,)]


def test_connecting_the_same_task_twice_enqueues_it_once(django_capture_on_commit_callbacks):
    door = Door("test")
    task = FakeTask("same")
    door.connect(task)
    door.connect(task)

    with django_capture_on_commit_callbacks(execute=True):
        door.open_after_commit(1)

    assert task.calls == [(1,)]


def test_a_door_with_nothing_behind_it_says_so():
    with pytest.raises(ImproperlyConfigured):
        Door("empty").open_after_commit(1)


def test_a_recorded_change_goes_to_both_the_alerts_and_the_webhooks_fan_out():
    names = {task.name for task in handoffs.change_recorded.tasks}
    assert names == {"advisories.tasks.fan_out_change", "webhooks.tasks.fan_out_change"}
