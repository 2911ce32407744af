"""The ``history`` table: writing a row for each edit, reading it back, replaying it.

Every write of a user gazetteer appends one row (when, who, what, why) whose ``details``
hold the edit's :meth:`~gazetteer.ops.Operation.to_history` fields and what it did. An
upgrade copies a user's history onto a fresh copy of the new default and :func:`replay`\\ s
it: each row's action names its operation in :data:`gazetteer.ops.OPERATIONS`, which
decodes the details (those written by older code too) and applies them again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from gazetteer.ops import OPERATIONS, execute
from toponyms import index
from toponyms.errors import ToponymsError

COLUMNS = ("id", "at", "author", "action", "place_id", "details", "reason")
#: Logged actions that leave places and names as they were (or rebuild the index
#: themselves), so that the index snapshot stays valid.
SNAPSHOT_KEEPING_ACTIONS = frozenset({"init", "migrate", "reindex", "check-fix"})


def now() -> str:
    """The current UTC time as history writes it: ``2024-09-19T12:00:00Z``."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def log(
    conn: sqlite3.Connection,
    action: str,
    place_id: str | None,
    details: dict[str, Any],
    *,
    author: str,
    reason: str | None,
    at: str | None = None,
) -> None:
    """Append one ``history`` row, and drop the index snapshot that the edit made stale
    (every edit logs itself; the actions that only copy or re-index keep it)."""
    if action not in SNAPSHOT_KEEPING_ACTIONS:
        index.invalidate(conn)
    conn.execute(
        "INSERT INTO history (at, author, action, place_id, details, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (at or now(), author, action, place_id, dump(details), reason),
    )


def dump(details: dict[str, Any]) -> str:
    """The ``details`` column's text: JSON with sorted keys, non-ASCII kept."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True)


def read(conn: sqlite3.Connection, place_id: str | None, limit: int | None) -> list[dict[str, Any]]:
    """History rows (of one place and the ids merged into it), the newest ``limit`` of
    them, oldest first, with ``details`` parsed."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM history"
    params: list[Any] = []
    if place_id is not None:
        merged = conn.execute("SELECT old_id FROM redirects WHERE new_id = ?", (place_id,))
        ids = [place_id, *(r[0] for r in merged)]
        sql += f" WHERE place_id IN ({', '.join('?' * len(ids))})"
        sql += " OR json_extract(details, '$.duplicate') = ?"
        params = [*ids, place_id]
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in conn.execute(sql, params)]
    for row in rows:
        row["details"] = json.loads(row["details"])
    return rows[::-1]


def copy(old: sqlite3.Connection, new: sqlite3.Connection) -> list[dict[str, Any]]:
    """Append the old file's history to the new file (keeping when and who); return it."""
    rows = [
        dict(zip(COLUMNS, r, strict=True))
        for r in old.execute(f"SELECT {', '.join(COLUMNS)} FROM history ORDER BY id")
    ]
    new.executemany(
        "INSERT INTO history (at, author, action, place_id, details, reason) VALUES (?,?,?,?,?,?)",
        [
            (r["at"], r["author"], r["action"], r["place_id"], r["details"], r["reason"])
            for r in rows
        ],
    )
    return rows


def replay(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Apply history rows again, each in a savepoint; an edit that no longer applies (its
    place is gone upstream, its name is there already) is skipped and reported.

    Ids are followed through merges first (an upstream merge moved the place), as each
    operation's ``follows`` says.
    """
    replayed = 0
    skipped: list[dict[str, Any]] = []
    for row in rows:
        kind = OPERATIONS.get(row["action"])
        if kind is None:
            continue
        conn.execute("SAVEPOINT replay")
        try:
            operation = kind.from_history(json.loads(row["details"]))
            execute(conn, operation.followed(conn))
        except (ToponymsError, sqlite3.IntegrityError, KeyError) as error:
            conn.execute("ROLLBACK TO replay")
            skipped.append(
                {
                    "history_id": row["id"],
                    "action": row["action"],
                    "place_id": row["place_id"],
                    "error": str(error),
                }
            )
        else:
            replayed += 1
        conn.execute("RELEASE replay")
    return {"replayed": replayed, "skipped": skipped}
