"""Query-parameter parsing and filter sets shared by the read API and the public pages."""

from __future__ import annotations

from datetime import datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from destinations import moments
from destinations.models import Audience, Destination, DestinationKind, Status, StatusChange
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


class StrictBooleanField(forms.Field):
    """`true`/`false` (also 1/0, yes/no): anything else is an error, not "no filter"."""

    VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Use true or false.", code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class MomentField(forms.CharField):
    """A date or an ISO 8601 date-time, read by `parse` (see parse_moment, parse_since)."""

    def __init__(self, *args, parse=parse_moment, **kwargs):
        self.parse = parse
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return self.parse(value)
        except ValueError as error:
            # As a parameter: django-filter %-formats the message, and it quotes the input.
            raise forms.ValidationError(
                "%(reason)s", code="invalid", params={"reason": str(error)}
            ) from None


class MomentFilter(django_filters.Filter):
    field_class = MomentField


AUDIENCE_VALIDATOR = RegexValidator(
    Audience.PATTERN, "Use 'foreign', 'domestic' or a two-letter code."
)
COUNTRY_VALIDATOR = RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter ISO 3166-1 code.")


class DestinationFilter(django_filters.FilterSet):
    """Filters of GET /api/v1/destinations/. `status`, `audience` and `stale` mean what the
    board's filters mean (`selectors.StatusFilter`): they apply to one audience's current-status
    row, all foreign visitors unless `audience` names another, so `?status=open` lists places
    open to foreigners and `?status=open&audience=domestic` those open to domestic visitors."""

    country = django_filters.CharFilter(
        method="filter_country",
        label="ISO 3166-1 alpha-2 code",
        validators=[COUNTRY_VALIDATOR],
    )
    kind = django_filters.ChoiceFilter(choices=DestinationKind.choices)
    status = django_filters.ChoiceFilter(choices=Status.choices, method="filter_current")
    audience = django_filters.CharFilter(
        method="filter_current",
        label="foreign, domestic or an ISO 3166-1 alpha-2 code",
        validators=[AUDIENCE_VALIDATOR],
    )
    stale = StrictBooleanFilter(
        method="filter_current",
        label="true: not confirmed for STATUS_STALE_AFTER_DAYS days; false: confirmed since",
    )
    q = django_filters.CharFilter(
        method="filter_search", label="Search: a name or any spelling of an alias (as the board)"
    )

    class Meta:
        model = Destination
        fields = ["country", "kind", "status", "audience", "stale", "q"]

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


class ChangeFilter(django_filters.FilterSet):
    """Filters of GET /api/v1/changes/."""

    since = MomentFilter(
        method="filter_since",
        label="Only changes recorded at or after this date (UTC) or ISO 8601 date-time",
        parse=parse_since,
    )
    destination = django_filters.CharFilter(
        field_name="destination__slug", label="Destination slug"
    )
    country = django_filters.CharFilter(
        method="filter_country", label="ISO 3166-1 alpha-2 code", validators=[COUNTRY_VALIDATOR]
    )
    status = django_filters.ChoiceFilter(choices=Status.choices)
    audience = django_filters.CharFilter(
        label="foreign, domestic or an ISO 3166-1 alpha-2 code", validators=[AUDIENCE_VALIDATOR]
    )

    class Meta:
        model = StatusChange
        fields = ["since", "destination", "country", "status", "audience"]

    def filter_since(self, queryset: QuerySet, name: str, value: datetime) -> QuerySet:
        return queryset.filter(recorded_at__gte=value)

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country_code=value.upper())  # change_country_recorded_idx
