"""Subscription pages: the subscribe form, the confirmation link, the manage page and one-click
unsubscribe. Adapters only: parse, call one service, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advisories.alerts import subscriptions, tokens
from advisories.alerts.api import SubscribeThrottle
from advisories.alerts.forms import ScopeForm, SubscribeForm
from advisories.models import Subscription, SubscriptionScope


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
    """GET: the full form. POST: the same redirect for every valid request (no enumeration),
    so reloading the "check your email" page never sends the form again."""
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
    return redirect("advisories:subscribe-sent")


@require_http_methods(["GET"])
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    """Where every accepted request lands; it names no address, so it reveals nothing."""
    return render(request, "advisories/subscribe_sent.html", {})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links must not confirm."""
    if request.method == "GET":
        try:
            subscription = subscriptions.subscription_for_confirm_token(token=token)
        except tokens.BadToken as error:
            return _bad_link(request, error)
        return render(
            request, "advisories/confirm.html", {"token": token, "subscription": subscription}
        )
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
