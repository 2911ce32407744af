"""The gazetteer's tables, indexes and schema version.

Tables a person can read in ``sqlite3`` or datasette:

- ``places``: one row a real place: canonical names in Ukrainian, Russian and English, kind,
  country, parent chain (``parent_id`` plus the oblast/raion/hromada it lies in), point and
  the point's precision, population, crosswalk ids (``geonames_id``, ``katottg``), status.
- ``names``: every name of every place: language, script, type (official, alternate,
  historical, exonym, colloquial, occupation, romanized, generated), validity dates and source.
- ``redirects``: ids that no longer stand for a place of their own (a merged duplicate)
  and the id that answers for them now.
- ``meta``: schema version, build date, source versions and licences, content version.
- ``history``: every edit made to a user gazetteer: when, who, what, why.
- ``keys`` (written by :mod:`toponyms.index`): matching keys → names, the lookup index.
- ``names_fts``: FTS5 over names, for people browsing the data (declared with
  ``content="names"`` in double quotes, the form datasette looks for to offer its search box).
- ``places_rtree``: an R*Tree over the places' points (rowid of ``places`` → its point), for
  ``toponyms near``; triggers on ``places`` keep it current through every edit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

SCHEMA_VERSION = 1

KINDS = (
    "country",
    "oblast",  # first-level division: UA oblast, ARC, RU federal subject
    "raion",
    "hromada",
    "city",
    "urban_settlement",
    "settlement",
    "village",
    "city_district",
    "place",  # populated place of unknown rank (user-made, or GeoNames outside UA)
    # Curated places that are not administrative units (gazetteer/features.py):
    "region",  # a region people name, not a unit: Donbas, Слобожанщина, Transnistria
    "island",
    "spit",
    "plant",  # a works or power plant: Azovstal, the Zaporizhzhia NPP
    "dam",
    "bridge",
)
NAME_TYPES = (
    "official",
    "alternate",
    "historical",
    "exonym",
    "colloquial",
    "occupation",
    "romanized",
    "generated",  # a spelling made by our rules (uk → ru), not found in any source
)
PRECISIONS = (
    "geonames",
    "postal",
    "wof",
    "hromada",
    "raion",
    "oblast",
    "centroid",
    "capital",
    "user",
    "curated",  # the point a curated row's source gives (features.tsv)
)
STATUSES = ("active", "retired")

DDL = """
CREATE TABLE IF NOT EXISTS places (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    country TEXT NOT NULL,
    name_uk TEXT,
    name_ru TEXT,
    name_en TEXT,
    parent_id TEXT REFERENCES places(id),
    admin1_id TEXT,
    raion_id TEXT,
    hromada_id TEXT,
    lat REAL,
    lon REAL,
    precision TEXT,
    population INTEGER,
    geonames_id INTEGER,
    katottg TEXT,
    iso_code TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    status_reason TEXT,
    CHECK (lat IS NULL OR (lat BETWEEN -90 AND 90)),
    CHECK (lon IS NULL OR (lon BETWEEN -180 AND 180)),
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE TABLE IF NOT EXISTS names (
    id INTEGER PRIMARY KEY,
    place_id TEXT NOT NULL REFERENCES places(id),
    name TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'und',
    script TEXT NOT NULL DEFAULT 'other',
    type TEXT NOT NULL DEFAULT 'alternate',
    valid_from TEXT,
    valid_to TEXT,
    source TEXT NOT NULL DEFAULT '',
    UNIQUE (place_id, name, lang, type)
);
CREATE TABLE IF NOT EXISTS redirects (
    old_id TEXT PRIMARY KEY,
    new_id TEXT NOT NULL REFERENCES places(id),
    reason TEXT
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    action TEXT NOT NULL,
    place_id TEXT,
    details TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS places_kind ON places(kind);
CREATE INDEX IF NOT EXISTS places_country ON places(country);
CREATE INDEX IF NOT EXISTS places_parent ON places(parent_id);
CREATE INDEX IF NOT EXISTS places_admin1 ON places(admin1_id);
CREATE INDEX IF NOT EXISTS places_raion ON places(raion_id);
CREATE INDEX IF NOT EXISTS places_hromada ON places(hromada_id);
CREATE INDEX IF NOT EXISTS places_geonames ON places(geonames_id);
CREATE INDEX IF NOT EXISTS places_katottg ON places(katottg);
CREATE INDEX IF NOT EXISTS history_place ON history(place_id);
"""

# Datasette finds a table's full-text index by matching ``content="<table>"`` (double
# quotes, or brackets) in the virtual table's SQL; single quotes are valid SQLite but hide it.
FTS_DDL = """
CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING fts5(
    name, content="names", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);
"""

# The spatial index: one zero-size box per place with a point, keyed by the rowid of
# ``places`` (stable: VACUUM keeps the rowids of a table that has indexes, and the backup
# API copies pages). Points are stored as 32-bit floats, rounded outwards, so a box query
# never misses a point; exact distances come from ``places.lat``/``lon``.
RTREE_DDL = """
CREATE VIRTUAL TABLE IF NOT EXISTS places_rtree USING rtree(
    id, min_lat, max_lat, min_lon, max_lon
);
CREATE TRIGGER IF NOT EXISTS places_rtree_insert AFTER INSERT ON places
WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL
BEGIN
    INSERT OR REPLACE INTO places_rtree VALUES (new.rowid, new.lat, new.lat, new.lon, new.lon);
END;
CREATE TRIGGER IF NOT EXISTS places_rtree_update AFTER UPDATE OF lat, lon ON places
BEGIN
    DELETE FROM places_rtree WHERE id = old.rowid;
    INSERT INTO places_rtree SELECT new.rowid, new.lat, new.lat, new.lon, new.lon
    WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS places_rtree_delete AFTER DELETE ON places
BEGIN
    DELETE FROM places_rtree WHERE id = old.rowid;
END;
"""
RTREE_OBJECTS = (
    "places_rtree",
    "places_rtree_insert",
    "places_rtree_update",
    "places_rtree_delete",
)


def create(conn: sqlite3.Connection) -> None:
    """Create every table and index of the current schema (idempotent)."""
    conn.executescript(DDL)
    conn.executescript(FTS_DDL)
    conn.executescript(RTREE_DDL)
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )


def _statements(script: str) -> list[str]:
    """The statements of a script, one by one (``executescript`` would commit the caller's
    transaction first)."""
    statements, statement = [], ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            statements.append(statement)
            statement = ""
    return statements


def fts_is_current(conn: sqlite3.Connection) -> bool:
    """Whether ``names_fts`` is declared as :data:`FTS_DDL` declares it (older files said
    ``content='names'``, which datasette does not recognise)."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'names_fts'").fetchone()
    return row is not None and 'content="names"' in row[0]


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Refill the FTS5 index from ``names`` (after a bulk load or many edits), declaring
    it anew first when an older file declared it otherwise (inside the caller's
    transaction)."""
    if not fts_is_current(conn):
        conn.execute("DROP TABLE IF EXISTS names_fts")
        for statement in _statements(FTS_DDL):
            conn.execute(statement)
    conn.execute("INSERT INTO names_fts(names_fts) VALUES ('rebuild')")


def has_rtree(conn: sqlite3.Connection) -> bool:
    """Whether the file has the spatial index and the triggers that keep it current."""
    found = {
        row[0]
        for row in conn.execute(
            f"SELECT name FROM sqlite_master WHERE name IN ({','.join('?' * len(RTREE_OBJECTS))})",
            RTREE_OBJECTS,
        )
    }
    return found == set(RTREE_OBJECTS)


def rebuild_rtree(conn: sqlite3.Connection) -> None:
    """Create (if need be) and refill the spatial index from ``places`` (inside the
    caller's transaction): for files made before it existed, and ``check --fix``."""
    for statement in _statements(RTREE_DDL):
        conn.execute(statement)
    conn.execute("DELETE FROM places_rtree")
    conn.execute(
        "INSERT INTO places_rtree SELECT rowid, lat, lat, lon, lon FROM places"
        " WHERE lat IS NOT NULL AND lon IS NOT NULL"
    )


# -- migrations ------------------------------------------------------------------------------
# Version 0 is the shape of the first user gazetteers: ``places`` without ``status`` and
# ``status_reason``, and no ``history`` table. Each migration takes a file from version
# ``n`` to ``n + 1`` and runs inside the caller's transaction.


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    """Add place status (for ``retire``) and the edit history."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(places)")}
    if "status" not in columns:
        conn.execute("ALTER TABLE places ADD COLUMN status TEXT NOT NULL DEFAULT 'active'")
    if "status_reason" not in columns:
        conn.execute("ALTER TABLE places ADD COLUMN status_reason TEXT")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
        " author TEXT NOT NULL, action TEXT NOT NULL, place_id TEXT, details TEXT NOT NULL,"
        " reason TEXT)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS history_place ON history(place_id)")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_0_to_1}


def version_of(conn: sqlite3.Connection) -> int:
    """The file's ``meta.schema_version`` (0 when it records none)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row is not None else 0


def backup_path(path: Path, old_version: int) -> Path:
    """Where :func:`migrate` keeps the file as it was before migrating it."""
    return path.with_name(f"{path.name}.bak-v{old_version}")


def migrate(conn: sqlite3.Connection, path: Path) -> int | None:
    """Bring an older gazetteer up to :data:`SCHEMA_VERSION` in place; return the old version.

    ``conn`` is a writable autocommit connection (``isolation_level=None``) to ``path``. The
    file is first copied, consistently, to ``<file>.bak-v<old>`` with SQLite's backup API,
    so that a user can go back if a migration surprises them; then every step runs in one
    ``BEGIN IMMEDIATE`` transaction, so that a crash leaves either the old or the new schema.
    Returns ``None`` when the file is already current.
    """
    old = version_of(conn)
    if old >= SCHEMA_VERSION:
        return None
    backup = backup_path(path, old)
    target = sqlite3.connect(backup)
    try:
        conn.backup(target)
    finally:
        target.close()
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = version_of(conn)  # another writer may have migrated it meanwhile
        for version in range(current, SCHEMA_VERSION):
            MIGRATIONS[version](conn)
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return old
