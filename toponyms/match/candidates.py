"""Candidate generation: the names a query's text meets, by the rule that meets them.

The text's exact and romanisation-invariant keys first (:meth:`Candidates.hits_for`);
then its other spellings (:meth:`Candidates.variant_hits`): the case forms and uk ↔ ru
counterparts the forms index holds, or guessed here when it has none (a name added since
the last snapshot), and, for Latin text, the Cyrillic names it romanises (the forms
index's ``r`` keys) or a Latin→Cyrillic guess when no scheme writes it. Each hit carries
its rule (``exact``, ``invariant``, ``romanization``, ``inflection``, ``uk_ru``,
``translit``); scoring weighs them (:mod:`toponyms.match.scoring`).
"""

from __future__ import annotations

import contextlib
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

from toponyms.errors import InvalidInputError
from toponyms.match.lookup import Lookup
from toponyms.match.values import (
    FUZZY_COUNTRIES,
    OWN_TYPES,
    STRONG_TYPES,
    Hit,
    exact_key,
    invariant_key,
    script_of,
)
from toponyms.models import Match
from toponyms.text import datafile


class Candidates:
    """The names a text meets under its keys and its other spellings (module docstring)."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup

    def hits_for(
        self, text: str, rule: str | None = None, *, romanizations: bool = False
    ) -> list[Hit]:
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
        exact_hits, inv_hits = self.lookup.key_hits([(exact, "x"), (inv, "i")])
        country = self.lookup.country
        kept = [
            hit
            for hit in inv_hits
            if country(hit.place_id) in FUZZY_COUNTRIES
            or (hit.type != "alternate" and script_of(hit.name) == script)
        ]
        if romanizations and script == "Latn" and len({h.place_id for h in kept}) > 1:
            own = frozenset(h.place_id for h in exact_hits if h.type in OWN_TYPES)
            kept = self.romanized(exact, kept, own)
        if rule is None:
            return [*exact_hits, *kept]
        # A tuple made field by field: several times cheaper than NamedTuple._replace.
        return [
            Hit(place_id, name, lang, type_, valid_from, valid_to, rule, similarity)
            for place_id, name, lang, type_, valid_from, valid_to, _, similarity in (
                *exact_hits,
                *kept,
            )
        ]

    def romanized(
        self, written: str, hits: list[Hit], exact: frozenset[str] = frozenset()
    ) -> list[Hit]:
        """Invariant hits on several places, with those whose place's Ukrainian or Russian
        name the text spells letter for letter in some romanisation system marked
        ``romanization`` (as strong as the name itself): the invariant key folds і and и,
        ї and і together, and the romanisation keeps them apart (Vitkivtsi is Вітківці,
        Vytkivtsi Витківці; ISO 9 Vìtkìvcì the former). Places in ``exact`` (whose own
        name the text already is, as written) need no such check."""
        named = [(hit, self.lookup.cyrillic_names(hit.place_id)) for hit in hits]
        if len({names for _, names in named}) < 2:
            return hits  # one spelling for all: nothing to tell them apart by
        marked: list[Hit] = []
        for hit, names in named:
            if hit.place_id in exact:
                marked.append(hit)
                continue
            country = self.lookup.country(hit.place_id)
            for name, lang in zip(names, ("uk", "ru"), strict=True):
                if name and written in romanized_keys(name, lang):
                    # The name met is the Cyrillic one the text romanises: the place's own
                    # name, or its name in the other language, an exonym (Woltschansk spells
                    # Волчанск, Vovchansk's Russian name as much as a Russian town's own).
                    own = (lang, country) in (("uk", "UA"), ("ru", "RU"))
                    hit = Hit(
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

    def variant_hits(self, text: str, *, transliterate: bool = True) -> list[Hit]:
        """Inflected forms, uk ↔ ru counterparts and Cyrillic transliterations of the text."""
        from toponyms.text import morph, ukru
        from toponyms.text.translit import cyrillize

        hits: list[Hit] = []
        script = script_of(text)
        seen: set[str] = {exact_key(text)}

        def probe(form: str, rule: str) -> list[Hit]:
            key = exact_key(form)
            if not key or key in seen:
                return []
            seen.add(key)
            found = self.hits_for(form, rule)
            if rule in ("uk_ru", "translit"):
                # A guessed spelling may meet a foreign town's stray alternate (війна ~
                # Вейн, Wayne): guesses count for Ukrainian and Russian places, and for
                # other places only through their official names and exonyms.
                found = [
                    h
                    for h in found
                    if self.lookup.country(h.place_id) in FUZZY_COUNTRIES or h.type in STRONG_TYPES
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
            inflected, counterparted = self.lookup.key_hits([(key, "c"), (key, "u")])
            lemmas = (
                list(dict.fromkeys(h.name for h in inflected))
                if inflected
                else morph.lemma_candidates(text)
            )
            self.lookup.prefetch(lemmas)
            for lemma in lemmas:
                probe(lemma, "inflection")
            if not hits and counterparted:
                named = list(dict.fromkeys(h.name for h in counterparted))
                self.lookup.prefetch(named)
                for name in named:
                    probe(name, "uk_ru")
            elif not hits:
                counterparts = [c for form in [text, *lemmas[:3]] for c in ukru.counterparts(form)]
                self.lookup.prefetch(counterparts)
                for counterpart in counterparts:
                    probe(counterpart, "uk_ru")
        elif script == "Latn":
            lemmas = latin_lemmas(text)
            languages = ("ru", "uk") if transliterate else ()
            # The forms index knows which Cyrillic names the text romanises letter for
            # letter in some scheme: those are the guesses, and the Latin→Cyrillic search
            # (the costliest step) runs only for a spelling no scheme writes.
            romanised = self.lookup.key_hits([(exact_key(text), "r")])[0] if languages else ()
            guesses = (
                [list(dict.fromkeys(h.name for h in romanised))]
                if romanised
                else [cyrillize(text, lang)[:3] for lang in languages]
            )
            self.lookup.prefetch([*lemmas, *(form for forms in guesses for form in forms)])
            for form in lemmas:
                probe(form, "inflection")
            for forms in guesses:
                missed = [form for form in forms if not probe(form, "translit")]
                counterparts = [c for form in missed for c in ukru.counterparts(form)[:3]]
                self.lookup.prefetch(counterparts)
                for counterpart in counterparts:
                    probe(counterpart, "translit")
        return hits


def lemma_forms(text: str) -> list[str]:
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


def direct_reading(text: str, match: Match) -> bool:
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
        lemmas = lemma_forms(text)
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
        for s in romanized_keys(n, lang)
    )


def _plain(text: str) -> str:
    """The exact key of a text without its diacritics (Chía: chia)."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", exact_key(text)) if not unicodedata.combining(c)
    )


@lru_cache(maxsize=20_000)
def romanized_keys(name: str, lang: str) -> frozenset[str]:
    """The exact keys of ``name`` romanised in every system of ``lang`` (national,
    BGN/PCGN, ISO 9, scholarly, ALA-LC, German, Polish, French …)."""
    from toponyms.text.translit import romanizations

    keys = set()
    for romanized in romanizations(name, lang):
        with contextlib.suppress(InvalidInputError):
            keys.add(exact_key(romanized))
    return frozenset(keys)


@lru_cache(maxsize=1)
def _latin_endings() -> tuple[tuple[str, str], ...]:
    """(oblique ending, nominative ending) pairs of Latin-script languages, longest first."""
    pairs = [(row["oblique"], row["nominative"]) for row in datafile.LATIN_ENDINGS.read()]
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


@lru_cache(maxsize=1)
def _oblique_endings() -> tuple[str, ...]:
    """Endings that Ukrainian and Russian case forms of names have
    (``toponyms/text/data/oblique_endings.tsv``)."""
    return tuple(row["ending"] for row in datafile.OBLIQUE_ENDINGS.read())


@lru_cache(maxsize=100_000)
def may_be_inflected(text: str) -> bool:
    """Whether a Cyrillic name may be a case form (the dictionary is asked only when its
    ending is one that case forms have)."""
    from toponyms.text import morph

    if not text.casefold().endswith(_oblique_endings()):
        return False
    try:
        return morph.is_inflected(text)
    except InvalidInputError:
        return False
