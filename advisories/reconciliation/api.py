"""API adapters for reconciliation: explain a destination's status, let curators override it."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from advisories.reconciliation.curation import override_create
from advisories.reconciliation.explanation import destination_explanation
from destinations.models import Audience, Destination, Status


class ExplanationChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    previous_status = serializers.CharField()
    effective_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    summary = serializers.CharField()
    rule = serializers.CharField()
    decided_by = serializers.CharField(help_text="'reconciliation' or 'curator' (a role, no name).")
    note = serializers.CharField(
        help_text="For readers: the rule applied, or the curator's public note (the override's "
        "summary). A curator's private reason is never published."
    )
    confidence = serializers.FloatField()


class ExplanationClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    effective_at = serializers.DateTimeField()
    review_state = serializers.CharField()
    confidence = serializers.FloatField()
    sentence = serializers.CharField()
    source = serializers.CharField()
    authority = serializers.IntegerField()
    notice_url = serializers.CharField()
    published_at = serializers.DateTimeField()
    inherited = serializers.BooleanField(help_text="Said of all foreign visitors.")
    rule = serializers.CharField(help_text="What the policy did with this claim.")
    why = serializers.CharField()


class ExplanationNoteSerializer(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()
    effective_at = serializers.DateTimeField(allow_null=True)
    claim_ids = serializers.ListField(child=serializers.IntegerField())


class ExplanationAudienceSerializer(serializers.Serializer):
    audience = serializers.CharField()
    audience_label = serializers.CharField()
    status = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)
    last_confirmed_at = serializers.DateTimeField(allow_null=True)
    in_review = serializers.BooleanField()
    rule = serializers.CharField(allow_null=True, help_text="The rule that decided the status.")
    change = ExplanationChangeSerializer(
        allow_null=True, help_text="The timeline entry that set the status."
    )
    pending_changes = serializers.IntegerField(
        help_text="Entries the next reconciliation would write (0 when up to date)."
    )
    claims = ExplanationClaimSerializer(many=True)
    explanations = ExplanationNoteSerializer(many=True)


class DestinationExplanationSerializer(serializers.Serializer):
    destination = serializers.CharField()
    name = serializers.CharField()
    generated_at = serializers.DateTimeField()
    audiences = ExplanationAudienceSerializer(many=True)


class ExplainView(APIView):
    """Why a destination has the status it has, per audience, with the evidence considered."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=DestinationExplanationSerializer, operation_id="destination_explain")
    def get(self, request, slug: str):
        destination = get_object_or_404(Destination, slug=slug)
        now = timezone.now()
        data = {
            "destination": destination.slug,
            "name": destination.name,
            "generated_at": now,
            "audiences": sorted(
                destination_explanation(destination=destination, now=now),
                key=lambda entry: Audience.sort_key(entry["audience"]),
            ),
        }
        return Response(DestinationExplanationSerializer(data).data)


class CanOverrideStatus(permissions.BasePermission):
    message = "Only curators allowed to add overrides may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.has_perm("advisories.add_curatoroverride")
        )


class OverrideRequestSerializer(serializers.Serializer):
    audience = serializers.CharField(default=Audience.FOREIGN, max_length=16)
    status = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(max_length=5000)
    summary = serializers.CharField(max_length=300, required=False, default="")
    starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_audience(self, value: str) -> str:
        try:
            return Audience.validate(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc


class OverrideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    destination = serializers.CharField(source="destination.slug")
    audience = serializers.CharField()
    status = serializers.CharField()
    summary = serializers.CharField()
    reason = serializers.CharField()
    curator = serializers.CharField(source="curator.get_username")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class OverrideCreateView(APIView):
    """A curator sets a destination's status; it wins over automatic decisions until it ends."""

    permission_classes = [CanOverrideStatus]

    @extend_schema(
        request=OverrideRequestSerializer,
        responses={201: OverrideSerializer},
        operation_id="destination_override_create",
    )
    def post(self, request, slug: str):
        destination = get_object_or_404(Destination, slug=slug)
        payload = OverrideRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            override = override_create(
                destination=destination,
                curator=request.user,
                now=timezone.now(),
                **payload.validated_data,
            )
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise ValidationError(detail) from exc
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)
