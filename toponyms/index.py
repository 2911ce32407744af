"""The matching index: keys → names, stored in the gazetteer file beside the data.

Two tables, written at build time for the default gazetteer and kept in step by every
edit of a user gazetteer (:mod:`gazetteer.store` calls :func:`add_names` and
:func:`remove_names` inside the edit's transaction):

- ``name_keys(key, kind, name_id)``: every name under its exact key (``kind='x'``) and, for
  Latin and Cyrillic names, its romanisation-invariant key (``kind='i'``); and the **forms
  index**: every case form (``c``), romanisation (``r``) and generated uk↔ru counterpart
  (``u``) of the Cyrillic names of Ukrainian and Russian places, each under its exact key
  (:mod:`toponyms.text.forms` says which forms a name gets). A query's case form or
  romanisation is then one look-up, not a morphology run or a Latin→Cyrillic search;
- ``fuzzy_keys(del, kind, key)``: a deletion neighbourhood of the keys' first
  :data:`PREFIX` letters (SymSpell's idea, bounded by the prefix), so that a one-typo query
  finds its candidates by a handful of look-ups instead of a scan of every name. It holds
  the invariant keys (``kind='i'``: a typo in another transliteration) and, for Ukrainian
  and Russian places, the exact keys (``kind='x'``: a typo in the name as written, which
  the invariant key's foldings can turn into two or three edits). Elsewhere it holds the
  invariant keys of official names and exonyms; and, apart (``kind='w'``, looked at only
  when nothing else is near), those of every other name of a place of at least
  :data:`WORLD_FUZZY_POPULATION` people or a country (but machine romanisations, in
  lower case): GeoNames records the exonyms of world cities as plain alternate names
  (Varsovia, Warschau, Londra, Стамбул), and these are the cities whose exonyms people
  write and misspell. Once its snapshot is written (below) the table is emptied: it then
  holds only the keys that edits add, until the next snapshot takes them in.

A third table holds read-only snapshots, for speed:

- ``index_blobs``: ``hits``, a `marisa-trie <https://github.com/pytries/marisa-trie>`_
  ``BytesTrie`` (about 20 MB for the default gazetteer) from ``kind + key`` to the names
  of active places under that key (place, name, language, type, validity), in one value
  per key, in the names' order. A resolver loads it in milliseconds and then finds a
  key's names in about a microsecond each, where SQLite's three-table join costs some
  30 µs a key. Beside it ``fuzzy``, a ``BytesTrie`` (about 9 MB) from ``kind + del`` to
  the keys of ``fuzzy_keys`` under that deletion, sorted, in one value: a typo query's
  thirty-odd deletions cost it some 45 µs, where SQLite's look-up costs 75 µs or more.
- ``index_blobs``: ``places``, every place's row (:data:`PLACE_COLUMNS`) as one
  :mod:`marshal` blob (about 8 MB), which a resolver that reads all places (a long
  stream) loads in a third of the time the table takes.

Every edit of a user gazetteer drops the snapshots in the edit's transaction
(:func:`invalidate`), so they are never stale: the resolver then reads the tables, and
``gazetteer check --fix`` writes fresh snapshots.

``meta.index_version`` records the key functions' version; a file built by another version
is re-indexed when opened for writing and reported by ``gazetteer check``.
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import operator
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import marisa_trie

from toponyms.errors import InvalidInputError
from toponyms.models import Place
from toponyms.text.forms import COUNTRIES as FORM_COUNTRIES
from toponyms.text.forms import KINDS as FORM_KINDS
from toponyms.text.forms import forms_of, name_lang
from toponyms.text.keys import exact_key, invariant_key

INDEX_VERSION = "4"
PREFIX = 7
FUZZY_MIN_LENGTH = 4
WORLD_FUZZY_POPULATION = 500_000
#: From this many distinct names on, their forms are made in two processes.
PARALLEL_FORMS = 5_000
#: The rule a match under each kind of key reports: the name's own keys, then its forms.
KIND_RULES: dict[str, str] = {"x": "exact", "i": "invariant", **FORM_KINDS}

DDL = """
CREATE TABLE IF NOT EXISTS name_keys (
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_id INTEGER NOT NULL,
    PRIMARY KEY (key, kind, name_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fuzzy_keys (
    del TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (del, kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS index_blobs (
    name TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
"""
#: Separate the names under one key, and the fields of a name, in the ``hits`` snapshot,
#: and the keys under one deletion in the ``fuzzy`` one (control characters, which
#: cleaned names never hold).
RECORD_SEPARATOR = "\x1e"
FIELD_SEPARATOR = "\x1f"


def deletions(key: str) -> set[str]:
    """The key's prefix and every string made by deleting one letter of that prefix."""
    prefix = key[:PREFIX]
    variants = {prefix}
    for i in range(len(prefix)):
        variants.add(prefix[:i] + prefix[i + 1 :])
    return variants


def keys_of(name: str, script: str) -> Iterator[tuple[str, str]]:
    """The (key, kind) pairs a name is indexed under."""
    exact = exact_key(name)
    if exact:
        yield exact, "x"
    if script in ("Latn", "Cyrl", "mixed"):
        invariant = invariant_key(name)
        if invariant:
            yield invariant, "i"


def _rows(names: Iterable[tuple[int, str, str]]) -> Iterator[tuple[str, str, int]]:
    for name_id, name, script in names:
        for key, kind in keys_of(name, script):
            yield key, kind, name_id


#: A name's facts that decide its forms: name, language, script, country, and whether its
#: place has a Cyrillic name in the other language (see :func:`forms.forms_of`).
_FormJob = tuple[str, str, str, str, bool]


def _form_job(job: _FormJob) -> list[tuple[str, str]]:
    name, lang, script, country, other_named = job
    return forms_of(name, lang, script, country, other_named=other_named)


def _form_rows(
    conn: sqlite3.Connection, name_ids: Iterable[int] | None = None
) -> list[tuple[str, str, int]]:
    """The forms index's rows ``(key, kind, name_id)`` for every Cyrillic name of a
    Ukrainian or Russian place (or only for ``name_ids``).

    Forms depend on the name's text and facts only, so each distinct name is inflected
    once (a village name recurs in a hundred places), in two processes when there are
    many (the build's largest step: some 40,000 distinct names at about a millisecond).
    """
    countries = ",".join(f"'{c}'" for c in sorted(FORM_COUNTRIES))
    select = (
        "SELECT n.id, n.name, COALESCE(n.lang, ''), n.script, p.country, n.place_id"
        " FROM names n JOIN places p ON p.id = n.place_id"
        f" WHERE n.script = 'Cyrl' AND p.country IN ({countries})"
    )
    wanted = None if name_ids is None else set(name_ids)
    if wanted is None:
        rows = conn.execute(f"{select} ORDER BY n.id").fetchall()
    else:  # an edit: only the names of the places it touched
        places = {
            place_id
            for name_id in sorted(wanted)
            for (place_id,) in conn.execute("SELECT place_id FROM names WHERE id = ?", (name_id,))
        }
        rows = [
            row
            for place_id in sorted(places)
            for row in conn.execute(f"{select} AND n.place_id = ? ORDER BY n.id", (place_id,))
        ]
    languages: dict[str, set[str]] = {}
    for _, _, lang, _, country, place_id in rows:
        language = name_lang(lang, country)
        if language:
            languages.setdefault(place_id, set()).add(language)
    jobs: dict[int, _FormJob] = {}
    for name_id, name, lang, script, country, place_id in rows:
        if wanted is not None and name_id not in wanted:
            continue
        language = name_lang(lang, country)
        if language is None:
            continue
        other = "ru" if language == "uk" else "uk"
        jobs[name_id] = (name, lang, script, country, other in languages[place_id])
    distinct = sorted(set(jobs.values()))
    if len(distinct) >= PARALLEL_FORMS:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(2) as pool:
            results = pool.map(_form_job, distinct, chunksize=500)
    else:
        results = [_form_job(job) for job in distinct]
    forms = dict(zip(distinct, results, strict=True))
    return sorted((key, kind, name_id) for name_id, job in jobs.items() for key, kind in forms[job])


def _fuzzy_rows(keys: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
    for key, kind in keys:
        if len(key) >= FUZZY_MIN_LENGTH:
            for variant in deletions(key):
                yield variant, kind, key


def build(conn: sqlite3.Connection) -> None:
    """(Re)build the whole index from the ``names`` table."""
    conn.execute("DROP TABLE IF EXISTS name_keys")
    conn.execute("DROP TABLE IF EXISTS fuzzy_keys")
    conn.executescript(DDL)
    conn.execute("DELETE FROM index_blobs WHERE name = 'fuzzy'")  # made anew from the table
    names = conn.execute("SELECT id, name, script FROM names ORDER BY id").fetchall()
    rows = sorted(set(_rows(names)))
    conn.executemany("INSERT INTO name_keys(key, kind, name_id) VALUES (?, ?, ?)", rows)
    conn.executemany(
        "INSERT OR IGNORE INTO name_keys(key, kind, name_id) VALUES (?, ?, ?)", _form_rows(conn)
    )
    # The typo neighbourhood covers every name of Ukrainian and Russian places and the
    # official names and exonyms of the rest of the world; apart (kind 'w'), the other
    # names of the largest world cities and of countries (GeoNames' many alternate
    # spellings of all world cities would double the file for little gain).
    home = {
        row[0]
        for row in conn.execute(
            "SELECT n.id FROM names n JOIN places p ON p.id = n.place_id"
            " WHERE p.country IN ('UA', 'RU')"
        )
    }
    strong = {
        row[0] for row in conn.execute("SELECT id FROM names WHERE type IN ('official', 'exonym')")
    }
    # A name written all in lower case is a machine romanisation (yi si tan bu er), no
    # exonym anyone writes.
    famous = {
        name_id
        for name_id, name in conn.execute(
            "SELECT n.id, n.name FROM names n JOIN places p ON p.id = n.place_id"
            " WHERE p.country NOT IN ('UA', 'RU') AND (p.kind = 'country' OR p.population >= ?)",
            (WORLD_FUZZY_POPULATION,),
        )
        if not name.islower()
    }
    fuzzy = {
        (key, kind)
        for key, kind, name_id in rows
        if (kind == "i" and (name_id in home or name_id in strong))
        or (kind == "x" and name_id in home)
    }
    fuzzy |= {
        (key, "w")
        for key, kind, name_id in rows
        if kind == "i" and name_id in famous and (key, "i") not in fuzzy
    }
    conn.executemany(
        "INSERT OR IGNORE INTO fuzzy_keys(del, kind, key) VALUES (?, ?, ?)",
        sorted(_fuzzy_rows(sorted(fuzzy))),
    )
    write_snapshot(conn)
    write_places_snapshot(conn)
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('index_version', ?)", (INDEX_VERSION,)
    )


def write_snapshot(conn: sqlite3.Connection) -> None:
    """(Re)write the ``hits`` snapshot of ``name_keys`` and the ``fuzzy`` snapshot of
    ``fuzzy_keys`` (see the module docstring)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS index_blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL)"
    )
    rows = conn.execute(
        "SELECT k.kind || k.key, n.place_id, n.name, n.lang, n.type, n.valid_from, n.valid_to"
        " FROM name_keys k JOIN names n ON n.id = k.name_id JOIN places p ON p.id = n.place_id"
        " WHERE p.status = 'active' ORDER BY k.key, k.kind, k.name_id"
    )
    trie = marisa_trie.BytesTrie(
        (
            key,
            RECORD_SEPARATOR.join(
                FIELD_SEPARATOR.join(field or "" for field in fields) for _, *fields in group
            ).encode("utf-8"),
        )
        for key, group in itertools.groupby(rows, key=operator.itemgetter(0))
    )
    conn.execute(
        "INSERT OR REPLACE INTO index_blobs(name, data) VALUES ('hits', ?)", (trie.tobytes(),)
    )
    old = read_snapshot(conn, "fuzzy")
    rows = conn.execute("SELECT kind || del, key FROM fuzzy_keys ORDER BY kind, del, key")
    if old is None:
        trie = marisa_trie.BytesTrie(
            (deletion, RECORD_SEPARATOR.join(key for _, key in group).encode("utf-8"))
            for deletion, group in itertools.groupby(rows, key=operator.itemgetter(0))
        )
    else:  # the neighbourhood so far, and what edits have added to the table since
        merged: dict[str, set[str]] = {}
        for deletion, value in old.items():
            merged.setdefault(deletion, set()).update(value.decode("utf-8").split(RECORD_SEPARATOR))
        for deletion, key in rows:
            merged.setdefault(deletion, set()).add(key)
        trie = marisa_trie.BytesTrie(
            (deletion, RECORD_SEPARATOR.join(sorted(keys)).encode("utf-8"))
            for deletion, keys in sorted(merged.items())
        )
    conn.execute(
        "INSERT OR REPLACE INTO index_blobs(name, data) VALUES ('fuzzy', ?)", (trie.tobytes(),)
    )
    # The snapshot now holds the whole neighbourhood: the table keeps only what edits add
    # until the next snapshot (the shipped gazetteer's table is empty: 70 MB less).
    conn.execute("DELETE FROM fuzzy_keys")


#: The columns of the ``places`` snapshot, in its rows' order (a resolver reads the same
#: columns from the table when the file has no snapshot).
PLACE_COLUMNS = (
    "id",
    "kind",
    "country",
    "name_uk",
    "name_ru",
    "name_en",
    "admin1_id",
    "parent_id",
    "lat",
    "lon",
    "precision",
    "population",
    "geonames_id",
    "katottg",
    "status",
    "raion_id",
    "hromada_id",
)
# Columns whose values recur from row to row (kinds, countries, the ids of regions):
# written once each in the snapshot, and shared again when it is read.
_SHARED_COLUMNS = frozenset(
    ("kind", "country", "admin1_id", "parent_id", "precision", "status", "raion_id", "hromada_id")
)


def place_of_row(row: tuple[Any, ...], admin1: str | None) -> Place:
    """The :class:`~toponyms.models.Place` of a row of :data:`PLACE_COLUMNS` (the name of
    its oblast given apart: the row holds only the oblast's id)."""
    return Place(
        id=row[0],
        kind=row[1],
        country=row[2],
        name=row[5] or row[3] or row[4] or row[0],
        name_uk=row[3],
        name_ru=row[4],
        name_en=row[5],
        admin1=admin1,
        admin1_id=row[6],
        parent_id=row[7],
        lat=row[8],
        lon=row[9],
        precision=row[10],
        population=row[11],
        geonames_id=row[12],
        katottg=row[13],
        status=row[14],
    )


def place_rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every place's :data:`PLACE_COLUMNS`, from the table, in its stored order."""
    return conn.execute(f"SELECT {', '.join(PLACE_COLUMNS)} FROM places ORDER BY rowid").fetchall()


def write_places_snapshot(conn: sqlite3.Connection) -> None:
    """(Re)write the ``places`` snapshot: :func:`place_rows` as one :mod:`marshal` blob,
    which a resolver loads several times faster than SQLite returns the rows (a stream
    reads them all once it is long enough). Like ``hits``, every edit drops it
    (:func:`invalidate`); a resolver then reads the table."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS index_blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL)"
    )
    shared = [i for i, column in enumerate(PLACE_COLUMNS) if column in _SHARED_COLUMNS]
    rows = []
    for row in place_rows(conn):
        values = list(row)
        for i in shared:
            if isinstance(values[i], str):
                values[i] = sys.intern(values[i])  # marshal writes one object once
        rows.append(tuple(values))
    conn.execute(
        "INSERT OR REPLACE INTO index_blobs(name, data) VALUES ('places', ?)",
        (marshal.dumps((PLACE_COLUMNS, tuple(rows))),),
    )


def read_places_snapshot(conn: sqlite3.Connection) -> tuple[tuple[Any, ...], ...] | None:
    """The ``places`` snapshot's rows, or None when the file has none (edited since, or
    older) or one of other columns or another Python's :mod:`marshal` format."""
    try:
        row = conn.execute("SELECT data FROM index_blobs WHERE name = 'places'").fetchone()
    except sqlite3.OperationalError:
        return None
    if row is None:
        return None
    try:
        columns, rows = marshal.loads(row[0])
    except (EOFError, ValueError, TypeError):
        return None
    if columns != PLACE_COLUMNS or not isinstance(rows, tuple):
        return None
    return rows


def invalidate(conn: sqlite3.Connection) -> None:
    """Drop the snapshots of names and places: called inside every edit's transaction, so
    that a resolver never reads names from before the edit (it reads the tables until the
    next snapshot). The typo neighbourhood's snapshot stays: it only proposes candidate
    keys, which are then looked up, so an entry of a removed name costs a look-up and never
    a wrong answer, and the keys of added names go to the ``fuzzy_keys`` table, which a
    resolver reads beside it."""
    with contextlib.suppress(sqlite3.OperationalError):  # a file from before snapshots
        conn.execute("DELETE FROM index_blobs WHERE name != 'fuzzy'")


def read_snapshot(conn: sqlite3.Connection, name: str = "hits") -> marisa_trie.BytesTrie | None:
    """The snapshot ``name`` (``hits`` or ``fuzzy``), or None when the file has none
    (edited since, or older: a file from before the ``fuzzy`` snapshot has only ``hits``)."""
    try:
        row = conn.execute("SELECT data FROM index_blobs WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:
        return None
    if row is None:
        return None
    return marisa_trie.BytesTrie().frombytes(bytes(row[0]))


def fuzzy_candidates(
    snapshot: marisa_trie.BytesTrie, kind: str, dels: Iterable[str]
) -> tuple[set[str], int]:
    """The keys of ``kind`` under the deletions ``dels`` in the ``fuzzy`` snapshot, and the
    number of ``fuzzy_keys`` rows they come from (a key met under several deletions counts
    once per deletion, as a row of the table does)."""
    keys: set[str] = set()
    rows = 0
    for deletion in dels:
        value = snapshot.get(kind + deletion)
        if value:
            found = value[0].decode("utf-8").split(RECORD_SEPARATOR)
            rows += len(found)
            keys.update(found)
    return keys, rows


def add_names(conn: sqlite3.Connection, names: Iterable[tuple[int, str, str]]) -> None:
    """Index newly added names ``(name_id, name, script)``; call inside the edit's transaction
    (it drops the snapshot, which does not hold them)."""
    invalidate(conn)
    names = list(names)
    rows = list(_rows(names))
    conn.executemany("INSERT OR IGNORE INTO name_keys(key, kind, name_id) VALUES (?, ?, ?)", rows)
    conn.executemany(
        "INSERT OR IGNORE INTO name_keys(key, kind, name_id) VALUES (?, ?, ?)",
        _form_rows(conn, [name_id for name_id, _, _ in names]),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO fuzzy_keys(del, kind, key) VALUES (?, ?, ?)",
        list(_fuzzy_rows({(key, kind) for key, kind, _ in rows})),
    )


def remove_names(conn: sqlite3.Connection, names: Iterable[tuple[int, str, str]]) -> None:
    """Drop the keys of names about to be deleted ``(name_id, name, script)``.

    The fuzzy neighbourhood of a key is left in place: it only ever proposes candidate
    keys, which are then looked up in ``name_keys``, so a stale entry costs one look-up and
    never yields a wrong answer. The snapshot, which still holds them, is dropped.
    """
    invalidate(conn)
    conn.executemany(
        "DELETE FROM name_keys WHERE name_id = ?", [(name_id,) for name_id, _, _ in names]
    )


def is_current(conn: sqlite3.Connection) -> bool:
    """Whether the file's index was made by this version of the key functions."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'index_version'").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and row[0] == INDEX_VERSION


def missing_keys(conn: sqlite3.Connection, *, limit: int = 10) -> list[tuple[int, str]]:
    """Names whose keys are absent from the index (for ``gazetteer check``).

    A name that has no key at all (empty or unusable text) is skipped here: ``gazetteer
    check`` reports such names on their own.
    """
    missing: list[tuple[int, str]] = []
    for name_id, name, script in conn.execute("SELECT id, name, script FROM names"):
        try:
            keys = list(keys_of(name, script))
        except InvalidInputError:
            continue
        for key, kind in keys:
            found = conn.execute(
                "SELECT 1 FROM name_keys WHERE key = ? AND kind = ? AND name_id = ?",
                (key, kind, name_id),
            ).fetchone()
            if found is None:
                missing.append((name_id, name))
                break
        if len(missing) >= limit:
            break
    return missing
