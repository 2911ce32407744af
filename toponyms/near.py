"""Nearest places to a point, through the gazetteer's spatial index.

``places_rtree`` (an SQLite R*Tree written at build time and kept current by triggers, see
:mod:`gazetteer.schema`) answers "which points lie in this box" in logarithmic time. A
query starts with a small box around the point and widens it until enough places lie
within the circle the box encloses; only those candidates are measured, exactly
(haversine on a sphere of 6,371 km), and sorted. A file made before the index existed gets
a temporary one, in memory, for the life of the connection.

The library entry is :func:`nearest` (or a :class:`Nearest` kept open for many queries);
``toponyms near`` is a thin command over it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gazetteer import schema, store
from toponyms import index
from toponyms.errors import InvalidInputError
from toponyms.models import Place

EARTH_RADIUS_KM = 6371.0
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM
FIRST_RADIUS_KM = 10.0  # a village's neighbours in Ukraine lie within a few km
GROWTH = 4.0  # each widening multiplies the radius by this
MAX_LIMIT = 1000
# Kinds this rare (countries: 250; oblasts: 110) are measured one by one: the box would
# have to grow to half the world, and read every point in it, to find enough of them.
FEW_PLACES = 2000


@dataclass(frozen=True, slots=True)
class Nearby:
    """A place near the query point: the place, how far, and the units it lies in."""

    place: Place
    distance_km: float
    raion: str | None
    hromada: str | None
    country_name: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``toponyms near``: the place's fields, its chain, the distance."""
        p = self.place
        return {
            "id": p.id,
            "name": p.name,
            "name_uk": p.name_uk,
            "name_ru": p.name_ru,
            "name_en": p.name_en,
            "kind": p.kind,
            "country": p.country,
            "country_name": self.country_name,
            "admin1": p.admin1,
            "raion": self.raion,
            "hromada": self.hromada,
            "lat": p.lat,
            "lon": p.lon,
            "precision": p.precision,
            "population": p.population,
            "geonames_id": p.geonames_id,
            "katottg": p.katottg,
            "distance_km": round(self.distance_km, 3),
        }


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def boxes(lat: float, lon: float, km: float) -> list[tuple[float, float, float, float]]:
    """Boxes ``(min_lat, max_lat, min_lon, max_lon)`` that together hold every point within
    ``km`` of ``(lat, lon)``: one, or two where the circle crosses the antimeridian.

    The longitude half-width is the exact one of a spherical cap, asin(sin d / cos lat)
    (a plain d / cos lat is a little too narrow); a cap over a pole takes every longitude.
    """
    angle = km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    lo_lat, hi_lat = lat - dlat, lat + dlat
    if angle >= math.pi / 2 or hi_lat >= 90 or lo_lat <= -90:
        return [(max(lo_lat, -90.0), min(hi_lat, 90.0), -180.0, 180.0)]
    dlon = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    dlon += 1e-9
    if dlon >= 180:
        return [(lo_lat, hi_lat, -180.0, 180.0)]
    lo_lon, hi_lon = lon - dlon, lon + dlon
    if lo_lon < -180:
        return [(lo_lat, hi_lat, lo_lon + 360, 180.0), (lo_lat, hi_lat, -180.0, hi_lon)]
    if hi_lon > 180:
        return [(lo_lat, hi_lat, lo_lon, 180.0), (lo_lat, hi_lat, -180.0, hi_lon - 360)]
    return [(lo_lat, hi_lat, lo_lon, hi_lon)]


def check_kinds(kind: str | Iterable[str] | None) -> tuple[str, ...]:
    """Kinds from ``"city,village"`` or a list, each checked against the schema's."""
    if kind is None:
        return ()
    items = kind.split(",") if isinstance(kind, str) else list(kind)
    kinds = tuple(k.strip().lower() for k in items if k.strip())
    unknown = [k for k in kinds if k not in schema.KINDS]
    if unknown:
        raise InvalidInputError(
            f"unknown kind {unknown[0]!r}: use one of {', '.join(schema.KINDS)}"
        )
    return kinds


_COLUMNS = (
    "p.id, p.kind, p.country, p.name_uk, p.name_ru, p.name_en, p.admin1_id, p.parent_id,"
    " p.lat, p.lon, p.precision, p.population, p.geonames_id, p.katottg, p.status,"
    " p.raion_id, p.hromada_id"
)


class Nearest:
    """An open gazetteer for nearest-place queries (``Nearest(db=path)``; ``None`` is
    ``$TOPONYMS_DB`` or the default gazetteer). Closes with :meth:`close` or ``with``."""

    def __init__(self, db: str | os.PathLike[str] | None = None) -> None:
        path, _ = store.resolve_path(db)
        self.path = path
        self._conn = store.connect(path, readonly=True)
        self._countries: dict[str, str | None] | None = None
        self._counts: dict[tuple[str, ...], int] = {}
        if not schema.has_rtree(self._conn):
            self._temporary_index()

    def _temporary_index(self) -> None:
        """An R*Tree in the connection's temporary schema, for a file without one."""
        self._conn.execute(
            "CREATE VIRTUAL TABLE temp.places_rtree USING rtree(id, min_lat, max_lat,"
            " min_lon, max_lon)"
        )
        self._conn.execute(
            "INSERT INTO temp.places_rtree SELECT rowid, lat, lat, lon, lon FROM main.places"
            " WHERE lat IS NOT NULL AND lon IS NOT NULL"
        )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Nearest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _count(self, kinds: tuple[str, ...]) -> int:
        """How many places have these kinds (read from the kind index, and remembered)."""
        if kinds not in self._counts:
            self._counts[kinds] = self._conn.execute(
                f"SELECT COUNT(*) FROM places WHERE kind IN ({','.join('?' * len(kinds))})", kinds
            ).fetchone()[0]
        return self._counts[kinds]

    def _candidates(
        self, point: tuple[float, float], km: float, kinds: tuple[str, ...], *, scan: bool = False
    ) -> list[tuple[float, tuple[Any, ...]]]:
        """(distance, row) of every active place of ``kinds`` within ``km`` of ``point``:
        the places in the boxes around it or, with ``scan``, every place of ``kinds``."""
        kind_sql = f" AND p.kind IN ({','.join('?' * len(kinds))})" if kinds else ""
        found: dict[str, tuple[float, tuple[Any, ...]]] = {}
        queries: list[tuple[str, tuple[Any, ...]]]
        if scan:
            queries = [
                (
                    f"SELECT {_COLUMNS} FROM places p WHERE p.status = 'active'"
                    f" AND p.lat IS NOT NULL{kind_sql}",
                    kinds,
                )
            ]
        else:
            queries = [
                (
                    f"SELECT {_COLUMNS} FROM places_rtree t JOIN places p ON p.rowid = t.id"
                    # Overlap, not containment: stored boxes are rounded outwards to floats.
                    " WHERE t.max_lat >= ? AND t.min_lat <= ? AND t.max_lon >= ?"
                    " AND t.min_lon <= ?"
                    f" AND p.status = 'active' AND p.lat IS NOT NULL{kind_sql}",
                    (*box, *kinds),
                )
                for box in boxes(*point, km)
            ]
        for sql, params in queries:
            rows = self._conn.execute(sql, params)
            for row in rows:
                distance = haversine_km(point, (row[8], row[9]))
                if distance <= km:
                    found[row[0]] = (distance, row)
        return list(found.values())

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        limit: int = 10,
        kind: str | Iterable[str] | None = None,
    ) -> list[Nearby]:
        """The ``limit`` active places nearest to ``(lat, lon)``, nearest first.

        ``kind`` keeps only places of these kinds (``"city"``, ``"city,village"`` or a
        list). Ties in distance go by id, so the order is stable. Raises
        :class:`~toponyms.errors.InvalidCoordinatesError` for a point out of range and
        :class:`~toponyms.errors.InvalidInputError` for a bad ``limit`` or kind.
        """
        from toponyms.match import parse_point

        point = parse_point((lat, lon))
        assert point is not None
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInputError(f"limit must be 1..{MAX_LIMIT}, not {limit}")
        kinds = check_kinds(kind)
        if kinds and self._count(kinds) <= FEW_PLACES:
            found = self._candidates(point, HALF_CIRCUMFERENCE_KM, kinds, scan=True)
            found.sort(key=lambda item: (item[0], item[1][0]))
            return [self._nearby(distance, row) for distance, row in found[:limit]]
        km = FIRST_RADIUS_KM
        while True:
            found = self._candidates(point, km, kinds)
            if len(found) >= limit or km >= HALF_CIRCUMFERENCE_KM:
                break
            km = min(km * GROWTH, HALF_CIRCUMFERENCE_KM)
        found.sort(key=lambda item: (item[0], item[1][0]))
        return [self._nearby(distance, row) for distance, row in found[:limit]]

    def _name(self, place_id: str | None) -> str | None:
        if place_id is None:
            return None
        row = self._conn.execute(
            "SELECT name_en, name_uk, name_ru FROM places WHERE id = ?", (place_id,)
        ).fetchone()
        return None if row is None else (row[0] or row[1] or row[2])

    def _country_name(self, code: str) -> str | None:
        if self._countries is None:  # 250 rows, read once
            self._countries = {}
            for country, *names in self._conn.execute(
                "SELECT country, name_en, name_uk, name_ru FROM places WHERE kind = 'country'"
                " ORDER BY status = 'active', id"
            ):
                self._countries[country] = next((n for n in names if n), None)
        return self._countries.get(code)

    def _nearby(self, distance: float, row: tuple[Any, ...]) -> Nearby:
        place = index.place_of_row(row, self._name(row[6]))
        return Nearby(
            place=place,
            distance_km=distance,
            raion=self._name(row[15]),
            hromada=self._name(row[16]),
            country_name=self._country_name(row[2]),
        )


def nearest(
    lat: float,
    lon: float,
    *,
    limit: int = 10,
    kind: str | Iterable[str] | None = None,
    db: str | os.PathLike[str] | None = None,
) -> list[Nearby]:
    """The ``limit`` places nearest to ``(lat, lon)`` in gazetteer ``db``, nearest first
    (see :meth:`Nearest.nearest`; keep a :class:`Nearest` open for many queries)."""
    with Nearest(db) as index:
        return index.nearest(lat, lon, limit=limit, kind=kind)
