"""The API's JSON parser: DRF's, with one more refusal.

Python's json module recurses once per level of nesting, so a body of 100,000 brackets raises
RecursionError, which DRF does not expect (a 500). No request this API takes nests more than a
few levels, so such a body is a client's error, answered 400 like any other unreadable JSON.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
