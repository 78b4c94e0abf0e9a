"""Query-parameter parsing and filter sets shared by the read API and the public pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, QuerySet

from destinations.models import Audience, CurrentStatus, Destination, DestinationKind, Status
from destinations.selectors import destination_search, end_of_day

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_moment(value: str) -> datetime:
    """Read `?at=` / `?since=`: a date means the end of that UTC day, a datetime is taken as
    given (UTC when it has no offset). Raises ValueError with a reader-facing message."""
    text = (value or "").strip()
    try:
        if _DATE_ONLY.match(text):
            return end_of_day(date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+", 1))
    except (ValueError, OverflowError):
        raise ValueError(
            f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_since(value: str) -> datetime:
    """`?since=`: a date means the start of that UTC day (everything recorded that day)."""
    text = (value or "").strip()
    if _DATE_ONLY.match(text):
        try:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date.") from None
    return parse_moment(text)


class DestinationFilter(django_filters.FilterSet):
    """Filters of GET /api/v1/destinations/. `status` and `audience` apply to the same
    current-status row: `?status=suspended&audience=foreign` means suspended for foreigners."""

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
    search = django_filters.CharFilter(method="filter_search", label="name or alias")

    class Meta:
        model = Destination
        fields = ["country", "kind", "status", "audience", "search"]

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country_code=value.upper())

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(destination_search(query=value)) if value.strip() else queryset

    def filter_current(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Applied once for both parameters, so both constrain the same row.
        data = self.form.cleaned_data
        status, audience = data.get("status"), data.get("audience")
        if name == "audience" and status:
            return queryset  # already applied together with `status`
        rows = CurrentStatus.objects.filter(destination=OuterRef("pk"))
        rows = rows.filter(status=status) if status else rows.exclude(status=Status.UNKNOWN)
        if audience:
            rows = rows.filter(audience=audience)
        return queryset.filter(Exists(rows))
