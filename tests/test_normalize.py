"""Tests for toponyms.text.normalize: clean, fix_homoglyphs, fold, script_of."""

from __future__ import annotations

import re
import timeit
import unicodedata

import pytest

from toponyms.errors import InvalidInputError
from toponyms.text import normalize
from toponyms.text.normalize import clean, fix_homoglyphs, fold, script_of

# ---------------------------------------------------------------- clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Kyiv  ", "Kyiv"),
        ("Kyiv\u200b", "Kyiv"),
        ("\ufeffKyiv", "Kyiv"),
        ("Ky\u200civ\u200d", "Kyiv"),
        ("\u202bКиїв\u202c", "Київ"),
        ("\u2067Київ\u2069", "Київ"),
        ("\u200eKharkiv\u200f", "Kharkiv"),
        ("Ки\u00adїв", "Київ"),
        ("Bila\t\n Tserkva", "Bila Tserkva"),
        ("Bila\r\nTserkva", "Bila Tserkva"),
        ("Bila\u00a0Tserkva", "Bila Tserkva"),
        ("Bila\u2003\u2009Tserkva", "Bila Tserkva"),
        ("ＫＹＩＶ", "KYIV"),  # fullwidth -> ASCII by NFKC
        ("Знам\u2019янка", "Знам'янка"),
        ("Знам\u02bcянка", "Знам'янка"),
        ("Знам`янка", "Знам'янка"),
        ("Знам\u2032янка", "Знам'янка"),
        ("Знам\u2018янка", "Знам'янка"),
        ("Zaporiz\u00b4ka", "Zaporiz'ka"),  # acute must not decompose to space + U+0301
        ("Zaporiz\u02b9ka", "Zaporiz'ka"),
        ("Zaporiz\uff07ka", "Zaporiz'ka"),
        ("Bilhorod\u2010Dnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Bilhorod\u2011Dnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Bilhorod\u2012Dnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Bilhorod\u2013Dnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Bilhorod\u2014Dnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Bilhorod\u2015Dnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Bilhorod\u2212Dnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Bilhorod\uff0dDnistrovskyi", "Bilhorod-Dnistrovskyi"),
        ("Алёшки", "Алёшки"),  # clean keeps ё and case
        ("ХАРКІВ", "ХАРКІВ"),
        ("Киі\u0308в", "Київ"),  # decomposed ї composed by NFKC
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   \t\n", "empty"),
        ("\u200b\u200d\ufeff", "empty"),
        ("Ky\x00iv", "control character U+0000 at position 2"),
        ("Ky\x1biv", "control character U+001B"),
        ("Ky\x7fiv", "control character U+007F"),
        ("Ky\x85iv", "control character U+0085"),
        ("Ky\ud800iv", "unpaired surrogate U+D800 at position 2"),
        ("x" * 1001, "1001 characters long; the limit is 1000"),
    ],
)
def test_clean_rejects(raw: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        clean(raw)


def test_clean_rejects_non_str() -> None:
    with pytest.raises(InvalidInputError, match="expected a str"):
        clean(b"Kyiv")  # type: ignore[arg-type]


def test_clean_max_length_is_configurable() -> None:
    assert clean("Kyiv", max_length=4) == "Kyiv"
    with pytest.raises(InvalidInputError):
        clean("Kyiv", max_length=3)


def test_invalid_input_is_value_error() -> None:
    with pytest.raises(ValueError):
        clean("")


# ---------------------------------------------------------------- fix_homoglyphs


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Хaрків", "Харків"),  # Latin a
        ("Днiпро", "Дніпро"),  # Latin i -> Ukrainian і
        ("XAPKIB", "XAPKIB"),  # all Latin: unchanged
        ("ХАРKIВ", "ХАРКІВ"),  # Latin K and I in a Cyrillic word
        ("Kharkоv", "Kharkov"),  # Cyrillic о in a Latin word
        ("Кyiv", "Kyiv"),  # Cyrillic К in a Latin word
        ("Київ", "Київ"),
        ("Kyiv", "Kyiv"),
        ("Ab", "Ab"),
        ("Аb", "Аb"),  # one of each: a tie is left alone
        ("Mykolaïv", "Mykolaïv"),
    ],
)
def test_fix_homoglyphs(word: str, expected: str) -> None:
    assert fix_homoglyphs(word) == expected


# ---------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kyiv", "kyiv"),
        ("КИЇВ", "київ"),
        ("Хaрків", "харків"),
        ("Алёшки", "алешки"),
        ("АЛЁШКИ", "алешки"),
        ("Знам’янка", "знамянка"),
        ("Zaporiz'ka", "zaporizka"),
        ("Bilhorod–Dnistrovskyi", "bilhorod dnistrovskyi"),
        ("Bilhorod - Dnistrovskyi", "bilhorod dnistrovskyi"),
        ("  «Kyiv»,  ", "kyiv"),
        ("(Київ)", "київ"),
        ("St. Petersburg.", "st. petersburg"),
        ("Ки́їв", "київ"),  # stress mark dropped
        ("Straße", "strasse"),
        ("Днiпро", "дніпро"),
        ("Біла\u00a0Церква", "біла церква"),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


def test_fold_is_idempotent() -> None:
    for raw in ["Хaрків", "Bilhorod–Dnistrovskyi", "Алёшки", "Знам’янка"]:
        assert fold(fold(raw)) == fold(raw)


def test_fold_rejects_pure_punctuation() -> None:
    with pytest.raises(InvalidInputError, match="only punctuation"):
        fold("---")
    with pytest.raises(InvalidInputError):
        fold("''")


def test_fold_is_fast() -> None:
    # Generous bound (the target is < 3 µs); a shared CI machine can be slow.
    n = 20000
    per_call = timeit.timeit(lambda: fold("Запоріжжя"), number=n) / n
    assert per_call < 30e-6


# ------------------------------------------- text that looks clean but is not


@pytest.mark.parametrize(
    ("raw", "cleaned", "folded"),
    [
        ("Kyiv", "Kyiv", "kyiv"),  # clean already: both fast paths
        ("Ivano-Frankivsk", "Ivano-Frankivsk", "ivano frankivsk"),
        ("Мар'їнка", "Мар'їнка", "марїнка"),
        ("Ёлки", "Ёлки", "елки"),
        ("Київ2", "Київ2", "київ2"),
        ("Kyiv ", "Kyiv", "kyiv"),  # a space at an end
        ("Ky  iv", "Ky iv", "ky iv"),  # two spaces
        ("Ki\u00a0ev", "Ki ev", "ki ev"),  # NBSP
        ("Vil`shany", "Vil'shany", "vilshany"),  # ASCII, yet an apostrophe to unify
        ("Ki\u0301ev", "K\u00edev", "k\u00edev"),  # letters, yet NFKC composes them
        ("\u0133ssel", "ijssel", "ijssel"),  # a letter NFKC rewrites
        ("Ки\u0301їв", "Ки\u0301їв", "київ"),  # a stress mark fold drops
        ("K\u0438\u0457\u0432", "K\u0438\u0457\u0432", "київ"),  # a Latin K: homoglyph
        ("Kyiv-", "Kyiv-", "kyiv"),  # a hyphen at an end
        ("Ky--iv", "Ky--iv", "ky iv"),  # two hyphens
        ("'Kyiv", "'Kyiv", "kyiv"),
        ("Kyiv.", "Kyiv.", "kyiv"),
        ("Straße", "Straße", "strasse"),
    ],
)
def test_clean_and_fold_near_clean_text(raw: str, cleaned: str, folded: str) -> None:
    assert clean(raw) == cleaned
    assert fold(raw) == folded


def test_already_clean_text_is_nfkc() -> None:
    # clean returns such text unchanged without NFKC: no character of it, and no two
    # side by side, may change under NFKC.
    chars = normalize._KEPT_BY_CLEAN
    every_pair = "".join(a + b for a in chars for b in chars)
    assert unicodedata.is_normalized("NFKC", every_pair)


def test_already_clean_limits_still_apply() -> None:
    class Name(str):
        pass

    assert type(clean(Name("Kyiv"))) is str
    with pytest.raises(InvalidInputError, match="limit is 1000"):
        fold("x" * 1001)
    with pytest.raises(InvalidInputError, match="limit is 5"):
        clean("Kyiv Oblast", max_length=5)


# ---------------------------------------------------------------- script_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Київ", "Cyrl"),
        ("Kyiv", "Latn"),
        ("Mykołajiw", "Latn"),
        ("Хaрків", "mixed"),
        ("Kyiv Київ", "mixed"),
        ("Κίεβο", "other"),
        ("123", "other"),
        ("", "other"),
        ("Київ Κίεβο", "mixed"),
        ("Bila Tserkva-2", "Latn"),
    ],
)
def test_script_of(text: str, expected: str) -> None:
    assert script_of(text) == expected
