"""Edit a user gazetteer: add places and names, rename, merge, retire, import, upgrade.

``Gazetteer(path)`` is the library side of ``toponyms gazetteer ...``. Every edit:

- refuses the shipped default gazetteer (:class:`ReadOnlyGazetteerError`, with a hint to
  ``init`` a copy of one's own), so that package upgrades never fight with user edits;
- validates its input before writing, with a precise message, and uses parameterised SQL;
- runs as one ``BEGIN IMMEDIATE`` … ``COMMIT`` transaction, rolled back on any error, in
  WAL mode, so that readers (a :class:`toponyms.Resolver` in another thread or process)
  see the state before or after an edit and never a part of it, and see it at their next
  call once committed;
- keeps the matching index (:mod:`toponyms.index`) and the FTS index in step inside that
  transaction;
- appends a ``history`` row (when, who, what, why) whose ``details`` hold everything needed
  to apply the edit again: :func:`upgrade` replays a user's history onto a new default.

The operations themselves are the ``op_*`` functions, which take an open connection inside
a transaction and return the history details; the class adds the file handling.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO, cast

from gazetteer import importer, schema, store
from gazetteer.importer import NameRecord, PlaceRecord
from toponyms import index
from toponyms.errors import (
    GazetteerError,
    ImportFileError,
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
    ReadOnlyGazetteerError,
    ToponymsError,
    UnknownNameError,
    UnknownPlaceError,
)
from toponyms.text.normalize import clean, script_of

LOCAL_PREFIX = "local:"
USER_SOURCE = "user"
CANONICAL_LANGS = ("uk", "ru", "en")
UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
#: Where each kind of parent goes in a child's administrative chain.
CHAIN_COLUMN = {"oblast": "admin1_id", "raion": "raion_id", "hromada": "hromada_id"}
CHAIN_COLUMNS = ("admin1_id", "raion_id", "hromada_id")
INIT_HINT = (
    "make a gazetteer of your own with `toponyms gazetteer init my.sqlite` "
    "(Gazetteer.init in Python), then pass --db my.sqlite or set TOPONYMS_DB=my.sqlite"
)
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_-]*:[^\s]+$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Edit:
    """What one write did: the place id it touched, the action, and the history details."""

    id: str
    action: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` object: ``{"id": ..., "action": ..., ...details}``."""
        return {"id": self.id, "action": self.action, **self.details}


# -- validation ------------------------------------------------------------------------------
def clean_text(value: object, what: str) -> str:
    """``clean`` a name or reason, prefixing its error with the field's name."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what}: expected text, got {type(value).__name__}")
    try:
        return clean(value)
    except InvalidInputError as error:
        raise InvalidInputError(f"{what}: {error}") from None


def check_kind(kind: str) -> str:
    if kind not in schema.KINDS:
        raise InvalidInputError(f"unknown kind {kind!r}; use one of {', '.join(schema.KINDS)}")
    return kind


def check_country(country: str) -> str:
    code = (country or "").strip().upper()
    if not _COUNTRY_RE.match(code):
        raise InvalidInputError(f"not an ISO 3166 country code: {country!r} (use e.g. UA)")
    return code


def check_lang(lang: str) -> str:
    if lang != "und" and not _LANG_RE.match(lang or ""):
        raise InvalidInputError(f"not a language code: {lang!r} (use e.g. uk, ru, en, und)")
    return lang


def check_name_type(type_: str) -> str:
    if type_ not in schema.NAME_TYPES:
        raise InvalidInputError(
            f"unknown name type {type_!r}; use one of {', '.join(schema.NAME_TYPES[:-1])}"
        )
    return type_


def _coordinate(value: object, what: str, limit: float) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidCoordinatesError(f"{what} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise InvalidCoordinatesError(f"{what} must be a finite number, not {value!r}")
    if not -limit <= number <= limit:
        raise InvalidCoordinatesError(f"{what} {number} is outside -{limit:g}..{limit:g}")
    return number


def check_point(lat: object, lon: object) -> tuple[float | None, float | None]:
    """Latitude and longitude, both given and in range, or both ``None``."""
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        raise InvalidCoordinatesError("give latitude and longitude together")
    return _coordinate(lat, "latitude", 90), _coordinate(lon, "longitude", 180)


def check_population(population: object) -> int | None:
    if population is None:
        return None
    if isinstance(population, bool) or not isinstance(population, int):
        raise InvalidInputError(f"population must be a whole number, not {population!r}")
    if population < 0:
        raise InvalidInputError(f"population must not be negative: {population}")
    return population


def parse_date(value: str) -> date:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date as its first day."""
    match = _DATE_RE.match(value.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(g) if g else 1 for g in match.groups())
        return date(year, month, day)
    except ValueError:
        raise InvalidDateError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)") from None


def check_date(value: str | None, what: str) -> str | None:
    """A validated date string (kept as given, at the precision given), or ``None``."""
    if value is None or not value.strip():
        return None
    try:
        parse_date(value)
    except InvalidDateError as error:
        raise InvalidDateError(f"{what}: {error}") from None
    return value.strip()


def check_period(valid_from: str | None, valid_to: str | None) -> None:
    if valid_from and valid_to and parse_date(valid_to) < parse_date(valid_from):
        raise InvalidDateError(f"valid-to {valid_to} is before valid-from {valid_from}")


def guess_lang(name: str) -> str:
    """'uk' for Cyrillic with Ukrainian letters, 'en' for Latin, else 'und'."""
    script = script_of(name)
    if script == "Cyrl" and any(ch in UKRAINIAN_LETTERS for ch in name):
        return "uk"
    return "en" if script == "Latn" else "und"


def default_author() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- low-level writes (inside a transaction) -------------------------------------------------
def _row(conn: sqlite3.Connection, sql: str, params: Iterable[Any]) -> dict[str, Any] | None:
    cursor = conn.execute(sql, tuple(params))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def redirect_target(conn: sqlite3.Connection, place_id: str) -> str | None:
    """Where a merged id points now (following chains), or ``None``."""
    seen = {place_id}
    target = None
    current = place_id
    while True:
        row = conn.execute("SELECT new_id FROM redirects WHERE old_id = ?", (current,)).fetchone()
        if row is None or row[0] in seen:
            return target
        target = current = row[0]
        seen.add(current)


def get_place(conn: sqlite3.Connection, place_id: str, *, follow: bool = False) -> dict[str, Any]:
    """The ``places`` row of an id; a merged id is followed only when ``follow`` is set."""
    if not isinstance(place_id, str) or not place_id.strip():
        raise InvalidInputError(f"not a place id: {place_id!r}")
    place = _row(conn, "SELECT * FROM places WHERE id = ?", (place_id,))
    if place is not None:
        return place
    target = redirect_target(conn, place_id)
    if target is not None and follow:
        return get_place(conn, target)
    if target is not None:
        raise UnknownPlaceError(f"place {place_id!r} was merged into {target!r}; edit {target!r}")
    raise UnknownPlaceError(f"no place with id {place_id!r}")


def _local_number(place_id: str) -> int:
    """n of a ``local:<n>`` id; 0 for any other id."""
    tail = place_id[len(LOCAL_PREFIX) :] if place_id.startswith(LOCAL_PREFIX) else ""
    return int(tail) if tail.isdigit() else 0


def max_local_number(conn: sqlite3.Connection) -> int:
    """The highest n of the ``local:<n>`` ids in use, merged-away ids included."""
    ids = conn.execute(
        "SELECT id FROM places WHERE id >= 'local:' AND id < 'local;'"
        " UNION ALL SELECT old_id FROM redirects WHERE old_id >= 'local:' AND old_id < 'local;'"
    ).fetchall()
    return max((_local_number(i[0]) for i in ids), default=0)


def check_new_id(place_id: str) -> str:
    """An id for a new place: ``scheme:value`` (``local:7``, ``geonames:123``, ``osm:n42``)."""
    if not _ID_RE.match(place_id):
        raise InvalidInputError(
            f"not a place id: {place_id!r} (use scheme:value, e.g. local:7 or geonames:123)"
        )
    return place_id


def chain_from_parent(conn: sqlite3.Connection, parent: str | None) -> dict[str, str | None]:
    """``parent_id`` and the admin chain a child of ``parent`` gets (its own plus itself)."""
    chain: dict[str, str | None] = {"parent_id": None, **dict.fromkeys(CHAIN_COLUMNS)}
    if parent is None:
        return chain
    try:
        row = get_place(conn, parent, follow=True)
    except UnknownPlaceError as error:
        raise UnknownPlaceError(f"parent: {error.args[0]}") from None
    chain.update({"parent_id": row["id"], **{c: row[c] for c in CHAIN_COLUMNS}})
    column = CHAIN_COLUMN.get(row["kind"])
    if column is not None:
        chain[column] = row["id"]
    return chain


NameRow = tuple[str, str, str, str | None, str | None, str]  # name, lang, type, from, to, source
Pending = list[tuple[int, str, str]]  # new names (id, name, script) waiting to be indexed


def insert_names(
    conn: sqlite3.Connection,
    place_id: str,
    names: Iterable[NameRow],
    *,
    pending: Pending | None = None,
) -> list[int]:
    """Add the names a place lacks (same text, language and type); return the new ids.

    The new names are indexed (matching keys and FTS) at once, or, when ``pending`` is
    given, appended to it for :func:`index_names` to do in one batch (a large import).
    """
    added: list[tuple[int, str, str]] = []
    for name, lang, type_, valid_from, valid_to, source in names:
        script = script_of(name)
        cursor = conn.execute(
            "INSERT OR IGNORE INTO names (place_id, name, lang, script, type, valid_from,"
            " valid_to, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (place_id, name, lang, script, type_, valid_from, valid_to, source),
        )
        if cursor.rowcount == 1:
            added.append((int(cursor.lastrowid or 0), name, script))
    if pending is None:
        index_names(conn, added)
    else:
        pending.extend(added)
    return [i for i, _, _ in added]


def index_names(conn: sqlite3.Connection, added: list[tuple[int, str, str]]) -> None:
    """Put new names ``(id, name, script)`` into the matching index and the FTS index."""
    index.add_names(conn, added)
    conn.executemany(
        "INSERT INTO names_fts(rowid, name) VALUES (?, ?)", [(i, n) for i, n, _ in added]
    )


def delete_names(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Delete names ``(id, name, script)``, dropping their keys and FTS entries first."""
    rows = list(rows)
    index.remove_names(conn, rows)
    conn.executemany(
        "INSERT INTO names_fts(names_fts, rowid, name) VALUES ('delete', ?, ?)",
        [(i, n) for i, n, _ in rows],
    )
    conn.executemany("DELETE FROM names WHERE id = ?", [(i,) for i, _, _ in rows])


def fill_canonical(conn: sqlite3.Connection, place_id: str) -> None:
    """Set an empty ``name_uk``/``name_ru``/``name_en`` from an official name of that language."""
    for lang in CANONICAL_LANGS:
        conn.execute(
            f"UPDATE places SET name_{lang} = (SELECT name FROM names WHERE place_id = ?"
            f" AND lang = ? AND type = 'official' ORDER BY id LIMIT 1)"
            f" WHERE id = ? AND name_{lang} IS NULL",
            (place_id, lang, place_id),
        )


#: Logged actions that leave places and names as they were (or rebuild the index
#: themselves), so that the index snapshot stays valid.
SNAPSHOT_KEEPING_ACTIONS = frozenset({"init", "migrate", "reindex", "check-fix"})


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
        (
            at or _now(),
            author,
            action,
            place_id,
            json.dumps(details, ensure_ascii=False, sort_keys=True),
            reason,
        ),
    )


# -- operations ------------------------------------------------------------------------------
def _ensure_new_id(conn: sqlite3.Connection, place_id: str) -> None:
    if conn.execute("SELECT 1 FROM places WHERE id = ?", (place_id,)).fetchone():
        raise InvalidInputError(f"a place with id {place_id!r} already exists")
    if redirect_target(conn, place_id) is not None:
        raise InvalidInputError(f"id {place_id!r} was merged into another place; use a new id")


def _new_place_row(
    conn: sqlite3.Connection,
    place_id: str,
    *,
    name: str,
    lang: str,
    country: str,
    kind: str,
    lat: float | None,
    lon: float | None,
    parent: str | None,
    population: int | None,
) -> dict[str, Any]:
    """A validated ``places`` row for a new place named ``name`` (already clean) in ``lang``."""
    lat, lon = check_point(lat, lon)
    return {
        "id": check_new_id(place_id),
        "kind": check_kind(kind),
        "country": check_country(country),
        **{f"name_{c}": name if lang == c else None for c in CANONICAL_LANGS},
        **chain_from_parent(conn, parent),
        "lat": lat,
        "lon": lon,
        "precision": "user" if lat is not None else None,
        "population": check_population(population),
        "status": "active",
    }


def _insert_place(
    conn: sqlite3.Connection, row: dict[str, Any], names: list[NameRow], pending: Pending | None
) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    conn.execute(f"INSERT INTO places ({columns}) VALUES ({marks})", tuple(row.values()))
    insert_names(conn, row["id"], names, pending=pending)


def _place_details(row: dict[str, Any], name: str, lang: str) -> dict[str, Any]:
    """What history keeps of a new place (the arguments that recreate it)."""
    return {
        "id": row["id"],
        "name": name,
        "country": row["country"],
        "kind": row["kind"],
        "lat": row["lat"],
        "lon": row["lon"],
        "parent": row["parent_id"],
        "lang": lang,
        "population": row["population"],
    }


def op_add_place(
    conn: sqlite3.Connection,
    *,
    name: str,
    country: str,
    kind: str,
    lat: float | None,
    lon: float | None,
    parent: str | None = None,
    lang: str | None = None,
    population: int | None = None,
    place_id: str | None = None,
) -> dict[str, Any]:
    """Insert a place with its official name; ``place_id`` defaults to the next ``local:<n>``."""
    name = clean_text(name, "name")
    lang = check_lang(lang) if lang else guess_lang(name)
    if place_id is not None:
        _ensure_new_id(conn, place_id)
    new_id = place_id or f"{LOCAL_PREFIX}{max_local_number(conn) + 1}"
    row = _new_place_row(
        conn,
        new_id,
        name=name,
        lang=lang,
        country=country,
        kind=kind,
        lat=lat,
        lon=lon,
        parent=parent,
        population=population,
    )
    _insert_place(conn, row, [(name, lang, "official", None, None, USER_SOURCE)], None)
    return _place_details(row, name, lang)


def op_add_name(
    conn: sqlite3.Connection,
    place_id: str,
    name: str,
    *,
    lang: str | None = None,
    type: str = "alternate",
    valid_from: str | None = None,
    valid_to: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Add one name to a place; an official name in uk/ru/en fills an empty canonical name."""
    place = get_place(conn, place_id)
    name = clean_text(name, "name")
    lang = check_lang(lang) if lang else guess_lang(name)
    type_ = check_name_type(type)
    valid_from = check_date(valid_from, "valid-from")
    valid_to = check_date(valid_to, "valid-to")
    check_period(valid_from, valid_to)
    source = clean_text(source, "source") if source else USER_SOURCE
    ids = insert_names(conn, place["id"], [(name, lang, type_, valid_from, valid_to, source)])
    if not ids:
        raise InvalidInputError(f"{place['id']} already has the {type_} name {name!r} ({lang})")
    if type_ == "official":
        fill_canonical(conn, place["id"])
    return {
        "id": place["id"],
        "name": name,
        "lang": lang,
        "type": type_,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source": source,
        "name_id": ids[0],
    }


def op_remove_name(
    conn: sqlite3.Connection,
    place_id: str,
    name: str,
    *,
    lang: str | None = None,
    type: str | None = None,
) -> dict[str, Any]:
    """Remove a name (every language and type of it unless narrowed); never the last name."""
    place = get_place(conn, place_id)
    name = clean_text(name, "name")
    sql = "SELECT id, name, script, lang, type FROM names WHERE place_id = ? AND name = ?"
    params: list[Any] = [place["id"], name]
    for column, value in (("lang", lang), ("type", type)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    rows = conn.execute(sql, params).fetchall()
    if not rows:
        raise UnknownNameError(f"{place['id']} has no name {name!r}")
    total = conn.execute("SELECT COUNT(*) FROM names WHERE place_id = ?", (place["id"],))
    if total.fetchone()[0] <= len(rows):
        raise InvalidInputError(
            f"{name!r} is the only name of {place['id']}; retire the place instead"
        )
    delete_names(conn, [(r[0], r[1], r[2]) for r in rows])
    for lang_ in {r[3] for r in rows if r[3] in CANONICAL_LANGS}:
        conn.execute(
            f"UPDATE places SET name_{lang_} = NULL WHERE id = ? AND name_{lang_} = ?",
            (place["id"], name),
        )
    fill_canonical(conn, place["id"])
    return {
        "id": place["id"],
        "name": name,
        "removed": [{"lang": r[3], "type": r[4]} for r in rows],
    }


def _retire_official(
    conn: sqlite3.Connection, place_id: str, row: tuple[Any, ...], when: str
) -> None:
    """Turn an official name into a historical one ending at ``when``."""
    name_id, name, script, lang, valid_from = row
    if valid_from and parse_date(when) < parse_date(valid_from):
        raise InvalidDateError(f"date {when} is before {name!r} became official ({valid_from})")
    twin = conn.execute(
        "SELECT id FROM names WHERE place_id = ? AND name = ? AND lang = ? AND type = 'historical'",
        (place_id, name, lang),
    ).fetchone()
    if twin is None:
        conn.execute(
            "UPDATE names SET type = 'historical', valid_to = ? WHERE id = ?", (when, name_id)
        )
        return
    delete_names(conn, [(name_id, name, script)])
    conn.execute("UPDATE names SET valid_to = COALESCE(valid_to, ?) WHERE id = ?", (when, twin[0]))


def op_rename(
    conn: sqlite3.Connection,
    place_id: str,
    new_name: str,
    *,
    date: str,
    lang: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The official name (of that language) becomes historical up to ``date``; the new one
    official from ``date``, and the place's canonical name in that language."""
    place = get_place(conn, place_id)
    new = clean_text(new_name, "new name")
    when = check_date(date, "date")
    if when is None:
        raise InvalidDateError("rename needs --date (YYYY-MM-DD)")
    lang = check_lang(lang) if lang else guess_lang(new)
    source = clean_text(source, "source") if source else USER_SOURCE
    olds = conn.execute(
        "SELECT id, name, script, lang, valid_from FROM names"
        " WHERE place_id = ? AND lang = ? AND type = 'official'",
        (place["id"], lang),
    ).fetchall()
    if any(row[1] == new for row in olds):
        raise InvalidInputError(f"{new!r} is already the official {lang} name of {place['id']}")
    for row in olds:
        _retire_official(conn, place["id"], row, when)
    insert_names(conn, place["id"], [(new, lang, "official", when, None, source)])
    if lang in CANONICAL_LANGS:
        conn.execute(f"UPDATE places SET name_{lang} = ? WHERE id = ?", (new, place["id"]))
    return {
        "id": place["id"],
        "name": new,
        "lang": lang,
        "date": when,
        "source": source,
        "old": [row[1] for row in olds],
    }


def _move_names(conn: sqlite3.Connection, duplicate: str, keep: str) -> tuple[int, int]:
    """Move a duplicate's names to ``keep``; its official names become alternate where
    ``keep`` already has an official name in that language. Returns (moved, dropped)."""
    official = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT lang FROM names WHERE place_id = ? AND type = 'official'", (keep,)
        )
    }
    rows = conn.execute(
        "SELECT id, name, script, lang, type FROM names WHERE place_id = ? ORDER BY id",
        (duplicate,),
    ).fetchall()
    dropped: list[tuple[int, str, str]] = []
    for name_id, name, script, lang, type_ in rows:
        demoted = type_ == "official" and lang in official
        new_type = "alternate" if demoted else type_
        types = {
            r[0]
            for r in conn.execute(
                "SELECT type FROM names WHERE place_id = ? AND name = ? AND lang = ?",
                (keep, name, lang),
            )
        }
        if new_type in types or (demoted and types):
            dropped.append((name_id, name, script))
        else:
            conn.execute(
                "UPDATE names SET place_id = ?, type = ? WHERE id = ?", (keep, new_type, name_id)
            )
    delete_names(conn, dropped)
    return len(rows) - len(dropped), len(dropped)


def _move_children(conn: sqlite3.Connection, dup: dict[str, Any], keep: str) -> int:
    """Point the duplicate's children at ``keep``; ``keep`` itself takes the dup's parents."""
    moved = 0
    for column in ("parent_id", *CHAIN_COLUMNS):
        conn.execute(
            f"UPDATE places SET {column} = ? WHERE id = ? AND {column} = ?",
            (dup[column] if dup[column] != keep else None, keep, dup["id"]),
        )
        cursor = conn.execute(
            f"UPDATE places SET {column} = ? WHERE {column} = ? AND id != ?",
            (keep, dup["id"], keep),
        )
        if column == "parent_id":
            moved = cursor.rowcount
    return moved


FILLABLE = ("name_uk", "name_ru", "name_en", "population", "geonames_id", "katottg", "iso_code")


def _fill_from(conn: sqlite3.Connection, dup: dict[str, Any], keep: dict[str, Any]) -> list[str]:
    """Copy into ``keep`` what it lacks and the duplicate knows; return the fields filled."""
    filled = [f for f in FILLABLE if keep[f] is None and dup[f] is not None]
    for column in filled:
        conn.execute(f"UPDATE places SET {column} = ? WHERE id = ?", (dup[column], keep["id"]))
    if keep["lat"] is None and dup["lat"] is not None:
        conn.execute(
            "UPDATE places SET lat = ?, lon = ?, precision = ? WHERE id = ?",
            (dup["lat"], dup["lon"], dup["precision"], keep["id"]),
        )
        filled.append("point")
    return filled


def op_merge(
    conn: sqlite3.Connection, duplicate_id: str, keep_id: str, *, reason: str | None = None
) -> dict[str, Any]:
    """Move everything of ``duplicate_id`` to ``keep_id``, delete the duplicate's row and
    redirect its id (the resolver answers ``place(duplicate_id)`` with ``keep_id``)."""
    if duplicate_id == keep_id:
        raise InvalidInputError("a place cannot be merged into itself")
    dup = get_place(conn, duplicate_id)
    keep = get_place(conn, keep_id)
    moved, dropped = _move_names(conn, dup["id"], keep["id"])
    children = _move_children(conn, dup, keep["id"])
    filled = _fill_from(conn, dup, keep)
    conn.execute("UPDATE redirects SET new_id = ? WHERE new_id = ?", (keep["id"], dup["id"]))
    conn.execute(
        "INSERT OR REPLACE INTO redirects (old_id, new_id, reason) VALUES (?, ?, ?)",
        (dup["id"], keep["id"], reason or "merged"),
    )
    conn.execute("DELETE FROM places WHERE id = ?", (dup["id"],))
    return {
        "id": keep["id"],
        "duplicate": dup["id"],
        "keep": keep["id"],
        "moved_names": moved,
        "dropped_names": dropped,
        "moved_children": children,
        "filled": filled,
        "duplicate_row": dup,
    }


def op_retire(conn: sqlite3.Connection, place_id: str, *, reason: str) -> dict[str, Any]:
    """Mark a place retired (the resolver then ignores it); the reason is required."""
    place = get_place(conn, place_id)
    why = clean_text(reason, "reason")
    if place["status"] == "retired":
        raise InvalidInputError(f"{place['id']} is already retired ({place['status_reason']})")
    conn.execute(
        "UPDATE places SET status = 'retired', status_reason = ? WHERE id = ?", (why, place["id"])
    )
    return {"id": place["id"], "reason": why}


def op_set(
    conn: sqlite3.Connection,
    place_id: str,
    *,
    lat: float | None = None,
    lon: float | None = None,
    population: int | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """Change a place's point, population or kind; the details keep old and new values."""
    place = get_place(conn, place_id)
    if lat is None and lon is None and population is None and kind is None:
        raise InvalidInputError("nothing to set: give --lat and --lon, --population or --kind")
    new: dict[str, Any] = {}
    if lat is not None or lon is not None:
        new["lat"], new["lon"] = check_point(lat, lon)
        new["precision"] = "user"
    if population is not None:
        new["population"] = check_population(population)
    if kind is not None:
        new["kind"] = check_kind(kind)
    changes = {k: [place[k], v] for k, v in new.items() if place[k] != v}
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        values = [v[1] for v in changes.values()]
        conn.execute(f"UPDATE places SET {assignments} WHERE id = ?", (*values, place["id"]))
    return {"id": place["id"], "changes": changes}


# -- import ----------------------------------------------------------------------------------


def _record_lang(record: PlaceRecord) -> str:
    return check_lang(record.lang) if record.lang else guess_lang(clean_text(record.name, "name"))


def _record_names(record: PlaceRecord, lang: str) -> list[NameRow]:
    """The record's names, validated: its ``name`` (official in ``lang``) and ``names``."""
    rows: list[NameRow] = [
        (clean_text(record.name, "name"), lang, "official", None, None, USER_SOURCE)
    ]
    for extra in record.names:
        name = clean_text(extra.name, "names")
        valid_from = check_date(extra.valid_from, "valid_from")
        valid_to = check_date(extra.valid_to, "valid_to")
        check_period(valid_from, valid_to)
        rows.append(
            (
                name,
                check_lang(extra.lang) if extra.lang else guess_lang(name),
                check_name_type(extra.type or "alternate"),
                valid_from,
                valid_to,
                clean_text(extra.source, "source") if extra.source else USER_SOURCE,
            )
        )
    return rows


def _canonical_of(record: PlaceRecord) -> dict[str, str]:
    """The ``name_uk``/``name_ru``/``name_en`` cells the record gives, kept as written."""
    result = {}
    for lang in CANONICAL_LANGS:
        value = getattr(record, f"name_{lang}")
        if value is not None and value.strip():
            clean_text(value, f"name_{lang}")  # refuses control characters
            result[f"name_{lang}"] = value
    return result


def _create_from(
    conn: sqlite3.Connection, record: PlaceRecord, place_id: str, pending: Pending | None
) -> dict[str, Any]:
    """Create a place from a record (its id already checked to be free); canonical names
    come from the record's cells, else from its first official name in that language."""
    lang = _record_lang(record)
    names = _record_names(record, lang)
    row = _new_place_row(
        conn,
        place_id,
        name=names[0][0],
        lang=lang,
        country=record.country,
        kind=record.kind,
        lat=record.lat,
        lon=record.lon,
        parent=record.parent,
        population=record.population,
    )
    for name, name_lang, type_, *_ in names[1:]:
        if type_ == "official" and name_lang in CANONICAL_LANGS and not row[f"name_{name_lang}"]:
            row[f"name_{name_lang}"] = name
    row.update(_canonical_of(record))
    first, extra = names[0], names[1:]
    if any(n[:2] == first[:2] for n in extra):
        names = extra  # the names cell lists the name itself, perhaps with dates: keep that
    _insert_place(conn, row, names, pending)
    return {**_place_details(row, names[0][0], lang), "created": True}


def _changed_fields(
    conn: sqlite3.Connection, record: PlaceRecord, place: dict[str, Any]
) -> dict[str, list[Any]]:
    """The place's fields the record changes, as ``{field: [old, new]}``."""
    new: dict[str, Any] = {
        "kind": check_kind(record.kind),
        "country": check_country(record.country),
    }
    lat, lon = check_point(record.lat, record.lon)
    if lat is not None and (lat, lon) != (place["lat"], place["lon"]):
        new.update(lat=lat, lon=lon, precision="user")
    if record.population is not None:
        new["population"] = check_population(record.population)
    if record.parent is not None and record.parent != place["parent_id"]:
        new.update(chain_from_parent(conn, record.parent))
    new.update(_canonical_of(record))
    return {k: [place[k], v] for k, v in new.items() if place[k] != v}


def _update_from(
    conn: sqlite3.Connection, record: PlaceRecord, place: dict[str, Any], pending: Pending | None
) -> dict[str, Any]:
    """Bring an existing place in line with a record: fields that differ, names it lacks.

    The record's ``name`` is added only if the place lacks it in that language, and as an
    alternate name when the place has an official one there already (renames are ``rename``).
    """
    changes = _changed_fields(conn, record, place)
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        conn.execute(
            f"UPDATE places SET {assignments} WHERE id = ?",
            (*[v[1] for v in changes.values()], place["id"]),
        )
    lang = _record_lang(record)
    names = _record_names(record, lang)
    types = {
        r[0]
        for r in conn.execute(
            "SELECT type FROM names WHERE place_id = ? AND name = ? AND lang = ?",
            (place["id"], names[0][0], lang),
        )
    }
    official = conn.execute(
        "SELECT 1 FROM names WHERE place_id = ? AND lang = ? AND type = 'official'",
        (place["id"], lang),
    ).fetchone()
    if types or place.get(f"name_{lang}") in (record.name, record.name.strip()):
        names = names[1:]  # the name is there already, whatever its type
    elif official:
        names[0] = (*names[0][:2], "alternate", *names[0][3:])  # never a second official name
    added = insert_names(conn, place["id"], names, pending=pending)
    if not changes and not added:
        return {}
    return {"id": place["id"], "created": False, "changes": changes, "added_names": len(added)}


def op_upsert(
    conn: sqlite3.Connection,
    record: PlaceRecord,
    *,
    new_id: Callable[[], str],
    pending: Pending | None = None,
) -> dict[str, Any]:
    """Create the record's place, or update the place with its id; ``{}`` when unchanged."""
    if record.id is not None:
        existing = _row(conn, "SELECT * FROM places WHERE id = ?", (record.id,))
        if existing is not None:
            return _update_from(conn, record, existing, pending)
        target = redirect_target(conn, record.id)
        if target is not None:
            raise UnknownPlaceError(f"id {record.id!r} was merged into {target!r}")
    return _create_from(conn, record, record.id or new_id(), pending)


def _in_file_order(records: list[PlaceRecord]) -> list[PlaceRecord]:
    """The records with every parent given in the same file placed before its children."""
    by_id: dict[str, PlaceRecord] = {}
    for record in records:
        if record.id is not None:
            first = by_id.setdefault(record.id, record)
            if first is not record:
                raise ImportFileError(
                    f"{_where(record)}: id {record.id!r} appears again (first: {_where(first)})"
                )
    ordered: list[PlaceRecord] = []
    placed: set[int] = set()
    for record in records:
        chain: list[PlaceRecord] = []
        current: PlaceRecord | None = record
        while current is not None and id(current) not in placed:
            if any(c is current for c in chain):
                raise ImportFileError(f"{_where(record)}: parent {record.parent!r} makes a cycle")
            chain.append(current)
            current = by_id.get(current.parent) if current.parent else None
        for item in reversed(chain):
            placed.add(id(item))
            ordered.append(item)
    return ordered


def _where(record: PlaceRecord) -> str:
    return f"{record.unit} {record.line}"


def _history_row(
    details: dict[str, Any], record: PlaceRecord, at: str, author: str, reason: str | None
) -> dict[str, Any]:
    """An ``import-place`` row; its record carries the id given, so a replay recreates it."""
    replayable = {**record.to_dict(), "id": details["id"]}
    return {
        "at": at,
        "author": author,
        "action": "import-place",
        "place_id": details["id"],
        "details": json.dumps({**details, "record": replayable}, ensure_ascii=False),
        "reason": reason,
    }


def apply_import(
    conn: sqlite3.Connection, records: list[PlaceRecord], *, author: str, reason: str | None
) -> dict[str, Any]:
    """Write every record (inside the caller's transaction); a bad one fails all, by line.

    Names are indexed and history rows written in batches at the end (``insert_all`` of
    sqlite-utils, which nests in the open transaction as a savepoint).
    """
    import sqlite_utils

    given = [_local_number(r.id) for r in records if r.id is not None]
    counter = [max(max_local_number(conn), *given, 0)]

    def new_id() -> str:
        counter[0] += 1
        return f"{LOCAL_PREFIX}{counter[0]}"

    conn.execute("PRAGMA defer_foreign_keys = ON")
    touched: dict[bool, list[str]] = {True: [], False: []}
    history: list[dict[str, Any]] = []
    pending: Pending = []
    at = _now()
    for record in _in_file_order(records):
        try:
            details = op_upsert(conn, record, new_id=new_id, pending=pending)
        except (InvalidInputError, LookupError) as error:
            message = error.args[0] if error.args else str(error)
            raise ImportFileError(f"{_where(record)}: {message}") from None
        if details:
            touched[details["created"]].append(details["id"])
            history.append(_history_row(details, record, at, author, reason))
    index_names(conn, pending)
    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    if history:
        db.table("history").insert_all(history, batch_size=5000)
    created, updated = touched[True], touched[False]
    return {
        "places": len(records),
        "created": len(created),
        "updated": len(updated),
        "unchanged": len(records) - len(created) - len(updated),
        "ids": created + updated,
    }


# -- replay (upgrade) ------------------------------------------------------------------------
def _follow(conn: sqlite3.Connection, place_id: str) -> str:
    return redirect_target(conn, place_id) or place_id


def _replay_set(conn: sqlite3.Connection, d: dict[str, Any]) -> object:
    new = {k: v[1] for k, v in d.get("changes", {}).items()}
    return op_set(
        conn,
        _follow(conn, d["id"]),
        lat=new.get("lat"),
        lon=new.get("lon"),
        population=new.get("population"),
        kind=new.get("kind"),
    )


def _replay_import(conn: sqlite3.Connection, d: dict[str, Any]) -> object:
    record = PlaceRecord.from_dict(d["record"])
    return op_upsert(conn, record, new_id=lambda: str(d["id"]))


REPLAY: dict[str, Callable[[sqlite3.Connection, dict[str, Any]], object]] = {
    "add-place": lambda c, d: op_add_place(
        c,
        name=d["name"],
        country=d["country"],
        kind=d["kind"],
        lat=d["lat"],
        lon=d["lon"],
        parent=d["parent"],
        lang=d["lang"],
        population=d["population"],
        place_id=d["id"],
    ),
    "add-name": lambda c, d: op_add_name(
        c,
        _follow(c, d["id"]),
        d["name"],
        lang=d["lang"],
        type=d["type"],
        valid_from=d["valid_from"],
        valid_to=d["valid_to"],
        source=d["source"],
    ),
    "remove-name": lambda c, d: op_remove_name(c, _follow(c, d["id"]), d["name"]),
    "rename": lambda c, d: op_rename(
        c, _follow(c, d["id"]), d["name"], date=d["date"], lang=d["lang"], source=d["source"]
    ),
    "merge": lambda c, d: op_merge(c, d["duplicate"], _follow(c, d["keep"])),
    "retire": lambda c, d: op_retire(c, _follow(c, d["id"]), reason=d["reason"]),
    "set": _replay_set,
    "import-place": _replay_import,
}


def replay(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Apply history rows again, each in a savepoint; an edit that no longer applies (its
    place is gone upstream, its name is there already) is skipped and reported."""
    replayed = 0
    skipped: list[dict[str, Any]] = []
    for row in rows:
        action = REPLAY.get(row["action"])
        if action is None:
            continue
        conn.execute("SAVEPOINT replay")
        try:
            action(conn, json.loads(row["details"]))
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


# -- files -----------------------------------------------------------------------------------
class _KeepTransaction:
    """A connection whose ``executescript`` runs inside the open transaction.

    ``sqlite3.Connection.executescript`` commits any open transaction first, which would
    split :func:`toponyms.index.build` (it creates its tables with a script) out of the
    edit's transaction and leave its inserts to autocommit, one transaction per row. This
    wrapper runs the script's statements one by one with ``execute`` instead.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def executescript(self, script: str) -> sqlite3.Cursor:
        cursor = self._conn.cursor()
        statement = ""
        for line in script.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                cursor.execute(statement)
                statement = ""
        if statement.strip():
            cursor.execute(statement)
        return cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def rebuild_index(conn: sqlite3.Connection) -> None:
    """:func:`toponyms.index.build` inside the caller's transaction."""
    index.build(cast(sqlite3.Connection, _KeepTransaction(conn)))


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` (SQLite's backup API), journal DELETE."""
    src = store.connect(source, readonly=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _set_meta(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())


def _meta_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _release_wal(path: Path) -> None:
    """Checkpoint ``path`` into the main file and leave WAL, so it can be renamed or copied."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    finally:
        conn.close()
    if mode != "delete":
        raise GazetteerError(f"{path} is in use by another program; close it and try again")


def _place_record(conn: sqlite3.Connection, place_id: str) -> PlaceRecord:
    """A place of a file as an import record (to carry it into another file)."""
    place = get_place(conn, place_id)
    names = conn.execute(
        "SELECT name, lang, type, valid_from, valid_to, source FROM names WHERE place_id = ?"
        " ORDER BY id",
        (place_id,),
    ).fetchall()
    first = next((n for n in names if n[2] == "official"), names[0] if names else None)
    return PlaceRecord(
        line=0,
        name=first[0] if first else place_id,
        country=place["country"],
        kind=place["kind"],
        lat=place["lat"],
        lon=place["lon"],
        id=place_id,
        parent=place["parent_id"],
        lang=first[1] if first else None,
        population=place["population"],
        name_uk=place["name_uk"],
        name_ru=place["name_ru"],
        name_en=place["name_en"],
        names=tuple(NameRecord(*n) for n in names),
    )


# -- the API ---------------------------------------------------------------------------------
class Gazetteer:
    """A user's own gazetteer file, for editing (and reading its history, export, check).

    ``Gazetteer(path)``; ``path=None`` means ``$TOPONYMS_DB`` (the shipped default, which
    cannot be edited, when that is unset). Each write opens the file, runs one transaction
    and closes it, so a long-lived object holds no lock between edits. ``author`` is the
    default author of the edits (else ``$USER``, else 'unknown').
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, author: str | None = None):
        self._requested = path
        self.author = author

    def __repr__(self) -> str:
        return f"Gazetteer({str(self._requested)!r})"

    @property
    def path(self) -> Path:
        """The file this gazetteer reads and writes."""
        return store.resolve_path(self._requested)[0]

    # -- opening -------------------------------------------------------------------------------
    def _writable_path(self) -> Path:
        if self._requested is None and not os.environ.get(store.ENV_VAR):
            raise ReadOnlyGazetteerError(f"the shipped default gazetteer is read-only: {INIT_HINT}")
        path, is_default = store.resolve_path(self._requested)
        if is_default:
            raise ReadOnlyGazetteerError(f"{path} is the shipped default gazetteer: {INIT_HINT}")
        return path

    def _refuse_default(self, path: Path) -> None:
        """Refuse a file whose ``meta.origin`` is 'default' (read without writing to it)."""
        conn = store.connect(path, readonly=True)
        try:
            origin = _meta_value(conn, "origin")
        finally:
            conn.close()
        if origin == "default":
            raise ReadOnlyGazetteerError(f"{path} is a default gazetteer, not yours: {INIT_HINT}")
        if not os.access(path, os.W_OK):
            raise ReadOnlyGazetteerError(f"{path} is not writable by you")

    def _open_writable(self, *, reindex: bool = True) -> sqlite3.Connection:
        """A writable connection: migrated to the current schema and (unless ``reindex`` is
        false: ``check --fix`` does it itself) with a current index."""
        path = self._writable_path()
        self._refuse_default(path)
        conn = store.connect(path, readonly=False)
        try:
            old = schema.migrate(conn, path)
            if old is not None:
                with _transaction(conn):
                    details = {
                        "from": old,
                        "to": schema.SCHEMA_VERSION,
                        "backup": str(schema.backup_path(path, old)),
                    }
                    log(conn, "migrate", None, details, author=self._author(None), reason=None)
            if reindex and not index.is_current(conn):
                self._reindex(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _reindex(self, conn: sqlite3.Connection) -> None:
        """Rebuild an index made by another version of the key functions."""
        try:
            with _transaction(conn):
                rebuild_index(conn)
                log(
                    conn,
                    "reindex",
                    None,
                    {"index_version": index.INDEX_VERSION},
                    author=self._author(None),
                    reason="index made by another version",
                )
        except InvalidInputError as error:
            raise GazetteerError(
                f"the index cannot be rebuilt ({error}); run `toponyms gazetteer check --fix`"
            ) from None

    def _open_readonly(self) -> sqlite3.Connection:
        return store.connect(self.path, readonly=True)

    def _author(self, author: str | None) -> str:
        return clean_text(author or self.author or default_author(), "author")

    def _write(
        self,
        action: str,
        operation: Callable[[sqlite3.Connection], dict[str, Any]],
        *,
        author: str | None,
        reason: str | None,
    ) -> Edit:
        """Run one operation in one transaction and log it."""
        who = self._author(author)
        why = clean_text(reason, "reason") if reason is not None else None
        conn = self._open_writable()
        try:
            with _transaction(conn):
                details = operation(conn)
                log(conn, action, details["id"], details, author=who, reason=why)
        finally:
            conn.close()
        return Edit(details["id"], action, details)

    # -- creating ------------------------------------------------------------------------------
    @classmethod
    def init(
        cls,
        path: str | os.PathLike[str],
        *,
        source: str | os.PathLike[str] | None = None,
        author: str | None = None,
        reason: str | None = None,
        force: bool = False,
    ) -> Gazetteer:
        """Create a gazetteer of one's own at ``path``, a copy of ``source`` (the default).

        The copy is written beside ``path`` and renamed into place when complete; its
        ``meta.origin`` becomes 'user' and ``meta.upstream_content_version`` remembers the
        default it came from (for :meth:`upgrade`).
        """
        target = Path(path).expanduser()
        if target.exists() and not force:
            raise GazetteerError(f"{target} exists already (use --force to replace it)")
        origin = Path(source).expanduser() if source is not None else store.default_path()
        if target.exists() and target.resolve() == origin.resolve():
            raise GazetteerError("init: the copy cannot replace its own source")
        tmp = target.with_name(target.name + ".init")
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        _copy_database(origin, tmp)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            with _transaction(conn):
                _set_meta(conn, _upstream_meta(conn, origin))
                log(
                    conn,
                    "init",
                    None,
                    {"source": str(origin)},
                    author=clean_text(author or default_author(), "author"),
                    reason=reason,
                )
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        tmp.replace(target)
        gazetteer = cls(target, author=author)
        gazetteer._open_writable().close()  # WAL mode, migrations, index: ready to use
        return gazetteer

    # -- edits ---------------------------------------------------------------------------------
    def add_place(
        self,
        *,
        name: str,
        country: str,
        kind: str,
        lat: float,
        lon: float,
        parent: str | None = None,
        lang: str | None = None,
        population: int | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Add a place (id ``local:<n>``) with ``name`` as its official name in ``lang``."""
        if lat is None or lon is None:
            raise InvalidCoordinatesError("a new place needs --lat and --lon")
        return self._write(
            "add-place",
            lambda c: op_add_place(
                c,
                name=name,
                country=country,
                kind=kind,
                lat=lat,
                lon=lon,
                parent=parent,
                lang=lang,
                population=population,
            ),
            author=author,
            reason=reason,
        )

    def add_name(
        self,
        place_id: str,
        name: str,
        *,
        lang: str | None = None,
        type: str = "alternate",
        valid_from: str | None = None,
        valid_to: str | None = None,
        source: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Add a name to a place."""
        return self._write(
            "add-name",
            lambda c: op_add_name(
                c,
                place_id,
                name,
                lang=lang,
                type=type,
                valid_from=valid_from,
                valid_to=valid_to,
                source=source,
            ),
            author=author,
            reason=reason,
        )

    def remove_name(
        self,
        place_id: str,
        name: str,
        *,
        lang: str | None = None,
        type: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Remove a name from a place (all its languages and types unless narrowed)."""
        return self._write(
            "remove-name",
            lambda c: op_remove_name(c, place_id, name, lang=lang, type=type),
            author=author,
            reason=reason,
        )

    def rename(
        self,
        place_id: str,
        new_name: str,
        *,
        date: str,
        lang: str | None = None,
        source: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Rename a place on ``date``: the old official name becomes historical."""
        return self._write(
            "rename",
            lambda c: op_rename(c, place_id, new_name, date=date, lang=lang, source=source),
            author=author,
            reason=reason,
        )

    def merge(
        self,
        duplicate_id: str,
        keep_id: str,
        *,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Merge a duplicate into ``keep_id``; the duplicate's id then resolves to ``keep_id``."""
        return self._write(
            "merge",
            lambda c: op_merge(c, duplicate_id, keep_id, reason=reason),
            author=author,
            reason=reason,
        )

    def retire(self, place_id: str, *, reason: str, author: str | None = None) -> Edit:
        """Retire a place (it stays in the file, the resolver ignores it)."""
        return self._write(
            "retire", lambda c: op_retire(c, place_id, reason=reason), author=author, reason=reason
        )

    def import_file(
        self,
        path: str | os.PathLike[str],
        *,
        dry_run: bool = False,
        format: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Import a CSV/TSV/GeoJSON file of places: all of it or (on any error) none of it.

        A row with the ``id`` of an existing place updates that place (fields that differ,
        names it lacks); any other row creates a place. ``dry_run`` checks and counts
        everything, then rolls back.
        """
        file = Path(path)
        records = importer.read_file(file, format)
        who = self._author(author)
        why = clean_text(reason, "reason") if reason is not None else None
        conn = self._open_writable()
        try:
            with _transaction(conn, commit=not dry_run):
                summary = apply_import(conn, records, author=who, reason=why)
                details = {k: v for k, v in summary.items() if k != "ids"}
                log(conn, "import", None, {**details, "file": str(file)}, author=who, reason=why)
        finally:
            conn.close()
        return {**summary, "file": str(file), "dry_run": dry_run}

    # -- reading -------------------------------------------------------------------------------
    def export(
        self,
        *,
        format: str = "csv",
        country: str | None = None,
        out: TextIO | None = None,
    ) -> str:
        """Active places (of ``country``) as csv, tsv or geojson: written to ``out`` if
        given (and ``""`` returned), else returned as text."""
        code = check_country(country) if country else None
        buffer = io.StringIO()
        conn = self._open_readonly()
        try:
            importer.write(importer.export_records(conn, country=code), out or buffer, format)
        finally:
            conn.close()
        return buffer.getvalue()

    def history(
        self, place_id: str | None = None, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Every change (of one place, and of the ids merged into it), oldest first."""
        conn = self._open_readonly()
        try:
            return _history(conn, place_id, limit)
        finally:
            conn.close()

    def check(self, *, fix: bool = False, strict: bool = False) -> dict[str, Any]:
        """Integrity report (see :mod:`gazetteer.check`); ``fix`` rebuilds the indexes first."""
        from gazetteer import check

        if fix:
            conn = self._open_writable(reindex=False)
            try:
                with _transaction(conn):
                    details = check.fix(conn)
                    log(
                        conn,
                        "check-fix",
                        None,
                        details,
                        author=self._author(None),
                        reason=None,
                    )
            finally:
                conn.close()
        path = self.path
        conn = store.connect(path, readonly=True)
        try:
            return check.run(conn, path, strict=strict).to_dict()
        finally:
            conn.close()

    # -- upgrade -------------------------------------------------------------------------------
    @classmethod
    def upgrade(
        cls,
        path: str | os.PathLike[str],
        *,
        source: str | os.PathLike[str] | None = None,
        author: str | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Bring new upstream data into a user gazetteer without losing its edits.

        Makes a fresh copy of ``source`` (the new default), replays the user's history onto
        it (edits whose place vanished upstream are skipped and reported), carries over any
        ``local:`` place the replay did not recreate, keeps the whole history, backs the old
        file up as ``<file>.bak-upgrade-<time>`` and puts the new file in its place.
        """
        return _upgrade(cls(path, author=author), source, force=force)

    # -- the one method named like a builtin goes last (it shadows ``set`` in the class) ----
    def set(
        self,
        place_id: str,
        *,
        lat: float | None = None,
        lon: float | None = None,
        population: int | None = None,
        kind: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Change a place's coordinates, population or kind."""
        return self._write(
            "set",
            lambda c: op_set(c, place_id, lat=lat, lon=lon, population=population, kind=kind),
            author=author,
            reason=reason,
        )


@contextmanager
def _transaction(conn: sqlite3.Connection, *, commit: bool = True) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (or ``ROLLBACK`` on error or when not ``commit``)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise GazetteerError(f"cannot start an edit: {error}") from None
    try:
        yield
    except sqlite3.Error as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise GazetteerError(f"the edit failed and was rolled back: {error}") from error
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT" if commit else "ROLLBACK")
    except sqlite3.Error as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise GazetteerError(f"the edit could not be saved: {error}") from None


def _upstream_meta(conn: sqlite3.Connection, source: Path) -> dict[str, str]:
    """The meta keys that make a copy a user gazetteer and remember its upstream."""
    return {
        "origin": "user",
        "upstream_path": str(source),
        "upstream_content_version": _meta_value(conn, "content_version") or "",
        "upstream_build_date": _meta_value(conn, "build_date") or "",
        "created": _now(),
    }


def _history(
    conn: sqlite3.Connection, place_id: str | None, limit: int | None
) -> list[dict[str, Any]]:
    """History rows, newest ``limit`` of them, oldest first, with ``details`` parsed."""
    columns = ("id", "at", "author", "action", "place_id", "details", "reason")
    sql = f"SELECT {', '.join(columns)} FROM history"
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
    rows = [dict(zip(columns, row, strict=True)) for row in conn.execute(sql, params)]
    for row in rows:
        row["details"] = json.loads(row["details"])
    return rows[::-1]


def _copy_history(old: sqlite3.Connection, new: sqlite3.Connection) -> list[dict[str, Any]]:
    """Append the old file's history to the new file (keeping when and who); return it."""
    columns = ("id", "at", "author", "action", "place_id", "details", "reason")
    rows = [
        dict(zip(columns, r, strict=True))
        for r in old.execute(f"SELECT {', '.join(columns)} FROM history ORDER BY id")
    ]
    new.executemany(
        "INSERT INTO history (at, author, action, place_id, details, reason) VALUES (?,?,?,?,?,?)",
        [
            (r["at"], r["author"], r["action"], r["place_id"], r["details"], r["reason"])
            for r in rows
        ],
    )
    return rows


def _carry_locals(old: sqlite3.Connection, new: sqlite3.Connection) -> list[str]:
    """Copy the ``local:`` places the replay did not recreate (a safety net for files
    whose edits predate the history table)."""
    have = {
        r[0] for r in new.execute("SELECT id FROM places WHERE id >= 'local:' AND id < 'local;'")
    }
    have |= {r[0] for r in new.execute("SELECT old_id FROM redirects")}
    missing = [
        r[0]
        for r in old.execute(
            "SELECT id FROM places WHERE id >= 'local:' AND id < 'local;' ORDER BY id"
        )
        if r[0] not in have
    ]
    records = [_place_record(old, place_id) for place_id in missing]
    for record in _in_file_order(records):
        if record.parent is not None and not _exists(new, record.parent):
            record = dataclasses.replace(record, parent=None)
        op_upsert(new, record, new_id=lambda: "")
        status = old.execute("SELECT status, status_reason FROM places WHERE id = ?", (record.id,))
        new.execute(
            "UPDATE places SET status = ?, status_reason = ? WHERE id = ?",
            (*status.fetchone(), record.id),
        )
    return missing


def _exists(conn: sqlite3.Connection, place_id: str) -> bool:
    return conn.execute("SELECT 1 FROM places WHERE id = ?", (place_id,)).fetchone() is not None


def _upgrade(
    gazetteer: Gazetteer, source: str | os.PathLike[str] | None, *, force: bool
) -> dict[str, Any]:
    old = gazetteer._open_writable()  # refuses a default; migrates an old user file first
    path = gazetteer.path
    new_source = Path(source).expanduser() if source is not None else store.default_path()
    try:
        probe = store.connect(new_source, readonly=True)
        try:
            upstream = _meta_value(probe, "content_version") or ""
        finally:
            probe.close()
        if not force and upstream and upstream == _meta_value(old, "upstream_content_version"):
            return {"id": str(path), "up_to_date": True, "upstream_content_version": upstream}
        tmp = path.with_name(path.name + ".upgrading")
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        _copy_database(new_source, tmp)
        summary = _replay_into(tmp, old, new_source, author=gazetteer._author(None))
    finally:
        old.close()
    backup = path.with_name(f"{path.name}.bak-upgrade-{_now().replace(':', '')}")
    _release_wal(path)
    shutil.copyfile(path, backup)
    tmp.replace(path)
    gazetteer._open_writable().close()  # back to WAL mode
    return {"id": str(path), "up_to_date": False, "backup": str(backup), **summary}


def _replay_into(
    tmp: Path, old: sqlite3.Connection, source: Path, *, author: str
) -> dict[str, Any]:
    """Replay ``old``'s history into the fresh copy at ``tmp`` in one transaction."""
    new = sqlite3.connect(tmp, isolation_level=None)
    try:
        new.execute("PRAGMA foreign_keys=ON")
        schema.migrate(new, tmp)
        with _transaction(new):
            if not index.is_current(new):
                rebuild_index(new)
            rows = _copy_history(old, new)
            result = replay(new, rows)
            carried = _carry_locals(old, new)
            _set_meta(
                new, {**_upstream_meta(new, source), "created": _meta_value(old, "created") or ""}
            )
            summary = {
                **result,
                "carried": carried,
                "from": str(source),
                "upstream_content_version": _meta_value(new, "content_version"),
            }
            log(new, "upgrade", None, summary, author=author, reason=None)
    finally:
        new.close()
    return summary
