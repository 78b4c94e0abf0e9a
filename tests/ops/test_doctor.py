"""`manage.py doctor` lists what a deployer must fix and exits 1 when anything is wrong."""

import os
import subprocess
import sys
from pathlib import Path

from tests.ops.servers import closed_port

ROOT = Path(__file__).resolve().parents[2]

GOOD_PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7$Kp!2vQ9#mZr4@Lw8^Tn6&Yb3*Hc5(Jd1)Fg0-Se2+Ua9=Ri7_Oq4~Pz3",
    "ALLOWED_HOSTS": "portcullis.example.org",
    "SITE_URL": "https://portcullis.example.org",
    "DEFAULT_FROM_EMAIL": "Portcullis <alerts@portcullis.example.org>",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_USE_TLS": "1",
}


def _doctor(tmp_path, env_overrides, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE may be left set by the browser tests; a deployment has none.
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "SITE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(env_overrides, VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "doctor", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_sound_production_configuration_has_no_problems(tmp_path):
    env = {
        **GOOD_PRODUCTION,
        "DATABASE_URL": "postgres://portcullis:secret@db.internal:5432/portcullis",
        "REDIS_URL": "redis://cache.internal:6379/2",
    }
    result = _doctor(tmp_path, env, "--offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found" in result.stdout


def test_the_embedded_developer_setup_lists_each_production_problem(tmp_path):
    result = _doctor(
        tmp_path,
        {
            "DEBUG": "1",
            "ALLOWED_HOSTS": "*",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        },
        "--offline",
    )
    assert result.returncode == 1
    for area in (
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_BACKEND",
        "SITE_URL",
        "ALLOWED_HOSTS",
        "DEFAULT_FROM_EMAIL",
    ):
        assert f"✗ {area}:" in result.stdout, area
    assert "fix:" in result.stdout


def test_a_short_placeholder_secret_key_is_reported(tmp_path):
    env = {**GOOD_PRODUCTION, "SECRET_KEY": "django-insecure-changeme"}
    result = _doctor(tmp_path, env, "--offline")
    assert result.returncode == 1
    assert "SECRET_KEY is short, repetitive or a well-known placeholder" in result.stdout


def test_unreachable_database_cache_broker_and_smtp_are_each_reported(tmp_path):
    env = {
        **GOOD_PRODUCTION,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/portcullis",
        "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
        "EMAIL_PORT": str(closed_port()),
    }
    result = _doctor(tmp_path, env)
    assert result.returncode == 1
    for area in ("database", "cache", "broker", "smtp"):
        assert f"✗ {area}: " in result.stdout, result.stdout
