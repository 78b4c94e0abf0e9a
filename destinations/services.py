"""Writes to destinations and their aliases. Status history is written by reconciliation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from destinations.gazetteer import country_records
from destinations.models import Destination, DestinationAlias, DestinationKind
from destinations.normalise import normalise_name


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases_added: int = 0
    aliases_removed: int = 0
    slugs: list[str] = field(default_factory=list)


def aliases_sync(
    *,
    destination: Any,
    names: Iterable[str],
    alias_model: type = DestinationAlias,
    remove_missing: bool = True,
) -> tuple[int, int]:
    """Make the destination's aliases exactly `names` (compared on their normalised form).

    Returns (added, removed). The destination's own name is not stored as an alias: matching
    always considers it.
    """
    wanted: dict[str, str] = {}
    own = normalise_name(destination.name)
    for name in names:
        key = normalise_name(name)
        if key and key != own and key not in wanted:
            wanted[key] = name.strip()
    existing = {a.normalised: a for a in alias_model.objects.filter(destination=destination)}
    to_add = [
        alias_model(destination=destination, name=name, normalised=key)
        for key, name in wanted.items()
        if key not in existing
    ]
    alias_model.objects.bulk_create(to_add)
    removed = 0
    if remove_missing:
        stale = [a.pk for key, a in existing.items() if key not in wanted]
        if stale:
            removed, _ = alias_model.objects.filter(pk__in=stale).delete()
    return len(to_add), removed


def countries_load(
    *, destination_model: type = Destination, alias_model: type = DestinationAlias
) -> UpsertCounts:
    """Create or refresh one country destination per ISO 3166-1 code, with English aliases.

    Takes the model classes so the data migration can pass its historical models. Idempotent:
    a second run changes nothing. Aliases curators added by hand are kept.
    """
    counts = UpsertCounts()
    existing = {
        d.country_code: d for d in destination_model.objects.filter(kind=DestinationKind.COUNTRY)
    }
    with transaction.atomic():
        for record in country_records():
            destination = existing.get(record.code)
            if destination is None:
                slug = record.slug
                if destination_model.objects.filter(slug=slug).exists():
                    slug = f"{slug}-{record.code.lower()}"
                destination = destination_model.objects.create(
                    slug=slug,
                    name=record.name,
                    kind=DestinationKind.COUNTRY,
                    country_code=record.code,
                )
                counts.created += 1
            else:
                counts.unchanged += 1
            added, _ = aliases_sync(
                destination=destination,
                names=record.aliases,
                alias_model=alias_model,
                remove_missing=False,
            )
            counts.aliases_added += added
    return counts


def destination_upsert(
    *,
    slug: str,
    name: str,
    kind: str,
    parent: Destination | None,
    country_code: str,
    latitude: Any,
    longitude: Any,
    description: str | None = None,
    aliases: Iterable[str] | None = None,
) -> tuple[Destination, str]:
    """Create or update one destination; returns it and "created", "updated" or "unchanged".

    Only writes when something differs, so re-running an import leaves rows (and their
    updated_at) untouched.
    """
    values: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "parent": parent,
        "country_code": country_code,
        "latitude": latitude,
        "longitude": longitude,
    }
    if description is not None:
        values["description"] = description
    destination = Destination.objects.filter(slug=slug).first()
    outcome = "unchanged"
    if destination is None:
        destination = Destination(slug=slug, **values)
        destination.full_clean()
        destination.save()
        outcome = "created"
    else:
        changed = [
            key for key, value in values.items() if _differs(getattr(destination, key), value)
        ]
        if changed:
            for key in changed:
                setattr(destination, key, values[key])
            destination.full_clean()
            destination.save()
            outcome = "updated"
    if aliases is not None:
        added, removed = aliases_sync(destination=destination, names=aliases)
        if (added or removed) and outcome == "unchanged":
            outcome = "updated"
    return destination, outcome


def _differs(current: Any, new: Any) -> bool:
    if current is None or new is None:
        return current is not new
    try:
        if isinstance(current, Decimal) or isinstance(new, Decimal):
            return Decimal(str(current)) != Decimal(str(new))
    except ArithmeticError:
        return True
    return current != new


def claims_changed(*, destination_ids: Iterable[int]) -> None:
    """Mark destinations as having new or changed claims, so the next reconciliation run takes
    them up. The one writer of ``claims_version``: extraction and curators' reviews both call it,
    in the same transaction that writes the claims, so the mark and the claims commit together.
    """
    ids = sorted(set(destination_ids))
    if ids:
        Destination.objects.filter(pk__in=ids).update(claims_version=F("claims_version") + 1)
