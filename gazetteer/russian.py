"""Russian spellings of Ukrainian place names: case, press variants, plausibility.

KOATUU 2019 prints every Russian name in capitals (``КЛЕЩИЕВКА``, ``ВЕЛИКАЯ НОВОСЕЛКА``);
the gazetteer writes names as people do, in sentence case, with the capitals of the
current Ukrainian name as the template (``Велика Новосілка`` → ``Великая Новоселка``).
Where Russian-language news writes a name otherwise than the classifier by a regular
rule (``ru_spellings.tsv``: Клещиевка → Клещеевка) that spelling is kept beside it.

:func:`is_russian` tells a Russian spelling from a Belarusian, Ukrainian or Crimean Tatar
one that a source filed as Russian (Зарэчнае, Ноўгарадскэ, Къарасувбазар): only letters
and endings decide, which is enough to keep them out of ``places.name_ru``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gazetteer import curated
from toponyms.errors import InvalidInputError
from toponyms.text.ukru import counterparts

DATA_DIR = Path(__file__).parent / "data"
# Letters Russian never writes (Ukrainian і ї є ґ and the apostrophe, Belarusian ў), and
# the letter pairs of Crimean Tatar Cyrillic (къ, гъ, нъ) no Russian name has.
NON_RUSSIAN_LETTERS = frozenset("іїєґў'’ʼ")
CRIMEAN_TATAR_PAIRS = ("къ", "гъ", "нъ")
# Word endings of Belarusian names that Russian spells -ое, -ая, -ичи, -овка (Зарэчнае).
BELARUSIAN_ENDINGS = ("ае", "ічы", "ычы", "аўка", "эўка")
# Words a Russian name keeps in lower case inside it (Ростов-на-Дону).
LOWER_WORDS = frozenset({"на", "над", "под", "при", "за", "у", "в", "и"})
# Letters Ukrainian never writes in its own words (ы э ъ ё).
NON_UKRAINIAN_LETTERS = frozenset("ыэъё")


@dataclass(frozen=True, slots=True)
class SpellingRule:
    """A regular difference between the official Russian form and the press's."""

    rule: str
    pattern: re.Pattern[str]
    replacement: str
    official: str
    press: str
    source: str


@cache
def rules(data_dir: Path = DATA_DIR) -> tuple[SpellingRule, ...]:
    """The rows of ``ru_spellings.tsv``, their patterns compiled (lower-case names)."""
    return tuple(
        SpellingRule(
            row["rule"],
            re.compile(row["pattern"]),
            row["replacement"],
            row["official"],
            row["press"],
            row["source"],
        )
        for row in curated.read("ru_spellings.tsv", data_dir)
    )


def is_russian(name: str) -> bool:
    """Whether ``name`` may be a Russian spelling (no letter or ending of another language)."""
    lowered = name.lower()
    if any(ch in NON_RUSSIAN_LETTERS for ch in lowered):
        return False
    if any(pair in lowered for pair in CRIMEAN_TATAR_PAIRS):
        return False
    if "\u0301" in name:  # an acute stress mark: a dictionary's form, not a name as written
        return False
    words = re.split(r"[\s\-]+", lowered)
    if any(word.endswith(BELARUSIAN_ENDINGS) for word in words):
        return False
    return any("а" <= ch <= "я" or ch == "ё" for ch in lowered)


def is_ukrainian(name: str) -> bool:
    """Whether ``name`` may be a Ukrainian spelling (no ы, э, ъ, ё)."""
    return not any(ch in NON_UKRAINIAN_LETTERS for ch in name.lower())


def _tokens(text: str) -> list[str]:
    """Words and the separators between them, separators kept (``Ростов``, ``-``, ``на``…)."""
    return [t for t in re.split(r"([\s\-]+)", text) if t]


def sentence_case(upper: str, template: str | None = None) -> str:
    """A name printed in capitals, written as a name: each word capitalised, except the
    small words Russian keeps in lower case, and following ``template`` (the current
    Ukrainian name) word for word when both have the same words."""
    lowered = " ".join(upper.split()).lower()
    words = _tokens(lowered)
    shape = _tokens(template) if template else []
    if len(shape) != len(words):
        shape = []
    out = []
    for i, word in enumerate(words):
        if not word.strip("- ") or not word[0].isalpha():
            out.append(word)
            continue
        lower = not shape[i][:1].isupper() if shape else i > 0 and word in LOWER_WORDS
        out.append(word if lower else word[:1].upper() + word[1:])
    return "".join(out)


def press_variants(official: str, *, data_dir: Path = DATA_DIR) -> list[str]:
    """The spellings the press writes for an official Russian name, by the rule table
    (empty when no rule applies)."""
    found = []
    for rule in rules(data_dir):
        if rule.rule != "press_variant":
            continue
        words = _tokens(official)
        changed = False
        for i, word in enumerate(words):
            new = rule.pattern.sub(rule.replacement, word.lower())
            if new != word.lower():
                words[i] = word[:1] + new[1:] if word[:1].isupper() else new
                changed = True
        if changed:
            found.append("".join(words))
    return [v for v in dict.fromkeys(found) if v != official]


def generated_russian(name_uk: str) -> str | None:
    """The Russian spelling our uk → ru rules (:mod:`toponyms.text.ukru`) rank first for a
    Ukrainian name, in the name's own capitals; ``None`` when no candidate is Russian."""
    try:
        candidates = counterparts(name_uk)
    except InvalidInputError:
        return None
    russian = [c for c in candidates if is_russian(c)]
    fitting = [c for c in russian if _adjective_endings_agree(name_uk, c)]
    best = fitting or russian
    return sentence_case(best[0], name_uk) if best else None


# A Ukrainian neuter adjective ends in a consonant and -е (Вільне, Сонячне, Велике); its
# Russian counterpart in -ое or -ее (Вольное, Солнечное, Великое). The uk → ru rules rank
# both readings alike, so the ending decides. Nouns in -поле/-полє keep -е (Гуляйполе).
_NEUTER_BEFORE = frozenset("бвгджзклмнпрстфхцчшщ")


def _adjective_endings_agree(name_uk: str, russian: str) -> bool:
    words_uk = re.split(r"[\s\-]+", name_uk.lower())
    words_ru = re.split(r"[\s\-]+", russian.lower())
    if len(words_uk) != len(words_ru):
        return True
    for uk, ru in zip(words_uk, words_ru, strict=True):
        neuter = len(uk) > 3 and uk[-1] == "е" and uk[-2] in _NEUTER_BEFORE
        if neuter and not uk.endswith("поле") and not ru.endswith(("ое", "ее")):
            return False
    return True
