"""Where the export snapshots are kept (settings.STORAGES["exports"]), from the environment.

On this machine's disk by default. With EXPORT_BUCKET, in that S3 bucket (django-storages), under
EXPORT_PREFIX; credentials come from boto3's usual places (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, or the instance's role), EXPORT_REGION and EXPORT_ENDPOINT_URL (an
S3-compatible service) when needed. The download route redirects to a signed URL then.
"""

from __future__ import annotations

from pathlib import Path

import environ


def exports_storage(env: environ.Env, *, location: Path, url: str) -> dict:
    bucket = env.str("EXPORT_BUCKET", default="")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": f"{url}exports/"},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": env.str("EXPORT_PREFIX", default="exports"),
            "region_name": env.str("EXPORT_REGION", default="") or None,
            "endpoint_url": env.str("EXPORT_ENDPOINT_URL", default="") or None,
            "default_acl": None,  # the bucket's own policy; files are reached by signed URLs
            "querystring_auth": True,
            "file_overwrite": True,  # a day's name is written again only after a failed run
        },
    }
