"""Configuration problems a deployer should fix, found by reading settings and probing services.

Each finding says what is wrong and how to fix it. The checks are plain functions of the settings
object so tests can hand them any configuration; `probe_services` is separate because it touches
the network.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from urllib.parse import urlparse

from django.core import checks as django_checks
from django.core.mail.backends import smtp
from django.utils.module_loading import import_string

from config.health import run_checks

_WEAK_KEY_MARKERS = ("django-insecure", "changeme", "change-me", "secret", "dev-key", "example")
_NON_DELIVERING_EMAIL = {
    "django.core.mail.backends.console.EmailBackend": "prints mail to the console",
    "django.core.mail.backends.locmem.EmailBackend": "keeps mail in memory",
    "django.core.mail.backends.dummy.EmailBackend": "throws mail away",
    "django.core.mail.backends.filebased.EmailBackend": "writes mail to files",
}


@dataclass(frozen=True)
class Problem:
    area: str
    message: str
    fix: str


def configuration_problems(s, *, secret_key_from_env: bool) -> list[Problem]:
    """Problems visible in the settings alone (no network)."""
    problems: list[Problem] = []

    def add(area: str, message: str, fix: str) -> None:
        problems.append(Problem(area, message, fix))

    if s.DEBUG:
        add("DEBUG", "DEBUG is on: tracebacks and settings leak to visitors.", "Set DEBUG=0.")

    key = s.SECRET_KEY or ""
    if not secret_key_from_env:
        add(
            "SECRET_KEY",
            "SECRET_KEY is not set; a key generated into var/ is used, which differs per machine "
            "and breaks signed links across servers.",
            "Set SECRET_KEY to 50+ random characters, the same on every web and worker process.",
        )
    elif len(key) < 50 or len(set(key)) < 5 or any(m in key.lower() for m in _WEAK_KEY_MARKERS):
        add(
            "SECRET_KEY",
            "SECRET_KEY is short, repetitive or a well-known placeholder.",
            "Generate one: python -c 'import secrets; print(secrets.token_urlsafe(64))'.",
        )

    engine = s.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        add(
            "DATABASE_URL",
            "The database is SQLite: fine for one machine's demo, not for concurrent web and "
            "worker processes in production.",
            "Set DATABASE_URL=postgres://user:password@host:5432/portcullis.",
        )

    if not s.REDIS_URL:
        add(
            "REDIS_URL",
            "REDIS_URL is not set: tasks go through a filesystem broker and the cache is per "
            "machine, so web and worker must share one disk.",
            "Set REDIS_URL=redis://host:6379/0 (broker and cache).",
        )

    if s.EMAIL_BACKEND in _NON_DELIVERING_EMAIL:
        add(
            "EMAIL_BACKEND",
            f"The email backend {_NON_DELIVERING_EMAIL[s.EMAIL_BACKEND]}: no alert reaches anyone.",
            "Use the SMTP backend (the default) with EMAIL_HOST/EMAIL_PORT of a real relay.",
        )
    if s.DEFAULT_FROM_EMAIL.rstrip(">").endswith("@localhost"):
        add(
            "DEFAULT_FROM_EMAIL",
            "Alerts are sent from an @localhost address, which mail servers reject as spam.",
            "Set DEFAULT_FROM_EMAIL to an address of your own domain.",
        )

    site = urlparse(s.SITE_URL)
    if site.scheme != "https":
        add(
            "SITE_URL",
            f"SITE_URL ({s.SITE_URL}) is not https: links in alerts and feeds go out unencrypted.",
            "Set SITE_URL=https://your.domain.",
        )
    if site.hostname in {"localhost", "127.0.0.1", "::1"}:
        add(
            "SITE_URL",
            "SITE_URL points at this machine: links in alert emails will not work for readers.",
            "Set SITE_URL to the public address of the site.",
        )

    hosts = list(s.ALLOWED_HOSTS)
    if "*" in hosts or any(h in {".", ".*"} for h in hosts):
        add(
            "ALLOWED_HOSTS",
            "ALLOWED_HOSTS accepts any host name (Host-header attacks on links).",
            "List the site's host names: ALLOWED_HOSTS=portcullis.example.org.",
        )
    elif hosts and all(h in {"localhost", "127.0.0.1", "[::1]"} for h in hosts):
        add(
            "ALLOWED_HOSTS",
            "ALLOWED_HOSTS only lists this machine: requests for the public name get 400.",
            "Add the public host name to ALLOWED_HOSTS.",
        )

    if not s.SECURE_HSTS_SECONDS:
        add(
            "SECURE_HSTS_SECONDS",
            "HSTS is off: browsers may be downgraded to plain HTTP.",
            "Leave SECURE_HSTS_SECONDS at its production default (one year).",
        )
    return problems


def deploy_check_problems() -> list[Problem]:
    """Django's own `check --deploy` warnings and errors, in the same shape."""
    messages = django_checks.run_checks(include_deployment_checks=True)
    return [
        Problem(f"check {m.id}", m.msg, m.hint or "See Django's deployment checklist.")
        for m in messages
        if m.level >= django_checks.WARNING and not m.is_silenced()
    ]


def probe_smtp(s) -> None:
    """Connect to the SMTP relay and say EHLO (plus STARTTLS and login when configured)."""
    timeout = min(float(s.EMAIL_TIMEOUT or 10), 5.0)
    client_class = smtplib.SMTP_SSL if s.EMAIL_USE_SSL else smtplib.SMTP
    with client_class(s.EMAIL_HOST, s.EMAIL_PORT, timeout=timeout) as client:
        client.ehlo()
        if s.EMAIL_USE_TLS:
            client.starttls()
            client.ehlo()
        if s.EMAIL_HOST_USER:
            client.login(s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD)


def _sends_over_smtp(backend: str) -> bool:
    """Django's SMTP backend (the default) or one built on it."""
    try:
        backend_class = import_string(backend)
    except ImportError:
        return False
    return isinstance(backend_class, type) and issubclass(backend_class, smtp.EmailBackend)


def probe_services(s) -> list[Problem]:
    """Database, cache, broker and (for the SMTP backend) the mail relay must answer."""
    problems = [
        Problem(result.name, f"The {result.name} is unreachable: {result.error}", _HOW[result.name])
        for result in run_checks()
        if not result.ok
    ]
    if _sends_over_smtp(s.EMAIL_BACKEND):
        try:
            probe_smtp(s)
        except Exception as error:  # any failure to talk SMTP is the finding
            problems.append(
                Problem(
                    "smtp",
                    f"The SMTP relay {s.EMAIL_HOST}:{s.EMAIL_PORT} does not answer: "
                    f"{type(error).__name__}: {error}"[:400],
                    "Check EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS/SSL and the credentials.",
                )
            )
    return problems


_HOW = {
    "database": "Check DATABASE_URL and that PostgreSQL accepts connections from this host.",
    "cache": "Check REDIS_URL and that Redis is running.",
    "broker": "Check REDIS_URL / CELERY_BROKER_URL and that the broker is running.",
}
