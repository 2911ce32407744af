"""GeoNames postal codes for Russia: the points of post offices, tied to KLADR places.

Upstream format (``RU.txt`` of 2016-06-29 with a header added): country, postal code,
place name (the post office's locality, in Russian), region, raion (upper case), three
more admin columns, latitude, longitude, accuracy (4 matched to a GeoNames place, 1 an
estimate). The extract kept in the repository (``postal_ru.tsv``) keeps only the rows
whose post office serves a KLADR place of the same name under the same postal index:
the place's own post office. Each such row names that KLADR place's code (a row serving
two namesakes under one index is kept once per namesake).

Points are not checked here: the build checks each against its region's extent (some are
a thousand kilometres off: Журавлевка of Belgorod oblast is given a point near Orenburg).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows
from toponyms.errors import InvalidInputError
from toponyms.text.normalize import fold

LICENSE = "CC-BY 4.0, GeoNames (https://www.geonames.org/)"
COLUMNS = ("kladr_code", "postal_code", "name", "lat", "lon", "accuracy")


@dataclass(frozen=True, slots=True)
class PostOffice:
    """The post office of a KLADR place, with the point GeoNames gives it."""

    kladr_code: str
    postal_code: str
    name: str
    lat: float
    lon: float
    accuracy: int


def _key(name: str) -> str:
    try:
        return fold(name)
    except InvalidInputError:
        return ""


def parse_upstream(postal_path: Path, kladr_path: Path) -> Iterator[PostOffice]:
    """Join the upstream postal file to the upstream KLADR file by index and name."""
    by_index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with kladr_path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if record["postal_index"] and record["level"] in ("3", "4"):
                by_index[record["postal_index"]].append(
                    (record["kladr_code"], _key(record["name"]))
                )
    with postal_path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not record["latitude"] or not record["longitude"]:
                continue
            name = " ".join(record["place_name"].split())
            key = _key(name)
            for code, kladr_key in by_index.get(record["postal_code"], []):
                if key and kladr_key == key:
                    yield PostOffice(
                        kladr_code=code,
                        postal_code=record["postal_code"],
                        name=name,
                        lat=round(float(record["latitude"]), 4),
                        lon=round(float(record["longitude"]), 4),
                        accuracy=int(record["accuracy"] or 0),
                    )


def write(path: Path, offices: Iterable[PostOffice], *, comments: list[str]) -> int:
    ordered = sorted(set(offices), key=lambda o: (o.kladr_code, o.postal_code, o.lat, o.lon))
    rows = ((o.kladr_code, o.postal_code, o.name, o.lat, o.lon, o.accuracy) for o in ordered)
    return write_rows(path, COLUMNS, rows, comments=comments)


def read(path: Path) -> Iterator[PostOffice]:
    for row in read_rows(path, COLUMNS):
        yield PostOffice(
            row["kladr_code"],
            row["postal_code"],
            row["name"],
            float(row["lat"]),
            float(row["lon"]),
            int(row["accuracy"] or 0),
        )
