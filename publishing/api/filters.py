"""Query-parameter parsing and filter sets shared by the read API and the public pages."""

from __future__ import annotations

from datetime import datetime

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from destinations import moments
from destinations.models import Audience, Destination, DestinationKind, Status
from publishing.selectors import (
    StatusFilter,
    current_status_rows,
    destination_search,
)


def parse_moment(value: str) -> datetime:
    """`?at=`: a date means the end of that UTC day (what took effect that day counts)."""
    return moments.parse_moment(value, date_means="end")


def parse_since(value: str) -> datetime:
    """`?since=`: a date means the start of that UTC day (everything recorded that day)."""
    return moments.parse_moment(value, date_means="start")


class DestinationFilter(django_filters.FilterSet):
    """Filters of GET /api/v1/destinations/. `status`, `audience` and `stale` mean what the
    board's filters mean (`selectors.StatusFilter`): they apply to one audience's current-status
    row, all foreign visitors unless `audience` names another, so `?status=open` lists places
    open to foreigners and `?status=open&audience=domestic` those open to domestic visitors."""

    country = django_filters.CharFilter(
        method="filter_country",
        label="ISO 3166-1 alpha-2 code",
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter ISO 3166-1 code.")],
    )
    kind = django_filters.ChoiceFilter(choices=DestinationKind.choices)
    status = django_filters.ChoiceFilter(choices=Status.choices, method="filter_current")
    audience = django_filters.CharFilter(
        method="filter_current",
        label="foreign, domestic or an ISO 3166-1 alpha-2 code",
        validators=[
            RegexValidator(Audience.PATTERN, "Use 'foreign', 'domestic' or a two-letter code.")
        ],
    )
    stale = django_filters.BooleanFilter(
        method="filter_current", label="not confirmed for STATUS_STALE_AFTER_DAYS days"
    )
    search = django_filters.CharFilter(method="filter_search", label="name or alias")

    class Meta:
        model = Destination
        fields = ["country", "kind", "status", "audience", "stale", "search"]

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country_code=value.upper())

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(destination_search(query=value)) if value.strip() else queryset

    def filter_current(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Applied once for all three parameters (by the first one given), so all constrain the
        # same row.
        data = self.form.cleaned_data
        given = [
            field for field in ("status", "audience", "stale") if data.get(field) not in ("", None)
        ]
        if not given or name != given[0]:
            return queryset
        wanted = StatusFilter(
            status=data.get("status") or None,
            audience=data.get("audience") or None,
            stale=data.get("stale"),
        )
        now = timezone.now()
        rows = wanted.rows(current_status_rows(now=now), now=now)
        return queryset.filter(Exists(rows.filter(destination=OuterRef("pk"))))
