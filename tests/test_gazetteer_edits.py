"""Gazetteer maintenance: edits, history, import/export, check, migrations, upgrade.

Every test works on real SQLite files: a user gazetteer made with ``Gazetteer.init`` from
the tiny gazetteer that ``conftest.py`` builds from the fixture sources. The command line
is driven through typer's CliRunner, and through a subprocess where a separate process
matters (a killed import, a reader beside a writer).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gazetteer import schema
from gazetteer.api import Gazetteer
from gazetteer.ops import AddPlace, Merge, delete_names, execute
from toponyms import Resolver, index
from toponyms.errors import (
    GazetteerError,
    ImportFileError,
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
    ReadOnlyGazetteerError,
    UnknownNameError,
    UnknownPlaceError,
)

try:
    from toponyms._cli import app  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from cli import app

REPO = Path(__file__).resolve().parent.parent
HROMADA = "katottg:UA65020010000060480"  # Beryslavska hromada, Kherson oblast (tiny gazetteer)


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture
def user_db(tiny_db: Path, tmp_path: Path) -> Path:
    """A user gazetteer: an ``init`` copy of the tiny default."""
    path = tmp_path / "user.sqlite"
    Gazetteer.init(path, source=tiny_db, author="tester")
    return path


@pytest.fixture
def gaz(user_db: Path) -> Gazetteer:
    return Gazetteer(user_db, author="tester")


def rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def value(path: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    return rows(path, sql, params)[0][0]


def snapshot(path: Path) -> str:
    """A digest of everything an edit may change (to prove that a failed one changed nothing)."""
    digest = hashlib.sha256()
    for table in ("places", "names", "redirects", "history", "name_keys", "meta"):
        for row in rows(path, f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def resolved_ids(path: Path, name: str) -> list[str]:
    with Resolver(db=path) as resolver:
        return [m.id for m in resolver.resolve(name)]


def run_cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def cli_command() -> list[str]:
    """The command line of the CLI for a subprocess: the installed module, else the repo's."""
    try:
        import toponyms._cli  # noqa: F401

        return [sys.executable, "-c", "from toponyms._cli import app; app()"]
    except ImportError:
        return [sys.executable, str(REPO / "cli.py")]


def subprocess_env() -> dict[str, str]:
    from conftest import subprocess_env as base

    return base(TOPONYMS_DB="")


def write_csv(path: Path, n: int, *, start: int = 0) -> Path:
    """n new villages with distinct names, spread out so that none is another's duplicate."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "country", "kind", "lat", "lon", "population", "names"])
        for i in range(start, start + n):
            lat, lon = 45 + (i % 1000) * 0.02, 22 + (i // 1000) * 0.05
            writer.writerow([f"Testville {i}", "UA", "village", lat, lon, i, f"Тестове {i}|uk"])
    return path


# -- init and refusal ------------------------------------------------------------------------
def test_init_makes_a_user_copy_and_the_default_is_refused(tiny_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine.sqlite"
    gazetteer = Gazetteer.init(target, source=tiny_db, author="ann")
    assert value(target, "SELECT value FROM meta WHERE key = 'origin'") == "user"
    assert value(tiny_db, "SELECT value FROM meta WHERE key = 'origin'") == "default"
    assert value(target, "PRAGMA journal_mode") == "wal"
    assert rows(target, "SELECT action, author FROM history") == [("init", "ann")]
    assert value(target, "SELECT COUNT(*) FROM places") == value(
        tiny_db, "SELECT COUNT(*) FROM places"
    )
    with pytest.raises(GazetteerError, match="exists already"):
        Gazetteer.init(target, source=tiny_db)
    before = snapshot(tiny_db)
    with pytest.raises(ReadOnlyGazetteerError, match="gazetteer init"):
        Gazetteer(tiny_db).add_name("geonames:706448", "Khersonopolis")
    assert snapshot(tiny_db) == before
    assert gazetteer.add_name("geonames:706448", "Khersonopolis").id == "geonames:706448"


def test_no_path_and_no_env_means_the_default_which_is_read_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOPONYMS_DB", raising=False)
    with pytest.raises(ReadOnlyGazetteerError, match="init"):
        Gazetteer().add_place(name="Nowhere", country="UA", kind="village", lat=1, lon=1)


def test_toponyms_db_environment_variable_chooses_the_file(
    user_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOPONYMS_DB", str(user_db))
    edit = Gazetteer().add_place(name="Envtown", country="UA", kind="village", lat=46, lon=33)
    assert value(user_db, "SELECT name_en FROM places WHERE id = ?", (edit.id,)) == "Envtown"


# -- add-place -------------------------------------------------------------------------------
def test_add_place_fills_names_chain_index_and_history(gaz: Gazetteer, user_db: Path) -> None:
    first = gaz.add_place(
        name="Зорянівка",
        country="ua",
        kind="village",
        lat=46.7,
        lon=33.1,
        parent=HROMADA,
        population=420,
        reason="field survey",
    )
    second = gaz.add_place(
        name="Zorianivka Druha", country="UA", kind="village", lat=46.8, lon=33.2
    )
    assert (first.id, second.id) == ("local:1", "local:2")
    place = rows(user_db, "SELECT * FROM places WHERE id = 'local:1'")[0]
    columns = [r[1] for r in rows(user_db, "PRAGMA table_info(places)")]
    got = dict(zip(columns, place, strict=True))
    parent = dict(
        zip(columns, rows(user_db, "SELECT * FROM places WHERE id = ?", (HROMADA,))[0], strict=True)
    )
    assert got["name_uk"] == "Зорянівка" and got["name_en"] is None and got["country"] == "UA"
    assert got["parent_id"] == HROMADA and got["hromada_id"] == HROMADA
    assert (got["admin1_id"], got["raion_id"]) == (parent["admin1_id"], parent["raion_id"])
    assert got["precision"] == "user" and got["population"] == 420
    assert rows(
        user_db, "SELECT name, lang, script, type FROM names WHERE place_id = 'local:1'"
    ) == [("Зорянівка", "uk", "Cyrl", "official")]
    assert value(user_db, "SELECT name_en FROM places WHERE id = 'local:2'") == "Zorianivka Druha"
    conn = sqlite3.connect(user_db)
    assert index.missing_keys(conn) == []
    fts = conn.execute("SELECT rowid FROM names_fts WHERE names_fts MATCH 'Зорянівка'").fetchall()
    conn.close()
    assert len(fts) == 1
    history = gaz.history("local:1")
    assert [(h["action"], h["author"], h["reason"]) for h in history] == [
        ("add-place", "tester", "field survey")
    ]
    assert history[0]["details"]["parent"] == HROMADA


@pytest.mark.parametrize(
    ("name", "lang", "column"),
    [("Зорянівка", None, "name_uk"), ("Zoriane", None, "name_en"), ("Зоряное", "ru", "name_ru")],
)
def test_add_place_language_decides_the_canonical_column(
    gaz: Gazetteer, user_db: Path, name: str, lang: str | None, column: str
) -> None:
    edit = gaz.add_place(name=name, country="UA", kind="village", lat=46, lon=33, lang=lang)
    assert value(user_db, f"SELECT {column} FROM places WHERE id = ?", (edit.id,)) == name


def test_cyrillic_name_without_ukrainian_letters_is_und(gaz: Gazetteer, user_db: Path) -> None:
    edit = gaz.add_place(name="Зоряне", country="UA", kind="village", lat=46, lon=33)
    assert edit.details["lang"] == "und"
    assert rows(
        user_db, "SELECT name_uk, name_ru, name_en FROM places WHERE id = ?", (edit.id,)
    ) == [(None, None, None)]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lat": 91}, InvalidCoordinatesError, "latitude 91.0 is outside -90..90"),
        ({"lon": -181}, InvalidCoordinatesError, "longitude -181.0 is outside"),
        ({"lat": float("nan")}, InvalidCoordinatesError, "finite"),
        ({"parent": "local:999"}, UnknownPlaceError, "parent: no place with id 'local:999'"),
        ({"kind": "castle"}, InvalidInputError, "unknown kind 'castle'"),
        ({"country": "Ukraine"}, InvalidInputError, "not an ISO 3166 country code"),
        ({"name": "  \u200b "}, InvalidInputError, "name: text is empty"),
        ({"name": "Bad\x07name"}, InvalidInputError, "control character U\\+0007 at position 3"),
        ({"population": -5}, InvalidInputError, "must not be negative"),
        ({"lang": "Ukrainian!"}, InvalidInputError, "not a language code"),
    ],
)
def test_add_place_bad_input_is_precise_and_changes_nothing(
    gaz: Gazetteer, user_db: Path, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    args: dict[str, Any] = {
        "name": "Okay",
        "country": "UA",
        "kind": "village",
        "lat": 46,
        "lon": 33,
    }
    before = snapshot(user_db)
    with pytest.raises(error, match=message):
        gaz.add_place(**{**args, **kwargs})
    assert snapshot(user_db) == before


def test_hostile_names_are_stored_as_names(gaz: Gazetteer, user_db: Path) -> None:
    hostile = "'); DROP TABLE places;--"
    places = value(user_db, "SELECT COUNT(*) FROM places")
    edit = gaz.add_place(name=hostile, country="UA", kind="village", lat=46, lon=33)
    gaz.add_name(edit.id, 'Robert"); DELETE FROM names; --', lang="en")
    assert value(user_db, "SELECT name_en FROM places WHERE id = ?", (edit.id,)) == hostile
    assert value(user_db, "SELECT COUNT(*) FROM names WHERE place_id = ?", (edit.id,)) == 2
    assert value(user_db, "SELECT COUNT(*) FROM places") == places + 1
    exported = gaz.export(format="csv")
    assert hostile in exported


# -- names -----------------------------------------------------------------------------------
def test_add_name_types_dates_and_validation(gaz: Gazetteer, user_db: Path) -> None:
    place = gaz.add_place(name="Zoriane", country="UA", kind="village", lat=46, lon=33).id
    edit = gaz.add_name(
        place,
        "Stalinka",
        type="historical",
        lang="ru",
        valid_from="1930",
        valid_to="1961-11-10",
        source="decree",
    )
    assert rows(
        user_db,
        "SELECT name, lang, type, valid_from, valid_to, source FROM names WHERE id = ?",
        (edit.details["name_id"],),
    ) == [("Stalinka", "ru", "historical", "1930", "1961-11-10", "decree")]
    gaz.add_name(place, "Зоряне", type="official", lang="uk")
    assert value(user_db, "SELECT name_uk FROM places WHERE id = ?", (place,)) == "Зоряне"
    before = snapshot(user_db)
    bad: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"valid_from": "1961-02-30"}, InvalidDateError, "valid-from: not a date: '1961-02-30'"),
        ({"valid_from": "2000", "valid_to": "1990"}, InvalidDateError, "before valid-from"),
        ({"type": "nickname"}, InvalidInputError, "unknown name type 'nickname'"),
        ({"lang": "ru", "type": "historical"}, InvalidInputError, "already has the historical"),
    ]
    for kwargs, error, message in bad:
        with pytest.raises(error, match=message):
            gaz.add_name(place, "Stalinka", **kwargs)
    with pytest.raises(UnknownPlaceError, match="no place with id 'local:404'"):
        gaz.add_name("local:404", "Anything")
    with pytest.raises(InvalidInputError, match="control character"):
        gaz.add_name(place, "Tab\x00bed")
    assert snapshot(user_db) == before


def test_remove_name_drops_keys_and_fts_and_refuses_the_last_name(
    gaz: Gazetteer, user_db: Path
) -> None:
    place = gaz.add_place(name="Zoriane", country="UA", kind="village", lat=46, lon=33).id
    name_id = gaz.add_name(place, "Zirkanovaia", lang="en").details["name_id"]
    assert value(user_db, "SELECT COUNT(*) FROM name_keys WHERE name_id = ?", (name_id,)) > 0
    edit = gaz.remove_name(place, "Zirkanovaia")
    assert edit.details["removed"] == [{"lang": "en", "type": "alternate"}]
    assert value(user_db, "SELECT COUNT(*) FROM name_keys WHERE name_id = ?", (name_id,)) == 0
    assert value(user_db, "SELECT COUNT(*) FROM names_fts WHERE names_fts MATCH 'Zirkanovaia'") == 0
    assert resolved_ids(user_db, "Zirkanovaia") == []
    with pytest.raises(UnknownNameError, match="has no name 'Zirkanovaia'"):
        gaz.remove_name(place, "Zirkanovaia")
    with pytest.raises(InvalidInputError, match=r"only name .* retire the place"):
        gaz.remove_name(place, "Zoriane")
    assert gaz.check()["ok"]


def test_rename_makes_the_old_name_historical(gaz: Gazetteer, user_db: Path) -> None:
    place = gaz.add_place(
        name="Жовтневе", country="UA", kind="village", lat=46, lon=33, lang="uk"
    ).id
    edit = gaz.rename(place, "Зоряне", date="2016-05-12", lang="uk", source="Resolution 1353-VIII")
    assert edit.details["old"] == ["Жовтневе"]
    assert rows(
        user_db,
        "SELECT name, type, valid_from, valid_to FROM names WHERE place_id = ? ORDER BY id",
        (place,),
    ) == [
        ("Жовтневе", "historical", None, "2016-05-12"),
        ("Зоряне", "official", "2016-05-12", None),
    ]
    assert value(user_db, "SELECT name_uk FROM places WHERE id = ?", (place,)) == "Зоряне"
    with Resolver(db=user_db) as resolver:
        # Upstream villages renamed from Жовтневе in 2016 carry the name too.
        old = resolver.resolve("Жовтневе", as_of="2010-01-01", limit=20)
        mine = [m for m in old if m.id == place]
        assert mine and mine[0].match_type == "historical"
    before = snapshot(user_db)
    with pytest.raises(InvalidDateError, match="before 'Зоряне' became official"):
        gaz.rename(place, "Зоряне Нове", date="2001-01-01", lang="uk")
    with pytest.raises(InvalidDateError, match="not a date"):
        gaz.rename(place, "Зоряне Нове", date="yesterday", lang="uk")
    with pytest.raises(InvalidInputError, match="already the official uk name"):
        gaz.rename(place, "Зоряне", date="2020", lang="uk")
    assert snapshot(user_db) == before


# -- merge, retire, set ----------------------------------------------------------------------
def test_merge_moves_names_and_children_and_redirects(gaz: Gazetteer, user_db: Path) -> None:
    keep = gaz.add_place(name="Zoriane", country="UA", kind="village", lat=46.5, lon=33.0).id
    dup = gaz.add_place(
        name="Zoriane", country="UA", kind="village", lat=46.501, lon=33.0, population=310
    ).id
    gaz.add_name(dup, "Zirochka Unique", lang="en")
    child = gaz.add_place(
        name="Zoriane Khutir", country="UA", kind="place", lat=46.51, lon=33.0, parent=dup
    ).id
    report = gaz.check()
    assert report["counts"]["duplicates"] == 1 and not report["ok"]
    with Resolver(db=user_db) as resolver:
        assert {m.id for m in resolver.resolve("Zoriane")} >= {keep, dup}
        edit = gaz.merge(dup, keep, reason="same village")
        assert edit.id == keep and edit.details["duplicate"] == dup
        assert [m.id for m in resolver.resolve("Zirochka Unique")] == [keep]
        assert resolver.place(dup).id == keep
    with Resolver(db=user_db) as fresh:
        assert fresh.place(dup).id == keep
    assert value(user_db, "SELECT COUNT(*) FROM places WHERE id = ?", (dup,)) == 0
    assert value(user_db, "SELECT parent_id FROM places WHERE id = ?", (child,)) == keep
    assert value(user_db, "SELECT population FROM places WHERE id = ?", (keep,)) == 310
    assert rows(user_db, "SELECT new_id, reason FROM redirects WHERE old_id = ?", (dup,)) == [
        (keep, "same village")
    ]
    types = rows(user_db, "SELECT name, type FROM names WHERE place_id = ? ORDER BY id", (keep,))
    assert ("Zirochka Unique", "alternate") in types and len(types) == 2  # the twin was dropped
    assert gaz.check()["ok"]
    merged_history = ["add-place", "add-place", "add-name", "merge"]  # keep's and dup's
    assert [h["action"] for h in gaz.history(keep)] == merged_history
    assert [h["action"] for h in gaz.history(dup)][:2] == ["add-place", "add-name"]
    before = snapshot(user_db)
    with pytest.raises(InvalidInputError, match="into itself"):
        gaz.merge(keep, keep)
    with pytest.raises(UnknownPlaceError, match=f"{dup!r} was merged into {keep!r}"):
        gaz.merge(dup, keep)
    assert snapshot(user_db) == before


def test_retire_hides_a_place_from_the_resolver(gaz: Gazetteer, user_db: Path) -> None:
    a = gaz.add_place(name="Dvoinyky", country="UA", kind="village", lat=46.2, lon=33.0).id
    b = gaz.add_place(name="Dvoinyky", country="UA", kind="village", lat=47.2, lon=34.0).id
    assert set(resolved_ids(user_db, "Dvoinyky")) == {a, b}
    gaz.retire(a, reason="flooded by the reservoir", author="hydro")
    assert resolved_ids(user_db, "Dvoinyky") == [b]
    assert rows(user_db, "SELECT status, status_reason FROM places WHERE id = ?", (a,)) == [
        ("retired", "flooded by the reservoir")
    ]
    with pytest.raises(InvalidInputError, match="already retired"):
        gaz.retire(a, reason="again")
    with pytest.raises(InvalidInputError, match="reason: text is empty"):
        gaz.retire(b, reason=" ")
    assert gaz.history(a)[-1]["author"] == "hydro"


def test_set_changes_point_population_kind(gaz: Gazetteer, user_db: Path) -> None:
    place = gaz.add_place(name="Zoriane", country="UA", kind="village", lat=46, lon=33).id
    edit = gaz.set(place, lat=46.25, lon=33.5, population=1200, kind="settlement")
    assert edit.details["changes"]["population"] == [None, 1200]
    assert rows(
        user_db, "SELECT lat, lon, population, kind FROM places WHERE id = ?", (place,)
    ) == [(46.25, 33.5, 1200, "settlement")]
    before = snapshot(user_db)
    with pytest.raises(InvalidCoordinatesError, match="together"):
        gaz.set(place, lat=47)
    with pytest.raises(InvalidCoordinatesError, match=r"latitude -90\.5"):
        gaz.set(place, lat=-90.5, lon=0)
    with pytest.raises(InvalidInputError, match="nothing to set"):
        gaz.set(place)
    with pytest.raises(InvalidInputError, match="unknown kind"):
        gaz.set(place, kind="metropolis")
    assert snapshot(user_db) == before


# -- resolver and extractor see edits at once ------------------------------------------------
def test_resolver_and_extractor_see_each_edit_immediately(gaz: Gazetteer, user_db: Path) -> None:
    with Resolver(db=user_db) as resolver:
        assert resolver.resolve("Kvitucha Balka") == []
        place = gaz.add_place(
            name="Kvitucha Balka", country="UA", kind="village", lat=46.6, lon=32.9, parent=HROMADA
        ).id
        assert [m.id for m in resolver.resolve("Kvitucha Balka")] == [place]
        gaz.add_name(place, "Квітуча Балка", lang="uk")
        mentions = resolver.extract("Вчора в Квітучій Балці відкрили школу.")
        assert [m.match.id for m in mentions if m.match is not None] == [place]
        gaz.set(place, lat=46.7, lon=33.0)
        assert resolver.resolve("Kvitucha Balka")[0].place.lat == 46.7


# -- history ---------------------------------------------------------------------------------
def test_history_records_when_who_what_why(user_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "olena")
    gaz = Gazetteer(user_db)
    place = gaz.add_place(name="Zoriane", country="UA", kind="village", lat=46, lon=33).id
    gaz.add_name(place, "Zorka", author="petro", reason="local usage")
    everything = gaz.history()
    assert [h["action"] for h in everything] == ["init", "add-place", "add-name"]
    last = everything[-1]
    assert (last["author"], last["reason"], last["place_id"]) == ("petro", "local usage", place)
    assert everything[1]["author"] == "olena"
    assert last["at"].endswith("Z") and last["at"][:4].isdigit()
    assert last["details"]["name"] == "Zorka"
    assert gaz.history(place, limit=1) == [last]


# -- import and export -----------------------------------------------------------------------
IMPORT_CSV = (
    "id,name,country,kind,lat,lon,parent,lang,population,names\n"
    ",Zoriane Pole,UA,village,46.61,32.91,local:50,,150,"
    "Зоряне Поле|uk|official;Zorianoe\\; Pole|ru|alternate\n"
    "local:50,Зоряна громада,UA,hromada,46.6,32.9,,uk,,\n"
)


def test_import_creates_places_parents_first_with_names_and_history(
    gaz: Gazetteer, user_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "places.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    summary = gaz.import_file(path, reason="survey 2024")
    assert (summary["created"], summary["updated"], summary["ids"]) == (
        2,
        0,
        ["local:50", "local:51"],
    )
    assert rows(
        user_db,
        "SELECT parent_id, hromada_id, name_uk, name_en, population FROM places"
        " WHERE id = 'local:51'",
    ) == [("local:50", "local:50", "Зоряне Поле", "Zoriane Pole", 150)]
    assert ("Zorianoe; Pole", "ru", "alternate") in rows(
        user_db, "SELECT name, lang, type FROM names WHERE place_id = 'local:51'"
    )
    assert [h["action"] for h in gaz.history()][-3:] == ["import-place", "import-place", "import"]
    assert gaz.history("local:51")[0]["reason"] == "survey 2024"
    assert resolved_ids(user_db, "Зоряне Поле") == ["local:51"]
    assert gaz.check()["ok"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["Ok,UA,village,46,33", "Bad,UA,village,95,33"],
            "line 3: latitude 95.0 is outside -90..90",
        ),
        (["Ok,UA,village,46,33", "Bad,UA,village,46"], "line 3: 4 cells, the header has 5"),
        (["Ok,UA,castle,46,33"], "line 2: unknown kind 'castle'"),
        (["Ok,UA,village,46,abc"], "line 2: lon: not a number: 'abc'"),
        (["Ok,UA,village,46,"], "line 2: lat and lon must both be given"),
        (
            ["Ok,UA,village,46,33", "", "Bad\x01,UA,village,46,33"],
            "line 4: name: text contains control",
        ),
        (["Ok,UA,village,46,33", '"unterminated,UA,village,46,33'], "line 3: "),
        (["  ,UA,village,46,33"], "line 2: name: text is empty"),
    ],
)
def test_a_bad_row_fails_the_whole_import_by_its_line(
    gaz: Gazetteer, user_db: Path, tmp_path: Path, lines: list[str], message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(["name,country,kind,lat,lon", *lines]) + "\n", encoding="utf-8")
    before = snapshot(user_db)
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
        gaz.import_file(path)
    assert snapshot(user_db) == before


def test_import_problems_with_columns_parents_and_names(
    gaz: Gazetteer, user_db: Path, tmp_path: Path
) -> None:
    head = "name,country,kind,lat,lon"
    cases = {
        "name,country,kind,lat\nA,UA,village,1\n": "line 1: missing column(s) lon",
        "name,country,kind,lat,lon,populaton\nA,UA,village,1,1,5\n": "unknown column 'populaton'",
        f"{head},parent\nA,UA,village,1,1,geonames:0\n": "line 2: parent: no place",
        f"{head},names\nA,UA,village,1,1,B|uk|alias\n": "line 2: unknown name type",
        f"{head},names\nA,UA,village,1,1,B|uk|historical|1999-02-31\n": "line 2: valid_from",
        "id,name,country,kind,lat,lon,parent\nlocal:7,A,UA,village,1,1,local:8\n"
        "local:8,B,UA,village,1,1,local:7\n": "makes a cycle",
        "id,name,country,kind,lat,lon\nlocal:7,A,UA,village,1,1\nlocal:7,B,UA,village,1,1\n": (
            "line 3: id 'local:7' appears again"
        ),
        "id,name,country,kind,lat,lon\nnot an id,A,UA,village,1,1\n": "line 2: not a place id",
        "": "empty",
    }
    before = snapshot(user_db)
    for number, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"case{number}.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ImportFileError, match=re.escape(message)):
            gaz.import_file(path)
    (tmp_path / "latin1.csv").write_bytes(
        "name,country,kind,lat,lon\nK\xf6ln,DE,city,50,7\n".encode("latin-1")
    )
    with pytest.raises(ImportFileError, match="line 2: not UTF-8"):
        gaz.import_file(tmp_path / "latin1.csv")
    with pytest.raises(ImportFileError, match="cannot read"):
        gaz.import_file(tmp_path / "missing.csv")
    assert snapshot(user_db) == before


def test_import_dry_run_counts_and_changes_nothing(
    gaz: Gazetteer, user_db: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "ten.csv", 10)
    before = snapshot(user_db)
    summary = gaz.import_file(path, dry_run=True)
    assert (summary["created"], summary["dry_run"]) == (10, True)
    assert snapshot(user_db) == before


def test_import_geojson_and_tsv(gaz: Gazetteer, user_db: Path, tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "local:20",
                "geometry": {"type": "Point", "coordinates": [33.1, 46.4]},
                "properties": {
                    "name": "Geoville",
                    "country": "UA",
                    "kind": "village",
                    "names": [{"name": "Геовіль", "lang": "uk", "type": "official"}],
                },
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"name": "Pointless", "country": "UA", "kind": "place"},
            },
        ],
    }
    (tmp_path / "p.geojson").write_text(json.dumps(collection), encoding="utf-8")
    summary = gaz.import_file(tmp_path / "p.geojson")
    assert summary["ids"] == ["local:20", "local:21"]
    assert rows(user_db, "SELECT lat, lon, name_uk, name_en FROM places WHERE id = 'local:20'") == [
        (46.4, 33.1, "Геовіль", "Geoville")
    ]
    assert value(user_db, "SELECT lat FROM places WHERE id = 'local:21'") is None
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [33, 99]},
                "properties": {"name": "X", "country": "UA", "kind": "village"},
            }
        ],
    }
    (tmp_path / "bad.geojson").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"feature 1: latitude 99\.0"):
        gaz.import_file(tmp_path / "bad.geojson")
    (tmp_path / "p.tsv").write_text(
        'name\tcountry\tkind\tlat\tlon\tnames\nTabby "Quoted"\tUA\tvillage\t46\t33\tТабі|uk\n',
        encoding="utf-8",
    )
    assert gaz.import_file(tmp_path / "p.tsv")["ids"] == ["local:22"]
    assert value(user_db, "SELECT name_en FROM places WHERE id = 'local:22'") == 'Tabby "Quoted"'


@pytest.mark.parametrize("fmt", ["csv", "tsv", "geojson"])
def test_export_import_round_trips(
    gaz: Gazetteer, user_db: Path, tiny_db: Path, tmp_path: Path, fmt: str
) -> None:
    place = gaz.add_place(
        name="Жовтневе",
        country="UA",
        kind="village",
        lat=46.61,
        lon=32.93,
        parent=HROMADA,
        population=77,
    ).id
    gaz.add_name(place, "Zhovtneve|Pipe;Semi\\Slash", lang="en", type="alternate", source="a|b")
    gaz.rename(place, "Зоряне", date="2016-05-12", lang="uk")
    gaz.add_place(
        name="'); DROP TABLE places;--",
        country="UA",
        kind="place",
        lat=46.62,
        lon=32.94,
        parent=place,
    )
    gaz.set("geonames:706448", population=283649)
    exported = gaz.export(format=fmt)
    again = Gazetteer.init(tmp_path / "other.sqlite", source=tiny_db)
    path = tmp_path / f"export.{fmt}"
    path.write_text(exported, encoding="utf-8")
    summary = again.import_file(path)
    assert (summary["created"], summary["updated"]) == (2, 1)
    assert again.export(format=fmt) == exported
    assert gaz.import_file(path)["unchanged"] == summary["places"]  # into itself: a no-op
    ua_only = gaz.export(format=fmt, country="UA")
    assert "geonames:2017370" not in ua_only and place in ua_only


# -- command line ----------------------------------------------------------------------------
def test_cli_edits_print_ids_and_json(user_db: Path, tmp_path: Path) -> None:
    db = ["--db", str(user_db)]
    added = run_cli(
        "gazetteer",
        "add-place",
        "--name",
        "Клин",
        "--country",
        "UA",
        "--kind",
        "village",
        "--lat",
        "-33.5",
        "--lon",
        "32",
        "--parent",
        HROMADA,
        *db,
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == "local:1"
    named = run_cli(
        "gazetteer",
        "add-name",
        "local:1",
        "Klyn",
        "--lang",
        "en",
        "--type",
        "exonym",
        "--author",
        "cli-user",
        "--reason",
        "map",
        "--format",
        "json",
        *db,
    )
    assert named.exit_code == 0 and json.loads(named.stdout)["id"] == "local:1"
    commands = [
        ["rename", "local:1", "Клинове", "--date", "2024-01-01", "--source", "decree"],
        ["set", "local:1", "--population", "12", "--lat", "46.7", "--lon", "33"],
        [
            "add-place",
            "--name",
            "Klyn Two",
            "--country",
            "UA",
            "--kind",
            "village",
            "--lat",
            "46.7",
            "--lon",
            "33",
        ],
        ["merge", "local:2", "local:1"],
        ["remove-name", "local:1", "Klyn"],
        ["retire", "local:1", "--reason", "test over"],
    ]
    for command in commands:
        result = run_cli("gazetteer", *command, *db)
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout.strip() == ("local:2" if "Klyn Two" in command else "local:1")
    history = run_cli("gazetteer", "history", "local:1", "--format", "json", *db)
    actions = [h["action"] for h in json.loads(history.stdout)]
    assert actions == [
        "add-place",
        "add-name",
        "rename",
        "set",
        "add-place",
        "merge",
        "remove-name",
        "retire",
    ]
    assert json.loads(history.stdout)[1]["author"] == "cli-user"
    exported = run_cli("gazetteer", "export", "--format", "geojson", "--country", "UA", *db)
    assert exported.exit_code == 0 and json.loads(exported.stdout)["type"] == "FeatureCollection"
    checked = run_cli("gazetteer", "check", "--format", "json", *db)
    assert checked.exit_code == 0 and json.loads(checked.stdout)["ok"] is True


def test_cli_import_export_and_errors(user_db: Path, tiny_db: Path, tmp_path: Path) -> None:
    db = ["--db", str(user_db)]
    csv_path = write_csv(tmp_path / "five.csv", 5)
    dry = run_cli("gazetteer", "import", str(csv_path), "--dry-run", "--format", "json", *db)
    assert dry.exit_code == 0 and json.loads(dry.stdout)["created"] == 5
    done = run_cli("gazetteer", "import", str(csv_path), *db)
    assert done.exit_code == 0 and done.stdout.split() == [f"local:{i}" for i in range(1, 6)]
    out = tmp_path / "out.tsv"
    assert run_cli("gazetteer", "export", "--format", "tsv", "--out", str(out), *db).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("id\tname\tlang\tkind")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,country,kind,lat,lon\nA,UA,village,1,1\nB,UA,village,100,1\n")
    failed = run_cli("gazetteer", "import", str(bad), *db)
    assert failed.exit_code == 2 and "line 3: latitude 100.0" in failed.stderr
    refused = run_cli("gazetteer", "add-name", "geonames:706448", "X", "--db", str(tiny_db))
    assert refused.exit_code == 1 and "gazetteer init" in refused.stderr
    unknown = run_cli("gazetteer", "retire", "local:99", "--reason", "x", *db)
    assert unknown.exit_code == 2 and "no place with id 'local:99'" in unknown.stderr
    no_db = run_cli("gazetteer", "add-name", "local:1", "X", env={"TOPONYMS_DB": ""})
    assert no_db.exit_code == 1 and "read-only" in no_db.stderr
    env = run_cli("gazetteer", "add-name", "local:1", "Via Env", env={"TOPONYMS_DB": str(user_db)})
    assert env.exit_code == 0 and env.stdout.strip() == "local:1"


def test_cli_init_in_a_subprocess_then_the_resolver_sees_the_edit(
    tiny_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "sub.sqlite"
    base = cli_command()
    env = subprocess_env()
    made = subprocess.run(
        [*base, "gazetteer", "init", str(path), "--from", str(tiny_db)],
        env=env,
        cwd=tmp_path,  # not the checkout, whose toponyms/ would shadow the installed one
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    with Resolver(db=path) as resolver:
        assert resolver.resolve("Subprocessivka") == []
        added = subprocess.run(
            [
                *base,
                "gazetteer",
                "add-place",
                "--name",
                "Subprocessivka",
                "--country",
                "UA",
                "--kind",
                "village",
                "--lat",
                "46.3",
                "--lon",
                "33.3",
                "--db",
                str(path),
                "--format",
                "json",
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert added.returncode == 0, added.stderr
        assert [m.id for m in resolver.resolve("Subprocessivka")] == [
            json.loads(added.stdout)["id"]
        ]


# -- safety: killed import, concurrent reader ------------------------------------------------
def _counts(path: Path) -> tuple[int, int, int]:
    """Places, names and history rows, read in one transaction (one snapshot)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        result = tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("places", "names", "history")
        )
        conn.execute("COMMIT")
        return (result[0], result[1], result[2])
    finally:
        conn.close()


def test_an_import_killed_halfway_leaves_all_or_nothing(user_db: Path, tmp_path: Path) -> None:
    n = 50_000
    csv_path = write_csv(tmp_path / "big.csv", n)
    places_before = _counts(user_db)[0]
    wal = Path(f"{user_db}-wal")
    process = subprocess.Popen(
        [*cli_command(), "gazetteer", "import", str(csv_path), "--db", str(user_db)],
        env=subprocess_env(),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:  # pages of the open transaction
            break
        time.sleep(0.02)
    still_running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert still_running, "the import ended before it could be killed"
    assert value(user_db, "PRAGMA integrity_check") == "ok"
    assert _counts(user_db)[0] in (places_before, places_before + n)
    checked = run_cli("gazetteer", "check", "--db", str(user_db))
    assert checked.exit_code == 0, checked.output
    assert Gazetteer(user_db).add_place(name="After", country="UA", kind="village", lat=1, lon=1)


def test_a_reader_sees_before_or_after_never_part_of_an_import(
    user_db: Path, tmp_path: Path
) -> None:
    n = 4000
    csv_path = write_csv(tmp_path / "mid.csv", n)
    before = _counts(user_db)
    process = subprocess.Popen(
        [*cli_command(), "gazetteer", "import", str(csv_path), "--db", str(user_db)],
        env=subprocess_env(),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen: list[tuple[int, int, int]] = []
    while process.poll() is None:
        seen.append(_counts(user_db))
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    after = _counts(user_db)
    assert after[0] == before[0] + n and after[1] == before[1] + 2 * n
    assert len(seen) > 10
    assert set(seen) <= {before, after}, set(seen) - {before, after}


# -- check -----------------------------------------------------------------------------------
def test_check_finds_each_kind_of_problem(gaz: Gazetteer, user_db: Path) -> None:
    assert gaz.check()["ok"]
    _upstream_duplicate(user_db)
    place = gaz.add_place(name="Zoriane", country="UA", kind="village", lat=46, lon=33).id
    gaz.add_place(name="Zoriane", country="UA", kind="village", lat=46.001, lon=33)
    conn = sqlite3.connect(user_db)
    conn.execute(
        "UPDATE places SET parent_id = 'geonames:0', admin1_id = 'nowhere' WHERE id = ?", (place,)
    )
    conn.execute("INSERT INTO names (place_id, name) VALUES (?, ' ')", (place,))
    conn.execute(
        "INSERT INTO names (place_id, name, script) VALUES (?, 'Unindexed', 'Latn')", (place,)
    )
    conn.execute("INSERT INTO redirects (old_id, new_id) VALUES ('local:77', 'local:78')")
    conn.execute("UPDATE places SET lat = 0, lon = 0 WHERE id = 'geonames:706448'")
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'index_version'")
    conn.commit()
    conn.close()
    report = gaz.check()
    counts = report["counts"]
    assert not report["ok"]
    assert counts["orphans"] == 2 and counts["duplicates"] == 1 and counts["empty_names"] == 1
    assert counts["bad_redirects"] == 1 and counts["bad_coordinates"] == 1
    assert counts["index"] == 2 and counts["fts"] == 1  # stale version, an unindexed name
    assert report["warning_counts"]["upstream_duplicates"] > 0
    result = run_cli("gazetteer", "check", "--db", str(user_db))
    assert result.exit_code == 1 and "problem: orphans: 2" in result.stdout
    assert run_cli("gazetteer", "check", "--fix", "--db", str(user_db)).exit_code == 1
    fixed = gaz.check()["counts"]
    assert fixed["index"] == 0 and fixed["fts"] == 0 and fixed["empty_names"] == 0
    assert fixed["orphans"] == 2  # needs a person: merge, set or retire
    assert gaz.history()[-1]["details"]["deleted_empty_names"][0]["place_id"] == place


def _upstream_duplicate(user_db: Path) -> None:
    """Put two upstream namesakes of one kind on one point, as a source may (two villages
    of one name at their hromada's centre), without an edit of the user's."""
    conn = sqlite3.connect(user_db)
    first, second = conn.execute(
        "SELECT a.id, b.id FROM places a JOIN places b ON a.name_uk = b.name_uk"
        " AND a.kind = b.kind AND a.id < b.id WHERE a.kind = 'village' ORDER BY a.id LIMIT 1"
    ).fetchone()
    conn.execute(
        "UPDATE places SET lat = (SELECT lat FROM places WHERE id = ?),"
        " lon = (SELECT lon FROM places WHERE id = ?) WHERE id = ?",
        (first, first, second),
    )
    conn.commit()
    conn.close()


def test_check_strict_fails_on_upstream_duplicates(user_db: Path) -> None:
    _upstream_duplicate(user_db)
    assert run_cli("gazetteer", "check", "--db", str(user_db)).exit_code == 0
    strict = run_cli("gazetteer", "check", "--strict", "--format", "json", "--db", str(user_db))
    assert (
        strict.exit_code == 1 and json.loads(strict.stdout)["warning_counts"]["upstream_duplicates"]
    )


# -- schema migration and a stale index ------------------------------------------------------
def _make_version_0(path: Path) -> None:
    """Turn a user gazetteer into the version-0 shape: no history, no place status."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("DROP TABLE history")
    conn.execute("ALTER TABLE places DROP COLUMN status_reason")
    conn.execute("ALTER TABLE places DROP COLUMN status")
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.close()


def test_an_old_user_gazetteer_is_migrated_after_a_backup(user_db: Path) -> None:
    _make_version_0(user_db)
    assert "status" not in [r[1] for r in rows(user_db, "PRAGMA table_info(places)")]
    edit = Gazetteer(user_db).add_place(name="Migrated", country="UA", kind="village", lat=1, lon=1)
    backup = schema.backup_path(user_db, 0)
    assert backup.name == "user.sqlite.bak-v0" and backup.exists()
    assert value(backup, "SELECT value FROM meta WHERE key = 'schema_version'") == "0"
    assert "status" not in [r[1] for r in rows(backup, "PRAGMA table_info(places)")]
    assert value(user_db, "SELECT value FROM meta WHERE key = 'schema_version'") == str(
        schema.SCHEMA_VERSION
    )
    assert value(user_db, "SELECT status FROM places WHERE id = ?", (edit.id,)) == "active"
    assert (
        value(user_db, "SELECT COUNT(*) FROM places WHERE status = 'active'")
        == value(backup, "SELECT COUNT(*) FROM places") + 1
    )
    assert [a for (a,) in rows(user_db, "SELECT action FROM history")] == ["migrate", "add-place"]
    assert resolved_ids(user_db, "Migrated") == [edit.id]


def test_a_stale_index_is_rebuilt_when_opened_for_writing(gaz: Gazetteer, user_db: Path) -> None:
    conn = sqlite3.connect(user_db)
    conn.execute("DELETE FROM name_keys WHERE key LIKE 'k%'")
    conn.execute("UPDATE meta SET value = 'old' WHERE key = 'index_version'")
    conn.commit()
    conn.close()
    with pytest.raises(GazetteerError, match="index was made by another version"):
        Resolver(db=user_db)
    gaz.add_name("geonames:706448", "Khersonia")
    assert (
        value(user_db, "SELECT value FROM meta WHERE key = 'index_version'") == index.INDEX_VERSION
    )
    conn = sqlite3.connect(user_db)
    assert index.missing_keys(conn) == []
    conn.close()
    assert "reindex" in [h["action"] for h in gaz.history()]
    assert "geonames:706448" in resolved_ids(user_db, "Kherson")


# -- upgrade onto a new default --------------------------------------------------------------
def _new_default(tiny_db: Path, target: Path, *, deleted: str, merged: tuple[str, str]) -> Path:
    """A "next release" of the tiny default: one place gone, one merged upstream, one new
    place, one population changed, another content version."""
    Gazetteer.init(target, source=tiny_db)  # a writable copy, made a default again below
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("BEGIN")
    doomed = conn.execute("SELECT id, name, script FROM names WHERE place_id = ?", (deleted,))
    delete_names(conn, doomed.fetchall())
    conn.execute("UPDATE places SET parent_id = NULL WHERE parent_id = ?", (deleted,))
    conn.execute("DELETE FROM places WHERE id = ?", (deleted,))
    execute(conn, Merge(*merged))
    execute(
        conn,
        AddPlace(
            name="Upstreamivka",
            country="UA",
            kind="village",
            lat=46.9,
            lon=33.9,
            place_id="geonames:999000001",
        ),
    )
    conn.execute("UPDATE places SET population = 300000 WHERE id = 'geonames:706448'")
    conn.execute("DELETE FROM history")
    conn.execute("UPDATE meta SET value = 'default' WHERE key = 'origin'")
    conn.execute("UPDATE meta SET value = 'release-2' WHERE key = 'content_version'")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return target


def test_upgrade_replays_local_edits_onto_a_new_default(
    gaz: Gazetteer, user_db: Path, tiny_db: Path, tmp_path: Path
) -> None:
    villages = [
        r[0]
        for r in rows(
            user_db,
            "SELECT id FROM places WHERE kind = 'village' AND id NOT IN"
            " (SELECT parent_id FROM places WHERE parent_id IS NOT NULL) ORDER BY id LIMIT 5",
        )
    ]
    gone, merged_away, merged_into, retired, renamed = villages
    new_default = _new_default(
        tiny_db, tmp_path / "default-2.sqlite", deleted=gone, merged=(merged_away, merged_into)
    )
    local = gaz.add_place(
        name="Moie Selo", country="UA", kind="village", lat=46.1, lon=33.1, parent=HROMADA
    ).id
    gaz.add_name(local, "Моє Село", lang="uk", type="official")
    gaz.add_name(gone, "Vanished Alias")
    gaz.add_name(merged_away, "Merged Alias")
    gaz.retire(retired, reason="abandoned")
    gaz.rename(renamed, "Перейменоване", date="2024-09-19", lang="uk")
    gaz.set("geonames:706448", lat=46.64, lon=32.61)
    imported = write_csv(tmp_path / "two.csv", 2)
    gaz.import_file(imported)
    history_before = gaz.history()

    summary = Gazetteer.upgrade(user_db, source=new_default, author="upgrader")

    assert summary["replayed"] == 8 and [s["place_id"] for s in summary["skipped"]] == [gone]
    assert Path(summary["backup"]).exists()
    after = Gazetteer(user_db)
    assert [h["id"] for h in after.history()][: len(history_before)] == [
        h["id"] for h in history_before
    ]
    assert after.history()[-1]["action"] == "upgrade"
    assert value(user_db, "SELECT value FROM meta WHERE key = 'origin'") == "user"
    assert (
        value(user_db, "SELECT value FROM meta WHERE key = 'upstream_content_version'")
        == "release-2"
    )
    assert resolved_ids(user_db, "Upstreamivka") == ["geonames:999000001"]  # new upstream data
    assert resolved_ids(user_db, "Моє Село") == [local]
    assert resolved_ids(user_db, "Merged Alias") == [merged_into]  # followed the upstream merge
    assert resolved_ids(user_db, "Testville 1") == ["local:3"]
    assert value(user_db, "SELECT status FROM places WHERE id = ?", (retired,)) == "retired"
    assert value(user_db, "SELECT name_uk FROM places WHERE id = ?", (renamed,)) == "Перейменоване"
    assert rows(user_db, "SELECT lat, population FROM places WHERE id = 'geonames:706448'") == [
        (46.64, 300000)
    ]
    assert value(user_db, "SELECT COUNT(*) FROM places WHERE id = ?", (gone,)) == 0
    assert after.check()["ok"]
    again = Gazetteer.upgrade(user_db, source=new_default)
    assert again["up_to_date"] is True
    assert after.add_place(name="Later", country="UA", kind="village", lat=1, lon=1).id == "local:4"


def test_upgrade_refuses_a_default(tiny_db: Path, tmp_path: Path) -> None:
    with pytest.raises(ReadOnlyGazetteerError):
        Gazetteer.upgrade(tiny_db, source=tiny_db)


def test_an_edit_drops_the_index_snapshot_and_check_fix_writes_it_again(
    gaz: Gazetteer, user_db: Path
) -> None:
    def snapshots() -> list[str]:
        return [r[0] for r in rows(user_db, "SELECT name FROM index_blobs ORDER BY name")]

    assert snapshots() == ["fuzzy", "hits", "places"]  # a fresh copy keeps the default's
    with Resolver(db=user_db) as resolver:
        assert resolver.resolve("Zorianivka Druha") == []
        gaz.add_place(name="Zorianivka Druha", country="UA", kind="village", lat=46.8, lon=33.2)
        # The snapshots of names would not know the new name; the typo neighbourhood's stays
        # (it only proposes keys) and the new name's keys wait in its table beside it.
        assert snapshots() == ["fuzzy"]
        assert rows(user_db, "SELECT COUNT(*) FROM fuzzy_keys")[0][0] > 0
        # The open resolver sees the edit: it reads the tables now, the typo index's too.
        assert resolver.resolve("Zorianivka Druha")[0].place.id == "local:1"
        typo = resolver.resolve("Zorianivak Druha")[0]
        assert (typo.place.id, typo.rule) == ("local:1", "fuzzy")
        old_typo = resolver.resolve("Oleshkyy")  # an older name, through the kept snapshot
        assert old_typo and old_typo[0].place.name_uk == "Олешки"
    gaz.check(fix=True)
    assert snapshots() == ["fuzzy", "hits", "places"]
    assert rows(user_db, "SELECT COUNT(*) FROM fuzzy_keys")[0][0] == 0  # taken into the snapshot
    with Resolver(db=user_db) as resolver:
        assert resolver.resolve("Zorianivka Druha")[0].place.id == "local:1"
        typo = resolver.resolve("Zorianivak Druha")[0]
        assert (typo.place.id, typo.rule) == ("local:1", "fuzzy")
        assert resolver.lookup.hits_snapshot() is not None
        assert resolver.lookup.fuzzy_snapshot() is not None


def test_the_places_snapshot_holds_the_tables_rows_and_an_edit_drops_it(
    gaz: Gazetteer, user_db: Path
) -> None:
    """A long stream reads every place at once, from the ``places`` snapshot when there is
    one: it must give the rows the table gives, and be gone after an edit of a place."""
    with sqlite3.connect(user_db) as conn:
        snapshot = index.read_places_snapshot(conn)
        rows = index.place_rows(conn)
        assert snapshot is not None and list(snapshot) == rows
    place = next(row[0] for row in rows if row[1] == "village")
    gaz.set(place, population=123_456)
    with sqlite3.connect(user_db) as conn:
        assert index.read_places_snapshot(conn) is None
    with Resolver(db=user_db) as resolver:
        resolver.lookup.preload()
        assert resolver.place(place).population == 123_456
