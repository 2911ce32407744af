"""Resolve a written place name to the canonical place: candidates, scoring, ranking.

The path of a query (each step only when the ones before found nothing convincing):

1. clean the text and split off qualifiers (:mod:`toponyms.query`);
2. look its exact key and its romanisation-invariant key up in the index (its in-memory
   snapshot when the file has one, else the index tables; a query's forms together); a
   Latin text that is letter for letter a standard romanisation of one candidate's
   Cyrillic name counts as that name (``romanization``), not as a mere shared key;
3. Cyrillic text: look up the nominative forms of an inflected name (:mod:`.text.morph`)
   and the Ukrainian ↔ Russian counterparts (:mod:`.text.ukru`);
   Latin text: transliterate into Cyrillic and do the same;
4. a qualifier glued on without punctuation (``Миколаївка Донецької області``): split at
   word boundaries and resolve the tail as a region;
5. typos: candidate keys from the deletion neighbourhood, scored by edit similarity; a
   Cyrillic text that no name matches within one edit, or that follows a preposition, is
   also compared with the case forms of the names near it (a slip in a declined name:
   *під Бахмутлм*).

Scoring: ``score = evidence × support × context`` (the three are ``Match.score_parts``,
with what went into them); the formula and every weight are in :mod:`toponyms.scoring`
and ``toponyms/data/weights.json``, fitted on the development set's train split. A query
whose best evidence is below ``min_evidence`` gets no match; ``ambiguous`` is set when the
runner-up's score is within ``ambiguity_ratio`` of the best.
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import math
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import marisa_trie
from rapidfuzz.distance import OSA

from gazetteer import store
from toponyms import index, lexicon, scoring
from toponyms.errors import (
    GazetteerError,
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
    UnknownPlaceError,
)
from toponyms.models import Match, Mention, Place
from toponyms.query import (
    near_place,
    old_raion_centre_stems,
    split,
    strip_type_prefix,
    type_words,
)
from toponyms.scoring import Weights
from toponyms.text import keys as _keys
from toponyms.text import normalize as _normalize
from toponyms.text.normalize import clean

if TYPE_CHECKING:
    from toponyms.options import Countries

# Names recur in every stream (and forms recur across one query's steps): the key
# functions are pure, so their answers are memoised (the exact key in its own module).
exact_key = _keys.exact_key
invariant_key = lru_cache(maxsize=200_000)(_keys.invariant_key)
script_of = lru_cache(maxsize=200_000)(_normalize.script_of)

MAX_FUZZY_CANDIDATES = 5000
WELL_KNOWN = 100_000  # population of a place that a person's name may still mean
FRESHNESS_INTERVAL = 256  # names of a stream between two checks for others' edits
# (key, kind) pairs whose hits are kept per resolver (for one query only when the file has
# an index snapshot: see Resolver._answer).
KEY_CACHE_SIZE = 300_000
_KEYS_PER_QUERY = 256  # keys of one kind per SQL statement (under SQLite's 999 parameters)
# A typo found in a case form of a name (an edit and an ending) is a little weaker evidence
# than one in the name itself.
CASE_TYPO_WEIGHT = 0.97
SHORT_CASE_FORM = 7  # letters
# Edits between a word's case form and its nominative, at most (Київ, Києві; Малий, Малому).
CASE_FORM_EDITS = 3
# A case form the text may be in though the declension rules give another ending for the
# name (Фряновым, Фряновом): the stems are compared, and the swap of one valid ending for
# another counts this many edits. Stems shorter than SHORT_STEM letters are not compared.
ENDING_SWAP_COST = 0.5
SHORT_STEM = 4
# Rules that reach a name through another spelling of the text (a folded key, the other
# language's form, a Cyrillic guess for Latin text, a nominative guess under its folded
# key): a coincidence, not a reading of what was written (see _direct_reading). When such
# a hit is the best one, a slip of one letter in a Ukrainian or Russian place's own name
# (or one of its case forms), in the text's script, is as good a reading and competes with
# it as evidence of this similarity (0.93 × 0.968 ≈ 0.9, the level of a guessed spelling):
# Віннция is Vinnytsia, not a Russian village by a uk ↔ ru guess.
GUESS_RULES = frozenset({"invariant", "inflection", "uk_ru", "translit"})
SLIP_SIMILARITY = 0.968
# A slip that is the text's only reading (see Resolver._sole_slip): the similarity whose
# evidence clears min_evidence (weights.json) for any of a place's own names
# (0.93 × 0.681 × 0.98 ≈ 0.621).
SOLE_SLIP_SIMILARITY = 0.681
SOLE_SLIP_MIN_LENGTH = 5  # letters of the text
PRELOAD_AFTER = 300  # queries answered before all places are read into memory
RESULT_CACHE_SIZE = 50_000  # answers kept per resolver (streams repeat names a lot)
FUZZY_COUNTRIES = frozenset({"UA", "RU"})
#: The country whose own language each home language is (a name in the other is foreign).
LANGUAGE_COUNTRY = {"uk": "UA", "ru": "RU"}
#: The schemes of place ids: a ``--within`` that starts with one is an id, not a name.
PLACE_ID_PREFIXES = ("geonames:", "katottg:", "kladr:", "curated:", "local:")
STRONG_TYPES = frozenset({"official", "romanized", "exonym"})
# A place's own names, current or curated former ones (not GeoNames' stray alternates).
OWN_TYPES = STRONG_TYPES | {"historical", "occupation"}
# Rules that meet a name under another spelling than the text's: never evidence against a
# place whose own name the text is, as written.
OTHER_SPELLINGS = frozenset({"invariant", "uk_ru", "translit"})

# The scorer's numbers live in data/weights.json (see toponyms.scoring); the name types'
# weights also order a key's names strongest first.
TYPE_WEIGHT = scoring.default().type_weight
REGION_KINDS = frozenset({"country", "oblast", "raion", "hromada"})
CENTRE_KINDS = frozenset({"city", "urban_settlement", "settlement"})  # a raion's centre
OLD_RAION_RADIUS_KM = 35.0  # how far an old raion reached from its centre, about


class _Options(NamedTuple):
    """A query's options as :meth:`Resolver.resolve` takes them, made hashable (they key
    the answer cache, with the name)."""

    limit: int
    country: str | tuple[str, ...] | None
    within: str | None
    near: str | tuple[float, float] | None
    as_of: str | date | None
    min_score: float

    @classmethod
    def of(
        cls,
        limit: int,
        country: str | Iterable[str] | None,
        within: str | None,
        near: str | tuple[float, float] | None,
        as_of: str | date | None,
        min_score: float,
    ) -> _Options:
        """Options from the public keywords; a list or generator of countries or a list
        point becomes a tuple (read once, and hashable)."""
        codes = country if country is None or isinstance(country, str) else tuple(country)
        point = near if near is None or isinstance(near, str) else (near[0], near[1])
        return cls(limit, codes, within, point, as_of, min_score)


class _Facts(NamedTuple):
    """The columns of a place that ranking reads."""

    kind: str
    country: str
    lat: float | None
    lon: float | None
    population: int | None
    katottg: str | None
    geonames_id: int | None


def _importance(
    weights: Weights,
    population: int | None,
    kind: str,
    katottg: str | None,
    geonames_id: int | None,
) -> float:
    """A place's prior: its population, or a default by kind; a Ukrainian place that
    GeoNames also records is a better-known one than its namesakes only the codifier lists."""
    prior = max(float(population or 0), weights.kind_prior.get(kind, weights.unknown_kind_prior))
    if katottg and geonames_id:
        prior *= weights.both_sources_factor
    return prior


class _Hit(NamedTuple):
    """One name the query met, before places are ranked (a named tuple: a query makes
    dozens of them, and a tuple is several times cheaper to make than a dataclass)."""

    place_id: str
    name: str
    lang: str
    type: str
    valid_from: str | None
    valid_to: str | None
    rule: str
    similarity: float


class _Scored(NamedTuple):
    """One place in :meth:`Resolver._rank`: its weight in the prior share, its evidence
    and best hit, and what the context said of it (kept apart until the place makes the
    cut: only then are they :attr:`Match.score_parts`)."""

    weight: float
    evidence: float
    place_id: str
    population: int | None
    hit: _Hit
    qualifier: float | None  # the share of the qualifiers the place lies in
    km: float | None  # the distance from ``near``
    document: bool  # within the document's (or caller's) regions

    def parts(self, weights: Weights, share: float) -> tuple[tuple[str, float], ...]:
        """The score parts, sorted by name (``Match.score_parts``).

        Three of them are the factors of the score (:func:`score_of`):
        ``score = evidence × support × context``; the others say what went into them
        (``share``: the place's share of the prior weight; ``qualifier``, ``near_km``,
        ``document``: what the context said of it)."""
        support, context = _factors(weights, share, self.qualifier)
        parts = {"evidence": self.evidence, "share": share, "support": support, "context": context}
        if self.qualifier is not None:
            parts["qualifier"] = self.qualifier
        if self.km is not None:
            parts["near_km"] = round(self.km, 1)
        if self.document:
            parts["document"] = 1.0
        return tuple(sorted(parts.items()))


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer for one query: its matches (best first) and whether it is ambiguous."""

    query: str
    matches: tuple[Match, ...]
    ambiguous: bool
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"query": self.query, "error": self.error}
        return {
            "query": self.query,
            "matches": [m.to_dict() for m in self.matches],
            "ambiguous": self.ambiguous,
        }


@dataclass(frozen=True, slots=True)
class Stage:
    """What one stage of resolving a name produced (see :meth:`Resolver.explain`).

    ``candidates``: the names the stage met, one dict each (place id, name, its type and
    language, the rule that met it); ``matches``: the ranking after the stage, with score
    parts; ``kept``: whether that ranking became the answer so far."""

    name: str
    note: str
    candidates: tuple[dict[str, Any], ...]
    matches: tuple[dict[str, Any], ...]
    evidence: float | None
    kept: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.name,
            "note": self.note,
            "candidates": list(self.candidates),
            "matches": list(self.matches),
            "evidence": None if self.evidence is None else round(self.evidence, 4),
            "kept": self.kept,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a name resolved as it did: every stage in order, then the answer."""

    query: str
    stages: tuple[Stage, ...]
    resolution: Resolution

    def to_dict(self) -> dict[str, Any]:
        return {**self.resolution.to_dict(), "stages": [s.to_dict() for s in self.stages]}


#: At most this many candidates of a stage are shown by :meth:`Resolver.explain`.
EXPLAIN_CANDIDATES = 25


def parse_date(value: str | date | None) -> date | None:
    """An ``as_of`` date from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1)
        if len(parts) == 2:
            return date(parts[0], parts[1], 1)
        if len(parts) == 3:
            return date(parts[0], parts[1], parts[2])
    except ValueError:
        pass
    raise InvalidDateError(f"not a date: {value!r} (use YYYY-MM-DD)")


def parse_point(value: str | tuple[float, float] | None) -> tuple[float, float] | None:
    """A ``near`` point from ``"LAT,LON"`` or a pair, checked for range."""
    if value is None:
        return None
    if isinstance(value, str):
        parts = value.replace(";", ",").split(",")
        if len(parts) != 2:
            raise InvalidCoordinatesError(f"not a point: {value!r} (use LAT,LON)")
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            raise InvalidCoordinatesError(f"not a point: {value!r} (use LAT,LON)") from None
    else:
        lat, lon = float(value[0]), float(value[1])
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidCoordinatesError(f"coordinates must be finite numbers: {lat}, {lon}")
    if not -90 <= lat <= 90:
        raise InvalidCoordinatesError(f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise InvalidCoordinatesError(f"longitude {lon} is outside -180..180")
    return lat, lon


def _valid_at(hit: _Hit, when: date) -> bool:
    start = parse_date(hit.valid_from) if hit.valid_from else None
    end = parse_date(hit.valid_to) if hit.valid_to else None
    return (start is None or start <= when) and (end is None or when < end)


class Resolver:
    """Resolves names and extracts mentions against one gazetteer.

    ``Resolver()`` opens the default gazetteer; ``Resolver(db=path)`` a user's file (or
    the ``TOPONYMS_DB`` environment variable's). Edits made to that file by another
    process or a :class:`gazetteer.store.Gazetteer` are seen at the next call.

    Args:
        db: Path of a gazetteer file; ``None`` means ``$TOPONYMS_DB`` if set, else the
            default gazetteer shipped with the package.

    Raises:
        GazetteerError: The file is missing, a folder, not a toponyms gazetteer, of a
            newer schema, or indexed by another version (run ``gazetteer check --fix``).

    A resolver is a context manager (``with Resolver() as r:``) and pickles as its path.
    """

    def __init__(self, db: str | Path | None = None, *, weights: Weights | None = None) -> None:
        path, is_default = store.resolve_path(db)
        self._weights = weights if weights is not None else scoring.default()
        self._evidence_table = self._weights.evidence_table()
        self.path = path
        self._is_default = is_default
        self._conn = store.connect(path, readonly=True)
        self._conn.row_factory = None
        if not index.is_current(self._conn):
            raise GazetteerError(
                f"{path}: its index was made by another version of toponyms; "
                "run `toponyms gazetteer check --fix` (or open it once with the Gazetteer API)"
            )
        self._data_version = self._version()
        self._caches_clear()
        #: Serialises every use of the connection and the caches, so that one resolver may
        #: be shared between threads (a web server's, a thread pool's). Re-entrant: the
        #: extractor calls the resolver while it holds it. For parallel speed use
        #: processes: a resolver pickles as its path.
        self.lock = threading.RLock()
        self._trace: list[Stage] | None = None  # set while explain() runs

    # -- plumbing -----------------------------------------------------------------------------
    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def _caches_clear(self) -> None:
        self._place_cache: dict[str, Place] = {}
        self._keys: dict[tuple[str, str], tuple[_Hit, ...]] = {}
        self._snapshot: marisa_trie.BytesTrie | None = None
        self._snapshot_read = False
        self._fuzzy_snapshot: marisa_trie.BytesTrie | None = None
        self._fuzzy_snapshot_read = False
        self._fuzzy_cached = lru_cache(maxsize=10_000)(self._fuzzy_hits)
        self._results: dict[tuple[object, ...], Resolution] = {}
        self._region_cache: dict[str, frozenset[str]] = {}
        self._nearby: dict[str, frozenset[str]] = {}
        self._preloaded = False
        self._rows: dict[str, tuple[Any, ...]] = {}
        self._answered = 0
        self._countries: dict[str, str] | None = None
        self._redirects: dict[str, str] | None = None
        self._country_checker: Countries | None = None
        self._fuzzy_rows: bool | None = None

    def _fresh(self) -> None:
        """Drop caches when another connection has committed an edit."""
        version = self._version()
        if version != self._data_version:
            self._data_version = version
            self._caches_clear()

    def close(self) -> None:
        """Close the gazetteer file; the resolver cannot be used afterwards."""
        self._conn.close()

    def __reduce__(self) -> tuple[Any, tuple[str | None, Weights | None]]:
        """Pickle as the gazetteer's path, reopened where it is unpickled.

        A ``Resolver`` holds an SQLite connection, which cannot cross processes; a worker
        of ``multiprocessing``, Dask or Spark opens the same file again (the default
        gazetteer as that worker's own default)."""
        weights = None if self._weights is scoring.default() else self._weights
        return (_reopen, (None if self._is_default else str(self.path), weights))

    def __enter__(self) -> Resolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _key_hits(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[_Hit, ...]]:
        """The hits under each ``(key, kind)`` pair (kind ``x`` exact, ``i`` invariant).

        Pairs not yet cached are fetched together in one query: a query's steps ask for
        many keys at once (every inflected form, every transliteration guess, every typo
        candidate), and one round trip to SQLite costs about as much as ten dictionary
        look-ups in Python cost to prepare.
        """
        pairs = list(pairs)
        cache = self._keys
        missing = [p for p in dict.fromkeys(pairs) if p[0] and p not in cache]
        if missing:
            if len(cache) + len(missing) > KEY_CACHE_SIZE:
                cache.clear()
            snapshot = self._hits_snapshot()
            if snapshot is not None:
                for pair in missing:
                    cache[pair] = _snapshot_hits(snapshot, pair)
                return [cache.get(pair, ()) if pair[0] else () for pair in pairs]
            found: dict[tuple[str, str], list[_Hit]] = {p: [] for p in missing}
            by_kind: dict[str, list[str]] = {}
            for key, kind in missing:
                by_kind.setdefault(kind, []).append(key)
            status = self._rows
            for kind, keys in sorted(by_kind.items()):
                rule = index.KIND_RULES[kind]
                for offset in range(0, len(keys), _KEYS_PER_QUERY):
                    some = _padded(keys[offset : offset + _KEYS_PER_QUERY])
                    rows = self._conn.execute(self._key_sql(len(some)), [kind, *some])
                    for key, place_id, name, lang, type_, valid_from, valid_to in rows:
                        if status and status[place_id][14] != "active":
                            continue
                        found[(key, kind)].append(
                            _Hit(place_id, name, lang, type_, valid_from, valid_to, rule, 1.0)
                        )
            for pair, hits in found.items():
                cache[pair] = tuple(hits)
        return [cache.get(pair, ()) if pair[0] else () for pair in pairs]

    def _hits_snapshot(self) -> marisa_trie.BytesTrie | None:
        """The index's in-memory snapshot (read once; None when the file has none)."""
        if not self._snapshot_read:
            self._snapshot = index.read_snapshot(self._conn)
            self._snapshot_read = True
        return self._snapshot

    def _fuzzy_keys_snapshot(self) -> marisa_trie.BytesTrie | None:
        """The typo index's in-memory snapshot (read once; None when the file has none)."""
        if not self._fuzzy_snapshot_read:
            self._fuzzy_snapshot = index.read_snapshot(self._conn, "fuzzy")
            self._fuzzy_snapshot_read = True
        return self._fuzzy_snapshot

    def _key_sql(self, count: int) -> str:
        """The statement that fetches the names under ``count`` keys of one kind (the
        kind, then the keys, are its parameters). Once every place row is in memory, a
        place's status is read there: the join to ``places`` would cost a third of the
        look-up."""
        select = (
            "SELECT k.key, n.place_id, n.name, n.lang, n.type, n.valid_from, n.valid_to"
            " FROM name_keys k JOIN names n ON n.id = k.name_id"
        )
        where = "k.kind = ? AND k.key IN ({})".format(",".join("?" * count))
        if self._preloaded:
            return f"{select} WHERE {where}"
        return f"{select} JOIN places p ON p.id = n.place_id WHERE {where} AND p.status = 'active'"

    def _prefetch(self, texts: Iterable[str]) -> None:
        """Fetch the hits of several forms of a name in one query (see :meth:`_key_hits`)."""
        pairs: list[tuple[str, str]] = []
        for text in texts:
            exact = exact_key(text)
            if exact:
                pairs.append((exact, "x"))
                if script_of(text) in ("Latn", "Cyrl", "mixed"):
                    pairs.append((invariant_key(text), "i"))
        self._key_hits(pairs)

    def _country(self, place_id: str) -> str:
        """A place's country code (from the preloaded rows when there are any)."""
        row = self._rows.get(place_id)
        return row[2] if row is not None else self._place(place_id).country

    # A place's columns (as index.PLACE_COLUMNS), then its oblast's English and
    # Ukrainian names.
    _PLACE_SQL = (
        "SELECT p.id, p.kind, p.country, p.name_uk, p.name_ru, p.name_en, p.admin1_id,"
        " p.parent_id, p.lat, p.lon, p.precision, p.population, p.geonames_id, p.katottg,"
        " p.status, p.raion_id, p.hromada_id, a.name_en, a.name_uk"
        " FROM places p LEFT JOIN places a ON a.id = p.admin1_id"
    )

    def _country_id(self, code: str) -> str | None:
        if self._countries is None:
            self._countries = dict(
                self._conn.execute("SELECT country, id FROM places WHERE kind = 'country'")
            )
        return self._countries.get(code)

    def _place_from_row(self, row: tuple[Any, ...]) -> Place:
        """A :class:`Place` of a preloaded row or a row of :data:`_PLACE_SQL` (memoised,
        with the place's regions)."""
        if len(row) > len(index.PLACE_COLUMNS):
            admin1 = row[17] or row[18]  # joined by _PLACE_SQL
        else:
            oblast = self._rows.get(row[6]) if row[6] else None
            admin1 = (oblast[5] or oblast[3]) if oblast is not None else None
        result = index.place_of_row(row, admin1)
        self._place_cache[row[0]] = result
        country = self._country_id(row[2])
        self._region_cache[row[0]] = frozenset(
            {row[0], *(v for v in (row[7], row[6], row[15], row[16], country) if v)}
        )
        return result

    def _preload(self) -> None:
        """Read every place's row into memory once a stream is long enough to repay it
        (from the file's ``places`` snapshot, else the table: a tenth or a fifth of a
        second for the default gazetteer); each answer then costs no place look-ups.
        Rows become :class:`Place` objects only when first needed."""
        rows: Iterable[tuple[Any, ...]] | None = index.read_places_snapshot(self._conn)
        if rows is None:
            rows = index.place_rows(self._conn)
        self._rows = {row[0]: row for row in rows}
        self._preloaded = True

    def place(self, place_id: str) -> Place:
        """The place with that id (a merged id answers with the place it was merged into).

        Args:
            place_id: A place id as results give it: ``geonames:706448``,
                ``katottg:UA65100150010071596``, ``local:1``.

        Returns:
            The :class:`~toponyms.models.Place`, retired ones included.

        Raises:
            UnknownPlaceError: No place, and no redirect, has that id.
        """
        with self.lock:
            self._fresh()
            return self._place(place_id)

    def check_options(
        self,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> None:
        """Raise :class:`InvalidInputError` for options that no query can use.

        The keywords are :meth:`resolve`'s. A country must be an ISO 3166 code of a
        country in the gazetteer; a country's name is refused with its code as a hint
        (``"Ukraine"`` → ``UA``). ``within`` must name a region or place the gazetteer
        knows. A command calls this once, before a stream, so that a bad option fails
        once instead of on every line."""
        with self.lock:
            self._fresh()
            self._check_options(_Options.of(limit, country, within, near, as_of, min_score))

    def _check_options(self, options: _Options) -> None:
        if options.limit < 1:
            raise InvalidInputError(f"limit must be at least 1, not {options.limit}")
        if options.country is not None:
            self._countries_of_gazetteer().check(options.country)
        self._within(options.within)
        parse_point(options.near)
        parse_date(options.as_of)

    def _countries_of_gazetteer(self) -> Countries:
        """The gazetteer's countries, read once (codes and names, for hints)."""
        if self._country_checker is None:
            from toponyms.options import Countries

            self._country_checker = Countries.of(self.path)
        return self._country_checker

    def _place(self, place_id: str) -> Place:
        """:meth:`place` without the freshness check (within one answer)."""
        cached = self._place_cache.get(place_id)
        if cached is not None:
            return cached
        row = self._rows.get(place_id)
        if row is not None:
            return self._place_from_row(row)
        row = self._conn.execute(self._PLACE_SQL + " WHERE p.id = ?", (place_id,)).fetchone()
        if row is None:
            target = self._conn.execute(
                "SELECT new_id FROM redirects WHERE old_id = ?", (place_id,)
            ).fetchone()
            if target is None:
                raise UnknownPlaceError(f"no place with id {place_id!r}")
            return self._place(target[0])
        return self._place_from_row(row)

    def _ancestors(self, place_id: str) -> frozenset[str]:
        """The place itself and every unit it lies in (hromada, raion, oblast, country)."""
        cached = self._region_cache.get(place_id)
        if cached is not None:
            return cached
        row = self._rows.get(place_id)
        if row is not None:
            country = self._country_id(row[2])
            cached = frozenset(
                {place_id, *(v for v in (row[7], row[6], row[15], row[16], country) if v)}
            )
            self._region_cache[place_id] = cached
            return cached
        self._place(place_id)
        cached = self._region_cache.get(place_id)
        if cached is not None:
            return cached
        row = self._conn.execute(
            "SELECT p.parent_id, p.admin1_id, p.raion_id, p.hromada_id, c.id FROM places p"
            " LEFT JOIN places c ON c.kind = 'country' AND c.country = p.country"
            " WHERE p.id = ?",
            (place_id,),
        ).fetchone()
        result = frozenset({place_id, *(v for v in (row or ()) if v)})
        self._region_cache[place_id] = result
        return result

    # -- candidate generation ------------------------------------------------------------------
    def _hits_for(
        self, text: str, rule: str | None = None, *, romanizations: bool = False
    ) -> list[_Hit]:
        """Hits for one form of the name under its exact and invariant keys.

        An invariant (other-spelling) hit on a place outside Ukraine and Russia counts only
        for its official names and exonyms written in the query's own script: GeoNames'
        many alternate spellings of world cities, and a Cyrillic query's coincidence with
        a foreign Latin name (Бучі ~ Buhi), are noise, not evidence. ``romanizations``:
        tell invariant hits on several places apart by :meth:`_romanized` (the name a
        user asks for; extraction, which tries every capitalised word, skips it).
        """
        exact = exact_key(text)
        if not exact:
            return []
        script = script_of(text)
        inv = invariant_key(text) if script in ("Latn", "Cyrl", "mixed") else ""
        exact_hits, inv_hits = self._key_hits([(exact, "x"), (inv, "i")])
        country = self._country
        kept = [
            hit
            for hit in inv_hits
            if country(hit.place_id) in FUZZY_COUNTRIES
            or (hit.type != "alternate" and script_of(hit.name) == script)
        ]
        if romanizations and script == "Latn" and len({h.place_id for h in kept}) > 1:
            own = frozenset(h.place_id for h in exact_hits if h.type in OWN_TYPES)
            kept = self._romanized(exact, kept, own)
        if rule is None:
            return [*exact_hits, *kept]
        # A tuple made field by field: several times cheaper than NamedTuple._replace.
        return [
            _Hit(place_id, name, lang, type_, valid_from, valid_to, rule, similarity)
            for place_id, name, lang, type_, valid_from, valid_to, _, similarity in (
                *exact_hits,
                *kept,
            )
        ]

    def _romanized(
        self, written: str, hits: list[_Hit], exact: frozenset[str] = frozenset()
    ) -> list[_Hit]:
        """Invariant hits on several places, with those whose place's Ukrainian or Russian
        name the text spells letter for letter in some romanisation system marked
        ``romanization`` (as strong as the name itself): the invariant key folds і and и,
        ї and і together, and the romanisation keeps them apart (Vitkivtsi is Вітківці,
        Vytkivtsi Витківці; ISO 9 Vìtkìvcì the former). Places in ``exact`` (whose own
        name the text already is, as written) need no such check."""
        named = [(hit, self._cyrillic_names(hit.place_id)) for hit in hits]
        if len({names for _, names in named}) < 2:
            return hits  # one spelling for all: nothing to tell them apart by
        marked: list[_Hit] = []
        for hit, names in named:
            if hit.place_id in exact:
                marked.append(hit)
                continue
            country = self._country(hit.place_id)
            for name, lang in zip(names, ("uk", "ru"), strict=True):
                if name and written in _romanized_keys(name, lang):
                    # The name met is the Cyrillic one the text romanises: the place's own
                    # name, or its name in the other language, an exonym (Woltschansk spells
                    # Волчанск, Vovchansk's Russian name as much as a Russian town's own).
                    own = (lang, country) in (("uk", "UA"), ("ru", "RU"))
                    hit = _Hit(
                        hit.place_id,
                        name,
                        lang,
                        "official" if own else "exonym",
                        None,
                        None,
                        "romanization",
                        1.0,
                    )
                    break
            marked.append(hit)
        return marked

    def _cyrillic_names(self, place_id: str) -> tuple[str | None, str | None]:
        """A place's Ukrainian and Russian names (from the preloaded rows if there are any)."""
        row = self._rows.get(place_id)
        if row is not None:
            return row[3], row[4]
        place = self._place(place_id)
        return place.name_uk, place.name_ru

    def _variant_hits(self, text: str, *, transliterate: bool = True) -> list[_Hit]:
        """Inflected forms, uk ↔ ru counterparts and Cyrillic transliterations of the text."""
        from toponyms.text import morph, ukru
        from toponyms.text.translit import cyrillize

        hits: list[_Hit] = []
        script = script_of(text)
        seen: set[str] = {exact_key(text)}

        def probe(form: str, rule: str) -> list[_Hit]:
            key = exact_key(form)
            if not key or key in seen:
                return []
            seen.add(key)
            found = self._hits_for(form, rule)
            if rule in ("uk_ru", "translit"):
                # A guessed spelling may meet a foreign town's stray alternate (війна ~
                # Вейн, Wayne): guesses count for Ukrainian and Russian places, and for
                # other places only through their official names and exonyms.
                found = [
                    h
                    for h in found
                    if self._country(h.place_id) in FUZZY_COUNTRIES or h.type in STRONG_TYPES
                ]
            hits.extend(found)
            return found

        if script == "Cyrl":
            # The forms index first: a case form or a counterpart of a name, made when the
            # gazetteer was built. Only when it has none are the text's lemmas and
            # counterparts guessed here (a name the index has no forms for: a user's name
            # added since the last snapshot, or a form the build's paradigms miss).
            # The names met are then probed as the guessed lemmas were, under their exact
            # and invariant keys (a case form of Покровськ's Russian exonym reaches the
            # town's official Latin name, Pokrovsk, as the guessed lemma Покровск did).
            key = exact_key(text)
            inflected, counterparted = self._key_hits([(key, "c"), (key, "u")])
            lemmas = (
                list(dict.fromkeys(h.name for h in inflected))
                if inflected
                else morph.lemma_candidates(text)
            )
            self._prefetch(lemmas)
            for lemma in lemmas:
                probe(lemma, "inflection")
            if not hits and counterparted:
                named = list(dict.fromkeys(h.name for h in counterparted))
                self._prefetch(named)
                for name in named:
                    probe(name, "uk_ru")
            elif not hits:
                counterparts = [c for form in [text, *lemmas[:3]] for c in ukru.counterparts(form)]
                self._prefetch(counterparts)
                for counterpart in counterparts:
                    probe(counterpart, "uk_ru")
        elif script == "Latn":
            lemmas = latin_lemmas(text)
            languages = ("ru", "uk") if transliterate else ()
            # The forms index knows which Cyrillic names the text romanises letter for
            # letter in some scheme: those are the guesses, and the Latin→Cyrillic search
            # (the costliest step) runs only for a spelling no scheme writes.
            romanised = self._key_hits([(exact_key(text), "r")])[0] if languages else ()
            guesses = (
                [list(dict.fromkeys(h.name for h in romanised))]
                if romanised
                else [cyrillize(text, lang)[:3] for lang in languages]
            )
            self._prefetch([*lemmas, *(form for forms in guesses for form in forms)])
            for form in lemmas:
                probe(form, "inflection")
            for forms in guesses:
                missed = [form for form in forms if not probe(form, "translit")]
                counterparts = [c for form in missed for c in ukru.counterparts(form)[:3]]
                self._prefetch(counterparts)
                for counterpart in counterparts:
                    probe(counterpart, "translit")
        return hits

    def _fuzzy_hits(self, text: str) -> list[_Hit]:
        """Names about one typo away.

        Retrieval is broad: invariant keys within two deletions of the query's (the index
        holds one-deletion neighbourhoods, the query side adds a second), because one typo
        in the written text can be two in the key (*Bakpmut*: kh broken up). Scoring is
        strict: the edit distance between the query and the name *as written* (when both
        are in one script), so that a slip of one letter counts as one.
        """
        script = script_of(text)
        if script not in ("Latn", "Cyrl", "mixed"):
            return []
        key = invariant_key(text)
        written = exact_key(text)
        if len(key) < index.FUZZY_MIN_LENGTH and len(written) < index.FUZZY_MIN_LENGTH:
            return []  # the key may be shorter than the text (Khuts: huz), the written form counts
        loose = _two_deletions(key)
        strict = index.deletions(written) if len(written) >= index.FUZZY_MIN_LENGTH else set()
        limit = 1 if len(written) < 9 else 2
        short = len(written) < 6
        seen: set[tuple[str, str]] = set()
        # Namesakes share their names: each name's similarity is worked out once.
        similarities: dict[tuple[str, str], float | None] = {}
        hits: list[_Hit] = []
        fallbacks: list[_Hit] = []
        for world in (False, True):
            if world and (hits or short):
                break  # the largest cities' other names count only when nothing else is near
            near = [
                (candidate, kind)
                for candidate, kind in self._fuzzy_candidates(loose, strict, world=world)
                if (
                    kind == "i"
                    and candidate != key
                    and OSA.distance(key, candidate, score_cutoff=2) <= 2
                )
                or (
                    kind == "x"
                    and candidate != written
                    and OSA.distance(written, candidate, score_cutoff=limit) <= limit
                )
            ]
            for (candidate, _), names in zip(near, self._near_names(near), strict=True):
                for place_id, name, lang, type_, valid_from, valid_to in names:
                    if (place_id, name) in seen:
                        continue
                    seen.add((place_id, name))
                    fallback = False
                    if (short or type_ not in STRONG_TYPES) and self._country(
                        place_id
                    ) not in FUZZY_COUNTRIES:
                        # Abroad, a typo counts only against official names and exonyms; and,
                        # when no name at all is near, against the other names of the largest
                        # cities (GeoNames keeps their exonyms as plain alternate names:
                        # Varsovia, Warschau), which must not outvote a smaller place's own
                        # name (Cordovga is Cordova's typo, not Córdoba's).
                        if short or not _world_famous(self._facts(place_id)):
                            continue
                        fallback = True
                    pair = (name, candidate)
                    if pair not in similarities:
                        similarities[pair] = _typo_similarity(
                            written, key, script, name, candidate, limit
                        )
                    similarity = similarities[pair]
                    if similarity is None:
                        continue
                    (fallbacks if fallback else hits).append(
                        _Hit(
                            place_id,
                            name,
                            lang,
                            type_,
                            valid_from or None,
                            valid_to or None,
                            "fuzzy",
                            similarity,
                        )
                    )
        return hits or fallbacks

    def _near_names(self, near: list[tuple[str, str]]) -> list[list[_Fields]]:
        """The names under each ``(key, kind)`` typo candidate, a place's stronger name types
        first (see :func:`_strongest_first`), as the snapshot's raw fields. The typo
        search drops most of them (abroad, met before, too far): read straight from the
        snapshot, only those it keeps become hits, and its candidates (a query's own)
        need not fill the resolver's cache of keys."""
        snapshot = self._hits_snapshot()
        if snapshot is None:
            return [
                [
                    [h.place_id, h.name, h.lang, h.type, h.valid_from or "", h.valid_to or ""]
                    for h in _strongest_first(hits)
                ]
                for hits in self._key_hits(near)
            ]
        names = []
        for pair in near:
            fields = _snapshot_fields(snapshot, pair)
            if len(fields) > 1:
                fields.sort(key=_type_order)
            names.append(fields)
        return names

    def _fuzzy_candidates(
        self, loose: set[str], strict: set[str], *, world: bool = False
    ) -> list[tuple[str, str]]:
        """Keys whose deletion neighbourhood meets ``loose`` (invariant keys) or ``strict``
        (exact keys): ``(key, kind)`` pairs, sorted, at most :data:`MAX_FUZZY_CANDIDATES`.
        ``world``: the invariant keys of the largest world cities' other names instead.

        The typo index's snapshot answers, with the table's rows beside it when it has
        any (the keys of names added since the snapshot); a file without a snapshot is
        answered by the table alone."""
        snapshot = self._fuzzy_keys_snapshot()
        found: set[tuple[str, str]] = set()
        if snapshot is not None:
            kinds = (("w", loose),) if world else (("i", loose), ("x", strict))
            for kind, dels in kinds:
                keys, _ = index.fuzzy_candidates(snapshot, kind, dels)
                found.update((key, "i" if kind == "w" else kind) for key in keys)
            if not self._fuzzy_table_rows():
                return sorted(found)[:MAX_FUZZY_CANDIDATES]
        # The table: the whole neighbourhood in a file without a snapshot, else the keys
        # of names added since the snapshot was written.
        if world:
            rows = self._conn.execute(
                "SELECT key FROM fuzzy_keys WHERE kind = 'w' AND del IN ({}) LIMIT {}".format(
                    ",".join("?" * len(loose)), MAX_FUZZY_CANDIDATES
                ),
                sorted(loose),
            ).fetchall()
            found.update((row[0], "i") for row in rows)
            return sorted(found)[:MAX_FUZZY_CANDIDATES]
        # An empty IN list would make SQLite scan the table: only the kinds asked for.
        wanted = [(kind, sorted(dels)) for kind, dels in (("i", loose), ("x", strict)) if dels]
        if wanted:
            rows = self._conn.execute(
                "SELECT key, kind FROM fuzzy_keys WHERE {} LIMIT {}".format(
                    " OR ".join(
                        f"(kind = '{kind}' AND del IN ({','.join('?' * len(dels))}))"
                        for kind, dels in wanted
                    ),
                    MAX_FUZZY_CANDIDATES,
                ),
                [d for _, dels in wanted for d in dels],
            ).fetchall()
            found.update(rows)
        return sorted(found)[:MAX_FUZZY_CANDIDATES]

    def _fuzzy_table_rows(self) -> bool:
        """Whether the typo table holds rows (in a snapshotted file: names edits added)."""
        if self._fuzzy_rows is None:
            self._fuzzy_rows = (
                self._conn.execute("SELECT EXISTS (SELECT 1 FROM fuzzy_keys)").fetchone()[0] == 1
            )
        return self._fuzzy_rows

    def _case_form_typos(self, text: str) -> list[_Hit]:
        """Names one typo away from the text read as one of their case forms.

        A slip in a declined name (*Маріупюлі*, *у Києвкі*, *під Покровпком*) is one edit
        from a case form of the name but two or more from its nominative, which is all the
        plain typo search compares with. Candidates are retrieved as there, from the text
        and from its stems (the text less a possible case ending) and nominative guesses
        (:func:`_lemma_forms`), so that a short name whose ending changed is still met;
        each Cyrillic name of a Ukrainian or Russian place among them is then declined
        (:func:`_case_forms`), and the text's distance is to the nearest form.
        """
        if script_of(text) != "Cyrl":
            return []
        written = exact_key(text)
        if len(written) < index.FUZZY_MIN_LENGTH:
            return []
        probes = {written, *_stems(written), *(exact_key(f) for f in _lemma_forms(text))}
        adjective_probes: set[str] = set()
        first, _, rest = written.partition(" ")
        if rest:
            # The first word's ending lies in the indexed prefix too (Жовтими Водами).
            # The slip may touch that ending: any one to three last letters are cut.
            probes.update(f"{first[:-k]} {rest}" for k in (1, 2, 3) if len(first) - k >= 3)
            # Or the slip lies before it, in a declined adjective (Гусиого Озера, Дудовом
            # Умёте): the prefix then differs from the name's in the slip and the ending,
            # more than its deletions bridge, and a slip hides the word from the nominative
            # guesses. Every nominative ending an adjective's case ending may stand for
            # is tried on the first word (Гусиое Озера meets Гусиное Озеро).
            # (Asked only when the other probes meet nothing: see collect below.)
            adjective_probes = {f"{word} {rest}" for word in _adjective_nominatives(first)}
            adjective_probes -= probes
        limit = 1 if len(written) < 9 else 2
        own_stems = [s for s in _stems(written) if len(s) >= SHORT_STEM]
        key = invariant_key(text)
        seen: set[tuple[str, str]] = set()
        hits: list[_Hit] = []
        fallbacks: list[_Hit] = []

        def collect(candidates: list[tuple[str, str]]) -> None:
            # A case form differs from its nominative in the last letters (and, for a
            # few names, one vowel before them: Київ, Києві), of every word that declines
            # (Малий Затишок, Малому Затишкові: five edits): a cheap bound first.
            near = []
            for candidate, kind in candidates:
                bound = limit + CASE_FORM_EDITS * (candidate.count(" ") + 1)
                if (
                    OSA.distance(written if kind == "x" else key, candidate, score_cutoff=bound)
                    <= bound
                ):
                    near.append((candidate, kind))
            found = dict(zip(near, self._key_hits(near), strict=True))
            for candidate, kind in near:
                for hit in _strongest_first(found[candidate, kind]):
                    if (hit.place_id, hit.name) in seen or script_of(hit.name) != "Cyrl":
                        continue
                    seen.add((hit.place_id, hit.name))
                    place = self._facts(hit.place_id)
                    abroad = place.country not in FUZZY_COUNTRIES
                    if abroad and not _world_famous(place):
                        continue  # abroad, only the largest cities' names (в Стамбуле)
                    forms = _case_forms(hit.name, hit.lang)
                    distance = _case_distance(written, own_stems, hit.name, hit.lang, limit)
                    if distance == 0 or distance > limit:
                        continue  # an exact case form is the inflection rule's, not a typo
                    length = max(len(written), min(len(f) for f in forms))
                    similarity = _slip_similarity(distance, length) * CASE_TYPO_WEIGHT
                    (fallbacks if abroad else hits).append(
                        hit._replace(rule="fuzzy", similarity=similarity)
                    )

        loose, strict = _probe_deletions(probes)
        collect(self._fuzzy_candidates(loose, strict))
        if not hits and adjective_probes:
            collect(self._fuzzy_candidates(*_probe_deletions(adjective_probes)))
        if not hits:
            # The largest world cities' other names, when nothing else is near.
            collect(self._fuzzy_candidates(loose, set(), world=True))
        return hits or fallbacks

    @staticmethod
    def _one_edit(text: str, hits: list[_Hit]) -> bool:
        """Whether one of the typo search's hits is a same-script name one edit from the text."""
        script = script_of(text)
        written = exact_key(text)
        return any(
            script_of(h.name) == script
            and OSA.distance(written, exact_key(h.name), score_cutoff=1) <= 1
            for h in hits
        )

    def _close_typo(self, text: str) -> bool:
        """Whether a place's own name (official, romanised or exonym: not one of GeoNames'
        stray alternate spellings) in the text's script lies one edit from the text
        (memoised per text). Kleshcheyevka is one edit from an alternate spelling of
        another village (Pleshcheyevka), and yet the Russian romanisation of Кліщіївка."""
        return any(
            h.similarity >= 0.8 and h.type in STRONG_TYPES and script_of(h.name) == script_of(text)
            for h in self._fuzzy_cached(text)
        )

    def _home_slips(self, text: str, hits: list[_Hit]) -> list[_Hit]:
        """The typo search's hits that are one slip from the text as written, in its script,
        on a Ukrainian or Russian place's own name (official, romanised or exonym), with
        their similarity raised to :data:`SLIP_SIMILARITY` to compete with a guessed
        spelling's hit (see :data:`GUESS_RULES`). A slip in one of the name's case forms
        (*под Зёрском*: Озёрском) counts too, a little weaker (:data:`CASE_TYPO_WEIGHT`)."""
        script = script_of(text)
        written = exact_key(text)
        slips = []
        for h in hits:
            if (
                h.type not in STRONG_TYPES
                or self._country(h.place_id) not in FUZZY_COUNTRIES
                or not self._one_slip(written, script, h)
            ):
                continue
            plain = OSA.distance(written, exact_key(h.name), score_cutoff=1) <= 1
            floor = SLIP_SIMILARITY if plain else SLIP_SIMILARITY * CASE_TYPO_WEIGHT
            slips.append(h._replace(similarity=max(h.similarity, floor)))
        return slips

    def _sole_slip(self, text: str, hits: list[_Hit]) -> list[_Hit]:
        """``hits`` with a sole slip's similarity raised to :data:`SOLE_SLIP_SIMILARITY`.

        One edit in a name of five letters leaves a similarity (0.68) whose evidence is
        about the cut-off, below it for an exonym (Мьвов: Львов). When every name one edit
        from the text (as written, or from one of the name's case forms) is one place's,
        and one of them is that Ukrainian or Russian place's own name in the text's
        script, the slip is the reading: it clears the cut-off (barely, so any better
        evidence still wins). Two places one edit away (Ацрыз: Агрыз, Арцыз) stay a guess
        that the cut-off may refuse.
        """
        script = script_of(text)
        written = exact_key(text)
        if len(written) < SOLE_SLIP_MIN_LENGTH:
            return hits  # one edit in four letters is a different word as often as a slip
        near = [h for h in hits if self._one_slip(written, script, h)]
        if not near or len({h.place_id for h in near}) > 1:
            return hits
        if (
            not any(h.type in STRONG_TYPES and script_of(h.name) == script for h in near)
            or self._country(near[0].place_id) not in FUZZY_COUNTRIES
        ):
            return hits
        return [
            h._replace(similarity=max(h.similarity, SOLE_SLIP_SIMILARITY))
            if h in near and h.type in STRONG_TYPES and script_of(h.name) == script
            else h
            for h in hits
        ]

    @staticmethod
    def _one_slip(written: str, script: str, hit: _Hit) -> bool:
        """Whether a typo hit's name, or one of its case forms, is one edit from the text
        (``written``: its exact key; ``script``: its script)."""
        if script_of(hit.name) != script:
            return False
        if OSA.distance(written, exact_key(hit.name), score_cutoff=1) <= 1:
            return True
        return script == "Cyrl" and any(
            OSA.distance(written, f, score_cutoff=1) <= 1 for f in _case_forms(hit.name, hit.lang)
        )

    # -- scoring ----------------------------------------------------------------------------
    def _evidence(self, hit: _Hit, as_of: date | None) -> float:
        w = self._weights
        weight = (
            w.rule_weight.get(hit.rule, 1.0)
            if hit.rule != "fuzzy"
            else w.fuzzy_weight * hit.similarity
        )
        type_weight = w.type_weight.get(hit.type, w.unknown_type_weight)
        if as_of is not None and (hit.valid_from or hit.valid_to):
            type_weight = 1.0 if _valid_at(hit, as_of) else 0.85
        return weight * type_weight

    def _prior(self, place: Place) -> float:
        """A place's importance (see :func:`_importance`)."""
        return _importance(
            self._weights, place.population, place.kind, place.katottg, place.geonames_id
        )

    def _well_known(self, hit: _Hit) -> bool:
        """Whether a hit is the official name (or exonym) of a city of note."""
        population = self._facts(hit.place_id).population or 0
        return hit.type in ("official", "exonym") and population >= WELL_KNOWN

    def _facts(self, place_id: str) -> _Facts:
        """What ranking needs of a place, without making a :class:`Place` of it (a name
        may have a hundred namesakes, and only the best few become matches)."""
        row = self._rows.get(place_id)
        if row is not None:
            return _Facts(row[1], row[2], row[8], row[9], row[11], row[13], row[12])
        place = self._place(place_id)
        return _Facts(
            place.kind,
            place.country,
            place.lat,
            place.lon,
            place.population,
            place.katottg,
            place.geonames_id,
        )

    def _rank(
        self,
        hits: Iterable[_Hit],
        *,
        as_of: date | None,
        qualifiers: list[frozenset[str]],
        within: frozenset[str] | None,
        countries: frozenset[str] | None,
        near: tuple[float, float] | None,
        limit: int,
        context: frozenset[str] | None = None,
        kinds: frozenset[str] | None = None,
    ) -> tuple[list[Match], float]:
        """Best match per place, ranked; returns the matches and the best evidence seen.

        Every name of every namesake passes through here (a hundred for a common village
        name), so the loops read the preloaded rows and a table of evidence weights
        directly, and only the ``limit`` best places get their score parts and a
        :class:`Match`."""
        hits = list(hits)
        exact_places = {
            h.place_id
            for h in hits
            if h.rule in ("exact", "romanization")
            and (h.type in OWN_TYPES or self._home_name(h))
            and (not qualifiers or all(self._ancestors(h.place_id) & q for q in qualifiers))
        }
        if exact_places:
            # The text is exactly some place's name, current or former (and in the regions
            # the qualifiers name): another spelling's coincidence with a different place's
            # name (Uman ~ Umman, Oman; Dzerzhynsk, Toretsk's old name, ~ Dzerzhinsk in
            # Russia) is not evidence for that place.
            hits = [h for h in hits if h.rule not in OTHER_SPELLINGS or h.place_id in exact_places]
        best: dict[str, tuple[float, _Hit]] = {}
        w = self._weights
        weights = self._evidence_table if as_of is None else {}
        country_of = self._country
        for hit in hits:
            type_ = hit.type
            # A Ukrainian place's official Russian name (KOATUU's), or a Russian place's
            # Ukrainian one, is a name in another language: it weighs as an exonym, so that
            # Свердликово is the Kursk village before the Ukrainian Свердликове.
            if (
                type_ == "official"
                and hit.lang in LANGUAGE_COUNTRY
                and country_of(hit.place_id) != LANGUAGE_COUNTRY[hit.lang]
            ):
                type_ = "exonym"
                hit = hit._replace(type=type_)
            evidence = weights.get((hit.rule, type_))
            if evidence is None:
                evidence = self._evidence(hit, as_of)
            current = best.get(hit.place_id)
            if current is None or evidence > current[0]:
                best[hit.place_id] = (evidence, hit)
        # Qualifiers agreed with, per place: a place that meets fewer of them than the best
        # one does is a namesake elsewhere (Bohdanivka in the oblast but not the raion).
        agreed = (
            {
                place_id: sum(bool(self._ancestors(place_id) & q) for q in qualifiers)
                for place_id in best
            }
            if qualifiers
            else {}
        )
        most_agreed = max(agreed.values(), default=0)
        rows = self._rows
        scored: list[_Scored] = []
        for place_id, (evidence, hit) in best.items():
            row = rows.get(place_id)
            if row is not None:  # the fields of _facts, read in place
                kind, country, lat, lon = row[1], row[2], row[8], row[9]
                population, katottg, geonames_id = row[11], row[13], row[12]
            else:
                kind, country, lat, lon, population, katottg, geonames_id = self._facts(place_id)
            if countries is not None and country not in countries:
                continue
            if within is not None and not (self._ancestors(place_id) & within):
                continue
            factor = 1.0
            if kinds is not None and kind not in kinds:
                factor *= w.type_word_mismatch  # с. Нью-Йорк is no city
            qualifier = None
            if qualifiers:
                qualifier = agreed[place_id] / len(qualifiers)
                factor *= w.qualifier_factor ** (len(qualifiers) - agreed[place_id])
                if agreed[place_id] < most_agreed:
                    factor *= w.fewer_qualifiers_factor
            km = None
            if near is not None and lat is not None and lon is not None:
                from geopy.distance import great_circle

                km = great_circle(near, (lat, lon)).km
                closeness = 1.0 / (1.0 + km / w.near_scale_km)
                factor *= closeness
            document = context is not None and bool(self._ancestors(place_id) & context)
            if document:
                factor *= w.document_factor  # the document (or caller) is about this region
            prior = _importance(w, population, kind, katottg, geonames_id)
            weight = prior * factor * math.exp(w.evidence_sharpness * (evidence - 1.0))
            if hit.rule == "fuzzy" and country in FUZZY_COUNTRIES:
                # A typo is read as a slip in a home place's name first (Tarakanv is the
                # village Tarakaniv, not Tarakan): on the share only, not the evidence.
                weight *= w.home_typo_bias
            scored.append(
                _Scored(weight, evidence, place_id, population, hit, qualifier, km, document)
            )
        if not scored:
            return [], max((e for e, _ in best.values()), default=0.0)
        total = sum(s.weight for s in scored)
        top_evidence = max(s.evidence for s in scored)
        ranked: list[tuple[float, int, str, float, _Scored]] = []
        for entry in scored:
            share = entry.weight / total if total else 0.0
            support, context_factor = _factors(w, share, entry.qualifier)
            score = entry.evidence * support * context_factor
            # Place ids are unique: the tuples never compare beyond the third field.
            ranked.append((-score, -(entry.population or 0), entry.place_id, share, entry))
        # Only the matches asked for become Match objects (a name may have 100 namesakes).
        return [
            Match(
                place=self._place(place_id),
                score=-negative_score,
                matched_name=entry.hit.name,
                match_type=entry.hit.type,
                rule=entry.hit.rule,
                matched_lang=entry.hit.lang,
                score_parts=entry.parts(w, share),
            )
            for negative_score, _, place_id, share, entry in heapq.nsmallest(limit, ranked)
        ], top_evidence

    def _home_name(self, hit: _Hit) -> bool:
        """Whether a hit's name, of any type, is as good as a place's own: a name of a
        Ukrainian or Russian place (the sources' alternates there are real spellings, and
        a user's added name is one) or of a place the user added. Only GeoNames' stray
        alternates of world places are not."""
        return hit.place_id.startswith("local:") or self._country(hit.place_id) in FUZZY_COUNTRIES

    def _rank_with_context(self, hits: list[_Hit], context: frozenset[str]) -> list[Match]:
        """Rank hits with a document's regions as a soft qualifier (for extraction)."""
        matches, _ = self._rank(
            hits,
            as_of=None,
            qualifiers=[],
            within=None,
            countries=None,
            near=None,
            limit=5,
            context=context,
        )
        return matches

    # -- qualifiers --------------------------------------------------------------------------
    def _region_ids(self, text: str) -> frozenset[str]:
        """The places a qualifier may mean (regions first; a city stands for its region;
        a neighbourhood, *near Bakhmut*, the settlements around the place)."""
        centre = near_place(text)
        if centre is not None:
            around = self._near_ids(centre)
            if around:
                return around
        cleaned = strip_type_prefix(text)
        hits = self._hits_for(cleaned)
        if not hits:
            hits = self._variant_hits(cleaned)
        if hits and all(h.rule in OTHER_SPELLINGS for h in hits):
            # Only another spelling meets a region (Мар'їнський район ~ Russia's Мариинский
            # район): a pre-2020 raion read by its centre's name is the closer reading.
            old = self._old_raion_ids(text)
            if old:
                return old
        ids: set[str] = set()
        for hit in hits:
            place = self._place(hit.place_id)
            if place.kind in REGION_KINDS:
                ids.add(place.id)
            elif place.kind == "city":
                ids.add(place.id)
                if place.admin1_id:
                    ids.add(place.admin1_id)
        return frozenset(ids) or self._old_raion_ids(text) or self._region_head_ids(text)

    def _region_head_ids(self, text: str) -> frozenset[str]:
        """A qualifier that no name spells as written, less its region words: *Kherson Obl.*
        and *Kharkiv reg.* are read as *Kherson* and *Kharkiv* (the city stands for its
        oblast; see :meth:`_region_ids`)."""
        words = text.split(" ")
        while len(words) > 1 and _is_region_word(words[-1]):
            words.pop()
        head = " ".join(words)
        if head == text or not head:
            return frozenset()
        return self._region_ids(head)

    def _near_ids(self, name: str) -> frozenset[str]:
        """The settlements within :data:`OLD_RAION_RADIUS_KM` of the Ukrainian or Russian
        town or village ``name`` (as written, or a case form: *під Бахмутом*), the most
        important of its namesakes (those within a third of the largest's prior)."""
        hits = self._hits_for(name) or self._variant_hits(name)
        places = {
            h.place_id
            for h in hits
            if self._country(h.place_id) in FUZZY_COUNTRIES
            and self._facts(h.place_id).kind not in REGION_KINDS
        }
        ids: set[str] = set()
        for place_id in self._largest(places):
            ids |= self._around(place_id)
        return frozenset(ids)

    def _largest(self, places: set[str]) -> set[str]:
        """The places of ``places`` within a third of the largest one's prior: the one a
        name means, with its namesakes of like size (which all count)."""
        weight = {
            place_id: _importance(self._weights, f.population, f.kind, f.katottg, f.geonames_id)
            for place_id, f in ((place_id, self._facts(place_id)) for place_id in places)
        }
        top = max(weight.values(), default=0.0)
        return {place_id for place_id, w in weight.items() if w >= top / 3}

    def _old_raion_ids(self, text: str) -> frozenset[str]:
        """A raion no longer in the codifier, named after its centre as the 490 raions
        before 2020 were (*Мар'їнський район*, *Yasynuvata district*): the places within
        :data:`OLD_RAION_RADIUS_KM` of that centre. Their villages now lie in several new
        raions, so the new raion of the centre would miss many (Очеретине, once in the
        Yasynuvata raion, is now in the Pokrovsk one)."""
        ids: set[str] = set()
        for stem in old_raion_centre_stems(text):
            for centre in self._centres(stem):
                ids |= self._around(centre)
        return frozenset(ids)

    def _centres(self, stem: str) -> set[str]:
        """The Ukrainian towns a raion named by ``stem`` had as its centre: their name is
        ``stem`` or starts with it and has at most a few letters more (the adjective's
        stem: Мар'їн → Мар'їнка)."""
        try:
            key = exact_key(stem)
        except InvalidInputError:
            return set()
        snapshot = self._hits_snapshot()
        if snapshot is not None:
            keys = [k[1:] for k in snapshot.keys("x" + key)]
        else:
            keys = [
                row[0]
                for row in self._conn.execute(
                    "SELECT DISTINCT key FROM name_keys WHERE kind = 'x' AND key >= ? AND key < ?",
                    (key, key + "\U0010ffff"),
                )
            ]
        pairs = [(k, "x") for k in keys if len(k) - len(key) <= 4]
        towns = {
            hit.place_id
            for hits in self._key_hits(pairs)
            for hit in hits
            if self._facts(hit.place_id).kind in CENTRE_KINDS
            and self._country(hit.place_id) == "UA"
        }
        # A raion was named after the largest town of that stem (Мар'їн: Мар'їнка, a town,
        # not Мар'їне, a settlement elsewhere); namesakes of like size all count.
        return self._largest(towns)

    def _around(self, centre: str) -> frozenset[str]:
        """The settlements within :data:`OLD_RAION_RADIUS_KM` of a place (memoised)."""
        cached = self._nearby.get(centre)
        if cached is not None:
            return cached
        if not self._preloaded:
            self._preload()
        facts = self._facts(centre)
        found = {centre}
        if facts.lat is not None and facts.lon is not None:
            scale = math.cos(math.radians(facts.lat))
            limit = (OLD_RAION_RADIUS_KM / 111.2) ** 2
            found.update(
                place_id
                for place_id, row in self._rows.items()
                if row[2] == "UA"
                and row[1] not in REGION_KINDS  # a unit's centroid would let in all of it
                and row[8] is not None
                and row[9] is not None
                and (row[8] - facts.lat) ** 2 + ((row[9] - facts.lon) * scale) ** 2 <= limit
            )
        result = frozenset(found)
        self._nearby[centre] = result
        return result

    def _region_tail(self, words: list[str]) -> tuple[str, list[frozenset[str]]] | None:
        """Regions glued to the end of a name: ``Миколаївка Донецької області``; also a
        raion and its oblast (``Новомихайловка Покровского района Донецкой области``): the
        name and the places each region may mean, innermost last.

        The last tail must hold a region word (область, обл., oblast, raion …) or be, by
        itself, the name of an oblast or raion; a city at the end is not taken as a
        qualifier, or *Нової Каховки* would read as a Нова near Kakhovka. A tail before it
        must hold a region word.
        """
        found = self._one_region_tail(words, need_word=False)
        if found is None:
            return None
        base, region = found
        regions = [region]
        while " " in base:
            inner = self._one_region_tail(base.split(" "), need_word=True)
            if inner is None:
                break
            base, region = inner
            regions.append(region)
        return base, regions

    def _one_region_tail(
        self, words: list[str], *, need_word: bool
    ) -> tuple[str, frozenset[str]] | None:
        """The last region glued to ``words`` (see :meth:`_region_tail`): the words before
        it and the places it may mean. ``need_word``: only a tail with a region word."""
        for cut in range(len(words) - 1, 0, -1):
            tail_words = words[cut:]
            has_region_word = any(_is_region_word(w) for w in tail_words)
            if not has_region_word and (len(tail_words) > 1 or need_word):
                continue  # such a tail would not be taken: spare its look-ups
            tail = strip_type_prefix(" ".join(tail_words))
            # A bare word is taken as a region only by its own spelling or case form
            # (Донеччини), not by a transliteration guess (a costly one, for any word).
            hits = self._hits_for(tail) or self._variant_hits(tail, transliterate=has_region_word)
            allowed = {"oblast", "raion", "hromada"} | ({"city"} if has_region_word else set())
            regions = frozenset(h.place_id for h in hits if self._place(h.place_id).kind in allowed)
            if regions and (has_region_word or len(tail_words) == 1):
                return " ".join(words[:cut]), regions
        return None

    # -- public API ---------------------------------------------------------------------------
    def resolve(
        self,
        name: str,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> list[Match]:
        """The places ``name`` may mean, best first; empty when nothing is credible.

        Args:
            name: The name as written: any script, transliteration, case form, with or
                without a qualifier ("Kirovsk (Luhansk region)", "Миколаївка Донецької
                області"); at most 300 characters.
            limit: How many matches to return, at most (1 or more).
            country: Only places of these ISO 3166-1 alpha-2 countries: ``"UA"``,
                ``"UA,RU"`` or a list of codes.
            within: Only places inside this region: a name ("Kherson Oblast",
                "Херсонщина") or a place id.
            near: Prefer places near this point: ``"LAT,LON"`` or a ``(lat, lon)`` pair.
            as_of: Prefer names valid on this date (``YYYY``, ``YYYY-MM``,
                ``YYYY-MM-DD`` or a :class:`datetime.date`): a renamed place is found by
                the name it had then.
            min_score: Drop matches scoring below this (0..1).

        Returns:
            A list of :class:`~toponyms.models.Match`, best first, each with its place,
            score, the matched name, its type and the rule that matched.

        Raises:
            InvalidInputError: A name that is not text, too long or empty; a bad
                ``limit``, country code or an unknown ``within`` region.
            InvalidCoordinatesError: ``near`` is not a point or out of range.
            InvalidDateError: ``as_of`` is not a date.
        """
        return list(
            self.resolve_one(
                name,
                limit=limit,
                country=country,
                within=within,
                near=near,
                as_of=as_of,
                min_score=min_score,
            ).matches
        )

    def resolve_one(
        self,
        name: str,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> Resolution:
        """Like :meth:`resolve`, with the ``ambiguous`` flag (the CLI's JSON object).

        Args:
            name: The name as written (see :meth:`resolve`).
            limit: How many matches to keep, at most.
            country: Only these countries (``"UA,RU"`` or a list of codes).
            within: Only inside this region (a name or a place id).
            near: Prefer places near ``"LAT,LON"`` or a ``(lat, lon)`` pair.
            as_of: Prefer names valid on this date.
            min_score: Drop matches scoring below this.

        Returns:
            A :class:`Resolution`: ``query``, ``matches`` (best first), ``ambiguous``
            (true when two places are about equally likely), ``error`` (always ``None``
            here: errors raise).

        Raises:
            InvalidInputError: As :meth:`resolve`.
        """
        options = _Options.of(limit, country, within, near, as_of, min_score)
        with self.lock:
            self._fresh()
            self._check_options(options)
            return self._answer(name, options)

    def explain(
        self,
        name: str,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> Explanation:
        """Resolve ``name`` as :meth:`resolve_one` does and say why: the query as it was
        read, then each stage that ran (its candidates and the ranking after it, with
        score parts), then the answer. The keywords are :meth:`resolve`'s."""
        options = _Options.of(limit, country, within, near, as_of, min_score)
        with self.lock:
            self._fresh()
            self._check_options(options)
            if not isinstance(name, str):
                raise InvalidInputError(f"a name must be text, not {type(name).__name__}")
            self._trace = []
            try:
                self._keys.clear()
                self._fuzzy_cached.cache_clear()
                resolution = self._resolve_uncached(name, options)
                stages = tuple(self._trace)
            finally:
                self._trace = None
        return Explanation(query=name, stages=stages, resolution=resolution)

    def _note(
        self,
        stage: str,
        note: str = "",
        *,
        hits: Iterable[_Hit] = (),
        matches: Iterable[Match] = (),
        evidence: float | None = None,
        kept: bool = True,
    ) -> None:
        """Record a stage for :meth:`explain` (nothing when no explanation is asked for)."""
        if self._trace is None:
            return
        candidates = []
        for hit in list(dict.fromkeys(hits))[:EXPLAIN_CANDIDATES]:
            candidates.append(
                {
                    "id": hit.place_id,
                    "name": hit.name,
                    "match_type": hit.type,
                    "lang": hit.lang,
                    "rule": hit.rule,
                    "similarity": round(hit.similarity, 4),
                }
            )
        ranked = [
            {
                "id": m.place.id,
                "name": m.place.name,
                "admin1": m.place.admin1,
                "score": round(m.score, 4),
                "matched_name": m.matched_name,
                "rule": m.rule,
                "score_parts": {k: round(v, 4) for k, v in m.score_parts},
            }
            for m in matches
        ]
        self._trace.append(Stage(stage, note, tuple(candidates), tuple(ranked), evidence, kept))

    def _answer(self, name: str, options: _Options) -> Resolution:
        """:meth:`resolve_one` without the check for other connections' edits."""
        if not isinstance(name, str):
            raise InvalidInputError(f"a name must be text, not {type(name).__name__}")
        if options.limit < 1:
            raise InvalidInputError(f"limit must be at least 1, not {options.limit}")
        cached = self._results.get((name, options))
        if cached is not None:
            return cached
        self._answered += 1
        if self._answered == PRELOAD_AFTER and not self._preloaded:
            self._preload()
        if self._hits_snapshot() is not None:
            # Keys seldom recur from one query to the next (3 % of a stream's look-ups do)
            # and the snapshot answers one in a few microseconds: its hits are kept for
            # one query only, so that no stream-long cache of them grows for the garbage
            # collector to walk at each full collection.
            self._keys.clear()
        # Nor does a text's typo search serve another query (3 of the mix's 4,809 did).
        self._fuzzy_cached.cache_clear()
        result = self._resolve_uncached(name, options)
        if len(self._results) >= RESULT_CACHE_SIZE:
            self._results.clear()
        self._results[name, options] = result
        return result

    def _resolve_uncached(self, name: str, options: _Options) -> Resolution:
        text = clean(name, max_length=300)
        limit, min_score = options.limit, options.min_score
        countries = _countries(options.country)
        within_ids = self._within(options.within)
        point = parse_point(options.near)
        when = parse_date(options.as_of)
        query = split(text)
        if query.bare is not None and not self._hits_for(query.name) and self._hits_for(query.bare):
            # "Ivanivka village", "Bakhmut city": the type word is not part of the name (it
            # is in Cape Town, some place's name as written, and in Moel Town, a typo of
            # one, whose first word alone is no name).
            query = dataclasses.replace(query, name=query.bare)
        qualifiers = [self._region_ids(q) for q in query.qualifiers]
        qualifiers = [q for q in qualifiers if q]
        self._note(
            "query",
            f"name {query.name!r}; qualifiers {list(query.qualifiers)}"
            f" ({len(qualifiers)} known regions); kinds"
            f" {sorted(query.kinds) if query.kinds else 'any'};"
            f" after a preposition: {query.after_preposition}",
        )
        # A person's name or a common word (Zelensky, Putin) is no place by resemblance:
        # only a real name of a place (Kirov, Zhdanov the old Mariupol) may answer it.

        def non_place() -> bool:
            # Asked only on the slower paths: the dictionary look-up of a Latin word
            # transliterates it first.
            return not qualifiers and (
                lexicon.is_non_place(query.name) or lexicon.dictionary_class(query.name) is not None
            )

        # A person's, organisation's or weapon's name that no place of note bears
        # (Syrskyi, Yermak, Shahed) answers only as a well-known place's official name.
        strict = not qualifiers and lexicon.is_strict_non_place(query.name)
        hits = self._hits_for(query.name, romanizations=True)
        if strict:
            hits = [h for h in hits if self._well_known(h)]
        ranked = dict(
            as_of=when,
            countries=countries,
            within=within_ids,
            near=point,
            limit=limit,
            kinds=query.kinds,
        )
        matches, evidence = self._rank(hits, qualifiers=qualifiers, **ranked)  # type: ignore[arg-type]
        self._note(
            "names",
            "the text's exact and invariant keys"
            + ("; a person's or organisation's name: only well-known places" if strict else ""),
            hits=hits,
            matches=matches,
            evidence=evidence,
        )
        # The hits behind the current matches (None when a region tail re-qualified them).
        pool: list[_Hit] | None = hits
        small = bool(matches) and self._prior(matches[0].place) < 5_000
        unqualified = bool(qualifiers) and not any(
            dict(m.score_parts).get("qualifier") == 1.0 for m in matches
        )
        if (
            not matches
            or evidence < 0.99
            or unqualified  # the qualifier rules out every exact namesake: try other spellings
            or (
                script_of(query.name) == "Cyrl"
                and (query.after_preposition or (small and _may_be_inflected(query.name)))
            )
        ):
            # Not exactly an official name (or only a village's, which a case form of a
            # city's name may be, surely so after a preposition: Львове is a village, во
            # Львове is Lviv): an inflected form, the other language's spelling, or a
            # transliteration may fit better (Лимані is Lyman, not Lymany).
            # Latin text that is already some place's name needs no Cyrillic guesses
            # (the costliest step). A Latin name one slip away from a place's own name is
            # a typo of that name, not a spelling in another system: the typo search
            # (cheaper) then spares the Cyrillic guesses.
            transliterate = evidence < 0.95 and not (
                script_of(query.name) == "Latn" and self._close_typo(query.name)
            )
            variant_hits = self._variant_hits(query.name, transliterate=transliterate)
            if variant_hits and non_place():
                # Only a well-known place may answer a person's name or a common word by
                # another spelling (Хмельницкий, the city; not Буданов, the village Буданів).
                variant_hits = [
                    h
                    for h in variant_hits
                    if (h.rule == "inflection" and not strict)
                    or (self._facts(h.place_id).population or 0) >= WELL_KNOWN
                ]
            if variant_hits:
                extra, extra_evidence = self._rank(
                    [*hits, *variant_hits],
                    qualifiers=qualifiers,
                    **ranked,  # type: ignore[arg-type]
                )
                kept = extra_evidence >= evidence
                self._note(
                    "variants",
                    "case forms, uk/ru counterparts, transliterations (forms index first)",
                    hits=variant_hits,
                    matches=extra,
                    evidence=extra_evidence,
                    kept=kept,
                )
                if kept:
                    matches, evidence = extra, extra_evidence
                    pool = [*hits, *variant_hits]
            else:
                self._note("variants", "no case form, counterpart or transliteration met a name")
        # A region glued to the name; with other qualifiers too, when nothing matched
        # (Миколаївка Донецької обл., Слов'янський р-н).
        if (not matches or (evidence < 0.9 and not qualifiers)) and " " in query.name:
            tail = self._region_tail(query.name.split(" "))
            if tail is not None:
                base, regions = tail
                tail_hits = self._hits_for(base) + self._variant_hits(base)
                tail_matches, tail_evidence = self._rank(
                    tail_hits,
                    qualifiers=[*qualifiers, *regions],
                    **ranked,  # type: ignore[arg-type]
                )
                kept = bool(tail_matches) and tail_evidence >= evidence
                self._note(
                    "region_tail",
                    f"a region glued to the name: {base!r} within it",
                    hits=tail_hits,
                    matches=tail_matches,
                    evidence=tail_evidence,
                    kept=kept,
                )
                if kept:
                    matches, evidence = tail_matches, tail_evidence
                    pool = None
        # A word in lower case is more likely a common word than a misspelt name (вчора,
        # domani): no typo search for it.
        proper = not query.name.islower()
        # The best reading is only another spelling's coincidence (see _direct_reading): a
        # slip in a home place's own name may read the text better.
        guessed = (
            pool is not None
            and bool(matches)
            and evidence < 0.99
            and matches[0].rule in GUESS_RULES
            and not _direct_reading(query.name, matches[0])
        )
        weak = not matches or evidence < 0.9
        if (weak or guessed) and proper and not non_place():
            fuzzy = self._fuzzy_cached(query.name)
            slips = self._home_slips(query.name, fuzzy) if guessed else []
            if guessed and not slips and script_of(query.name) == "Cyrl":
                # No name lies one slip from the text itself: one of its case forms may.
                slips = self._home_slips(query.name, self._case_form_typos(query.name))
            if slips and pool is not None:
                matches, evidence = self._rank(
                    [*pool, *slips],
                    qualifiers=qualifiers,
                    **ranked,  # type: ignore[arg-type]
                )
            if slips and pool is not None:
                self._note(
                    "slips",
                    "the best reading was a guess: one-slip readings of home names compete",
                    hits=slips,
                    matches=matches,
                    evidence=evidence,
                )
            if weak:
                before = evidence
                matches, evidence = self._typo_search(
                    query.name,
                    hits,
                    fuzzy,
                    matches,
                    evidence,
                    qualifiers,
                    ranked,
                    declined=query.after_preposition,
                )
                self._note(
                    "typos",
                    "names about one typo away (also in a case form)",
                    hits=fuzzy,
                    matches=matches,
                    evidence=evidence,
                    kept=evidence > before,
                )
        if evidence < self._weights.min_evidence:
            matches = []
        if query.raion_only:
            matches = [m for m in matches if m.place.kind == "raion"]
        matches = [m for m in matches if m.score >= min_score]
        ratio = self._weights.ambiguity_ratio
        ambiguous = len(matches) > 1 and matches[1].score >= ratio * matches[0].score
        self._note(
            "answer",
            f"no match below evidence {self._weights.min_evidence}; ambiguous when the"
            f" runner-up scores {ratio:.0%} of the best or more",
            matches=matches,
            evidence=evidence,
        )
        return Resolution(query=name, matches=tuple(matches), ambiguous=ambiguous)

    def _typo_search(
        self,
        text: str,
        hits: list[_Hit],
        fuzzy: list[_Hit],
        matches: list[Match],
        evidence: float,
        qualifiers: list[frozenset[str]],
        ranked: dict[str, Any],
        *,
        declined: bool = False,
    ) -> tuple[list[Match], float]:
        """The typo search's matches (``fuzzy``: the plain search's hits for ``text``; a
        slip in a case form is looked for when none is one edit away), when their evidence
        beats the current ``matches``'.

        ``declined``: the text follows a preposition, so it is most likely a case form: a
        slip in one is looked for even when a name lies one edit away, and the two
        readings compete (*з Грбеінки* is one slip from the village Гребінки and from
        Гребінки, the genitive of the town Гребінка)."""
        if declined or not self._one_edit(text, fuzzy):
            # No name lies one slip from the text as written: it may be a case form
            # with a slip in it (Маріупюлі), Cyrillic, or Polish (z Pokrowskma),
            # whose nominative guesses' neighbours are looked for.
            inflected = self._case_form_typos(text)
            for form in [] if inflected else _lemma_forms(text)[:2]:
                inflected = [
                    h._replace(similarity=h.similarity * CASE_TYPO_WEIGHT)
                    for h in self._fuzzy_cached(form)
                ]
                if inflected:
                    break
            fuzzy = [*fuzzy, *inflected]
        fuzzy = self._sole_slip(text, fuzzy)
        if fuzzy:
            extra, extra_evidence = self._rank(
                [*hits, *fuzzy],
                qualifiers=qualifiers,
                **ranked,
            )
            if extra_evidence > evidence:
                matches, evidence = extra, extra_evidence
        return matches, evidence

    def resolve_many(
        self,
        names: Iterable[str],
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> Iterator[Resolution]:
        """Resolve a stream lazily, in input order; a bad line yields a ``Resolution`` with
        ``error`` set and the stream goes on. Memory stays constant however long the stream.

        Lines of a file can be passed as they are: a line end is stripped, and a blank
        line, or ``None`` (a missing value in a column), is a row without matches (its
        ``query`` is the text, ``""`` for ``None``), not an error. The options are
        checked once, before the first name: a bad ``country`` or ``within`` raises
        :class:`InvalidInputError` at the first ``next()``.

        Edits committed by another connection are looked for every
        :data:`FRESHNESS_INTERVAL` names (the check is a query of its own).

        Args:
            names: Any iterable of names (a list, a file's lines, a generator).
            limit: How many matches per name, at most.
            country: Only these countries (``"UA,RU"`` or a list of codes).
            within: Only inside this region (a name or a place id).
            near: Prefer places near ``"LAT,LON"`` or a ``(lat, lon)`` pair.
            as_of: Prefer names valid on this date.
            min_score: Drop matches scoring below this.

        Yields:
            One :class:`Resolution` per name, in order.

        Raises:
            InvalidInputError: A bad country, ``within``, ``near`` or ``as_of``, raised
                once at the first ``next()``, before any name (see :meth:`check_options`).
        """
        options = _Options.of(limit, country, within, near, as_of, min_score)
        with self.lock:
            self._check_options(options)
        for number, name in enumerate(names):
            if name is None:
                yield Resolution(query="", matches=(), ambiguous=False)
                continue
            if isinstance(name, str):
                name = name.rstrip("\r\n")
                if _blank(name):
                    yield Resolution(query=name, matches=(), ambiguous=False)
                    continue
            try:
                with self.lock:
                    if number % FRESHNESS_INTERVAL == 0:
                        self._fresh()
                    result = self._answer(name, options)
                yield result
            except InvalidInputError as error:
                if isinstance(error, (InvalidCoordinatesError, InvalidDateError)):
                    raise
                yield Resolution(
                    query=name if isinstance(name, str) else repr(name),
                    matches=(),
                    ambiguous=False,
                    error=str(error),
                )

    def _within(self, within: str | None) -> frozenset[str] | None:
        if within is None:
            return None
        if within.startswith(PLACE_ID_PREFIXES):
            return frozenset({self._place(within).id})
        ids = self._region_ids(clean(within))
        if not ids:
            raise InvalidInputError(f"--within: no region called {within!r}")
        return ids

    def extract(
        self, text: str, *, lang: str | None = None, min_score: float = 0.5
    ) -> list[Mention]:
        """Every place mention in ``text``, resolved (see :mod:`toponyms.extract`).

        Args:
            text: The text, up to :data:`toponyms.extract.MAX_TEXT_CHARS` characters.
            lang: Its language (``en``, ``uk``, ``ru``, ``pl``, ``de``, ``fr``, ``es``,
                ``it``); ``None`` guesses it.
            min_score: Drop mentions whose match scores below this (0..1).

        Returns:
            A list of :class:`~toponyms.models.Mention` in text order: the span
            (``start``, ``end``, ``text``) and the :class:`~toponyms.models.Match`.

        Raises:
            InvalidInputError: The text is not a string or too long.
        """
        from toponyms.extract import extract

        return extract(self, text, lang=lang, min_score=min_score)

    def extract_many(
        self,
        docs: Iterable[tuple[str, str]],
        *,
        lang: str | None = None,
        min_score: float = 0.5,
    ) -> Iterator[tuple[str, list[Mention] | InvalidInputError]]:
        """``(id, text)`` pairs → ``(id, mentions)`` lazily, in order; a document that
        cannot be read yields its :class:`InvalidInputError` and the stream goes on.

        Args:
            docs: An iterable of ``(id, text)`` pairs.
            lang: The documents' language; ``None`` guesses it for each.
            min_score: Drop mentions whose match scores below this.

        Yields:
            ``(id, mentions)``, or ``(id, error)`` for a document that cannot be read.
        """
        from toponyms.extract import extract_many

        return extract_many(self, docs, lang=lang, min_score=min_score)


def _factors(weights: Weights, share: float, qualifier: float | None) -> tuple[float, float]:
    """A match's ``support`` and ``context`` factors: the score is ``evidence × support ×
    context`` (see :mod:`toponyms.scoring`)."""
    floor = weights.support_floor
    support = floor + (1.0 - floor) * share
    context = 1.0 if qualifier is None or qualifier == 1.0 else weights.qualifier_miss
    return support, context


def _reopen(db: str | None, weights: Weights | None) -> Resolver:
    """A pickled resolver, opened again (see :meth:`Resolver.__reduce__`)."""
    return Resolver(db=db, weights=weights)


def _blank(text: str) -> bool:
    """Whether a line holds nothing but white space and invisible characters."""
    return not text.strip().strip("\u200b\u200c\u200d\u2060\ufeff")


def _lemma_forms(text: str) -> list[str]:
    """Nominative candidates of a Cyrillic or Polish case form, the text itself excluded."""
    script = script_of(text)
    if script == "Cyrl":
        from toponyms.text import morph

        try:
            forms = morph.lemma_candidates(text)
        except InvalidInputError:
            return []
    elif script == "Latn":
        forms = latin_lemmas(text)
    else:
        return []
    own = exact_key(text)
    return [f for f in forms if exact_key(f) != own]


def _direct_reading(text: str, match: Match) -> bool:
    """Whether a match by another spelling reads the text as written, rather than by a
    coincidence (a foreign town's name or a stray alternate under the folded key; a
    counterpart of a Cyrillic guess: Sievrsk ~ Svirsk):

    - under the folded key, a Ukrainian or Russian place's own name (Kharkow: Kharkiv), or
      any name that differs from the text by diacritics only (Chia: Chía);
    - a nominative guess (``inflection``) met letter for letter (Херсоні: Херсон), or under
      its folded key as above; not a foreign name or a stray alternate that a guess met
      only through the folded key (Kiuiya: Qiuji, though Kiliya is one slip away);
    - the text's own transliteration (one of its first Cyrillic guesses), or the uk ↔ ru
      counterpart of the text or of its nominative (Корчова: Корчів), letter for letter.
    """
    from toponyms.text import morph, ukru
    from toponyms.text.translit import cyrillize

    if match.rule == "invariant":
        return _folded_reading(text, match)
    if match.rule == "inflection":
        lemmas = _lemma_forms(text)
        name = exact_key(match.matched_name)
        return any(exact_key(f) == name or _folded_reading(f, match) for f in lemmas)
    if match.rule == "translit":
        forms = [f for lang in ("ru", "uk") for f in cyrillize(text, lang)[:3]]
    elif match.rule == "uk_ru":
        try:
            lemmas = morph.lemma_candidates(text)[:3]
        except InvalidInputError:
            lemmas = []
        forms = [c for form in [text, *lemmas] for c in ukru.counterparts(form)]
    else:
        return False
    return exact_key(match.matched_name) in {exact_key(f) for f in forms}


def _folded_reading(text: str, match: Match) -> bool:
    """Whether a match met under the folded key of ``text`` (the text or one of its
    nominative guesses) reads it: a Ukrainian or Russian place's own name that the text
    spells (Kharkow: Kharkiv; see :func:`_spells`), or a name that differs from it by
    diacritics only (Chia: Chía)."""
    own = (
        match.match_type in STRONG_TYPES
        and match.place.country in FUZZY_COUNTRIES
        and _spells(text, match)
    )
    return own or _plain(match.matched_name) == _plain(text)


def _is_region_word(word: str) -> bool:
    """Whether a word of a qualifier is a region or raion word or its abbreviation
    (області, обл., oblast, Obl., р-н), a comma after it aside."""
    _, region_words = type_words()
    folded = word.casefold()
    return folded.rstrip(",") in region_words or folded.strip(".,") in region_words


def _spells(text: str, match: Match) -> bool:
    """Whether ``text`` is within one edit of the match's name as written, of the place's
    Ukrainian or Russian name or, Latin text, of a romanisation of these (Kharkow: Kharkov;
    малинівка, a nominative guess, meets the English name Malynivka of Малинівка).

    The folded key forgets several letters at once (и і ы й, s z, ch h, doubled letters): a
    text it meets farther from every spelling of the name is a slip in another name that
    happens to fold alike (Kyzly, Kyzyl's slip, folds as Кислі; в Висічй, a slip in
    Висічі, as Вісичі), and must leave that name to compete (see :data:`GUESS_RULES`)."""
    written = exact_key(text)
    place = match.place
    names = [(n, lang) for n, lang in ((place.name_uk, "uk"), (place.name_ru, "ru")) if n]
    # The names as written first: the romanisations cost more to make.
    spellings = [exact_key(match.matched_name), *(exact_key(n) for n, _ in names)]
    if any(OSA.distance(written, s, score_cutoff=1) <= 1 for s in spellings):
        return True
    return script_of(text) == "Latn" and any(
        OSA.distance(written, s, score_cutoff=1) <= 1
        for n, lang in names
        for s in _romanized_keys(n, lang)
    )


def _plain(text: str) -> str:
    """The exact key of a text without its diacritics (Chía: chia)."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", exact_key(text)) if not unicodedata.combining(c)
    )


def _typo_similarity(
    written: str, key: str, script: str, name: str, candidate: str, limit: int
) -> float | None:
    """How close a query (``written``: its exact key; ``key``: its invariant key) is to a
    name met under the invariant or exact key ``candidate``; None beyond ``limit`` edits.

    The edit distance is counted on the text as written when both are in one script.
    Across scripts the evidence is weaker (the key folds much away): an edit there counts
    a quarter more, so short names need the same script. One edit in a short name says
    less than one edit in a long one.
    """
    distance: float
    if script_of(name) == script:
        folded = exact_key(name)
        distance = OSA.distance(written, folded, score_cutoff=limit + 1)
        length = max(len(written), len(folded))
    else:
        distance = OSA.distance(key, candidate, score_cutoff=limit + 1) * 1.25
        length = max(len(key), len(candidate))
    if distance > limit:
        return None
    return _slip_similarity(distance, length)


def _slip_similarity(distance: float, length: int) -> float:
    """The similarity of a text ``distance`` edits from a name of ``length`` letters: one
    edit in a short name says less than one edit in a long one."""
    return max(1.0 - distance / length * 1.6, 0.0)


def _snapshot_hits(snapshot: marisa_trie.BytesTrie, pair: tuple[str, str]) -> tuple[_Hit, ...]:
    """The hits under ``(key, kind)`` in the index snapshot, in name order (as the tables
    give them)."""
    rule = index.KIND_RULES[pair[1]]
    return tuple(
        _Hit(r[0], r[1], r[2], r[3], r[4] or None, r[5] or None, rule, 1.0)
        for r in _snapshot_fields(snapshot, pair)
    )


#: A name's fields as the index snapshot stores them: place, name, language, type, valid
#: from and valid to (the last two empty when unknown).
_Fields = list[str]


def _snapshot_fields(snapshot: marisa_trie.BytesTrie, pair: tuple[str, str]) -> list[_Fields]:
    """The names under ``(key, kind)`` in the index snapshot, in name order, as fields."""
    key, kind = pair
    value = snapshot.get(kind + key)
    if not value:
        return []
    field = index.FIELD_SEPARATOR
    return [
        record.split(field) for record in value[0].decode("utf-8").split(index.RECORD_SEPARATOR)
    ]


def _type_order(fields: _Fields) -> float:
    """Sort key of a snapshot name: stronger types first (see :func:`_strongest_first`)."""
    return -TYPE_WEIGHT.get(fields[3], 0.0)


@lru_cache(maxsize=20_000)
def _romanized_keys(name: str, lang: str) -> frozenset[str]:
    """The exact keys of ``name`` romanised in every system of ``lang`` (national,
    BGN/PCGN, ISO 9, scholarly, ALA-LC, German, Polish, French …)."""
    from toponyms.text.translit import romanizations

    keys = set()
    for romanized in romanizations(name, lang):
        with contextlib.suppress(InvalidInputError):
            keys.add(exact_key(romanized))
    return frozenset(keys)


def _padded(keys: list[str]) -> list[str]:
    """``keys`` padded with empty keys (which match nothing) to a power of two, so that a
    few statement shapes serve every batch (SQLite's statement cache keeps them)."""
    size = 1
    while size < len(keys):
        size *= 2
    return keys + [""] * (size - len(keys))


@lru_cache(maxsize=1)
def _case_endings() -> frozenset[str]:
    """The oblique endings of one to three letters in the declension table of
    :mod:`toponyms.text.morph` (``text/data/endings.tsv``)."""
    from toponyms.text import morph

    return frozenset(r.oblique for r in morph.load_rules() if 0 < len(r.oblique) <= 3)


def _probe_deletions(probes: Iterable[str]) -> tuple[set[str], set[str]]:
    """The case-form typo search's deletions of its probes (exact keys): of their invariant
    keys, and of the probes as written (see :meth:`Resolver._fuzzy_candidates`)."""
    loose: set[str] = set()
    strict: set[str] = set()
    for probe in probes:
        loose |= _two_deletions(invariant_key(probe))
        # A short name's slip and ending can both fall in the indexed prefix (у Києвкі):
        # its written form gets a second deletion too.
        strict |= _two_deletions(probe) if len(probe) <= SHORT_CASE_FORM else index.deletions(probe)
    return loose, strict


@lru_cache(maxsize=1)
def _adjective_endings() -> dict[str, frozenset[str]]:
    """Oblique adjective endings of the declension table (``text/data/endings.tsv``), each
    with the nominative endings it may stand for, in either language (ого: ий, ый, ое, е …)."""
    from toponyms.text import morph

    endings: dict[str, set[str]] = {}
    for rule in morph.load_rules():
        if rule.pos == "a" and rule.oblique:
            endings.setdefault(rule.oblique, set()).add(rule.nominative)
    return {oblique: frozenset(nominatives) for oblique, nominatives in endings.items()}


def _adjective_nominatives(word: str) -> set[str]:
    """``word`` (an exact key) with a final adjective case ending swapped for each nominative
    ending it may stand for, whatever the stem (a slip may have changed its last letter);
    at least three letters of stem are kept."""
    forms: set[str] = set()
    for oblique, nominatives in _adjective_endings().items():
        stem = word[: -len(oblique)]
        if word.endswith(oblique) and len(stem) >= 3:
            forms.update(stem + nominative for nominative in nominatives)
    forms.discard(word)
    return forms


def _stems(written: str) -> list[str]:
    """The text less a final case ending of one to three letters (at least three left)."""
    endings = _case_endings()
    return [written[:-k] for k in (1, 2, 3) if len(written) - k >= 3 and written[-k:] in endings]


@lru_cache(maxsize=50_000)
def _case_forms(name: str, lang: str) -> tuple[str, ...]:
    """Exact keys of a Cyrillic place name and its case forms (:func:`morph.inflections`),
    in its own language, or in both when the name's letters do not tell."""
    from toponyms.text import morph

    text = morph.normalize(name)
    if lang not in morph.LANGS:
        guessed = morph.guess_lang(text)
        langs: tuple[str, ...] = (guessed,) if guessed else morph.LANGS
    else:
        langs = (lang,)
    forms = {exact_key(name)}
    for one in langs:
        try:
            forms.update(exact_key(f) for f in morph.inflections(text, one))
        except InvalidInputError:
            continue
    return tuple(sorted(forms))


@lru_cache(maxsize=20_000)
def _strongest_first(hits: tuple[_Hit, ...]) -> tuple[_Hit, ...]:
    """``hits`` with a place's stronger name types first (official before exonym before
    alternate). The typo search keeps one hit per place and name: a name a place bears
    under several types (Irpin: English official, German exonym) must count as its
    strongest, or a slip in it may fall below the cut-off (Iprin). Memoised: the same
    key's hits come back for query after query."""
    return tuple(sorted(hits, key=lambda h: -TYPE_WEIGHT.get(h.type, 0.0)))


def _case_distance(written: str, stems: list[str], name: str, lang: str, limit: int) -> float:
    """Edits from the text (``written``: its exact key; ``stems``: it less a case ending)
    to the nearest case form of ``name``; more than ``limit`` when none is that near.

    The text's ending may be another valid one than the declension rules give the name
    (Фряновым, Фряновом): when no form is within one edit, the stems are compared too,
    and the swap of one ending for another costs :data:`ENDING_SWAP_COST`."""
    distance: float = min(
        OSA.distance(written, f, score_cutoff=limit + 1) for f in _case_forms(name, lang)
    )
    form_stems = _form_stems(name, lang) if distance > 1 and stems else frozenset()
    if form_stems:
        swapped = min(OSA.distance(s, f, score_cutoff=limit) for s in stems for f in form_stems)
        distance = min(distance, ENDING_SWAP_COST + swapped)
    return distance


@lru_cache(maxsize=50_000)
def _form_stems(name: str, lang: str) -> frozenset[str]:
    """The stems of a name's case forms (:func:`_case_forms` less a case ending)."""
    return frozenset(s for f in _case_forms(name, lang) for s in _stems(f) if len(s) >= SHORT_STEM)


def _world_famous(place: Place | _Facts) -> bool:
    """A country or one of the largest cities, whose every name the typo index holds."""
    return place.kind == "country" or (place.population or 0) >= index.WORLD_FUZZY_POPULATION


def _two_deletions(key: str) -> set[str]:
    """The prefix's one- and two-deletion neighbourhood (query side of the typo search):
    the prefix and every string made by deleting one or two of its letters, of at least
    ``FUZZY_MIN_LENGTH - 1`` letters (each made once, by the positions deleted, rather
    than as the deletions of each deletion)."""
    prefix = key[: index.PREFIX]
    size = len(prefix)
    shortest = index.FUZZY_MIN_LENGTH - 1
    result: set[str] = set()
    if size >= shortest:
        result.add(prefix)
    if size - 1 >= shortest:
        result.update(prefix[:i] + prefix[i + 1 :] for i in range(size))
    if size - 2 >= shortest:
        result.update(
            prefix[:i] + prefix[i + 1 : j] + prefix[j + 1 :]
            for i in range(size)
            for j in range(i + 1, size)
        )
    return result


@lru_cache(maxsize=1)
def _latin_endings() -> tuple[tuple[str, str], ...]:
    """(oblique ending, nominative ending) pairs of Latin-script languages, longest first."""
    from importlib import resources

    text = resources.files("toponyms.data").joinpath("latin_endings.tsv").read_text("utf-8")
    pairs = []
    for line in text.splitlines()[1:]:
        if line and not line.startswith(("#", "lang\t")):
            _, oblique, nominative, *_ = line.split("\t")
            pairs.append((oblique, nominative))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def latin_lemmas(text: str) -> list[str]:
    """Nominative candidates of a Polish (or Czech) case form: ``Charkowie`` → ``Charków``."""
    words = text.split(" ")
    last = words[-1]
    forms = []
    for oblique, nominative in _latin_endings():
        if last.endswith(oblique) and len(last) - len(oblique) >= 2:  # Lw|owie
            forms.append(" ".join([*words[:-1], last[: -len(oblique)] + nominative]))
    return forms[:8]


_OBLIQUE_ENDINGS = (
    "і",
    "у",
    "ю",
    "ом",
    "ем",
    "ах",
    "ях",
    "ою",
    "ею",
    "ої",
    "ій",
    "ого",
    "ому",
    "ей",
    "ой",
    "ам",
    "ям",
    "ами",
    "ями",
    "ок",
    "ів",
    "е",
    "ы",
    "и",
)


@lru_cache(maxsize=100_000)
def _may_be_inflected(text: str) -> bool:
    """Whether a Cyrillic name may be a case form (the dictionary is asked only when its
    ending is one that case forms have)."""
    from toponyms.text import morph

    if not text.casefold().endswith(_OBLIQUE_ENDINGS):
        return False
    try:
        return morph.is_inflected(text)
    except InvalidInputError:
        return False


def _countries(country: str | Iterable[str] | None) -> frozenset[str] | None:
    if country is None:
        return None
    codes = country.split(",") if isinstance(country, str) else list(country)
    result = frozenset(c.strip().upper() for c in codes if c.strip())
    for code in result:
        if len(code) != 2 or not code.isalpha():
            raise InvalidInputError(f"not an ISO country code: {code!r} (use e.g. UA,RU)")
    return result or None
