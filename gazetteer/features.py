"""Curated places that are not administrative units: regions people name (Donbas,
Приазов'я, Слобожанщина, Transnistria, the Crimean peninsula) and the features war news
names (Snake Island, the Kinburn Spit, Azovstal, the Zaporizhzhia and Chornobyl nuclear
plants, the Kakhovka dam, the Crimean and Antonivskyi bridges).

Two files in ``gazetteer/data`` (see its README): ``features.tsv``, one row a place
(``id`` ``curated:<slug>``, ``kind`` — ``region``, ``island``, ``spit``, ``plant``,
``dam``, ``bridge`` —, ``country``, ``parent`` as an ISO 3166-1 or 3166-2 code, point,
population where a census gives one, names in Ukrainian, Russian and English, source),
and ``feature_names.tsv``, their other names (``id, name, lang, type, source``). A
region's point is an approximate centre (precision ``centroid``); a feature's is the
point its source gives (``curated``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gazetteer import curated, schema
from toponyms.errors import GazetteerError

if TYPE_CHECKING:
    from gazetteer.build import Builder

FEATURE_KINDS = ("region", "island", "spit", "plant", "dam", "bridge")


@dataclass(frozen=True, slots=True)
class Feature:
    """One curated place of :data:`FEATURE_KINDS`."""

    id: str
    kind: str
    country: str
    parent: str  # ISO 3166-2 code of its oblast, or ISO 3166-1 code of its country
    lat: float
    lon: float
    population: int | None
    name_uk: str
    name_ru: str
    name_en: str
    source: str


@dataclass(frozen=True, slots=True)
class FeatureName:
    """Another name of a curated place."""

    id: str
    name: str
    lang: str
    type: str
    source: str


def read_features(data_dir: Path) -> Iterator[Feature]:
    table = curated.FILES["features.tsv"].read(data_dir)
    for row in table:
        if not row["id"].startswith("curated:") or row["kind"] not in FEATURE_KINDS:
            raise table.error(row, f"bad id or kind in {row['id']!r}")
        yield Feature(
            id=row["id"],
            kind=row["kind"],
            country=row["country"],
            parent=row["parent"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population=int(row["population"]) if row["population"] else None,
            name_uk=row["name_uk"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            source=row["source"],
        )


def read_feature_names(data_dir: Path) -> Iterator[FeatureName]:
    table = curated.FILES["feature_names.tsv"].read(data_dir)
    for row in table:
        if row["type"] not in schema.NAME_TYPES:
            raise table.error(row, f"unknown type {row['type']!r}")
        yield FeatureName(row["id"], row["name"], row["lang"], row["type"], row["source"])


def add_features(builder: Builder) -> None:
    """Add every curated region and feature, under its oblast or country."""
    from gazetteer.build import Place

    countries = {p.iso_code: p for p in builder.places.values() if p.kind == "country"}
    added: dict[str, Place] = {}
    skipped: list[str] = []
    for feature in read_features(builder.data_dir):
        oblast = builder.admin1_by_iso.get(feature.parent)
        parent = oblast or countries.get(feature.parent)
        if parent is None:  # a build from partial sources (tests) may lack the country
            skipped.append(feature.id)
            continue
        place = builder._add(
            Place(
                id=feature.id,
                kind=feature.kind,
                country=feature.country,
                name_uk=feature.name_uk,
                name_ru=feature.name_ru,
                name_en=feature.name_en,
                parent_id=parent.id,
                admin1_id=oblast.id if oblast is not None else None,
                lat=feature.lat,
                lon=feature.lon,
                population=feature.population,
                precision="centroid" if feature.kind == "region" else "curated",
            )
        )
        for name, lang in (
            (feature.name_uk, "uk"),
            (feature.name_ru, "ru"),
            (feature.name_en, "en"),
        ):
            place.add_name(name, lang, "official", feature.source)
        added[feature.id] = place
    for entry in read_feature_names(builder.data_dir):
        target = added.get(entry.id)
        if target is None:
            if entry.id not in skipped:
                raise GazetteerError(f"feature_names.tsv: {entry.id} is not in features.tsv")
            continue
        target.add_name(entry.name, entry.lang, entry.type, entry.source)
    builder.stats["curated_features"] = len(added)
    if skipped:
        previous = builder.stats.get("curated_unresolved")
        builder.stats["curated_unresolved"] = [
            *(previous if isinstance(previous, list) else []),
            *(f"features: {feature_id} (no parent place)" for feature_id in skipped),
        ]
