"""Points on the sphere for the build: distances, medians and extents that know the 180°
meridian.

A region that straddles the antimeridian (Chukotka, whose places lie at 170°E and at
-175°) has longitudes of both signs; their plain median, or a box from the least to the
greatest, lands half a world away. Here longitudes are first put on whichever of the two
windows, -180..180 or 0..360, spans them narrower.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Point = tuple[float, float]


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def _wrap(lon: float) -> float:
    """A longitude back into -180..180."""
    return (lon + 180.0) % 360.0 - 180.0 if lon > 180.0 else lon


def _unwrapped(lons: Sequence[float]) -> list[float]:
    """The longitudes on the window (-180..180 or 0..360) that spans them narrower."""
    shifted = [lon + 360.0 if lon < 0 else lon for lon in lons]
    if max(shifted) - min(shifted) < max(lons) - min(lons):
        return shifted
    return list(lons)


def median_point(points: Iterable[Point]) -> Point:
    """The per-coordinate median of ``points``, across the antimeridian too."""
    pts = list(points)
    if not pts:
        raise ValueError("median_point: no points")
    lat = statistics.median(p[0] for p in pts)
    lon = statistics.median(_unwrapped([p[1] for p in pts]))
    return lat, _wrap(lon)


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude-longitude box; ``east`` may exceed 180 for a box across the antimeridian."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, point: Point) -> bool:
        lat, lon = point
        if not self.south <= lat <= self.north:
            return False
        return any(self.west <= candidate <= self.east for candidate in (lon, lon + 360.0))


def box_of(points: Iterable[Point], *, margin: float = 0.0) -> Box | None:
    """The smallest box (with ``margin`` degrees around) holding ``points``; ``None`` for none."""
    pts = list(points)
    if not pts:
        return None
    lons = _unwrapped([p[1] for p in pts])
    lats = [p[0] for p in pts]
    return Box(
        south=min(lats) - margin,
        west=min(lons) - margin,
        north=max(lats) + margin,
        east=max(lons) + margin,
    )
