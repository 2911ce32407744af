"""The gazetteer's tables, indexes and schema version.

Tables a person can read in ``sqlite3`` or datasette:

- ``places``: one row a real place: canonical names in Ukrainian, Russian and English, kind,
  country, parent chain (``parent_id`` plus the oblast/raion/hromada it lies in), point and
  the point's precision, population, crosswalk ids (``geonames_id``, ``katottg``), status.
- ``names``: every name of every place: language, script, type (official, alternate,
  historical, exonym, colloquial, occupation, romanized), validity dates and source.
- ``redirects``: ids that no longer stand for a place of their own (a merged duplicate)
  and the id that answers for them now.
- ``meta``: schema version, build date, source versions and licences, content version.
- ``history``: every edit made to a user gazetteer: when, who, what, why.
- ``keys`` (written by :mod:`toponyms.index`): matching keys → names, the lookup index.
- ``names_fts``: FTS5 over names, for people browsing the data.
"""

from __future__ import annotations

import sqlite3

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
)
NAME_TYPES = (
    "official",
    "alternate",
    "historical",
    "exonym",
    "colloquial",
    "occupation",
    "romanized",
)
PRECISIONS = ("geonames", "postal", "hromada", "raion", "centroid", "capital", "user")
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

FTS_DDL = """
CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING fts5(
    name, content='names', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
"""


def create(conn: sqlite3.Connection) -> None:
    """Create every table and index of the current schema (idempotent)."""
    conn.executescript(DDL)
    conn.executescript(FTS_DDL)
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Refill the FTS5 index from ``names`` (after a bulk load or many edits)."""
    conn.execute("INSERT INTO names_fts(names_fts) VALUES ('rebuild')")
