"""Subscribing: double opt-in, signed links, no enumeration, throttling, manage and one-click
unsubscribe. Confirmation emails travel over a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from advisories.alerts import tokens
from advisories.alerts.fanout import change_fan_out
from advisories.models import Delivery, DeliveryState, Subscription
from destinations.models import Destination
from tests.factories import DestinationFactory, StatusChangeFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/alerts/subscribe/"
SENT = "/alerts/subscribe/sent/"
API = "/api/v1/subscriptions/"


@pytest.fixture
def kalma():
    country = Destination.objects.get(kind="country", country_code="KP")
    return DestinationFactory(name="Wonsan-Kalma", slug="wonsan-kalma", parent=country)


def subscribe(client, on_commit, **fields):
    data = {"email": "traveller@example.org", "scope": "all", "frequency": "immediate", **fields}
    with on_commit(execute=True):
        return client.post(SUBSCRIBE, data)


def answer(response) -> tuple[int, str, bytes]:
    """What a reader is told: the status, where it sends them, and the body."""
    return response.status_code, response.get("Location", ""), response.content


def link_in(message, name: str) -> str:
    """The path of the first /alerts/<name>/ link in the plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"http://[^/\s]+(/alerts/{name}/[^\s]+/)", text).group(1)


def test_subscribing_sends_a_confirmation_and_nothing_else_until_confirmed(
    client, smtp, django_capture_on_commit_callbacks, kalma
):
    response = subscribe(client, django_capture_on_commit_callbacks)

    assert (response.status_code, response["Location"]) == (302, SENT)
    assert "Check your email" in client.get(SENT).content.decode()
    [message] = smtp.to("traveller@example.org")
    assert message["Subject"] == "Confirm your Portcullis alerts"
    assert "/alerts/confirm/" in message.get_body(preferencelist=("plain",)).get_content()
    change = StatusChangeFactory(destination=kalma, alters_current=True)
    assert change_fan_out(change_id=change.pk).created == 0


def test_confirmation_link_asks_on_get_and_confirms_on_post(
    client, smtp, django_capture_on_commit_callbacks
):
    subscribe(client, django_capture_on_commit_callbacks)
    confirm = link_in(smtp.to("traveller@example.org")[0], "confirm")

    page = client.get(confirm)
    assert page.status_code == 200
    assert Subscription.objects.get().confirmed_at is None

    done = client.post(confirm)
    assert done.status_code == 200
    assert "Your alerts are on" in done.content.decode()
    assert Subscription.objects.get().is_active


def test_expired_confirmation_link_is_refused_with_a_clear_page(
    client, smtp, django_capture_on_commit_callbacks, settings
):
    with time_machine.travel(datetime(2025, 7, 1, 9, 0, tzinfo=UTC), tick=False):
        subscribe(client, django_capture_on_commit_callbacks)
    confirm = link_in(smtp.to("traveller@example.org")[0], "confirm")

    late = datetime(2025, 7, 1, 9, 0, tzinfo=UTC) + settings.ALERTS_CONFIRM_MAX_AGE
    with time_machine.travel(late + timedelta(minutes=1), tick=False):
        response = client.post(confirm)

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert Subscription.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), id="signature"),
        pytest.param(lambda t: t.replace(t.split(":")[0], "WzEsInh4In0"), id="payload"),
        pytest.param(lambda t: "not-a-token", id="garbage"),
    ],
)
def test_altered_or_forged_confirmation_link_is_refused(
    client, smtp, django_capture_on_commit_callbacks, tamper
):
    subscribe(client, django_capture_on_commit_callbacks)
    token = link_in(smtp.to("traveller@example.org")[0], "confirm").split("/")[3]

    response = client.post(reverse("advisories:confirm", kwargs={"token": tamper(token)}))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert Subscription.objects.get().confirmed_at is None


def test_a_link_signed_for_another_purpose_does_not_confirm():
    subscription = SubscriptionFactory(confirmed_at=None)
    manage_token = tokens.make_token(subscription, tokens.TokenPurpose.MANAGE)

    response = Client().post(reverse("advisories:confirm", kwargs={"token": manage_token}))

    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_answer_is_identical_for_new_pending_and_subscribed_addresses(
    client, smtp, django_capture_on_commit_callbacks
):
    SubscriptionFactory(email="known@example.org")
    SubscriptionFactory(email="pending@example.org", confirmed_at=None)

    pages = [
        answer(subscribe(client, django_capture_on_commit_callbacks, email=email))
        for email in ("new@example.org", "known@example.org", "pending@example.org")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            (r.status_code, r.json())
            for r in (
                client.post(API, {"email": email, "scope": "all"}, content_type="application/json")
                for email in ("new2@example.org", "known@example.org", "pending@example.org")
            )
        ]

    assert pages[0] == pages[1] == pages[2] == (302, SENT, b"")
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 202


def test_known_address_is_mailed_its_manage_link_and_its_settings_stay(
    client, smtp, django_capture_on_commit_callbacks
):
    known = SubscriptionFactory(email="known@example.org", frequency="daily")

    subscribe(client, django_capture_on_commit_callbacks, email="known@example.org")

    [message] = smtp.to("known@example.org")
    assert message["Subject"] == "You are already subscribed to Portcullis alerts"
    assert "/alerts/manage/" in message.get_body(preferencelist=("plain",)).get_content()
    known.refresh_from_db()
    assert known.frequency == "daily"
    assert known.is_active


def test_repeated_requests_mail_an_address_at_most_once_per_cooldown(
    client, smtp, django_capture_on_commit_callbacks, settings
):
    start = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            subscribe(client, django_capture_on_commit_callbacks)
    assert len(smtp.to("traveller@example.org")) == 1

    later = start + settings.ALERTS_CONFIRM_RESEND_AFTER + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        subscribe(client, django_capture_on_commit_callbacks)
    assert len(smtp.to("traveller@example.org")) == 2


def test_anonymous_subscribe_requests_are_throttled_per_client(
    smtp, django_capture_on_commit_callbacks, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "subscribe": "3/hour"},
    }
    first, second = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")

    codes = [
        subscribe(first, django_capture_on_commit_callbacks, email=f"a{n}@example.org").status_code
        for n in range(4)
    ]
    other = subscribe(second, django_capture_on_commit_callbacks, email="b@example.org")

    assert codes == [302, 302, 302, 429]
    assert other.status_code == 302
    assert not Subscription.objects.filter(email="a3@example.org").exists()


def test_page_and_api_share_one_throttle_budget(smtp, django_capture_on_commit_callbacks, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "subscribe": "2/hour"},
    }
    client = Client(REMOTE_ADDR="203.0.113.9")
    subscribe(client, django_capture_on_commit_callbacks, email="one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(API, {"email": "two@example.org", "scope": "all"}, "application/json")
        limited = client.post(
            API, {"email": "three@example.org", "scope": "all"}, "application/json"
        )

    assert ok.status_code == 202
    assert limited.status_code == 429
    assert limited.json()["error"]["status"] == 429


def test_api_subscription_to_a_destination_with_children(
    client, smtp, django_capture_on_commit_callbacks, kalma
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            API,
            {
                "email": "Someone@Example.org",
                "scope": "destination",
                "destination": "wonsan-kalma",
                "include_children": False,
                "frequency": "daily",
            },
            content_type="application/json",
        )

    assert response.status_code == 202
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.destination, subscription.frequency) == (
        "someone@example.org",
        kalma,
        "daily",
    )
    assert subscription.include_children is False
    assert len(smtp.to("someone@example.org")) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@example.org", "scope": "destination"}, "destination"),
        (
            {"email": "x@example.org", "scope": "destination", "destination": "nowhere"},
            "destination",
        ),
        ({"email": "x@example.org", "scope": "country", "country": "XX"}, "country"),
        ({"email": "not-an-address", "scope": "all"}, "email"),
        ({"email": "x@example.org", "scope": "everything"}, "scope"),
    ],
)
def test_api_rejects_bad_input_with_the_error_envelope_and_writes_nothing(client, body, field):
    response = client.post(API, body, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Subscription.objects.exists()


def test_bad_page_input_is_a_400_form_with_escaped_values(client):
    response = client.post(SUBSCRIBE, {"email": "<script>x</script>", "scope": "country"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html
    assert not Subscription.objects.exists()


def test_destination_page_links_to_a_subscribe_form_with_that_destination_chosen(
    client, smtp, django_capture_on_commit_callbacks, kalma
):
    html = client.get(reverse("destinations:detail", kwargs={"slug": "wonsan-kalma"})).content
    link = re.search(r'href="(/alerts/subscribe/\?[^"]*)"', html.decode())[1].replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert 'name="csrfmiddlewaretoken"' in form
    assert re.search(r'<input type="radio" name="scope" value="destination"[^>]* checked', form)
    assert '<option value="wonsan-kalma" selected>' in form

    subscribe(
        client,
        django_capture_on_commit_callbacks,
        scope="destination",
        destination="wonsan-kalma",
        include_children="on",
    )
    assert Subscription.objects.get().destination == kalma


def test_manage_page_changes_scope_and_frequency(kalma):
    subscription = SubscriptionFactory()
    url = reverse(
        "advisories:manage",
        kwargs={"token": tokens.make_token(subscription, tokens.TokenPurpose.MANAGE)},
    )
    client = Client()
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"scope": "country", "country": "KP", "frequency": "daily", "destination": ""}
    )

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert (subscription.scope, subscription.country_code, subscription.frequency) == (
        "country",
        "KP",
        "daily",
    )


def test_manage_page_refuses_a_forged_token():
    subscription = SubscriptionFactory()
    forged = tokens.make_token(subscription, tokens.TokenPurpose.MANAGE)[:-1] + "x"

    response = Client().get(reverse("advisories:manage", kwargs={"token": forged}))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_one_click_post_unsubscribes_without_login_or_csrf_token(kalma):
    subscription = SubscriptionFactory()
    change = StatusChangeFactory(destination=kalma, alters_current=True)
    change_fan_out(change_id=change.pk)
    token = tokens.make_token(subscription, tokens.TokenPurpose.UNSUBSCRIBE)

    response = Client(enforce_csrf_checks=True).post(
        reverse("advisories:unsubscribe", kwargs={"token": token}),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert Delivery.objects.get().state == DeliveryState.SKIPPED


def test_opening_the_unsubscribe_link_only_asks():
    subscription = SubscriptionFactory()
    token = tokens.make_token(subscription, tokens.TokenPurpose.UNSUBSCRIBE)

    response = Client().get(reverse("advisories:unsubscribe", kwargs={"token": token}))

    assert response.status_code == 200
    assert "Stop alerts" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None


def test_other_pages_still_require_csrf():
    subscription = SubscriptionFactory()
    token = tokens.make_token(subscription, tokens.TokenPurpose.MANAGE)

    response = Client(enforce_csrf_checks=True).post(
        reverse("advisories:manage", kwargs={"token": token}), {"scope": "all"}
    )

    assert response.status_code == 403


def test_an_old_confirmation_link_does_not_bring_back_an_unsubscribed_address(
    client, smtp, django_capture_on_commit_callbacks
):
    subscribe(client, django_capture_on_commit_callbacks)
    confirm = link_in(smtp.to("traveller@example.org")[0], "confirm")
    client.post(confirm)
    subscription = Subscription.objects.get()
    unsubscribe = tokens.make_token(subscription, tokens.TokenPurpose.UNSUBSCRIBE)
    client.post(reverse("advisories:unsubscribe", kwargs={"token": unsubscribe}))

    response = client.post(confirm)

    assert response.status_code == 200
    assert "cancelled" in response.content.decode()
    subscription.refresh_from_db()
    assert not subscription.is_active


def test_subscribing_again_after_leaving_needs_a_new_confirmation_and_revokes_old_links(
    client, smtp, django_capture_on_commit_callbacks, settings
):
    settings.ALERTS_CONFIRM_RESEND_AFTER = timedelta(0)
    left = SubscriptionFactory(
        email="traveller@example.org", unsubscribed_at=datetime(2025, 7, 2, tzinfo=UTC)
    )
    old_manage = tokens.make_token(left, tokens.TokenPurpose.MANAGE)

    subscribe(client, django_capture_on_commit_callbacks)

    left.refresh_from_db()
    assert left.confirmed_at is None and left.unsubscribed_at is None
    assert smtp.to("traveller@example.org")[0]["Subject"] == "Confirm your Portcullis alerts"
    assert client.get(reverse("advisories:manage", kwargs={"token": old_manage})).status_code == 400


def test_one_address_asked_for_many_scopes_gets_one_mail_per_cooldown(
    client, smtp, django_capture_on_commit_callbacks, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "subscribe": "1000/hour"},
    }
    places = [DestinationFactory(slug=f"cove-{n}", name=f"Cove {n}") for n in range(25)]
    with time_machine.travel(datetime(2025, 7, 1, 9, 0, tzinfo=UTC), tick=False):
        answers = [
            subscribe(
                client,
                django_capture_on_commit_callbacks,
                scope="destination",
                destination=place.slug,
            )
            for place in places
        ]

    assert len(smtp.to("traveller@example.org")) == 1
    assert {answer(a) for a in answers} == {(302, SENT, b"")}  # the same answer, mailed or not
    assert Subscription.objects.filter(email="traveller@example.org").count() == 25


def test_one_address_gets_a_handful_of_confirmation_mails_a_day_at_most(
    client, smtp, django_capture_on_commit_callbacks, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "subscribe": "1000/hour"},
    }
    start = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
    every_cooldown = settings.ALERTS_CONFIRM_RESEND_AFTER + timedelta(seconds=1)
    for n in range(8):
        place = DestinationFactory(slug=f"bay-{n}", name=f"Bay {n}")
        with time_machine.travel(start + n * every_cooldown, tick=False):
            subscribe(
                client,
                django_capture_on_commit_callbacks,
                scope="destination",
                destination=place.slug,
            )
    assert len(smtp.to("traveller@example.org")) == settings.ALERTS_CONFIRM_DAILY_PER_ADDRESS

    with time_machine.travel(start + timedelta(days=1, minutes=1), tick=False):
        subscribe(client, django_capture_on_commit_callbacks, scope="all")
    assert len(smtp.to("traveller@example.org")) == settings.ALERTS_CONFIRM_DAILY_PER_ADDRESS + 1


def _tags(html: str, name: str) -> dict[str, str]:
    """The opening tag of every element carrying an id, by id."""
    return {m[2]: m[0] for m in re.finditer(rf'<({name})\b[^>]*\bid="([^"]+)"[^>]*>', html)}


def test_each_scope_field_sits_under_its_own_radio_so_css_alone_can_reveal_it(client):
    html = client.get(SUBSCRIBE).content.decode()

    destination = html.index('value="destination"')
    country = html.index('value="country"', destination)
    assert destination < html.index('id="id_destination"') < country < html.index('id="id_country"')
    assert html.count('class="choice__reveal"') == 2
    assert "<script" not in html


def test_invalid_fields_are_summarised_at_the_top_and_point_at_their_messages(client):
    response = client.post(SUBSCRIBE, {"email": "nope", "scope": "country", "frequency": "daily"})

    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert start < html.index("<form")
    assert re.findall(r'href="#([^"]+)"', summary) == ["id_email", "id_country"]
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for control in ("id_email", "id_country"):
        tag = _tags(html, "input|select")[control]
        assert 'aria-invalid="true"' in tag
        described = re.search(r'aria-describedby="([^"]+)"', tag)[1]
        assert described.split() and set(described.split()) <= ids
        assert "Error:" in html[html.index(f'id="{described}"') :][:200]
    assert "<title>Error: " in html
    assert 'aria-invalid="true"' not in _tags(html, "select")["id_destination"]


def test_a_radio_group_error_is_described_on_its_fieldset_and_linked_to_its_first_radio(client):
    html = client.post(SUBSCRIBE, {"email": "x@example.org", "scope": "all"}).content.decode()

    assert 'href="#id_frequency_0"' in html
    fieldset = re.search(r"<fieldset[^>]*>\s*<legend>How often</legend>", html)[0]
    assert 'aria-describedby="id_frequency_error"' in fieldset
    assert 'id="id_frequency_error"' in html


def test_a_stale_value_under_a_scope_not_chosen_does_not_count_against_the_reader(
    client, smtp, django_capture_on_commit_callbacks
):
    response = subscribe(
        client, django_capture_on_commit_callbacks, scope="all", destination="nowhere"
    )

    assert response.status_code == 302
    assert Subscription.objects.get().scope == "all"


@pytest.mark.parametrize(
    ("fields", "about"),
    [
        ({"scope": "all"}, "Every destination"),
        (
            {"scope": "destination", "destination": "wonsan-kalma", "include_children": "on"},
            "Wonsan-Kalma and places inside it",
        ),
        ({"scope": "country", "country": "KP"}, "Anywhere in Korea, Democratic People"),
    ],
)
def test_confirm_page_says_what_is_being_confirmed_before_the_button(
    client, smtp, django_capture_on_commit_callbacks, kalma, fields, about
):
    subscribe(client, django_capture_on_commit_callbacks, frequency="daily", **fields)
    confirm = link_in(smtp.to("traveller@example.org")[0], "confirm")

    html = client.get(confirm).content.decode()

    button = html.index("Confirm my alerts</button>")
    assert -1 < html.index(about) < button
    assert -1 < html.index("Daily digest") < button
    assert Subscription.objects.get().confirmed_at is None


def test_site_nav_links_to_the_subscribe_page(client):
    html = client.get(reverse("destinations:board")).content.decode()

    nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    assert f'<a href="{SUBSCRIBE}">Subscribe</a>' in nav
