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

import functools
import itertools
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from toponyms.errors import InvalidInputError
from toponyms.text import datafile

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
_APOSTROPHES_AND_HYPHENS: Final = {**_APOSTROPHES, **_HYPHENS}
_TO_UNIFY: Final = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in _APOSTROPHES_AND_HYPHENS) + "]"
)
_CYRILLIC: Final = re.compile("[а-яіїєґёў]")
_STRIP: Final = ' \t\r\n.,;:!?«»"“”„()[]'


def _name_words(role: str) -> frozenset[str]:
    return frozenset(row["word"] for row in datafile.NAME_WORDS.read() if row["role"] == role)


PREPOSITIONS: Final = _name_words("preposition")
"""Leading words dropped from a multi-word phrase (``під Бахмутом`` → ``Бахмутом``), and
words after which the rest of a name is left as it is (``Ростов-на-Дону``); from
``data/name_words.tsv``."""

_NAMED_AFTER: Final = _name_words("named_after")
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
    rules: list[EndingRule] = []
    for row in datafile.ENDINGS.read():
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


class _RuleYield(NamedTuple):
    """What the rules of one oblique ending give for one final stem letter and one nominative
    ending, merged (they share the ending, hence the weight)."""

    nominative: str
    pos: frozenset[str]
    genders: frozenset[str]
    cases: frozenset[str]
    pos_text: str  # ``pos`` as a candidate spells it: sorted letters


class _ObliqueRules(NamedTuple):
    """The rules of one oblique ending, looked up by the last letter of the stem."""

    weight: float  # every rule of an ending weighs the same: it depends on the ending's length
    by_letter: dict[str, tuple[_RuleYield, ...]]  # stem letters some rule restricts itself to
    any_letter: tuple[_RuleYield, ...]  # the rules that take any stem letter


def _merge_yields(rules: Iterable[EndingRule]) -> tuple[_RuleYield, ...]:
    merged: dict[str, tuple[set[str], set[str], set[str]]] = {}
    for rule in rules:
        pos, genders, cases = merged.setdefault(rule.nominative, (set(), set(), set()))
        pos.add(rule.pos)
        genders.add(rule.gender)
        cases.update(rule.cases)
    return tuple(
        _RuleYield(
            nominative, frozenset(pos), frozenset(genders), frozenset(cases), "".join(sorted(pos))
        )
        for nominative, (pos, genders, cases) in merged.items()
    )


@functools.cache
def _oblique_table(lang: str) -> dict[str, _ObliqueRules]:
    """:func:`_rules_by_oblique` with the stem check done ahead: per ending, per final stem
    letter, the rules that accept it.  Matching a word is then one or two look-ups per
    ending length instead of a test per rule."""
    table: dict[str, _ObliqueRules] = {}
    for oblique, rules in _rules_by_oblique(lang).items():
        wildcard = [r for r in rules if r.stem is None]
        letters = {letter for r in rules if r.stem is not None for letter in r.stem}
        by_letter = {
            letter: _merge_yields(r for r in rules if r.stem is None or letter in r.stem)
            for letter in letters
        }
        weight = _W_RULE_BASE + _W_RULE_PER_LETTER * len(oblique)
        table[oblique] = _ObliqueRules(weight, by_letter, _merge_yields(wildcard))
    return table


# Per nominative ending: the first rule (in file order) that accepts a final stem letter, by
# letter, and the first that accepts any letter.
_NominativeRules = tuple[dict[str, EndingRule], EndingRule | None]


@functools.cache
def _nominative_table(lang: str) -> dict[str, _NominativeRules]:
    """Per nominative ending, the first rule (in file order) that accepts each final stem
    letter, and the first that accepts any letter: the longest nominative ending of an
    unknown word tells whether it may be nominative, and its likely gender."""
    table: dict[str, _NominativeRules] = {}
    for nominative, rules in _rules_by_nominative(lang).items():
        by_letter: dict[str, EndingRule] = {}
        wildcard: EndingRule | None = None
        for rule in rules:
            if rule.stem is None:
                wildcard = rule  # later rules never come first
                break
            for letter in rule.stem:
                by_letter.setdefault(letter, rule)
        table[nominative] = (by_letter, wildcard)
    return table


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


# --------------------------------------------------------------------------- dictionary readings
# pymorphy3 reads its dictionaries through the DAWG2 C extension (the ``fast`` extra,
# a dependency of toponyms); without it, through the pure-Python DAWG-Python, several
# times slower and with the same answers.


class _Reading(NamedTuple):
    """One dictionary reading of a word: the fields of pymorphy3's ``Parse`` used here."""

    word: str  # the dictionary's spelling (ё or ґ restored)
    tag: Any  # pymorphy3 OpencorporaTag
    normal_form: str
    score: float
    para: int  # the paradigm (pymorphy3's para_id) and the form's place in it (idx)
    form: int


def _readings(word: str, lang: str) -> list[_Reading]:
    """The dictionary readings of ``word`` in ``lang``, as ``MorphAnalyzer.parse`` gives them
    (the dictionary unit's method stack holds the paradigm and form)."""
    return [
        _Reading(p.word, p.tag, p.normal_form, p.score, *p.methods_stack[0][2:4])
        for p in _analyzer(lang).parse(word)
    ]


def _is_known(word: str, lang: str) -> bool:
    """Whether the ``lang`` dictionary knows ``word`` (``MorphAnalyzer.word_is_known``)."""
    return bool(_analyzer(lang).word_is_known(word))


def _tagged(word: str, lang: str) -> list[tuple[str, int, int, Any]]:
    """(spelling, paradigm, form, tag) of each reading of ``word``."""
    return [(r.word, r.para, r.form, r.tag) for r in _readings(word, lang)]


_Ranked = tuple[str, int, int, Any, float]  # spelling, paradigm, form, tag, score


def _ranked(word: str, lang: str) -> list[_Ranked]:
    """The readings of ``word`` as ``MorphAnalyzer.parse`` ranks them."""
    return [(r.word, r.para, r.form, r.tag, r.score) for r in _readings(word, lang)]


def _normal_form(spelling: str, para: int, form: int, lang: str) -> str:
    """The normal form (lemma) of a reading, as pymorphy3 builds it."""
    normal_form: str = _analyzer(lang).dictionary.build_normal_form(para, form, spelling)
    return normal_form


def _scored_tags(word: str, lang: str) -> list[tuple[Any, float]]:
    """(tag, score) of each reading of ``word``, as ``MorphAnalyzer.parse`` ranks them."""
    return [(tag, score) for _, _, _, tag, score in _ranked(word, lang)]


# --------------------------------------------------------------------------- helpers


def normalize(text: str) -> str:
    """Lower-case, unify apostrophes and hyphens, squeeze spaces, strip edge punctuation."""
    if not isinstance(text, str):
        raise InvalidInputError(f"expected a string, got {type(text).__name__}")
    if _TO_UNIFY.search(text):
        text = text.translate(_APOSTROPHES_AND_HYPHENS)
    return " ".join(filter(None, [w.strip(_STRIP) for w in text.lower().split()]))


def guess_lang(text: str) -> str | None:
    """``"uk"`` or ``"ru"`` when the letters decide it, else ``None`` (try both)."""
    return _guess_folded(text.lower().translate(_APOSTROPHES))


def _guess_folded(text: str) -> str | None:
    """:func:`guess_lang` of lower-case text with unified apostrophes (normalised text)."""
    uk = not _UK_LETTERS.isdisjoint(text)
    ru = not _RU_LETTERS.isdisjoint(text)
    if uk and not ru:
        return "uk"
    if ru and not uk:
        return "ru"
    return None


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in LANGS:
        raise InvalidInputError(f"lang must be one of {LANGS} or None, got {lang!r}")


def _langs_for(text: str, lang: str | None) -> list[str]:
    """The languages to analyse normalised ``text`` in: the given one, the guessed one, or both."""
    if lang is not None:
        return [lang]
    guessed = _guess_folded(text)
    return [guessed] if guessed else list(LANGS)


def _has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


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


_MAX_NOMINATIVE: Final = 6  # longest nominative ending looked for


class _Endings(NamedTuple):
    """What the ending rules say about a word."""

    # Per oblique ending some rule accepts with this stem, longest first: its length, its
    # rules' weight and what they yield.
    oblique: list[tuple[int, float, tuple[_RuleYield, ...]]]
    nominative_length: int  # of the longest nominative ending the word has; -1 for none
    nominative_rule: EndingRule | None  # the first rule with that ending

    @property
    def may_be_nominative(self) -> bool:
        """Unless a rule reads a longer oblique ending than the longest nominative one."""
        return not self.oblique or self.nominative_length >= self.oblique[0][0]


@functools.cache
def _ending_table(lang: str) -> dict[str, tuple[_ObliqueRules | None, _NominativeRules | None]]:
    """:func:`_oblique_table` and :func:`_nominative_table` by ending, to look both up at once."""
    oblique, nominative = _oblique_table(lang), _nominative_table(lang)
    return {e: (oblique.get(e), nominative.get(e)) for e in oblique.keys() | nominative.keys()}


def _ending_matches(word: str, lang: str) -> _Endings:
    """The oblique endings of ``word`` the rules accept (stem of one letter or more) and its
    longest nominative ending (stem of two letters or more), in one pass over its endings."""
    table = _ending_table(lang)
    n = len(word)
    top_oblique = min(_max_len(lang), n - 1)
    top_nominative = min(_MAX_NOMINATIVE, n - 2)
    oblique: list[tuple[int, float, tuple[_RuleYield, ...]]] = []
    nominative_length, nominative_rule = -1, None
    for length in range(max(top_oblique, top_nominative), -1, -1):
        entry = table.get(word[n - length :])
        if entry is None:
            continue
        letter = word[n - length - 1]  # the last letter of the stem
        rules, nominatives = entry
        if rules is not None and 0 < length <= top_oblique:
            yields = rules.by_letter.get(letter, rules.any_letter)
            if yields:
                oblique.append((length, rules.weight, yields))
        if nominatives is not None and nominative_rule is None and length <= top_nominative:
            rule = nominatives[0].get(letter, nominatives[1])
            if rule is not None:
                nominative_length, nominative_rule = length, rule
    return _Endings(oblique, nominative_length, nominative_rule)


# Masculine nominative ending → (feminine, neuter, plural) endings, longest first
# (``data/adjective_endings.tsv``). Turning pymorphy's masculine lemma into the reading's
# gender by string is ~20x cheaper than inflect().
def _adjective_endings() -> dict[str, tuple[tuple[str, str, str, str], ...]]:
    table: dict[str, list[tuple[str, str, str, str]]] = {}
    for row in datafile.ADJECTIVE_ENDINGS.read():
        forms = (row["masculine"], row["feminine"], row["neuter"], row["plural"])
        table.setdefault(row["lang"], []).append(forms)
    return {lang: tuple(rows) for lang, rows in table.items()}


_ADJ_ENDINGS: Final = _adjective_endings()


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


def _nominative_of(reading: _Ranked, lemma: str, facts: _TagFacts, lang: str) -> str:
    """The nominative of a dictionary reading (whose normal form is ``lemma``), keeping its
    number and (adjectives) gender."""
    if facts.slot == -1 or facts.slot == 0:
        return lemma
    if facts.slot > 0:
        for row in _ADJ_ENDINGS[lang]:
            if lemma.endswith(row[0]):
                return lemma[: len(lemma) - len(row[0])] + row[facts.slot]
    found = _lexeme_nominative(reading, lang)
    return found if found is not None else lemma


_NOMINATIVE: Final = frozenset({"nomn"})


def _lexeme_nominative(reading: _Ranked, lang: str) -> str | None:
    """The nominative form of ``reading``'s lexeme, as pymorphy3's ``inflect({"nomn"})`` picks it.

    Of the lexeme's forms tagged ``nomn``, the first that shares most grammemes with the
    reading's tag once its case is made nominative (so a plural stays plural); ``None``
    when the lexeme has no nominative.  Built from the paradigm directly, which saves
    parsing the word again to get pymorphy3's ``Parse`` object.  (pymorphy3 retries with
    rare cases mapped to common ones, which changes nothing for ``nomn``.)
    """
    spelling, para, form, own_tag, _ = reading
    dictionary = _analyzer(lang).dictionary
    # pymorphy3's paradigm layout: suffix ids, tag ids and prefix ids, a third each.
    paradigm = dictionary.paradigms[para]
    size = len(paradigm) // 3
    wanted = own_tag.updated_grammemes(_NOMINATIVE)
    best = -1
    best_similarity = 0.0
    for index in range(size):
        grammemes = dictionary.build_tag_info(para, index).grammemes
        if "nomn" not in grammemes:
            continue
        similarity = len(wanted & grammemes) - 0.1 * len(wanted ^ grammemes)
        if best < 0 or similarity > best_similarity:
            best, best_similarity = index, similarity
    if best < 0:
        return None
    stem = dictionary.build_stem(paradigm, form, spelling)
    prefix = dictionary.paradigm_prefixes[paradigm[2 * size + best]]
    suffix: str = dictionary.suffixes[paradigm[best]]
    return f"{prefix}{stem}{suffix}"


_NOM_ONLY: Final = frozenset({"nom"})


def _reading_case(facts: _TagFacts, spelling: str, para: int, form: int, lang: str) -> str:
    """The case of a dictionary reading; a caseless one is nominative if it is its own lemma."""
    if facts.case:
        return facts.case
    return "nom" if spelling == _normal_form(spelling, para, form, lang) else ""


@functools.lru_cache(maxsize=100_000)
def _word_info(word: str, lang: str) -> _WordInfo:
    """Nominative candidates of one (unhyphenated or dictionary-known) word in ``lang``.

    Each candidate form gets its best dictionary weight plus its best rule weight; the
    readings and rules behind a form are kept, and turned into its parts of speech,
    genders and cases only for the few best forms.
    """
    keep_yo = "ё" in word
    dict_weight: dict[str, float] = {}
    dict_facts: dict[str, list[tuple[_TagFacts, str]]] = {}  # form -> (tag facts, case)
    known = False
    nominative_reading = False
    id_pos, id_genders = "", frozenset[str]()

    for reading in _ranked(word, lang):
        facts = _tag_facts(reading[3])
        if facts is None:
            continue
        known = True
        spelling, para, form_id = reading[0], reading[1], reading[2]
        case = _reading_case(facts, spelling, para, form_id, lang)
        if case in ("voc", ""):
            continue
        lemma = _normal_form(spelling, para, form_id, lang)
        if case == "nom":
            nominative_reading = True
            id_pos, id_genders = facts.pos, facts.genders
        form = _nominative_of(reading, lemma, facts, lang)
        if not keep_yo:
            form = form.replace("ё", "е")
        weight = facts.weight + reading[4]
        if weight > dict_weight.get(form, -1.0):
            dict_weight[form] = weight
        dict_facts.setdefault(form, []).append((facts, case))

    rule_weight: dict[str, float] = {}
    rule_yields: dict[str, list[_RuleYield]] = {}
    endings = _ending_matches(word, lang)
    for length, weight, yields in endings.oblique:
        stem = word[:-length]
        for rule in yields:
            form = stem + rule.nominative
            if weight > rule_weight.get(form, -1.0):
                rule_weight[form] = weight
            rule_yields.setdefault(form, []).append(rule)

    if known:
        may_nom = nominative_reading
    else:
        may_nom, nom_rule = endings.may_be_nominative, endings.nominative_rule
        if nom_rule is not None:
            id_pos, id_genders = nom_rule.pos, frozenset(nom_rule.gender)

    totals = dict(dict_weight)
    for form, weight in rule_weight.items():
        totals[form] = dict_weight.get(form, 0.0) + weight
    totals.pop(word, None)
    # Only the best few are ever combined or returned; build candidates for those alone.
    best = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:_KEEP_PER_WORD]
    scored = tuple(
        _candidate(form, total, dict_facts.get(form, ()), rule_yields.get(form, ()))
        for form, total in best
    )
    identity = _Cand(
        word, _W_IDENTITY if may_nom else _W_IDENTITY_WEAK, id_pos, id_genders, _NOM_ONLY
    )
    return _WordInfo(scored, may_nom, known, identity)


def _candidate(
    form: str,
    score: float,
    readings: Sequence[tuple[_TagFacts, str]],
    rules: Sequence[_RuleYield],
) -> _Cand:
    """The candidate ``form`` from the dictionary readings and the rules that gave it.

    Its parts of speech come from the readings when there are any, else from the rules;
    genders and cases from both.
    """
    if not readings and len(rules) == 1:
        rule = rules[0]
        return _Cand(form, score, rule.pos_text, rule.genders, rule.cases)
    pos: set[str] = set()
    genders: set[str] = set()
    cases: set[str] = set()
    for facts, case in readings:
        pos.add(facts.pos)
        genders.update(facts.genders)
        cases.add(case)
    for rule in rules:
        if not readings:
            pos.update(rule.pos)
        genders.update(rule.genders)
        cases.update(rule.cases)
    return _Cand(form, score, "".join(sorted(pos)), frozenset(genders), frozenset(cases))


# --------------------------------------------------------------------------- phrases


def _combine(options: Sequence[Sequence[_Cand]], joiner: str, limit: int) -> list[_Cand]:
    """Best combinations of per-word candidates, scored with case and gender agreement.

    In a spaced phrase (``joiner == " "``) a noun before the last word is
    penalised: place names are adjective + noun (*Кривий Ріг*), not two nouns.
    """
    spaced = joiner == " "
    results: list[_Cand] = []
    for combo in itertools.product(*options):
        last = len(combo) - 1
        apposition = 0  # nouns before the last word
        free = 0  # words read in some case, and the cases they all share
        shared: frozenset[str] = frozenset()
        first_noun = last_noun = -1  # nouns of known gender
        for i, c in enumerate(combo):
            if c.pos == "n" and i < last:
                apposition += 1
            if c.cases:
                shared = shared & c.cases if free else c.cases
                free += 1
            if c.genders and "n" in c.pos:
                last_noun = i
                if first_noun < 0:
                    first_noun = i
        score = sum([c.score for c in combo])
        if spaced:
            score -= _PENALTY_APPOSITION * apposition
        if free > 1 and shared:
            score += _BONUS_CASE
        if last_noun >= 0:
            head = combo[last_noun].genders
            for i, c in enumerate(combo):
                if i != last_noun and c.genders and "a" in c.pos:
                    score += _BONUS_GENDER if c.genders & head else -_BONUS_GENDER
        # The compound takes the grammar of its first noun (Білгород-Дністровський: masc noun).
        lead = combo[first_noun] if first_noun >= 0 else combo[-1]
        form = joiner.join([c.form for c in combo])
        results.append(_Cand(form, score, lead.pos, lead.genders, shared))
    results.sort(key=_best_first)
    return results[:limit]


def _best_first(cand: _Cand) -> tuple[float, str]:
    return -cand.score, cand.form


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
    return not any(_may_be_nominative(last, one) for one in langs)


def _may_be_nominative(token: str, lang: str) -> bool:
    """``_token_info(token, lang).may_be_nominative``, without building any candidate.

    A word the dictionary reads as a noun or adjective may be nominative when one such
    reading is; another word when no rule reads a longer oblique ending than the longest
    nominative ending it has; an unknown hyphenated name when every inflecting part may be.
    """
    verdict = _dictionary_nominative(token, lang)
    if verdict is not None:
        return verdict
    parts = token.split("-")
    if len(parts) == 1 or any(not p for p in parts):
        return _ending_matches(token, lang).may_be_nominative
    frozen = False
    for i, part in enumerate(parts):
        if frozen or _freezes(part, i) or not _has_cyrillic(part):
            frozen = frozen or _freezes(part, i)
            continue
        if not _may_be_nominative(part, lang):
            return False
    return True


def _dictionary_nominative(word: str, lang: str) -> bool | None:
    """Whether some noun or adjective reading of ``word`` is nominative (``None``: none at all)."""
    known = False
    for spelling, para, form, tag in _tagged(word, lang):
        facts = _tag_facts(tag)
        if facts is None:
            continue
        known = True
        if _reading_case(facts, spelling, para, form, lang) == "nom":
            return True
    return False if known else None


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
