"""Russia from KLADR and the Russian postal points.

The fast tests read the tiny gazetteer, built by the real build from the fixture extracts
(``tests/fixtures/sources/kladr_ru.tsv`` and ``postal_ru.tsv``: Belgorod oblast's
Belgorodsky district with four villages, one of them given a point near Orenburg; Ufa,
Tyumen, Chukotka). The ``slow`` ones check the full default gazetteer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gazetteer import geo, russia
from gazetteer.sources import kladr, postal_ru
from toponyms import Resolver

BELGORODSKY = "kladr:31022000000"
ZHURAVLEVKA = "kladr:31022000026"  # its post office is placed 1,200 km off, near Orenburg
MYASOEDOVO = "kladr:31022000044"


@pytest.fixture
def conn(tiny_db: Path) -> Iterator[sqlite3.Connection]:
    c = sqlite3.connect(f"{tiny_db.resolve().as_uri()}?mode=ro", uri=True)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


def _place(conn: sqlite3.Connection, place_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM places WHERE id = ?", (place_id,)).fetchone()
    assert row is not None, place_id
    return row


def _by_iso(conn: sqlite3.Connection, iso: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM places WHERE iso_code = ?", (iso,)).fetchone()
    assert row is not None, iso
    return row


@pytest.mark.parametrize(
    ("type_abbr", "name", "expected"),
    [
        ("обл", "Курская", "Курская область"),
        ("край", "Краснодарский", "Краснодарский край"),
        ("Респ", "Татарстан", "Республика Татарстан"),
        ("Респ", "Удмуртская", "Удмуртская Республика"),
        ("Респ", "Саха /Якутия/", "Республика Саха (Якутия)"),
        ("Респ", "Северная Осетия - Алания", "Республика Северная Осетия — Алания"),
        ("Чувашия", "Чувашская Республика -", "Чувашская Республика"),
        ("АО", "Ненецкий", "Ненецкий автономный округ"),
        (
            "АО",
            "Ханты-Мансийский Автономный округ - Югра",
            "Ханты-Мансийский автономный округ — Югра",
        ),
        ("Аобл", "Еврейская", "Еврейская автономная область"),
        ("г", "Москва", "Москва"),
    ],
)
def test_federal_subject_names_from_kladr_rows(type_abbr: str, name: str, expected: str) -> None:
    assert kladr.region_name(type_abbr, name) == expected


def test_federal_subjects_take_their_kladr_names(conn: sqlite3.Connection) -> None:
    for iso, name in (
        ("RU-BEL", "Белгородская область"),
        ("RU-TA", "Республика Татарстан"),
        ("RU-CHU", "Чукотский автономный округ"),
    ):
        region = _by_iso(conn, iso)
        assert region["name_ru"] == name
        sources = {
            r[0]
            for r in conn.execute(
                "SELECT source FROM names WHERE place_id = ? AND name = ? AND lang = 'ru'",
                (region["id"], name),
            )
        }
        # One row per name and language: ISO 3166-2's, when pycountry has it, else KLADR's.
        assert sources & {"ISO 3166-2 (pycountry)", russia.SOURCE}, (iso, sources)


def test_russian_towns_take_the_kladr_spelling(conn: sqlite3.Connection) -> None:
    # GeoNames lists Оуфа and Тюмен among the alternates, which a letter-by-letter
    # likeness to "Ufa" and "Tyumen" preferred.
    assert _place(conn, "geonames:479561")["name_ru"] == "Уфа"
    assert _place(conn, "geonames:1488754")["name_ru"] == "Тюмень"
    guess = conn.execute(
        "SELECT lang, type FROM names WHERE place_id = 'geonames:479561' AND name = 'Оуфа'"
    ).fetchall()
    assert [tuple(r) for r in guess] == [("und", "alternate")]


def test_districts_are_raions_of_their_subject(conn: sqlite3.Connection) -> None:
    district = _place(conn, BELGORODSKY)
    region = _by_iso(conn, "RU-BEL")
    assert (district["kind"], district["name_ru"], district["country"]) == (
        "raion",
        "Белгородский район",
        "RU",
    )
    assert district["parent_id"] == district["admin1_id"] == region["id"]
    assert district["name_en"] == "Belgorodskiy District"
    # The median of its villages' trusted post-office points, the stray left out.
    assert district["precision"] == "centroid"
    assert geo.distance_km((district["lat"], district["lon"]), (50.6163, 36.7371)) < 15


def test_villages_at_their_post_office_or_flagged_approximate(conn: sqlite3.Connection) -> None:
    village = _place(conn, MYASOEDOVO)
    assert (village["kind"], village["name_ru"], village["raion_id"]) == (
        "village",
        "Мясоедово",
        BELGORODSKY,
    )
    assert (village["lat"], village["lon"], village["precision"]) == (50.6314, 36.8034, "postal")
    stray = _place(conn, ZHURAVLEVKA)
    district = _place(conn, BELGORODSKY)
    assert stray["precision"] == "raion"
    assert (stray["lat"], stray["lon"]) == (district["lat"], district["lon"])


def test_a_town_geonames_has_is_not_added_twice(conn: sqlite3.Connection) -> None:
    towns = conn.execute("SELECT id FROM places WHERE name_ru = 'Белгород'").fetchall()
    assert [r[0] for r in towns] == ["geonames:578072"]


def test_the_tiny_resolver_finds_the_district(tiny_db: Path) -> None:
    with Resolver(db=tiny_db) as resolver:
        assert resolver.resolve("Белгородский район")[0].place.id == BELGORODSKY
        assert resolver.resolve("Мясоедово")[0].place.id == MYASOEDOVO
        assert resolver.resolve("Уфа")[0].place.id == "geonames:479561"


# -- the full default gazetteer (slow) -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "expected_id", "name_ru"),
    [
        ("Уфа", "geonames:479561", "Уфа"),
        ("Тюмень", "geonames:1488754", "Тюмень"),
        ("Старый Оскол", "geonames:487928", "Старый Оскол"),
        ("Курск", "geonames:538560", "Курск"),
        ("Суджа", "geonames:486816", "Суджа"),
        ("Суджанский район", "kladr:46023000000", "Суджанский район"),
        ("Sudzhansky District", "kladr:46023000000", "Суджанский район"),
        ("Свердликово", "kladr:46023000030", "Свердликово"),
        ("Малая Локня", "kladr:46023000018", "Малая Локня"),
        ("Курская область", "geonames:538555", "Курская область"),
        ("Краснодарский край", "geonames:542415", "Краснодарский край"),
        ("Республика Татарстан", "geonames:484048", "Республика Татарстан"),
    ],
)
def test_default_resolves_russian_places(
    resolver: Resolver, query: str, expected_id: str, name_ru: str
) -> None:
    top = resolver.resolve(query)[0].place
    assert (top.id, top.name_ru) == (expected_id, name_ru)


@pytest.mark.slow
def test_default_russia_counts_and_points(default_db: Path) -> None:
    conn = sqlite3.connect(f"{default_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        districts = conn.execute(
            "SELECT COUNT(*) FROM places WHERE kind = 'raion' AND country = 'RU'"
        ).fetchone()[0]
        assert districts > 1800
        unnamed = conn.execute(
            "SELECT COUNT(*) FROM places WHERE kind = 'oblast' AND country = 'RU'"
            " AND name_ru IS NULL"
        ).fetchone()[0]
        assert unnamed == 0
        # Every Russian region's places lie in one box of 60 degrees of longitude at most:
        # no post-office point a continent away.
        spans = conn.execute(
            "SELECT r.iso_code, MIN(p.lat), MAX(p.lat) FROM places p JOIN places r"
            " ON r.id = p.admin1_id WHERE p.id LIKE 'kladr:%' AND r.iso_code IN"
            " ('RU-KRS', 'RU-BEL', 'RU-BRY', 'RU-VOR', 'RU-ROS') GROUP BY r.iso_code"
        ).fetchall()
        assert len(spans) == 5
        for iso, south, north in spans:
            assert north - south < 4.5, iso
    finally:
        conn.close()


KLADR_UPSTREAM = (
    "kladr_code\tlevel\ttype_abbr\tname\tpostal_index\tregion_code\tregion\traion\tcity\n"
    "31000000000\t1\tобл\tБелгородская\t\t31\t\t\t\n"
    "31022000000\t2\tр-н\tБелгородский\t\t31\tобл Белгородская\t\t\n"
    "31022000026\t4\tс\tЖуравлевка\t308594\t31\tобл Белгородская\tр-н Белгородский\t\n"
    "31022000900\t4\tснт\tРомашка\t308594\t31\tобл Белгородская\tр-н Белгородский\t\n"
    "50000000000\t1\tобл\tМосковская\t\t50\t\t\t\n"
    "50001000007\t4\tд\tАбрамово\t140000\t50\tобл Московская\tр-н Дальний\t\n"
    "50001001000\t3\tг\tДальний\t140001\t50\tобл Московская\tр-н Дальний\t\n"
)
POSTAL_UPSTREAM = (
    "country_code\tpostal_code\tplace_name\tadmin_name1\tadmin_code1\tadmin_name2\tadmin_code2"
    "\tadmin_name3\tadmin_code3\tlatitude\tlongitude\taccuracy\n"
    "RU\t308594\tЖуравлевка\tБелгородская Область\t\tБЕЛГОРОДСКИЙ РАЙОН\t\t\t\t52.85\t52.3\t4\n"
    "RU\t140001\tДальний\tМосковская Область\t\t\t\t\t\t55.5\t37.5\t1\n"
    "RU\t140002\tДругое\tМосковская Область\t\t\t\t\t\t55.6\t37.6\t4\n"
)


def test_extract_keeps_districts_towns_border_villages_and_their_post_offices(
    tmp_path: Path,
) -> None:
    from gazetteer import extract

    (tmp_path / "kladr.tsv").write_text(KLADR_UPSTREAM, encoding="utf-8")
    (tmp_path / "postal.tsv").write_text(POSTAL_UPSTREAM, encoding="utf-8")
    out = tmp_path / "out"
    extract.main(
        [
            "--kladr",
            str(tmp_path / "kladr.tsv"),
            "--postal-ru",
            str(tmp_path / "postal.tsv"),
            "--out",
            str(out),
        ]
    )
    rows = {r.code: r for r in kladr.read(out / "kladr_ru.tsv")}
    # The garden plot (снт) and a village outside the border regions are left out.
    assert sorted(rows) == [
        "31000000000",
        "31022000000",
        "31022000026",
        "50000000000",
        "50001001000",
    ]
    assert rows["31022000026"].district == BELGORODSKY.removeprefix("kladr:")
    offices = list(postal_ru.read(out / "postal_ru.tsv"))
    assert [(o.kladr_code, o.lat, o.lon, o.accuracy) for o in offices] == [
        ("31022000026", 52.85, 52.3, 4),
        ("50001001000", 55.5, 37.5, 1),
    ]
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert '"kladr_ru.tsv": 5' in manifest and '"postal_ru.tsv": 2' in manifest


def test_a_letter_guessed_russian_name_is_spelled_in_russian_letters() -> None:
    from gazetteer.build import _russian_name
    from gazetteer.sources.geonames import City

    def city(name: str, *names: str) -> City:
        return City(1, name, 46.7, 38.3, "RU", "38", 90000, names)

    # Serbian Јејск spells Yeysk closer than Ейск does; a stress mark is no letter.
    assert _russian_name(city("Yeysk", "Ejsk", "Ейск", "Јејск")) == "Ейск"
    assert _russian_name(city("Kuril'sk", "Кури́льск")) == "Курильск"
