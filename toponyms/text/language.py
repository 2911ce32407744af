"""The language of each sentence of a text, for reading the words in it.

A news page in English may quote a Telegram post in Russian; a Ukrainian report may cite
a Russian governor. Case forms are read by the language they are written in (Судже is a
Russian locative, Сумщині a Ukrainian one), so the language is told sentence by sentence,
and within a sentence for each script apart (the Cyrillic name in an English sentence is
read as Ukrainian or Russian, by the text around it).

Evidence is data (``toponyms/text/data/language_words.tsv``): letters that only some of
the languages write (і ї є ґ; ы э ъ ё; ą ł ż; ä ß …) and frequent function words that,
within a script, one language writes (the, und, les, del, della, się; що, та; что, и).
A sentence takes the language with the most evidence when one has strictly more than
any other; otherwise (a short clause, a quote, a list of names) the language of the
nearest sentence before it in the same script, or after it when none before has one,
or none at all (then the readers try every language they know).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from toponyms.text import datafile

#: The script of each language told here.
SCRIPTS = {
    "en": "Latn",
    "de": "Latn",
    "fr": "Latn",
    "es": "Latn",
    "it": "Latn",
    "pl": "Latn",
    "uk": "Cyrl",
    "ru": "Cyrl",
    "cs": "Latn",  # read when given (its case forms), never told: no evidence rows
}


@lru_cache(maxsize=1)
def _evidence() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Function word → its languages, and letter → the languages that write it."""
    table = datafile.LANGUAGE_WORDS.read()
    words: dict[str, list[str]] = {}
    letters: dict[str, list[str]] = {}
    for row in table:
        item, kind, lang = row["item"], row["kind"], row["lang"]
        if lang not in SCRIPTS:
            raise table.error(row, f"unknown language {lang!r}")
        if kind not in ("word", "letter"):
            raise table.error(row, f"unknown kind {kind!r}")
        (words if kind == "word" else letters).setdefault(item.casefold(), []).append(lang)
    return (
        {k: tuple(v) for k, v in words.items()},
        {k: tuple(v) for k, v in letters.items()},
    )


def _script(word: str) -> str | None:
    """``Cyrl`` or ``Latn`` by the word's first letter (a word of letters of one script)."""
    first = word[:1]
    if first < "\u0250":  # Basic Latin to Latin Extended-B
        return "Latn" if first.isalpha() else None
    if "\u0400" <= first <= "\u04ff":
        return "Cyrl"
    return None


def word_languages(
    words: Sequence[str], sentence_starts: Sequence[bool], *, given: str | None = None
) -> list[str | None]:
    """The language to read each word in: its sentence's language for the word's script.

    Args:
        words: The words of a text, in order.
        sentence_starts: For each word, whether it starts a sentence (the first word does).
        given: The text's language when the caller knows it: every word of its script is
            read in it, and only the other script's sentences are told.

    Returns:
        ``en``, ``de``, ``fr``, ``es``, ``it``, ``pl``, ``uk``, ``ru`` or ``None`` (not
        told: no evidence in the sentence or around it, or a word of neither script).
    """
    word_langs, letter_langs = _evidence()
    fixed = SCRIPTS.get(given) if given is not None else None  # the script not told
    scripts: list[str | None] = []
    # Each sentence's votes, per script: language → evidence count.
    sentence_of: list[int] = []
    votes: list[dict[str, dict[str, int]]] = []
    for word, starts in zip(words, sentence_starts, strict=True):
        if starts or not votes:
            votes.append({})
        sentence_of.append(len(votes) - 1)
        script = _script(word)
        scripts.append(script)
        if script is None or script == fixed:
            continue
        folded = word.casefold()
        found = word_langs.get(folded, ())
        if not folded.isascii():
            seen = {lang for ch in folded if ch in letter_langs for lang in letter_langs[ch]}
            if seen:
                found = (*found, *seen)
        if found:
            tally = votes[-1].setdefault(script, {})
            for lang in found:
                tally[lang] = tally.get(lang, 0) + 1
    told: dict[str, list[str | None]] = {}
    for script in ("Latn", "Cyrl"):
        if script == fixed:
            told[script] = [given] * len(votes)
            continue
        told[script] = _fill([_winner(v.get(script, {})) for v in votes])
    return [
        told[script][sentence] if script is not None else None
        for script, sentence in zip(scripts, sentence_of, strict=True)
    ]


def _winner(tally: dict[str, int]) -> str | None:
    """The language with strictly the most evidence, else ``None``."""
    if not tally:
        return None
    ranked = sorted(tally.values(), reverse=True)
    if len(ranked) > 1 and ranked[0] == ranked[1]:
        return None
    return max(tally, key=tally.__getitem__)


def _fill(langs: list[str | None]) -> list[str | None]:
    """Sentences without a language of their own take the nearest one before them, or
    after them at the start of the text."""
    filled: list[str | None] = []
    last: str | None = next((lang for lang in langs if lang is not None), None)
    for lang in langs:
        if lang is not None:
            last = lang
        filled.append(last)
    return filled
