"""Edits as operations: one frozen dataclass per kind of edit, and the registry of them.

Every edit of a user gazetteer (add a place, add or remove a name, rename, set a field,
merge, retire, import a place) is one :class:`Operation`:

- its fields say what to do, typed, as the caller gives them;
- ``validate(conn)`` reads the database and raises the typed error of
  :mod:`toponyms.errors` with a precise message, or returns the operation in its canonical
  form (names cleaned, codes upper-cased, the language guessed, the parent and a new
  ``local:<n>`` id resolved): the form that history keeps, so that a replay does the same;
- ``apply(conn)`` writes the change, keeping the matching index (:mod:`toponyms.index`:
  ``name_keys`` and the typo table) and the FTS index in step, and returns what the edit
  did beyond its fields (the new name's id, the names it retired, the old values);
- ``to_history()`` and ``from_history(details)`` turn it into the JSON object of a
  ``history`` row and back; ``from_history`` also reads the rows older code wrote.

:data:`OPERATIONS` maps the action names stored in ``history.action`` to the classes:
the :class:`~gazetteer.api.Gazetteer` façade, the replay of an upgrade
(:mod:`gazetteer.history`) and the command line all go through it. :func:`execute`
validates and applies one operation inside the caller's transaction; the caller owns the
transaction (one ``BEGIN IMMEDIATE`` … ``COMMIT`` a write, a savepoint a replayed row), so a
failing operation leaves the database and the history as they were.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Self, cast

from gazetteer import schema
from gazetteer.importer import PlaceRecord
from toponyms import index
from toponyms.errors import (
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
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
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_-]*:[^\s]+$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


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


# -- reads and writes the operations share (inside the caller's transaction) ---------------
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


def local_number(place_id: str) -> int:
    """n of a ``local:<n>`` id; 0 for any other id."""
    tail = place_id[len(LOCAL_PREFIX) :] if place_id.startswith(LOCAL_PREFIX) else ""
    return int(tail) if tail.isdigit() else 0


def max_local_number(conn: sqlite3.Connection) -> int:
    """The highest n of the ``local:<n>`` ids in use, merged-away ids included."""
    ids = conn.execute(
        "SELECT id FROM places WHERE id >= 'local:' AND id < 'local;'"
        " UNION ALL SELECT old_id FROM redirects WHERE old_id >= 'local:' AND old_id < 'local;'"
    ).fetchall()
    return max((local_number(i[0]) for i in ids), default=0)


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


# -- the index ---------------------------------------------------------------------------------
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


def current_id(conn: sqlite3.Connection, place_id: str) -> str:
    """The id a place has now: ``place_id``, or where its merges lead."""
    return redirect_target(conn, place_id) or place_id


# -- the operations ----------------------------------------------------------------------------
class Operation(ABC):
    """One edit: its fields, how to check it, how to write it, how history keeps it."""

    __slots__ = ()

    #: The ``history.action`` of this kind of edit (stable: old files are replayed by it).
    action: ClassVar[str]
    #: The fields holding place ids that a replay follows through merges: an edit of a
    #: place that upstream has since merged into another applies to that other place.
    follows: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def validate(self, conn: sqlite3.Connection) -> Self:
        """Raise the typed error a bad edit deserves, else return the canonical edit."""

    @abstractmethod
    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        """Write a validated edit; return what it did beyond its fields (for history).

        ``pending``, when given, collects new names for :func:`index_names` to index in
        one batch later (a large import) instead of one by one now.
        """

    @abstractmethod
    def to_history(self) -> dict[str, Any]:
        """The JSON-ready fields that :meth:`from_history` turns back into this edit."""

    @classmethod
    @abstractmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        """The edit a ``history`` row's ``details`` describe (this code's or older code's)."""

    def followed(self, conn: sqlite3.Connection) -> Self:
        """This edit with its :attr:`follows` ids moved along merges (for a replay)."""
        moved = {name: current_id(conn, getattr(self, name)) for name in self.follows}
        return cast(Self, dataclasses.replace(cast(Any, self), **moved))


@dataclass(frozen=True, slots=True)
class Applied:
    """An operation as applied: its canonical form and what :meth:`Operation.apply` did."""

    operation: Operation
    outcome: dict[str, Any]

    @property
    def details(self) -> dict[str, Any]:
        """What history keeps: the operation's fields, then the outcome."""
        return {**self.operation.to_history(), **self.outcome}


def execute(
    conn: sqlite3.Connection, operation: Operation, *, pending: Pending | None = None
) -> Applied:
    """Validate, then apply, ``operation`` inside the caller's transaction (which the
    caller rolls back on any error, so that a failed edit leaves no trace)."""
    valid = operation.validate(conn)
    return Applied(valid, valid.apply(conn, pending=pending))


def _ensure_new_id(conn: sqlite3.Connection, place_id: str) -> None:
    if conn.execute("SELECT 1 FROM places WHERE id = ?", (place_id,)).fetchone():
        raise InvalidInputError(f"a place with id {place_id!r} already exists")
    if redirect_target(conn, place_id) is not None:
        raise InvalidInputError(f"id {place_id!r} was merged into another place; use a new id")


def _next_local_id(conn: sqlite3.Connection) -> str:
    return f"{LOCAL_PREFIX}{max_local_number(conn) + 1}"


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


@dataclass(frozen=True, slots=True)
class AddPlace(Operation):
    """A new place with its official name; ``place_id`` defaults to the next ``local:<n>``."""

    action: ClassVar[str] = "add-place"

    name: str
    country: str
    kind: str
    lat: float | None
    lon: float | None
    parent: str | None = None
    lang: str | None = None
    population: int | None = None
    place_id: str | None = None

    def validate(self, conn: sqlite3.Connection) -> Self:
        if self.lat is None or self.lon is None:
            raise InvalidCoordinatesError("a new place needs --lat and --lon")
        name = clean_text(self.name, "name")
        lang = check_lang(self.lang) if self.lang else guess_lang(name)
        if self.place_id is not None:
            _ensure_new_id(conn, self.place_id)
        row = self._row(conn, self.place_id or _next_local_id(conn), name, lang)
        return dataclasses.replace(
            self,
            name=name,
            country=row["country"],
            kind=row["kind"],
            lat=row["lat"],
            lon=row["lon"],
            parent=row["parent_id"],
            lang=lang,
            population=row["population"],
            place_id=row["id"],
        )

    def _row(self, conn: sqlite3.Connection, place_id: str, name: str, lang: str) -> dict[str, Any]:
        return _new_place_row(
            conn,
            place_id,
            name=name,
            lang=lang,
            country=self.country,
            kind=self.kind,
            lat=self.lat,
            lon=self.lon,
            parent=self.parent,
            population=self.population,
        )

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        assert self.place_id is not None and self.lang is not None, "validate first"
        row = self._row(conn, self.place_id, self.name, self.lang)
        _insert_place(
            conn, row, [(self.name, self.lang, "official", None, None, USER_SOURCE)], pending
        )
        return {}

    def to_history(self) -> dict[str, Any]:
        return {
            "id": self.place_id,
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "lat": self.lat,
            "lon": self.lon,
            "parent": self.parent,
            "lang": self.lang,
            "population": self.population,
        }

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        return cls(
            name=details["name"],
            country=details["country"],
            kind=details["kind"],
            lat=details["lat"],
            lon=details["lon"],
            parent=details["parent"],
            lang=details["lang"],
            population=details["population"],
            place_id=details["id"],
        )


@dataclass(frozen=True, slots=True)
class AddName(Operation):
    """One more name of a place; an official name in uk/ru/en fills an empty canonical name."""

    action: ClassVar[str] = "add-name"
    follows: ClassVar[tuple[str, ...]] = ("place_id",)

    place_id: str
    name: str
    lang: str | None = None
    type: str = "alternate"
    valid_from: str | None = None
    valid_to: str | None = None
    source: str | None = None

    def validate(self, conn: sqlite3.Connection) -> Self:
        place = get_place(conn, self.place_id)
        name = clean_text(self.name, "name")
        lang = check_lang(self.lang) if self.lang else guess_lang(name)
        type_ = check_name_type(self.type)
        valid_from = check_date(self.valid_from, "valid-from")
        valid_to = check_date(self.valid_to, "valid-to")
        check_period(valid_from, valid_to)
        source = clean_text(self.source, "source") if self.source else USER_SOURCE
        there = conn.execute(
            "SELECT 1 FROM names WHERE place_id = ? AND name = ? AND lang = ? AND type = ?",
            (place["id"], name, lang, type_),
        ).fetchone()
        if there:
            raise InvalidInputError(f"{place['id']} already has the {type_} name {name!r} ({lang})")
        return dataclasses.replace(
            self,
            place_id=place["id"],
            name=name,
            lang=lang,
            type=type_,
            valid_from=valid_from,
            valid_to=valid_to,
            source=source,
        )

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        assert self.lang is not None and self.source is not None, "validate first"
        row = (self.name, self.lang, self.type, self.valid_from, self.valid_to, self.source)
        ids = insert_names(conn, self.place_id, [row], pending=pending)
        if self.type == "official":
            fill_canonical(conn, self.place_id)
        return {"name_id": ids[0]}

    def to_history(self) -> dict[str, Any]:
        return {
            "id": self.place_id,
            "name": self.name,
            "lang": self.lang,
            "type": self.type,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "source": self.source,
        }

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        return cls(
            place_id=details["id"],
            name=details["name"],
            lang=details["lang"],
            type=details["type"],
            valid_from=details["valid_from"],
            valid_to=details["valid_to"],
            source=details["source"],
        )


@dataclass(frozen=True, slots=True)
class RemoveName(Operation):
    """Remove a name (in every language and of every type unless narrowed); never the
    place's last name."""

    action: ClassVar[str] = "remove-name"
    follows: ClassVar[tuple[str, ...]] = ("place_id",)

    place_id: str
    name: str
    lang: str | None = None
    type: str | None = None

    def _rows(self, conn: sqlite3.Connection, place_id: str, name: str) -> list[Any]:
        sql = "SELECT id, name, script, lang, type FROM names WHERE place_id = ? AND name = ?"
        params: list[Any] = [place_id, name]
        for column, value in (("lang", self.lang), ("type", self.type)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return conn.execute(sql, params).fetchall()

    def validate(self, conn: sqlite3.Connection) -> Self:
        place = get_place(conn, self.place_id)
        name = clean_text(self.name, "name")
        rows = self._rows(conn, place["id"], name)
        if not rows:
            raise UnknownNameError(f"{place['id']} has no name {name!r}")
        total = conn.execute("SELECT COUNT(*) FROM names WHERE place_id = ?", (place["id"],))
        if total.fetchone()[0] <= len(rows):
            raise InvalidInputError(
                f"{name!r} is the only name of {place['id']}; retire the place instead"
            )
        return dataclasses.replace(self, place_id=place["id"], name=name)

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        rows = self._rows(conn, self.place_id, self.name)
        delete_names(conn, [(r[0], r[1], r[2]) for r in rows])
        for lang in {r[3] for r in rows if r[3] in CANONICAL_LANGS}:
            conn.execute(
                f"UPDATE places SET name_{lang} = NULL WHERE id = ? AND name_{lang} = ?",
                (self.place_id, self.name),
            )
        fill_canonical(conn, self.place_id)
        return {"removed": [{"lang": r[3], "type": r[4]} for r in rows]}

    def to_history(self) -> dict[str, Any]:
        return {"id": self.place_id, "name": self.name, "lang": self.lang, "type": self.type}

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        if "lang" in details or "type" in details:
            return cls(details["id"], details["name"], details.get("lang"), details.get("type"))
        # Rows of older code keep only what was removed: narrow the replay to the one
        # language (and type) removed then, rather than remove every namesake.
        removed = details.get("removed") or []
        langs = {r["lang"] for r in removed}
        types = {r["type"] for r in removed}
        return cls(
            details["id"],
            details["name"],
            langs.pop() if len(langs) == 1 else None,
            types.pop() if len(types) == 1 else None,
        )


def _retire_official(
    conn: sqlite3.Connection, place_id: str, row: tuple[Any, ...], when: str
) -> None:
    """Turn an official name into a historical one ending at ``when``."""
    name_id, name, script, lang, _ = row
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


@dataclass(frozen=True, slots=True)
class Rename(Operation):
    """The official name (of that language) becomes historical up to ``date``; ``name``
    becomes official from ``date``, and the place's canonical name in that language."""

    action: ClassVar[str] = "rename"
    follows: ClassVar[tuple[str, ...]] = ("place_id",)

    place_id: str
    name: str
    date: str
    lang: str | None = None
    source: str | None = None

    @staticmethod
    def _olds(conn: sqlite3.Connection, place_id: str, lang: str) -> list[Any]:
        return conn.execute(
            "SELECT id, name, script, lang, valid_from FROM names"
            " WHERE place_id = ? AND lang = ? AND type = 'official'",
            (place_id, lang),
        ).fetchall()

    def validate(self, conn: sqlite3.Connection) -> Self:
        place = get_place(conn, self.place_id)
        new = clean_text(self.name, "new name")
        when = check_date(self.date, "date")
        if when is None:
            raise InvalidDateError("rename needs --date (YYYY-MM-DD)")
        lang = check_lang(self.lang) if self.lang else guess_lang(new)
        source = clean_text(self.source, "source") if self.source else USER_SOURCE
        olds = self._olds(conn, place["id"], lang)
        if any(row[1] == new for row in olds):
            raise InvalidInputError(f"{new!r} is already the official {lang} name of {place['id']}")
        for _, name, _, _, valid_from in olds:
            if valid_from and parse_date(when) < parse_date(valid_from):
                raise InvalidDateError(
                    f"date {when} is before {name!r} became official ({valid_from})"
                )
        return dataclasses.replace(
            self, place_id=place["id"], name=new, date=when, lang=lang, source=source
        )

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        assert self.lang is not None and self.source is not None, "validate first"
        olds = self._olds(conn, self.place_id, self.lang)
        for row in olds:
            _retire_official(conn, self.place_id, row, self.date)
        row = (self.name, self.lang, "official", self.date, None, self.source)
        insert_names(conn, self.place_id, [row], pending=pending)
        if self.lang in CANONICAL_LANGS:
            conn.execute(
                f"UPDATE places SET name_{self.lang} = ? WHERE id = ?", (self.name, self.place_id)
            )
        return {"old": [row[1] for row in olds]}

    def to_history(self) -> dict[str, Any]:
        return {
            "id": self.place_id,
            "name": self.name,
            "lang": self.lang,
            "date": self.date,
            "source": self.source,
        }

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        return cls(
            details["id"],
            details["name"],
            date=details["date"],
            lang=details["lang"],
            source=details["source"],
        )


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


@dataclass(frozen=True, slots=True)
class Merge(Operation):
    """Move everything of ``duplicate_id`` to ``keep_id``, delete the duplicate's row and
    redirect its id (the resolver answers ``place(duplicate_id)`` with ``keep_id``)."""

    action: ClassVar[str] = "merge"
    follows: ClassVar[tuple[str, ...]] = ("keep_id",)

    duplicate_id: str
    keep_id: str
    reason: str | None = None  # kept in ``redirects.reason`` ('merged' when not given)

    def validate(self, conn: sqlite3.Connection) -> Self:
        if self.duplicate_id == self.keep_id:
            raise InvalidInputError("a place cannot be merged into itself")
        dup = get_place(conn, self.duplicate_id)
        keep = get_place(conn, self.keep_id)
        return dataclasses.replace(self, duplicate_id=dup["id"], keep_id=keep["id"])

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        dup = get_place(conn, self.duplicate_id)
        keep = get_place(conn, self.keep_id)
        moved, dropped = _move_names(conn, dup["id"], keep["id"])
        children = _move_children(conn, dup, keep["id"])
        filled = _fill_from(conn, dup, keep)
        conn.execute("UPDATE redirects SET new_id = ? WHERE new_id = ?", (keep["id"], dup["id"]))
        conn.execute(
            "INSERT OR REPLACE INTO redirects (old_id, new_id, reason) VALUES (?, ?, ?)",
            (dup["id"], keep["id"], self.reason or "merged"),
        )
        conn.execute("DELETE FROM places WHERE id = ?", (dup["id"],))
        return {
            "moved_names": moved,
            "dropped_names": dropped,
            "moved_children": children,
            "filled": filled,
            "duplicate_row": dup,
        }

    def to_history(self) -> dict[str, Any]:
        return {
            "id": self.keep_id,
            "duplicate": self.duplicate_id,
            "keep": self.keep_id,
            "reason": self.reason,
        }

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        return cls(details["duplicate"], details["keep"], details.get("reason"))


@dataclass(frozen=True, slots=True)
class Retire(Operation):
    """Mark a place retired (the resolver then ignores it); the reason is required."""

    action: ClassVar[str] = "retire"
    follows: ClassVar[tuple[str, ...]] = ("place_id",)

    place_id: str
    reason: str

    def validate(self, conn: sqlite3.Connection) -> Self:
        place = get_place(conn, self.place_id)
        why = clean_text(self.reason, "reason")
        if place["status"] == "retired":
            raise InvalidInputError(f"{place['id']} is already retired ({place['status_reason']})")
        return dataclasses.replace(self, place_id=place["id"], reason=why)

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        conn.execute(
            "UPDATE places SET status = 'retired', status_reason = ? WHERE id = ?",
            (self.reason, self.place_id),
        )
        return {}

    def to_history(self) -> dict[str, Any]:
        return {"id": self.place_id, "reason": self.reason}

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        return cls(details["id"], reason=details["reason"])


SET_FIELDS = ("lat", "lon", "population", "kind")


@dataclass(frozen=True, slots=True)
class SetFields(Operation):
    """Change a place's point, population or kind; history keeps old and new values."""

    action: ClassVar[str] = "set"
    follows: ClassVar[tuple[str, ...]] = ("place_id",)

    place_id: str
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    kind: str | None = None

    def validate(self, conn: sqlite3.Connection) -> Self:
        place = get_place(conn, self.place_id)
        if all(getattr(self, f) is None for f in SET_FIELDS):
            raise InvalidInputError("nothing to set: give --lat and --lon, --population or --kind")
        lat, lon = self.lat, self.lon
        if lat is not None or lon is not None:
            lat, lon = check_point(lat, lon)
        population = check_population(self.population) if self.population is not None else None
        kind = check_kind(self.kind) if self.kind is not None else None
        return dataclasses.replace(
            self, place_id=place["id"], lat=lat, lon=lon, population=population, kind=kind
        )

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        place = get_place(conn, self.place_id)
        new: dict[str, Any] = {}
        if self.lat is not None:
            new.update(lat=self.lat, lon=self.lon, precision="user")
        if self.population is not None:
            new["population"] = self.population
        if self.kind is not None:
            new["kind"] = self.kind
        changes = {k: [place[k], v] for k, v in new.items() if place[k] != v}
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            values = [v[1] for v in changes.values()]
            conn.execute(f"UPDATE places SET {assignments} WHERE id = ?", (*values, place["id"]))
        return {"changes": changes}

    def to_history(self) -> dict[str, Any]:
        return {"id": self.place_id, **{f: getattr(self, f) for f in SET_FIELDS}}

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        if all(f in details for f in SET_FIELDS):
            return cls(details["id"], **{f: details[f] for f in SET_FIELDS})
        # Rows of older code keep only the fields that changed, as [old, new].
        new = {k: v[1] for k, v in details.get("changes", {}).items() if k in SET_FIELDS}
        return cls(details["id"], **new)


# -- import ------------------------------------------------------------------------------------
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


@dataclass(frozen=True, slots=True)
class ImportPlace(Operation):
    """One place of an imported file: created, or (when its id is a place's) brought in
    line with the record: fields that differ, names it lacks.

    On an existing place the record's ``name`` is added only if the place lacks it in that
    language, and as an alternate name when the place has an official one there already
    (renames are :class:`Rename`). History keeps the record as the file gave it.
    """

    action: ClassVar[str] = "import-place"

    record: PlaceRecord

    def _existing(self, conn: sqlite3.Connection) -> dict[str, Any] | None:
        """The place the record's id names, or ``None`` for a new place."""
        assert self.record.id is not None
        existing = _row(conn, "SELECT * FROM places WHERE id = ?", (self.record.id,))
        if existing is None:
            target = redirect_target(conn, self.record.id)
            if target is not None:
                raise UnknownPlaceError(f"id {self.record.id!r} was merged into {target!r}")
        return existing

    def validate(self, conn: sqlite3.Connection) -> Self:
        record = self.record
        if record.id is None:
            record = dataclasses.replace(record, id=_next_local_id(conn))
        valid = dataclasses.replace(self, record=record)
        existing = valid._existing(conn)
        if existing is None:
            valid._new_row(conn)
        else:
            _changed_fields(conn, record, existing)
            _record_names(record, _record_lang(record))
        return valid

    def _new_row(self, conn: sqlite3.Connection) -> tuple[dict[str, Any], list[NameRow], str]:
        """The ``places`` row and names of a new place; canonical names come from the
        record's cells, else from its first official name in that language."""
        record = self.record
        assert record.id is not None
        lang = _record_lang(record)
        names = _record_names(record, lang)
        row = _new_place_row(
            conn,
            record.id,
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
            if (
                type_ == "official"
                and name_lang in CANONICAL_LANGS
                and not row[f"name_{name_lang}"]
            ):
                row[f"name_{name_lang}"] = name
        row.update(_canonical_of(record))
        first, extra = names[0], names[1:]
        if any(n[:2] == first[:2] for n in extra):
            names = extra  # the names cell lists the name itself, perhaps with dates: keep that
        return row, names, lang

    def apply(self, conn: sqlite3.Connection, *, pending: Pending | None = None) -> dict[str, Any]:
        """The new place's fields and ``created: True``; ``created: False`` with the
        changes; ``{}`` when the record changes nothing."""
        existing = self._existing(conn)
        if existing is None:
            row, names, lang = self._new_row(conn)
            _insert_place(conn, row, names, pending)
            return {
                "name": names[0][0],
                "country": row["country"],
                "kind": row["kind"],
                "lat": row["lat"],
                "lon": row["lon"],
                "parent": row["parent_id"],
                "lang": lang,
                "population": row["population"],
                "created": True,
            }
        return self._update(conn, existing, pending)

    def _update(
        self, conn: sqlite3.Connection, place: dict[str, Any], pending: Pending | None
    ) -> dict[str, Any]:
        record = self.record
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
        return {"created": False, "changes": changes, "added_names": len(added)}

    def to_history(self) -> dict[str, Any]:
        return {"id": self.record.id, "record": self.record.to_dict()}

    @classmethod
    def from_history(cls, details: Mapping[str, Any]) -> Self:
        return cls(PlaceRecord.from_dict({**details["record"], "id": details["id"]}))


# -- the registry ------------------------------------------------------------------------------
#: Every kind of edit by its ``history.action``. A replay applies the rows whose action is
#: here and passes over the others (``init``, ``import``, ``upgrade``: logs, not edits).
OPERATIONS: dict[str, type[Operation]] = {
    op.action: op
    for op in (AddPlace, AddName, RemoveName, Rename, Merge, Retire, SetFields, ImportPlace)
}
