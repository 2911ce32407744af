"""Split a query into the name and its qualifiers.

People qualify a name to tell namesakes apart, in many styles::

    Kirovsk (Luhansk region)          Pokrovske, Dnipropetrovsk Oblast
    Novomykhailivka, Pokrovsk raion   Миколаївка Донецької області
    с. Іванівка, Херсонська обл.      Михайловка (Запорожская область)
    Andriivka near Bakhmut            Андріївка під Бахмутом

:func:`split` returns the name with every bracketed or comma-separated qualifier taken
off, and the settlement-type word it may start with dropped (``с.``, ``смт``, ``the
village of``); the name less an English type word after it (``Ivanivka village``) is
offered too, for the resolver to take when the whole is no place's name. Qualifiers glued
on without punctuation (``Миколаївка Донецької області``, ``Іванівка Херсонської обл.``)
are found by the resolver, which tries the text's word boundaries against region names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from toponyms.text import datafile

_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_SEPARATORS = re.compile(r"\s*[,;/]\s*")


def _within_pattern() -> re.Pattern[str]:
    """A region after "in": *Tarasivka in Odesa Oblast*, *Іванівка у Херсонській області*
    (``context_words.tsv``: a ``within_word``, then words ending in a ``within_region``
    word, matched as written, in the file's order)."""
    words: dict[str, list[str]] = {"within_word": [], "within_region": []}
    for row in datafile.CONTEXT_WORDS.read():
        if row["role"] in words and row["word"] not in words[row["role"]]:
            words[row["role"]].append(row["word"])
    before = "|".join(map(re.escape, words["within_word"]))
    region = "|".join(map(re.escape, words["within_region"]))
    return re.compile(rf"\s+({before})\s+(.+(?:{region}))\s*$")


_IN_REGION = _within_pattern()


@lru_cache(maxsize=1)
def _type_word_table() -> tuple[tuple[str, str, frozenset[str]], ...]:
    """``(word, role, kinds)`` of each row of ``toponyms/data/type_words.tsv``, words
    lower-cased; ``kinds``: the kinds of place a settlement-type word admits (empty: any)."""
    return tuple(
        (row["word"].casefold(), row["role"], frozenset(row["kinds"].split()))
        for row in datafile.TYPE_WORDS.read()
    )


@lru_cache(maxsize=1)
def _type_word_rows() -> tuple[tuple[str, str], ...]:
    """``(word, role)`` of each row of ``toponyms/data/type_words.tsv``, words lower-cased."""
    return tuple((word, role) for word, role, _ in _type_word_table())


@lru_cache(maxsize=1)
def _prefix_kinds() -> dict[str, frozenset[str]]:
    """Settlement-type prefix → the kinds of place it admits (``с.``: villages and
    settlements; ``м.``: cities), for the prefixes that say."""
    return {
        word: kinds
        for word, role, kinds in _type_word_table()
        if role == "settlement_prefix" and kinds
    }


@lru_cache(maxsize=1)
def type_words() -> tuple[frozenset[str], frozenset[str]]:
    """Settlement-type prefixes (``с.``, ``смт``, ``the village of``) and region words
    (``область``, ``обл.``, ``район``, ``oblast``), from ``toponyms/data/type_words.tsv``."""
    rows = _type_word_rows()
    prefixes = frozenset(word for word, role in rows if role == "settlement_prefix")
    regions = frozenset(word for word, role in rows if role in ("region_word", "raion_word"))
    return prefixes, regions


@lru_cache(maxsize=1)
def _type_suffixes() -> frozenset[str]:
    """English settlement-type words written after the name (``Ivanivka village``)."""
    return frozenset(word for word, role in _type_word_rows() if role == "settlement_suffix")


# The longest settlement-type prefix, in words (``the village of``).
_PREFIX_WORDS = 3


@dataclass(frozen=True, slots=True)
class Query:
    """A query taken apart: the name to find and the qualifiers that narrow it."""

    text: str
    name: str
    qualifiers: tuple[str, ...]
    # A locative preposition stood before the name (во Львове): the name is a case form.
    after_preposition: bool = False
    # The name was a front direction read as a raion (Покровському напрямку): only a
    # raion may answer it, not a city district that shares the adjective (Південний).
    raion_only: bool = False
    # The name less an English settlement-type word after it (Ivanivka village), taken
    # by the resolver when the whole name is no place's.
    bare: str | None = None
    # The kinds of place a settlement-type word before the name admits (с. Нью-Йорк: a
    # village or settlement; м. Покровськ: a city); None when no type word says.
    kinds: frozenset[str] | None = None


#: Settlement-type abbreviations that may be glued to the name by their dot (``с.Іванівка``).
_GLUED_PREFIXES = ("с.", "м.", "смт.", "сел.", "п.", "пгт.", "г.", "д.")


def strip_type_prefix(name: str) -> str:
    """Drop a leading settlement-type word: ``с. Іванівка`` → ``Іванівка``."""
    return take_type_prefix(name)[0]


def take_type_prefix(name: str) -> tuple[str, frozenset[str] | None]:
    """The name without its leading settlement-type words, and the kinds of place the
    last of them admits (``с. Нью-Йорк``: a village or settlement, not New York City;
    None when no type word says)."""
    prefixes, _ = type_words()
    kinds_of = _prefix_kinds()
    kinds: frozenset[str] | None = None
    words = name.split(" ")
    changed = True
    while changed and len(words) > 1:
        changed = False
        # The longest prefix first: "the village of" before "village".
        for size in range(min(_PREFIX_WORDS, len(words) - 1), 1, -1):
            prefix = " ".join(words[:size]).casefold()
            if prefix in prefixes:
                words = words[size:]
                kinds = kinds_of.get(prefix, kinds)
                changed = True
                break
        else:
            head = words[0].casefold()
            for form in (head, head.rstrip("."), f"{head}."):
                if form in prefixes:
                    words = words[1:]
                    kinds = kinds_of.get(form, kinds)
                    changed = True
                    break
    result = " ".join(words)
    # "с.Іванівка" glued to its dot
    folded = result.casefold()
    if folded.startswith(_GLUED_PREFIXES):
        for prefix in _GLUED_PREFIXES:
            if folded.startswith(prefix) and len(result) > len(prefix) + 1:
                rest = result[len(prefix) :]
                if rest[:1].isupper():
                    return rest, kinds_of.get(prefix, kinds)
    return result, kinds


def strip_type_suffix(name: str) -> str | None:
    """The name without an English settlement-type word after it (``Ivanivka village`` →
    ``Ivanivka``), or None when it has none. Only a candidate: *Cape Town* and *Mexico City*
    are names as written, so the resolver takes it only when the whole text is no name."""
    head, _, last = name.rpartition(" ")
    if head and last.casefold() in _type_suffixes():
        return head
    return None


@lru_cache(maxsize=1)
def raion_words() -> frozenset[str]:
    """Words for a raion (район, району, district, rejon …; role ``raion_word`` in
    ``toponyms/data/type_words.tsv``)."""
    return frozenset(word for word, role in _type_word_rows() if role == "raion_word")


@lru_cache(maxsize=1)
def raion_adjective_endings() -> tuple[str, ...]:
    """Endings of the adjectives that name a raion after its centre (Мар'їнський ←
    Мар'їнка), longest first (``toponyms/data/raion_adjectives.tsv``)."""
    endings = {row["ending"] for row in datafile.RAION_ADJECTIVES.read()}
    return tuple(sorted(endings, key=lambda e: (-len(e), e)))


def old_raion_centre_stems(text: str) -> list[str]:
    """What a raion qualifier says of its centre's name: ``Marinka raion`` → ``Marinka``;
    ``Мар'їнський район`` → ``Мар'їн`` (a stem: the centre's name starts with it). Empty
    when the text names no raion."""
    words = text.split(" ")
    rest = [w for w in words if w.casefold().strip(".,") not in raion_words()]
    if len(rest) == len(words) or not rest:
        return []
    head = " ".join(rest)
    for ending in raion_adjective_endings():
        if head.casefold().endswith(ending) and len(head) - len(ending) >= 3:
            return [head[: -len(ending)]]
    return [head]


@lru_cache(maxsize=1)
def direction_words() -> dict[str, str]:
    """Front-line direction word → the raion word in the same case, or ``""`` to drop it
    (``toponyms/data/direction_words.tsv``)."""
    return {row["word"].casefold(): row["region_word"] for row in datafile.DIRECTION_WORDS.read()}


def read_direction(name: str) -> tuple[str, bool]:
    """A front "direction" named after a place, read as the raion of that adjective
    (``Покровському напрямку`` → ``Покровському району``, True: only a raion may answer)
    or as the place itself (``Pokrovsk direction`` → ``Pokrovsk``, False). Other names
    come back unchanged."""
    head, _, last = name.rpartition(" ")
    region_word = direction_words().get(last.casefold()) if head else None
    if region_word is None:
        return name, False
    if region_word:
        return f"{head} {region_word}", True
    return head, False


@lru_cache(maxsize=1)
def context_word_rows() -> tuple[tuple[str, str], ...]:
    """``(word, role)`` of each row of ``toponyms/data/context_words.tsv``, words
    lower-cased (the one reader of that file: the extractor's words come from here too)."""
    return tuple((row["word"].casefold(), row["role"]) for row in datafile.CONTEXT_WORDS.read())


@lru_cache(maxsize=1)
def prepositions() -> frozenset[str]:
    """Locative prepositions of the languages we read (``toponyms/data/context_words.tsv``)."""
    return frozenset(word for word, role in context_word_rows() if role == "preposition")


@lru_cache(maxsize=1)
def _preposition_phrases() -> dict[int, frozenset[str]]:
    """Phrases that stand as a preposition (``в районе``, ``on the outskirts of``), by
    their number of words (role ``preposition_phrase``)."""
    phrases: dict[int, set[str]] = {}
    for word, role in context_word_rows():
        if role == "preposition_phrase":
            phrases.setdefault(word.count(" ") + 1, set()).add(word)
    return {size: frozenset(words) for size, words in phrases.items()}


def strip_preposition(name: str) -> str:
    """``під Бахмутом`` → ``Бахмутом``; ``w Charkowie`` → ``Charkowie``; ``в районе н.п.
    Работино`` → ``н.п. Работино``: a lower-case preposition (or a phrase that stands as
    one) before a capitalised word, or before a settlement-type word and a capitalised
    word, is context, not part of the name."""
    words = name.split(" ")
    sizes = sorted(_preposition_phrases(), reverse=True)
    for size in [*sizes, 1]:
        if len(words) <= size:
            continue
        head = " ".join(words[:size])
        known = prepositions() if size == 1 else _preposition_phrases()[size]
        if not head.islower() or head.casefold() not in known:
            continue
        rest = " ".join(words[size:])
        if rest[:1].isupper() or strip_type_prefix(rest)[:1].isupper():
            return rest
    return name


@lru_cache(maxsize=1)
def _near_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words that make a qualifier a neighbourhood: before the place (``near``, ``під``,
    ``около``; role ``near_word``) and after it (``area``; role ``area_word``)."""
    rows = context_word_rows()
    return (
        frozenset(word for word, role in rows if role == "near_word"),
        frozenset(word for word, role in rows if role == "area_word"),
    )


def near_place(qualifier: str) -> str | None:
    """The place a neighbourhood qualifier names: ``near Bakhmut``, ``під Бахмутом``,
    ``Bakhmut area``, ``Bakhmut direction`` → the place's name as written (a case form
    after a preposition); None for any other qualifier."""
    before, after = _near_words()
    words = qualifier.split(" ")
    for size in (4, 3, 2, 1):  # in the vicinity of, not far from, close to, near
        if len(words) > size and " ".join(words[:size]).casefold() in before:
            return " ".join(words[size:])
    if len(words) > 1 and words[-1].casefold() in after:
        return " ".join(words[:-1])
    read, raion_only = read_direction(qualifier)
    if read != qualifier and not raion_only:
        return read  # Pokrovsk direction: the town (an adjective's raion is a region)
    return None


def _near_tail(name: str) -> tuple[str, str] | None:
    """A neighbourhood glued to the end of a name (a lower-case near word, then one or two
    capitalised words): ``Andriivka near Bakhmut`` → (``Andriivka``, ``near Bakhmut``);
    ``Андріївка під Бахмутом`` → (``Андріївка``, ``під Бахмутом``). None when the name
    ends in no neighbourhood."""
    before, _ = _near_words()
    words = name.split(" ")
    for size in (4, 3, 2, 1):
        for cut in range(len(words) - size - 1, 0, -1):
            head = " ".join(words[cut : cut + size])
            rest = words[cut + size :]
            if (
                head.islower()
                and head.casefold() in before
                and 1 <= len(rest) <= 2
                and all(w[:1].isupper() for w in rest)
            ):
                return " ".join(words[:cut]), " ".join(words[cut:])
    return None


def split(text: str) -> Query:
    """Take a cleaned query apart into its name and qualifiers."""
    qualifiers: list[str] = []

    def take(match: re.Match[str]) -> str:
        inner = (match.group(1) or match.group(2) or "").strip()
        qualifiers.extend(p.strip() for p in _SEPARATORS.split(inner) if p.strip())
        return " "

    name = _BRACKETS.sub(take, text)
    within = _IN_REGION.search(name)
    if within is not None:
        qualifiers.append(within.group(2).strip())
        name = name[: within.start()]
    parts = [p.strip() for p in _SEPARATORS.split(name) if p.strip()]
    if not parts:
        return Query(text=text, name=text.strip(), qualifiers=tuple(qualifiers))
    written = " ".join(parts[0].split())
    near = _near_tail(written)
    if near is not None:
        written = near[0]
        qualifiers.append(near[1])
    name = strip_preposition(written)
    qualifiers = [*parts[1:], *qualifiers]
    read, raion_only = read_direction(name)
    stripped, kinds = take_type_prefix(read)
    return Query(
        text=text,
        name=stripped,
        qualifiers=tuple(qualifiers),
        after_preposition=name != written,
        raion_only=raion_only,
        bare=strip_type_suffix(stripped),
        kinds=kinds,
    )
