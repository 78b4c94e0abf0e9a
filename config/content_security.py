"""The Content-Security-Policy the site sends (django-csp reads it from settings).

Everything comes from our own origin, so "self" only: no
inline scripts, no plugins, no framing, forms post only back to us. The API docs pages (Swagger
UI, Redoc) ship an inline bootstrap script and style: config/urls.py relaxes the policy for
those views alone. CSP_REPORT_ONLY=1 sends it as Report-Only, to trial a change.
"""

from csp.constants import NONE, SELF

POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
