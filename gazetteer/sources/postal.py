"""GeoNames postal codes for Ukraine: coordinates for villages the place extracts lack.

Upstream format (``UA.txt``, no header, tab-separated): country, postal code, place name in
Ukrainian (namesakes within a raion carry their village council in brackets), oblast as a
transliterated adjective, admin1 code, raion (as before the 2020 reform), three empty
columns, latitude, longitude, accuracy (4 the place itself, 3 approximate, 1 a shared
fallback point). Rows of accuracy 1 are dropped; postal codes are dropped and identical
rows merged, since only the place and its point matter here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows

LICENSE = "CC-BY 4.0, GeoNames (https://www.geonames.org/)"
COLUMNS = ("name", "council", "oblast", "admin1", "raion", "lat", "lon", "accuracy")
_BRACKET = re.compile(r"^(?P<name>.*?)\s*\((?P<council>[^)]*)\)\s*$")


@dataclass(frozen=True, slots=True)
class PostalPlace:
    """A place named in the postal extract, with its point."""

    name: str
    council: str  # the village council in brackets, for namesakes; else empty
    oblast: str
    admin1: str
    raion: str
    lat: float
    lon: float
    accuracy: int


def parse_postal_txt(path: Path) -> Iterator[PostalPlace]:
    """Read GeoNames' postal ``UA.txt``; keep rows whose point is the place (accuracy >= 3)."""
    seen: set[PostalPlace] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 12 or not cells[9] or not cells[10]:
                continue
            accuracy = int(cells[11] or 0)
            if accuracy < 3:
                continue
            raw = " ".join(cells[2].split())
            match = _BRACKET.match(raw)
            name, council = (match["name"], match["council"]) if match else (raw, "")
            place = PostalPlace(
                name=name,
                council=council.strip(),
                oblast=cells[3].strip(),
                admin1=cells[4].strip(),
                raion=cells[5].strip(),
                lat=round(float(cells[9]), 4),
                lon=round(float(cells[10]), 4),
                accuracy=accuracy,
            )
            if place not in seen:
                seen.add(place)
                yield place


def write_places(path: Path, places: Iterable[PostalPlace], *, comments: list[str]) -> int:
    ordered = sorted(
        set(places), key=lambda p: (p.admin1, p.raion, p.name, p.council, p.lat, p.lon)
    )
    rows = (
        (p.name, p.council, p.oblast, p.admin1, p.raion, p.lat, p.lon, p.accuracy) for p in ordered
    )
    return write_rows(path, COLUMNS, rows, comments=comments)


def read_places(path: Path) -> Iterator[PostalPlace]:
    for row in read_rows(path, COLUMNS):
        yield PostalPlace(
            row["name"],
            row["council"],
            row["oblast"],
            row["admin1"],
            row["raion"],
            float(row["lat"]),
            float(row["lon"]),
            int(row["accuracy"]),
        )
