"""Matching keys stored in the index: the exact key and the romanisation-invariant key.

``exact_key`` is :func:`toponyms.text.normalize.fold`: two names with the same
exact key are the same spelling up to case, apostrophes, hyphens and
Unicode noise.

``invariant_key`` maps Cyrillic (Ukrainian and Russian) and Latin in any
romanisation (national, BGN/PCGN, ISO 9, scholarly, German, Polish,
French ...) into one reduced Latin alphabet, so that ``Oleshky``,
``Oleschky``, ``Olešky`` and ``Олешки`` all give ``olexki``.  It is built in
four cheap steps, every table prepared at import:

1. ``fold`` the name (case, homoglyphs, apostrophes, ё → е);
2. one ``str.translate``: Cyrillic letters to a plain Latin spelling,
   Latin letters with diacritics to their ASCII digraphs (ž → zh, ł → l),
   soft/hard signs, spaces, hyphens and punctuation removed;
3. one regex pass over the multi-letter graphemes (``tsch``, ``sch``,
   ``zh``, ``kh``, ``ts`` ...) and a second ``translate`` for the single
   letters, both into the reduced alphabet below;
4. runs of one symbol collapsed (``zhzh`` → ``x``, ``nn`` → ``n``) and the
   iotation before ``e`` and ``o`` dropped (ye/je/ie/є → e; yo/jo/io → e,
   since Cyrillic sources mostly write ё as е), then runs collapsed again
   (Sergeyev and Сергеев both give ``zerhev``).

Reduced alphabet (one symbol for each group that romanisations confuse):

=======  ==========================================================
``h``    г ґ х ч: g h kh ch x gh tsch tch cz č
``x``    ж ш (and the ш of щ): zh sh sch sz ž š ż
``z``    з с ц: z s c ts tz ś ź ć
``i``    и і ї й ы: i y j ı ì ï ĭ
``v``    в: v w
``u``    у: u ou
=======  ==========================================================

Ukrainian і and Russian о are *not* folded together (Харків ≠ Харьков):
the uk ↔ ru correspondences live elsewhere.  ``benchmarks/key_collisions.py``
measures what each folding rule gains in recall and costs in collisions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import methodcaller
from types import MappingProxyType

from toponyms.text.normalize import fold

__all__ = ["DEFAULT_RULES", "KeyRules", "exact_key", "invariant_key", "make_key_function"]

exact_key: Callable[[str], str] = lru_cache(maxsize=200_000)(fold)
"""The exact-match key: :func:`toponyms.text.normalize.fold`, memoised, because the
invariant key of a text starts from the same fold (a resolver asks for both keys of every
form it tries)."""


def _m(spec: str) -> Mapping[str, str]:
    """Parse ``"а a|б b|ь "`` into a read-only mapping (empty value allowed)."""
    pairs = (item.split(" ", 1) for item in spec.split("|"))
    return MappingProxyType({k: v for k, v in pairs})


#: Cyrillic letter -> plain Latin spelling (a KMU-like romanisation chosen so
#: that step 3 reads it unambiguously: г is g, not h, so зг cannot be zh).
CYRILLIC = _m(
    "а a|б b|в v|г g|ґ g|д d|е e|є ie|ж zh|з z|и y|і i|ї ii|й i|к k|л l|м m|н n|о o|п p|р r|"
    "с s|т t|у u|ф f|х kh|ц ts|ч ch|ш sh|щ shch|ъ |ы y|ь |э e|ю iu|я ia|ё e|ў u|ј j|ѣ e|ѳ f"
)

#: Latin letters with diacritics used by romanisations -> ASCII spelling.
#: Letters not listed fall back to their Unicode base letter.  ``ó`` is kept
#: for step 3, which reads it by context (see GRAPHEMES).
LATIN = _m(
    "ž zh|ż zh|ź z|š sh|ś s|č ch|ć c|ĉ ch|ŝ shch|ł l|ń n|ó ó|ë e|é e|è e|ê ie|ě e|ė e|ę e|"
    "ą a|â ia|û iu|ü u|ì i|ï i|ĭ i|ı i|ý y|ğ g|ř r|ț ts|ţ ts|ș sh|ş sh|ĥ h|ŭ u|ß ss|æ ae|"
    "œ oe|ø o|đ d|ǵ g"
)

#: Multi-letter graphemes -> reduced symbols (longest are tried first).
#: Polish ``-ów`` is the Ukrainian ``-ів`` of Kijów, Charków, Czernihów,
#: Lwów; any other ``ó`` is a stress accent (Spanish Rostóv) and reads o.
GRAPHEMES = _m("tsch h|tch h|sch x|zh x|sh x|sz x|kh h|ch h|cz h|gh h|ts z|tz z|ou u|ów iv")

#: Single ASCII letters -> reduced symbol.
SINGLES = _m(
    "a a|b b|c z|d d|e e|f f|g h|h h|i i|j i|k k|l l|m m|n n|o o|p p|q k|r r|s z|t t|"
    "u u|v v|w v|x h|y i|z z|ó o"
)


@dataclass(frozen=True)
class KeyRules:
    """The tables that define an invariant key; see the module docstring.

    ``post`` holds plain replacements applied after collapsing repeated
    symbols.  The benchmark builds variants of :data:`DEFAULT_RULES` to
    measure each rule.
    """

    cyrillic: Mapping[str, str] = field(default_factory=lambda: CYRILLIC)
    latin: Mapping[str, str] = field(default_factory=lambda: LATIN)
    graphemes: Mapping[str, str] = field(default_factory=lambda: GRAPHEMES)
    singles: Mapping[str, str] = field(default_factory=lambda: SINGLES)
    collapse: bool = True
    post: tuple[tuple[str, str], ...] = (("ie", "e"), ("io", "e"))
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def with_changes(self, **changes: object) -> KeyRules:
        """Return a copy with some fields replaced (for measuring variants)."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_RULES = KeyRules()

#: Characters dropped by step 2: the signs, apostrophes, spaces, hyphens,
#: ASCII punctuation and the common typographic marks.
_DROPPED = " '-.,;:!?\"()[]{}/\\|_*&#@+=<>~^%$«»„“”‚‹›…·•№" + "ъь"

_LATIN_RANGES = (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))

#: The replacement of a run of one symbol (``(.)\1+``): its first character.  A C-level
#: callable, three times faster than the template ``r"\1"``, which costs a Python call
#: into the ``re`` module on every ``sub`` (CPython 3.11).
_first_of_run = methodcaller("group", 1)


def _step2_table(rules: KeyRules) -> dict[int, str | None]:
    """Build the translate table of step 2 (Cyrillic, diacritics, removals)."""
    table: dict[int, str | None] = {}
    for rng in _LATIN_RANGES:
        for cp in rng:
            ch = chr(cp)
            if ch.isalpha() and ch.islower():
                base = "".join(
                    c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
                )
                if base.isascii() and base != ch:
                    table[cp] = base
    for cp in range(0x0300, 0x0370):  # stray combining marks (ISO 9 g̀, f̀)
        table[cp] = None
    table.update({ord(k): v for k, v in rules.latin.items()})
    table.update({ord(k): v or None for k, v in rules.cyrillic.items()})
    table.update({ord(c): None for c in _DROPPED})
    table.update({ord(k): v or None for k, v in rules.extra.items()})
    return table


def make_key_function(rules: KeyRules) -> Callable[[str], str]:
    """Compile *rules* into an invariant-key function (tables built once, here)."""
    step2 = _step2_table(rules)
    multi = sorted(rules.graphemes, key=len, reverse=True)
    placeholders = {g: rules.graphemes[g].upper() for g in multi}
    multi_re = re.compile("|".join(map(re.escape, multi))) if multi else None
    step3: dict[int, str | None] = {ord(k): v for k, v in rules.singles.items()}
    step3.update({ord(c.upper()): c for v in rules.graphemes.values() for c in v})
    collapse_re = re.compile(r"(.)\1+") if rules.collapse else None
    post = rules.post

    def sub_multi(m: re.Match[str]) -> str:
        return placeholders[m.group()]

    def key(name: str) -> str:
        text = exact_key(name).translate(step2)
        if multi_re is not None:
            text = multi_re.sub(sub_multi, text)
        text = text.translate(step3)
        if collapse_re is not None:
            text = collapse_re.sub(_first_of_run, text)
        replaced = text
        for old, new in post:
            replaced = replaced.replace(old, new)
        if collapse_re is not None and replaced != text:
            # Dropping an i can bring two e together (Sergeyev).
            replaced = collapse_re.sub(_first_of_run, replaced)
        return replaced

    key.__doc__ = "Invariant key under a custom rule set (see keys.KeyRules)."
    return key


_default_key = make_key_function(DEFAULT_RULES)


def invariant_key(name: str) -> str:
    """Return the romanisation-invariant key of *name* (any script).

    ``Харків``, ``Kharkiv``, ``Charkiw`` and ``Kharkiw`` share one key, as
    do ``Київ``/``Kyiv``/``Kyjiw``/``Kijiw`` and ``Запоріжжя``/
    ``Zaporizhzhia``/``Saporischschja``/``Zaporižžja``.  Raises
    :class:`~toponyms.errors.InvalidInputError` like :func:`fold`.  The key
    may be empty for a name of signs only.
    """
    return _default_key(name)
