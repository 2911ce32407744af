"""Invariants of a built gazetteer.

Fast checks run on the tiny gazetteer (``tiny_db``: the real build over
``tests/fixtures/sources`` with the real curated data). The ``slow`` ones check the full
default gazetteer (``default_db``), which may be built once on first use.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gazetteer import curated, schema
from gazetteer.build import build
from gazetteer.sources import geonames, katottg
from toponyms import index
from toponyms.errors import GazetteerError, InvalidInputError
from toponyms.text.keys import invariant_key
from toponyms.text.normalize import fold

FIXTURE_SOURCES = Path(__file__).parent / "fixtures" / "sources"
DEFAULT_SOURCES = Path(__file__).resolve().parent.parent / "gazetteer" / "data" / "sources"
SETTLEMENT_KINDS = {"M": "city", "X": "settlement", "C": "village", "K": "city"}
OLESHKY = "UA65100110010019482"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture
def conn(tiny_db: Path) -> Iterator[sqlite3.Connection]:
    c = _connect(tiny_db)
    yield c
    c.close()


def _settlement_codes(sources: Path) -> dict[str, tuple[str, str]]:
    """KATOTTG code → (category, parent's category) of every settlement (M, X, C, K)."""
    units = {u.code: u for u in katottg.read_units(sources / "katottg.tsv")}
    return {
        u.code: (u.category, units[u.parent].category if u.parent in units else "")
        for u in units.values()
        if u.category in SETTLEMENT_KINDS
    }


def _places_by_katottg(c: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {r["katottg"]: r for r in c.execute("SELECT * FROM places WHERE katottg IS NOT NULL")}


def _settlement_problems(
    c: sqlite3.Connection, codes: dict[str, tuple[str, str]], *, points: bool = True
) -> list[str]:
    """Every way a KATOTTG settlement falls short of a complete place, one line each."""
    places = {r["id"]: r for r in c.execute("SELECT * FROM places")}
    by_code = _places_by_katottg(c)
    problems: list[str] = []
    for code, (category, parent_category) in sorted(codes.items()):
        place = by_code.get(code)
        if place is None:
            problems.append(f"{code}: no place")
            continue
        if place["kind"] != SETTLEMENT_KINDS[category]:
            problems.append(f"{code}: kind {place['kind']} for category {category}")
        if points and (place["lat"] is None or place["lon"] is None):
            problems.append(f"{code}: no coordinates")
        if points and place["precision"] not in schema.PRECISIONS:
            problems.append(f"{code}: precision {place['precision']!r}")
        if category == "K":  # a city of special status is its own first-level region
            if place["admin1_id"] != place["id"]:
                problems.append(f"{code}: admin1_id {place['admin1_id']} is not itself")
            continue
        chain = {"hromada_id": "hromada", "raion_id": "raion", "admin1_id": "oblast"}
        if parent_category == "O":
            # The exclusion zone's towns (Прип'ять, Чорнобиль) lie directly in the oblast.
            chain = {"admin1_id": "oblast"}
            for attr in ("hromada_id", "raion_id"):
                if place[attr] is not None:
                    problems.append(f"{code}: {attr} {place[attr]} but KATOTTG has none")
        for attr, kind in chain.items():
            target = places.get(place[attr] or "")
            if target is None:
                problems.append(f"{code}: {attr} {place[attr]!r} is no place")
            elif target["kind"] != kind:
                problems.append(f"{code}: {attr} points at a {target['kind']}")
        parent_attr = "admin1_id" if parent_category == "O" else "hromada_id"
        if place["parent_id"] != place[parent_attr]:
            problems.append(f"{code}: parent {place['parent_id']} is not its {parent_attr}")
        hromada = places.get(place["hromada_id"] or "")
        if hromada is not None and hromada["raion_id"] != place["raion_id"]:
            problems.append(f"{code}: hromada and settlement disagree on the raion")
    return problems


# -- the tiny build ---------------------------------------------------------------------------


def test_every_fixture_settlement_is_a_complete_place(conn: sqlite3.Connection) -> None:
    codes = _settlement_codes(FIXTURE_SOURCES)
    assert len(codes) == 9 + 99 + 588 + 1
    assert {category for category, _ in codes.values()} == set(SETTLEMENT_KINDS)
    problems = _settlement_problems(conn, codes)
    assert problems == [], "\n".join(problems[:30])


def _expected_id(row: sqlite3.Row) -> str:
    """A place's id from its crosswalk ids; a KLADR place keeps its ``kladr:<code>`` id, a
    curated region or feature its ``curated:<slug>``."""
    if row["geonames_id"] is not None:
        return f"geonames:{row['geonames_id']}"
    if row["katottg"] is not None:
        return f"katottg:{row['katottg']}"
    scheme, _, value = row["id"].partition(":")
    if scheme == "curated" and value:
        return row["id"]
    return row["id"] if scheme == "kladr" and len(value) == 11 and value.isdigit() else ""


def test_ids_follow_the_crosswalk_ids(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT id, geonames_id, katottg FROM places").fetchall()
    wrong = [(r["id"], r["geonames_id"], r["katottg"]) for r in rows if r["id"] != _expected_id(r)]
    assert wrong == []
    assert any(r["id"].startswith("kladr:") for r in rows)


def test_no_two_places_share_a_crosswalk_id(conn: sqlite3.Connection) -> None:
    for column in ("katottg", "geonames_id"):
        shared = conn.execute(
            f"SELECT {column}, COUNT(*) FROM places WHERE {column} IS NOT NULL"
            f" GROUP BY {column} HAVING COUNT(*) > 1"
        ).fetchall()
        assert [tuple(r) for r in shared] == [], column
    # and every KATOTTG unit of the fixture is there
    units = {u.code for u in katottg.read_units(FIXTURE_SOURCES / "katottg.tsv")}
    assert units <= set(_places_by_katottg(conn))


def test_enumerated_columns_hold_known_values(conn: sqlite3.Connection) -> None:
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM places")}
    assert kinds <= set(schema.KINDS)
    types = {r[0] for r in conn.execute("SELECT DISTINCT type FROM names")}
    assert types <= set(schema.NAME_TYPES)
    precisions = {r[0] for r in conn.execute("SELECT DISTINCT precision FROM places")}
    assert precisions - {None} <= set(schema.PRECISIONS)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    orphans = conn.execute(
        "SELECT id FROM places WHERE parent_id IS NOT NULL"
        " AND parent_id NOT IN (SELECT id FROM places)"
    ).fetchall()
    assert orphans == []


def test_oleshky_is_one_place_with_all_its_names(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT * FROM places WHERE katottg = ?", (OLESHKY,)).fetchall()
    assert len(rows) == 1
    place = rows[0]
    assert (place["name_uk"], place["kind"], place["geonames_id"]) == ("Олешки", "city", 691037)
    assert place["id"] == "geonames:691037"
    names: dict[str, set[str]] = {}
    for r in conn.execute("SELECT name, type FROM names WHERE place_id = ?", (place["id"],)):
        names.setdefault(r["name"], set()).add(r["type"])
    for name in ("Олешки", "Алешки", "Алёшки", "Aleshki", "Tsiurupynsk", "Цюрупинськ"):
        assert name in names, name
    assert names["Tsiurupynsk"] == {"historical"}
    assert names["Цюрупинськ"] == {"historical"}
    # No other place holds the name Олешки (GeoNames' record was merged, not duplicated).
    holders = conn.execute(
        "SELECT DISTINCT place_id FROM names WHERE name IN ('Олешки', 'Oleshky')"
    ).fetchall()
    assert [r[0] for r in holders] == [place["id"]]


def test_kherson_oblast_names(conn: sqlite3.Connection) -> None:
    region = conn.execute("SELECT * FROM places WHERE iso_code = 'UA-65'").fetchone()
    assert region is not None
    assert (region["kind"], region["name_en"], region["name_uk"]) == (
        "oblast",
        "Kherson Oblast",
        "Херсонська область",
    )
    assert region["katottg"] == "UA65000000000030969"
    names = {
        r[0] for r in conn.execute("SELECT name FROM names WHERE place_id = ?", (region["id"],))
    }
    assert {"Kherson Oblast", "Херсонська область", "Херсонщина"} <= names
    # The region keeps no bare name of its centre city.
    assert "Kherson" not in names and "Херсон" not in names


def test_airport_codes_are_not_names(conn: sqlite3.Connection) -> None:
    kyiv = {r[0] for r in conn.execute("SELECT name FROM names WHERE place_id = 'geonames:703448'")}
    assert "Київ" in kyiv and "Kiev" in kyiv
    assert "IEV" not in kyiv


def test_fixture_geonames_places_all_present(conn: sqlite3.Connection) -> None:
    ids = {
        r[0] for r in conn.execute("SELECT geonames_id FROM places WHERE geonames_id IS NOT NULL")
    }
    missing = [
        (c.geonameid, c.name)
        for c in geonames.read_cities(FIXTURE_SOURCES / "geonames_cities.tsv")
        if c.country in ("UA", "RU") and c.geonameid not in ids
    ]
    assert missing == []


def test_integrity_fts_and_index(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    found = conn.execute(
        "SELECT DISTINCT n.place_id FROM names_fts JOIN names n ON n.id = names_fts.rowid"
        " WHERE names_fts MATCH ?",
        ('"Олешки"',),
    ).fetchall()
    assert "geonames:691037" in {r[0] for r in found}
    assert index.is_current(conn)
    assert index.missing_keys(conn) == []
    assert (
        conn.execute("SELECT COUNT(*) FROM name_keys").fetchone()[0]
        >= conn.execute("SELECT COUNT(*) FROM names").fetchone()[0]
    )


def test_meta_records_the_build(conn: sqlite3.Connection) -> None:
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema_version"] == str(schema.SCHEMA_VERSION)
    assert len(meta["content_version"]) == 16
    sources = {s["file"]: s for s in json.loads(meta["sources"])}
    assert set(sources) == {p.name for p in FIXTURE_SOURCES.glob("*.tsv")}
    assert "CC-BY" in sources["geonames_cities.tsv"]["license"]
    stats = json.loads(meta["build_stats"])
    assert isinstance(stats["curated_unresolved"], list)
    assert stats["katottg_units"] == 765


# -- determinism and atomic replacement --------------------------------------------------------


def _table(path: Path, table: str, order: str) -> list[tuple[object, ...]]:
    c = _connect(path)
    try:
        return [tuple(r) for r in c.execute(f"SELECT * FROM {table} ORDER BY {order}")]
    finally:
        c.close()


def _meta(path: Path, key: str) -> str | None:
    c = _connect(path)
    try:
        row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])
    finally:
        c.close()


def test_same_inputs_give_the_same_content(tiny_db_template: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.sqlite"
    build(again, sources_dir=FIXTURE_SOURCES)
    assert _meta(again, "content_version") == _meta(tiny_db_template, "content_version")
    for table, order in (("places", "id"), ("names", "id"), ("redirects", "old_id")):
        assert _table(again, table, order) == _table(tiny_db_template, table, order), table


def test_build_over_an_existing_file_replaces_it(tiny_db: Path, tiny_db_template: Path) -> None:
    c = sqlite3.connect(tiny_db)
    c.execute("INSERT INTO meta(key, value) VALUES ('marker', 'old file')")
    c.execute("DELETE FROM names WHERE place_id = 'geonames:691037'")
    c.commit()
    c.close()
    stats = build(tiny_db, sources_dir=FIXTURE_SOURCES)
    assert stats["katottg_units"] == 765
    assert _meta(tiny_db, "marker") is None
    assert _meta(tiny_db, "content_version") == _meta(tiny_db_template, "content_version")
    leftovers = [p.name for p in tiny_db.parent.iterdir() if p.name != tiny_db.name]
    assert leftovers == []


def _broken_sources(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, sources)
    with (sources / "katottg.tsv").open("a", encoding="utf-8") as handle:
        handle.write("UA65999999999999999\tC\tone cell too few\n")
    return sources


def test_failed_build_leaves_the_previous_file_untouched(tiny_db: Path, tmp_path: Path) -> None:
    before = tiny_db.read_bytes()
    with pytest.raises(GazetteerError, match=r"katottg\.tsv, line \d+: 3 cells"):
        build(tiny_db, sources_dir=_broken_sources(tmp_path))
    assert tiny_db.read_bytes() == before
    assert not any(p.name.endswith(".building") for p in tiny_db.parent.iterdir())


def test_failed_first_build_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "out" / "new.sqlite"
    with pytest.raises(GazetteerError):
        build(out, sources_dir=_broken_sources(tmp_path))
    assert not out.exists()


# -- the full default gazetteer (slow) -----------------------------------------------------------


@pytest.mark.slow
def test_default_gazetteer_settlements_and_geonames(default_db: Path) -> None:
    c = _connect(default_db)
    try:
        codes = _settlement_codes(DEFAULT_SOURCES)
        assert len(codes) >= 29_000
        problems = _settlement_problems(c, codes, points=False)
        assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:40])
        with_point = c.execute(
            "SELECT COUNT(*) FROM places WHERE katottg IS NOT NULL AND kind IN"
            " ('city', 'settlement', 'village') AND lat IS NOT NULL AND precision IS NOT NULL"
        ).fetchone()[0]
        assert with_point >= 29_000
        ids = {
            r[0] for r in c.execute("SELECT geonames_id FROM places WHERE geonames_id IS NOT NULL")
        }
        missing = [
            f"{city.geonameid} {city.name} {city.country}"
            for city in geonames.read_cities(DEFAULT_SOURCES / "geonames_cities.tsv")
            if city.country in ("UA", "RU") and city.geonameid not in ids
        ]
        assert missing == [], f"{len(missing)} GeoNames places missing: {missing[:40]}"
        for column in ("katottg", "geonames_id"):
            shared = c.execute(
                f"SELECT {column} FROM places WHERE {column} IS NOT NULL"
                f" GROUP BY {column} HAVING COUNT(*) > 1 LIMIT 20"
            ).fetchall()
            assert [r[0] for r in shared] == [], column
    finally:
        c.close()


@pytest.mark.slow
def test_default_gazetteer_every_settlement_has_a_point(default_db: Path) -> None:
    c = _connect(default_db)
    try:
        codes = _settlement_codes(DEFAULT_SOURCES)
        problems = [
            p for p in _settlement_problems(c, codes) if "coordinates" in p or "precision" in p
        ]
        assert problems == [], f"{len(problems)} settlements without a point:\n" + "\n".join(
            problems[:40]
        )
    finally:
        c.close()


def _safe_fold(text: str) -> str:
    try:
        return fold(text)
    except InvalidInputError:  # an empty or unusable name folds to nothing
        return ""


def _current_places(
    row: curated.Renaming,
    places: dict[str, sqlite3.Row],
    names_by_key: dict[str, set[str]],
) -> list[str]:
    """The places a renaming row's current name means (by name, country, kind, oblast, raion),
    found independently of how the build attached the row."""
    keys = {_safe_fold(row.current_uk)}
    if row.kind == "raion":
        keys.add(_safe_fold(f"{row.current_uk} район"))
    if row.kind == "hromada":
        keys.add(_safe_fold(f"{row.current_uk} громада"))
    found = sorted(
        {
            p
            for k in keys - {""}
            for p in names_by_key.get(k, ())
            if places[p]["country"] == row.country
        }
    )
    if row.kind and any(places[p]["kind"] == row.kind for p in found):
        found = [p for p in found if places[p]["kind"] == row.kind]
    if row.country == "UA" and row.oblast_uk:
        oblast = _safe_fold(row.oblast_uk)

        def in_oblast(place_id: str) -> bool:
            region = places.get(places[place_id]["admin1_id"] or "")
            return region is not None and _safe_fold(region["name_uk"] or "").startswith(oblast)

        found = [p for p in found if in_oblast(p)]
    if row.raion_uk:
        raion = _safe_fold(row.raion_uk)
        inside = [
            p
            for p in found
            if _safe_fold(
                (places.get(places[p]["raion_id"] or "") or {"name_uk": ""})["name_uk"] or ""
            ).startswith(raion)
        ]
        found = inside or found
    return found


@pytest.mark.slow
def test_default_gazetteer_resolves_every_renaming(default_db: Path) -> None:
    """Each renaming row whose current place exists: its old name resolves to that place.

    An old name many places share (Жовтневе, Кірове, Петрівка) cannot bring every one of
    them into ten matches; for those the limit is widened to the number of places holding a
    name of the same romanisation-invariant key, so the check is that the place is found at
    all, not that it outranks its namesakes.
    """
    from toponyms import Resolver

    c = _connect(default_db)
    try:
        stats = json.loads(
            c.execute("SELECT value FROM meta WHERE key = 'build_stats'").fetchone()[0]
        )
        unresolved = set(stats.get("curated_unresolved", []))
        places = {r["id"]: r for r in c.execute("SELECT * FROM places WHERE status = 'active'")}
        names_by_key: dict[str, set[str]] = {}
        names_of: dict[str, set[str]] = {}
        for place_id, name in c.execute("SELECT place_id, name FROM names"):
            if place_id in places:
                key = _safe_fold(name)
                names_by_key.setdefault(key, set()).add(place_id)
                names_of.setdefault(place_id, set()).add(key)

        def namesakes(name: str) -> int:
            key = invariant_key(name)
            return int(
                c.execute(
                    "SELECT COUNT(DISTINCT n.place_id) FROM name_keys k JOIN names n"
                    " ON n.id = k.name_id WHERE k.key = ? AND k.kind = 'i'",
                    (key,),
                ).fetchone()[0]
            )

        failures: list[str] = []
        checked = 0
        with Resolver(db=default_db) as resolver:
            for row in curated.read_renamings():
                if f"renamings: {row.current_uk} ({row.oblast_uk}) ← {row.name}" in unresolved:
                    continue
                current = _current_places(row, places, names_by_key)
                if not current:
                    continue  # the current place is not in the gazetteer
                checked += 1
                label = f"{row.name} → {row.current_uk} ({row.oblast_uk}, {row.country})"
                holders = [p for p in current if _safe_fold(row.name) in names_of.get(p, set())]
                if not holders:
                    failures.append(f"{label}: the old name is not a name of {current}")
                    continue
                limit = max(10, namesakes(row.name))
                got = [m.id for m in resolver.resolve(row.name, limit=limit)]
                if not set(holders) & set(got):
                    failures.append(f"{label}: expected {holders}, got {got[:5]} (limit {limit})")
        assert checked >= 300
        assert failures == [], f"{len(failures)} of {checked} renamings fail:\n" + "\n".join(
            failures
        )
    finally:
        c.close()


def _names_of(conn: sqlite3.Connection, place_id: str) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM names WHERE place_id = ?", (place_id,))}


def test_raions_get_their_land_names(conn: sqlite3.Connection) -> None:
    # land_endings.tsv: Бериславський → Бериславщина, Каховський → Каховщина.
    raions = {
        r["name_uk"]: r["id"] for r in conn.execute("SELECT * FROM places WHERE kind = 'raion'")
    }
    assert "Бериславщина" in _names_of(conn, raions["Бериславський район"])
    assert "Каховщина" in _names_of(conn, raions["Каховський район"])
    # Херсонщина is the oblast, not the Kherson raion.
    assert "Херсонщина" not in _names_of(conn, raions["Херсонський район"])
    oblast = conn.execute("SELECT id FROM places WHERE iso_code = 'UA-65'").fetchone()[0]
    assert "Херсонщина" in _names_of(conn, oblast)


def test_a_translation_pycountry_gives_two_regions_stays_with_one() -> None:
    from gazetteer.build import _unshared_translations
    from gazetteer.sources.iso3166 import IsoName

    rows = [
        IsoName("RU-AAA", "RU", 2, "Administrative territory", "en", "Omskiy kray"),
        IsoName("RU-BBB", "RU", 2, "Administrative territory", "en", "Tomskiy kray"),
        IsoName("RU-AAA", "RU", 2, "Administrative territory", "uk", "Томський край"),
        IsoName("RU-BBB", "RU", 2, "Administrative territory", "uk", "Томський край"),
    ]
    kept = {(r.code, r.name) for r in _unshared_translations(rows) if r.lang == "uk"}
    assert kept == {("RU-BBB", "Томський край")}
