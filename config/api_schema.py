"""The OpenAPI schema's house rules, applied to every operation rather than view by view:

- the error answers an operation can give are listed, each with the `Error` envelope
  (config/api_errors.py): 400 always (a malformed query, a NUL byte), 401 (credentials sent and
  wrong, or missing where needed), 403 where an account needs a permission, 404 where the path
  names something, 429 where a throttle applies;
- an operation anyone may call carries `security: []`, so the docs show no padlock on it.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import (
    SAFE_METHODS,
    AllowAny,
    DjangoModelPermissionsOrAnonReadOnly,
    IsAuthenticatedOrReadOnly,
)

from config.api_errors import ErrorSerializer

_ANON_READS = (DjangoModelPermissionsOrAnonReadOnly, IsAuthenticatedOrReadOnly)

ERROR_DESCRIPTIONS = {
    400: "Invalid input: a parameter or body field the API cannot use (see `error.fields`).",
    401: "Credentials are missing where needed, or were sent and are not valid.",
    403: "The account lacks the permission this operation needs.",
    404: "Nothing at this path.",
    429: "Too many requests from this client; retry after the `Retry-After` seconds.",
}


class ApiAutoSchema(AutoSchema):
    def is_public(self) -> bool:
        """Anyone, signed in or not, may call this operation."""
        for permission in self.view.get_permissions():
            if isinstance(permission, AllowAny):
                continue
            if isinstance(permission, _ANON_READS) and self.method in SAFE_METHODS:
                continue
            return False
        return True

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.is_public():
            operation["security"] = []
        return operation

    def _error_codes(self) -> list[int]:
        codes = [400, 401]
        if not self.is_public():
            codes.append(403)
        if "{" in self.path:
            codes.append(404)
        if self.view.get_throttles():
            codes.append(429)
        return codes

    def _get_response_bodies(self, direction="response"):
        # Here rather than in get_response_serializers, which @extend_schema(responses=...)
        # replaces: the error answers are listed whatever a view declares.
        bodies = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if str(code) not in bodies:
                response = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                bodies[str(code)] = self._get_response_for_code(response, str(code))
        return bodies
