"""Query parameters of GET /api/v1/notices/."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

from advisories.models import Notice, NoticeState


class _UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time that must also exist in UTC: "9999-12-31T23:59:59-12:00" is valid
    ISO but overflows when the database adapter converts it, which would be a 500."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("The date-time is out of range.", code="invalid") from None


class _UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcIsoDateTimeField


class NoticeFilter(django_filters.FilterSet):
    source = django_filters.CharFilter(field_name="source__slug", label="source slug")
    state = django_filters.ChoiceFilter(choices=NoticeState.choices)
    published_after = _UtcIsoDateTimeFilter(
        field_name="published_at", lookup_expr="gte", label="published at or after (ISO 8601)"
    )
    published_before = _UtcIsoDateTimeFilter(
        field_name="published_at", lookup_expr="lt", label="published before (ISO 8601)"
    )

    class Meta:
        model = Notice
        fields = ["source", "state", "published_after", "published_before"]
