"""The one scorer: ``score = evidence × support × context``.

- ``evidence = rule_weight[rule] × type_weight[type]`` (a typo: ``fuzzy_weight ×
  similarity``; a name not valid on ``as_of``: 0.85 for the type), the strength of the
  reading of the text;
- ``support = support_floor + (1 − support_floor) × share``, where ``share`` is the
  place's part of the candidates' total ``prior × factors × exp(evidence_sharpness ×
  (evidence − 1))``; the prior is :func:`importance`, the factors are the context's
  (qualifiers agreed with, a type word's kind, nearness to ``near``, the document's
  regions) and ``home_typo_bias`` for a typo of a home place;
- ``context = 1``, or ``qualifier_miss`` for a place outside some qualifier.

``Match.score_parts`` holds the three factors (and what went into them: ``share``,
``qualifier``, ``near_km``, ``document``); their product is the score. Every number is in
:class:`~toponyms.match.weights.Weights` (``toponyms/data/weights.json``), fitted by
``benchmarks/fit_weights.py`` on the development sets' train split.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from toponyms.match.lookup import Lookup
from toponyms.match.values import (
    FUZZY_COUNTRIES,
    LANGUAGE_COUNTRY,
    OTHER_SPELLINGS,
    OWN_TYPES,
    WELL_KNOWN,
    Hit,
    valid_at,
)
from toponyms.match.weights import Weights
from toponyms.models import Match, Place


def importance(
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


def factors(weights: Weights, share: float, qualifier: float | None) -> tuple[float, float]:
    """A match's ``support`` and ``context`` factors: the score is ``evidence × support ×
    context`` (see the module docstring)."""
    floor = weights.support_floor
    support = floor + (1.0 - floor) * share
    context = 1.0 if qualifier is None or qualifier == 1.0 else weights.qualifier_miss
    return support, context


class Scored(NamedTuple):
    """One place in :meth:`Resolver._rank`: its weight in the prior share, its evidence
    and best hit, and what the context said of it (kept apart until the place makes the
    cut: only then are they :attr:`Match.score_parts`)."""

    weight: float
    evidence: float
    place_id: str
    population: int | None
    hit: Hit
    qualifier: float | None  # the share of the qualifiers the place lies in
    km: float | None  # the distance from ``near``
    document: bool  # within the document's (or caller's) regions

    def parts(self, weights: Weights, share: float) -> tuple[tuple[str, float], ...]:
        """The score parts, sorted by name (``Match.score_parts``).

        Three of them are the factors of the score (:func:`score_of`):
        ``score = evidence × support × context``; the others say what went into them
        (``share``: the place's share of the prior weight; ``qualifier``, ``near_km``,
        ``document``: what the context said of it)."""
        support, context = factors(weights, share, self.qualifier)
        parts = {"evidence": self.evidence, "share": share, "support": support, "context": context}
        if self.qualifier is not None:
            parts["qualifier"] = self.qualifier
        if self.km is not None:
            parts["near_km"] = round(self.km, 1)
        if self.document:
            parts["document"] = 1.0
        return tuple(sorted(parts.items()))


class Scorer:
    """Ranks a stage's hits into matches by the formula of the module docstring."""

    def __init__(self, lookup: Lookup, weights: Weights) -> None:
        self.lookup = lookup
        self.weights = weights
        self.evidence_table = weights.evidence_table()

    def evidence(self, hit: Hit, as_of: date | None) -> float:
        w = self.weights
        weight = (
            w.rule_weight.get(hit.rule, 1.0)
            if hit.rule != "fuzzy"
            else w.fuzzy_weight * hit.similarity
        )
        type_weight = w.type_weight.get(hit.type, w.unknown_type_weight)
        if as_of is not None and (hit.valid_from or hit.valid_to):
            type_weight = 1.0 if valid_at(hit, as_of) else 0.85
        return weight * type_weight

    def prior(self, place: Place) -> float:
        """A place's importance (see :func:`importance`)."""
        return importance(
            self.weights, place.population, place.kind, place.katottg, place.geonames_id
        )

    def well_known(self, hit: Hit) -> bool:
        """Whether a hit is the official name (or exonym) of a city of note."""
        population = self.lookup.facts(hit.place_id).population or 0
        return hit.type in ("official", "exonym") and population >= WELL_KNOWN

    def rank(
        self,
        hits: Iterable[Hit],
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
            and (h.type in OWN_TYPES or self.home_name(h))
            and (not qualifiers or all(self.lookup.ancestors(h.place_id) & q for q in qualifiers))
        }
        if exact_places:
            # The text is exactly some place's name, current or former (and in the regions
            # the qualifiers name): another spelling's coincidence with a different place's
            # name (Uman ~ Umman, Oman; Dzerzhynsk, Toretsk's old name, ~ Dzerzhinsk in
            # Russia) is not evidence for that place.
            hits = [h for h in hits if h.rule not in OTHER_SPELLINGS or h.place_id in exact_places]
        best: dict[str, tuple[float, Hit]] = {}
        w = self.weights
        weights = self.evidence_table if as_of is None else {}
        country_of = self.lookup.country
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
                evidence = self.evidence(hit, as_of)
            current = best.get(hit.place_id)
            if current is None or evidence > current[0]:
                best[hit.place_id] = (evidence, hit)
        # Qualifiers agreed with, per place: a place that meets fewer of them than the best
        # one does is a namesake elsewhere (Bohdanivka in the oblast but not the raion).
        agreed = (
            {
                place_id: sum(bool(self.lookup.ancestors(place_id) & q) for q in qualifiers)
                for place_id in best
            }
            if qualifiers
            else {}
        )
        most_agreed = max(agreed.values(), default=0)
        rows = self.lookup.rows
        scored: list[Scored] = []
        for place_id, (evidence, hit) in best.items():
            row = rows.get(place_id)
            if row is not None:  # the fields of _facts, read in place
                kind, country, lat, lon = row[1], row[2], row[8], row[9]
                population, katottg, geonames_id = row[11], row[13], row[12]
            else:
                kind, country, lat, lon, population, katottg, geonames_id = self.lookup.facts(
                    place_id
                )
            if countries is not None and country not in countries:
                continue
            if within is not None and not (self.lookup.ancestors(place_id) & within):
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
            document = context is not None and bool(self.lookup.ancestors(place_id) & context)
            if document:
                factor *= w.document_factor  # the document (or caller) is about this region
            prior = importance(w, population, kind, katottg, geonames_id)
            weight = prior * factor * math.exp(w.evidence_sharpness * (evidence - 1.0))
            if hit.rule == "fuzzy" and country in FUZZY_COUNTRIES:
                # A typo is read as a slip in a home place's name first (Tarakanv is the
                # village Tarakaniv, not Tarakan): on the share only, not the evidence.
                weight *= w.home_typo_bias
            scored.append(
                Scored(weight, evidence, place_id, population, hit, qualifier, km, document)
            )
        if not scored:
            return [], max((e for e, _ in best.values()), default=0.0)
        total = sum(s.weight for s in scored)
        top_evidence = max(s.evidence for s in scored)
        ranked: list[tuple[float, int, str, float, Scored]] = []
        for entry in scored:
            share = entry.weight / total if total else 0.0
            support, context_factor = factors(w, share, entry.qualifier)
            score = entry.evidence * support * context_factor
            # Place ids are unique: the tuples never compare beyond the third field.
            ranked.append((-score, -(entry.population or 0), entry.place_id, share, entry))
        # Only the matches asked for become Match objects (a name may have 100 namesakes).
        return [
            Match(
                place=self.lookup.place(place_id),
                score=-negative_score,
                matched_name=entry.hit.name,
                match_type=entry.hit.type,
                rule=entry.hit.rule,
                matched_lang=entry.hit.lang,
                score_parts=entry.parts(w, share),
            )
            for negative_score, _, place_id, share, entry in heapq.nsmallest(limit, ranked)
        ], top_evidence

    def home_name(self, hit: Hit) -> bool:
        """Whether a hit's name, of any type, is as good as a place's own: a name of a
        Ukrainian or Russian place (the sources' alternates there are real spellings, and
        a user's added name is one) or of a place the user added. Only GeoNames' stray
        alternates of world places are not."""
        return (
            hit.place_id.startswith("local:")
            or self.lookup.country(hit.place_id) in FUZZY_COUNTRIES
        )

    def rank_with_context(
        self, hits: list[Hit], context: frozenset[str] | None = None
    ) -> list[Match]:
        """The five best matches of ``hits`` with no query options, a document's regions
        (``context``) as a soft qualifier when given (for extraction)."""
        matches, _ = self.rank(
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
