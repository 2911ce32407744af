"""Russian, former and old-raion names of Ukrainian places (issue 12).

The importers of KOATUU and of the edition comparisons run on small files in their
upstream format; the spelling rules on the samples of their own data file; the build on
the tiny fixture gazetteer (Kherson oblast, real KOATUU rows); the end-to-end checks on
the default gazetteer through the public resolver.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gazetteer import russian
from gazetteer.sources import koatuu, renamings
from gazetteer.tsv import read_rows, write_rows
from gazetteer.ukraine import same_name

DATA = Path(__file__).resolve().parent.parent / "gazetteer" / "data"

# -- the upstream tables --------------------------------------------------------------------


def _tsv(path: Path, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> Path:
    write_rows(path, columns, rows)
    return path


LINK_COLUMNS = (
    "koatuu_2019",
    "category",
    "name_uk_2019",
    "name_ru_2019",
    "raion_or_council_2019",
    "katottg",
    "link_method",
    "katottg_name_2020",
    "katottg_name_current",
)
KLISHCHIIVKA = "UA14020010120064151"
BAKHMUT_RAION = "UA14020000000013572"
KRAMATORSK_RAION = "UA14120000000070232"


def _koatuu_upstream(tmp_path: Path) -> tuple[Path, Path, Path]:
    link = _tsv(
        tmp_path / "link.tsv",
        LINK_COLUMNS,
        [
            ("1420985505", "С", "КЛІЩІЇВКА", "КЛЕЩИЕВКА", "БАХМУТСЬКИЙ РАЙОН/М.БАХМУТ",
             KLISHCHIIVKA, "oblast+name", "Кліщіївка", "Кліщіївка"),
            ("1420981001", "С", "ОДРАДІВКА", "ОТРАДОВКА", "БАХМУТСЬКИЙ РАЙОН/М.БАХМУТ",
             "UA14020010130011111", "code", "Одрадівка", "Одрадівка"),
            ("1420981002", "С", "ГОЛУБОВКА", "", "БАХМУТСЬКИЙ РАЙОН/М.БАХМУТ",
             "UA14120010130011112", "code", "Голубівка", "Голубівка"),
            ("1420981003", "С", "НЕВІДОМЕ", "НЕВЕДОМОЕ", "БАХМУТСЬКИЙ РАЙОН/М.БАХМУТ",
             "", "", "", ""),  # not linked
            ("1420981004", "С", "СКАСОВАНЕ", "СКАСОВАННОЕ", "БАХМУТСЬКИЙ РАЙОН/М.БАХМУТ",
             "UA99999999999999999", "code", "Скасоване", ""),  # not in today's codifier
        ],
    )  # fmt: skip
    edition_2019 = _tsv(
        tmp_path / "k2019.tsv",
        ("koatuu", "category", "name_uk", "name_ru"),
        [
            ("1420000000", "", "РАЙОНИ ДОНЕЦЬКОЇ ОБЛАСТІ", "РАЙОНЫ ДОНЕЦКОЙ ОБЛАСТИ"),
            ("1420900000", "", "БАХМУТСЬКИЙ РАЙОН/М.БАХМУТ", "БАХМУТСКИЙ РАЙОН/Г.БАХМУТ"),
            ("1420985505", "С", "КЛІЩІЇВКА", "КЛЕЩИЕВКА"),
        ],
    )
    edition_2015 = _tsv(
        tmp_path / "k2015.tsv",
        ("koatuu", "category", "name_uk"),
        [("1420900000", "", "АРТЕМІВСЬКИЙ РАЙОН/М.АРТЕМІВСЬК")],
    )
    return link, edition_2019, edition_2015


def test_koatuu_tables_give_russian_names_and_old_raions(tmp_path: Path) -> None:
    raion_of = {
        KLISHCHIIVKA: BAKHMUT_RAION,
        "UA14020010130011111": BAKHMUT_RAION,
        "UA14120010130011112": KRAMATORSK_RAION,
    }
    settlements, raions = koatuu.parse(*_koatuu_upstream(tmp_path), raion_of)
    assert [(s.katottg, s.name_ru, s.old_unit) for s in settlements] == [
        (KLISHCHIIVKA, "КЛЕЩИЕВКА", "БАХМУТСЬКИЙ РАЙОН"),
        ("UA14020010130011111", "ОТРАДОВКА", "БАХМУТСЬКИЙ РАЙОН"),
    ]  # no Russian name, no link, or a code the codifier lost: left out
    # The old raion's successor holds two of its three linked settlements.
    assert raions == [
        koatuu.OldRaion(
            "1420900000",
            "АРТЕМІВСЬКИЙ РАЙОН",
            "БАХМУТСЬКИЙ РАЙОН",
            "БАХМУТСКИЙ РАЙОН",
            BAKHMUT_RAION,
            0.67,
        )
    ]
    out = tmp_path / "out"
    out.mkdir()
    koatuu.write_settlements(out / "s.tsv", settlements, comments=[koatuu.LICENSE])
    koatuu.write_raions(out / "r.tsv", raions, comments=[koatuu.LICENSE])
    assert list(koatuu.read_settlements(out / "s.tsv")) == settlements
    assert list(koatuu.read_raions(out / "r.tsv")) == raions


def test_renamings_of_both_comparisons(tmp_path: Path) -> None:
    koatuu_diff = _tsv(
        tmp_path / "a.tsv",
        (
            "koatuu",
            "category",
            "kind",
            "name_uk_2015",
            "name_uk_2019",
            "name_ru_2019",
            "oblast",
            "raion_or_council_2019",
            "name_similarity",
        ),
        [
            ("1410300000", "М", "settlement", "АРТЕМІВСЬК", "БАХМУТ", "БАХМУТ", "", "", "0.2"),
            ("1420900000", "", "raion", "АРТЕМІВСЬКИЙ РАЙОН", "БАХМУТСЬКИЙ РАЙОН", "", "", "",
             "0.6"),
        ],
    )  # fmt: skip
    katottg_diff = _tsv(
        tmp_path / "b.tsv",
        (
            "katottg",
            "category",
            "name_uk_2020",
            "name_uk_current",
            "koatuu",
            "name_ru_old_koatuu2019",
            "name_similarity",
        ),
        [
            ("UA14160190030043446", "X", "Желанне", "Благодатне", "1425555300", "ЖЕЛАННОЕ", "0.4"),
            ("UA14000000000000001", "B", "Старий", "Новий", "", "", "0.3"),  # a city district
        ],
    )
    found = renamings.parse(
        koatuu_diff,
        katottg_diff,
        {"1410300000": "UA14020030010076000"},
        frozenset({"UA14020030010076000", "UA14160190030043446", "UA14000000000000001"}),
    )
    assert found == [
        renamings.Renaming(
            "UA14020030010076000", "M", "АРТЕМІВСЬК", "", "БАХМУТ", "koatuu2015-2019", 0.2
        ),
        renamings.Renaming(
            "UA14160190030043446", "X", "Желанне", "ЖЕЛАННОЕ", "Благодатне", "katottg2020-2024", 0.4
        ),
    ]
    extract = tmp_path / "r.tsv"
    assert renamings.write(extract, found, comments=[renamings.LICENSE]) == 2
    assert list(renamings.read(extract)) == found


# -- spelling ---------------------------------------------------------------------------------


def test_press_variants_follow_the_rule_table() -> None:
    rows = list(read_rows(DATA / "ru_spellings.tsv"))
    assert rows
    for row in rows:
        assert russian.press_variants(row["official"]) == [row["press"]]
    assert russian.press_variants("Софиевка") == []  # -иевка after another letter stays


@pytest.mark.parametrize(
    ("upper", "template", "expected"),
    [
        ("КЛЕЩИЕВКА", "Кліщіївка", "Клещиевка"),
        ("ВЕЛИКАЯ НОВОСЕЛКА", "Велика Новосілка", "Великая Новоселка"),
        ("КАМЕНЕЦ-ПОДОЛЬСКИЙ", "Кам’янець-Подільський", "Каменец-Подольский"),
        ("РОСТОВ-НА-ДОНУ", None, "Ростов-на-Дону"),
    ],
)
def test_sentence_case(upper: str, template: str | None, expected: str) -> None:
    assert russian.sentence_case(upper, template) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Клещеевка", True),
        ("Грэсовский", True),
        ("Зарэчнае", False),  # Belarusian
        ("Ноўгарадскэ", False),  # Belarusian
        ("Къарасувбазар", False),  # Crimean Tatar
        ("Кам'яне", False),  # Ukrainian copied into the Russian column
        ("Дере́-Салы́н", False),  # a dictionary form with stress marks
    ],
)
def test_is_russian(name: str, expected: bool) -> None:
    assert russian.is_russian(name) is expected


def test_generated_russian_names() -> None:
    assert russian.generated_russian("Благодатне") == "Благодатное"
    assert russian.generated_russian("Вільне") == "Вольное"  # the neuter ending decides
    assert russian.generated_russian("Гуляйполе") == "Гуляйполе"
    assert russian.generated_russian("Часів Яр") == "Часов Яр"


def test_same_name_ignores_spelling_reforms() -> None:
    assert same_name("ПІДГОРОДНЕ", "Підгороднє")
    assert same_name("ЮР'ЇВКА", "Юріївка")
    assert not same_name("ЖЕЛАННЕ", "Благодатне")


# -- the tiny build ---------------------------------------------------------------------------


@pytest.fixture
def conn(tiny_db: Path) -> Iterator[sqlite3.Connection]:
    c = sqlite3.connect(f"{tiny_db.resolve().as_uri()}?mode=ro", uri=True)
    yield c
    c.close()


def _names(conn: sqlite3.Connection, katottg: str) -> set[tuple[str, str, str, str | None]]:
    return set(
        conn.execute(
            "SELECT n.name, n.lang, n.type, n.valid_to FROM names n JOIN places p"
            " ON p.id = n.place_id WHERE p.katottg = ?",
            (katottg,),
        )
    )


def test_every_ukrainian_place_has_a_russian_name(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT id, name_uk, name_ru FROM places WHERE country = 'UA' AND katottg IS NOT NULL"
    ).fetchall()
    assert len(rows) > 700
    missing = [r for r in rows if not r[2]]
    assert missing == []
    assert [r for r in rows if not russian.is_russian(r[2])] == []


def test_koatuu_names_and_press_spelling(conn: sqlite3.Connection) -> None:
    # Нова Каховка: KOATUU 2019 НОВАЯ КАХОВКА, sentence case on the Ukrainian template.
    code = conn.execute(
        "SELECT katottg FROM places WHERE name_uk = 'Нова Каховка' AND kind = 'city'"
    ).fetchone()[0]
    assert ("Новая Каховка", "ru", "official", None) in _names(conn, code)
    assert conn.execute("SELECT name_ru FROM places WHERE katottg = ?", (code,)).fetchone() == (
        "Новая Каховка",
    )


def test_a_letter_for_letter_form_of_2016_is_not_the_russian_name(
    conn: sqlite3.Connection,
) -> None:
    # KOATUU 2019 prints ОЛЕШКИ for the town renamed in 2016; Russian writes Алешки.
    row = conn.execute(
        "SELECT name_ru, katottg FROM places WHERE katottg = 'UA65100110010019482'"
    ).fetchone()
    assert row[0] == "Алешки"
    assert ("Олешки", "ru", "alternate", None) in _names(conn, row[1])


def test_renamings_become_former_names(conn: sqlite3.Connection) -> None:
    # 2024: Першотравневе → Вільне (Beryslav raion); KOATUU gives the old Russian name.
    names = _names(conn, "UA65020010050032272")
    assert ("Першотравневе", "uk", "historical", "2024") in names
    assert ("Першотравневое", "ru", "historical", "2024") in names
    assert ("Вольное", "ru", "generated", None) in names
    # 2016: Карло-Марксівське → Щасливе, found by comparing KOATUU 2015 and 2019.
    assert ("Карло-Марксівське", "uk", "historical", "2016") in _names(conn, "UA65020050340077879")


def test_old_raions_are_former_names_of_their_successor(conn: sqlite3.Connection) -> None:
    kherson_raion = "UA65100000000029736"
    names = _names(conn, kherson_raion)
    assert ("Білозерський район", "uk", "historical", "2020-07-17") in names
    assert ("Белозерский район", "ru", "historical", "2020-07-17") in names
    assert ("Цюрупинський район", "uk", "historical", "2016") in names
    # The occupation administration's unit in the borders of the old Олешківський район.
    assert ("Алешкинский муниципальный округ", "ru", "occupation", None) in names
    # A raion that kept its name gives the new one its Russian name.
    kakhovka = conn.execute(
        "SELECT name_ru FROM places WHERE kind = 'raion' AND name_uk = 'Каховський район'"
    ).fetchone()[0]
    assert kakhovka == "Каховский район"


def test_hromadas_get_russian_names_and_their_forms(conn: sqlite3.Connection) -> None:
    row = conn.execute(
        "SELECT id, name_ru FROM places WHERE kind = 'hromada' AND name_uk = 'Олешківська громада'"
    ).fetchone()
    assert row[1] == "Алешковская громада"
    names = {n for (n,) in conn.execute("SELECT name FROM names WHERE place_id = ?", row[:1])}
    assert {
        "Олешківська міська громада",
        "Олешківська ОТГ",
        "Алешковская община",
        "Алешковская городская громада",
        "Oleshky hromada",
    } <= names
    no_russian = conn.execute(
        "SELECT COUNT(*) FROM places WHERE kind IN ('hromada', 'raion') AND country = 'UA'"
        " AND name_ru IS NULL"
    ).fetchone()[0]
    assert no_russian == 0


# -- the default gazetteer (slow) -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "katottg"),
    [
        ("Желанне", "UA14160190030043446"),  # renamed Благодатне in 2024
        ("Желанное", "UA14160190030043446"),
        ("Ласточкине", "UA14160190350070064"),  # renamed Криничне in 2024
        ("Ласточкино", "UA14160190350070064"),
        ("Клещеевка", KLISHCHIIVKA),  # the press spelling
        ("Клещиевка", KLISHCHIIVKA),  # KOATUU's
        ("Работино", "UA23100270150025192"),
    ],
)
def test_default_gazetteer_resolves_russian_and_former_names(
    default_db: Path, query: str, katottg: str
) -> None:
    from toponyms import Resolver

    with Resolver(db=default_db) as resolver:
        matches = resolver.resolve(query, limit=3, country="UA")
    assert matches, query
    assert matches[0].place.katottg == katottg, [m.place.name_uk for m in matches]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "name_uk"),
    [
        ("Ясиноватский район", "Покровський район"),  # abolished in 2020
        ("Великоновосілківський район", "Волноваський район"),
        ("Артемовский район", "Бахмутський район"),  # renamed 2016, abolished 2020
        ("Бахмутский район", "Бахмутський район"),
        ("Часовоярская община", "Часовоярська громада"),
        ("Часовоярська міська громада", "Часовоярська громада"),
        ("Часовоярская ОТГ", "Часовоярська громада"),
        ("Chasiv Yar hromada", "Часовоярська громада"),
    ],
)
def test_default_gazetteer_resolves_old_raions_and_hromada_forms(
    default_db: Path, query: str, name_uk: str
) -> None:
    from toponyms import Resolver

    with Resolver(db=default_db) as resolver:
        matches = resolver.resolve(query, limit=3, country="UA")
    assert matches, query
    assert matches[0].place.name_uk == name_uk, [m.place.name_uk for m in matches]


@pytest.mark.slow
def test_default_gazetteer_names_are_in_their_languages_script(default_db: Path) -> None:
    """No Russian name of a Ukrainian place has a letter or ending Russian lacks (ў і ї є,
    Belarusian -ае); no Ukrainian name a letter Ukrainian lacks (ы э ъ)."""
    conn = sqlite3.connect(f"{default_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT id, name_uk, name_ru FROM places WHERE country = 'UA' AND status = 'active'"
        ).fetchall()
    finally:
        conn.close()
    assert len(rows) > 30_000
    bad_ru = [(i, ru) for i, _, ru in rows if ru and not russian.is_russian(ru)]
    bad_uk = [(i, uk) for i, uk, _ in rows if uk and not russian.is_ukrainian(uk)]
    assert bad_ru == [], bad_ru[:20]
    assert bad_uk == [], bad_uk[:20]
    with_ru = sum(1 for _, uk, ru in rows if uk and ru)
    assert with_ru >= 0.99 * sum(1 for _, uk, _ in rows if uk)


def test_new_sources_are_credited_in_the_manifest() -> None:
    from gazetteer.build import SOURCES_DIR, source_manifest

    manifest = {s["file"]: s for s in source_manifest(SOURCES_DIR)}
    for name, source, licence in (
        ("koatuu_ru.tsv", "KOATUU (ДК 014-97)", "official classifier of Ukraine"),
        ("koatuu_raions.tsv", "KOATUU (ДК 014-97)", "official classifier of Ukraine"),
        ("ua_renamings.tsv", "KOATUU 2015-07-15 vs 2019-05-30, KATOTTG 2020", "official"),
        ("wof_ua.tsv", "Who's On First", "Who's On First"),
    ):
        assert manifest[name]["name"].startswith(source), manifest[name]
        assert manifest[name]["license"].startswith(licence), manifest[name]
    notice = (DATA.parent.parent / "NOTICE.md").read_text(encoding="utf-8")
    assert "KOATUU" in notice and "Who's On First" in notice
