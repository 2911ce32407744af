"""Tests for toponyms.text.translit: the scheme files, the engine and cyrillize."""

from __future__ import annotations

import json
import unicodedata
from importlib import resources

import pytest

from toponyms.errors import InvalidInputError
from toponyms.text import translit
from toponyms.text.translit import cyrillize, get, names, romanizations, romanize

REQUIRED = {
    "kmu2010",
    "bgn_pcgn_uk",
    "bgn_pcgn_ru",
    "iso9",
    "gost_7_79_b",
    "scholarly",
    "ala_lc_uk",
    "ala_lc_ru",
    "icao_ru",
    "wikipedia_ru",
    "german_uk",
    "german_ru",
    "polish_uk",
    "polish_ru",
    "french_uk",
    "french_ru",
}

ALL_SAMPLES = [
    pytest.param(name, source, expected, id=f"{name}:{source}")
    for name in sorted(REQUIRED)
    for source, expected in get(name).samples
]


# ---------------------------------------------------------------- registry


def test_every_required_scheme_is_shipped() -> None:
    assert set(names()) >= REQUIRED
    assert names() == sorted(names())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_scheme_metadata(name: str) -> None:
    sch = get(name)
    assert sch.name == name
    assert sch.lang in {"uk", "ru", "mul"}
    assert sch.direction == "cyr-lat"
    assert len(sch.source) > 30, "the standard must be cited"
    assert sch.title
    assert len(sch.samples) >= 8
    hash(sch)  # frozen dataclass stays hashable


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_scheme_covers_its_alphabet(name: str) -> None:
    sch = get(name)
    alphabets = {
        "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
        "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    }
    for lang in sch.langs:
        letters = dict(sch.table(lang).letters)
        missing = [c for c in alphabets[lang] if c not in letters]
        assert not missing, f"{name} has no entry for {missing}"


def test_scheme_files_are_valid_json_with_source() -> None:
    files = [
        f for f in resources.files("toponyms.text.schemes").iterdir() if f.name.endswith(".json")
    ]
    assert len(files) >= 16
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        assert data["name"] + ".json" == f.name
        assert data["source"]


def test_unknown_scheme_lists_known_names() -> None:
    with pytest.raises(InvalidInputError, match="kmu2010") as info:
        get("nope")
    assert "unknown transliteration scheme 'nope'" in str(info.value)
    with pytest.raises(InvalidInputError):
        romanize("Київ", "nope")


# ---------------------------------------------------------------- samples


@pytest.mark.parametrize(("name", "source", "expected"), ALL_SAMPLES)
def test_scheme_samples(name: str, source: str, expected: str) -> None:
    assert romanize(source, name) == expected


# ---------------------------------------------------------------- engine behaviour


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("КИЇВ", "KYIV"),
        ("ЩЕРБУХИ", "SHCHERBUKHY"),
        ("Щ", "Shch"),
        ("київ", "kyiv"),
        ("Знам’янка", "Znamianka"),  # typographic apostrophe
        ("Знамʼянка", "Znamianka"),  # U+02BC
        ("Біла Церква, 2", "Bila Tserkva, 2"),
        ("Bila Київ", "Bila Kyiv"),
        ("Юрій Яготин Їжакевич Єнакієве", "Yurii Yahotyn Yizhakevych Yenakiieve"),
        ("Приют-Юр", "Pryiut-Yur"),  # hyphen starts a new word
        ("Зг", "Zgh"),
    ],
)
def test_kmu_engine(text: str, expected: str) -> None:
    assert romanize(text) == expected


def test_mul_scheme_picks_language() -> None:
    # Ukrainian letters switch GOST 7.79 B and scholarly to the Ukrainian variant.
    assert romanize("Київ", "gost_7_79_b") == "Ky`yiv"
    assert romanize("Кино", "gost_7_79_b") == "Kino"
    assert romanize("Кино", "gost_7_79_b", lang="uk") == "Ky`no"
    assert romanize("Гора", "scholarly") == "Gora"
    assert romanize("Гора", "scholarly", lang="uk") == "Hora"
    assert translit.detect_lang("Київ") == "uk"
    assert translit.detect_lang("Объезд") == "ru"
    assert translit.detect_lang("Москва") is None


def test_romanizations_per_language() -> None:
    uk = romanizations("Харків", "uk")
    assert {"Kharkiv", "Charkiw", "Harkìv", "Xarkiv"} <= uk
    ru = romanizations("Харьков", "ru")
    assert {"Kharkov", "Khar’kov", "Charkow", "Kharʹkov", "Xarʹkov"} <= ru
    both = romanizations("Харків")
    assert uk <= both
    assert "Harkìv" in both
    with pytest.raises(InvalidInputError, match="unknown language"):
        romanizations("Харків", "pl")


def test_romanizations_of_kyiv_cover_the_usual_spellings() -> None:
    assert {"Kyiv", "Kyjiw", "Kyïv", "Kyyiv"} <= romanizations("Київ", "uk")


# ---------------------------------------------------------------- cross-check with iuliia

# Words chosen away from the known, documented differences: iuliia's BGN/PCGN
# writes the optional middle dot, its ALA-LC keeps ligature arcs, it leaves
# ё untouched in several schemas, and it reads GOST's "c before i, e, y, j"
# on Cyrillic letters while we read it on the Latin output.
CROSS_WORDS = (
    "Москва",
    "Екатеринбург",
    "Ярославль",
    "Подъячев",
    "Майкоп",
    "Хабаровск",
    "Элиста",
    "Юрга",
    "Белгород",
    "Новосибирск",
    "Ижевск",
    "Тюмень",
    "Челябинск",
    "Сургут",
    "Мурманск",
    "Пермь",
    "Чита",
    "Воронеж",
    "Ульяновск",
    "Щучье",
    "Якутск",
    "Объячево",
    "Зея",
    "Шахты",
    "Жуковский",
    "Казань",
    "Набережные",
    "Челны",
)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("bgn_pcgn_ru", "BGN_PCGN"),
        ("ala_lc_ru", "ALA_LC"),
        ("icao_ru", "ICAO_DOC_9303"),
        ("iso9", "GOST_779"),
        ("scholarly", "SCIENTIFIC"),
        ("gost_7_79_b", "GOST_779_ALT"),
    ],
)
def test_russian_schemes_agree_with_iuliia(ours: str, theirs: str) -> None:
    iuliia = pytest.importorskip("iuliia")
    schema = getattr(iuliia, theirs)
    for word in CROSS_WORDS:
        expected = unicodedata.normalize("NFC", schema.translate(word).replace("\u0361", ""))
        expected = expected.replace("\u00b7", "")
        assert romanize(word, ours, lang="ru") == expected, word


def test_wikipedia_scheme_agrees_with_iuliia_outside_endings() -> None:
    iuliia = pytest.importorskip("iuliia")
    for word in CROSS_WORDS:
        if word.endswith(("ий", "ый")):
            continue
        assert romanize(word, "wikipedia_ru") == iuliia.WIKIPEDIA.translate(word), word


# ---------------------------------------------------------------- cyrillize


@pytest.mark.parametrize(
    ("latin", "lang", "first"),
    [
        ("Kharkov", "ru", "Харьков"),
        ("Mykolaiv", "uk", "Миколаїв"),
        ("Kharkiv", "uk", "Харків"),
        ("Charkiw", "uk", "Харків"),
        ("Kyiv", "uk", "Київ"),
        ("Kyjiw", "uk", "Київ"),
        ("Zaporizhzhia", "uk", "Запоріжжя"),
        ("Tschernihiw", "uk", "Чернігів"),
        ("Chernihiv", "uk", "Чернігів"),
        ("Mykołajiw", "uk", "Миколаїв"),
        ("Bila Tserkva", "uk", "Біла Церква"),
        ("Bilhorod-Dnistrovskyi", "uk", "Білгород-Дністровський"),
        ("Khmelnytskyi", "uk", "Хмельницький"),
        ("Znamianka", "uk", "Знам'янка"),
        ("Nowomychajliwka", "uk", "Новомихайлівка"),
        ("Yekaterinburg", "ru", "Екатеринбург"),
        ("Zaporozhye", "ru", "Запорожье"),
        ("Chelyabinsk", "ru", "Челябинск"),
        ("Nizhniy Novgorod", "ru", "Нижний Новгород"),
        ("KHARKIV", "uk", "ХАРКІВ"),
    ],
)
def test_cyrillize_ranks_the_real_spelling_first(latin: str, lang: str, first: str) -> None:
    candidates = cyrillize(latin, lang)
    assert candidates[0] == first
    assert 1 <= len(candidates) <= 8
    assert len(set(candidates)) == len(candidates)


def test_cyrillize_keeps_to_the_language_alphabet() -> None:
    for cand in cyrillize("Mykolaiv", "uk"):
        assert not set(cand.lower()) & set("ыэъё")
    for cand in cyrillize("Kharkov", "ru"):
        assert not set(cand.lower()) & set("іїєґ")


def test_cyrillize_rejects_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="unknown language"):
        cyrillize("Kyiv", "de")
    with pytest.raises(InvalidInputError, match="empty"):
        cyrillize("   ", "uk")


def _latin_ending_examples() -> list[tuple[str, str]]:
    from toponyms.text import datafile

    return [(s.given, s.expected) for s in datafile.LATIN_ENDINGS.samples()]


@pytest.mark.parametrize(("oblique", "nominative"), _latin_ending_examples())
def test_latin_endings_examples_give_their_nominative(oblique: str, nominative: str) -> None:
    """Every example of toponyms/data/latin_endings.tsv is a test of its rule."""
    from toponyms.match.candidates import latin_lemmas

    assert nominative in latin_lemmas(oblique)
