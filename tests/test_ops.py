"""Edits as operations: one dataclass per edit, one registry, replay of old histories.

Every test works on real SQLite files: user gazetteers made with ``Gazetteer.init`` from
the tiny gazetteer that ``conftest.py`` builds from the fixture sources.

``fixtures/history/old-edits.jsonl`` holds the history rows that the code before the
operations (``gazetteer/edits.py`` of commit 011c614, its ``op_*`` functions) wrote for
:func:`edit_script` on the tiny gazetteer; a user's gazetteer made then must still replay.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gazetteer import history
from gazetteer.api import Gazetteer
from gazetteer.importer import NameRecord, PlaceRecord
from gazetteer.ops import (
    OPERATIONS,
    AddName,
    AddPlace,
    ImportPlace,
    Merge,
    Operation,
    RemoveName,
    Rename,
    Retire,
    SetFields,
    execute,
)
from toponyms import index
from toponyms.errors import (
    GazetteerError,
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
    ToponymsError,
    UnknownNameError,
    UnknownPlaceError,
)

FIXTURES = Path(__file__).parent / "fixtures"
OLD_HISTORY = FIXTURES / "history" / "old-edits.jsonl"
HROMADA = "katottg:UA65020010000060480"  # Beryslavska hromada, Kherson oblast (tiny gazetteer)
KHERSON = "geonames:706448"
VILLAGES = ("geonames:10144522", "geonames:11557352", "geonames:689419")

#: A valid edit of every kind on the tiny gazetteer, by action: a new operation without
#: one fails the round-trip tests below.
EXAMPLES: dict[str, Operation] = {
    "add-place": AddPlace("Зорянівка", "ua", "village", 46.7, 33.1, parent=HROMADA, population=420),
    "add-name": AddName(
        VILLAGES[0], "Уляновка", lang="ru", type="historical", valid_to="2016", source="KOATUU"
    ),
    "remove-name": RemoveName(KHERSON, "Cherson", lang="und"),
    "rename": Rename(VILLAGES[2], "Нова Володимирівка", "2024-09-19", "uk", "Постанова"),
    "merge": Merge(VILLAGES[1], VILLAGES[0], reason="the same village"),
    "retire": Retire(VILLAGES[1], "abandoned"),
    "set": SetFields(KHERSON, lat=46.64, lon=32.61, population=300000),
    "import-place": ImportPlace(
        PlaceRecord(
            line=2,
            name="Testville",
            country="UA",
            kind="village",
            lat=46.3,
            lon=32.3,
            id="local:9",
            population=12,
            names=(NameRecord("Тестове", "uk", "official", "2020", None, "a survey"),),
        )
    ),
}

#: Bad edits of every kind: (operation, the error it raises, a part of its message).
BAD: list[tuple[Operation, type[ToponymsError], str]] = [
    (AddPlace("Nowhere", "UA", "village", 91, 0), InvalidCoordinatesError, "latitude 91"),
    (AddPlace("Nowhere", "UA", "village", None, None), InvalidCoordinatesError, "needs --lat"),
    (AddPlace("Nowhere", "Ukraine", "village", 46, 33), InvalidInputError, "ISO 3166"),
    (AddPlace("Nowhere", "UA", "hamlet", 46, 33), InvalidInputError, "unknown kind 'hamlet'"),
    (
        AddPlace("Nowhere", "UA", "village", 46, 33, parent="local:404"),
        UnknownPlaceError,
        "parent:",
    ),
    (AddPlace("Nowhere", "UA", "village", 46, 33, place_id=KHERSON), InvalidInputError, "exists"),
    (AddName("local:404", "Anything"), UnknownPlaceError, "no place with id 'local:404'"),
    (AddName(KHERSON, "Cherson", lang="de", type="exonym"), InvalidInputError, "already has"),
    (AddName(KHERSON, "Stalinka", valid_from="1961-02-30"), InvalidDateError, "valid-from:"),
    (AddName(KHERSON, "Tab\x00bed"), InvalidInputError, "name: text contains control"),
    (RemoveName(KHERSON, "Nonesuch"), UnknownNameError, "has no name 'Nonesuch'"),
    (Rename(KHERSON, "Новий Херсон", "2024-13-01"), InvalidDateError, "date: not a date"),
    (Rename(KHERSON, "Новий Херсон", ""), InvalidDateError, "rename needs --date"),
    (Rename(KHERSON, "Херсон", "2024-01-01", "uk"), InvalidInputError, "already the official"),
    (Merge(KHERSON, KHERSON), InvalidInputError, "merged into itself"),
    (Merge("local:404", KHERSON), UnknownPlaceError, "no place with id 'local:404'"),
    (Retire(KHERSON, "\x00"), InvalidInputError, "reason: text contains control"),
    (Retire("local:404", "gone"), UnknownPlaceError, "local:404"),
    (SetFields(KHERSON), InvalidInputError, "nothing to set"),
    (SetFields(KHERSON, lat=46.6), InvalidCoordinatesError, "latitude and longitude together"),
    (SetFields(KHERSON, population=-1), InvalidInputError, "must not be negative"),
    (
        ImportPlace(PlaceRecord(3, "X", "Ukraine", "village", 46, 33, id="local:9")),
        InvalidInputError,
        "ISO 3166",
    ),
    (
        ImportPlace(PlaceRecord(3, "X", "UA", "village", 46, 33, id="local:9", parent="local:8")),
        UnknownPlaceError,
        "parent: no place with id 'local:8'",
    ),
]


def edit_script(gaz: Gazetteer, folder: Path) -> None:
    """One edit of every kind (and an import that creates and updates), on the tiny gazetteer."""
    gaz.add_place(
        name="Зорянівка",
        country="ua",
        kind="village",
        lat=46.7,
        lon=33.1,
        parent=HROMADA,
        population=420,
        reason="field survey",
    )
    gaz.add_place(name="Zorianivka Druha", country="UA", kind="village", lat=46.8, lon=33.2)
    gaz.add_name("local:1", "Zorianivka", lang="en", type="official")
    gaz.add_name(
        "geonames:687385",
        "Зеленотропинськ",
        lang="uk",
        type="historical",
        valid_from="1950",
        valid_to="2016-05-12",
        source="decree",
    )
    gaz.add_name("geonames:688682", "Vysokoye", lang="en")
    gaz.add_name("geonames:688682", "Vysokoye", lang="en", type="exonym")
    gaz.remove_name("geonames:688682", "Vysokoye", type="exonym")
    gaz.rename(
        "geonames:689419", "Нова Володимирівка", date="2024-09-19", lang="uk", source="Постанова"
    )
    gaz.set(KHERSON, lat=46.64, lon=32.61)
    gaz.set("geonames:10144522", population=1100, kind="settlement")
    gaz.merge("local:2", "local:1", reason="the same village")
    gaz.retire("geonames:11557352", reason="abandoned")
    table = folder / "import.csv"
    table.write_text(
        "id,name,country,kind,lat,lon,population,names\n"
        ",Testville 1,UA,village,46.31,32.31,11,Тестове 1|uk\n"
        ",Testville 2,UA,village,46.32,32.32,12,\n"
        "geonames:687790,Залізний Порт,UA,village,46.12337,32.29892,1600,Zalizny Port|en\n",
        encoding="utf-8",
    )
    gaz.import_file(table)


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture
def user_db(tiny_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "user.sqlite"
    Gazetteer.init(path, source=tiny_db, author="tester")
    return path


def rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def state(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Places, names (without their row ids) and redirects: what the edits produce."""
    return {
        "places": rows(path, "SELECT * FROM places ORDER BY id"),
        "names": rows(
            path,
            "SELECT place_id, name, lang, script, type, valid_from, valid_to, source FROM names"
            " ORDER BY place_id, name, lang, type",
        ),
        "redirects": rows(path, "SELECT old_id, new_id FROM redirects ORDER BY old_id"),
    }


def snapshot(path: Path) -> str:
    """A digest of everything an edit may change (to prove that a failed one changed nothing)."""
    digest = hashlib.sha256()
    for table in ("places", "names", "redirects", "history", "name_keys", "fuzzy_keys", "meta"):
        for row in rows(path, f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(row).encode())
    digest.update(repr(rows(path, "SELECT name FROM index_blobs ORDER BY 1")).encode())
    digest.update(repr(rows(path, "SELECT rowid FROM names_fts ORDER BY 1")).encode())
    return digest.hexdigest()


def old_history() -> list[dict[str, Any]]:
    return [json.loads(line) for line in OLD_HISTORY.read_text(encoding="utf-8").splitlines()]


# -- replay ----------------------------------------------------------------------------------
def test_a_history_written_by_the_old_code_replays_to_what_the_edits_make_now(
    user_db: Path, tiny_db: Path, tmp_path: Path
) -> None:
    edit_script(Gazetteer(user_db, author="tester"), tmp_path)
    expected = state(user_db)

    old = tmp_path / "old.sqlite"
    Gazetteer.init(old, source=tiny_db, author="tester")
    history = old_history()
    conn = sqlite3.connect(old)
    conn.executemany(
        "INSERT INTO history (at, author, action, place_id, details, reason)"
        " VALUES (:at, :author, :action, :place_id, :details, :reason)",
        history,
    )
    conn.commit()
    conn.close()
    summary = Gazetteer.upgrade(old, source=tiny_db, force=True)

    replayable = [h for h in history if h["action"] != "import"]
    assert (summary["replayed"], summary["skipped"], summary["carried"]) == (
        len(replayable),
        [],
        [],
    )
    assert state(old) == expected
    assert Gazetteer(old).check()["ok"]


def test_a_history_written_by_this_code_replays_to_the_same_state(
    user_db: Path, tiny_db: Path, tmp_path: Path
) -> None:
    edit_script(Gazetteer(user_db, author="tester"), tmp_path)
    expected = state(user_db)
    edits = [h for h in Gazetteer(user_db).history() if h["action"] in OPERATIONS]
    summary = Gazetteer.upgrade(user_db, source=tiny_db, force=True)
    assert (summary["replayed"], summary["skipped"], summary["carried"]) == (len(edits), [], [])
    assert state(user_db) == expected
    # The merge's reason reaches the redirect on a replay too (older rows did not keep it).
    assert rows(user_db, "SELECT reason FROM redirects WHERE old_id = 'local:2'") == [
        ("the same village",)
    ]


# -- the registry and the history round trip -------------------------------------------------
def test_the_registry_holds_every_kind_of_edit_under_its_history_action() -> None:
    assert set(OPERATIONS) == {
        "add-place",
        "add-name",
        "remove-name",
        "rename",
        "merge",
        "retire",
        "set",
        "import-place",
    }
    for action, kind in OPERATIONS.items():
        assert kind.action == action
        assert kind.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize("action", sorted(OPERATIONS))
def test_every_operation_survives_the_history_round_trip(action: str) -> None:
    operation = EXAMPLES[action]
    assert type(operation) is OPERATIONS[action]
    stored = json.loads(history.dump(operation.to_history()))
    assert OPERATIONS[action].from_history(stored) == operation


@pytest.mark.parametrize("action", sorted(OPERATIONS))
def test_what_history_keeps_of_an_applied_edit_gives_the_edit_back(
    action: str, user_db: Path
) -> None:
    """The details of a real edit (its fields and what it did) decode to the canonical edit."""
    conn = sqlite3.connect(user_db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        applied = execute(conn, EXAMPLES[action])
        stored = json.loads(history.dump(applied.details))
        assert OPERATIONS[action].from_history(stored) == applied.operation
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_validate_returns_the_canonical_edit_that_history_keeps(user_db: Path) -> None:
    conn = sqlite3.connect(user_db)
    try:
        place = EXAMPLES["add-place"].validate(conn)
        assert place == AddPlace(
            "Зорянівка",
            "UA",
            "village",
            46.7,
            33.1,
            parent=HROMADA,
            lang="uk",
            population=420,
            place_id="local:1",
        )
        name = AddName(KHERSON, "  Chersonesos ").validate(conn)
        assert (name.name, name.lang, name.type, name.source) == (
            "Chersonesos",
            "en",
            "alternate",
            "user",
        )
    finally:
        conn.close()


# -- bad edits: the typed error, and nothing written -------------------------------------------
def test_every_operation_has_a_bad_case() -> None:
    assert {type(op).action for op, _, _ in BAD} == set(OPERATIONS)


@pytest.mark.parametrize(("operation", "error", "message"), BAD, ids=lambda v: repr(v)[:60])
def test_a_bad_edit_raises_its_typed_error_and_changes_nothing(
    operation: Operation, error: type[ToponymsError], message: str, user_db: Path
) -> None:
    gaz = Gazetteer(user_db, author="tester")
    gaz.add_name(KHERSON, "Warm-up")  # the file's index is current: a failure must not touch it
    before = snapshot(user_db)
    with pytest.raises(error, match=message.replace("(", r"\(")):
        gaz.execute(operation)
    assert snapshot(user_db) == before


def test_an_edit_whose_write_fails_halfway_is_rolled_back_whole(user_db: Path) -> None:
    """A merge moves names and children, then deletes the duplicate: a trigger refusing
    the delete (a real SQLite error, late in apply) must leave everything as it was."""
    conn = sqlite3.connect(user_db)
    conn.execute(
        "CREATE TRIGGER no_delete BEFORE DELETE ON places"
        " BEGIN SELECT RAISE(ABORT, 'places are kept'); END"
    )
    conn.commit()
    conn.close()
    gaz = Gazetteer(user_db, author="tester")
    before = snapshot(user_db)
    with pytest.raises(GazetteerError, match="rolled back: places are kept"):
        gaz.execute(EXAMPLES["merge"])
    assert snapshot(user_db) == before


def test_an_edit_whose_history_row_fails_is_not_written_either(user_db: Path) -> None:
    conn = sqlite3.connect(user_db)
    conn.execute(
        "CREATE TRIGGER no_history BEFORE INSERT ON history"
        " BEGIN SELECT RAISE(ABORT, 'history is full'); END"
    )
    conn.commit()
    conn.close()
    before = snapshot(user_db)
    for operation in EXAMPLES.values():
        with pytest.raises(GazetteerError, match="history is full"):
            Gazetteer(user_db).execute(operation)
    assert snapshot(user_db) == before
    conn = sqlite3.connect(user_db)
    assert index.missing_keys(conn) == []
    conn.close()
