"""Nominative-case candidates for inflected Ukrainian and Russian place names.

News text names places in every grammatical case ("у Херсоні", "під Бахмутом",
"Нової Каховки"), while the gazetteer stores the nominative.  This module turns
an inflected name into a short, ranked list of nominative candidates, and does
the reverse (:func:`inflections`) so a name's paradigm can be indexed or tested.

Two sources of evidence are combined, because neither is enough alone:

* pymorphy3's dictionaries (uk, ru).  They know many toponyms, but also give
  unrelated lemmas (``Львові`` → surname *Львов*) and miss small villages.
  Only the dictionary is consulted: pymorphy's guessing units are slow and the
  rule table below guesses better for place names.
* ending-replacement rules from ``data/endings.tsv``, one row per case ending of
  a declension class, so unknown names are still lemmatised.

A candidate's score is its best dictionary evidence plus its best (longest
matching) rule, so a lemma that both sources agree on comes first.  Multi-word
names are combined word by word and ranked by case and gender agreement
(``Кривому Розі`` → ``кривий ріг`` rather than ``криве роза``).
"""

from __future__ import annotations

import binascii
import functools
import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, NamedTuple

from toponyms.errors import InvalidInputError

__all__ = [
    "MAX_CANDIDATES",
    "analyzer_load_seconds",
    "guess_lang",
    "inflections",
    "is_inflected",
    "lemma_candidates",
    "normalize",
]

MAX_CANDIDATES: Final = 6
"""Most nominative candidates :func:`lemma_candidates` returns."""

LANGS: Final = ("uk", "ru")
_UK_LETTERS: Final = frozenset("іїєґ'")
_RU_LETTERS: Final = frozenset("ыэъё")
_VOWELS: Final = frozenset("аеєиіїоуюяыэё")
_CONSONANTS: Final = frozenset("бвгґджзйклмнпрстфхцчшщ")
_APOSTROPHES: Final = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "′": "'", "ˈ": "'"})
_HYPHENS: Final = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-"})
_STRIP: Final = ' \t\r\n.,;:!?«»"“”„()[]'

PREPOSITIONS: Final = frozenset(
    [
        "в",
        "у",
        "во",
        "під",
        "под",
        "із",
        "з",
        "зі",
        "из",
        "изо",
        "до",
        "біля",
        "возле",
        "около",
        "на",
        "за",
        "від",
        "от",
        "над",
        "поблизу",
        "поруч",
        "коло",
        "через",
        "по",
        "після",
        "после",
        "між",
        "между",
        "перед",
    ]
)
"""Leading words dropped from a multi-word phrase (``під Бахмутом`` → ``Бахмутом``), and
words after which the rest of a name is left as it is (``Ростов-на-Дону``)."""

_NAMED_AFTER: Final = frozenset({"имени", "імені", "им", "ім"})
"""``імені Шевченка``: this word and the rest of the name never inflect."""


def _freezes(word: str, position: int) -> bool:
    """Whether ``word`` at ``position`` of a name starts a part that never inflects."""
    return word in _NAMED_AFTER or (position > 0 and word in PREPOSITIONS)


# Case names used throughout: pymorphy3 grammemes mapped to short labels.
_CASES: Final = {
    "nomn": "nom",
    "gent": "gen",
    "gen2": "gen",
    "datv": "dat",
    "accs": "acc",
    "ablt": "ins",
    "loct": "loc",
    "loc2": "loc",
    "voct": "voc",
}
_OBLIQUE_CASES: Final = ("gen", "dat", "acc", "ins", "loc")
_PM_CASE: Final = {"gen": "gent", "dat": "datv", "acc": "accs", "ins": "ablt", "loc": "loct"}
_GENDERS: Final = {"masc": "m", "femn": "f", "neut": "n"}

# Scores.  Dictionary evidence: a geographic lemma beats a common noun beats an
# adjective beats a person's name.  Rules: 10 + 3 per letter of matched ending.
_W_GEOX: Final = 20.0
_W_NOUN: Final = 14.0
_W_ADJ: Final = 4.0
_W_NAME: Final = 4.0
_W_RULE_BASE: Final = 10.0
_W_RULE_PER_LETTER: Final = 3.0
_W_IDENTITY: Final = 30.0
_W_IDENTITY_WEAK: Final = 1.0
_BONUS_CASE: Final = 20.0
_BONUS_GENDER: Final = 10.0
_PENALTY_APPOSITION: Final = 15.0  # a noun before the head noun: rare in place names
_PRUNE_MARGIN: Final = 30.0  # candidates this far below the best are dropped
_KEEP_PER_WORD: Final = 10  # candidates kept per word (phrases combine at most 5 per word)


# --------------------------------------------------------------------------- rule table


@dataclass(frozen=True, slots=True)
class EndingRule:
    """A row of ``endings.tsv``: ``stem + oblique`` may be a case form of ``stem + nominative``."""

    lang: str
    paradigm: str
    pos: str  # "n" noun, "a" adjective
    gender: str  # m f n p
    nominative: str
    oblique: str
    cases: frozenset[str]
    stem: frozenset[str] | None  # allowed last letters of the stem; None = any
    sample: str
    order: int

    def stem_ok(self, stem: str) -> bool:
        """Whether ``stem`` may carry this ending (long enough, right final letter)."""
        return bool(stem) and (self.stem is None or stem[-1] in self.stem)


def _stem_class(spec: str) -> frozenset[str] | None:
    if spec == "*":
        return None
    if spec == "C":
        return _CONSONANTS
    if spec == "V":
        return _VOWELS
    return frozenset(spec)


@functools.cache
def load_rules() -> tuple[EndingRule, ...]:
    """Read ``data/endings.tsv`` (shipped as package data) into :class:`EndingRule` rows."""
    text = resources.files("toponyms.text.data").joinpath("endings.tsv").read_text("utf-8")
    rules: list[EndingRule] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        row = dict(zip(header, cells, strict=True))
        rules.append(
            EndingRule(
                lang=row["lang"],
                paradigm=row["paradigm"],
                pos=row["pos"],
                gender=row["gender"],
                nominative="" if row["nominative"] == "∅" else row["nominative"],
                oblique=row["oblique"],
                cases=frozenset(row["cases"].split(",")),
                stem=_stem_class(row["stem"]),
                sample=row["sample"],
                order=len(rules),
            )
        )
    return tuple(rules)


@functools.cache
def _rules_by_oblique(lang: str) -> dict[str, tuple[EndingRule, ...]]:
    index: dict[str, list[EndingRule]] = {}
    for rule in load_rules():
        if rule.lang == lang:
            index.setdefault(rule.oblique, []).append(rule)
    return {k: tuple(v) for k, v in index.items()}


@functools.cache
def _rules_by_nominative(lang: str) -> dict[str, tuple[EndingRule, ...]]:
    index: dict[str, list[EndingRule]] = {}
    for rule in load_rules():
        if rule.lang == lang:
            index.setdefault(rule.nominative, []).append(rule)
    return {k: tuple(v) for k, v in index.items()}


@functools.cache
def _max_len(lang: str) -> int:
    return max(len(k) for k in _rules_by_oblique(lang))


# --------------------------------------------------------------------------- analyzers

_LOAD_SECONDS: dict[str, float] = {}


@functools.cache
def _analyzer(lang: str) -> Any:
    """The pymorphy3 analyzer for ``lang``, dictionary lookup only, built once on first use."""
    import pymorphy3
    from pymorphy3 import units

    start = time.perf_counter()
    analyzer = pymorphy3.MorphAnalyzer(lang=lang, units=[units.DictionaryAnalyzer()])
    _LOAD_SECONDS[lang] = time.perf_counter() - start
    return analyzer


def analyzer_load_seconds() -> dict[str, float]:
    """Seconds each pymorphy3 analyzer took to load so far (empty until first use)."""
    return dict(_LOAD_SECONDS)


# --------------------------------------------------------------------------- dictionary reader

# Bits of a unit of a dawgdic double array, the layout of pymorphy3's ``.dawg`` files.
_HAS_LEAF: Final = 1 << 8  # the node ends a key
_EXTENSION: Final = 1 << 9  # the offset to the children is stored shifted by 8 bits
_LABEL_MASK: Final = (1 << 31) | 0xFF  # the label of a node, and the bit that marks a leaf
_VALUE_MASK: Final = (1 << 31) - 1
_PROB_SCALE: Final = 1_000_000  # P(t|w) is stored as an integer in millionths

# Words whose readings the fast reader must reproduce before it is trusted: ё and ґ spelt
# and unspelt, a P(t|w) entry, many readings, none.
_SELF_CHECK: Final = {
    "uk": ("херсоні", "нова", "гава", "ґанок", "ганок", "київ", "стіл", "бахмутом", "ыыы"),
    "ru": ("херсоне", "новая", "все", "елка", "ёлка", "стали", "москве", "три", "ыыы"),
}


class _Reading(NamedTuple):
    """One dictionary reading of a word: the fields of pymorphy3's ``Parse`` used here."""

    word: str  # the dictionary's spelling (ё or ґ restored)
    tag: Any  # pymorphy3 OpencorporaTag
    normal_form: str
    score: float
    para: int  # the paradigm (pymorphy3's para_id) and the form's place in it (idx)
    form: int


class _Reader:
    """What ``MorphAnalyzer.parse`` returns with the dictionary unit alone, only faster.

    Without the optional ``DAWG`` C extension, pymorphy3 reads its word and probability
    dictionaries through DAWG-Python, which makes several method calls per byte of a key
    and per byte of every stored value; for the short words here that is most of the
    time of a parse.  This reader walks the same double arrays in plain loops and builds
    the same readings, in the same order, with the same scores.  It is built only when
    the loaded dictionaries have DAWG-Python's layout and it reproduces the analyzer on
    :data:`_SELF_CHECK`; otherwise :func:`_readings` asks the analyzer itself.
    """

    def __init__(self, analyzer: Any) -> None:
        dictionary = analyzer.dictionary
        words = dictionary.words
        self._units: Sequence[int] = words.dct._units
        self._guide: Sequence[int] = words.guide._units
        self._separator: bytes = words._payload_separator
        self._unpack: Any = words._struct.unpack
        self._substitutes: dict[str, list[tuple[bytes, str]]] = {
            raw.decode("utf-8"): list(replacements)
            for raw, replacements in (analyzer.char_substitutes or {}).items()
        }
        self._tag_of: Any = dictionary.build_tag_info
        self._normal_form_of: Any = dictionary.build_normal_form
        estimator = analyzer.prob_estimator
        self._prob_units: Sequence[int] | None = (
            None if estimator is None else estimator.p_t_given_w.dct._units
        )

    def _follow(self, units: Sequence[int], key: bytes, index: int) -> int | None:
        """The node reached from ``index`` along the bytes of ``key``, or ``None``.

        (DAWG-Python also treats node 0 as "none"; but 0 is the root, never a child.)
        """
        for label in key:
            base = units[index]
            index ^= ((base >> 10) << ((base & _EXTENSION) >> 6)) ^ label
            if units[index] & _LABEL_MASK != label:
                return None
        return index

    def _spellings(self, key: str, start: int, prefix: str, index: int) -> list[tuple[str, int]]:
        """Dictionary spellings of ``key`` (with ё for е, ґ for г where the dictionary has
        them) and the node of each one's values, in DAWG-Python's ``similar_items`` order.

        ``prefix`` is the spelling of ``key[:start]`` chosen so far and ``index`` its node.
        """
        found: list[tuple[str, int]] = []
        units, substitutes = self._units, self._substitutes
        run = start  # letters from here on have not been followed yet
        for pos in range(start, len(key)):
            if key[pos] not in substitutes:
                continue
            # Up to a letter with a substitute (е, г): first the spellings through it.
            step = self._follow(units, key[run:pos].encode("utf-8"), index)
            if step is None:
                return found
            index, run = step, pos
            for raw, letter in substitutes[key[pos]]:
                branch = self._follow(units, raw, index)
                if branch is not None:
                    spelt = prefix + key[start:pos] + letter
                    found += self._spellings(key, pos + 1, spelt, branch)
        step = self._follow(units, key[run:].encode("utf-8") + self._separator, index)
        if step is not None:
            found.insert(0, (prefix + key[start:], step))
        return found

    def _values(self, index: int) -> list[tuple[int, int]]:
        """The (paradigm, form) pairs stored below the node ``index``.

        Each value is a base64 key completing the word; they are enumerated depth first
        along the guide (first child, next sibling) as DAWG-Python's ``Completer`` does.
        """
        units, guide = self._units, self._guide
        found: list[tuple[int, int]] = []
        key = bytearray()
        path = [index]
        while True:
            while not units[index] & _HAS_LEAF:  # down the first children to a key's end
                label = guide[index * 2]
                base = units[index]
                index ^= ((base >> 10) << ((base & _EXTENSION) >> 6)) ^ label
                if units[index] & _LABEL_MASK != label:
                    return found
                key.append(label)
                path.append(index)
            found.append(self._unpack(binascii.a2b_base64(key)))
            label = guide[index * 2]
            if not label:  # no child: up to the nearest node with a next sibling
                while True:
                    label = guide[index * 2 + 1]
                    if key:
                        key.pop()
                    path.pop()
                    if not path:
                        return found
                    index = path[-1]
                    if label:
                        break
            base = units[index]
            index ^= ((base >> 10) << ((base & _EXTENSION) >> 6)) ^ label
            if units[index] & _LABEL_MASK != label:
                return found
            key.append(label)
            path.append(index)

    def _probabilities(
        self, units: Sequence[int], word: str, readings: list[_Reading]
    ) -> list[float] | None:
        """P(tag | word) of each reading, or ``None`` when the dictionary has none for ``word``."""
        start = self._follow(units, f"{word}:".encode(), 0)
        if start is None:
            return None
        probs: list[float] = []
        for reading in readings:
            index = self._follow(units, str(reading.tag).encode("utf-8"), start)
            if index is None or not units[index] & _HAS_LEAF:
                probs.append(0.0)
                continue
            base = units[index]
            value = units[index ^ ((base >> 10) << ((base & _EXTENSION) >> 6))] & _VALUE_MASK
            probs.append(value / _PROB_SCALE)
        return probs

    def parse(self, word: str) -> list[_Reading]:
        """The readings ``MorphAnalyzer.parse(word)`` gives, best first."""
        word = word.lower()
        readings = [
            _Reading(
                spelling,
                self._tag_of(para, form),
                self._normal_form_of(para, form, spelling),
                1.0,
                para,
                form,
            )
            for spelling, index in self._spellings(word, 0, "", 0)
            for para, form in self._values(index)
        ]
        if not readings or self._prob_units is None:
            return readings  # no estimator (uk): every reading scores 1.0
        probs = self._probabilities(self._prob_units, word, readings)
        if probs is None or not any(probs):
            # No P(t|w) for the word: pymorphy3 spreads the score evenly.
            share = 1.0 / len(readings)
            return [r._replace(score=share) for r in readings]
        scored = [r._replace(score=p) for r, p in zip(readings, probs, strict=True)]
        return sorted(scored, key=lambda r: r.score, reverse=True)

    def is_known(self, word: str) -> bool:
        """``MorphAnalyzer.word_is_known(word)``: some spelling of it is in the dictionary."""
        return bool(self._spellings(word.lower(), 0, "", 0))


def _analyzer_readings(analyzer: Any, word: str) -> list[_Reading]:
    """``analyzer.parse(word)`` as readings (the dictionary unit's method stack holds the
    paradigm and form)."""
    return [
        _Reading(p.word, p.tag, p.normal_form, p.score, *p.methods_stack[0][2:4])
        for p in analyzer.parse(word)
    ]


@functools.cache
def _reader(lang: str) -> _Reader | None:
    """The fast reader for ``lang``, or ``None`` when it cannot be trusted to match pymorphy3."""
    analyzer = _analyzer(lang)
    try:
        reader = _Reader(analyzer)
        agrees = all(
            reader.parse(w) == _analyzer_readings(analyzer, w)
            and reader.is_known(w) == analyzer.word_is_known(w)
            for w in _SELF_CHECK[lang]
        )
    except (AttributeError, TypeError, IndexError, ValueError):
        return None  # another DAWG implementation (the C extension) or layout
    return reader if agrees else None


def _readings(word: str, lang: str) -> list[_Reading]:
    """The dictionary readings of ``word`` in ``lang``, as ``MorphAnalyzer.parse`` gives them."""
    reader = _reader(lang)
    if reader is None:
        return _analyzer_readings(_analyzer(lang), word)
    return reader.parse(word)


def _is_known(word: str, lang: str) -> bool:
    """Whether the ``lang`` dictionary knows ``word`` (``MorphAnalyzer.word_is_known``)."""
    reader = _reader(lang)
    if reader is None:
        return bool(_analyzer(lang).word_is_known(word))
    return reader.is_known(word)


# --------------------------------------------------------------------------- helpers


def normalize(text: str) -> str:
    """Lower-case, unify apostrophes and hyphens, squeeze spaces, strip edge punctuation."""
    if not isinstance(text, str):
        raise InvalidInputError(f"expected a string, got {type(text).__name__}")
    folded = text.translate(_APOSTROPHES).translate(_HYPHENS).lower()
    return " ".join(w.strip(_STRIP) for w in folded.split() if w.strip(_STRIP))


def guess_lang(text: str) -> str | None:
    """``"uk"`` or ``"ru"`` when the letters decide it, else ``None`` (try both)."""
    letters = set(text.lower().translate(_APOSTROPHES))
    uk, ru = bool(letters & _UK_LETTERS), bool(letters & _RU_LETTERS)
    if uk and not ru:
        return "uk"
    if ru and not uk:
        return "ru"
    return None


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in LANGS:
        raise InvalidInputError(f"lang must be one of {LANGS} or None, got {lang!r}")


def _langs_for(text: str, lang: str | None) -> list[str]:
    """The languages to analyse ``text`` in: the given one, the guessed one, or both."""
    if lang is not None:
        return [lang]
    guessed = guess_lang(text)
    return [guessed] if guessed else list(LANGS)


def _has_cyrillic(text: str) -> bool:
    return any("а" <= ch <= "я" or ch in "іїєґёў" for ch in text)


class _Cand(NamedTuple):
    """A nominative candidate for one word, with what agreement needs to know."""

    form: str
    score: float
    pos: str  # the parts of speech it may be: "n" noun, "a" adjective, both, or "" unknown
    genders: frozenset[str]  # of the nominative: m f n p; empty = unknown
    cases: frozenset[str]  # cases the input word was read in


def _tag_gender(tag: Any) -> frozenset[str]:
    if tag.number == "plur":
        return frozenset("p")
    g = _GENDERS.get(tag.gender or "")
    return frozenset(g) if g else frozenset()


def _is_proper_uk(tag: Any) -> bool:
    """Whether a Ukrainian dictionary tag belongs to a proper (mostly geographic) noun.

    The uk dictionary has no ``Geox`` grammeme, but its proper-noun lexemes put
    gender or number before ``inan`` in the invariant part of the tag
    (``NOUN,masc,inan`` for *Херсон*, ``NOUN,inan masc`` for *стіл*); an
    observation about the shipped dictionary, used only as a ranking hint.
    """
    static = str(tag).split(" ", 1)[0].split(",")
    return tag.POS == "NOUN" and "inan" in static and static.index("inan") > 1


def _dictionary_weight(tag: Any) -> float:
    grammemes = tag.grammemes
    if "Geox" in grammemes or _is_proper_uk(tag):
        return _W_GEOX
    if {"Name", "Surn", "Patr"} & grammemes:
        return _W_NAME
    if tag.POS == "ADJF":
        return _W_ADJ
    if "anim" in grammemes:
        return _W_NAME
    return _W_NOUN


# --------------------------------------------------------------------------- one word


class _WordInfo(NamedTuple):
    cands: tuple[_Cand, ...]  # best first, identity not included
    may_be_nominative: bool
    known: bool  # the dictionary had a noun/adjective reading
    identity: _Cand


def _rule_matches(word: str, lang: str) -> Iterable[tuple[EndingRule, str]]:
    """Every (rule, stem) whose oblique ending matches the end of ``word``."""
    index = _rules_by_oblique(lang)
    for length in range(min(_max_len(lang), len(word) - 1), 0, -1):
        for rule in index.get(word[-length:], ()):
            stem = word[:-length]
            if rule.stem_ok(stem):
                yield rule, stem


def _nominative_match(word: str, lang: str) -> tuple[int, EndingRule | None]:
    """Length of the longest nominative ending ``word`` has (-1: none), and its rule."""
    index = _rules_by_nominative(lang)
    for length in range(min(6, len(word) - 2), -1, -1):
        ending = word[len(word) - length :]
        for rule in index.get(ending, ()):
            if rule.stem_ok(word[: len(word) - length]):
                return length, rule
    return -1, None


# Masculine nominative ending → (feminine, neuter, plural) endings, longest first.  Turning
# pymorphy's masculine lemma into the reading's gender by string is ~20x cheaper than inflect().
_ADJ_ENDINGS: Final[dict[str, tuple[tuple[str, str, str, str], ...]]] = {
    "uk": (
        ("ій", "я", "є", "і"),
        ("ий", "а", "е", "і"),
        ("їв", "єва", "єве", "єві"),
        ("ів", "ова", "ове", "ові"),
        ("ин", "ина", "ине", "ині"),
    ),
    "ru": (
        ("кий", "кая", "кое", "кие"),
        ("гий", "гая", "гое", "гие"),
        ("хий", "хая", "хое", "хие"),
        ("жий", "жая", "жее", "жие"),
        ("ший", "шая", "шее", "шие"),
        ("чий", "чая", "чее", "чие"),
        ("щий", "щая", "щее", "щие"),
        ("ий", "яя", "ее", "ие"),
        ("ый", "ая", "ое", "ые"),
        ("ой", "ая", "ое", "ые"),
        ("ов", "ова", "ово", "овы"),
        ("ев", "ева", "ево", "евы"),
        ("ин", "ина", "ино", "ины"),
    ),
}


class _TagFacts(NamedTuple):
    """What :func:`_word_info` needs from a pymorphy3 tag, computed once per distinct tag."""

    pos: str  # "n" or "a"
    case: str  # nom gen dat acc ins loc voc, or "" when the tag has none
    genders: frozenset[str]
    weight: float
    slot: int  # adjectives: 0 masc, 1 fem, 2 neut, 3 plural; nouns: -1 lemma, -2 inflect


@functools.lru_cache(maxsize=4096)
def _tag_facts(tag: Any) -> _TagFacts | None:
    if tag.POS not in ("NOUN", "ADJF"):
        return None
    if tag.POS == "NOUN":
        pos, slot = "n", -2 if tag.number == "plur" and "Pltm" not in tag.grammemes else -1
    else:
        pos = "a"
        slot = 3 if tag.number == "plur" else {"femn": 1, "neut": 2}.get(tag.gender or "", 0)
    case = _CASES.get(tag.case or "", "")
    return _TagFacts(pos, case, _tag_gender(tag), _dictionary_weight(tag), slot)


def _nominative_of(reading: _Reading, facts: _TagFacts, lang: str) -> str:
    """The nominative of a dictionary reading, keeping its number and (adjectives) gender."""
    lemma = reading.normal_form
    if facts.slot == -1 or facts.slot == 0:
        return lemma
    if facts.slot > 0:
        for row in _ADJ_ENDINGS[lang]:
            if lemma.endswith(row[0]):
                return lemma[: len(lemma) - len(row[0])] + row[facts.slot]
    found = _lexeme_nominative(reading, lang)
    return found if found is not None else lemma


_NOMINATIVE: Final = frozenset({"nomn"})


def _lexeme_nominative(reading: _Reading, lang: str) -> str | None:
    """The nominative form of ``reading``'s lexeme, as pymorphy3's ``inflect({"nomn"})`` picks it.

    Of the lexeme's forms tagged ``nomn``, the first that shares most grammemes with the
    reading's tag once its case is made nominative (so a plural stays plural); ``None``
    when the lexeme has no nominative.  Built from the paradigm directly, which saves
    parsing the word again to get pymorphy3's ``Parse`` object.  (pymorphy3 retries with
    rare cases mapped to common ones, which changes nothing for ``nomn``.)
    """
    dictionary = _analyzer(lang).dictionary
    stem = dictionary.build_stem(dictionary.paradigms[reading.para], reading.form, reading.word)
    wanted = reading.tag.updated_grammemes(_NOMINATIVE)
    best: str | None = None
    best_similarity = 0.0
    for prefix, tag, suffix in dictionary.build_paradigm_info(reading.para):
        grammemes = tag.grammemes
        if "nomn" not in grammemes:
            continue
        similarity = len(wanted & grammemes) - 0.1 * len(wanted ^ grammemes)
        if best is None or similarity > best_similarity:
            best, best_similarity = prefix + stem + suffix, similarity
    return best


@functools.lru_cache(maxsize=100_000)
def _word_info(word: str, lang: str) -> _WordInfo:
    """Nominative candidates of one (unhyphenated or dictionary-known) word in ``lang``."""
    keep_yo = "ё" in word
    best_dict: dict[str, float] = {}
    best_rule: dict[str, float] = {}
    pos: dict[str, set[str]] = {}
    genders: dict[str, set[str]] = {}
    cases: dict[str, set[str]] = {}
    known = False
    nominative_reading = False
    id_pos, id_genders = "", frozenset[str]()

    for parse in _readings(word, lang):
        facts = _tag_facts(parse.tag)
        if facts is None:
            continue
        known = True
        case = facts.case or ("nom" if parse.word == parse.normal_form else "")
        if case in ("voc", ""):
            continue
        if case == "nom":
            nominative_reading = True
            id_pos, id_genders = facts.pos, facts.genders
        form = _nominative_of(parse, facts, lang)
        if not keep_yo:
            form = form.replace("ё", "е")
        weight = facts.weight + parse.score
        if weight > best_dict.get(form, -1.0):
            best_dict[form] = weight
        pos.setdefault(form, set()).add(facts.pos)
        genders.setdefault(form, set()).update(facts.genders)
        cases.setdefault(form, set()).add(case)

    longest_oblique = 0
    for rule, stem in _rule_matches(word, lang):
        longest_oblique = max(longest_oblique, len(rule.oblique))
        form = stem + rule.nominative
        weight = _W_RULE_BASE + _W_RULE_PER_LETTER * len(rule.oblique)
        if weight > best_rule.get(form, -1.0):
            best_rule[form] = weight
        if form not in best_dict:
            pos.setdefault(form, set()).add(rule.pos)
        genders.setdefault(form, set()).add(rule.gender)
        cases.setdefault(form, set()).update(rule.cases)

    if known:
        may_nom = nominative_reading
    else:
        nom_len, nom_rule = _nominative_match(word, lang)
        may_nom = longest_oblique == 0 or nom_len >= longest_oblique
        if nom_rule is not None:
            id_pos, id_genders = nom_rule.pos, frozenset(nom_rule.gender)

    totals = {f: best_dict.get(f, 0.0) + best_rule.get(f, 0.0) for f in {*best_dict, *best_rule}}
    totals.pop(word, None)
    # Only the best few are ever combined or returned; build candidates for those alone.
    best_forms = sorted(totals, key=lambda f: (-totals[f], f))[:_KEEP_PER_WORD]
    scored = [
        _Cand(
            form,
            totals[form],
            "".join(sorted(pos.get(form, ()))),
            frozenset(genders.get(form, ())),
            frozenset(cases.get(form, ())),
        )
        for form in best_forms
    ]
    identity = _Cand(
        word,
        _W_IDENTITY if may_nom else _W_IDENTITY_WEAK,
        id_pos,
        id_genders,
        frozenset({"nom"}),
    )
    return _WordInfo(tuple(scored), may_nom, known, identity)


# --------------------------------------------------------------------------- phrases


def _combine(options: Sequence[Sequence[_Cand]], joiner: str, limit: int) -> list[_Cand]:
    """Best combinations of per-word candidates, scored with case and gender agreement.

    In a spaced phrase (``joiner == " "``) a noun before the last word is
    penalised: place names are adjective + noun (*Кривий Ріг*), not two nouns.
    """
    results: list[_Cand] = []
    for combo in itertools.product(*options):
        score = sum(c.score for c in combo)
        if joiner == " ":
            score -= _PENALTY_APPOSITION * sum(1 for c in combo[:-1] if c.pos == "n")
        free = [c for c in combo if c.cases]
        if len(free) > 1 and frozenset.intersection(*(c.cases for c in free)):
            score += _BONUS_CASE
        nouns = [i for i, c in enumerate(combo) if "n" in c.pos and c.genders]
        head = nouns[-1] if nouns else len(combo) - 1
        if nouns:
            for i, c in enumerate(combo):
                if i != head and "a" in c.pos and c.genders:
                    agree = bool(c.genders & combo[head].genders)
                    score += _BONUS_GENDER if agree else -_BONUS_GENDER
        # The compound takes the grammar of its first noun (Білгород-Дністровський: masc noun).
        lead = combo[nouns[0]] if nouns else combo[-1]
        cases = frozenset.intersection(*(c.cases for c in free)) if free else frozenset()
        form = joiner.join(c.form for c in combo)
        results.append(_Cand(form, score, lead.pos, lead.genders, cases))
    results.sort(key=lambda c: (-c.score, c.form))
    return results[:limit]


def _fixed(word: str) -> _Cand:
    return _Cand(word, 0.0, "", frozenset(), frozenset())


def _options(parts: Sequence[str], lang: str, per_word: int) -> tuple[list[list[_Cand]], bool]:
    """Per-part candidate lists (identity first when plausible) and whether all may be nominative.

    Parts after a preposition (``на`` in ``Ростов-на-Дону``) are kept as they are.
    """
    options: list[list[_Cand]] = []
    all_nominative = True
    frozen = False
    for i, part in enumerate(parts):
        if frozen or _freezes(part, i) or not _has_cyrillic(part):
            frozen = frozen or _freezes(part, i)
            options.append([_fixed(part)])
            continue
        info = _token_info(part, lang)
        all_nominative = all_nominative and info.may_be_nominative
        options.append([info.identity, *info.cands[: per_word - 1]])
    return options, all_nominative


@functools.lru_cache(maxsize=100_000)
def _token_info(token: str, lang: str) -> _WordInfo:
    """Like :func:`_word_info`, but splits unknown hyphenated names (``Нью-Йорку``) into parts."""
    info = _word_info(token, lang)
    parts = token.split("-")
    if len(parts) == 1 or info.known or any(not p for p in parts):
        return info
    options, all_nominative = _options(parts, lang, 3)
    combos = _combine(options, "-", MAX_CANDIDATES + 1)
    cands = tuple(c for c in combos if c.form != token)
    identity = info.identity._replace(score=_W_IDENTITY if all_nominative else _W_IDENTITY_WEAK)
    return _WordInfo(cands, all_nominative, False, identity)


@functools.lru_cache(maxsize=100_000)
def _lemmas(phrase: str, lang: str | None) -> tuple[str, ...]:
    words = phrase.split(" ")
    if len(words) > 1 and words[0] in PREPOSITIONS:
        words = words[1:]
    langs = _langs_for(phrase, lang)
    own = " ".join(words)
    if len(words) == 1 and not _has_cyrillic(own):
        return (own,)
    if len(langs) > 1:
        # Letters did not decide; a dictionary that knows the words does (and halves the work).
        knowing = [one for one in langs if any(_is_known(w, one) for w in words)]
        if len(knowing) == 1:
            langs = knowing
    scored: dict[str, float] = {}
    verdicts: list[tuple[bool, bool]] = []  # (known to the dictionary, may be nominative)
    for one in langs:
        if len(words) == 1:
            info = _token_info(own, one)
            verdicts.append((info.known, info.may_be_nominative))
            cands: Sequence[_Cand] = info.cands
        else:
            per_word = {2: 5, 3: 3}.get(len(words), 2)
            options, all_nom = _options(words, one, per_word)
            verdicts.append((False, all_nom))
            cands = _combine(options, " ", MAX_CANDIDATES * 2)
        for cand in cands:
            if cand.score > scored.get(cand.form, float("-inf")):
                scored[cand.form] = cand.score
    # A language whose dictionary knows the word outvotes one that only guesses.
    trusted = [nom for known, nom in verdicts if known] or [nom for _, nom in verdicts]
    ordered = sorted(scored, key=lambda f: -scored[f])
    if ordered:
        floor = scored[ordered[0]] - _PRUNE_MARGIN
        ordered = [f for f in ordered if scored[f] >= floor and f != own]
    if any(trusted):
        ordered.insert(0, own)
    elif len(ordered) < MAX_CANDIDATES:
        ordered.append(own)
    return tuple(ordered[:MAX_CANDIDATES])


def lemma_candidates(phrase: str, lang: str | None = None) -> list[str]:
    """Nominative candidates for an inflected Ukrainian or Russian place name, best first.

    ``phrase`` may be one word or several (``Херсонської області``); a leading
    preposition (``під Бахмутом``) is dropped.  The phrase itself comes first
    when it may already be nominative.  ``lang`` is ``"uk"``, ``"ru"`` or
    ``None`` to decide by letters (і ї є ґ ' → uk; ы э ъ ё → ru; else both).
    Output is lower-case, at most :data:`MAX_CANDIDATES` entries.  Results are
    memoised, so repeated query tokens cost a dictionary lookup.

    >>> lemma_candidates("Херсоні")[0]
    'херсон'
    """
    _check_lang(lang)
    text = normalize(phrase)
    if not text:
        raise InvalidInputError("empty place name")
    return list(_lemmas(text, lang))


def is_inflected(word: str, lang: str | None = None) -> bool:
    """Cheap guess: True when ``word`` cannot be a nominative (``Херсоні``, ``Бахмутом``)."""
    _check_lang(lang)
    text = normalize(word)
    if not text:
        raise InvalidInputError("empty word")
    langs = _langs_for(text, lang)
    last = text.split(" ")[-1]
    if not _has_cyrillic(last):
        return False
    return not any(_token_info(last, one).may_be_nominative for one in langs)


# --------------------------------------------------------------------------- paradigms


def _dictionary_paradigm(word: str, lang: str, want_adj: bool) -> dict[str, list[str]] | None:
    """Case forms of ``word`` from pymorphy3's lexeme, when it knows ``word`` as a nominative."""
    best: Any = None
    best_rank = -1.0
    for parse in _analyzer(lang).parse(word):
        tag = parse.tag
        if tag.POS not in ("NOUN", "ADJF") or parse.word != word:
            continue
        if tag.case not in (None, "nomn") or (tag.case is None and parse.normal_form != word):
            continue
        rank = _dictionary_weight(tag) + (5.0 if (tag.POS == "ADJF") == want_adj else 0.0)
        if rank > best_rank:
            best, best_rank = parse, rank
    if best is None:
        return None
    number, gender = best.tag.number, best.tag.gender
    fixed = _lexeme_constants(best.tag)
    forms: dict[str, list[str]] = {c: [] for c in _OBLIQUE_CASES}
    for form in best.lexeme:
        case = _CASES.get(form.tag.case or "", "")
        if case not in forms or form.tag.number != number or _lexeme_constants(form.tag) != fixed:
            continue
        if number != "plur" and gender and form.tag.gender != gender:
            continue  # adjectives keep their gender; surnames list both genders in one lexeme
        if form.word not in forms[case]:
            forms[case].append(form.word)
    if number == "plur" or gender in ("masc", "neut"):
        forms["acc"] = [word]  # places are inanimate: accusative = nominative
    return forms if any(forms.values()) else None


_VARIABLE_GRAMMEMES: Final = frozenset(
    {*_CASES, "sing", "plur", "masc", "femn", "neut", "anim", "inan", "Geox", "Sgtm", "Pltm"}
)


def _lexeme_constants(tag: Any) -> frozenset[str]:
    """Grammemes that must not change across a paradigm (degree, spelling variant, name type).

    Filters superlatives (*новейшей*) and old spellings (*области*) out of a lexeme,
    while ending variants (``V-oy``: *новою*) are kept.
    """
    return frozenset(
        g for g in tag.grammemes if g not in _VARIABLE_GRAMMEMES and not g.startswith("V-")
    )


def _known_noun(word: str, lang: str) -> bool:
    """Whether the dictionary reads ``word`` as a nominative noun and not as an adjective."""
    tags = [p.tag for p in _analyzer(lang).parse(word) if p.tag.case == "nomn"]
    return any(t.POS == "NOUN" for t in tags) and not any(t.POS == "ADJF" for t in tags)


def _rule_paradigm(word: str, lang: str, want_adj: bool) -> dict[str, list[str]]:
    """Case forms of an unknown nominative ``word`` from the rule table, read in reverse."""
    matches: list[tuple[int, int, int, EndingRule]] = []
    index = _rules_by_nominative(lang)
    for length in range(min(6, len(word) - 2), -1, -1):
        for rule in index.get(word[len(word) - length :], ()):
            if rule.stem_ok(word[: len(word) - length]):
                pos_rank = 1 if (rule.pos == "a") == want_adj else 0
                matches.append((pos_rank, length, -rule.order, rule))
    forms: dict[str, list[str]] = {c: [] for c in _OBLIQUE_CASES}
    if not matches:
        return forms
    paradigm = max(matches, key=lambda m: m[:3])[3].paradigm
    for _, length, _, rule in sorted(matches, key=lambda m: -m[2]):
        if rule.paradigm != paradigm:
            continue
        form = word[: len(word) - length] + rule.oblique
        for case in rule.cases:
            if case in forms and form not in forms[case]:
                forms[case].append(form)
    if not forms["acc"] and not any(
        r.paradigm == paradigm and r.gender == "f" for r in load_rules()
    ):
        forms["acc"].append(word)  # inanimate masculine, neuter and plural: accusative = nominative
    return forms


def _word_paradigm(word: str, lang: str, want_adj: bool) -> dict[str, list[str]]:
    found = _dictionary_paradigm(word, lang, want_adj)
    if found is not None:
        return found
    if "-" in word:
        part_forms = _phrase_paradigm(word.split("-"), lang, hyphenated=True)
        return {c: ["-".join(p) for p in part_forms[c]] for c in _OBLIQUE_CASES}
    return _rule_paradigm(word, lang, want_adj)


def _phrase_paradigm(
    words: Sequence[str], lang: str, hyphenated: bool = False
) -> dict[str, list[tuple[str, ...]]]:
    """Per-case word tuples of a nominative phrase: every inflecting word in that case.

    Words of a spaced phrase that the dictionary does not know are read as
    adjectives unless last; unknown non-final parts of a hyphenated name
    (``Нью-``, ``Санкт-``) stay as they are.
    """
    per_word: list[dict[str, list[str]]] = []
    frozen = False
    for i, word in enumerate(words):
        if frozen or _freezes(word, i) or not _has_cyrillic(word):
            frozen = frozen or _freezes(word, i)
            per_word.append({c: [word] for c in _OBLIQUE_CASES})
            continue
        last = i == len(words) - 1 or _freezes(words[i + 1], i + 1)
        # An adjective is read before a noun, and after a known noun (Софіївка Друга).
        want_adj = not last or (i > 0 and _known_noun(words[i - 1], lang))
        forms = _dictionary_paradigm(word, lang, want_adj)
        if forms is None and hyphenated and not last:
            forms = {}
        elif forms is None:
            forms = _word_paradigm(word, lang, want_adj)
        per_word.append({c: (forms.get(c) or [word])[:3] for c in _OBLIQUE_CASES})
    return {c: list(itertools.product(*(w[c] for w in per_word))) for c in _OBLIQUE_CASES}


def inflections(name: str, lang: str) -> list[str]:
    """Genitive, dative, accusative, instrumental and locative forms of a nominative place name.

    Known words are inflected from pymorphy3's lexemes; unknown ones by reading
    the rule table backwards (the paradigm whose nominative ending matches
    longest).  Adjectives keep the gender of their nominative, so
    ``Нова Каховка`` gives ``нової каховки`` … ``новій каховці``.  Used to
    index names and to test that :func:`lemma_candidates` inverts them.
    """
    _check_lang(lang)
    if lang is None:
        raise InvalidInputError("inflections() needs lang='uk' or lang='ru'")
    text = normalize(name)
    if not text:
        raise InvalidInputError("empty place name")
    return list(_inflections(text, lang))


@functools.lru_cache(maxsize=10_000)
def _inflections(text: str, lang: str) -> tuple[str, ...]:
    words = text.split(" ")
    keep_yo = "ё" in text
    out: list[str] = []
    hyphen_parts = len(words) == 1 and "-" in words[0]
    if hyphen_parts and _dictionary_paradigm(words[0], lang, False) is None:
        by_case = _phrase_paradigm(words[0].split("-"), lang, hyphenated=True)
        joiner = "-"
    else:
        by_case = _phrase_paradigm(words, lang)
        joiner = " "
    for case in _OBLIQUE_CASES:
        for combo in by_case[case]:
            form = joiner.join(combo)
            if not keep_yo:
                form = form.replace("ё", "е")
            if form != text and form not in out:
                out.append(form)
    return tuple(out)
