"""Edits as operations: one dataclass per edit, one registry, replay of old histories.

Every test works on real SQLite files: user gazetteers made with ``Gazetteer.init`` from
the tiny gazetteer that ``conftest.py`` builds from the fixture sources.

``fixtures/history/old-edits.jsonl`` holds the history rows that the code before the
operations (``gazetteer/edits.py`` of commit 011c614, its ``op_*`` functions) wrote for
:func:`edit_script` on the tiny gazetteer; a user's gazetteer made then must still replay.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gazetteer.edits import Gazetteer

FIXTURES = Path(__file__).parent / "fixtures"
OLD_HISTORY = FIXTURES / "history" / "old-edits.jsonl"
HROMADA = "katottg:UA65020010000060480"  # Beryslavska hromada, Kherson oblast (tiny gazetteer)
KHERSON = "geonames:706448"


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
