"""One error format for every 4xx the API returns.

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"url": ["..."]}}}

Clients branch on `code`, show `message`, and find per-field problems under `fields`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this endpoint accepts."
    default_code = "payload_too_large"


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def _codes(detail: Any) -> Any:
    if isinstance(detail, exceptions.ErrorDetail):
        return detail.code
    return "error"


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, reshaped so every error has the same envelope."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    body: dict[str, Any] = {
        "status": response.status_code,
        "code": "invalid" if isinstance(exc, exceptions.ValidationError) else _codes(detail),
        "message": _first_message(detail),
    }
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        body["fields"] = {
            key: [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    if not isinstance(body["code"], str):
        body["code"] = "error"
    response.data = {"error": body}
    return response


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="Stable, for programs: invalid, not_found, throttled…")
    message = serializers.CharField(help_text="For people: what went wrong.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="With code `invalid`: the problems per field or query parameter.",
    )


class ErrorSerializer(serializers.Serializer):
    """The one envelope of every 4xx answer (the schema's `Error` component)."""

    error = ErrorBodySerializer()
