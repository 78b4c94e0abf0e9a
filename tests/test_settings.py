"""Settings come from the environment, and production values pass Django's deploy checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7$Kp!2vQ9#mZr4@Lw8^Tn6&Yb3*Hc5(Jd1)Fg0-Se2+Ua9=Ri7_Oq4~Pz3",
    "ALLOWED_HOSTS": "portcullis.example.org",
    "DATABASE_URL": "postgres://portcullis:secret@db.internal:5432/portcullis",
    "REDIS_URL": "redis://cache.internal:6379/2",
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "1",
}


def _django(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)}, **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_production_knob_is_read_from_the_environment(tmp_path):
    code = (
        "import json\nfrom django.conf import settings as s\n"
        "db = s.DATABASES['default']\n"
        "print(json.dumps({'engine': db['ENGINE'], 'host': db['HOST'], 'name': db['NAME'],"
        " 'cache': s.CACHES['default']['BACKEND'], 'cache_at': s.CACHES['default']['LOCATION'],"
        " 'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS,"
        " 'key': s.SECRET_KEY, 'email': [s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS]}))"
    )
    result = _django(code, PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "engine": "django.db.backends.postgresql",
        "host": "db.internal",
        "name": "portcullis",
        "cache": "django_redis.cache.RedisCache",
        "cache_at": "redis://cache.internal:6379/2",
        "broker": "redis://cache.internal:6379/2",
        "debug": False,
        "hosts": ["portcullis.example.org"],
        "key": PRODUCTION_ENV["SECRET_KEY"],
        "email": ["smtp.example.org", 587, True],
    }


def test_with_no_environment_the_service_runs_embedded_on_sqlite_and_a_file_broker(tmp_path):
    code = (
        "from django.conf import settings as s\n"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, len(s.SECRET_KEY) > 40)"
    )
    result = _django(code, {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://localhost/",
        "True",
    ]


def test_the_embedded_broker_keeps_every_file_under_var_dir(tmp_path):
    # Declaring the task queue, as a starting worker does, records its exchange's bindings in
    # the filesystem transport's control folder, which defaults to ./control.
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    code = (
        "import os\nfrom config.celery import app\n"
        f"os.chdir({str(workdir)!r})\n"
        "with app.connection_for_write() as connection:\n"
        "    app.amqp.queues[app.conf.task_default_queue](connection.default_channel).declare()\n"
    )
    result = _django(code, {}, tmp_path / "var")
    assert result.returncode == 0, result.stderr
    assert list(workdir.iterdir()) == []
    assert (tmp_path / "var" / "broker" / "control" / "celery.exchange").exists()


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    # DJANGO_ALLOW_ASYNC_UNSAFE (left set by the browser tests) is itself a deploy-check warning.
    unset = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(PRODUCTION_ENV, VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
