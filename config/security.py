"""Content-Security-Policy header, the one security header Django does not set itself.

Everything the site serves comes from its own origin, so the policy is "self only": no inline
scripts, no plugins, no framing, forms post only back to us. Even if a notice's text slipped
through escaping, a browser would refuse to run it. The API docs pages (Swagger UI, Redoc) ship
an inline bootstrap script and style; they get a relaxed policy for their paths alone.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DOCS_RELAXATION = {
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
    "worker-src": "'self' blob:",
}


def _render(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds `Content-Security-Policy` (or `-Report-Only` with CSP_REPORT_ONLY) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = {**DEFAULT_POLICY, **getattr(settings, "CSP_DIRECTIVES", {})}
        self.header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        self.strict = _render(policy)
        self.relaxed = _render({**policy, **DOCS_RELAXATION})
        self.relaxed_prefixes = tuple(getattr(settings, "CSP_RELAXED_PATH_PREFIXES", ()))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header not in response:
            relaxed = self.relaxed_prefixes and request.path.startswith(self.relaxed_prefixes)
            response[self.header] = self.relaxed if relaxed else self.strict
        return response
