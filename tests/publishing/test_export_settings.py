"""Where snapshots are kept: MEDIA_ROOT/exports on this machine, or an S3 bucket when
EXPORT_BUCKET says so. Settings are read in a fresh interpreter, as a deployment would."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW_STORAGE = (
    "import json\n"
    "from django.conf import settings\n"
    "from django.core.files.storage import storages\n"
    "s = storages['exports']\n"
    "print(json.dumps({'backend': f'{type(s).__module__}.{type(s).__name__}',"
    " 'where': getattr(s, 'bucket_name', None) or str(s.location),"
    " 'prefix': getattr(s, 'location', None), 'keep': settings.EXPORT_KEEP_DAYS}))"
)


def _storage(env: dict[str, str], tmp_path: Path) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EXPORT_", "MEDIA_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)}, **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{SHOW_STORAGE}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_snapshots_are_kept_under_media_root_by_default(tmp_path):
    seen = _storage({}, tmp_path)

    assert seen["backend"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert seen["where"] == str(tmp_path / "media" / "exports")
    assert seen["keep"] == 30


def test_an_export_bucket_puts_snapshots_in_s3(tmp_path):
    seen = _storage(
        {
            "EXPORT_BUCKET": "portcullis-open-data",
            "EXPORT_PREFIX": "nightly",
            "EXPORT_KEEP_DAYS": "7",
        },
        tmp_path,
    )

    assert seen == {
        "backend": "storages.backends.s3.S3Storage",
        "where": "portcullis-open-data",
        "prefix": "nightly",
        "keep": 7,
    }


def test_a_worker_finds_the_snapshot_task_by_autodiscovery(tmp_path):
    code = (
        "from config.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('publishing.tasks.export_snapshots' in app.tasks)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
