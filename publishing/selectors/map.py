"""The world map's reads: the foreign status of every country and of every place with a position."""

from __future__ import annotations

from dataclasses import dataclass

from destinations.models import Audience, CurrentStatus, DestinationKind, Status


@dataclass(frozen=True)
class MapPlace:
    name: str
    slug: str
    kind_label: str
    country_code: str
    status: str
    latitude: float | None
    longitude: float | None

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass(frozen=True)
class MapStatuses:
    countries: dict[str, MapPlace]  # by ISO 3166-1 alpha-2 code
    places: list[MapPlace]  # below country level, with a position


def map_statuses() -> MapStatuses:
    """Known foreign statuses of countries and of positioned places, in one query."""
    rows = (
        CurrentStatus.objects.filter(audience=Audience.FOREIGN)
        .exclude(status=Status.UNKNOWN)
        .select_related("destination")
        .order_by("destination__name")
    )
    countries: dict[str, MapPlace] = {}
    places: list[MapPlace] = []
    for row in rows:
        destination = row.destination
        place = MapPlace(
            name=destination.name,
            slug=destination.slug,
            kind_label=destination.get_kind_display(),
            country_code=destination.country_code,
            status=row.status,
            latitude=None if destination.latitude is None else float(destination.latitude),
            longitude=None if destination.longitude is None else float(destination.longitude),
        )
        if destination.kind == DestinationKind.COUNTRY:
            if destination.country_code:
                countries[destination.country_code] = place
        elif place.latitude is not None and place.longitude is not None:
            places.append(place)
    return MapStatuses(countries=countries, places=places)
