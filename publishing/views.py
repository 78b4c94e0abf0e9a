"""Public pages: the board, a destination's page, the changes list and a notice's page.

Views parse parameters, call one selector and render. Bad parameters get a friendly 400 page;
unknown destinations and notices a clear 404. Board and destination pages are served through the
status page cache (see publishing/caching.py): a cached copy or a 304 costs no database query, so
they carry nothing that differs between readers (the subscribe box is a link, not a form).
"""

from __future__ import annotations

import re
from datetime import datetime

from django import forms
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.validators import RegexValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from advisories.models import Notice
from destinations.models import Audience, Destination, DestinationKind, Status
from publishing import selectors
from publishing.api.filters import parse_moment
from publishing.caching import status_page
from publishing.timeline_svg import timeline_picture

SUBSCRIBE_BOX_TEMPLATE = "advisories/subscribe_box.html"
CHANGES_PER_PAGE = 50
# The deepest page of the changes list: its pages are read in an indexed order with an OFFSET,
# and this bounds the offset (2,000 entries) whatever the history's length; the API's cursor
# pages reach further back.
CHANGES_MAX_PAGE = 40
DEEPEST_BOARD_PAGE = (
    "The board goes %(limit_value)s pages deep; choose a country or kind, or search, instead."
)
DEEPEST_CHANGES_PAGE = (
    "This list goes %(limit_value)s pages deep; older changes are in each destination's history "
    "and in the API (/api/v1/changes/)."
)

KNOWN_STATUSES = [(value, label) for value, label in Status.choices if value != Status.UNKNOWN]


class ChangesPaginator(Paginator):
    """Page numbers over the changes list, counted by `selectors.count_changes`: exactly for
    a list of up to two thousand, else estimated (the page says "about"). A page reads its rows
    in an indexed order, so its cost follows its depth, not the history's length."""

    estimated = False

    @cached_property
    def count(self) -> int:
        total, self.estimated = selectors.count_changes(self.object_list)
        return total


class AtParam(forms.Form):
    at = forms.CharField(required=False, max_length=40, label="As of (UTC date)")

    def clean_at(self) -> datetime | None:
        value = self.cleaned_data.get("at")
        if not value:
            return None
        try:
            return parse_moment(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class BoardParams(AtParam):
    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *KNOWN_STATUSES])
    country = forms.CharField(
        required=False,
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter ISO 3166-1 code.")],
    )
    audience = forms.CharField(required=False, max_length=16, label="For")
    stale = forms.ChoiceField(
        required=False,
        label="Confirmation",
        choices=[("", "Any"), ("0", "Confirmed recently"), ("1", "Not confirmed recently")],
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *DestinationKind.choices])
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=selectors.BOARD_MAX_PAGE,
        error_messages={"max_value": DEEPEST_BOARD_PAGE},
    )

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()

    def clean_audience(self) -> str:
        value = (self.cleaned_data.get("audience") or "").strip()
        if value.lower() in (Audience.FOREIGN, Audience.DOMESTIC):
            return value.lower()
        if value and not re.fullmatch(r"[A-Za-z]{2}", value):
            raise forms.ValidationError("Use 'foreign', 'domestic' or a two-letter code.")
        return value.upper()

    def clean_stale(self) -> bool | None:
        value = self.cleaned_data.get("stale")
        return None if value in ("", None) else value == "1"


class ChangesParams(forms.Form):
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=CHANGES_MAX_PAGE,
        error_messages={"max_value": DEEPEST_CHANGES_PAGE},
    )
    order = forms.ChoiceField(
        required=False,
        label="Order",
        choices=[
            ("", "When it happened"),
            ("effective", "When it happened"),
            ("learned", "Recently learned"),
        ],
    )

    def clean_order(self) -> str:
        # "learned" reads the history in the order we recorded it.
        return "recorded" if self.cleaned_data.get("order") == "learned" else "effective"


# Filters kept behind the board's "More filters" control; it opens when one of them is set
# (the audience only when it is not the default every submitted form carries).
FOLDED_FILTERS = ("status", "country", "kind", "at")


def bad_parameters(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """A friendly 400: what was wrong, and a way back. Never a 500 for a bad query string."""
    problems = [
        (form.fields[name].label or name if name in form.fields else name, message)
        for name, messages in form.errors.items()
        for message in messages
    ]
    return render(
        request,
        "destinations/bad_request.html",
        {"problems": problems, "path": request.path},
        status=400,
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@status_page(params=BoardParams)
def board(request: HttpRequest) -> HttpResponse:
    params = BoardParams(request.GET)
    if not params.is_valid():
        return bad_parameters(request, params)
    data = params.cleaned_data
    now = timezone.now()
    board_page = selectors.board(
        at=data["at"],
        status=data["status"] or None,
        audience=data["audience"] or None,
        stale=data["stale"],
        country=data["country"] or None,
        kind=data["kind"] or None,
        query=data["q"] or None,
        page=data["page"] or 1,
        now=now,
    )
    if board_page.number > board_page.pages:
        raise Http404("There is no such page of the board.")
    unstated = []
    if data["q"] and data["at"] is None and not data["status"] and data["stale"] is None:
        unstated = selectors.destinations_without_status(
            query=data["q"], country=data["country"] or None, kind=data["kind"] or None
        )
    present = selectors.board_choices()
    countries = sorted(
        present.countries | ({data["country"]} if data["country"] else set()),
        key=selectors.country_name,
    )
    audiences = sorted(
        present.audiences
        | {Audience.FOREIGN}
        | ({data["audience"]} if data["audience"] else set()),
        key=Audience.sort_key,
    )
    scope = {"scope_kind": "all", "scope_value": "", "scope_name": "every destination"}
    if data["country"]:
        scope = {
            "scope_kind": "country",
            "scope_value": data["country"],
            "scope_name": selectors.country_name(data["country"]),
        }
    context = {
        "board": board_page,
        # Built once: reversing a URL per row is a large share of the render time.
        "destinations_prefix": reverse("destinations:detail", kwargs={"slug": "x"})[:-2],
        "groups": board_page.groups,
        "count": board_page.total,
        "page_query": _query_without_page(request),
        "params": params,
        "filters": data,
        "filtered": any(data[name] for name in ("q", "status", "audience", "country", "kind"))
        or data["stale"] is not None,
        "more_filters_open": any(data[name] for name in FOLDED_FILTERS)
        or data["audience"] not in ("", Audience.FOREIGN)
        or data["stale"] is not None,
        "unstated": unstated,
        "stale_param": "" if data["stale"] is None else str(int(data["stale"])),
        "audiences": [(value, Audience.label(value)) for value in audiences],
        "filter_audience": data["audience"] or Audience.FOREIGN,
        "stale_after_days": settings.STATUS_STALE_AFTER_DAYS,
        "at": data["at"],
        "countries": [(code, selectors.country_name(code)) for code in countries],
        "statuses": KNOWN_STATUSES,
        "kinds": DestinationKind.choices,
        "last_updated_at": selectors.last_reconciled_at(),
        "generated_at": now,
        "subscribe_box": SUBSCRIBE_BOX_TEMPLATE,
        **scope,
    }
    # Without the request: no context processor adds anything reader-specific to a cached page.
    return HttpResponse(render_to_string("destinations/board.html", context))


@status_page(params=AtParam)
def destination_detail(request: HttpRequest, slug: str) -> HttpResponse:
    params = AtParam(request.GET)
    if not params.is_valid():
        return bad_parameters(request, params)
    at = params.cleaned_data["at"]
    destination = get_object_or_404(Destination.objects.select_related("parent"), slug=slug)
    now = timezone.now()
    overview = selectors.destination_overview(destination=destination, at=at, now=now)
    context = {
        "overview": overview,
        "destination": destination,
        "at": at,
        "params": params,
        "picture": timeline_picture(overview),
        "country_name": selectors.country_name(destination.country_code),
        "generated_at": now,
        "subscribe_box": SUBSCRIBE_BOX_TEMPLATE,
        "scope_kind": "destination",
        "scope_value": destination.slug,
        "scope_name": destination.name,
    }
    return HttpResponse(render_to_string("destinations/destination_detail.html", context))


def changes(request: HttpRequest) -> HttpResponse:
    """Not in the page cache: rendered per request (ChangesParams would be its cache key)."""
    params = ChangesParams(request.GET)
    if not params.is_valid():
        return bad_parameters(request, params)
    order = params.cleaned_data["order"]
    paginator = ChangesPaginator(selectors.recent_changes(order=order), CHANGES_PER_PAGE)
    try:
        page = paginator.page(params.cleaned_data["page"] or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("There is no such page of changes.") from None
    if paginator.estimated and page.number > 1 and not page.object_list:
        raise Http404("There is no such page of changes.")
    context = {
        "page": page,
        "learned": order == "recorded",
        "order_query": "order=learned&" if order == "recorded" else "",
        "deepest": page.number >= CHANGES_MAX_PAGE,
    }
    return render(request, "destinations/changes.html", context)


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:

    notice = get_object_or_404(Notice.objects.select_related("source"), pk=pk)
    claims = notice.claims.select_related("destination").order_by("start", "id")
    return render(request, "destinations/notice_detail.html", {"notice": notice, "claims": claims})
