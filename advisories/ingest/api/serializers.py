"""Input and output shapes of the notices and sources API."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advisories.ingest.service import (
    EXTERNAL_ID_MAX_CHARS,
    TITLE_MAX_CHARS,
    URL_MAX_CHARS,
)
from advisories.ingest.text import LANGUAGE_TAG_MAX_CHARS, is_language_tag
from advisories.models import Claim, Notice, Source


class NoticeIn(serializers.Serializer):
    """POST /api/v1/notices/. Give the text as `body` (plain text) or `html`, not both."""

    source = serializers.SlugField(max_length=120, help_text="Slug of a known source.")
    url = serializers.URLField(
        max_length=URL_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    title = serializers.CharField(min_length=1, max_length=TITLE_MAX_CHARS)
    body = serializers.CharField(
        required=False, min_length=1, help_text="The notice as plain text."
    )
    html = serializers.CharField(
        required=False,
        min_length=1,
        help_text="The notice as HTML; reduced to plain text before storing.",
    )
    published_at = serializers.DateTimeField()
    language = serializers.CharField(
        max_length=LANGUAGE_TAG_MAX_CHARS, required=False, default="en"
    )
    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX_CHARS, required=False, allow_blank=True, default=""
    )

    def validate_language(self, value: str) -> str:
        if not is_language_tag(value):
            raise serializers.ValidationError("Give a language tag such as 'en' or 'ko-KP'.")
        return value

    def validate_source(self, value: str) -> Source:
        source = Source.objects.filter(slug=value).first()
        if source is None:
            raise serializers.ValidationError(f"Unknown source {value!r}.")
        return source

    def validate_url(self, value: str) -> str:
        if value and not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Give an http or https URL.")
        return value

    def validate(self, attrs: dict) -> dict:
        if "body" in attrs and "html" in attrs:
            raise serializers.ValidationError(
                {"html": ["Give the text as body or as html, not both."]}
            )
        if "body" not in attrs and "html" not in attrs:
            raise serializers.ValidationError(
                {"body": ["A notice needs its text, as body (plain text) or html."]}
            )
        return attrs


class ClaimOut(serializers.ModelSerializer):
    destination = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    destination_name = serializers.CharField(source="destination.name", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "destination",
            "destination_name",
            "audience",
            "status",
            "effective_at",
            "confidence",
            "sentence",
            "start",
            "end",
            "category",
            "review_state",
            "extractor_version",
        ]
        read_only_fields = fields


_URL_HELP = "An absolute http(s) URL, or empty when there is none."


class NoticeSummaryOut(serializers.ModelSerializer):
    """A notice in a list: everything but its text, with the number of claims read from it."""

    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.CharField(read_only=True, help_text=_URL_HELP)
    claim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "source",
            "url",
            "external_id",
            "title",
            "language",
            "published_at",
            "fetched_at",
            "state",
            "extractor_version",
            "claim_count",
        ]
        read_only_fields = fields


class NoticeOut(serializers.ModelSerializer):
    """A notice with its plain-text body and the claims extracted from it."""

    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.CharField(read_only=True, help_text=_URL_HELP)
    claims = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "source",
            "url",
            "external_id",
            "title",
            "body",
            "language",
            "published_at",
            "fetched_at",
            "state",
            "extractor_version",
            "claims",
        ]
        read_only_fields = fields

    @extend_schema_field(ClaimOut(many=True))
    def get_claims(self, notice: Notice) -> list[dict]:
        # The ingest service hands over the claims it just wrote; reads use the prefetch.
        claims = self.context.get("claims")
        if claims is None:
            claims = notice.claims.all()
        return ClaimOut(claims, many=True).data


class NoticeIngestedOut(NoticeOut):
    """The answer to POST /api/v1/notices/: the notice, how far its extraction has got and where
    its claims appear once the worker has read them."""

    extraction_state = serializers.CharField(
        source="state",
        read_only=True,
        help_text="pending until the worker has read the notice, then extracted (or failed).",
    )
    claims_url = serializers.SerializerMethodField(
        help_text="The notice's own URL: GET it for its claims once extraction_state is extracted."
    )

    class Meta(NoticeOut.Meta):
        fields = [*NoticeOut.Meta.fields, "extraction_state", "claims_url"]
        read_only_fields = fields

    def get_claims_url(self, notice: Notice) -> str:
        path = reverse("advisories_api:notice-detail", args=[notice.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SourceOut(serializers.ModelSerializer):
    homepage = serializers.CharField(read_only=True, help_text=_URL_HELP)
    feed_url = serializers.CharField(read_only=True, help_text=_URL_HELP)

    class Meta:
        model = Source
        fields = [
            "slug",
            "name",
            "kind",
            "authority",
            "homepage",
            "feed_url",
            "poll_interval",
            "is_active",
            "last_polled_at",
            "last_success_at",
            "last_error_at",
        ]
        read_only_fields = fields
