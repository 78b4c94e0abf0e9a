"""Top-level routes: public pages, the v1 API with its schema and docs, and the admin."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api_index import ApiIndexView
from config.health import healthz, readyz
from config.metrics import metrics_view

# Swagger UI and Redoc ship an inline bootstrap script and style, and Redoc starts a blob: worker:
# their pages alone get a policy allowing that (settings.py has the site-wide one).
_DOCS_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "worker-src": [SELF, "blob:"],
}


def _docs_page(view):
    """The relaxed policy, whether the site's policy is enforced or report-only."""
    return csp_replace(_DOCS_POLICY)(csp_replace(_DOCS_POLICY, REPORT_ONLY=True)(view))


api_v1 = [
    path("", ApiIndexView.as_view(), name="api-index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        _docs_page(SpectacularSwaggerView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    path("redoc/", _docs_page(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    path("", include("publishing.api_urls")),
    path("export/", include("publishing.export.urls")),
    path("", include("advisories.api_urls")),
    path("", include("webhooks.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("advisories.urls")),
    path("", include("publishing.urls")),
]

# JSON errors under /api/, HTML pages elsewhere.
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
handler400 = "config.errors.bad_request"
