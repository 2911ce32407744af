"""Unicode clean-up and the exact-match form of place names.

Place names arrive copied from web pages, spreadsheets and PDFs: they carry
zero-width joiners, bidi marks, a dozen kinds of apostrophe and dash, and
Latin letters typed by mistake inside Cyrillic words (``Хaрків`` with a Latin
``a``).  This module turns such text into one predictable form.

* :func:`clean` keeps case and letters, only repairs the encoding noise.
* :func:`fix_homoglyphs` replaces look-alike letters of the minority script.
* :func:`fold` is the exact-match form used as the index key.
* :func:`script_of` tells which alphabet a text is written in.

All tables are built once at import so the per-call work is a handful of
``str.translate`` and compiled-regex calls.
"""

from __future__ import annotations

import re
import unicodedata

from toponyms.errors import InvalidInputError

__all__ = ["clean", "fix_homoglyphs", "fold", "script_of"]

# --------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------

#: Invisible format characters: zero-width space/non-joiner/joiner, word
#: joiner, BOM, invisible operators, Mongolian vowel separator, combining
#: grapheme joiner, and the soft hyphens (Latin-1 and Mongolian).
_INVISIBLE = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f\u00ad\u1806"

#: Bidi controls: LRM, RLM, ALM, embeddings/overrides and isolates.
_BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

#: Every character used in the wild for the Ukrainian apostrophe, the
#: Russian hard/soft-sign transliteration marks, or a typed quote inside a
#: word.  ASCII grave and acute are included: keyboards without U+02BC
#: produce them.  All become the ASCII apostrophe.
_APOSTROPHES = (
    "\u2019"  # ’ right single quotation mark
    "\u02bc"  # ʼ modifier letter apostrophe (the Ukrainian standard one)
    "\u0060"  # ` grave accent
    "\u2032"  # ′ prime
    "\u2018"  # ‘ left single quotation mark
    "\u00b4"  # ´ acute accent
    "\u02b9"  # ʹ modifier letter prime (ISO 9 soft sign)
    "\u02ba"  # ʺ modifier letter double prime (ISO 9 hard sign)
    "\u2033"  # ″ double prime
    "\uff07"  # ＇ fullwidth apostrophe
    "\u02bb"  # ʻ modifier letter turned comma
    "\u02bd"  # ʽ modifier letter reversed comma
    "\u02be"  # ʾ modifier letter right half ring
    "\u02bf"  # ʿ modifier letter left half ring
    "\u02c8"  # ˈ modifier letter vertical line
    "\u02ca"  # ˊ modifier letter acute accent
    "\u02cb"  # ˋ modifier letter grave accent
    "\u201b"  # ‛ single high-reversed-9 quotation mark
    "\u2035"  # ‵ reversed prime
    "\ua78c"  # ꞌ Latin small letter saltillo
    "\uff40"  # ｀ fullwidth grave accent
    "\u055a"  # ՚ Armenian apostrophe
)

#: Hyphen and dash forms, including minus signs and the fullwidth/small forms.
_DASHES = (
    "\u2010"  # ‐ hyphen
    "\u2011"  # ‑ non-breaking hyphen
    "\u2012"  # ‒ figure dash
    "\u2013"  # – en dash
    "\u2014"  # — em dash
    "\u2015"  # ― horizontal bar
    "\u2212"  # − minus sign
    "\u2043"  # ⁃ hyphen bullet
    "\u2e3a"  # ⸺ two-em dash
    "\u2e3b"  # ⸻ three-em dash
    "\ufe58"  # ﹘ small em dash
    "\ufe63"  # ﹣ small hyphen-minus
    "\uff0d"  # － fullwidth hyphen-minus
    "\u058a"  # ֊ Armenian hyphen
    "\u05be"  # ־ Hebrew maqaf
    "\u1400"  # ᐀ Canadian syllabics hyphen
    "\u30a0"  # ゠ katakana-hiragana double hyphen
)

_CLEAN_TABLE: dict[int, str | None] = {
    **{ord(c): None for c in _INVISIBLE + _BIDI},
    **{ord(c): "'" for c in _APOSTROPHES},
    **{ord(c): "-" for c in _DASHES},
    ord("\t"): " ",
    ord("\n"): " ",
    ord("\r"): " ",
}

#: C0/C1 controls other than tab, newline and carriage return.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: Stress marks (combining acute/grave) left over after NFKC: Cyrillic has no
#: precomposed stressed vowels, so ``Ки́їв`` keeps a U+0301 that ``fold`` drops.
_STRESS = "\u0301\u0300"

# --------------------------------------------------------------------------
# Homoglyphs
# --------------------------------------------------------------------------

#: Latin letter -> Cyrillic look-alike.  Lower-case entries follow the
#: upper-case ones even where the small forms differ a little (``m``/``м``,
#: ``t``/``т``): a Latin letter inside a Cyrillic word is a typo either way.
_LAT_TO_CYR_PAIRS = (
    "AА aа BВ bв CС cс EЕ eе HН hн IІ iі KК kк MМ mм OО oо PР pр TТ tт XХ xх YУ yу "
    "ÏЇ ïї ËЁ ëё JЈ jј SЅ sѕ"
)
#: Cyrillic letter -> Latin look-alike (the reverse, plus a few letters that
#: only have a Latin twin in one direction).
_CYR_TO_LAT_PAIRS = (
    "АA аa ВB вb СC сc ЕE еe НH нh ІI іi КK кk МM мm ОO оo РP рp ТT тt ХX хx УY уy "
    "ЇÏ їï ЁË ёë ЈJ јj ЅS ѕs ԁd ԛq ԝw һh Һh"
)


def _pairs(spec: str) -> dict[int, str]:
    """Turn ``"Aа Bв"``-style pair lists into a ``str.translate`` table."""
    return {ord(p[0]): p[1] for p in spec.split()}


_LAT_TO_CYR = _pairs(_LAT_TO_CYR_PAIRS)
_CYR_TO_LAT = _pairs(_CYR_TO_LAT_PAIRS)

_CYR_CLASS = "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f"
_LAT_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_CYR_RE = re.compile(f"[{_CYR_CLASS}]")
_LAT_RE = re.compile(f"[{_LAT_CLASS}]")
#: Cyrillic-class characters and ASCII non-letters only: a text of these with a Cyrillic
#: character in it is ``"Cyrl"`` (the common case, told by one match).
_CYR_ONLY_RE = re.compile(f"[{_CYR_CLASS}\\x00-\\x40\\x5b-\\x60\\x7b-\\x7f]+")
_WORD_RE = re.compile(r"\w+")

# --------------------------------------------------------------------------
# Text that is already clean
# --------------------------------------------------------------------------

#: The blocks whose letters may appear in an already-clean text: Latin-1 and Latin
#: Extended-A/B, Cyrillic and Cyrillic Supplement, Latin Extended Additional.
_LETTER_BLOCKS = (range(0x00C0, 0x0250), range(0x0400, 0x0530), range(0x1E00, 0x1F00))


def _kept_by_clean() -> list[str]:
    """The characters :func:`clean` keeps as they are, in any neighbourhood: printable
    ASCII but the grave accent, and the letters of :data:`_LETTER_BLOCKS` that NFKC
    leaves alone (not ``ĳ``, ``ſ``, ``ǆ``), none of them combining.

    Two such letters cannot compose under NFKC either (only Hangul jamo and a few Indic
    vowel signs compose with a preceding letter), so a text made of them is NFKC already.
    """
    ascii_chars = [chr(cp) for cp in range(0x21, 0x7F) if cp not in _CLEAN_TABLE]
    letters = [
        chr(cp)
        for block in _LETTER_BLOCKS
        for cp in block
        if chr(cp).isalpha()
        and not unicodedata.combining(chr(cp))
        and unicodedata.normalize("NFKC", chr(cp)) == chr(cp)
        and cp not in _CLEAN_TABLE
    ]
    return ascii_chars + letters


def _words_re(chars: str, joiners: str) -> re.Pattern[str]:
    """A regex for runs of *chars* joined by single characters of *joiners*."""
    word = f"[{re.escape(chars)}]+"
    return re.compile(f"{word}(?:[{re.escape(joiners)}]{word})*")


_KEPT_BY_CLEAN = "".join(_kept_by_clean())

#: Text that :func:`clean` returns unchanged: characters it keeps, in runs separated by
#: single spaces (nothing to collapse or strip).  Most names and query forms are such.
_CLEAN_TEXT_RE = _words_re(_KEPT_BY_CLEAN, " ")

_DIGITS = "0123456789"

# --------------------------------------------------------------------------
# fold tables
# --------------------------------------------------------------------------

_FOLD_TABLE: dict[int, str | None] = {
    ord("ё"): "е",
    ord("'"): None,
    ord("-"): " ",
    **{ord(c): None for c in _STRESS},
}

#: Punctuation stripped from both ends of a folded name: ASCII punctuation
#: plus common typographic quotes, brackets and marks.
_EDGE_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»„“”‚‹›¡¿…·•§¶†‡°№"

#: Text whose fold is its case fold through :data:`_FOLD_TABLE` alone: words of
#: Cyrillic letters and digits, or of Latin letters and digits (one script: no homoglyph
#: to fix), that :func:`clean` keeps, joined by single spaces, hyphens or apostrophes
#: (nothing to collapse, no punctuation at either end).
_FOLDS_BY_TABLE_RE = re.compile(
    "|".join(
        _words_re(letters + _DIGITS, " -'").pattern
        for letters in (
            "".join(ch for ch in _KEPT_BY_CLEAN if _CYR_RE.match(ch)),
            "".join(ch for ch in _KEPT_BY_CLEAN if _LAT_RE.match(ch)),
        )
    )
)

#: The longest text :func:`clean` accepts unless told otherwise.
_MAX_LENGTH = 1000


def clean(text: str, *, max_length: int = _MAX_LENGTH) -> str:
    """Repair encoding noise in *text* while keeping its case and letters.

    Applies NFKC, removes invisible and bidi characters, unifies apostrophes
    to ``'`` and dashes to ``-``, turns tabs/newlines into spaces, collapses
    whitespace and strips it.  Raises :class:`InvalidInputError` when the
    text is not a string, is longer than *max_length*, holds control
    characters or unpaired surrogates, or is empty once cleaned.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"expected a str, got {type(text).__name__}")
    if len(text) > max_length:
        raise InvalidInputError(f"text is {len(text)} characters long; the limit is {max_length}")
    if type(text) is str and _CLEAN_TEXT_RE.fullmatch(text):
        return text  # already clean (a str subclass is still copied into a str below)
    bad = _CONTROL_RE.search(text)
    if bad is not None:
        raise InvalidInputError(
            f"text contains control character U+{ord(bad.group()):04X} at position {bad.start()}"
        )
    if not text.isascii():
        _check_encodable(text)
        # Translate before NFKC too: NFKC turns the acute accent U+00B4 into
        # space + combining acute, which would split a word in two.
        text = unicodedata.normalize("NFKC", text.translate(_CLEAN_TABLE)).translate(_CLEAN_TABLE)
    else:
        text = text.translate(_CLEAN_TABLE)
    text = " ".join(text.split())
    if not text:
        raise InvalidInputError("text is empty or holds only whitespace and invisible characters")
    return text


def _check_encodable(text: str) -> None:
    """Raise :class:`InvalidInputError` if *text* holds an unpaired surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"text contains an unpaired surrogate U+{ord(text[exc.start]):04X} "
            f"at position {exc.start}"
        ) from None


def fix_homoglyphs(word: str) -> str:
    """Replace look-alike letters of the minority script in one *word*.

    In a word with more Cyrillic than Latin letters, Latin look-alikes become
    Cyrillic (Latin ``i`` becomes Ukrainian ``і``); in a word with more Latin
    letters, Cyrillic look-alikes become Latin.  Ties and single-script words
    come back unchanged.
    """
    if word.isascii():
        return word
    cyr = len(_CYR_RE.findall(word))
    lat = len(_LAT_RE.findall(word))
    if cyr and lat:
        if cyr > lat:
            return word.translate(_LAT_TO_CYR)
        if lat > cyr:
            return word.translate(_CYR_TO_LAT)
    return word


def _fix_homoglyphs_text(text: str) -> str:
    """Apply :func:`fix_homoglyphs` to every word of *text* that mixes scripts."""
    if text.isascii() or not (_CYR_RE.search(text) and _LAT_RE.search(text)):
        return text
    return _WORD_RE.sub(lambda m: fix_homoglyphs(m.group()), text)


def fold(text: str) -> str:
    """Return the exact-match form of *text*.

    :func:`clean`, then :func:`fix_homoglyphs` per word, case folding,
    ``ё`` → ``е``, apostrophes and stress marks removed, hyphens and
    whitespace unified to one space, and punctuation stripped from both ends.
    Raises :class:`InvalidInputError` like :func:`clean`, and also when
    nothing but punctuation is left.
    """
    if type(text) is str and len(text) <= _MAX_LENGTH and _FOLDS_BY_TABLE_RE.fullmatch(text):
        return text.casefold().translate(_FOLD_TABLE)  # the common case, see the regex
    text = _fix_homoglyphs_text(clean(text)).casefold().translate(_FOLD_TABLE)
    text = " ".join(text.split()).strip(_EDGE_PUNCT).strip()
    if not text:
        raise InvalidInputError("text holds no letters or digits, only punctuation")
    return text


def script_of(text: str) -> str:
    """Tell the alphabet of *text*: ``"Cyrl"``, ``"Latn"``, ``"mixed"`` or ``"other"``.

    Only letters count.  Cyrillic-only is ``"Cyrl"``, Latin-only ``"Latn"``,
    letters from two or more scripts ``"mixed"``, and no letters or only
    letters of other scripts ``"other"``.
    """
    if text.isascii():
        return "Latn" if any(ch.isalpha() for ch in text) else "other"
    if _CYR_ONLY_RE.fullmatch(text):
        return "Cyrl"  # not ASCII, so some character is Cyrillic; no letter is another's
    has_cyr = _CYR_RE.search(text) is not None
    has_lat = _LAT_RE.search(text) is not None
    if has_cyr or has_lat:
        other = any(ch.isalpha() and not _CYR_RE.match(ch) and not _LAT_RE.match(ch) for ch in text)
        if (has_cyr and has_lat) or other:
            return "mixed"
        return "Cyrl" if has_cyr else "Latn"
    return "other"
