"""Romanisation of Ukrainian and Russian, and its reverse, driven by scheme files.

Every transliteration system lives in ``toponyms/text/schemes/<name>.json``
as data: a letter table, context rules and sample pairs taken from the
standard.  One small engine interprets them all, so adding a system means
adding a file, and the samples double as test cases.

Scheme file format (all keys lower-case Cyrillic; upper case is derived)::

    {
      "name": "kmu2010", "title": "...", "lang": "uk", "direction": "cyr-lat",
      "source": "the standard's citation", "notes": "...",
      "letters": {"а": "a", ...},                  # one letter -> output
      "variants": {"uk": {"и": "y`"}},             # per-language overrides
      "default_variant": "ru",                     # ("mul" schemes only)
      "rules": [{"match": "зг", "out": "zgh"},     # sequences and contexts
                {"match": "є", "prev": "^", "out": "ye"}],
      "samples": [["Згорани", "Zghorany"], ...]
    }

A rule applies when its ``match`` is found at the current position and its
optional ``prev``/``next`` conditions hold.  A condition is a string of
letters: the previous (next) letter must be one of them; ``^`` in ``prev``
stands for the start of a word and ``$`` in ``next`` for its end.  Longer
matches win over shorter ones, and rules for the same match are tried in
file order before the plain letter table.

``lang`` is ``"uk"``, ``"ru"``, or ``"mul"`` for a system that covers both
(ISO 9, GOST 7.79, scholarly); a ``mul`` scheme picks its language variant
from the text (``і ї є ґ`` mean Ukrainian) unless told.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

from toponyms.errors import InvalidInputError
from toponyms.text import datafile
from toponyms.text.normalize import _CLEAN_TABLE

__all__ = [
    "Rule",
    "Scheme",
    "cyrillize",
    "get",
    "names",
    "romanizations",
    "romanize",
]

LANGS = ("uk", "ru")
_UK_ONLY = frozenset("іїєґІЇЄҐ")
_RU_ONLY = frozenset("ыэъёЫЭЪЁ")
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHE_TABLE = {ord(c): "'" for c in "\u2019\u02bc`\u2018\u02b9\uff07"}


@dataclass(frozen=True)
class Rule:
    """One context rule: *match* becomes *out* when *prev*/*next* allow it."""

    match: str
    out: str
    prev: str = ""
    next: str = ""

    def applies(self, word: str, start: int, end: int) -> bool:
        """Tell whether the rule's context conditions hold for ``word[start:end]``."""
        if self.prev:
            if start == 0:
                if "^" not in self.prev:
                    return False
            elif word[start - 1] not in self.prev:
                return False
        if self.next:
            if end >= len(word):
                if "$" not in self.next:
                    return False
            elif word[end] not in self.next:
                return False
        return True


@dataclass(frozen=True)
class Scheme:
    """A transliteration system read from its JSON file.

    ``letters`` maps single lower-case Cyrillic letters to output; ``rules``
    are the multi-letter and context-dependent cases; ``variants`` holds
    per-language letter overrides of a ``"mul"`` scheme; ``samples`` are
    (input, expected output) pairs from the standard or its usage.
    """

    name: str
    title: str
    lang: str
    direction: str
    source: str
    letters: tuple[tuple[str, str], ...]
    rules: tuple[Rule, ...] = ()
    variants: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    default_variant: str = ""
    notes: str = ""
    samples: tuple[tuple[str, str], ...] = ()
    _compiled: Mapping[str, _Compiled] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    @property
    def langs(self) -> tuple[str, ...]:
        """The languages this scheme romanises: ``("uk",)``, ``("ru",)`` or both."""
        return LANGS if self.lang == "mul" else (self.lang,)

    def table(self, lang: str | None = None) -> _Compiled:
        """Return the compiled lookup tables for *lang* (the scheme's own if None)."""
        if lang is not None and lang in self._compiled:
            return self._compiled[lang]
        return self._compiled[self.default_variant or self.lang]


@dataclass(frozen=True)
class _Compiled:
    """Lookup tables of one scheme variant, ready for the engine."""

    letters: Mapping[str, str]
    rules: Mapping[str, tuple[Rule, ...]]
    max_match: int
    # The longest rule match starting with each letter (letters no rule starts with are
    # absent): most letters start no rule, or only short ones.
    longest: Mapping[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def _compile(letters: Mapping[str, str], rules: Iterable[Rule]) -> _Compiled:
    """Index *rules* by their match string for the engine."""
    by_match: dict[str, list[Rule]] = {}
    for rule in rules:
        by_match.setdefault(rule.match, []).append(rule)
    max_match = max((len(m) for m in by_match), default=1)
    longest: dict[str, int] = {}
    for match in by_match:
        if match:
            longest[match[0]] = max(longest.get(match[0], 0), len(match))
    return _Compiled(
        letters=MappingProxyType(dict(letters)),
        rules=MappingProxyType({k: tuple(v) for k, v in by_match.items()}),
        max_match=max(max_match, 1),
        longest=MappingProxyType(longest),
    )


def _scheme_from_json(data: Mapping[str, Any]) -> Scheme:
    """Build a :class:`Scheme` from the parsed JSON of one scheme file."""
    letters = {str(k): str(v) for k, v in data["letters"].items()}
    rules = tuple(
        Rule(match=r["match"], out=r["out"], prev=r.get("prev", ""), next=r.get("next", ""))
        for r in data.get("rules", [])
    )
    variants = {
        str(lang): {str(k): str(v) for k, v in table.items()}
        for lang, table in data.get("variants", {}).items()
    }
    lang = str(data["lang"])
    compiled: dict[str, _Compiled] = {lang: _compile(letters, rules)}
    for vlang in LANGS if lang == "mul" else ():
        compiled[vlang] = _compile({**letters, **variants.get(vlang, {})}, rules)
    return Scheme(
        name=str(data["name"]),
        title=str(data["title"]),
        lang=lang,
        direction=str(data["direction"]),
        source=str(data["source"]),
        notes=str(data.get("notes", "")),
        letters=tuple(letters.items()),
        rules=rules,
        variants=tuple((k, tuple(v.items())) for k, v in variants.items()),
        default_variant=str(data.get("default_variant", "")),
        samples=tuple((str(a), str(b)) for a, b in data.get("samples", [])),
        _compiled=MappingProxyType(compiled),
    )


@cache
def _registry() -> Mapping[str, Scheme]:
    """Read every scheme file shipped in ``toponyms.text.schemes`` (once)."""
    found: dict[str, Scheme] = {}
    for file in datafile.scheme_files():
        scheme = _scheme_from_json(file.read())
        found[scheme.name] = scheme
    return MappingProxyType(dict(sorted(found.items())))


def names() -> list[str]:
    """Return the names of all known schemes, sorted."""
    return list(_registry())


def get(name: str) -> Scheme:
    """Return the scheme called *name*; :class:`InvalidInputError` lists the known ones."""
    try:
        return _registry()[name]
    except (KeyError, TypeError):
        raise InvalidInputError(
            f"unknown transliteration scheme {name!r}; known: {', '.join(names())}"
        ) from None


# --------------------------------------------------------------------------
# Romanisation engine
# --------------------------------------------------------------------------


def detect_lang(text: str) -> str | None:
    """Guess ``"uk"`` or ``"ru"`` from letters only one of them uses, else None."""
    letters = set(text)
    if letters & _UK_ONLY:
        return "uk"
    if letters & _RU_ONLY:
        return "ru"
    return None


def _romanize_word(word: str, table: _Compiled) -> str:
    """Romanise one word, keeping the case pattern of the original."""
    low = word.lower()
    all_caps = len(word) > 1 and word.isupper()
    out: list[str] = []
    i, n = 0, len(low)
    while i < n:
        chunk, step = _match_at(low, i, table)
        if not all_caps and word[i].isupper():
            chunk = chunk[:1].upper() + chunk[1:]
        out.append(chunk)
        i += step
    result = "".join(out)
    return result.upper() if all_caps else result


def _match_at(low: str, i: int, table: _Compiled) -> tuple[str, int]:
    """Find the output for the longest rule or letter matching ``low`` at *i*."""
    ch = low[i]
    # Only rules starting with this letter can match: no longer ones are looked up.
    for size in range(min(table.longest.get(ch, 0), len(low) - i), 0, -1):
        rules = table.rules.get(low[i : i + size])
        if rules:
            for rule in rules:
                if rule.applies(low, i, i + size):
                    return rule.out, size
    return table.letters.get(ch, ch), 1


def romanize(text: str, scheme: str = "kmu2010", *, lang: str | None = None) -> str:
    """Romanise Cyrillic *text* with *scheme*, preserving capitalisation.

    Non-Cyrillic characters pass through.  For a scheme covering both
    languages, *lang* selects the variant; by default it is guessed from the
    text's letters.
    """
    sch = get(scheme)
    if sch.lang == "mul" and lang is None:
        lang = detect_lang(text)
    table = sch.table(lang)
    text = text.translate(_APOSTROPHE_TABLE)
    return _WORD_RE.sub(lambda m: _romanize_word(m.group(), table), text)


def _schemes_for(lang: str | None) -> list[tuple[Scheme, str]]:
    """List (scheme, variant language) pairs that romanise *lang* (all if None)."""
    if lang is not None and lang not in LANGS:
        raise InvalidInputError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    pairs = []
    for sch in _registry().values():
        for sl in sch.langs:
            if lang is None or sl == lang:
                pairs.append((sch, sl))
    return pairs


def romanizations(text: str, lang: str | None = None) -> set[str]:
    """Return the romanisations of *text* under every scheme of *lang* (both if None)."""
    return {romanize(text, sch.name, lang=sl) for sch, sl in _schemes_for(lang)}


# --------------------------------------------------------------------------
# Cyrillisation: Latin -> ranked Cyrillic candidates
# --------------------------------------------------------------------------

_BEAM = 24
_MAX_CANDIDATES = 8
_SEGMENT_COST = 1.0
_UNKNOWN_COST = 6.0
_SOFT_SIGN_COST = 2.5
_APOSTROPHE_COST = _SOFT_SIGN_COST - 1.0
_CONSONANTS = frozenset("бвгґджзклмнпрстфхцчшщ")
_SOFTENABLE = frozenset("лнтдсзрц")
_LABIALS = frozenset("бпвмфр")
_IOTATED = frozenset("яюєї")

#: Spellings no single-letter table produces but that Latin-script sources
#: need: Polish ``ó`` for Ukrainian ``і``, and the soft-sign suffixes
#: (-ський, -ськ, -цький; Russian -ский) that most schemes spell without a
#: trace of the ``ь``.  The value is ((Cyrillic, extra cost), ...).
_EXTRA_REVERSE: Mapping[str, Mapping[str, tuple[tuple[str, float], ...]]] = {
    "uk": {
        "ó": (("і", 1.0),),
        "yi": (("ий", 0.5),),
        "sk": (("ськ", 0.5),),
        "tsk": (("цьк", 0.5),),
        "zk": (("цьк", 0.5),),
        "ck": (("цьк", 0.5),),
    },
    "ru": {"ó": (("о", 1.0),), "iy": (("ий", 0.3),), "yy": (("ый", 0.3),)},
}

#: Letters of each alphabet: candidates never mix in the other language's
#: letters (no ы in Ukrainian, no і in Russian).
_ALPHABET = {
    "uk": frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'"),
    "ru": frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
}

#: Rank bonuses (in cost units): a dictionary word, and each scheme that
#: romanises the candidate back to exactly the input.
_KNOWN_BONUS = 8.0
_ROUNDTRIP_BONUS = 1.0

_Option = tuple[str, float, str]  # (Cyrillic, cost, prev condition)


def _latin_key(out: str) -> str:
    """Normalise a scheme output the way cyrillize normalises its input."""
    return out.lower().translate(_CLEAN_TABLE)


@cache
def _reverse_table(lang: str) -> tuple[Mapping[str, tuple[_Option, ...]], int]:
    """Build Latin -> Cyrillic options with costs from every scheme of *lang*.

    The cost of an option falls with the number of schemes that spell the
    Cyrillic that way, relative to all readings of the same Latin string.
    """
    counts: dict[str, dict[tuple[str, str], int]] = {}

    def add(latin: str, cyr: str, prev: str) -> None:
        if latin:
            slot = counts.setdefault(_latin_key(latin), {})
            slot[(cyr, prev)] = slot.get((cyr, prev), 0) + 1

    alphabet = _ALPHABET[lang]
    for sch, sl in _schemes_for(lang):
        table = sch.table(sl)
        for cyr, latin in table.letters.items():
            if cyr in alphabet:
                add(latin, cyr, "")
        for rules in table.rules.values():
            for rule in rules:
                if alphabet.issuperset(rule.match):
                    add(rule.out, rule.match, rule.prev)
    options: dict[str, tuple[_Option, ...]] = {}
    for latin, slot in counts.items():
        total = sum(slot.values())
        options[latin] = tuple(
            sorted(
                (
                    (cyr, _SEGMENT_COST - math.log(n / total), prev)
                    for (cyr, prev), n in slot.items()
                ),
                key=lambda o: o[1],
            )
        )
    for latin, extras in _EXTRA_REVERSE[lang].items():
        options[latin] = options.get(latin, ()) + tuple(
            (cyr, _SEGMENT_COST + cost, "") for cyr, cost in extras
        )
    return MappingProxyType(options), max(len(k) for k in options)


#: One way to continue a spelling: (Cyrillic to append, its reading's cost, extra
#: cost of an inserted soft sign or apostrophe, else 0.0).
_Successor = tuple[str, float, float]


def _successors(options: Iterable[_Option], last: str, lang: str) -> tuple[_Successor, ...]:
    """List what may follow a spelling ending in the letter *last* ("" at the start).

    Each option whose rule's ``prev`` condition holds after *last* (``^``
    stands for the start), in order, each followed where allowed by the
    same with a soft sign (after л н т д с з р ц, before a consonant or
    я ю е ё и) or, in Ukrainian, an apostrophe (after б п в м ф р, before
    я ю є ї) inserted.  The extra cost is kept apart so that a total is
    summed in the same order as always: (cost + option cost) + extra.
    """
    prev_letter = last or "^"
    soft_sign_after = last in _SOFTENABLE
    apostrophe_after = lang == "uk" and last in _LABIALS
    found: list[_Successor] = []
    for cyr, cost, prev in options:
        if prev and prev_letter not in prev:
            continue
        found.append((cyr, cost, 0.0))
        first = cyr[:1]
        if soft_sign_after and first and (first in _CONSONANTS or first in "яюеёи"):
            found.append(("ь" + cyr, cost, _SOFT_SIGN_COST))
        if apostrophe_after and first and first in _IOTATED:
            found.append(("'" + cyr, cost, _APOSTROPHE_COST))
    return tuple(found)


@dataclass(frozen=True)
class _BeamTable:
    """:func:`_reverse_table` in the form the beam search reads.

    ``steps`` gives, for each Latin string and each letter a spelling may
    end with, its :func:`_successors`; ``options`` are the readings for the
    rare letter not foreseen there (one passed through from the input).
    ``prefixes`` holds every prefix of a Latin string, so the search stops
    lengthening one as soon as no reading can start with it.
    """

    options: Mapping[str, tuple[_Option, ...]]
    steps: Mapping[str, Mapping[str, tuple[_Successor, ...]]]
    prefixes: frozenset[str]
    max_len: int


@cache
def _beam_table(lang: str) -> _BeamTable:
    """Work out the successors of every reading of *lang* after every letter (once)."""
    options, max_len = _reverse_table(lang)
    lasts = _ALPHABET[lang] | {""}
    # Plain dicts: read in the innermost loop, where a mapping proxy costs a call more.
    return _BeamTable(
        options=options,
        steps={
            latin: {last: _successors(opts, last, lang) for last in lasts}
            for latin, opts in options.items()
        },
        prefixes=frozenset(latin[:k] for latin in options for k in range(1, len(latin) + 1)),
        max_len=max_len,
    )


def _cyrillize_word(word: str, lang: str) -> list[tuple[float, str]]:
    """Return (cost, Cyrillic) candidates for one lower-case Latin word, best first.

    A beam search over positions of *word*: ``beams[pos]`` maps each Cyrillic
    spelling of ``word[:pos]`` to its lowest cost.  From the ``_BEAM``
    cheapest (ties in the order they were first reached), every reading of
    every Latin string starting at *pos* is appended, as
    :func:`_successors` allows after the spelling's last letter.  A letter
    no scheme reads is kept as it is, at ``_UNKNOWN_COST``.
    """
    table = _beam_table(lang)
    steps, prefixes = table.steps, table.prefixes
    inf = math.inf
    n = len(word)
    beams: list[dict[str, float]] = [{} for _ in range(n + 1)]
    beams[0][""] = 0.0
    for pos in range(n):
        beam = beams[pos]
        if not beam:
            continue
        # The readings of every Latin string that starts here, with the beam they feed.
        moves: list[tuple[dict[str, float], Mapping[str, tuple[_Successor, ...]], str]] = []
        for size in range(1, min(table.max_len, n - pos) + 1):
            latin = word[pos : pos + size]
            by_last = steps.get(latin)
            if by_last is None and size == 1:
                by_last = {}  # a letter no scheme reads: worked out below
            if by_last is not None:
                moves.append((beams[pos + size], by_last, latin))
            if latin not in prefixes:
                break
        # sorted(...)[:_BEAM] is heapq.nsmallest(_BEAM, ...): stable, so ties keep dict
        # order.  Each target beam is fed by one move, so taking the moves inside the
        # loop over entries adds to each beam in the same order as the other way round.
        for cyr in sorted(beam, key=beam.__getitem__)[:_BEAM]:
            cost = beam[cyr]
            last = cyr[-1:]
            for slot, by_last, latin in moves:
                successors = by_last.get(last)
                if successors is None:
                    options = table.options.get(latin) or ((latin, _UNKNOWN_COST, ""),)
                    successors = _successors(options, last, lang)
                get = slot.get
                for piece, piece_cost, extra in successors:
                    total = cost + piece_cost + extra
                    grown = cyr + piece
                    if total < get(grown, inf):
                        slot[grown] = total
    return sorted(zip(beams[-1].values(), beams[-1].keys(), strict=True))


@cache
def _known_word_checker(lang: str) -> Callable[[str], bool] | None:
    """Return pymorphy3's dictionary look-up for *lang*, or None if unavailable."""
    try:
        import pymorphy3
    except ImportError:  # pragma: no cover - pymorphy3 is a declared dependency
        return None
    try:
        analyzer = pymorphy3.MorphAnalyzer(lang=lang)
    except Exception:  # pragma: no cover - dictionaries missing
        return None
    checker: Callable[[str], bool] = analyzer.word_is_known
    return checker


_ROUNDTRIP_TOP = 3


@dataclass(frozen=True)
class _BackTable:
    """One scheme variant prepared for the round-trip check of :func:`_rank`.

    Outputs are stored already normalised with :func:`_latin_key`, so a
    candidate's romanisation can be compared with the input piece by piece
    and abandoned at the first piece that differs.  ``translation`` maps the
    scheme's letters and the language's alphabet for :meth:`str.translate`
    (a letter the scheme lacks passes through, as in :func:`_romanize_word`).
    ``rules`` finds the next place where a rule applies, context included:
    one alternative per rule, longest match first and then in file order, as
    :func:`_match_at` tries them, each alternative a group whose number
    indexes its output in ``outputs``.
    """

    translation: Mapping[int, str]
    rules: re.Pattern[str]
    outputs: tuple[str, ...]
    rule_letters: frozenset[str]


def _context_re(letters: str, edge: str, edge_re: str, look: str) -> str:
    """Turn a rule's prev/next condition into a regex look-behind/look-ahead.

    *edge* is the condition's word-boundary mark (``^`` or ``$``) and
    *edge_re* the regex for that boundary; *look* is ``"<="`` or ``"="``.
    """
    if not letters:
        return ""
    alternatives = []
    if edge in letters:
        alternatives.append(edge_re)
    if others := letters.replace(edge, ""):
        alternatives.append(f"(?{look}[{re.escape(others)}])")
    return f"(?:{'|'.join(alternatives)})"


def _rules_re(rules: Iterable[Rule]) -> re.Pattern[str]:
    """Compile *rules* into one pattern of context-checked alternatives (see _BackTable).

    Every alternative starts with its rule's first letter, so the pattern
    first looks ahead for one of those letters: the regex engine then skips
    along the string to them instead of trying each alternative everywhere.
    """
    ordered = sorted(rules, key=lambda rule: -len(rule.match))  # stable: file order kept
    if not ordered:
        return re.compile(r"[^\s\S]")  # matches nothing: a scheme without rules
    alternatives = [
        _context_re(rule.prev, "^", "^", "<=")
        + f"({re.escape(rule.match)})"
        + _context_re(rule.next, "$", r"\Z", "=")
        for rule in ordered
    ]
    first_letters = re.escape("".join(sorted({rule.match[0] for rule in ordered})))
    return re.compile(f"(?=[{first_letters}])(?:{'|'.join(alternatives)})")


@cache
def _back_tables(lang: str) -> tuple[_BackTable, ...]:
    """Prepare every scheme variant of *lang* for the round-trip check (once)."""
    tables = []
    for sch, sl in _schemes_for(lang):
        table = sch.table(sl)
        rules = [rule for same_match in table.rules.values() for rule in same_match]
        ordered = sorted(rules, key=lambda rule: -len(rule.match))
        tables.append(
            _BackTable(
                # A plain dict: str.translate reads it faster than a mapping proxy.
                translation={
                    ord(ch): _latin_key(table.letters.get(ch, ch))
                    for ch in _ALPHABET[lang] | {"'"} | table.letters.keys()
                },
                rules=_rules_re(rules),
                outputs=("", *(_latin_key(rule.out) for rule in ordered)),
                rule_letters=frozenset(rule.match[0] for rule in rules),
            )
        )
    return tuple(tables)


#: Characters :func:`romanize` or :func:`_latin_key` would change before comparing.
_CLEANED_CHARS = frozenset(chr(code) for code in (*_APOSTROPHE_TABLE, *_CLEAN_TABLE))


@cache
def _plain_word_re(lang: str) -> re.Pattern[str]:
    """Match a word of *lang*'s lower-case letters, apostrophes only between letters.

    Such a word passes :func:`_is_lower_word`, which this tests faster.
    """
    letters = re.escape("".join(sorted(_ALPHABET[lang] - {"'"})))
    return re.compile(f"[{letters}]+(?:'[{letters}]+)*")


def _is_lower_word(text: str) -> bool:
    """Tell whether :func:`romanize` sees *text* as one word with no case to keep.

    That is what :func:`_spells_back` assumes: one match of the word pattern
    (so ``^`` and ``$`` in rules mean its ends), every cased letter already
    lower case (so no output is capitalised and ``lower()`` changes
    nothing), and no character that the apostrophe clean-up or
    :func:`_latin_key` would change (so a letter no scheme knows passes
    through unchanged).  Every candidate of a plain Latin word is one.
    """
    return (
        text.islower()
        and text.lower() == text
        and _CLEANED_CHARS.isdisjoint(text)
        and _WORD_RE.fullmatch(text) is not None
    )


def _spells_back(cyr: str, word: str, table: _BackTable) -> bool:
    """Tell whether *table* romanises the word *cyr* to exactly *word* (as a Latin key).

    Equivalent to ``_latin_key(romanize(cyr, ...)) == word`` when
    :func:`_is_lower_word` holds for *cyr*.  :func:`_match_at` takes, at each
    position, the longest rule that applies there, else the letter; so up
    to the next place where a rule applies the romanisation is letter by
    letter, which :meth:`str.translate` does, and there the rule's output
    follows.  Each piece is compared with the input as it comes.
    Normalising piece by piece is the same as normalising the whole, since
    both steps of :func:`_latin_key` work letter by letter here (``lower()``
    looks at its neighbours only for a capital sigma, which no scheme
    writes and a lower-case word does not hold).
    """
    translation, outputs = table.translation, table.outputs
    start = done = 0  # next letter of cyr, and how much of word it has matched
    while found := table.rules.search(cyr, start):
        for piece in (
            cyr[start : found.start()].translate(translation),
            outputs[found.lastindex or 0],
        ):
            if not word.startswith(piece, done):
                return False
            done += len(piece)
        start = found.end()
    return word[done:] == cyr[start:].translate(translation)


def _round_trips(cyr: str, word: str, lang: str) -> int:
    """Count the schemes of *lang* that romanise the candidate *cyr* back to *word*."""
    # The plain pattern is the usual case and a quicker test that implies the other.
    if _plain_word_re(lang).fullmatch(cyr) or _is_lower_word(cyr):
        letters = set(cyr)
        count = 0
        for table in _back_tables(lang):
            if table.rule_letters.isdisjoint(letters):
                # No rule can apply: the romanisation is letter by letter.
                count += cyr.translate(table.translation) == word
            else:
                count += _spells_back(cyr, word, table)
        return count
    # Anything else (a stray apostrophe, digits, capitals) takes the long way.
    return sum(
        _latin_key(romanize(cyr, sch.name, lang=sl)) == word for sch, sl in _schemes_for(lang)
    )


def _rank(word: str, scored: list[tuple[float, str]], lang: str) -> list[str]:
    """Order candidates by cost less bonuses for dictionary words and round trips.

    A candidate that several schemes romanise back to the input is better
    supported than one only a single scheme explains (Біла vs Біля for Bila).
    """
    top = scored[: _BEAM * 2]
    checker = _known_word_checker(lang)
    known = [checker(cyr) for _, cyr in top] if checker is not None else []
    if any(known):
        # Candidates are distinct, so sorting (cost less dictionary bonus, Cyrillic)
        # pairs orders them by that cost with ties broken by spelling.
        ordered = sorted(
            (cost - _KNOWN_BONUS if is_known else cost, cyr)
            for (cost, cyr), is_known in zip(top, known, strict=True)
        )
    else:
        ordered = top  # no bonus: already in (cost, spelling) order, as scored is

    def score(item: tuple[float, str]) -> tuple[float, str]:
        first, cyr = item
        return first - _ROUNDTRIP_BONUS * _round_trips(cyr, word, lang), cyr

    # The round trip (every scheme romanising every candidate) is the costly part: it
    # only reorders the best few by cost and dictionary, the rest keep that order.
    head = sorted(ordered[:_ROUNDTRIP_TOP], key=score)
    return [cyr for _, cyr in head + ordered[_ROUNDTRIP_TOP:]]


def _recase(template: str, cyrs: list[str]) -> list[str]:
    """Give each of *cyrs* the capitalisation pattern of the Latin *template*."""
    if len(template) > 1 and template.isupper():
        return [cyr.upper() for cyr in cyrs]
    if template[:1].isupper():
        return [cyr[:1].upper() + cyr[1:] for cyr in cyrs]
    return list(cyrs)


_PARTS_RE = re.compile(r"([^\w']+)")
_WORD_PART_RE = re.compile(r"[\w']+")


def cyrillize(text: str, lang: str, *, rank: bool = True) -> list[str]:
    """Return up to 8 plausible Cyrillic spellings of Latin *text* in *lang*, best first.

    The schemes of *lang* are read backwards (German, Polish and French
    conventions included) in a beam search; candidates that are words of
    the language's dictionary come first, then those that romanise back to
    the input, then the cheapest. ``rank=False`` skips the dictionary and
    round-trip checks (several times faster) and orders by cost alone.
    """
    if lang not in LANGS:
        raise InvalidInputError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    text = " ".join(text.translate(_CLEAN_TABLE).split())
    if not text:
        raise InvalidInputError("text is empty")
    per_part: list[list[str]] = []
    for part in _PARTS_RE.split(text):
        if part and _WORD_PART_RE.fullmatch(part) and not part.isdigit():
            low = part.lower()
            ranked = (
                _ranked_word(low, lang)
                if rank
                else [c for _, c in sorted(_cyrillize_word(low, lang))[:_MAX_CANDIDATES]]
            )
            per_part.append(_recase(part, ranked) or [part])
        else:
            per_part.append([part])
    return _combine(per_part)


@lru_cache(maxsize=50_000)
def _ranked_word(word: str, lang: str) -> list[str]:
    """A lower-case word's ranked Cyrillic spellings (memoised: names recur)."""
    return _rank(word, _cyrillize_word(word, lang), lang)[:_MAX_CANDIDATES]


def _combine(per_part: list[list[str]]) -> list[str]:
    """Join per-word candidate lists, best combinations (lowest rank sum) first."""
    varying = [k for k, options in enumerate(per_part) if len(options) > 1]
    if len(varying) <= 1:
        # At most one list to walk down: its own order is the order of rank sums.
        if not varying:
            return ["".join(options[0] for options in per_part)]
        k = varying[0]
        before = "".join(options[0] for options in per_part[:k])
        after = "".join(options[0] for options in per_part[k + 1 :])
        return [before + option + after for option in per_part[k][:_MAX_CANDIDATES]]
    heap: list[tuple[int, tuple[int, ...]]] = [(0, tuple(0 for _ in per_part))]
    seen = {heap[0][1]}
    result: list[str] = []
    while heap and len(result) < _MAX_CANDIDATES:
        score, idx = heapq.heappop(heap)
        result.append("".join(per_part[k][i] for k, i in enumerate(idx)))
        for k in range(len(idx)):
            if idx[k] + 1 < len(per_part[k]):
                nxt = (*idx[:k], idx[k] + 1, *idx[k + 1 :])
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (score + 1, nxt))
    return result
