"""The immutable, typed results toponyms returns: places, matches and mentions.

Each result keeps its evidence next to the answer: which name matched, of what type and
language, by which rule, and the parts the score was made of, so that a user can see why
an answer was given and a pipeline can filter on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: How the query text met the matched name.
RULES = (
    "exact",  # same text after Unicode and case folding
    "invariant",  # same romanisation-invariant key (another transliteration system)
    "inflection",  # a case form of the name (Херсоні, Алешках)
    "uk_ru",  # the Ukrainian or Russian counterpart of the name (Николаев ↔ Миколаїв)
    "translit",  # the query transliterated into Cyrillic, then matched
    "fuzzy",  # typo or OCR noise, scored by edit similarity
)


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the gazetteer, with its canonical names and crosswalk ids."""

    id: str
    kind: str
    country: str
    name: str
    name_uk: str | None
    name_ru: str | None
    name_en: str | None
    admin1: str | None
    admin1_id: str | None
    parent_id: str | None
    lat: float | None
    lon: float | None
    precision: str | None
    population: int | None
    geonames_id: int | None
    katottg: str | None
    status: str = "active"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate answer for a query, best first in a result list."""

    place: Place
    score: float
    matched_name: str
    match_type: str  # the type of the matched name: official, historical, exonym, ...
    rule: str  # how the query met that name: one of RULES
    matched_lang: str
    score_parts: tuple[tuple[str, float], ...] = field(default=())

    @property
    def id(self) -> str:
        return self.place.id

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the command-line contract, plus the evidence fields."""
        p = self.place
        return {
            "id": p.id,
            "name": p.name,
            "name_uk": p.name_uk,
            "name_ru": p.name_ru,
            "name_en": p.name_en,
            "kind": p.kind,
            "country": p.country,
            "admin1": p.admin1,
            "lat": p.lat,
            "lon": p.lon,
            "precision": p.precision,
            "geonames_id": p.geonames_id,
            "katottg": p.katottg,
            "population": p.population,
            "score": round(self.score, 4),
            "match_type": self.match_type,
            "matched_name": self.matched_name,
            "matched_lang": self.matched_lang,
            "rule": self.rule,
            "score_parts": {k: round(v, 4) for k, v in self.score_parts},
        }


@dataclass(frozen=True, slots=True)
class Mention:
    """A place mention found in text: its span and the place it resolved to."""

    start: int
    end: int
    text: str
    match: Match

    def to_dict(self) -> dict[str, Any]:
        p = self.match.place
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "place_id": p.id,
            "name": p.name,
            "name_en": p.name_en,
            "kind": p.kind,
            "country": p.country,
            "admin1": p.admin1,
            "lat": p.lat,
            "lon": p.lon,
            "geonames_id": p.geonames_id,
            "katottg": p.katottg,
            "score": round(self.match.score, 4),
            "match_type": self.match.match_type,
            "matched_name": self.match.matched_name,
            "rule": self.match.rule,
        }
