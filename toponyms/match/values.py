"""The plain values that pass between the stages of resolving, and the options' parsers.

A query's :class:`Options`, a :class:`Hit` (one name a stage met, with the rule that met
it), the answer (:class:`Resolution`) and the record of why (:class:`Stage`,
:class:`Explanation`); the name-type and country sets every stage reads. Nothing here
touches the gazetteer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from toponyms.errors import InvalidCoordinatesError, InvalidDateError, InvalidInputError
from toponyms.models import Match
from toponyms.text import keys as _keys
from toponyms.text import normalize as _normalize

# Names recur in every stream (and forms recur across one query's steps): the key
# functions are pure, so their answers are memoised (the exact key in its own module).
exact_key = _keys.exact_key
invariant_key = lru_cache(maxsize=200_000)(_keys.invariant_key)
script_of = lru_cache(maxsize=200_000)(_normalize.script_of)


WELL_KNOWN = 100_000  # population of a place that a person's name may still mean


# Rules that reach a name through another spelling of the text (a folded key, the other
# language's form, a Cyrillic guess for Latin text, a nominative guess under its folded
# key): a coincidence, not a reading of what was written (see direct_reading). When such
# a hit is the best one, a slip of one letter in a Ukrainian or Russian place's own name
# (or one of its case forms), in the text's script, is as good a reading and competes with
# it as evidence of this similarity (0.93 × 0.968 ≈ 0.9, the level of a guessed spelling):
# Віннция is Vinnytsia, not a Russian village by a uk ↔ ru guess.
GUESS_RULES = frozenset({"invariant", "inflection", "uk_ru", "translit"})


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


REGION_KINDS = frozenset({"country", "oblast", "raion", "hromada"})


CENTRE_KINDS = frozenset({"city", "urban_settlement", "settlement"})  # a raion's centre


class Options(NamedTuple):
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
    ) -> Options:
        """Options from the public keywords; a list or generator of countries or a list
        point becomes a tuple (read once, and hashable)."""
        codes = country if country is None or isinstance(country, str) else tuple(country)
        point = near if near is None or isinstance(near, str) else (near[0], near[1])
        return cls(limit, codes, within, point, as_of, min_score)


class Hit(NamedTuple):
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


def valid_at(hit: Hit, when: date) -> bool:
    start = parse_date(hit.valid_from) if hit.valid_from else None
    end = parse_date(hit.valid_to) if hit.valid_to else None
    return (start is None or start <= when) and (end is None or when < end)


def parse_countries(country: str | Iterable[str] | None) -> frozenset[str] | None:
    if country is None:
        return None
    codes = country.split(",") if isinstance(country, str) else list(country)
    result = frozenset(c.strip().upper() for c in codes if c.strip())
    for code in result:
        if len(code) != 2 or not code.isalpha():
            raise InvalidInputError(f"not an ISO country code: {code!r} (use e.g. UA,RU)")
    return result or None
