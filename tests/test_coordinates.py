"""Points of Ukrainian places and their precision (issue 12, ``gazetteer/coordinates.py``).

On the tiny fixture gazetteer (Kherson oblast and Kyiv, real GeoNames and postal rows)
and, marked slow, on the default gazetteer.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from gazetteer.coordinates import (
    HROMADA_RADIUS_KM,
    LINK_LIMIT_KM,
    distance_km,
    median_point,
    unit_key,
)

SETTLEMENTS = "('city', 'urban_settlement', 'settlement', 'village')"
OWN = ("geonames", "postal", "wof")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


@pytest.fixture
def conn(tiny_db: Path) -> Iterator[sqlite3.Connection]:
    c = _connect(tiny_db)
    yield c
    c.close()


def _settlements(c: sqlite3.Connection) -> list[tuple[str, str, str, float, float, str]]:
    return c.execute(
        "SELECT id, hromada_id, raion_id, lat, lon, precision FROM places"
        f" WHERE country = 'UA' AND katottg IS NOT NULL AND kind IN {SETTLEMENTS}"
    ).fetchall()


def test_old_unit_keys_meet_the_postal_romanisation() -> None:
    # KOATUU writes the old raion in Ukrainian capitals, the postal extract romanises it
    # in its own way: both must give one key.
    assert unit_key("БАХМУТСЬКИЙ РАЙОН") == unit_key("Bahmutskiy")
    assert unit_key("ПОКРОВСЬКИЙ РАЙОН") == unit_key("Pokrovskiy")
    assert unit_key("ТОРЕЦЬК") == unit_key("Toretsk")
    assert unit_key("БАХМУТСЬКИЙ РАЙОН") != unit_key("Pokrovskiy")


def test_every_settlement_point_states_its_precision(conn: sqlite3.Connection) -> None:
    rows = _settlements(conn)
    assert len(rows) > 600
    assert {r[5] for r in rows} <= {"geonames", "postal", "wof", "hromada", "raion", "oblast"}
    assert all(r[3] is not None for r in rows)


def test_postal_and_wof_points_lie_near_their_hromada(conn: sqlite3.Connection) -> None:
    rows = _settlements(conn)
    trusted: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _, hromada, _, lat, lon, precision in rows:
        if precision == "geonames":
            trusted[hromada].append((lat, lon))
    checked: dict[str, int] = defaultdict(int)
    for _, hromada, _, lat, lon, precision in rows:
        if precision in ("postal", "wof") and trusted.get(hromada):
            centre = median_point(trusted[hromada])
            assert distance_km((lat, lon), centre) <= HROMADA_RADIUS_KM + 0.01
            checked[precision] += 1
    assert checked["postal"] > 100
    assert checked["wof"] > 20


def test_unit_centres_come_from_own_points_only(conn: sqlite3.Connection) -> None:
    rows = _settlements(conn)
    own: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _, hromada, _, lat, lon, precision in rows:
        if precision in OWN:
            own[hromada].append((lat, lon))
    hromadas = conn.execute(
        "SELECT id, lat, lon, precision FROM places WHERE kind = 'hromada' AND country = 'UA'"
    ).fetchall()
    assert hromadas
    for hromada_id, lat, lon, precision in hromadas:
        assert precision == "centroid"
        if own.get(hromada_id):
            centre = median_point(own[hromada_id])
            assert (lat, lon) == (round(centre[0], 5), round(centre[1], 5)), hromada_id


def test_neighbourhoods_of_a_large_city_are_its_districts(conn: sqlite3.Connection) -> None:
    kyiv = conn.execute("SELECT id FROM places WHERE name_uk = 'Київ' AND kind = 'city'").fetchone()
    rows = dict(
        conn.execute(
            "SELECT name_en, kind || ' ' || COALESCE(parent_id, '') FROM places"
            " WHERE name_en IN ('Pechersk', 'Troyeshchyna', 'Borshchahivka')"
        ).fetchall()
    )
    assert rows == {name: f"city_district {kyiv[0]}" for name in rows}
    assert len(rows) == 3


@pytest.mark.slow
def test_default_gazetteer_links_lie_near_their_hromada(default_db: Path) -> None:
    """No village or settlement keeps a GeoNames point far from its hromada's other ones
    (Терни had Veseli Terny's, in Kryvyi Rih, 190 km away)."""
    c = _connect(default_db)
    try:
        rows = c.execute(
            "SELECT id, hromada_id, lat, lon, precision, kind FROM places WHERE country = 'UA'"
            f" AND katottg IS NOT NULL AND kind IN {SETTLEMENTS} AND precision = 'geonames'"
        ).fetchall()
    finally:
        c.close()
    by_hromada: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for place_id, hromada, lat, lon, _, _ in rows:
        by_hromada[hromada].append((place_id, lat, lon))
    far = []
    for place_id, hromada, lat, lon, _, kind in rows:
        mates = [(a, b) for other, a, b in by_hromada[hromada] if other != place_id]
        too_far = (
            len(mates) >= 2 and distance_km((lat, lon), median_point(mates)) > LINK_LIMIT_KM + 5
        )
        if kind != "city" and too_far:
            far.append(place_id)
    # Undoing one link changes its mates' medians; a few may cross the line after.
    assert len(far) <= 5, far


WOF_COLUMNS = [
    "wof_id",
    "geonames_id",
    "wikidata_id",
    "name",
    "name_uk",
    "name_ru",
    "name_en",
    "name_be",
    "variants_uk",
    "variants_ru",
    "historical_uk",
    "historical_ru",
    "lat",
    "lon",
    "geom_source",
    "koatuu_oblast",
    "region_wof_id",
    "county_wof_id",
    "county_name_uk",
    "county_name",
    "is_current",
    "population",
]


def test_wof_localities_upstream_and_extract(tmp_path: Path) -> None:
    from gazetteer.sources import wof
    from gazetteer.tsv import write_rows

    def row(**cells: str) -> list[str]:
        return [cells.get(column, "") for column in WOF_COLUMNS]

    upstream = tmp_path / "wof_ua_localities.tsv"
    write_rows(
        upstream,
        WOF_COLUMNS,
        [
            row(geonames_id="698126", name="Ovsyaniki", name_ru="Овсяники",
                variants_ru="Овсяники|Овсяникі", lat="49.1", lon="27.2",
                koatuu_oblast="68", county_name="Derazhnianskyi"),
            row(geonames_id="703758", name="Kukhche", lat="51.5", lon="25.9"),  # no raion
        ],
    )  # fmt: skip
    rows = list(wof.parse(upstream))
    assert rows == [
        wof.Locality(
            698126, "68", "Derazhnianskyi", ("Ovsyaniki", "Овсяники", "Овсяникі"), 49.1, 27.2
        )
    ]
    extract = tmp_path / "wof_ua.tsv"
    assert wof.write(extract, rows, comments=[wof.LICENSE]) == 1
    assert list(wof.read(extract)) == rows


@pytest.mark.slow
def test_default_gazetteer_city_quarters_are_districts(default_db: Path) -> None:
    """GeoNames' quarters (Saltivka in Kharkiv, Terny in Kryvyi Rih) are city districts,
    and no Ukrainian record of a town's size that KATOTTG lacks stands as a city."""
    c = _connect(default_db)
    try:
        rows = dict(
            c.execute(
                "SELECT p.name_en, c.name_uk FROM places p JOIN places c ON c.id = p.parent_id"
                " WHERE p.kind = 'city_district' AND p.name_en IN ('Saltivka', 'Terny')"
            ).fetchall()
        )
        towns = c.execute(
            "SELECT name_en FROM places WHERE country = 'UA' AND katottg IS NULL AND kind = 'city'"
        ).fetchall()
    finally:
        c.close()
    assert rows == {"Saltivka": "Харків", "Terny": "Кривий Ріг"}
    assert len(towns) <= 3, towns
