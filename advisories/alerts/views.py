"""Subscription pages: the subscribe form, the confirmation link, the manage page and one-click
unsubscribe. Adapters only: parse, call one service, render."""

from __future__ import annotations

import pycountry
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advisories.alerts import subscriptions, tokens
from advisories.alerts.api import SubscribeThrottle
from advisories.models import Frequency, Subscription, SubscriptionScope
from destinations.models import Destination

COUNTRY_CHOICES = [
    ("", "Choose a country"),
    *sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1]),
]


class ScopeForm(forms.Form):
    scope = forms.ChoiceField(
        choices=SubscriptionScope.choices, initial=SubscriptionScope.ALL, label="Tell me about"
    )
    destination = forms.ModelChoiceField(
        queryset=Destination.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label="Destination",
    )
    include_children = forms.BooleanField(
        required=False, initial=True, label="Include places inside it (resorts, zones, cities)"
    )
    country = forms.ChoiceField(choices=COUNTRY_CHOICES, required=False, label="Country")
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
        label="How often",
    )

    def clean(self) -> dict:
        data = super().clean()
        scope = data.get("scope")
        if scope == SubscriptionScope.DESTINATION and not data.get("destination"):
            self.add_error("destination", "Choose the destination to be told about.")
        if scope == SubscriptionScope.COUNTRY and not data.get("country"):
            self.add_error("country", "Choose the country to be told about.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "frequency": data["frequency"],
            "destination": data.get("destination"),
            "include_children": bool(data.get("include_children")),
            "country_code": data.get("country") or "",
        }


class SubscribeForm(ScopeForm):
    email = forms.EmailField(max_length=254, label="Email address")

    field_order = ["email", "scope", "destination", "include_children", "country", "frequency"]


def _bad_link(request: HttpRequest, error: tokens.BadToken) -> HttpResponse:
    return render(
        request,
        "advisories/bad_link.html",
        {"expired": isinstance(error, tokens.ExpiredToken), "message": str(error)},
        status=400,
    )


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """The API's subscribe throttle, shared with the page: one budget per client for both."""
    throttle = SubscribeThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    response = render(
        request,
        "advisories/throttled.html",
        {"minutes": max(1, int((wait or 60) // 60))},
        status=429,
    )
    if wait:
        response["Retry-After"] = str(int(wait))
    return response


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """GET: the full form. POST: the same answer for every valid request (no enumeration)."""
    if request.method == "GET":
        # The subscribe link of a board or destination page preselects its scope.
        initial = {
            "scope": request.GET.get("scope", SubscriptionScope.ALL),
            "destination": request.GET.get("destination"),
            "country": request.GET.get("country", "").upper(),
        }
        form = SubscribeForm(initial=initial)
        return render(request, "advisories/subscribe.html", {"form": form})
    if (limited := _throttled(request)) is not None:
        return limited
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "advisories/subscribe.html", {"form": form}, status=400)
    subscriptions.subscription_request(email=form.cleaned_data["email"], **form.service_kwargs())
    return render(request, "advisories/subscribe_sent.html", {})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links must not confirm."""
    if request.method == "GET":
        try:
            tokens.read_token(
                token,
                tokens.TokenPurpose.CONFIRM,
                max_age=settings.ALERTS_CONFIRM_MAX_AGE.total_seconds(),
            )
        except tokens.BadToken as error:
            return _bad_link(request, error)
        return render(request, "advisories/confirm.html", {"token": token})
    try:
        subscription, outcome = subscriptions.subscription_confirm(token=token)
    except tokens.BadToken as error:
        return _bad_link(request, error)
    return render(
        request,
        "advisories/confirmed.html",
        {
            "subscription": subscription,
            "outcome": outcome,
            "links": tokens.SubscriberLinks.for_subscription(subscription),
        },
    )


def _initial(subscription: Subscription) -> dict:
    return {
        "scope": subscription.scope,
        "destination": subscription.destination.slug if subscription.destination else None,
        "include_children": subscription.include_children,
        "country": subscription.country_code,
        "frequency": subscription.frequency,
    }


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Change scope and frequency, or unsubscribe; the signed link is the only credential."""
    try:
        subscription = subscriptions.subscription_for_manage_token(token=token)
    except tokens.BadToken as error:
        return _bad_link(request, error)
    links = tokens.SubscriberLinks.for_subscription(subscription)
    context = {"subscription": subscription, "links": links, "saved": False, "token": token}
    if request.method == "GET":
        context["form"] = ScopeForm(initial=_initial(subscription))
        return render(request, "advisories/manage.html", context)
    form = ScopeForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "advisories/manage.html", context, status=400)
    try:
        subscriptions.subscription_update(subscription=subscription, **form.service_kwargs())
    except subscriptions.ScopeTaken as error:
        form.add_error("scope", str(error))
        subscription.refresh_from_db()
        return render(request, "advisories/manage.html", context, status=400)
    context["saved"] = True
    return render(request, "advisories/manage.html", context)


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session; the token authorises
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners must not unsubscribe anyone); POST unsubscribes, no login."""
    try:
        subscription = subscriptions.subscription_for_unsubscribe_token(token=token)
    except tokens.BadToken as error:
        return _bad_link(request, error)
    if request.method == "GET":
        return render(
            request,
            "advisories/unsubscribe.html",
            {"subscription": subscription, "token": token},
        )
    subscriptions.subscription_unsubscribe(subscription=subscription)
    return render(request, "advisories/unsubscribed.html", {"subscription": subscription})
