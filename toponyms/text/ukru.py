"""Ukrainian ↔ Russian spelling counterparts of place names.

The same place is written *Харків* in Ukrainian and *Харьков* in Russian, and
news in either language uses either form.  :func:`counterparts` turns a name in
one language into a ranked list of plausible spellings in the other, so a
resolver can look both up.

Everything is driven by ``data/uk_ru.tsv``:

* ``phrase`` and ``word`` rows: irregular names and frequent words
  (*Кривий Ріг*/*Кривой Рог*, *нова*/*новая*, *Олешки*/*Алешки*);
* ``stem`` rows: roots that differ beyond single letters (*олександр*/*александр*,
  *біл*/*бел* from old ѣ), matched anywhere in a word;
* ``suffix`` rows: word endings (*-ськ*/*-ск*, *-івка*/*-овка*, *-ине*/*-ино*);
* ``adj`` rows: endings of an adjective before its noun (*-а*/*-ая*);
* ``letter`` rows: letter correspondences (*і*→*и*|*е*|*о*, *'*→∅|*ь*|*ъ*).

A word is rewritten left to right by a small beam search over these patterns,
each alternative carrying a cost; lexical and suffix rows cost least, so they
rank first.  Multi-word and hyphenated names are rewritten word by word and the
cheapest combinations kept.  ``sample`` rows are test pairs only.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from toponyms.errors import InvalidInputError
from toponyms.text import datafile
from toponyms.text.datafile import Row, Table
from toponyms.text.morph import guess_lang, normalize

__all__ = ["MAX_COUNTERPARTS", "counterparts", "load_samples", "translate"]

MAX_COUNTERPARTS: Final = 8
"""Most spellings :func:`counterparts` returns."""

_BEAM: Final = 24
_PER_WORD: Final = 6
_LEXICAL_FALLBACK_COST: Final = 1.0  # spelling a lexical word letter by letter instead
_FOREIGN_LETTER_COST: Final = 2.5  # keeping a letter the other alphabet lacks
_DIRECTIONS: Final = ("uk>ru", "ru>uk")
_SAME_SPELLING_BONUS: Final = 0.5
_RULE_BONUS: Final = 0.1  # per letter: a longer stem/suffix row beats letter-by-letter spelling


def _lang_endings(lang: str) -> tuple[str, ...]:
    return tuple(row["ending"] for row in datafile.LANG_ENDINGS.read() if row["lang"] == lang)


# Word endings only one of the languages writes, for names without telling letters
# (``data/lang_endings.tsv``).
_UK_ENDINGS: Final = _lang_endings("uk")
_RU_ENDINGS: Final = _lang_endings("ru")
_NOT_IN: Final = {"uk>ru": frozenset("іїєґ'"), "ru>uk": frozenset("ыэъё")}


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A source string and its target alternatives with costs, for one direction."""

    kind: str
    source: str
    targets: tuple[tuple[str, float], ...]
    at_start: bool
    at_end: bool


@dataclass(slots=True)
class _SourceNode:
    """A node of the trie of pattern sources: the patterns whose source ends here, each with
    its rank among the patterns that start with the same letter (file order, the order in
    which a position's moves are tried), and the nodes one letter further."""

    patterns: list[tuple[int, _Pattern]]
    children: dict[str, _SourceNode]


@dataclass(frozen=True, slots=True)
class _Table:
    """The patterns for one direction, indexed for the beam search."""

    phrases: dict[str, tuple[tuple[str, float], ...]]
    words: dict[str, tuple[tuple[str, float], ...]]
    by_first: dict[str, tuple[_Pattern, ...]]  # first source letter → patterns, in file order
    sources: dict[str, _SourceNode]  # the same as a trie of the sources, by first letter
    letters_with_rows: frozenset[str]  # single letters whose rows replace the identity
    # A position needs a look at the patterns only if its letter is one of ``busy`` (a
    # one-letter source, or a letter the other alphabet lacks), or it starts one of
    # ``openers`` (the first two letters of the longer sources); elsewhere the letter is
    # kept at no cost.
    busy: frozenset[str]
    openers: frozenset[str]


@functools.cache
def _rows() -> Table:
    return datafile.UK_RU.read()


def load_samples() -> list[tuple[str, str]]:
    """The ``sample`` pairs (Ukrainian, Russian) of ``uk_ru.tsv``: the tests, not the rules."""
    return [(s.given, s.expected) for s in datafile.UK_RU.samples()]


def _alternatives(row: Row, targets: str) -> tuple[tuple[str, float], ...]:
    names = targets.split("|")
    costs = row["cost"]
    try:
        values = [float(c) for c in costs.split(",")] if costs else [0.0] * len(names)
    except ValueError:
        raise _rows().error(row, f"costs {costs!r} are not numbers") from None
    if len(values) != len(names):
        raise _rows().error(row, f"{targets!r} has {len(names)} alternatives, costs {costs!r}")
    return tuple(zip(names, values, strict=True))


@functools.cache
def _table(direction: str) -> _Table:
    """Read ``uk_ru.tsv`` into the patterns for ``direction`` (``"uk>ru"`` or ``"ru>uk"``)."""
    phrases: dict[str, list[tuple[str, float]]] = {}
    words: dict[str, list[tuple[str, float]]] = {}
    patterns: list[_Pattern] = []
    for row in _rows():
        kind = row["kind"]
        if kind == "sample":
            continue
        pairs: list[tuple[str, str, float]] = []  # (source, target, cost)
        if kind == "letter":
            if row["dir"] != direction:
                continue
            source, targets = (
                (row["uk"], row["ru"]) if direction == "uk>ru" else (row["ru"], row["uk"])
            )
            pairs = [(source, t, c) for t, c in _alternatives(row, targets)]
        else:
            if row["dir"] not in ("both", direction):
                continue
            alts = _alternatives(row, row["ru"])
            if direction == "uk>ru":
                pairs = [(row["uk"], t, c) for t, c in alts]
            else:
                pairs = [(t, row["uk"], c) for t, c in alts]
        for source, target, cost in pairs:
            if kind == "phrase":
                phrases.setdefault(source, []).append((target, cost))
            elif kind == "word":
                words.setdefault(source, []).append((target, cost))
            else:
                # ^ and $ anchor a pattern to the start or end of a word; in a row they may be
                # written on either side, and hold for both directions.
                at_start = source.startswith("^") or target.startswith("^")
                at_end = kind in ("suffix", "adj") or source.endswith("$") or target.endswith("$")
                bare, target = source.strip("^$"), target.strip("^$")
                if kind in ("stem", "suffix", "adj") and bare != target:
                    cost -= _RULE_BONUS * len(bare)
                patterns.append(_Pattern(kind, bare, ((target, cost),), at_start, at_end))
    by_first: dict[str, list[_Pattern]] = {}
    for pattern in patterns:
        by_first.setdefault(pattern.source[0], []).append(pattern)
    sources: dict[str, _SourceNode] = {}
    for same_first in by_first.values():
        for rank, pattern in enumerate(same_first):
            children = sources
            for letter in pattern.source:
                node = children.setdefault(letter, _SourceNode([], {}))
                children = node.children
            node.patterns.append((rank, pattern))
    single = frozenset(
        p.source
        for p in patterns
        if p.kind == "letter" and len(p.source) == 1 and not p.at_start and not p.at_end
    )
    return _Table(
        {k: tuple(v) for k, v in phrases.items()},
        {k: tuple(v) for k, v in words.items()},
        {k: tuple(v) for k, v in by_first.items()},
        sources,
        single,
        frozenset(p.source for p in patterns if len(p.source) == 1) | _NOT_IN[direction],
        frozenset(p.source[:2] for p in patterns if len(p.source) > 1),
    )


_Move = tuple[int, str, float]  # (end position, text written, cost)
_INF: Final = float("inf")
_by_cost: Final = operator.itemgetter(1)  # sort key of (text, cost) pairs
_by_rank: Final = operator.itemgetter(0)


def _position_moves(
    word: str, i: int, table: _Table, foreign: frozenset[str], before_noun: bool
) -> list[_Move] | None:
    """The ways to rewrite ``word`` from position ``i``: each matching pattern (in the order
    of the patterns starting with that letter), then the letter itself unless a letter row
    replaces it.  ``None`` when the letter can only be kept as it is, at no cost."""
    char = word[i]
    n = len(word)
    matched: list[tuple[int, int, _Pattern]] = []  # (rank, end, pattern)
    node = table.sources.get(char)
    end = i
    while node is not None:  # down the trie along the word: the sources found there
        end += 1
        for rank, pattern in node.patterns:
            if (pattern.at_start and i != 0) or (pattern.at_end and end != n):
                continue
            if pattern.kind == "adj" and not before_noun:
                continue
            matched.append((rank, end, pattern))
        node = node.children.get(word[end]) if end < n else None
    keep = char not in table.letters_with_rows
    if not matched and keep and char not in foreign:
        return None
    matched.sort(key=_by_rank)
    moves = [(end, text, cost) for _, end, pattern in matched for text, cost in pattern.targets]
    if keep:
        moves.append((i + 1, char, _FOREIGN_LETTER_COST if char in foreign else 0.0))
    return moves


def _spell(word: str, direction: str, before_noun: bool) -> list[tuple[str, float]]:
    """Rewrite one word (no spaces, no hyphens) by beam search over the pattern table.

    ``beams[i]`` holds the cheapest spellings of ``word[:i]``; from each position the
    :data:`_BEAM` cheapest are extended by every move.  A run of letters that can only be
    kept, and that no other move lands inside, is crossed in one step: that gives the same
    spellings, costs and order as crossing it letter by letter, as no beam in between
    could grow or be cut.
    """
    table = _table(direction)
    foreign = _NOT_IN[direction]
    n = len(word)
    busy, openers = table.busy, table.openers
    moves = [
        _position_moves(word, i, table, foreign, before_noun)
        if char in busy or word[i : i + 2] in openers
        else None
        for i, char in enumerate(word)
    ]
    beams: list[dict[str, float]] = [{} for _ in range(n + 1)]
    beams[0][""] = 0.0
    i = 0
    while i < n:
        if not beams[i]:
            i += 1
            continue
        current = sorted(beams[i].items(), key=_by_cost)[:_BEAM]
        end = i
        while end < n and moves[end] is None and (end == i or not beams[end]):
            end += 1
        if end > i:
            # Kept letters add no cost (and no path costs -0.0, so cost + 0.0 == cost).
            target, text = beams[end], word[i:end]
            for prefix, cost in current:
                out = prefix + text
                if cost < target.get(out, _INF):
                    target[out] = cost
            i = end
            continue
        steps = [(beams[end], text, step) for end, text, step in moves[i] or ()]
        for prefix, cost in current:
            for target, text, step in steps:
                out = prefix + text
                total = cost + step
                if total < target.get(out, _INF):
                    target[out] = total
        i += 1
    return sorted(beams[n].items(), key=_by_cost)


def _word_options(word: str, direction: str, before_noun: bool) -> list[tuple[str, float]]:
    """Spellings of one space-free word; hyphenated parts are rewritten separately."""
    table = _table(direction)
    if word in table.words:
        found = dict(table.words[word])
        for text, cost in _spell(word, direction, before_noun)[:_PER_WORD]:
            found.setdefault(text, cost + _LEXICAL_FALLBACK_COST)
        return sorted(found.items(), key=_by_cost)
    if "-" in word and all(word.split("-")):
        parts = [_word_options(p, direction, False)[:_PER_WORD] for p in word.split("-")]
        return _best_combinations(parts, "-", _PER_WORD * 2)
    return _spell(word, direction, before_noun)


def _best_combinations(
    options: Sequence[Sequence[tuple[str, float]]], joiner: str, limit: int
) -> list[tuple[str, float]]:
    """The ``limit`` cheapest joined combinations of per-part options, each text once."""
    if len(options) == 1:
        # One part: its options are already distinct texts, cheapest first (_word_options),
        # and a lone cost is its own sum.
        return list(options[0][:limit])
    best: dict[str, float] = {}
    for combo in itertools.product(*options):
        text = joiner.join(t for t, _ in combo)
        cost = sum(c for _, c in combo)
        if cost < best.get(text, float("inf")):
            best[text] = cost
    return sorted(best.items(), key=_by_cost)[:limit]


@functools.lru_cache(maxsize=50_000)
def translate(name: str, direction: str) -> tuple[tuple[str, float], ...]:
    """Scored spellings of a normalised ``name`` in the other language, cheapest first.

    ``direction`` is ``"uk>ru"`` or ``"ru>uk"``.  Exposed for the benchmark and
    for callers that want the costs; most callers want :func:`counterparts`.
    """
    if direction not in _DIRECTIONS:
        raise InvalidInputError(f"direction must be one of {_DIRECTIONS}, got {direction!r}")
    table = _table(direction)
    results: dict[str, float] = dict(table.phrases.get(name, ()))
    words = name.split(" ")
    per_word = _PER_WORD if len(words) <= 2 else 3
    options = [
        _word_options(w, direction, before_noun=i < len(words) - 1)[:per_word]
        for i, w in enumerate(words)
    ]
    for text, cost in _best_combinations(options, " ", MAX_COUNTERPARTS * 2):
        results.setdefault(text, cost)
    return tuple(sorted(results.items(), key=_by_cost)[: MAX_COUNTERPARTS * 2])


def _guess_by_endings(text: str) -> str | None:
    """``"uk"`` or ``"ru"`` from endings or lexical words only one language has (*-ськ*, *нова*)."""
    uk_words, ru_words = _table("uk>ru").words, _table("ru>uk").words
    votes = 0
    for word in text.replace("-", " ").split():
        if word.endswith(_UK_ENDINGS) or (word in uk_words and word not in ru_words):
            votes += 1
        elif (
            word.endswith(_RU_ENDINGS)
            or word.startswith("и")  # Ukrainian words practically never start with и
            or (word in ru_words and word not in uk_words)
        ):
            votes -= 1
        elif len(word) > 2 and word[-1] == "е" and word[-2] not in "аеєиіїоуюяьё":
            votes += 1  # neuter adjectival names: Ukrainian Веселе, Russian Весёлое
    return "uk" if votes > 0 else "ru" if votes < 0 else None


def counterparts(name: str) -> list[str]:
    """Plausible spellings of ``name`` in the other language (uk ↔ ru), best first.

    The language is decided by letters (і ї є ґ ' → Ukrainian; ы э ъ ё →
    Russian); a name with neither is read both ways.  Output is lower-case, at
    most :data:`MAX_COUNTERPARTS` entries, and may include the name itself when
    both languages spell it alike (*Житомир*).

    >>> counterparts("Харків")[0]
    'харьков'
    """
    text = normalize(name)
    if not text:
        raise InvalidInputError("empty place name")
    lang = guess_lang(text) or _guess_by_endings(text)
    directions = ["uk>ru"] if lang == "uk" else ["ru>uk"] if lang == "ru" else list(_DIRECTIONS)
    best: dict[str, float] = {}
    for direction in directions:
        for out, cost in translate(text, direction):
            if cost < best.get(out, float("inf")):
                best[out] = cost
    if len(directions) > 1 and text in best:
        # Nothing tells the language: the likeliest reading is a name both spell alike.
        best[text] -= _SAME_SPELLING_BONUS
    ranked = sorted(best, key=lambda k: best[k])
    return ranked[:MAX_COUNTERPARTS]
