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
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Final

from toponyms.errors import InvalidInputError
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

# Word endings only one of the languages writes, for names without telling letters.
_UK_ENDINGS: Final = (
    "ськ",
    "цьк",
    "ське",
    "ська",
    "ський",
    "цький",
    "ів",
    "івка",
    "ине",
    "ове",
    "еве",
)
_RU_ENDINGS: Final = (
    "ск",
    "цк",
    "ское",
    "ская",
    "ский",
    "цкий",
    "ое",
    "ая",
    "ый",
    "евка",
    "ино",
    "ово",
    "ево",
)
_NOT_IN: Final = {"uk>ru": frozenset("іїєґ'"), "ru>uk": frozenset("ыэъё")}


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A source string and its target alternatives with costs, for one direction."""

    kind: str
    source: str
    targets: tuple[tuple[str, float], ...]
    at_start: bool
    at_end: bool


@dataclass(frozen=True, slots=True)
class _Table:
    """The patterns for one direction, indexed for the beam search."""

    phrases: dict[str, tuple[tuple[str, float], ...]]
    words: dict[str, tuple[tuple[str, float], ...]]
    by_first: dict[str, tuple[_Pattern, ...]]  # first source letter → patterns
    letters_with_rows: frozenset[str]  # single letters whose rows replace the identity


def _rows() -> list[dict[str, str]]:
    text = resources.files("toponyms.text.data").joinpath("uk_ru.tsv").read_text("utf-8")
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def load_samples() -> list[tuple[str, str]]:
    """The ``sample`` pairs (Ukrainian, Russian) of ``uk_ru.tsv``: the tests, not the rules."""
    return [(r["uk"], r["ru"]) for r in _rows() if r["kind"] == "sample"]


def _alternatives(targets: str, costs: str) -> tuple[tuple[str, float], ...]:
    names = targets.split("|")
    values = [float(c) for c in costs.split(",")] if costs else [0.0] * len(names)
    if len(values) != len(names):
        raise ValueError(f"uk_ru.tsv: {targets!r} has {len(names)} alternatives, costs {costs!r}")
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
            pairs = [(source, t, c) for t, c in _alternatives(targets, row["cost"])]
        else:
            if row["dir"] not in ("both", direction):
                continue
            alts = _alternatives(row["ru"], row["cost"])
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
    single = frozenset(
        p.source
        for p in patterns
        if p.kind == "letter" and len(p.source) == 1 and not p.at_start and not p.at_end
    )
    return _Table(
        {k: tuple(v) for k, v in phrases.items()},
        {k: tuple(v) for k, v in words.items()},
        {k: tuple(v) for k, v in by_first.items()},
        single,
    )


def _spell(word: str, direction: str, before_noun: bool) -> list[tuple[str, float]]:
    """Rewrite one word (no spaces, no hyphens) by beam search over the pattern table."""
    table = _table(direction)
    foreign = _NOT_IN[direction]
    n = len(word)
    beams: list[dict[str, float]] = [{} for _ in range(n + 1)]
    beams[0][""] = 0.0
    for i in range(n):
        if not beams[i]:
            continue
        current = sorted(beams[i].items(), key=lambda kv: kv[1])[:_BEAM]
        moves: list[tuple[int, str, float]] = []
        char = word[i]
        for pattern in table.by_first.get(char, ()):
            end = i + len(pattern.source)
            if word[i:end] != pattern.source:
                continue
            if (pattern.at_start and i != 0) or (pattern.at_end and end != n):
                continue
            if pattern.kind == "adj" and not before_noun:
                continue
            moves.extend((end, t, c) for t, c in pattern.targets)
        if char not in table.letters_with_rows:
            moves.append((i + 1, char, _FOREIGN_LETTER_COST if char in foreign else 0.0))
        for prefix, cost in current:
            for end, text, step in moves:
                out = prefix + text
                total = cost + step
                if total < beams[end].get(out, float("inf")):
                    beams[end][out] = total
    return sorted(beams[n].items(), key=lambda kv: kv[1])


def _word_options(word: str, direction: str, before_noun: bool) -> list[tuple[str, float]]:
    """Spellings of one space-free word; hyphenated parts are rewritten separately."""
    table = _table(direction)
    if word in table.words:
        found = dict(table.words[word])
        for text, cost in _spell(word, direction, before_noun)[:_PER_WORD]:
            found.setdefault(text, cost + _LEXICAL_FALLBACK_COST)
        return sorted(found.items(), key=lambda kv: kv[1])
    if "-" in word and all(word.split("-")):
        parts = [_word_options(p, direction, False)[:_PER_WORD] for p in word.split("-")]
        return _best_combinations(parts, "-", _PER_WORD * 2)
    return _spell(word, direction, before_noun)


def _best_combinations(
    options: Sequence[Sequence[tuple[str, float]]], joiner: str, limit: int
) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for combo in itertools.product(*options):
        text = joiner.join(t for t, _ in combo)
        cost = sum(c for _, c in combo)
        if cost < best.get(text, float("inf")):
            best[text] = cost
    return sorted(best.items(), key=lambda kv: kv[1])[:limit]


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
    return tuple(sorted(results.items(), key=lambda kv: kv[1])[: MAX_COUNTERPARTS * 2])


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
