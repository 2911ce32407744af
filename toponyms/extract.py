"""Find and resolve every place mention in running text.

The pipeline, per document:

1. **tokens** — words with their offsets in the input (letters, inner apostrophes and
   hyphens), sentence starts and whether the text is a capitalised headline;
2. **candidate spans** — runs of one to :data:`MAX_WORDS` words that start with a capital
   letter (or lie in an all-capitals headline), whose exact or romanisation-invariant key
   is a gazetteer name, or whose Ukrainian/Russian nominative form is
   (:func:`toponyms.text.morph.lemma_candidates`); longest span first, no overlaps;
3. **filters** — people, organisations and common words (``toponyms/data/non_places.tsv``)
   and sentence-initial function words are not places unless a locative preposition
   (в, у, під, near, in, w, bei …) stands before them; names inside organisation names
   listed there (Dynamo Kyiv) are skipped whole;
4. **region words** — a name followed by *region, oblast, області, обласна* … is resolved as
   the region; the span stays the name itself;
5. **document-level disambiguation** — mentions are resolved first without context; the
   regions of the confident ones (and the oblasts and raions mentioned) then act as a soft
   qualifier for the rest, and one form keeps one sense within a document.

Offsets are Python string offsets into the input, so ``text[start:end]`` is the mention.
"""

from __future__ import annotations

import math
import re
import sqlite3
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import marisa_trie

from toponyms import lexicon
from toponyms import mentions as mentions_model
from toponyms.errors import InvalidInputError
from toponyms.match.query import context_word_rows, direction_words, type_words
from toponyms.match.values import exact_key, invariant_key, script_of  # memoised versions
from toponyms.models import Match, Mention
from toponyms.text import datafile, language
from toponyms.text.normalize import clean

if TYPE_CHECKING:
    from toponyms.match import Resolver
    from toponyms.match.values import Hit

MAX_WORDS = 4
MAX_LIST_ITEMS = 8  # names of one list that share a region word after them
MAX_TEXT_CHARS = 10_000_000
_WORD = re.compile(r"[^\W\d_](?:[\w'’ʼ`\u0301]*[^\W_]|)(?:-[^\W\d_][\w'’ʼ`\u0301]*)*", re.UNICODE)
# What separates a sentence's first word from the word before it: an end mark, a line
# end, or an opening quote or bracket (the text's very first word starts one too).
_SENTENCE_END = re.compile(r"[.!?…]\s*$|[\n\r]\s*$|[:;«\"“„(\[]\s*$")
_POSSESSIVE = ("'s", "’s", "ʼs")


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str
    capital: bool
    sentence_start: bool


@lru_cache(maxsize=1)
def _context_words() -> tuple[frozenset[str], dict[str, str], frozenset[str]]:
    """Locative prepositions, region words (→ kind), and sentence-start stop words."""
    prepositions: set[str] = set()
    regions: dict[str, str] = {}
    stops: set[str] = set()
    for word, role in context_word_rows():
        if role == "preposition":
            prepositions.add(word)
        elif role.startswith("region:"):
            regions[word] = role.split(":", 1)[1]
        elif role == "stop":
            stops.add(word)
    return frozenset(prepositions), regions, frozenset(stops)


class KeySets:
    """Whether a span's exact or romanisation-invariant key is a gazetteer name, and how
    many words a name starting with a given word may have.

    With the index's snapshot (a marisa-trie in the file, mapped by the resolver) each
    test is a trie look-up of about a microsecond and nothing is loaded at start-up. A
    file without one (a user's gazetteer edited since its last ``check --fix``) has its
    keys read into sets once instead (about a second)."""

    def __init__(self, conn: sqlite3.Connection, snapshot: marisa_trie.BytesTrie | None) -> None:
        self._snapshot = snapshot
        self._exact: set[str] = set()
        self._invariant: set[str] = set()
        self._first_words: dict[str, int] = {}
        if snapshot is not None:
            return
        query = "SELECT key, kind FROM name_keys WHERE kind IN ('x', 'i')"
        for key, kind in conn.execute(query):
            (self._exact if kind == "x" else self._invariant).add(key)
        for key in self._exact:
            words = key.split(" ")
            if len(words) > 1 and self._first_words.get(words[0], 1) < len(words):
                self._first_words[words[0]] = len(words)

    def exact(self, key: str) -> bool:
        if self._snapshot is not None:
            return "x" + key in self._snapshot
        return key in self._exact

    def invariant(self, key: str) -> bool:
        if self._snapshot is not None:
            return "i" + key in self._snapshot
        return key in self._invariant

    def words(self, first: str) -> int:
        """How many words a name starting with ``first`` may have (1 when none has more)."""
        if self._snapshot is not None:
            longer = next(self._snapshot.iterkeys(f"x{first} "), None)
            return MAX_WORDS if longer is not None else 1
        return self._first_words.get(first, 1)


@lru_cache(maxsize=1)
def _blockers() -> frozenset[str]:
    """Words that, right after a name, make it a river's or an organisation's."""
    return frozenset(word for word, role in context_word_rows() if role == "blocker")


@lru_cache(maxsize=1)
def _elisions() -> frozenset[str]:
    """French and Italian articles and prepositions elided before a vowel (l', d', dell',
    nell'): ``toponyms/data/context_words.tsv``, role ``elision``."""
    return frozenset(word for word, role in context_word_rows() if role == "elision")


def _elided(word: str) -> int:
    """How many characters of ``word`` are an elided article before a capitalised name
    (``l'Ukraine``, ``d'Odessa``, ``dell'Ucraina``: 2, 2, 5), else 0."""
    for mark in "'’ʼ":
        cut = word.find(mark)
        if 0 < cut < len(word) - 1:
            rest_is_region = word[cut + 1 :].casefold() in _context_words()[1]
            if (word[cut + 1].isupper() or rest_is_region) and word[:cut].casefold() in _elisions():
                return cut + 1  # also l'oblast de Donetsk: the region word is a token
            return 0
    return 0


def tokenize(text: str) -> list[_Token]:
    """Words with offsets; a possessive 's is left out of the word, and so is an elided
    article before a name (the word of ``l'Ukraine`` is ``Ukraine``)."""
    tokens: list[_Token] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        start, end = match.start(), match.end()
        word = match.group()
        elided = _elided(word) if "'" in word or "’" in word or "ʼ" in word else 0
        if elided:
            start += elided
            word = word[elided:]
        if word.endswith(_POSSESSIVE) and len(word) > 3:
            end -= 2
            word = word[:-2]
        between = text[previous_end:start]
        sentence_start = not tokens or bool(_SENTENCE_END.search(between))
        if sentence_start and tokens and between.startswith(".") and not between[1:].strip():
            # у с. Зарожне, м. Балаклія: the dot ends an abbreviation, not a sentence.
            sentence_start = tokens[-1].text.casefold() + "." not in _abbreviations()
        tokens.append(_Token(start, end, word, word[:1].isupper(), sentence_start))
        previous_end = end
    return tokens


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """Settlement-type abbreviations written before a name (с., сел., смт., м., г., пос.):
    ``toponyms/data/type_words.tsv``, role ``settlement_prefix``."""
    prefixes, _ = type_words()
    return frozenset(w for w in prefixes if w.endswith(".") and " " not in w and w.count(".") == 1)


def _is_headline(tokens: list[_Token]) -> bool:
    letters = [t for t in tokens if len(t.text) > 1]
    return len(letters) >= 2 and all(t.text.isupper() for t in letters)


class Extractor:
    """Extraction bound to one resolver (and its gazetteer)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._keys: KeySets | None = None
        self._ranked: dict[str, list[Match]] = {}
        self._ranked_version = -1

    @property
    def keys(self) -> KeySets:
        if self._keys is None:
            self._keys = KeySets(self.resolver.lookup.conn, self.resolver.lookup.hits_snapshot())
        return self._keys

    # -- spans ----------------------------------------------------------------------------
    def _forms(self, span: str, lang: str | None) -> list[tuple[str, str]]:
        """(form, rule) pairs under which a span may be a gazetteer name, best first."""
        forms: list[tuple[str, str]] = []
        key = exact_key(span)
        if self.keys.exact(key):
            forms.append((span, "exact"))
        script = script_of(span)
        if script == "Latn" and not forms and lang in ("pl", "cs"):
            # Polish case forms first: Charkowie is Charków, not the village Харкове.
            from toponyms.match.candidates import latin_lemmas

            for lemma in latin_lemmas(span):
                if self.keys.exact(exact_key(lemma)) or self.keys.invariant(invariant_key(lemma)):
                    forms.append((lemma, "inflection"))
                    break
        if not forms and script in ("Latn", "Cyrl") and self.keys.invariant(invariant_key(span)):
            forms.append((span, "invariant"))
        exact_only = bool(forms) and forms[0][1] == "exact"
        if script == "Cyrl" and (not exact_only or _may_be_inflected(span)):
            # Also when the span is itself some village's name: Харькове is a village's
            # name and the locative of Харьков; the ranking weighs the two.
            from toponyms.text import morph

            for lemma in morph.lemma_candidates(span, lang if lang in ("uk", "ru") else None):
                if exact_key(lemma) != exact_key(span) and self.keys.exact(exact_key(lemma)):
                    forms.append((lemma, "inflection"))
                    break
        return forms

    def _candidate_spans(
        self, text: str, tokens: list[_Token], headline: bool, langs: list[str | None]
    ) -> Iterator[tuple[int, int, list[tuple[str, str]]]]:
        """(first token, last token + 1, forms) for each span that may be a place; each
        read in the language of its first word's sentence (``langs``, one per token)."""
        prepositions, _, _ = _context_words()
        inner_stops = _list_joins() | prepositions
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if not (token.capital or headline):
                region = self._region_adjective(text, tokens, i)
                if region is not None:  # obwodu charkowskiego: the oblast's adjective
                    yield i, i + 1, [(region, "inflection")]
                i += 1
                continue
            if token.text.casefold() in prepositions:
                i += 1
                continue
            first = exact_key(token.text)
            longest = min(MAX_WORDS, max(self.keys.words(first), 3 if _cyr(token) else 2))
            found = None
            for n in range(min(longest, len(tokens) - i), 0, -1):
                words = tokens[i : i + n]
                if not _contiguous(words, text):
                    continue
                if n > 1 and not (words[-1].capital or headline or _cyr(words[-1])):
                    continue
                if n > 1 and words[-1].text.casefold() in inner_stops:
                    continue  # Донецькій і Луганській: a name ends before its list's join
                span = text[words[0].start : words[-1].end]
                forms = self._forms(span, langs[i])
                if not forms and n == 1 and _list_of_regions(text, tokens, i):
                    # Херсонской области: the region decides (one word: region adjectives are
                    # single words, and a sentence's first word must not swallow the name:
                    # Обстріл Херсонської області); so it does for each adjective of a list
                    # ending in one (Луганської та Донецької областей).
                    forms = [(span, "inflection")]
                if forms:
                    found = (i, i + n, forms)
                    break
            if found is not None:
                yield found
                i = found[1]
            else:
                i += 1

    def _split_compounds(
        self, tokens: list[_Token], langs: list[str | None]
    ) -> tuple[list[_Token], list[str | None]]:
        """A hyphenated word of two parts that is no name as a whole becomes its parts,
        so that the name in it is a span of its own: Kyiv-controlled, Kherson-based,
        Russia-Ukraine, Ukraine-Krieg. It stays whole when it is a name or a case form of
        one (Bilhorod-Dnistrovskyi, Нью-Йорка), a region's name (Центрально-Городском
        районе), an organisation's (Interfax-Ukraine, РБК-Украина), a stance (pro-Kiev),
        or a longer compound (Siwerskyj-Donez-Donbas-Kanal) or has a one-letter part."""
        if not any("-" in t.text for t in tokens):
            return tokens, langs
        prefixes = _compound_prefixes()
        split_tokens: list[_Token] = []
        split_langs: list[str | None] = []
        for index, (token, lang) in enumerate(zip(tokens, langs, strict=True)):
            parts = token.text.split("-")
            if (
                len(parts) != 2
                or any(len(part) < 2 for part in parts)
                or not any(part[:1].isupper() for part in parts)
                or parts[0].casefold() in prefixes
                or any(part.isupper() or lexicon.category(part) for part in parts)
                or (index + 1 < len(tokens) and _region_word(tokens[index + 1]))
                or self._forms(token.text, lang)
            ):
                split_tokens.append(token)
                split_langs.append(lang)
                continue
            start = token.start
            for n, part in enumerate(parts):
                split_tokens.append(
                    _Token(
                        start,
                        start + len(part),
                        part,
                        part[:1].isupper(),
                        token.sentence_start and n == 0,
                    )
                )
                split_langs.append(lang)
                start += len(part) + 1
        return split_tokens, split_langs

    def _region_adjective(self, text: str, tokens: list[_Token], index: int) -> str | None:
        """The region's name a lower-case adjective after a region noun is (Polish writes
        the oblast's adjective in lower case: *obwodu charkowskiego*, *w obwodzie donieckim*,
        *obwodami donieckim i ługańskim*), in the nominative the index holds (*obwód
        charkowski*); ``None`` for any other word."""
        if index == 0:
            return None
        previous = tokens[index - 1].text.casefold()
        if previous not in _adjective_regions() and previous not in _join_words():
            return None  # the common case, decided without looking at the word
        word = tokens[index].text.casefold()
        endings = _adjective_endings()
        if not any(word.endswith(ending) for ending, _, _ in endings):
            return None
        before = index - 1
        for _ in range(2 * MAX_LIST_ITEMS):  # back over a list's adjectives and joins
            if before < 0 or text[tokens[before].end : tokens[before + 1].start].strip(" ,"):
                return None
            previous = tokens[before].text.casefold()
            if previous in _adjective_regions():
                break
            if previous not in _join_words() and not (
                not tokens[before].capital and any(previous.endswith(e) for e, _, _ in endings)
            ):
                return None
            before -= 1
        else:
            return None
        for ending, nominative, head in endings:
            if word.endswith(ending):
                form = f"{head} {word[: len(word) - len(ending)]}{nominative}"
                if self.keys.exact(exact_key(form)):
                    return form
        return None

    # -- filters --------------------------------------------------------------------------
    def _has_preposition(self, tokens: list[_Token], index: int) -> bool:
        prepositions, _, _ = _context_words()
        return index > 0 and tokens[index - 1].text.casefold() in prepositions

    def _blocked(self, tokens: list[_Token], first: int, last: int, span: str) -> bool:
        """Whether a span is certainly no place: a sentence's first function word, a name
        followed by a word that makes it a river's, a facility's or an organisation's
        (Dnipro river, Kakhovka dam), or a facility's name after its word (la centrale
        nucléaire de Zaporizhzhia, el puente de Kerch)."""
        _, _, stops = _context_words()
        folded = span.casefold()
        token = tokens[first]
        if last - first == 1 and token.sentence_start and folded in stops:
            return True
        if last < len(tokens) and tokens[last].text.casefold() in _blockers():
            return True
        facilities = _facility_words()
        if first > 0 and tokens[first - 1].text.casefold() in facilities:
            return True  # AKW Saporischschja
        if first == 0 or tokens[first - 1].text.casefold() not in _REGION_LINKS:
            return False  # (das Atomkraftwerk von Enerhodar names the town where it stands)
        for j in range(first - 2, max(first - 5, -1), -1):
            if tokens[j].text.casefold() in facilities:
                return True
            if tokens[j].capital or tokens[j].end < tokens[j + 1].start - 1:
                return False  # another name, or punctuation between
        return False

    def _span_features(
        self, text: str, tokens: list[_Token], first: int, last: int, span: str, headline: bool
    ) -> dict[str, float]:
        """The features of a span that do not depend on the place it would be (see
        :mod:`toponyms.mentions`)."""
        token = tokens[first]
        category = lexicon.category(span)
        if category is None and last - first == 1:
            category = lexicon.category(token.text) or lexicon.dictionary_class(token.text)
            if category == "word" and not token.sentence_start:
                category = None  # a capitalised common noun mid-sentence is a name (Щастя)
            if (
                category == "person"
                and lexicon.category(token.text) is None
                and self._has_preposition(tokens, first)
            ):
                # Only the dictionary reads it as a first name (Алёшек, a diminutive): after
                # a locative preposition (из Алёшек) the context says it is the town.
                category = None
        after = tokens[last] if last < len(tokens) else None
        before = tokens[first - 1] if first > 0 else None
        letters = [c for c in span if c.isalpha()]
        return {
            "person": float(category == "person"),
            "common_word": float(category in ("word", "common_word")),
            "organisation": float(category not in (None, "person", "word", "common_word")),
            "preposition": float(self._has_preposition(tokens, first)),
            "next_capital": float(
                not headline  # in a headline in capitals every word is
                and after is not None
                and after.capital
                and text[tokens[last - 1].end : after.start] == " "
                and after.text.casefold() not in _context_words()[1]
                # Зарожне Чугуївської громади: the capital word is the place's region.
                and not (last + 1 < len(tokens) and _region_word(tokens[last + 1]))
            ),
            "previous_capital": float(
                not headline
                and before is not None
                and before.capital
                and not before.sentence_start  # a sentence's first word is capitalised anyway
                and not token.sentence_start
                and text[before.end : token.start] == " "
                # die Stadt Cherson, der Region Kursk: a noun for a kind of place, no name.
                and not _names_a_kind_of_place(before.text)
            ),
            "sentence_start": float(token.sentence_start),
            "headline": float(headline),
            "acronym": float(len(letters) <= 5 and span.isupper() and len(letters) > 1),
            "words": float(last - first > 1),
            "lower_case": float(not token.capital),
        }

    def _organisation_spans(self, text: str, tokens: list[_Token]) -> set[int]:
        """Tokens inside multi-word organisation names listed as non-places (Dynamo Kyiv)."""
        covered: set[int] = set()
        starts = lexicon.phrase_starts()
        for i in range(len(tokens)):
            if exact_key(tokens[i].text) not in starts:
                continue
            for n in (4, 3, 2):
                if i + n > len(tokens):
                    continue
                span = text[tokens[i].start : tokens[i + n - 1].end]
                if lexicon.category(span) is not None:
                    covered.update(range(i, i + n))
                    break
        # A club's name with its town's (Szachtarem Donieck, Donetsk «Shakhtar», Dynamo
        # Kijów, Зоря Луганськ): the town written right before or after it is the club's.
        clubs = _clubs()
        for i, token in enumerate(tokens):
            if token.text.casefold() not in clubs:
                continue
            covered.add(i)
            for j in (i - 1, i + 1):
                if 0 <= j < len(tokens) and tokens[j].capital:
                    a, b = (tokens[j], token) if j < i else (token, tokens[j])
                    if not text[a.end : b.start].strip(" \u00a0\"'«»“”„"):
                        covered.add(j)
        return covered

    # -- resolution --------------------------------------------------------------------------
    def candidates(
        self, text: str, *, lang: str | None = None
    ) -> list[tuple[int, int, dict[str, float]]]:
        """Every candidate span's offsets and mention-model features, none dropped by the
        model (what ``benchmarks/fit_mentions.py`` fits the model on)."""
        collect: list[tuple[int, int, dict[str, float]]] = []
        with self.resolver.lock:
            self._extract(text, lang, 0.0, collect)
        return collect

    def extract(
        self, text: str, *, lang: str | None = None, min_score: float = 0.5
    ) -> list[Mention]:
        """Every place mention in ``text`` (see the module docstring).

        Safe to call from several threads: the state of a call is its own, and the
        resolver's lock keeps its connection and caches to one call at a time."""
        with self.resolver.lock:
            return self._extract(text, lang, min_score, None)

    def extract_many(
        self,
        docs: Iterable[Document],
        *,
        lang: str | None = None,
        min_score: float = 0.5,
    ) -> Iterator[tuple[Any, list[Mention] | InvalidInputError]]:
        """Documents → ``(id, mentions)`` lazily, in order (see :func:`extract_many`)."""
        for doc_id, text in _documents(docs):
            try:
                yield doc_id, self.extract(text, lang=lang, min_score=min_score)
            except InvalidInputError as error:
                yield doc_id, error

    def _extract(
        self,
        text: str,
        lang: str | None,
        min_score: float,
        collect: list[tuple[int, int, dict[str, float]]] | None,
    ) -> list[Mention]:
        """One call's work; with ``collect`` every candidate span's offsets and features
        are appended to it and none is dropped by the mention model."""
        if not isinstance(text, str):
            raise InvalidInputError(f"text must be a str, not {type(text).__name__}")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInputError(
                f"text is {len(text):,} characters; split it"
                f" (at most {MAX_TEXT_CHARS:,} a document)"
            )
        if not text.strip():
            return []
        clean(text[:1000] if len(text) > 1000 else text, max_length=MAX_TEXT_CHARS)
        self.resolver.refresh()
        tokens = tokenize(text)
        # Each sentence in its own language: a Russian paragraph in an English or
        # Ukrainian text is read as Russian (Судже, Рыльске).
        langs = language.word_languages(
            [t.text for t in tokens], [t.sentence_start for t in tokens], given=lang
        )
        tokens, langs = self._split_compounds(tokens, langs)
        headline = _is_headline(tokens)
        skip = self._organisation_spans(text, tokens)
        _, region_words, _ = _context_words()
        pending: list[tuple[int, int, list[Hit], str | None, dict[str, float]]] = []
        spans: list[tuple[int, int, list[tuple[str, str]], str | None]] = []
        for first, last, forms in self._candidate_spans(text, tokens, headline, langs):
            if any(i in skip for i in range(first, last)):
                continue
            span = text[tokens[first].start : tokens[last - 1].end]
            if self._blocked(tokens, first, last, span):
                continue
            region_kind = None
            if last < len(tokens):
                region_kind = region_words.get(tokens[last].text.casefold())
                if region_kind is None and direction_words().get(tokens[last].text.casefold()):
                    region_kind = "direction"  # на Покровському напрямку: the raion
            if region_kind is None and _region_word_before(tokens, first):
                region_kind = "oblast:before"  # "im Gebiet Cherson", "la región de Jersón"
            spans.append((first, last, forms, region_kind))
        for first, last, forms, region_kind in _share_designators(text, tokens, spans):
            span = text[tokens[first].start : tokens[last - 1].end]
            hits = self._hits(forms, tokens, last, region_kind, span)
            hits = [
                h
                for h in hits  # (only curated and users' places are facilities: no look-up else)
                if not h.place_id.startswith(("curated:", "local:"))
                or self.resolver.lookup.place(h.place_id).kind not in _FACILITY_KINDS
            ]
            if hits and not headline and _is_acronym(span):
                # An acronym, or a name in capitals, is a place only as the gazetteer writes
                # it (РФ, США, КУРСК), never by another spelling or a case form (ОВА is no
                # Owo); whether the one left is a place is the mention model's to say.
                hits = [h for h in hits if h.rule == "exact"]
            if hits:
                values = self._span_features(text, tokens, first, last, span, headline)
                # German capitalises every noun: a one-word span may be any noun (Lage, Hof).
                values["noun_capitals"] = float(langs[first] == "de" and last - first == 1)
                values["region_word"] = float(region_kind is not None)
                pending.append((first, last, hits, region_kind, values))
        return self._disambiguate(text, tokens, pending, min_score, collect)

    def _hits(
        self,
        forms: list[tuple[str, str]],
        tokens: list[_Token],
        last: int,
        region_kind: str | None,
        span: str,
    ) -> list[Hit]:
        hits: list[Hit] = []
        if region_kind == "oblast:before":
            region_hits = [
                h
                for form, _ in forms
                for h in self.resolver.candidates.hits_for(f"{form} oblast")
                + self.resolver.candidates.hits_for(f"Oblast {form}")
                if self.resolver.lookup.place(h.place_id).kind == "oblast"
            ]
            if region_hits:
                return region_hits
            # No "<name> oblast" name: the oblast named after the city the name is
            # (la región de Jersón, regione di Kharkiv, Administración Regional de Járkov).
            region_hits = self._oblasts_of_cities(forms)
            if region_hits:
                return region_hits
        elif region_kind is not None:
            # The word after the span, unless the region word is shared by a list and
            # stands further on (the first item of Донецкой и Луганской областях).
            word = tokens[last].text if last < len(tokens) else ""
            if region_kind == "direction":
                # A front direction is named by its raion's adjective, in the same case.
                word = direction_words()[word.casefold()]
            own_word = region_kind == "direction" or _region_word(tokens[last])
            phrase = f"{forms[0][0]} {word}"
            region_hits = self.resolver.candidates.hits_for(phrase) if own_word else []
            if own_word and not region_hits and script_of(phrase) != "Latn":
                # A Cyrillic case form of the region (Херсонської області) is in the forms
                # index; a Latin phrase no name spells gains nothing from Cyrillic guesses,
                # the costliest step, and is tried with the English region word below.
                region_hits = self.resolver.candidates.variant_hits(phrase)
            # The region word in another number or case than any name has it (Донецької
            # областей, Луганської та Донецької областей): the adjective with the word in
            # the genitive singular, or the English one, is a case form the index holds.
            for kind_word in _REGION_WORD_FORMS.get(region_kind, ()):
                for written in dict.fromkeys((forms[0][0], span)):
                    if not region_hits:
                        phrase = f"{written} {kind_word}"
                        region_hits = self.resolver.candidates.hits_for(phrase)
                        if not region_hits and script_of(phrase) == "Cyrl":
                            # A Cyrillic case form (Донецкой области): the forms index.
                            region_hits = self.resolver.candidates.variant_hits(phrase)
            kinds = ("raion",) if region_kind == "direction" else ("oblast", "raion", "hromada")
            region_hits = [
                h for h in region_hits if self.resolver.lookup.place(h.place_id).kind in kinds
            ]
            if region_hits:
                return region_hits
        for form, rule in forms:
            found = self.resolver.candidates.hits_for(form, None if rule == "exact" else rule)
            for hit in found:
                if hit.rule == "invariant" and self.resolver.lookup.place(
                    hit.place_id
                ).country not in (
                    "UA",
                    "RU",
                ):
                    continue  # in running text a foreign name is written as it is spelled
                hits.append(hit)
        return hits

    def _oblasts_of_cities(self, forms: list[tuple[str, str]]) -> list[Hit]:
        """Hits on the oblasts named after the cities ``forms`` are names of: Kharkiv →
        Kharkiv Oblast, Херсон → Херсонська область (the same first letters of the
        Ukrainian name, folded), for a name read as a region."""
        resolver = self.resolver
        found: list[Hit] = []
        for form, rule in forms:
            for hit in resolver.candidates.hits_for(form, None if rule == "exact" else rule):
                place = resolver.lookup.place(hit.place_id)
                if place.kind != "city" or not place.admin1_id or not place.name_uk:
                    continue
                oblast = resolver.lookup.place(place.admin1_id)
                if oblast.kind != "oblast" or not oblast.name_uk:
                    continue
                if invariant_key(oblast.name_uk)[:4] == invariant_key(place.name_uk)[:4]:
                    found.append(hit._replace(place_id=oblast.id))
        return found

    def _disambiguate(
        self,
        text: str,
        tokens: list[_Token],
        pending: list[tuple[int, int, list[Hit], str | None, dict[str, float]]],
        min_score: float,
        collect: list[tuple[int, int, dict[str, float]]] | None,
    ) -> list[Mention]:
        resolver = self.resolver
        first_pass: list[tuple[int, int, list[Match]]] = []
        if self._ranked_version != resolver.data_version or len(self._ranked) > 100_000:
            self._ranked = {}  # an edit happened (or the cache is full): rank afresh
            self._ranked_version = resolver.data_version
        ranked_by_key = self._ranked
        for first, last, hits, region_kind, _ in pending:
            key = f"{exact_key(text[tokens[first].start : tokens[last - 1].end])}|{region_kind}"
            matches = ranked_by_key.get(key)
            if matches is None:  # one context-free ranking per form and sense
                matches = resolver.scorer.rank_with_context(hits)
                ranked_by_key[key] = matches
            first_pass.append((first, last, matches))
        # The mention model: is each span a place at all (a person, an organisation, a
        # common word)? Decided before the document's context is read from the spans.
        model = mentions_model.default()
        kept_pending = []
        kept_pass = []
        # Document coherence: variants of one place reinforce each other (Oleshky/Aleshki),
        # and so does a region of the place named elsewhere in the text (Алешки … в
        # Херсонской области).
        keys = [
            exact_key(text[tokens[entry[0]].start : tokens[entry[1] - 1].end]) for entry in pending
        ]
        spellings: dict[str, set[str]] = {}  # place → the span keys that resolve to it
        for key, passed in zip(keys, first_pass, strict=True):
            if passed[2]:
                spellings.setdefault(passed[2][0].place.id, set()).add(key)
        for key, entry, passed in zip(keys, pending, first_pass, strict=True):
            values = entry[4]
            if passed[2]:
                top = passed[2][0]
                _place_features(resolver, top, values)
                place_id = top.place.id
                values["echo"] = float(len(spellings[place_id] - {key}) > 0)
                ancestors = resolver.lookup.ancestors(place_id) - {place_id}
                values["region_in_text"] = float(any(a in spellings for a in ancestors))
            if collect is not None:
                collect.append((tokens[entry[0]].start, tokens[entry[1] - 1].end, values))
            elif not passed[2] or not model.is_mention(values):
                continue
            kept_pending.append(entry)
            kept_pass.append(passed)
        pending, first_pass = kept_pending, kept_pass
        # Regions the document is about: those of its confident mentions.
        # How many confident mentions lie in each region, and the regions of each one's
        # own place (so that a mention is not taken for its own evidence).
        in_region: Counter[str] = Counter()
        own_regions: list[frozenset[str]] = []
        for _, _, matches in first_pass:
            mine: frozenset[str] = frozenset()
            if matches and matches[0].score >= 0.8:
                mine = frozenset(resolver.lookup.ancestors(matches[0].place.id))
            own_regions.append(mine)
            in_region.update(mine)
        context_ids = frozenset(in_region)
        # Every Ukrainian place lies in Ukraine: a country in the context tells namesakes
        # in it apart from those abroad, not from each other (three Krasnopilska hromadas),
        # so the regions below the countries are tried first.
        regions = frozenset(i for i in context_ids if resolver.lookup.place(i).kind != "country")
        senses: dict[str, Match] = {}
        mentions: list[Mention] = []
        qualifiers = _qualifiers(resolver, text, tokens, pending, first_pass)
        for n, ((first, last, hits, region_kind, _), (_, _, matches)) in enumerate(
            zip(pending, first_pass, strict=True)
        ):
            span_text = text[tokens[first].start : tokens[last - 1].end]
            key = f"{exact_key(span_text)}|{region_kind}"
            best = senses.get(key)
            qualifier = qualifiers.get(n)
            if qualifier is not None and matches and len(matches) > 1:
                # An explicit qualifier (Старовірівка Шевченківської громади, Нью-Йорка на
                # Донеччині) settles this mention whatever the others say.
                ranked = resolver.scorer.rank_with_context(hits, qualifier)
                if ranked and resolver.lookup.ancestors(ranked[0].place.id) & qualifier:
                    best = ranked[0]
                    senses.setdefault(key, best)
            if best is None:
                if matches and len(matches) > 1 and context_ids and matches[0].score < 0.8:
                    ranked = resolver.scorer.rank_with_context(hits, regions) if regions else []
                    if not ranked or not resolver.lookup.ancestors(ranked[0].place.id) & regions:
                        ranked = resolver.scorer.rank_with_context(hits, context_ids)
                    matches = ranked or matches
                elif matches and len(matches) > 1 and matches[0].place.kind in _VILLAGE_KINDS:
                    # A village is named after its region's other places more often than
                    # the one a population prior ranks first: Komyshivka in a report from
                    # Donetsk Oblast is its namesake there, not Odesa Oblast's.
                    others = frozenset(
                        i for i in regions if in_region[i] > (1 if i in own_regions[n] else 0)
                    )
                    if others and not resolver.lookup.ancestors(matches[0].place.id) & others:
                        ranked = resolver.scorer.rank_with_context(hits, others)
                        if ranked and resolver.lookup.ancestors(ranked[0].place.id) & others:
                            matches = ranked
                if not matches:
                    continue
                best = matches[0]
                senses[key] = best
            if best.score < min_score:
                continue
            mentions.append(Mention(tokens[first].start, tokens[last - 1].end, span_text, best))
        return mentions


#: Kinds of place whose namesakes the document's other places choose among, however
#: confident the first ranking (a village's population says little of which one is meant).
_VILLAGE_KINDS = frozenset({"village", "settlement", "urban_settlement", "place"})

#: Kinds of place that qualify the name before them (Зарожне Чугуївської громади).
_QUALIFYING_KINDS = frozenset({"oblast", "raion", "hromada"})


def _qualifiers(
    resolver: Resolver,
    text: str,
    tokens: list[_Token],
    pending: list[tuple[int, int, list[Hit], str | None, dict[str, float]]],
    first_pass: list[tuple[int, int, list[Match]]],
) -> dict[int, frozenset[str]]:
    """For each mention right followed by a region's (after a space, a comma, a bracket or
    a locative preposition: *Зарожне Чугуївської громади*, *Pokrovske, Dnipropetrovsk
    Oblast*, *Нью-Йорка на Донеччині*), the ids that region may be, by the mention's
    index."""
    prepositions = _context_words()[0]
    found: dict[int, frozenset[str]] = {}
    for n in range(len(pending) - 1):
        following = first_pass[n + 1][2]
        if not following or following[0].place.kind not in _QUALIFYING_KINDS:
            continue
        gap = text[tokens[pending[n][1] - 1].end : tokens[pending[n + 1][0]].start]
        words = gap.replace(",", " ").replace("(", " ").split()
        if "\n" in gap or len(words) > 1 or any(w.casefold() not in prepositions for w in words):
            continue
        # Every namesake of the region (its sense is chosen later, by the document).
        found[n] = frozenset(m.place.id for m in following if m.place.kind in _QUALIFYING_KINDS)
    return found


def _place_features(resolver: Resolver, match: Match, values: dict[str, float]) -> None:
    """Add the features of the place a span would be (see :mod:`toponyms.mentions`)."""
    place = match.place
    prior = resolver.scorer.prior(place)
    values["importance"] = min(math.log10(max(prior, 1.0)) / 7.0, 1.2)
    # A German one-word span may be any noun: the doubt the more, the smaller the place.
    values["noun_capitals"] = values.get("noun_capitals", 0.0) * max(
        0.0, 1.0 - values["importance"]
    )
    values["region_kind"] = float(place.kind in ("country", "oblast", "raion", "hromada"))
    values["score"] = match.score
    values["inflected"] = float(match.rule == "inflection")
    values["other_spelling"] = float(match.rule in ("invariant", "uk_ru", "translit"))


#: Words between a region word and the name after it: "region of Kherson", "la región de
#: Jersón", "regione di Kharkiv", "région d'Odessa" (the elided d' is no token).
_REGION_LINKS = frozenset({"of", "de", "di", "du", "del", "della", "des"})


def _region_word_before(tokens: list[_Token], first: int) -> bool:
    """Whether a region word stands before the name: right before it, before a linking
    preposition, or before that and one lower-case adjective (la región ucraniana de
    Jersón)."""
    region_words = _context_words()[1]
    i = first - 1
    if i >= 0 and tokens[i].text.casefold() in _REGION_LINKS:
        i -= 1
        if i >= 1 and not tokens[i].capital and tokens[i - 1].text.casefold() in region_words:
            return region_words[tokens[i - 1].text.casefold()] == "oblast"
    return i >= 0 and region_words.get(tokens[i].text.casefold()) == "oblast"


@lru_cache(maxsize=1)
def _adjective_regions() -> frozenset[str]:
    """Region nouns after which a lower-case adjective names the region (obwodu, obwodzie):
    ``toponyms/data/context_words.tsv``, role ``adjective_region``."""
    return frozenset(word for word, role in context_word_rows() if role == "adjective_region")


@lru_cache(maxsize=1)
def _adjective_endings() -> tuple[tuple[str, str, str], ...]:
    """``(oblique ending, nominative ending, head noun)`` of region adjectives, longest
    ending first: ``toponyms/data/region_adjective_endings.tsv``."""
    rows = datafile.REGION_ADJECTIVE_ENDINGS.read()
    endings = ((row["oblique"], row["nominative"], row["head"]) for row in rows)
    return tuple(sorted(endings, key=lambda row: -len(row[0])))


@lru_cache(maxsize=1)
def _facility_words() -> frozenset[str]:
    """Words of a facility's name before the place it is named after (centrale, puente,
    AKW): ``toponyms/data/context_words.tsv``, role ``facility``."""
    return frozenset(word for word, role in context_word_rows() if role == "facility")


#: Kinds of place that are facilities (a dam, a bridge, a plant): in running text their
#: names are no place mentions (docs/annotation.md, section 3).
_FACILITY_KINDS = frozenset({"dam", "bridge", "plant"})


@lru_cache(maxsize=1)
def _place_nouns() -> frozenset[str]:
    """Capitalised nouns for a kind of place that stand before a name in German (Stadt,
    Stadtteil, Dorf): ``toponyms/data/context_words.tsv``, role ``place_noun``."""
    return frozenset(word for word, role in context_word_rows() if role == "place_noun")


#: The shortest place noun a German compound may end in (Garnisons|stadt; not Sp|ort).
_MIN_COMPOUND_HEAD = 4


@lru_cache(maxsize=4096)
def _names_a_kind_of_place(word: str) -> bool:
    """Whether a capitalised word before a name says what kind of place it is (Stadt,
    Kleinstadt, Garnisonsstadt, Region, Gebiet, Oblast) rather than being a first name:
    a place noun, a German compound ending in one, or a region word."""
    folded = word.casefold()
    if folded in _place_nouns() or folded in _context_words()[1]:
        return True
    return any(
        folded.endswith(noun) and len(folded) > len(noun)
        for noun in _place_nouns()
        if len(noun) >= _MIN_COMPOUND_HEAD
    )


@lru_cache(maxsize=1)
def _clubs() -> frozenset[str]:
    """Words of sports clubs' names that stand with a town's name (Shakhtar, Dynamo and
    their case forms): ``toponyms/data/context_words.tsv``, role ``club``."""
    return frozenset(word for word, role in context_word_rows() if role == "club")


@lru_cache(maxsize=1)
def _compound_prefixes() -> frozenset[str]:
    """Prefixes of a hyphenated word before a name that make it a stance (pro-Kiev):
    ``toponyms/data/context_words.tsv``, role ``compound_prefix``."""
    return frozenset(word for word, role in context_word_rows() if role == "compound_prefix")


@lru_cache(maxsize=1)
def _list_joins() -> frozenset[str]:
    """Words that join the items of a list of names (and, y, та, oraz ...):
    ``toponyms/data/context_words.tsv``, role ``list_join``."""
    return frozenset(word for word, role in context_word_rows() if role == "list_join")


@lru_cache(maxsize=1)
def _join_words() -> frozenset[str]:
    """Every word of the list joins, those of phrases included (así, como)."""
    return frozenset(word for join in _list_joins() for word in join.split(" "))


def _joins_a_list(gap: str) -> bool:
    """Whether the text between two names joins them as items of one list: a comma, a
    joining word or phrase, or both (", and", ", así como", ", as well as")."""
    if not gap or "\n" in gap or len(gap) > 16:
        return False
    words = gap.replace(",", " , ").split()
    joins = _list_joins()
    phrase = " ".join(w.casefold() for w in words if w != ",")
    if 0 < len(words) <= 4 and " " in phrase and phrase in joins and words.count(",") <= 1:
        return True
    return 0 < len(words) <= 2 and all(w == "," or w.casefold() in joins for w in words)


def _share_designators(
    text: str,
    tokens: list[_Token],
    spans: list[tuple[int, int, list[tuple[str, str]], str | None]],
) -> list[tuple[int, int, list[tuple[str, str]], str | None]]:
    """Spans with a region word shared by a list: the items joined to one read as a region
    (by a word before the list, "las regiones de Sumi, Zaporiyia y Jerson", or after it,
    "Donetsk and Luhansk oblasts") are read as regions too."""
    kinds = [kind for *_, kind in spans]

    def joined(a: int, b: int) -> bool:
        return _joins_a_list(text[tokens[spans[a][1] - 1].end : tokens[spans[b][0]].start])

    for i in range(1, len(spans)):  # forwards from a region word before the list
        if kinds[i] is None and kinds[i - 1] == "oblast:before" and joined(i - 1, i):
            kinds[i] = "oblast:before"
    for i in range(len(spans) - 2, -1, -1):  # backwards from a region word after it
        after = kinds[i + 1]
        if kinds[i] is None and after is not None and after != "direction" and joined(i, i + 1):
            kinds[i] = after
    return [
        (first, last, forms, kind)
        for (first, last, forms, _), kind in zip(spans, kinds, strict=True)
    ]


#: Forms of a kind of region's word tried after a region adjective whose own region word
#: no name holds as written (the English word and the Ukrainian and Russian genitive).
_REGION_WORD_FORMS = {
    "oblast": ("oblast", "області", "области"),
    "raion": ("raion", "району", "района"),
    "hromada": ("громади", "громады", "hromada"),
}


def _list_of_regions(text: str, tokens: list[_Token], index: int) -> bool:
    """Whether the word at ``index`` is followed by a region word, at once or after a
    list of capitalised words joined to it (Луганської та Донецької областей)."""
    current = index
    for _ in range(MAX_LIST_ITEMS):
        after = current + 1
        if after >= len(tokens):
            return False
        if _region_word(tokens[after]):
            return True
        following = after
        while following < len(tokens) and tokens[following].text.casefold() in _join_words():
            following += 1
        if following >= len(tokens) or not tokens[following].capital:
            return False
        if not _joins_a_list(text[tokens[current].end : tokens[following].start]):
            return False
        current = following
    return False


def _is_acronym(span: str) -> bool:
    """All capitals, two to five letters (TASS, ОВА, ЗАЕС, USA)."""
    letters = [c for c in span if c.isalpha()]
    return 2 <= len(letters) <= 5 and span.isupper()


def _region_word(token: _Token) -> bool:
    return token.text.casefold() in _context_words()[1]


def _may_be_inflected(text: str) -> bool:
    from toponyms.match.candidates import may_be_inflected as check

    return check(text)


def _cyr(token: _Token) -> bool:
    return script_of(token.text) == "Cyrl"


def _contiguous(words: list[_Token], text: str) -> bool:
    """Words of one name are separated by a single space or hyphen, not by punctuation."""
    for a, b in pairwise(words):
        gap = text[a.end : b.start]
        if gap not in (" ", "-", "\u00a0"):
            return False
    return True


def extract(
    resolver: Resolver, text: str, *, lang: str | None = None, min_score: float = 0.5
) -> list[Mention]:
    """Every place mention in ``text`` (the library entry point; see the module docstring)."""
    return _extractor(resolver).extract(text, lang=lang, min_score=min_score)


def candidates(
    resolver: Resolver, text: str, *, lang: str | None = None
) -> list[tuple[int, int, dict[str, float]]]:
    """Every candidate span of ``text`` with its mention-model features (for fitting)."""
    return _extractor(resolver).candidates(text, lang=lang)


#: One extractor per resolver (its key sets and caches serve every call), kept no longer
#: than the resolver itself.
_EXTRACTORS: weakref.WeakKeyDictionary[Resolver, Extractor] = weakref.WeakKeyDictionary()


def _extractor(resolver: Resolver) -> Extractor:
    """The resolver's extractor, made at its first use."""
    with resolver.lock:  # two threads' first calls make one extractor
        extractor = _EXTRACTORS.get(resolver)
        if extractor is None:
            extractor = Extractor(resolver)
            _EXTRACTORS[resolver] = extractor
        return extractor


#: One document for :func:`extract_many`: a mapping with an ``"id"`` (any value, handed
#: back with the result) and a ``"text"`` (a ``str``; other keys are ignored), or an
#: ``(id, text)`` pair.
Document = Mapping[str, Any] | tuple[Any, str]


def _documents(docs: Iterable[Document]) -> Iterator[tuple[Any, str]]:
    """``(id, text)`` of each document; :class:`InvalidInputError` naming the item (its
    index in ``docs``) and what is wrong with it at the first one of another shape."""
    if isinstance(docs, (str, bytes, Mapping)):
        raise InvalidInputError(
            f"docs must be an iterable of {{'id': ..., 'text': ...}} dicts,"
            f" not one {type(docs).__name__}; for one text use extract(text)"
        )
    for index, doc in enumerate(docs):
        where = f"docs[{index}]"
        if isinstance(doc, Mapping):
            missing = [key for key in ("id", "text") if key not in doc]
            if missing:
                keys = ", ".join(repr(k) for k in list(doc)[:5]) or "none"
                raise InvalidInputError(
                    f"{where} has no {' and no '.join(repr(k) for k in missing)} key"
                    f" (its keys: {keys}); a document is {{'id': ..., 'text': ...}}"
                )
            doc_id, text = doc["id"], doc["text"]
        elif isinstance(doc, tuple) and len(doc) == 2:
            doc_id, text = doc
        else:
            shown = repr(doc) if len(repr(doc)) <= 40 else repr(doc)[:37] + "..."
            raise InvalidInputError(
                f"{where} is a {type(doc).__name__} ({shown}), not a document:"
                " give {'id': ..., 'text': ...} dicts (or (id, text) pairs)"
            )
        if not isinstance(text, str):
            raise InvalidInputError(
                f"{where} (id {doc_id!r}): its text is a {type(text).__name__}, not a str"
            )
        yield doc_id, text


def extract_many(
    resolver: Resolver,
    docs: Iterable[Document],
    *,
    lang: str | None = None,
    min_score: float = 0.5,
) -> Iterator[tuple[Any, list[Mention] | InvalidInputError]]:
    """Documents → ``(id, mentions)``, lazily and in order.

    Args:
        resolver: The resolver (and gazetteer) to extract with.
        docs: ``{"id": ..., "text": ...}`` dicts (any mapping; other keys are ignored),
            or ``(id, text)`` pairs.
        lang: The documents' language; ``None`` detects it sentence by sentence.
        min_score: Drop mentions whose match scores below this.

    Yields:
        ``(id, mentions)``; ``(id, error)`` for a document whose text cannot be read (a
        NUL character, too long), and the stream goes on.

    Raises:
        InvalidInputError: When the stream reaches an item that is no document (not a
            mapping or a pair, no ``"id"`` or ``"text"``, a text that is not a ``str``);
            the message names the item by its index.
    """
    return _extractor(resolver).extract_many(docs, lang=lang, min_score=min_score)
