"""Error pages for requests no view handled: JSON under /api/, the site's HTML pages elsewhere.

A URL under /api/ that matches no route (a slug with characters a slug cannot have, a mistyped
path) never reaches DRF, so without this an API client would get the HTML 404 page. It gets the
API's one error envelope instead (see config/api_errors.py).
"""

from django.http import HttpResponseBadRequest, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "code": code, "message": message}}, status=status
    )


def page_not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "server_error", "The server failed; the error was logged.")
    return defaults.server_error(request)


def bad_request(request, exception):
    if request.path.startswith(API_PREFIX):
        return _api_error(400, "bad_request", str(exception) or "Bad request.")
    return defaults.bad_request(request, exception)


class RejectNulBytesMiddleware:
    """A NUL byte is never part of a valid path or query here, and PostgreSQL refuses it in any
    string (a 500 wherever it reached a query). Turn it away first, with a message that says so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "").lower():
            message = "A NUL byte (%00) is not allowed in a URL."
            if request.path.startswith(API_PREFIX):
                return _api_error(400, "bad_request", message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
