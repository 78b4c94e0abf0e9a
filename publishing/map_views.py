"""The world map page: every country filled with its status for foreign visitors, places with a
position as markers, and a table saying the same in words."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from publishing.caching import status_page
from publishing.selectors.map import MapPlace, map_statuses
from publishing.world_map import HEIGHT, WIDTH, countries, project

MARKER_RADIUS = 7


class MapParams(forms.Form):
    """The map reads no parameters: one page for everyone."""


@dataclass(frozen=True)
class DrawnCountry:
    code: str
    name: str
    path: str
    status: str
    title: str
    place: MapPlace | None


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    place: MapPlace


def _drawn_countries(known: dict[str, MapPlace]) -> list[DrawnCountry]:
    drawn = []
    for country in countries():
        place = known.get(country.code) if country.code else None
        name = place.name if place else country.name
        status = place.status if place else "unknown"
        label = place.status_label if place else "no status known"
        drawn.append(
            DrawnCountry(country.code, name, country.path, status, f"{name}: {label}", place)
        )
    return drawn


@status_page(params=MapParams)
def world_map(request: HttpRequest) -> HttpResponse:
    statuses = map_statuses()
    markers = []
    for place in statuses.places:
        x, y = project(place.latitude, place.longitude)
        markers.append(Marker(round(x, 1), round(y, 1), place))
    context = {
        "width": WIDTH,
        "height": HEIGHT,
        "countries": _drawn_countries(statuses.countries),
        "markers": markers,
        "marker_radius": MARKER_RADIUS,
        "listed": sorted(statuses.countries.values(), key=lambda p: p.name),
        "places": statuses.places,
        "generated_at": timezone.now(),
    }
    return render(request, "destinations/map.html", context)
