"""Every public page and read endpoint, and the write endpoints' bodies, under generated input
of the shapes that once answered 500: NUL bytes, moments at the calendar's edges, forged
cursors, deep nesting, odd Unicode. Whatever comes in, the answer is never a 5xx."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.destinations.story import build_story

pytestmark = pytest.mark.django_db

PAGES = {
    "/": ["q", "country", "kind", "status", "audience", "at", "stale", "page"],
    "/destinations/wonsan-kalma/": ["at", "audience"],
    "/changes/": ["page", "destination", "country", "status"],
    "/feeds/changes/": [],
    "/feeds/countries/KP/": [],
}
API = {
    "/api/v1/destinations/": ["q", "country", "kind", "status", "audience", "stale", "cursor"],
    "/api/v1/destinations/wonsan-kalma/": [],
    "/api/v1/destinations/wonsan-kalma/history/": ["at", "audience"],
    "/api/v1/changes/": ["since", "destination", "country", "cursor", "page_size"],
    "/api/v1/notices/": ["source", "cursor", "page_size", "state"],
    "/api/v1/sources/": ["cursor", "page_size"],
}

SHAPES = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "9999-12-31",
        "0000-00-00",
        "2025-02-30",
        "-1",
        "9" * 40,
        "1e308",
        "NaN",
        base64.b64encode(b"p=notadate").decode(),
        base64.b64encode(b"o=99999999999&r=1&p=2025-07-16").decode(),
        "%00",
        "\ud7ff\ue000\U0010ffff",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        " ",
    ]
)
VALUES = st.one_of(SHAPES, st.text(max_size=40))
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def story():
    return build_story()


def _query(names: list[str]):
    known = st.dictionaries(st.sampled_from(names), VALUES, max_size=4) if names else st.just({})
    unknown = st.dictionaries(st.text(min_size=1, max_size=8), VALUES, max_size=2)
    return st.tuples(known, unknown).map(lambda pair: {**pair[1], **pair[0]})


def _strip_surrogates(params: dict) -> dict:
    return {
        k.encode("utf-8", "replace").decode(): v.encode("utf-8", "replace").decode()
        for k, v in params.items()
    }


@pytest.mark.slow
@pytest.mark.parametrize("path", list(PAGES))
def test_no_public_page_answers_5xx_whatever_its_query(client, story, path):
    @FUZZ
    @given(params=_query(PAGES[path]))
    def check(params):
        response = client.get(path, _strip_surrogates(params))
        assert response.status_code < 500, (path, params)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("path", list(API))
def test_no_read_endpoint_answers_5xx_whatever_its_query(client, story, path, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}

    @FUZZ
    @given(params=_query(API[path]))
    def check(params):
        response = client.get(path, _strip_surrogates(params))
        assert response.status_code < 500, (path, params)
        if response.status_code >= 400:
            assert "error" in response.json()

    check()


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), VALUES),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=20,
)
NOTICE_FIELDS = ["source", "title", "body", "html", "url", "published_at", "language"]


@pytest.mark.slow
def test_the_notices_endpoint_answers_4xx_never_5xx_to_any_body(notice_writer, story):
    @FUZZ
    @given(
        fields=st.dictionaries(st.sampled_from(NOTICE_FIELDS), JSON, max_size=7),
        depth=st.sampled_from([0, 0, 0, 50_000]),
    )
    def check(fields, depth):
        body = json.dumps(fields)
        if depth:
            body = '{"title": ' + "[" * depth + "]" * depth + "}"
        response = notice_writer.post("/api/v1/notices/", body, content_type="application/json")
        assert response.status_code < 500, body[:200]

    check()
