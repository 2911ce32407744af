"""Who's On First localities of Ukraine: points for villages the GeoNames extract lacks.

Who's On First imports nearly all of GeoNames' Ukrainian populated places (about 34,000,
six times cities500), each with the old (pre-2020) raion it lies in (``county_name``, a
romanised adjective: ``Derazhnianskyi``). Most names are GeoNames romanisations, often
Russian-style (``Krasnoarmeyskoye``), so a record is matched to a KATOTTG settlement by
romanisation-invariant keys of its names against the settlement's Ukrainian and Russian
names, within the same oblast and old raion (:mod:`gazetteer.coordinates`).

The extract ``wof_ua.tsv`` keeps one row a locality with an oblast and an old raion:
GeoNames id, KOATUU oblast code, old raion (romanised), the names (main, Ukrainian,
Russian and their variants, ``|``-joined, duplicates dropped) and the point.

Upstream format: ``wof_ua_localities.tsv`` (columns named in its header).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows

LICENSE = "Who's On First (https://whosonfirst.org/docs/licenses/), from GeoNames (CC-BY 4.0)"
COLUMNS = ("geonames_id", "oblast", "county", "names", "lat", "lon")
_NAME_COLUMNS = ("name", "name_uk", "name_ru", "variants_uk", "variants_ru")


@dataclass(frozen=True, slots=True)
class Locality:
    """A WOF locality: its names, its old raion and its point."""

    geonames_id: int
    oblast: str  # KOATUU oblast code (two digits)
    county: str  # the old raion, romanised (Derazhnianskyi)
    names: tuple[str, ...]
    lat: float
    lon: float


def parse(path: Path) -> Iterator[Locality]:
    """Read the upstream table; localities without an oblast, old raion or point are left
    out (they cannot be checked against a settlement's)."""
    for row in read_rows(path):
        if not row["koatuu_oblast"] or not row["county_name"] or not row["lat"]:
            continue
        names: list[str] = []
        for column in _NAME_COLUMNS:
            for name in row[column].split("|"):
                name = " ".join(name.split())
                if name and name not in names:
                    names.append(name)
        yield Locality(
            int(row["geonames_id"] or 0),
            row["koatuu_oblast"],
            row["county_name"].strip(),
            tuple(names),
            round(float(row["lat"]), 5),
            round(float(row["lon"]), 5),
        )


def write(path: Path, rows: Iterable[Locality], *, comments: list[str]) -> int:
    ordered = sorted(set(rows), key=lambda r: (r.oblast, r.county, r.names, r.lat, r.lon))
    return write_rows(
        path,
        COLUMNS,
        ((r.geonames_id, r.oblast, r.county, "|".join(r.names), r.lat, r.lon) for r in ordered),
        comments=comments,
    )


def read(path: Path) -> Iterator[Locality]:
    for row in read_rows(path, COLUMNS):
        yield Locality(
            int(row["geonames_id"]),
            row["oblast"],
            row["county"],
            tuple(row["names"].split("|")),
            float(row["lat"]),
            float(row["lon"]),
        )
