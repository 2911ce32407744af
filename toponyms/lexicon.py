"""Words that look like place names but usually are not: people, organisations, common words.

Read from ``toponyms/data/non_places.tsv`` (see that folder's README for sources). The
resolver abstains on such a word unless it is exactly the official name of a place or a
qualifier makes it a place; the extractor also asks for context (a preposition, a
qualifier, a nearby place) before it takes one as a mention.
"""

from __future__ import annotations

import re
from functools import lru_cache

from toponyms.text import datafile, morph
from toponyms.text.keys import exact_key
from toponyms.text.normalize import fold, script_of
from toponyms.text.translit import cyrillize

_UKRAINIAN_ONLY = frozenset("іїєґ'")  # letters the Russian dictionary has no words with
_UKRAINIAN_LETTERS = frozenset("іїєґ")  # the Cyrillic ones
# Characters of the basic Cyrillic block, all within normalize's Cyrillic class: a word made
# of them alone is one script_of() calls "Cyrl", so it need not be asked.
_PLAIN_CYRILLIC = re.compile("[\u0400-\u04ff]+")
_PLACE_GRAMMEMES = frozenset({"Geox", "geo"})
_PERSON_GRAMMEMES = frozenset({"Surn", "Name", "Patr", "lname", "fname", "patr"})


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    """The rows of ``non_places.tsv`` as column → value."""
    return datafile.NON_PLACES.read().rows


@lru_cache(maxsize=1)
def non_places() -> dict[str, str]:
    """Folded word → category (person, organisation, military_unit, common_word, ...)."""
    result: dict[str, str] = {}
    for row in _rows():
        word = fold(row.get("word", ""))
        if word:
            result.setdefault(word, row.get("category", "common_word"))
    return result


#: Categories whose words, unless a place reading is recorded, answer only as the
#: official name of a well-known place (see :func:`is_strict_non_place`).
STRICT_CATEGORIES = frozenset({"person", "organisation", "weapon"})


@lru_cache(maxsize=1)
def strict_non_places() -> frozenset[str]:
    """Folded words of people, organisations and weapons with no recorded place reading
    (``place_reading`` empty): Syrskyi, Yermak, Shahed, but not Zhdanov (Mariupol's old
    name) or Kirov (a city)."""
    return frozenset(
        fold(row["word"])
        for row in _rows()
        if row.get("category") in STRICT_CATEGORIES and not row.get("place_reading")
    )


def is_strict_non_place(name: str) -> bool:
    """Whether ``name`` is a person's, organisation's or weapon's name that no place of
    note bears: the resolver then answers it only with a well-known place's official name
    (a city of 100,000 or more), never with a village's or an alternate spelling."""
    return exact_key(name) in strict_non_places()


@lru_cache(maxsize=1)
def phrase_starts() -> frozenset[str]:
    """First words of the multi-word entries (Dynamo Kyiv → dynamo), to find them fast."""
    return frozenset(word.split(" ")[0] for word in non_places() if " " in word)


def category(name: str) -> str | None:
    """The non-place category of a name, or ``None`` if it is not listed."""
    return non_places().get(exact_key(name))


def is_non_place(name: str) -> bool:
    return category(name) is not None


@lru_cache(maxsize=50_000)
def dictionary_class(word: str) -> str | None:
    """What the Russian dictionary (pymorphy3) says a single word is:
    ``"person"`` for a known first name, surname or patronymic, ``"word"`` for a known
    common word that is not a place name, else ``None`` (unknown, or a toponym).

    Latin words are read through their most likely Russian spelling, so ``Budanov`` is
    looked up as ``Буданов``. The resolver uses this to refuse resemblance-based answers
    (another transliteration, a typo) for queries such as *Lavrov* or *сегодня*.
    """
    if " " in word.strip() or not word.strip():
        return None
    if not _UKRAINIAN_LETTERS.isdisjoint(word.casefold()):
        # Ukrainian letters: the script is Cyrillic or mixed, and either way the answer is
        # None (see _cyrillic_class), so the script need not be worked out.
        return None
    script = "Cyrl" if _PLAIN_CYRILLIC.fullmatch(word) else script_of(word)
    if script == "Latn":
        spelled = cyrillize(word, "ru", rank=False)[:3]
        if not spelled:
            return None
        # The cheapest spellings suffice here: the dictionary itself is the judge.
        verdicts = [_cyrillic_class(w) for w in spelled]
        if "person" in verdicts:
            return "person"
        return verdicts[0]
    if script != "Cyrl":
        return None
    return _cyrillic_class(word)


def _cyrillic_class(word: str) -> str | None:
    """:func:`dictionary_class` of a Cyrillic word."""
    folded = word.casefold()
    if not _UKRAINIAN_ONLY.isdisjoint(folded):
        return None  # the Ukrainian dictionary tags no place names, so it cannot tell
    found: str | None = None
    for lang in ("ru",):
        # Every reading comes from the dictionary itself, so each one is "known".
        known = [tag for tag, score in morph._scored_tags(folded, lang) if score >= 0.2]
        if not known:
            continue
        grammemes = [tag.grammemes for tag in known]
        if any(not _PLACE_GRAMMEMES.isdisjoint(g) for g in grammemes):
            return None
        if any(not _PERSON_GRAMMEMES.isdisjoint(g) for g in grammemes):
            return "person"
        found = "word"
    return found
