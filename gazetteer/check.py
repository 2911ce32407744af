"""``toponyms gazetteer check``: is a gazetteer file whole and consistent?

Each check returns a list of problems (capped at :data:`SHOWN` examples, with the full
count beside them), so that a report on a damaged file stays readable:

- ``integrity``: SQLite's own ``PRAGMA integrity_check``;
- ``schema``: the file's schema version against this toponyms';
- ``orphans``: ``parent_id``/``admin1_id``/``raion_id``/``hromada_id`` or a name's
  ``place_id`` pointing at no place;
- ``duplicates``: active places with the same folded official name and kind within
  :data:`DUPLICATE_KM` of each other (candidates for ``gazetteer merge``) where at least one
  of the two is the user's (a ``local:`` place or one edited in ``history``). Pairs of
  upstream places alone are listed as the warning ``upstream_duplicates``: the user did not
  make them and an upgrade of the default may fix them, so they fail the check only with
  ``strict``;
- ``bad_coordinates``: out of range, one of the pair missing, or exactly 0, 0;
- ``empty_names``: names with no text;
- ``bad_redirects``: redirects to no place, or from an id that is still a place;
- ``index``: the matching index's version and names missing from it or keys left behind;
- ``fts``: the FTS5 index against the ``names`` table, and its declaration;
- ``spatial``: the R*Tree of points (``toponyms near``) against ``places``; a file made
  before it existed has none (the warning ``no_spatial_index``: ``near`` then builds one in
  memory each time; ``--fix`` writes it).
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gazetteer import schema
from toponyms import index
from toponyms.errors import InvalidInputError
from toponyms.text.normalize import fold

SHOWN = 20
DUPLICATE_KM = 1.0


@dataclass
class Report:
    """Problems by check, with counts; ``ok`` when there are none."""

    path: str
    strict: bool = False
    problems: dict[str, list[Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, list[Any]] = field(default_factory=dict)
    warning_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        failing = [self.counts, self.warning_counts] if self.strict else [self.counts]
        return not any(any(c.values()) for c in failing)

    def add(self, check: str, problems: list[Any]) -> None:
        self.counts[check] = len(problems)
        self.problems[check] = problems[:SHOWN]

    def warn(self, check: str, problems: list[Any]) -> None:
        self.warning_counts[check] = len(problems)
        self.warnings[check] = problems[:SHOWN]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "strict": self.strict,
            "counts": self.counts,
            "problems": self.problems,
            "warning_counts": self.warning_counts,
            "warnings": self.warnings,
        }


def _all(conn: sqlite3.Connection, sql: str) -> list[Any]:
    return [list(row) if len(row) > 1 else row[0] for row in conn.execute(sql)]


def integrity(conn: sqlite3.Connection) -> list[Any]:
    rows = _all(conn, "PRAGMA integrity_check")
    return [] if rows == ["ok"] else rows


def schema_version(conn: sqlite3.Connection) -> list[Any]:
    version = schema.version_of(conn)
    if version == schema.SCHEMA_VERSION:
        return []
    return [f"schema version {version}, this toponyms writes {schema.SCHEMA_VERSION}"]


def orphans(conn: sqlite3.Connection) -> list[Any]:
    problems: list[Any] = []
    for column in ("parent_id", "admin1_id", "raion_id", "hromada_id"):
        problems += [
            {"id": r[0], "column": column, "points_to": r[1]}
            for r in conn.execute(
                f"SELECT p.id, p.{column} FROM places p LEFT JOIN places t ON t.id = p.{column}"
                f" WHERE p.{column} IS NOT NULL AND t.id IS NULL"
            )
        ]
    problems += [
        {"name_id": r[0], "column": "names.place_id", "points_to": r[1]}
        for r in conn.execute(
            "SELECT n.id, n.place_id FROM names n LEFT JOIN places p ON p.id = n.place_id"
            " WHERE p.id IS NULL"
        )
    ]
    return problems


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def _folded(name: str) -> str | None:
    try:
        return fold(name)
    except InvalidInputError:
        return None


def user_places(conn: sqlite3.Connection) -> set[str]:
    """Ids the user made or edited: ``local:`` places and places named in ``history``."""
    ids = {
        r[0] for r in conn.execute("SELECT id FROM places WHERE id >= 'local:' AND id < 'local;'")
    }
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'history'").fetchone():
        ids |= {r[0] for r in conn.execute("SELECT DISTINCT place_id FROM history") if r[0]}
    return ids


def duplicates(conn: sqlite3.Connection) -> list[Any]:
    """Pairs of active places sharing a folded official name and kind, within 1 km;
    ``upstream`` tells pairs of places the user never touched."""
    groups: dict[tuple[str, str], dict[str, tuple[float, float]]] = defaultdict(dict)
    rows = conn.execute(
        "SELECT DISTINCT p.id, p.kind, p.lat, p.lon, n.name FROM names n"
        " JOIN places p ON p.id = n.place_id"
        " WHERE n.type = 'official' AND p.status = 'active' AND p.lat IS NOT NULL"
    )
    for place_id, kind, lat, lon, name in rows:
        key = _folded(name)
        if key:
            groups[(key, kind)][place_id] = (lat, lon)
    pairs: list[Any] = []
    mine = user_places(conn)
    for (key, kind), members in groups.items():
        items = sorted(members.items())
        for i, (first, a) in enumerate(items):
            for second, b in items[i + 1 :]:
                distance = _km(a, b)
                if distance <= DUPLICATE_KM:
                    pairs.append(
                        {
                            "ids": [first, second],
                            "name": key,
                            "kind": kind,
                            "km": round(distance, 3),
                            "upstream": first not in mine and second not in mine,
                        }
                    )
    return pairs


def bad_coordinates(conn: sqlite3.Connection) -> list[Any]:
    return [
        {"id": r[0], "lat": r[1], "lon": r[2]}
        for r in conn.execute(
            "SELECT id, lat, lon FROM places WHERE (lat IS NULL) != (lon IS NULL)"
            " OR lat NOT BETWEEN -90 AND 90 OR lon NOT BETWEEN -180 AND 180"
            " OR typeof(lat) NOT IN ('real', 'integer', 'null')"
            " OR typeof(lon) NOT IN ('real', 'integer', 'null')"
            " OR (lat = 0 AND lon = 0)"
        )
    ]


def empty_names(conn: sqlite3.Connection) -> list[Any]:
    return [
        {"name_id": r[0], "place_id": r[1]}
        for r in conn.execute(
            "SELECT id, place_id FROM names WHERE name IS NULL OR trim(name) = ''"
        )
    ]


def bad_redirects(conn: sqlite3.Connection) -> list[Any]:
    dangling = [
        {"old_id": r[0], "new_id": r[1], "problem": "points to no place"}
        for r in conn.execute(
            "SELECT r.old_id, r.new_id FROM redirects r LEFT JOIN places p ON p.id = r.new_id"
            " WHERE p.id IS NULL"
        )
    ]
    shadowed = [
        {"old_id": r[0], "new_id": r[1], "problem": "the old id is still a place"}
        for r in conn.execute(
            "SELECT r.old_id, r.new_id FROM redirects r JOIN places p ON p.id = r.old_id"
        )
    ]
    return dangling + shadowed


def index_sync(conn: sqlite3.Connection) -> list[Any]:
    problems: list[Any] = []
    if not index.is_current(conn):
        version = conn.execute("SELECT value FROM meta WHERE key = 'index_version'").fetchone()
        problems.append(
            f"index_version {version[0] if version else None!r}, expected {index.INDEX_VERSION!r}"
            " (run `toponyms gazetteer check --fix`)"
        )
    problems += [
        {"name_id": i, "name": n, "problem": "not in the index"} for i, n in _missing_keys(conn)
    ]
    stale = conn.execute(
        "SELECT COUNT(*) FROM name_keys k LEFT JOIN names n ON n.id = k.name_id WHERE n.id IS NULL"
    ).fetchone()[0]
    if stale:
        problems.append(f"{stale} index keys point at names that are gone")
    return problems


def _missing_keys(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """:func:`toponyms.index.missing_keys`, capped at what the report shows."""
    return index.missing_keys(conn, limit=SHOWN)


def fts_sync(conn: sqlite3.Connection, path: Path | None) -> list[Any]:
    """Compare the FTS index's documents with ``names``; on a writable file also run
    FTS5's own 'integrity-check', which compares the indexed text itself."""
    problems: list[Any] = []
    missing = conn.execute(
        "SELECT COUNT(*) FROM names n LEFT JOIN names_fts_docsize d ON d.id = n.id"
        " WHERE d.id IS NULL"
    ).fetchone()[0]
    extra = conn.execute(
        "SELECT COUNT(*) FROM names_fts_docsize d LEFT JOIN names n ON n.id = d.id"
        " WHERE n.id IS NULL"
    ).fetchone()[0]
    if missing:
        problems.append(f"{missing} names are not in names_fts")
    if extra:
        problems.append(f"names_fts holds {extra} names that are gone")
    if not problems and path is not None and os.access(path, os.W_OK):
        writer = sqlite3.connect(path, timeout=10)
        try:
            writer.execute("INSERT INTO names_fts(names_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.OperationalError:
            pass  # busy (a long import holds the write lock): the document check above stands
        except sqlite3.DatabaseError as error:
            problems.append(f"names_fts does not match names ({error})")
        finally:
            writer.close()
    return problems


def spatial_sync(conn: sqlite3.Connection) -> list[Any]:
    """Places whose point is missing from the R*Tree, or stored at another point, and
    R*Tree entries of no place (the triggers keep it current; this finds a file edited by
    a program that dropped them)."""
    if not schema.has_rtree(conn):
        return []
    tolerance = 1e-4  # the R*Tree stores 32-bit floats
    drift: list[Any] = [
        {"id": r[0], "problem": "not in places_rtree" if r[1] is None else "stale point"}
        for r in conn.execute(
            "SELECT p.id, t.id FROM places p LEFT JOIN places_rtree t ON t.id = p.rowid"
            " WHERE p.lat IS NOT NULL AND (t.id IS NULL"
            f" OR abs(t.min_lat - p.lat) > {tolerance} OR abs(t.min_lon - p.lon) > {tolerance})"
        )
    ]
    extra = conn.execute(
        "SELECT COUNT(*) FROM places_rtree t LEFT JOIN places p ON p.rowid = t.id"
        " WHERE p.rowid IS NULL OR p.lat IS NULL"
    ).fetchone()[0]
    if extra:
        drift.append(f"{extra} places_rtree entries belong to no place with a point")
    if drift:
        drift.append("run `toponyms gazetteer check --fix`")
    return drift


CHECKS: tuple[tuple[str, Callable[[sqlite3.Connection], list[Any]]], ...] = (
    ("integrity", integrity),
    ("schema", schema_version),
    ("orphans", orphans),
    ("bad_coordinates", bad_coordinates),
    ("empty_names", empty_names),
    ("bad_redirects", bad_redirects),
    ("index", index_sync),
)


def run(conn: sqlite3.Connection, path: Path | None = None, *, strict: bool = False) -> Report:
    """Every check on an open (read-only) connection; ``path`` enables the deep FTS check."""
    report = Report(path=str(path) if path is not None else "", strict=strict)
    for name, check in CHECKS:
        report.add(name, check(conn))
    pairs = duplicates(conn)
    report.add("duplicates", [p for p in pairs if not p["upstream"]])
    report.warn("upstream_duplicates", [p for p in pairs if p["upstream"]])
    report.add("fts", fts_sync(conn, path))
    report.add("spatial", spatial_sync(conn))
    report.warn(
        "no_spatial_index",
        [] if schema.has_rtree(conn) else ["run `toponyms gazetteer check --fix` to write it"],
    )
    report.warn(
        "fts_declaration",
        []
        if schema.fts_is_current(conn)
        else [
            "names_fts predates datasette's search; `toponyms gazetteer check --fix` redeclares it"
        ],
    )
    return report


def fix(conn: sqlite3.Connection) -> dict[str, Any]:
    """Rebuild the matching index, the FTS index and the spatial index (inside the
    caller's transaction).

    Names without text cannot be indexed and mean nothing, so they are deleted first; the
    returned details (kept in history) list them. Orphans, duplicates and bad coordinates
    need a person's decision and are left for ``merge``, ``set`` and ``retire``.
    """
    from gazetteer.ops import rebuild_index

    empty = conn.execute(
        "SELECT id, place_id, name FROM names WHERE name IS NULL OR trim(name) = ''"
    ).fetchall()
    conn.executemany("DELETE FROM names WHERE id = ?", [(r[0],) for r in empty])
    rebuild_index(conn)
    schema.rebuild_fts(conn)
    schema.rebuild_rtree(conn)
    return {
        "rebuilt": ["index", "fts", "spatial"],
        "deleted_empty_names": [{"name_id": r[0], "place_id": r[1]} for r in empty],
    }
