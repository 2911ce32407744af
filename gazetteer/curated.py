"""The curated data files kept in ``gazetteer/data``: renamings, exonyms, region forms,
the admin-1 crosswalk and the patterns of region names.

Each file is TSV with its source named on every row (or in its header comment); see
``gazetteer/data/README.md``. Readers here only parse and validate; the build decides
what the rows mean for the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from toponyms.text.datafile import Examples, Row, TsvFile

DATA_DIR = Path(__file__).parent / "data"


def _file(name: str, *columns: str, examples: Examples | None = None) -> TsvFile:
    return TsvFile("gazetteer", f"data/{name}", columns, examples)


#: Every curated file of ``gazetteer/data``, by name, with the columns its header names
#: (the readers here and in features, ukraine, russia and russian read through these).
FILES: dict[str, TsvFile] = {
    file.name.removeprefix("data/"): file
    for file in (
        _file(
            "admin1_crosswalk.tsv",
            *("country", "geonames_admin1", "iso", "katottg", "name_en", "stem_en"),
        ),
        _file("country_names.tsv", "iso", "name", "lang", "source"),
        _file(
            "exonyms.tsv", "country", "current_uk", "oblast_uk", "kind", "name", "lang", "source"
        ),
        _file("feature_names.tsv", "id", "name", "lang", "type", "source"),
        _file(
            "features.tsv",
            *("id", "kind", "country", "parent", "lat", "lon", "population"),
            *("name_uk", "name_ru", "name_en", "source"),
        ),
        _file("hromada_forms.tsv", "lang", "pattern", "centre_kinds", "source"),
        _file("kladr_regions.tsv", "kladr_region", "iso"),
        _file(
            "land_endings.tsv",
            *("lang", "adjective", "land", "example"),
            examples=Examples(column="example"),
        ),
        _file(
            "occupation_units.tsv",
            *("old_raion_uk", "oblast_uk", "name", "lang", "type", "authority", "source"),
        ),
        _file("region_forms.tsv", "country", "region_uk", "iso", "name", "lang", "type", "source"),
        _file("region_patterns.tsv", "applies_to", "lang", "pattern", "source"),
        _file(
            "renamings.tsv",
            *("current_uk", "oblast_uk", "raion_uk", "kind", "name", "lang", "type"),
            *("valid_from", "valid_to", "authority", "source", "katottg_has", "country"),
        ),
        _file(
            "ru_spellings.tsv",
            *("rule", "pattern", "replacement", "official", "press", "source"),
            examples=Examples(given="official", expected="press"),
        ),
    )
}


def _path(name: str, data_dir: Path | None) -> Path:
    return (data_dir or DATA_DIR) / name


def read(name: str, data_dir: Path | None = None) -> tuple[Row, ...]:
    """The rows of the curated file ``name``: the packaged one, or the one in ``data_dir``
    (a build from another data folder), checked against its declared columns."""
    return FILES[name].read(data_dir).rows


def exists(name: str, data_dir: Path | None) -> bool:
    """Whether ``data_dir`` (default: the packaged folder) holds the curated file ``name``."""
    return _path(name, data_dir).exists()


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


def read_renamings(data_dir: Path | None = None) -> Iterator[Renaming]:
    if not exists("renamings.tsv", data_dir):
        return
    for row in read("renamings.tsv", data_dir):
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
    if not exists("exonyms.tsv", data_dir):
        return
    for row in read("exonyms.tsv", data_dir):
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
    if not exists("region_forms.tsv", data_dir):
        return
    for row in read("region_forms.tsv", data_dir):
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
    for row in read("admin1_crosswalk.tsv", data_dir):
        yield Admin1Link(
            country=row["country"],
            geonames_admin1=row["geonames_admin1"],
            iso=row["iso"],
            katottg=row["katottg"],
            name_en=row["name_en"],
            stem_en=row["stem_en"],
        )


def read_patterns(data_dir: Path | None = None) -> Iterator[Pattern]:
    for row in read("region_patterns.tsv", data_dir):
        yield Pattern(row["applies_to"], row["lang"], row["pattern"], row["source"])


@dataclass(frozen=True, slots=True)
class LandEnding:
    """How a land's name is formed from its adjective: ``ський`` → ``щина``."""

    lang: str
    adjective: str  # ending of the oblast's or raion's adjective (Нікопольський)
    land: str  # ending that replaces it in the land's name (Нікопольщина)


def read_land_endings(data_dir: Path | None = None) -> Iterator[LandEnding]:
    for row in read("land_endings.tsv", data_dir):
        yield LandEnding(row["lang"], row["adjective"], row["land"])


def land_name(adjective: str, endings: Iterable[LandEnding]) -> str | None:
    """The land's name formed from ``adjective`` (Запорізька → Запоріжчина) by the first of
    ``endings`` (give them longest first) that it ends in, leaving a stem of more than two
    letters; ``None`` when none fits."""
    for ending in endings:
        if adjective.endswith(ending.adjective) and len(adjective) > len(ending.adjective) + 2:
            return adjective[: -len(ending.adjective)] + ending.land
    return None


@dataclass(frozen=True, slots=True)
class CountryName:
    """A short, everyday name of a country (Росія, Russland, UK)."""

    iso: str
    name: str
    lang: str
    source: str


def read_country_names(data_dir: Path | None = None) -> Iterator[CountryName]:
    if not exists("country_names.tsv", data_dir):
        return
    for row in read("country_names.tsv", data_dir):
        yield CountryName(row["iso"], row["name"].strip(), row["lang"], row["source"])
