"""The gazetteer as the stages read it: names under keys, places, their regions.

:class:`Lookup` answers "which names lie under this key" from the index's in-memory
snapshot (a marisa-trie written by ``gazetteer build``, see :mod:`toponyms.index`) or,
in a file without one, from the ``name_keys`` table; and "what is this place, and which
units does it lie in" from the ``places`` rows (read into memory once a stream is long
enough to repay it). It owns the SQLite connection's reads and every cache of them; the
other stages ask it and never the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

import marisa_trie

from toponyms import index
from toponyms.errors import UnknownPlaceError
from toponyms.match import weights as _weights
from toponyms.match.values import Hit, exact_key, invariant_key, script_of
from toponyms.models import Place

# (key, kind) pairs whose hits are kept per resolver (for one query only when the file has
# an index snapshot: see Resolver._answer).
KEY_CACHE_SIZE = 300_000


_KEYS_PER_QUERY = 256  # keys of one kind per SQL statement (under SQLite's 999 parameters)


# The scorer's numbers live in data/weights.json (see toponyms.match.weights); name types'
# weights also order a key's names strongest first.
TYPE_WEIGHT = _weights.default().type_weight


class Facts(NamedTuple):
    """The columns of a place that ranking reads."""

    kind: str
    country: str
    lat: float | None
    lon: float | None
    population: int | None
    katottg: str | None
    geonames_id: int | None


class Lookup:
    """Reads of one gazetteer connection, with their caches (see the module docstring).

    A lookup lives as long as the data it has read: the resolver makes a new one when
    another connection commits an edit."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        #: Every place's row by id, once :meth:`preload` has run (empty before).
        self.rows: dict[str, tuple[Any, ...]] = {}
        self.preloaded = False
        #: Hits under ``(key, kind)`` pairs (see :meth:`key_hits`).
        self.keys: dict[tuple[str, str], tuple[Hit, ...]] = {}
        self._place_cache: dict[str, Place] = {}
        self._region_cache: dict[str, frozenset[str]] = {}
        self._snapshot: marisa_trie.BytesTrie | None = None
        self._snapshot_read = False
        self._fuzzy_snapshot: marisa_trie.BytesTrie | None = None
        self._fuzzy_snapshot_read = False
        self._countries: dict[str, str] | None = None
        self._fuzzy_rows: bool | None = None

    def key_hits(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[Hit, ...]]:
        """The hits under each ``(key, kind)`` pair (kind ``x`` exact, ``i`` invariant).

        Pairs not yet cached are fetched together in one query: a query's steps ask for
        many keys at once (every inflected form, every transliteration guess, every typo
        candidate), and one round trip to SQLite costs about as much as ten dictionary
        look-ups in Python cost to prepare.
        """
        pairs = list(pairs)
        cache = self.keys
        missing = [p for p in dict.fromkeys(pairs) if p[0] and p not in cache]
        if missing:
            if len(cache) + len(missing) > KEY_CACHE_SIZE:
                cache.clear()
            snapshot = self.hits_snapshot()
            if snapshot is not None:
                for pair in missing:
                    cache[pair] = _snapshot_hits(snapshot, pair)
                return [cache.get(pair, ()) if pair[0] else () for pair in pairs]
            found: dict[tuple[str, str], list[Hit]] = {p: [] for p in missing}
            by_kind: dict[str, list[str]] = {}
            for key, kind in missing:
                by_kind.setdefault(kind, []).append(key)
            status = self.rows
            for kind, keys in sorted(by_kind.items()):
                rule = index.KIND_RULES[kind]
                for offset in range(0, len(keys), _KEYS_PER_QUERY):
                    some = _padded(keys[offset : offset + _KEYS_PER_QUERY])
                    rows = self.conn.execute(self.key_sql(len(some)), [kind, *some])
                    for key, place_id, name, lang, type_, valid_from, valid_to in rows:
                        if status and status[place_id][14] != "active":
                            continue
                        found[(key, kind)].append(
                            Hit(place_id, name, lang, type_, valid_from, valid_to, rule, 1.0)
                        )
            for pair, hits in found.items():
                cache[pair] = tuple(hits)
        return [cache.get(pair, ()) if pair[0] else () for pair in pairs]

    def hits_snapshot(self) -> marisa_trie.BytesTrie | None:
        """The index's in-memory snapshot (read once; None when the file has none)."""
        if not self._snapshot_read:
            self._snapshot = index.read_snapshot(self.conn)
            self._snapshot_read = True
        return self._snapshot

    def fuzzy_snapshot(self) -> marisa_trie.BytesTrie | None:
        """The typo index's in-memory snapshot (read once; None when the file has none)."""
        if not self._fuzzy_snapshot_read:
            self._fuzzy_snapshot = index.read_snapshot(self.conn, "fuzzy")
            self._fuzzy_snapshot_read = True
        return self._fuzzy_snapshot

    def key_sql(self, count: int) -> str:
        """The statement that fetches the names under ``count`` keys of one kind (the
        kind, then the keys, are its parameters). Once every place row is in memory, a
        place's status is read there: the join to ``places`` would cost a third of the
        look-up."""
        select = (
            "SELECT k.key, n.place_id, n.name, n.lang, n.type, n.valid_from, n.valid_to"
            " FROM name_keys k JOIN names n ON n.id = k.name_id"
        )
        where = "k.kind = ? AND k.key IN ({})".format(",".join("?" * count))
        if self.preloaded:
            return f"{select} WHERE {where}"
        return f"{select} JOIN places p ON p.id = n.place_id WHERE {where} AND p.status = 'active'"

    def prefetch(self, texts: Iterable[str]) -> None:
        """Fetch the hits of several forms of a name in one query (see :meth:`_key_hits`)."""
        pairs: list[tuple[str, str]] = []
        for text in texts:
            exact = exact_key(text)
            if exact:
                pairs.append((exact, "x"))
                if script_of(text) in ("Latn", "Cyrl", "mixed"):
                    pairs.append((invariant_key(text), "i"))
        self.key_hits(pairs)

    def country(self, place_id: str) -> str:
        """A place's country code (from the preloaded rows when there are any)."""
        row = self.rows.get(place_id)
        return row[2] if row is not None else self.place(place_id).country

    # A place's columns (as index.PLACE_COLUMNS), then its oblast's English and
    # Ukrainian names.
    _PLACE_SQL = (
        "SELECT p.id, p.kind, p.country, p.name_uk, p.name_ru, p.name_en, p.admin1_id,"
        " p.parent_id, p.lat, p.lon, p.precision, p.population, p.geonames_id, p.katottg,"
        " p.status, p.raion_id, p.hromada_id, a.name_en, a.name_uk"
        " FROM places p LEFT JOIN places a ON a.id = p.admin1_id"
    )

    def country_id(self, code: str) -> str | None:
        if self._countries is None:
            self._countries = dict(
                self.conn.execute("SELECT country, id FROM places WHERE kind = 'country'")
            )
        return self._countries.get(code)

    def place_from_row(self, row: tuple[Any, ...]) -> Place:
        """A :class:`Place` of a preloaded row or a row of :data:`_PLACE_SQL` (memoised,
        with the place's regions)."""
        if len(row) > len(index.PLACE_COLUMNS):
            admin1 = row[17] or row[18]  # joined by _PLACE_SQL
        else:
            oblast = self.rows.get(row[6]) if row[6] else None
            admin1 = (oblast[5] or oblast[3]) if oblast is not None else None
        result = index.place_of_row(row, admin1)
        self._place_cache[row[0]] = result
        country = self.country_id(row[2])
        self._region_cache[row[0]] = frozenset(
            {row[0], *(v for v in (row[7], row[6], row[15], row[16], country) if v)}
        )
        return result

    def preload(self) -> None:
        """Read every place's row into memory once a stream is long enough to repay it
        (from the file's ``places`` snapshot, else the table: a tenth or a fifth of a
        second for the default gazetteer); each answer then costs no place look-ups.
        Rows become :class:`Place` objects only when first needed."""
        rows: Iterable[tuple[Any, ...]] | None = index.read_places_snapshot(self.conn)
        if rows is None:
            rows = index.place_rows(self.conn)
        self.rows = {row[0]: row for row in rows}
        self.preloaded = True

    def place(self, place_id: str) -> Place:
        """:meth:`place` without the freshness check (within one answer)."""
        cached = self._place_cache.get(place_id)
        if cached is not None:
            return cached
        row = self.rows.get(place_id)
        if row is not None:
            return self.place_from_row(row)
        row = self.conn.execute(self._PLACE_SQL + " WHERE p.id = ?", (place_id,)).fetchone()
        if row is None:
            target = self.conn.execute(
                "SELECT new_id FROM redirects WHERE old_id = ?", (place_id,)
            ).fetchone()
            if target is None:
                raise UnknownPlaceError(f"no place with id {place_id!r}")
            return self.place(target[0])
        return self.place_from_row(row)

    def ancestors(self, place_id: str) -> frozenset[str]:
        """The place itself and every unit it lies in (hromada, raion, oblast, country)."""
        cached = self._region_cache.get(place_id)
        if cached is not None:
            return cached
        row = self.rows.get(place_id)
        if row is not None:
            country = self.country_id(row[2])
            cached = frozenset(
                {place_id, *(v for v in (row[7], row[6], row[15], row[16], country) if v)}
            )
            self._region_cache[place_id] = cached
            return cached
        self.place(place_id)
        cached = self._region_cache.get(place_id)
        if cached is not None:
            return cached
        row = self.conn.execute(
            "SELECT p.parent_id, p.admin1_id, p.raion_id, p.hromada_id, c.id FROM places p"
            " LEFT JOIN places c ON c.kind = 'country' AND c.country = p.country"
            " WHERE p.id = ?",
            (place_id,),
        ).fetchone()
        result = frozenset({place_id, *(v for v in (row or ()) if v)})
        self._region_cache[place_id] = result
        return result

    def cyrillic_names(self, place_id: str) -> tuple[str | None, str | None]:
        """A place's Ukrainian and Russian names (from the preloaded rows if there are any)."""
        row = self.rows.get(place_id)
        if row is not None:
            return row[3], row[4]
        place = self.place(place_id)
        return place.name_uk, place.name_ru

    def facts(self, place_id: str) -> Facts:
        """What ranking needs of a place, without making a :class:`Place` of it (a name
        may have a hundred namesakes, and only the best few become matches)."""
        row = self.rows.get(place_id)
        if row is not None:
            return Facts(row[1], row[2], row[8], row[9], row[11], row[13], row[12])
        place = self.place(place_id)
        return Facts(
            place.kind,
            place.country,
            place.lat,
            place.lon,
            place.population,
            place.katottg,
            place.geonames_id,
        )

    def near_names(self, near: list[tuple[str, str]]) -> list[list[Fields]]:
        """The names under each ``(key, kind)`` typo candidate, a place's stronger name types
        first (see :func:`strongest_first`), as the snapshot's raw fields. The typo
        search drops most of them (abroad, met before, too far): read straight from the
        snapshot, only those it keeps become hits, and its candidates (a query's own)
        need not fill the resolver's cache of keys."""
        snapshot = self.hits_snapshot()
        if snapshot is None:
            return [
                [
                    [h.place_id, h.name, h.lang, h.type, h.valid_from or "", h.valid_to or ""]
                    for h in strongest_first(hits)
                ]
                for hits in self.key_hits(near)
            ]
        names = []
        for pair in near:
            fields = snapshot_fields(snapshot, pair)
            if len(fields) > 1:
                fields.sort(key=type_order)
            names.append(fields)
        return names

    def fuzzy_table_rows(self) -> bool:
        """Whether the typo table holds rows (in a snapshotted file: names edits added)."""
        if self._fuzzy_rows is None:
            self._fuzzy_rows = (
                self.conn.execute("SELECT EXISTS (SELECT 1 FROM fuzzy_keys)").fetchone()[0] == 1
            )
        return self._fuzzy_rows


def _snapshot_hits(snapshot: marisa_trie.BytesTrie, pair: tuple[str, str]) -> tuple[Hit, ...]:
    """The hits under ``(key, kind)`` in the index snapshot, in name order (as the tables
    give them)."""
    key, kind = pair
    value = snapshot.get(kind + key)
    if not value:
        return ()
    rule = index.KIND_RULES[kind]
    field = index.FIELD_SEPARATOR
    hits = []
    for record in value[0].decode("utf-8").split(index.RECORD_SEPARATOR):
        place_id, name, lang, type_, valid_from, valid_to = record.split(field)
        # tuple.__new__ makes the named tuple without the Python-level __new__ frame
        # (every name under every key a query asks for passes here).
        hits.append(
            _make_tuple(
                Hit, (place_id, name, lang, type_, valid_from or None, valid_to or None, rule, 1.0)
            )
        )
    return tuple(hits)


_make_tuple = tuple.__new__


#: A name's fields as the index snapshot stores them: place, name, language, type, valid
#: from and valid to (the last two empty when unknown).
Fields = list[str]


def snapshot_fields(snapshot: marisa_trie.BytesTrie, pair: tuple[str, str]) -> list[Fields]:
    """The names under ``(key, kind)`` in the index snapshot, in name order, as fields."""
    key, kind = pair
    value = snapshot.get(kind + key)
    if not value:
        return []
    field = index.FIELD_SEPARATOR
    return [
        record.split(field) for record in value[0].decode("utf-8").split(index.RECORD_SEPARATOR)
    ]


def type_order(fields: Fields) -> float:
    """Sort key of a snapshot name: stronger types first (see :func:`strongest_first`)."""
    return -TYPE_WEIGHT.get(fields[3], 0.0)


def _padded(keys: list[str]) -> list[str]:
    """``keys`` padded with empty keys (which match nothing) to a power of two, so that a
    few statement shapes serve every batch (SQLite's statement cache keeps them)."""
    size = 1
    while size < len(keys):
        size *= 2
    return keys + [""] * (size - len(keys))


@lru_cache(maxsize=20_000)
def strongest_first(hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    """``hits`` with a place's stronger name types first (official before exonym before
    alternate). The typo search keeps one hit per place and name: a name a place bears
    under several types (Irpin: English official, German exonym) must count as its
    strongest, or a slip in it may fall below the cut-off (Iprin). Memoised: the same
    key's hits come back for query after query."""
    return tuple(sorted(hits, key=lambda h: -TYPE_WEIGHT.get(h.type, 0.0)))
