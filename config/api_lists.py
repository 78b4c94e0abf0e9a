"""How every list of the API pages and orders, in one place.

Lists are cursor-paginated: `?page_size=` (1 to MAX_PAGE_SIZE, default PAGE_SIZE; a larger number
is treated as MAX_PAGE_SIZE) and the `next`/`previous` links. A cursor is opaque: follow the
links. A page size, cursor or ordering the API cannot honour is a 400 with the error envelope,
never silently replaced by a default.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_DIGITS = re.compile(r"[0-9]+")


class ApiCursorPagination(CursorPagination):
    """Cursor pagination with a checked `page_size` and checked cursors. A view (or its
    ordering filter) gives the ordering; its first field is the cursor's position."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-id",)
    page_size_query_description = (
        f"Results per page: 1 to {MAX_PAGE_SIZE}, default {PAGE_SIZE}. A larger number is "
        f"treated as {MAX_PAGE_SIZE}; anything but a positive integer is a 400."
    )
    cursor_query_description = (
        "Opaque position in the list: follow the `next` and `previous` links rather than "
        "building one. A cursor this API did not give is a 400."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        """The ordering filter's, if the view has one, else the view's own `ordering`."""
        has_filter = any(hasattr(f, "get_ordering") for f in getattr(view, "filter_backends", []))
        ordering = getattr(view, "ordering", None)
        if not has_filter and ordering:
            return (ordering,) if isinstance(ordering, str) else tuple(ordering)
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "default": PAGE_SIZE}
        return parameters

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not _DIGITS.fullmatch(raw) or int(raw[:10]) < 1:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return min(int(raw[:10]), self.max_page_size)

    def decode_cursor(self, request: Request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor, valid = None, False
        else:
            valid = (
                cursor is None or cursor.position is None or self._valid_position(cursor.position)
            )
        if not valid:
            raise ValidationError(
                {"cursor": ["Not a cursor this API gave: follow the `next` or `previous` link."]}
            )
        return cursor

    def _valid_position(self, position: str) -> bool:
        """A position is compared in SQL with the ordering's first field: it must be a value of
        that field (an aware date-time for a date-time field)."""
        if "\x00" in position:
            return False
        try:
            field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        except FieldDoesNotExist:
            return False
        if isinstance(field, models.DateTimeField):
            try:
                return datetime.fromisoformat(position).tzinfo is not None
            except ValueError:
                return False
        try:
            value = field.to_python(position)
        except DjangoValidationError:
            return False
        if isinstance(field, models.IntegerField):
            return -(2**63) <= value < 2**63
        return True


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` among the view's `ordering_fields` (comma-separated, `-` for descending), or
    a 400 naming the choices. The view's `id` breaks ties, so pages never overlap."""

    ordering_description = "Order by one or more of the listed fields; prefix `-` to reverse."

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = self.remove_invalid_fields(queryset, fields, view, request)
            if len(valid) != len(fields):
                choices = ", ".join(name for name, _ in self.get_valid_fields(queryset, view))
                raise ValidationError(
                    {self.ordering_param: [f"Order by one or more of: {choices}."]}
                )
            if not any(field.lstrip("-") in ("id", "pk") for field in valid):
                valid.append("id")
            return valid
        return self.get_default_ordering(view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = [name for name, _ in self.get_valid_fields(None, view, {"request": None})]
        for parameter in parameters:
            parameter["schema"] = {
                "type": "array",
                "items": {"type": "string", "enum": [*fields, *(f"-{f}" for f in fields)]},
            }
            parameter["style"] = "form"
            parameter["explode"] = False
        return parameters
