"""Property tests: hostile text (any Unicode, markup, control characters, huge inputs) never
crashes the extractor or the ingest API, and never comes out of a page as live markup."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from advisories.extraction import Gazetteer, GazetteerEntry, extract
from advisories.models import Notice, SourceKind
from advisories.reconciliation.service import reconcile_pending
from destinations.models import Status
from tests.factories import AliasFactory, DestinationFactory, SourceFactory, UserFactory

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "60"))

# Markup an attacker would hope to see executed; each carries the marker the page check seeks.
MARK = "pwn3d"
PAYLOADS = [
    f"<script>alert('{MARK}')</script>",
    f'<img src=x onerror="{MARK}()">',
    f'"><svg onload={MARK}>',
    f'<a href="javascript:{MARK}()">click</a>',
    f"</textarea><iframe src=//{MARK}>",
    f"<style>body{{background:url({MARK})}}</style>",
    f"{{{{ {MARK} }}}}{{% {MARK} %}}",
]
PHRASES = [
    "The Wonsan-Kalma zone is temporarily not receiving foreign tourists.",
    "Rason reopened to foreign tourists on 1 March.",
    "Only Chinese tour groups are admitted to the Kalma resort.",
    "Analysts believe Rason could reopen soon.",
    "Wonsan-Kalma has not reopened to foreigners.",
]
CONTROL = st.sampled_from(["\x00", "\x07", "\x1b[31m", "\u202e", "\ufeff", "\r", "\u2028", "\x85"])

hostile_text = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(PAYLOADS),
        st.sampled_from(PHRASES),
        CONTROL,
        st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    ),
    max_size=12,
).map("".join)

GAZETTEER = Gazetteer(
    [
        GazetteerEntry(
            1,
            "wonsan-kalma",
            "Wonsan-Kalma Coastal Tourist Zone",
            "zone",
            "KP",
            ("Wonsan-Kalma", "Kalma resort"),
        ),
        GazetteerEntry(2, "rason", "Rason Special Economic Zone", "zone", "KP", ("Rason",)),
        GazetteerEntry(3, "north-korea", "North Korea", "country", "KP", ("DPRK",)),
    ]
)


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(title=hostile_text, body=hostile_text, authority=st.integers(0, 100))
@example(title="", body="", authority=0)
@example(title="\x00" * 10, body=PAYLOADS[0] * 50 + PHRASES[0], authority=100)
def test_the_extractor_never_crashes_and_every_claim_quotes_the_text(title, body, authority):
    text = f"{title}\n\n{body}"
    result = extract(
        title=title,
        body=body,
        published_at=datetime(2025, 7, 16, 9, tzinfo=UTC),
        gazetteer=GAZETTEER,
        authority=authority,
    )
    for claim in result.claims:
        assert 0 <= claim.start <= claim.end <= len(text)
        assert text[claim.start : claim.end] == claim.sentence
        assert 0.0 <= claim.confidence <= 1.0
        assert claim.status in Status.values
        assert claim.destination_id in {1, 2, 3}
        assert claim.effective_at.tzinfo is not None


def test_the_markup_check_sees_live_markup_and_ignores_escaped_text():
    assert live_markup(f"<p>&lt;svg onload={MARK}&gt;</p>") == []
    assert live_markup(f"<p><svg onload={MARK}></p>") != []
    assert live_markup(f"<script>{MARK}()</script>") != []


def test_the_extractor_handles_a_megabyte_notice():
    body = " ".join(PHRASES * 2500)[:1_000_000] + " " + PAYLOADS[0] * 100
    result = extract(
        title="Long notice",
        body=body,
        published_at=datetime(2025, 7, 16, 9, tzinfo=UTC),
        gazetteer=GAZETTEER,
        authority=100,
    )
    assert result.claims


# -- the ingest API and the pages that show what it stored -------------------------------------


class _LiveMarkupFinder(HTMLParser):
    """Collects every place MARK reached the browser as markup rather than as text: inside a
    tag or attribute, or inside a script or style element. Escaped text is harmless."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._raw: list[str] = []

    def handle_starttag(self, tag, attrs):
        if MARK in tag or any(MARK in (name or "") + (value or "") for name, value in attrs):
            self.found.append(f"<{tag} {attrs}>")
        if tag in {"script", "style"}:
            self._raw.append(tag)

    def handle_endtag(self, tag):
        if self._raw and self._raw[-1] == tag:
            self._raw.pop()

    def handle_data(self, data):
        if self._raw and MARK in data:
            self.found.append(f"<{self._raw[-1]}>{data[:80]}")


def live_markup(html: str) -> list[str]:
    finder = _LiveMarkupFinder()
    finder.feed(html)
    finder.close()
    return finder.found


@pytest.fixture
def site(settings):
    # No page cache and no throttle history: every example renders afresh from the database.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    resort = DestinationFactory(name="Wonsan-Kalma Coastal Tourist Zone", slug="wonsan-kalma")
    AliasFactory(destination=resort, name="Wonsan-Kalma")
    AliasFactory(destination=resort, name=f"Kalma <b>{MARK}</b> resort")
    source = SourceFactory(slug="hostile", kind=SourceKind.NEWS, name=f"<i>{MARK}</i> News")
    token = Token.objects.create(user=UserFactory(is_superuser=True, is_staff=True)).key
    return resort, source, token


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=hostile_text, body=hostile_text, as_html=st.booleans())
@example(title=PAYLOADS[0], body=PHRASES[0] + PAYLOADS[1], as_html=False)
@example(title=PAYLOADS[2], body=f"<p>{PHRASES[0]}</p>{PAYLOADS[0]}", as_html=True)
@example(title="T\x00", body=f"{PHRASES[0]}\x00{PAYLOADS[3]}", as_html=False)
def test_hostile_notices_get_a_clear_answer_and_never_render_as_markup(
    client, site, django_capture_on_commit_callbacks, title, body, as_html
):
    resort, source, token = site
    payload = {
        "source": source.slug,
        "title": title,
        "html" if as_html else "body": body,
        "url": "https://news.example.org/a",
        "published_at": (timezone.now() - timedelta(hours=2)).isoformat(),
    }
    # The extraction the ingest enqueues runs (eagerly) once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/notices/",
            payload,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
    assert response.status_code in (200, 202, 400), response.content[:500]
    event(f"ingest answered {response.status_code}")
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "invalid"
        return

    notice = Notice.objects.get(pk=response.json()["id"])
    reconcile_pending(now=timezone.now())
    for path in (f"/notices/{notice.pk}/", f"/destinations/{resort.slug}/", "/", "/changes/"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.content.decode()
        assert live_markup(html) == [], path
    detail = client.get(f"/api/v1/notices/{notice.pk}/")
    assert detail.status_code == 200
    assert detail["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_a_notice_over_the_size_limit_is_refused_with_413(client, site, settings):
    _, source, token = site
    settings.NOTICE_MAX_BYTES = 100_000
    response = client.post(
        "/api/v1/notices/",
        {
            "source": source.slug,
            "title": "Huge",
            "body": PHRASES[0] * 5000,
            "published_at": "2025-07-16T09:00:00Z",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 413
    assert not Notice.objects.exists()
