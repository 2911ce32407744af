"""Curated regions that are not administrative units and the features war news names
(``gazetteer/data/features.tsv`` and ``feature_names.tsv``, read by gazetteer.features)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gazetteer import curated, features
from toponyms import Resolver

CRIMEA = "geonames:703883"  # the Autonomous Republic of Crimea


def test_every_feature_is_a_place_with_its_parent_and_point(tiny_db: Path) -> None:
    rows = list(features.read_features(curated.DATA_DIR))
    assert {r.kind for r in rows} == set(features.FEATURE_KINDS)
    conn = sqlite3.connect(f"{tiny_db.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in rows:
            place = conn.execute("SELECT * FROM places WHERE id = ?", (row.id,)).fetchone()
            if row.parent == "MD":
                continue  # the tiny sources hold no Moldova
            assert place is not None, row.id
            assert (place["kind"], place["lat"], place["lon"]) == (row.kind, row.lat, row.lon)
            assert (place["name_uk"], place["name_ru"], place["name_en"]) == (
                row.name_uk,
                row.name_ru,
                row.name_en,
            )
            parent = conn.execute(
                "SELECT iso_code FROM places WHERE id = ?", (place["parent_id"],)
            ).fetchone()
            assert parent is not None and parent[0] == row.parent, row.id
            expected = "centroid" if row.kind == "region" else "curated"
            assert place["precision"] == expected
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Donbas", "curated:donbas"),
        ("Донбас", "curated:donbas"),
        ("Донбасс", "curated:donbas"),
        ("в Донбассе", "curated:donbas"),
        ("Приазов'я", "curated:pryazovia"),
        ("Приазовье", "curated:pryazovia"),
        ("Azov region", "curated:pryazovia"),
        ("Slobozhanshchyna", "curated:slobozhanshchyna"),
        # GeoNames keeps Слобожанщина as a historical name of Kharkiv Oblast: the region
        # that bears it as its own name comes first.
        ("Слобожанщина", "curated:slobozhanshchyna"),
        ("Слобожанщину", "curated:slobozhanshchyna"),
        ("Transnistria", "curated:transnistria"),
        ("Приднестровье", "curated:transnistria"),
        ("Придністров'я", "curated:transnistria"),
        ("Crimean Peninsula", "curated:crimean-peninsula"),
        ("Snake Island", "curated:snake-island"),
        ("Зміїний", "curated:snake-island"),
        ("остров Змеиный", "curated:snake-island"),
        ("Kinburn Spit", "curated:kinburn-spit"),
        ("Кінбурнська коса", "curated:kinburn-spit"),
        ("Azovstal", "curated:azovstal"),
        ("Азовсталь", "curated:azovstal"),
        ("ZNPP", "curated:znpp"),
        ("ЗАЕС", "curated:znpp"),
        ("Zaporizhzhia Nuclear Power Plant", "curated:znpp"),
        ("Kakhovka dam", "curated:kakhovka-dam"),
        ("Каховська ГЕС", "curated:kakhovka-dam"),
        ("Crimean bridge", "curated:crimean-bridge"),
        ("Кримський міст", "curated:crimean-bridge"),
        ("Крымский мост", "curated:crimean-bridge"),
        ("Antonivskyi bridge", "curated:antonivskyi-bridge"),
        ("Антонівський міст", "curated:antonivskyi-bridge"),
        ("Chornobyl NPP", "curated:chornobyl-npp"),
        ("ЧАЭС", "curated:chornobyl-npp"),
        ("ДніпроГЕС", "curated:dniprohes"),
        ("Чонгарський міст", "curated:chonhar-bridge"),
    ],
)
def test_each_feature_resolves(resolver: Resolver, query: str, expected: str) -> None:
    assert resolver.resolve(query)[0].place.id == expected


@pytest.mark.slow
def test_crimea_is_still_the_autonomous_republic(resolver: Resolver) -> None:
    # The peninsula also bears the bare name; the unit (nearly all of it) answers first.
    matches = resolver.resolve("Crimea", limit=5)
    assert matches[0].place.id == CRIMEA
    assert "curated:crimean-peninsula" in [m.place.id for m in matches]
    assert resolver.resolve("Крым")[0].place.id == CRIMEA
