"""Portcullis settings: one module, every knob from the environment (django-environ).

With no environment at all the service runs embedded: SQLite and a filesystem Celery broker under
`var/`, so a newcomer needs no servers. Production sets DATABASE_URL (PostgreSQL), REDIS_URL
(broker and cache), SECRET_KEY, ALLOWED_HOSTS and the email settings.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ

from config import content_security
from config.logs import logging_config
from config.storages import exports_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)


def _local_secret_key() -> str:
    """A per-checkout random key for the embedded default; production must set SECRET_KEY."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base URL used in emails and feeds, where there is no request to build links from.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en"
USE_I18N = True

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portcullis.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing, take the write
    # lock up front so two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer fails the request in seconds instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
    # PostgreSQL compiles a query whose estimated cost passes jit_above_cost; the public pages'
    # per-place probes (LIMIT inside a loop) are estimated far above what they cost, and the
    # compilation (10-35 ms) then costs more than the query. Off for this short-query service.
    if not env.bool("DB_JIT", default=False):
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "destinations",
    "advisories",
    "publishing",
    "webhooks",
    "django_prometheus",
    "csp",
    "axes",
    "config.apps.OpsConfig",
]

MIDDLEWARE = [
    # Probes first: an orchestrator calls them by IP over plain HTTP (see config/health.py).
    "config.health.HealthProbeMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.logs.RequestIdMiddleware",
    "config.errors.RejectNulBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and CSRF middleware, so it sees (and may drop) the Vary they add.
    "publishing.http_cache.SharedCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Failed logins (the admin) are counted per client address and per username, each on its own:
# after LOGIN_FAILURE_LIMIT failures either is locked out for LOGIN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.clients.client_ip"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# STATIC
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing root
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# CACHES
# ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portcullis"),
            "OPTIONS": {
                # Short: with Redis unreachable each cache call costs at most this, then misses.
                "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("CACHE_TIMEOUT", default=0.5),
            },
        }
    }
else:
    # Shared between the web, worker and beat processes of the embedded default.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Rendered public pages, per process: Django's cache_page reads them here with no round trip,
# while the status version they are keyed on is read from the shared cache on every request, so a
# bump anywhere makes every process's older copies unreachable at once (publishing/caching.py).
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "status-pages",
    "OPTIONS": {"MAX_ENTRIES": env.int("PAGE_CACHE_MAX_ENTRIES", default=500)},
}
# Redis down means "no cache", never a failed page: the cache only holds copies of what the
# database knows, so a failed read is a miss and a failed write is skipped (and logged). A status
# version bump lost that way is made good once Redis answers (destinations/status_version.py).
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "portcullis.cache"

# MEDIA AND EXPORTS
# ------------------------------------------------------------------------------
# Files the service writes: the open-data export snapshots, under MEDIA_ROOT/exports, or in an
# S3 bucket when EXPORT_BUCKET is set (config/storages.py; docs/export.md).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES["exports"] = exports_storage(env, location=MEDIA_ROOT / "exports", url=MEDIA_URL)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=30)  # today's is the first
EXPORT_SNAPSHOT_INTERVAL = timedelta(
    seconds=env.int("EXPORT_SNAPSHOT_INTERVAL_SECONDS", default=3600)
)
EXPORT_CHUNK_ROWS = env.int("EXPORT_CHUNK_ROWS", default=2000)  # the Python writer's round trips

# CELERY
# ------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Enqueuing from a web request must fail fast, not hang, when Redis is down.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # The host is meaningless to the filesystem transport, but kombu warns when it is missing.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        # Exchange tables (remote control, broadcast) would otherwise land in ./control.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# The database holds the work: a message is acknowledged only once its task has finished, and a
# task whose worker died is handed to another worker. Tasks are idempotent, so a redelivery is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Worker and beat log through LOGGING below (JSON lines with task ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
RECONCILE_INTERVAL = timedelta(seconds=env.int("RECONCILE_INTERVAL_SECONDS", default=300))
FEED_POLL_INTERVAL = timedelta(seconds=env.int("FEED_POLL_INTERVAL_SECONDS", default=60))
ALERTS_SWEEP_INTERVAL = timedelta(seconds=env.int("ALERTS_SWEEP_INTERVAL_SECONDS", default=60))
WEBHOOKS_SWEEP_INTERVAL = timedelta(seconds=env.int("WEBHOOKS_SWEEP_INTERVAL_SECONDS", default=60))
EXTRACTION_SWEEP_INTERVAL = timedelta(
    seconds=env.int("EXTRACTION_SWEEP_INTERVAL_SECONDS", default=60)
)
# A notice still pending this long after its extraction was enqueued is enqueued again.
EXTRACTION_REQUEUE_AFTER = timedelta(
    seconds=env.int("EXTRACTION_REQUEUE_AFTER_SECONDS", default=5 * 60)
)
EXTRACTION_REQUEUE_BATCH = 500  # per sweep; the next sweep takes the rest
CELERY_BEAT_SCHEDULE = {
    "reconcile": {"task": "advisories.tasks.reconcile", "schedule": RECONCILE_INTERVAL},
    "poll-feeds": {"task": "advisories.tasks.poll_feeds", "schedule": FEED_POLL_INTERVAL},
    "alerts-sweep": {"task": "advisories.tasks.alerts_sweep", "schedule": ALERTS_SWEEP_INTERVAL},
    "webhooks-sweep": {"task": "webhooks.tasks.sweep", "schedule": WEBHOOKS_SWEEP_INTERVAL},
    "extraction-sweep": {
        "task": "advisories.tasks.extraction_sweep",
        "schedule": EXTRACTION_SWEEP_INTERVAL,
    },
    # Hourly, for yesterday (UTC): idempotent, so a beat that was down at midnight catches up.
    "alerts-digest": {"task": "advisories.tasks.alerts_digest", "schedule": timedelta(hours=1)},
    # Hourly too: the first run of a UTC day writes that day's export snapshots, the others
    # find them written (publishing/export/snapshots.py).
    "export-snapshots": {
        "task": "publishing.tasks.export_snapshots",
        "schedule": EXPORT_SNAPSHOT_INTERVAL,
    },
}

# RECONCILIATION
# ------------------------------------------------------------------------------
# The policy's numbers (advisories.reconciliation.policy.Policy): that module says what each means.
RECONCILIATION = {
    "MERGE_WINDOW_DAYS": env.float("RECONCILE_MERGE_WINDOW_DAYS", default=3),
    "CONFLICT_WINDOW_DAYS": env.float("RECONCILE_CONFLICT_WINDOW_DAYS", default=7),
    "AUTHORITY_MARGIN": env.int("RECONCILE_AUTHORITY_MARGIN", default=30),
    "MIN_CHANGE_CONFIDENCE": env.float("RECONCILE_MIN_CHANGE_CONFIDENCE", default=0.5),
    # Below this authority a lone report is published only as "reported, unconfirmed".
    "LOW_AUTHORITY": env.int("RECONCILE_LOW_AUTHORITY", default=40),
}

# PUBLISHING
# ------------------------------------------------------------------------------
# A status nobody has confirmed for this long is shown as "not confirmed since ..." (stale).
STATUS_STALE_AFTER_DAYS = env.int("STATUS_STALE_AFTER_DAYS", default=90)

# HTTP CACHING
# ------------------------------------------------------------------------------
# What public answers (pages, read API, feeds) tell browsers and a shared cache in front
# (deploy/nginx): keep a copy this long, serve it while refreshing for this long more, and serve
# it for this long when the site fails. Per-reader answers are `private, no-store` whatever these
# say (publishing/http_cache.py).
PUBLIC_CACHE_MAX_AGE = env.int("PUBLIC_CACHE_MAX_AGE", default=30)
PUBLIC_CACHE_STALE_WHILE_REVALIDATE = env.int("PUBLIC_CACHE_STALE_WHILE_REVALIDATE", default=60)
PUBLIC_CACHE_STALE_IF_ERROR = env.int("PUBLIC_CACHE_STALE_IF_ERROR", default=86_400)

# EMAIL
# ------------------------------------------------------------------------------
# SMTP by default; the embedded run starts a local SMTP sink on port 1025 that prints each mail.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portcullis <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ALERTS
# ------------------------------------------------------------------------------
ALERTS_CONFIRM_MAX_AGE = timedelta(hours=env.int("ALERTS_CONFIRM_MAX_AGE_HOURS", default=72))
# Minimum gap between two confirmation mails to one address, whoever asks.
ALERTS_CONFIRM_RESEND_AFTER = timedelta(
    minutes=env.int("ALERTS_CONFIRM_RESEND_MINUTES", default=10)
)
# Confirmation mails one address may receive in a day, whatever scopes it asks for.
ALERTS_CONFIRM_DAILY_PER_ADDRESS = env.int("ALERTS_CONFIRM_DAILY_PER_ADDRESS", default=5)
# A claimed batch not finished within the lease (worker killed) is sent again after it.
ALERTS_LEASE = timedelta(seconds=env.int("ALERTS_LEASE_SECONDS", default=300))
ALERTS_BATCH_SIZE = env.int("ALERTS_BATCH_SIZE", default=100)
# Send tasks enqueued for new deliveries (at most one per batch): they drain disjoint batches
# side by side, so a large fan-out is sent by this many worker processes at once.
ALERTS_SENDERS = env.int("ALERTS_SENDERS", default=2)
ALERTS_MAX_ATTEMPTS = env.int("ALERTS_MAX_ATTEMPTS", default=8)
ALERTS_RETRY_BASE = timedelta(seconds=env.int("ALERTS_RETRY_BASE_SECONDS", default=60))
# The sweep fans out alerting changes recorded this recently whose fan-out message was lost.
ALERTS_FANOUT_LOOKBACK = timedelta(hours=env.int("ALERTS_FANOUT_LOOKBACK_HOURS", default=48))
# Optional mailto: address for List-Unsubscribe; the https one-click link is always present.
ALERTS_UNSUBSCRIBE_MAILTO = env.str("ALERTS_UNSUBSCRIBE_MAILTO", default="")

# REST FRAMEWORK
# ------------------------------------------------------------------------------
# How many proxies of ours stand in front of the web process, each appending the address it saw
# to X-Forwarded-For. 0: the client is the connection's peer and X-Forwarded-For is ignored (it is
# whatever a client sends). Every place that identifies a client (API throttles, the subscribe
# form's throttle, admin login lockout) reads it through this one number.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

REST_FRAMEWORK = {
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    # Search is each list's own `q` filter; ordering, where offered, is strict (config/api_lists).
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "config.api_parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api_lists.ApiCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        "subscribe": env.str("SUBSCRIBE_RATE", default="10/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portcullis API",
    # The conventions every endpoint keeps, shown atop the schema and the docs pages.
    "DESCRIPTION": (BASE_DIR / "config" / "api_description.md").read_text(encoding="utf-8").strip(),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the status vocabulary wherever it appears (status, previous_status, ...).
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "destinations.models.Status",
        "SourceKindEnum": "advisories.models.SourceKind",
        "NoticeStateEnum": "advisories.models.NoticeState",
        "SubscriptionScopeEnum": "advisories.models.SubscriptionScope",
        "WebhookScopeEnum": "webhooks.models.EndpointScope",
    },
    # An optional choice is optional, not one of a separate "BlankEnum"/"NullEnum".
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
}

# WEBHOOKS
# ------------------------------------------------------------------------------
# https (certificate and host name verified) unless off: at registration and before each send.
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=not DEBUG)
# Non-public networks webhooks may still be sent to (a receiver of your own), e.g. 10.8.0.0/24.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_LEASE = timedelta(seconds=env.int("WEBHOOK_LEASE_SECONDS", default=300))
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=20)
WEBHOOK_SENDERS = env.int("WEBHOOK_SENDERS", default=2)
# Backoff with jitter, base to cap, for RETRY_FOR (>= a day); Retry-After honoured up to its max.
WEBHOOK_RETRY_BASE = timedelta(seconds=env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30))
WEBHOOK_RETRY_CAP = timedelta(seconds=env.int("WEBHOOK_RETRY_CAP_SECONDS", default=3600))
WEBHOOK_RETRY_FOR = timedelta(hours=env.int("WEBHOOK_RETRY_FOR_HOURS", default=72))
WEBHOOK_RETRY_AFTER_MAX = timedelta(hours=env.int("WEBHOOK_RETRY_AFTER_MAX_HOURS", default=1))
# An endpoint with no success since its first failure this long ago is disabled, its owner told.
WEBHOOK_DISABLE_AFTER = timedelta(hours=env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=72))
# After a rotation the old secret keeps signing beside the new one for this long.
WEBHOOK_SECRET_OVERLAP = timedelta(hours=env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24))
# The sweep fans out changes recorded this recently whose fan-out message was lost; a claimed
# batch whose worker died is sent again after the lease.
WEBHOOK_FANOUT_LOOKBACK = timedelta(hours=env.int("WEBHOOK_FANOUT_LOOKBACK_HOURS", default=48))

# INGEST AND EXTRACTION
# ------------------------------------------------------------------------------
NOTICE_MAX_BYTES = env.int("NOTICE_MAX_BYTES", default=1_000_000)
FEED_MAX_BYTES = env.int("FEED_MAX_BYTES", default=5_000_000)
FEED_TIMEOUT_SECONDS = env.float("FEED_TIMEOUT_SECONDS", default=10.0)
FEED_ALLOW_PRIVATE_ADDRESSES = env.bool("FEED_ALLOW_PRIVATE_ADDRESSES", default=False)
# Non-public networks feeds may still come from (a feed server of your own), e.g. 10.8.0.0/24.
FEED_ALLOWED_NETWORKS = env.list("FEED_ALLOWED_NETWORKS", default=[])
CLAIM_REVIEW_CONFIDENCE = env.float("CLAIM_REVIEW_CONFIDENCE", default=0.35)

# SECURITY
# ------------------------------------------------------------------------------
# Secure by default; a plain-HTTP local run sets DEBUG=1 (the Makefile does).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preload is a long commitment; a deployer on a shared domain can turn it off.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Content-Security-Policy (django-csp): config/content_security.py says what and why.
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = content_security.POLICY
else:
    CONTENT_SECURITY_POLICY = content_security.POLICY

# OPERATIONS
# ------------------------------------------------------------------------------
# /metrics answers a scraper holding "Authorization: Bearer <METRICS_TOKEN>" (Prometheus'
# bearer_token), or one connecting from METRICS_ALLOWED_NETWORKS (this machine by default), or
# anyone with METRICS_PUBLIC=1 (doctor and check --deploy then warn). The same token shows
# /readyz's details; without it /readyz says only pass or fail per part.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
METRICS_PUBLIC = env.bool("METRICS_PUBLIC", default=False)
# Probes and scrapes reuse a result this young instead of opening connections again.
OPS_PROBE_MIN_INTERVAL_SECONDS = env.float("OPS_PROBE_MIN_INTERVAL_SECONDS", default=1.0)

# LOGGING
# ------------------------------------------------------------------------------
# One JSON object per line (with request and task ids) unless LOG_FORMAT=plain; plain is the
# default only with DEBUG, for a developer's terminal.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise environ.ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
