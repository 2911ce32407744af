"""The curated data files kept in ``gazetteer/data``: renamings, exonyms, region forms,
the admin-1 crosswalk and the patterns of region names.

Each file is TSV with its source named on every row (or in its header comment); see
``gazetteer/data/README.md``. Readers here only parse and validate; the build decides
what the rows mean for the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Renaming:
    """Another name of a place: a former official name, an occupation name, a historical one."""

    country: str
    current_uk: str
    oblast_uk: str
    raion_uk: str
    kind: str
    name: str
    lang: str
    type: str
    valid_from: str
    valid_to: str
    authority: str
    source: str
    katottg_has: str  # "old" when the codifier edition still carries the old name


@dataclass(frozen=True, slots=True)
class Exonym:
    """A foreign name of a place (Lemberg, Kijów, Moskau)."""

    country: str
    current_uk: str
    oblast_uk: str
    kind: str
    name: str
    lang: str
    source: str


@dataclass(frozen=True, slots=True)
class RegionForm:
    """A form people write for a first-level region (Херсонщина, obwód chersoński)."""

    country: str
    region_uk: str
    iso: str
    name: str
    lang: str
    type: str
    source: str


@dataclass(frozen=True, slots=True)
class Admin1Link:
    """One first-level region as each source codes it."""

    country: str
    geonames_admin1: str
    iso: str
    katottg: str
    name_en: str
    stem_en: str


@dataclass(frozen=True, slots=True)
class Pattern:
    """A template for the names of an oblast or a raion, e.g. ``{stem} Oblast``."""

    applies_to: str  # oblast | raion
    lang: str
    pattern: str
    source: str


def _path(name: str, data_dir: Path | None) -> Path:
    return (data_dir or DATA_DIR) / name


def read_renamings(data_dir: Path | None = None) -> Iterator[Renaming]:
    path = _path("renamings.tsv", data_dir)
    if not path.exists():
        return
    for row in read_rows(path):
        yield Renaming(
            country=row.get("country") or "UA",
            current_uk=row["current_uk"].strip(),
            oblast_uk=row["oblast_uk"].strip(),
            raion_uk=row.get("raion_uk", "").strip(),
            kind=row["kind"].strip(),
            name=row["name"].strip(),
            lang=row["lang"].strip(),
            type=row["type"].strip(),
            valid_from=row.get("valid_from", "").strip(),
            valid_to=row.get("valid_to", "").strip(),
            authority=row.get("authority", "").strip(),
            source=row["source"].strip(),
            katottg_has=row.get("katottg_has", "").strip() or "new",
        )


def read_exonyms(data_dir: Path | None = None) -> Iterator[Exonym]:
    path = _path("exonyms.tsv", data_dir)
    if not path.exists():
        return
    for row in read_rows(path):
        yield Exonym(
            country=row["country"].strip(),
            current_uk=row["current_uk"].strip(),
            oblast_uk=row.get("oblast_uk", "").strip(),
            kind=row.get("kind", "").strip(),
            name=row["name"].strip(),
            lang=row["lang"].strip(),
            source=row["source"].strip(),
        )


def read_region_forms(data_dir: Path | None = None) -> Iterator[RegionForm]:
    path = _path("region_forms.tsv", data_dir)
    if not path.exists():
        return
    for row in read_rows(path):
        yield RegionForm(
            country=row["country"].strip(),
            region_uk=row["region_uk"].strip(),
            iso=row["iso"].strip(),
            name=row["name"].strip(),
            lang=row["lang"].strip(),
            type=row["type"].strip(),
            source=row["source"].strip(),
        )


def read_admin1_links(data_dir: Path | None = None) -> Iterator[Admin1Link]:
    for row in read_rows(_path("admin1_crosswalk.tsv", data_dir)):
        yield Admin1Link(
            country=row["country"],
            geonames_admin1=row["geonames_admin1"],
            iso=row["iso"],
            katottg=row["katottg"],
            name_en=row["name_en"],
            stem_en=row["stem_en"],
        )


def read_patterns(data_dir: Path | None = None) -> Iterator[Pattern]:
    for row in read_rows(_path("region_patterns.tsv", data_dir)):
        yield Pattern(row["applies_to"], row["lang"], row["pattern"], row["source"])


@dataclass(frozen=True, slots=True)
class LandEnding:
    """How a land's name is formed from its adjective: ``ський`` → ``щина``."""

    lang: str
    adjective: str  # ending of the oblast's or raion's adjective (Нікопольський)
    land: str  # ending that replaces it in the land's name (Нікопольщина)


def read_land_endings(data_dir: Path | None = None) -> Iterator[LandEnding]:
    for row in read_rows(_path("land_endings.tsv", data_dir)):
        yield LandEnding(row["lang"], row["adjective"], row["land"])


@dataclass(frozen=True, slots=True)
class CountryName:
    """A short, everyday name of a country (Росія, Russland, UK)."""

    iso: str
    name: str
    lang: str
    source: str


def read_country_names(data_dir: Path | None = None) -> Iterator[CountryName]:
    path = _path("country_names.tsv", data_dir)
    if not path.exists():
        return
    for row in read_rows(path):
        yield CountryName(row["iso"], row["name"].strip(), row["lang"], row["source"])
