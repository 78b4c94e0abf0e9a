"""Reading a destinations JSON file: every problem reported by line, before anything is written."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction

from destinations.models import Destination, DestinationKind
from destinations.services import UpsertCounts, destination_upsert

_SLUG = re.compile(r"^[-a-z0-9_]+$")
_KNOWN_KEYS = {
    "slug",
    "name",
    "kind",
    "parent",
    "country_code",
    "aliases",
    "latitude",
    "longitude",
    "description",
}


class ImportFileError(Exception):
    """The file cannot be imported; `problems` lists each one with its line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Entry:
    line: int
    slug: str
    name: str
    kind: str
    parent_ref: str
    country_code: str
    aliases: list[str] | None
    latitude: Decimal | None
    longitude: Decimal | None
    description: str | None
    problems: list[str] = field(default_factory=list)


def parse_entries(text: str) -> list[tuple[int, Any]]:
    """Split a top-level JSON array into (line number, raw object) pairs."""
    decoder = json.JSONDecoder()
    try:
        position = _skip_space(text, 0)
        if position >= len(text) or text[position] != "[":
            raise ImportFileError(
                [f"line {_line(text, position)}: expected a JSON list of objects"]
            )
        position = _skip_space(text, position + 1)
        items: list[tuple[int, Any]] = []
        if position < len(text) and text[position] == "]":
            return items
        while True:
            obj, end = decoder.raw_decode(text, position)
            items.append((_line(text, position), obj))
            position = _skip_space(text, end)
            if position < len(text) and text[position] == ",":
                position = _skip_space(text, position + 1)
                continue
            if position < len(text) and text[position] == "]":
                break
            raise ImportFileError(
                [f"line {_line(text, position)}: expected ',' or ']' after an entry"]
            )
    except json.JSONDecodeError as error:
        raise ImportFileError([f"line {error.lineno}: invalid JSON: {error.msg}"]) from error
    if _skip_space(text, position + 1) < len(text):
        raise ImportFileError([f"line {_line(text, position + 1)}: unexpected text after the list"])
    return items


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _coordinate(raw: Any, label: str, limit: int, problems: list[str]) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        problems.append(f"{label} must be a number")
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        problems.append(f"{label} must be a number, got {raw!r}")
        return None
    if not value.is_finite() or not -limit <= value <= limit:
        problems.append(f"{label} must be between -{limit} and {limit}, got {raw}")
        return None
    return value.quantize(Decimal("0.00001"))


def _string(obj: dict, key: str, problems: list[str], required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            problems.append(f'"{key}" is required')
        return ""
    if not isinstance(value, str):
        problems.append(f'"{key}" must be a string')
        return ""
    value = value.strip()
    if required and not value:
        problems.append(f'"{key}" must not be empty')
    return value


def validate_entry(line: int, obj: Any) -> Entry:
    """Check one raw object's shape and values (references are checked later, with the file)."""
    problems: list[str] = []
    if not isinstance(obj, dict):
        return Entry(line, "", "", "", "", "", None, None, None, None, ["entry must be an object"])
    unknown = sorted(set(obj) - _KNOWN_KEYS)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    slug = _string(obj, "slug", problems, required=True)
    if slug and (not _SLUG.match(slug) or len(slug) > 120):
        problems.append(f'"slug" {slug!r} must be lower-case letters, digits and hyphens')
    name = _string(obj, "name", problems, required=True)
    if len(name) > 200:
        problems.append('"name" is longer than 200 characters')
    kind = _string(obj, "kind", problems, required=True)
    if kind and kind not in DestinationKind.values:
        problems.append(f'"kind" {kind!r} is not one of {", ".join(DestinationKind.values)}')
    country_code = _string(obj, "country_code", problems).upper()
    if country_code and pycountry.countries.get(alpha_2=country_code) is None:
        problems.append(f'"country_code" {country_code!r} is not an ISO 3166-1 alpha-2 code')
    parent_ref = _string(obj, "parent", problems)
    aliases = obj.get("aliases")
    if aliases is not None and (
        not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases)
    ):
        problems.append('"aliases" must be a list of non-empty strings')
        aliases = None
    description = obj.get("description")
    if description is not None and not isinstance(description, str):
        problems.append('"description" must be a string')
        description = None
    latitude = _coordinate(obj.get("latitude"), '"latitude"', 90, problems)
    longitude = _coordinate(obj.get("longitude"), '"longitude"', 180, problems)
    return Entry(
        line,
        slug,
        name,
        kind,
        parent_ref,
        country_code,
        aliases,
        latitude,
        longitude,
        description,
        problems,
    )


def destinations_import(*, text: str) -> UpsertCounts:
    """Validate the whole file, then create or update every destination in one transaction.

    Raises ImportFileError listing every problem (with its line) and writes nothing if any entry
    is invalid. Parents may be slugs (in the file or the database) or ISO country codes.
    """
    entries = [validate_entry(line, obj) for line, obj in parse_entries(text)]
    by_slug: dict[str, Entry] = {}
    for entry in entries:
        if entry.slug in by_slug:
            entry.problems.append(
                f"slug {entry.slug!r} already appears on line {by_slug[entry.slug].line}"
            )
        elif entry.slug:
            by_slug[entry.slug] = entry
    known_slugs = set(
        Destination.objects.filter(
            slug__in=[e.parent_ref for e in entries if e.parent_ref]
        ).values_list("slug", flat=True)
    )
    country_slugs = dict(
        Destination.objects.filter(kind=DestinationKind.COUNTRY).values_list("country_code", "slug")
    )
    project_slug = _countries_known_by_code(entries, country_slugs)
    parents: dict[str, str] = {}
    for entry in entries:
        ref = entry.parent_ref
        if not ref:
            continue
        if ref in by_slug or ref in known_slugs:
            parents[entry.slug] = project_slug.get(ref, ref)
        elif ref.upper() in country_slugs:
            parents[entry.slug] = country_slugs[ref.upper()]
        else:
            entry.problems.append(f'"parent" {ref!r} is neither a known slug nor a country code')
        if parents.get(entry.slug) == entry.slug:
            entry.problems.append("a destination cannot be its own parent")
    _check_cycles(entries, parents)
    problems = [f"line {e.line}: {p}" for e in entries for p in e.problems]
    if problems:
        raise ImportFileError(problems)

    counts = UpsertCounts()
    with transaction.atomic():
        for entry in _parents_first(entries, parents):
            parent = None
            if entry.slug in parents:
                parent = Destination.objects.get(slug=parents[entry.slug])
            country_code = entry.country_code or (parent.country_code if parent else "")
            try:
                _, outcome = destination_upsert(
                    slug=project_slug.get(entry.slug, entry.slug),
                    name=entry.name,
                    kind=entry.kind,
                    parent=parent,
                    country_code=country_code,
                    latitude=entry.latitude,
                    longitude=entry.longitude,
                    description=entry.description,
                    aliases=entry.aliases,
                )
            except ValidationError as error:  # a rule only the database knows; nothing is kept
                raise ImportFileError(
                    [f"line {entry.line}: {message}" for message in error.messages]
                ) from None
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            counts.slugs.append(project_slug.get(entry.slug, entry.slug))
    return counts


def _countries_known_by_code(entries: list[Entry], country_slugs: dict[str, str]) -> dict[str, str]:
    """File slug -> the project's slug, for each country the file names under another slug.

    A country is its ISO code: a file calling PS "palestinian-territories" updates the country
    the project already has (its name, aliases, coordinates), keeps that country's slug (its
    pages and feeds keep their addresses), and its other entries may still use the file's slug
    as a parent. Two entries for one country code are a problem in the file.
    """
    project_slug: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for entry in entries:
        if entry.kind != DestinationKind.COUNTRY or not entry.country_code:
            continue
        code = entry.country_code
        if code in first_line:
            entry.problems.append(f"country {code} already appears on line {first_line[code]}")
            continue
        first_line[code] = entry.line
        known = country_slugs.get(code)
        if known and known != entry.slug:
            project_slug[entry.slug] = known
    return project_slug


def _check_cycles(entries: list[Entry], parents: dict[str, str]) -> None:
    for entry in entries:
        seen = {entry.slug}
        current = parents.get(entry.slug)
        while current is not None:
            if current in seen:
                entry.problems.append("parent chain loops back to this destination")
                break
            seen.add(current)
            current = parents.get(current)


def _parents_first(entries: list[Entry], parents: dict[str, str]) -> list[Entry]:
    in_file = {e.slug: e for e in entries}
    ordered: list[Entry] = []
    done: set[str] = set()

    def visit(entry: Entry) -> None:
        if entry.slug in done:
            return
        parent_slug = parents.get(entry.slug)
        if parent_slug in in_file:
            visit(in_file[parent_slug])
        done.add(entry.slug)
        ordered.append(entry)

    for entry in entries:
        visit(entry)
    return ordered
