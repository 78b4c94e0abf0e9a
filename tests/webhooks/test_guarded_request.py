"""The guarded fetcher's general request, as webhooks use it: any status is an answer, redirects
are followed only when asked, the body is capped, and the address rules are the caller's."""

from __future__ import annotations

import pytest

from advisories.ingest.fetcher import AddressRules, FetchRefused, guarded_request
from tests.webhooks.receiver import Reply

LOOPBACK = AddressRules(allowed_networks=("127.0.0.1/32",))


def post(url, **overrides):
    options = {
        "method": "POST",
        "url": url,
        "headers": {"Content-Type": "application/json"},
        "body": b"{}",
        "timeout": 2.0,
        "max_bytes": 1024,
        "rules": LOOPBACK,
    }
    return guarded_request(**{**options, **overrides})


@pytest.mark.parametrize("status", [404, 500, 503])
def test_an_error_status_is_returned_with_its_body_not_raised(_receiver, status):
    _receiver.reset()
    _receiver.answer(Reply(status, body=b"nope"))

    result = post(_receiver.url())

    assert (result.status, result.content) == (status, b"nope")


def test_a_redirect_is_returned_not_followed_unless_asked(_receiver):
    _receiver.reset()
    _receiver.answer(Reply(307, headers={"Location": _receiver.url("/next")}))

    result = post(_receiver.url("/first"))

    assert result.status == 307 and result.header("location").endswith("/next")
    assert [r.path for r in _receiver.requests] == ["/first"]


def test_a_long_answer_is_cut_at_the_cap_when_asked_to_truncate(_receiver):
    _receiver.reset()
    _receiver.answer(Reply(200, body=b"y" * 5000))

    result = post(_receiver.url(), truncate=True)

    assert (len(result.content), result.truncated) == (1024, True)


def test_a_loopback_address_outside_the_callers_networks_is_refused_before_connecting(_receiver):
    _receiver.reset()

    with pytest.raises(FetchRefused, match=r"Refused: 127\.0\.0\.1 resolves to"):
        post(_receiver.url(), rules=AddressRules())

    assert _receiver.requests == []


def test_the_body_and_method_reach_the_server(_receiver):
    _receiver.reset()

    post(_receiver.url(), body=b'{"a": 1}')

    assert (_receiver.requests[0].method, _receiver.requests[0].body) == ("POST", b'{"a": 1}')
