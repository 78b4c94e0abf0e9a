"""The publishing layer's own table: the dated export snapshots (publishing/export/snapshots.py)."""

from __future__ import annotations

from django.db import models


class ExportSnapshot(models.Model):
    """One gzip file of one export, written once per UTC day, listed once it is whole.

    The row is made only after its file is saved, so a write that failed half-way lists nothing;
    unique per (kind, day), so a second run of the same day's task writes nothing.
    """

    kind = models.CharField(max_length=32, help_text="changes.csv, changes.jsonl or current.csv")
    day = models.DateField(help_text="The UTC day it was written.")
    name = models.CharField(max_length=255, help_text="Its name in the exports storage.")
    size = models.PositiveBigIntegerField(help_text="Bytes of the gzip file.")
    sha256 = models.CharField(max_length=64, help_text="Of the gzip file, hex.")
    version = models.CharField(max_length=32, help_text="The column set: changes/1.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day"], name="one_export_snapshot_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.day}"
