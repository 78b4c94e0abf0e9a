"""A real worker writes JSON lines that carry the task id and the enqueuing request's id."""

import pytest

from tests.ops.servers import wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_a_task_enqueued_by_a_request_logs_under_that_request_id(stack, client):
    worker = stack.worker()
    response = client.post(
        "/api/v1/subscriptions/",
        {"email": "traveller@example.org", "scope": "all"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="trace-subscribe-42",
    )
    assert response.status_code < 300

    def confirmation_logged():
        return [
            r
            for r in worker.records()
            if r.get("message") == "task finished"
            and r.get("task_name") == "advisories.tasks.send_subscription_mail"
        ]

    wait_until(confirmation_logged, timeout=60, what="the confirmation task to finish")
    [line] = confirmation_logged()
    assert line["request_id"] == "trace-subscribe-42"
    assert line["task_id"]
    assert line["outcome"] == "success"
    assert line["level"] == "INFO"
    assert stack.smtp.per_recipient() == {"traveller@example.org": 1}
