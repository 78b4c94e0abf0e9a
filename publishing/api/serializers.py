"""Output shapes of the read API. Datetimes are ISO 8601 in UTC ("Z")."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from destinations.models import Audience, Destination, Status, StatusChange
from publishing.selectors.api import statuses_from_rows


class EvidenceSerializer(serializers.Serializer):
    """One quoted sentence behind a status, with who published it and where."""

    claim_id = serializers.IntegerField(source="pk")
    sentence = serializers.CharField()
    status = serializers.CharField()
    audience = serializers.CharField()
    effective_at = serializers.DateTimeField()
    confidence = serializers.FloatField()
    review_state = serializers.CharField()
    source_name = serializers.CharField(source="notice.source.name")
    source_kind = serializers.CharField(source="notice.source.kind")
    notice_id = serializers.IntegerField(source="notice.pk")
    notice_title = serializers.CharField(source="notice.title")
    notice_url = serializers.CharField(source="notice.url", help_text="The publisher's URL.")
    notice_page = serializers.SerializerMethodField(help_text="Our page quoting the notice.")
    published_at = serializers.DateTimeField(source="notice.published_at")

    def get_notice_page(self, claim) -> str:
        path = reverse("destinations:notice", kwargs={"pk": claim.notice_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AudienceStatusSerializer(serializers.Serializer):
    """A destination's status for one audience: the same shape in the list, the detail (which
    adds `evidence`) and the history."""

    audience = serializers.CharField(help_text="'foreign', 'domestic' or an ISO country code.")
    audience_label = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    since = serializers.DateTimeField(allow_null=True)
    summary = serializers.CharField()
    last_confirmed_at = serializers.DateTimeField(allow_null=True)
    in_review = serializers.BooleanField()
    stale = serializers.BooleanField(
        help_text="Not confirmed for STATUS_STALE_AFTER_DAYS days (default 90) before now, or "
        "before `at` where given: treat it as old information (see last_confirmed_at)."
    )
    unconfirmed = serializers.BooleanField(
        help_text="The status rests on one report from a low-authority source that changed an "
        "official status: reported, unconfirmed, not settled fact."
    )
    conflicting_claim_ids = serializers.ListField(
        source="conflicting_ids",
        child=serializers.IntegerField(),
        help_text="Claims that speak against this status: held for review, or unconfirmed "
        "reports kept beside it. Empty when the evidence in force agrees.",
    )
    change_id = serializers.IntegerField(allow_null=True)


class AudienceStatusWithEvidenceSerializer(AudienceStatusSerializer):
    evidence = serializers.SerializerMethodField()

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, status) -> list[dict]:
        claims = self.context.get("evidence", {}).get(status.change_id, [])
        return EvidenceSerializer(claims, many=True, context=self.context).data


class DestinationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    statuses = serializers.SerializerMethodField(
        help_text="Current status per audience: all foreign visitors, domestic visitors, then "
        "nationalities by code."
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="destinations_api:destination-detail", lookup_field="slug"
    )
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Destination
        fields = ["slug", "name", "kind", "country_code", "parent", "statuses", "url", "page_url"]

    @extend_schema_field(AudienceStatusSerializer(many=True))
    def get_statuses(self, destination) -> list[dict]:
        # The rows come prefetched (from current_status_rows, with `stale`) by the list view.
        statuses = statuses_from_rows(destination.current_statuses.all())
        return AudienceStatusSerializer(statuses, many=True, context=self.context).data

    def get_page_url(self, destination) -> str:
        path = reverse("destinations:detail", kwargs={"slug": destination.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DestinationDetailSerializer(serializers.Serializer):
    slug = serializers.CharField(source="destination.slug")
    name = serializers.CharField(source="destination.name")
    kind = serializers.CharField(source="destination.kind")
    country_code = serializers.CharField(source="destination.country_code")
    parent = serializers.SerializerMethodField()
    description = serializers.CharField(source="destination.description")
    latitude = serializers.FloatField(
        source="destination.latitude", allow_null=True, help_text="Degrees north (WGS 84)."
    )
    longitude = serializers.FloatField(
        source="destination.longitude", allow_null=True, help_text="Degrees east (WGS 84)."
    )
    aliases = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    statuses = AudienceStatusWithEvidenceSerializer(
        many=True, help_text="Current status per audience, each with the evidence behind it."
    )
    history_url = serializers.SerializerMethodField()

    def get_parent(self, overview) -> str | None:
        parent = overview.destination.parent
        return parent.slug if parent else None

    def get_aliases(self, overview) -> list[str]:
        return [alias.name for alias in overview.aliases]

    def get_children(self, overview) -> list[str]:
        return [child.slug for child in overview.children]

    def get_history_url(self, overview) -> str:
        path = reverse(
            "destinations_api:destination-history", kwargs={"slug": overview.destination.slug}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ChangeSerializer(serializers.ModelSerializer):
    destination = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    destination_name = serializers.CharField(source="destination.name", read_only=True)
    country_code = serializers.CharField(source="destination.country_code", read_only=True)
    audience_label = serializers.SerializerMethodField()
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "destination",
            "destination_name",
            "country_code",
            "audience",
            "audience_label",
            "previous_status",
            "status",
            "effective_at",
            "recorded_at",
            "summary",
            "confidence",
            "decided_by",
            "rule",
            "supersedes",
            "alters_current",
            "unconfirmed",
        ]

    def get_audience_label(self, change) -> str:
        return Audience.label(change.audience)


class HistorySerializer(serializers.Serializer):
    destination = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True, help_text="The moment asked for, if any.")
    statuses = AudienceStatusSerializer(
        many=True, help_text="Per audience, the status in force at `at` (or now)."
    )
    changes = ChangeSerializer(many=True, help_text="Corrected timeline, newest first.")
