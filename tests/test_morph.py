"""Tests of toponyms.text.morph: nominative candidates and paradigms of place names.

The ``sample`` column of ``endings.tsv`` drives one parametrised test per rule; the
cases of the specification (inflected news spellings of real places) drive another.
"""

from __future__ import annotations

import pytest

from toponyms.errors import InvalidInputError
from toponyms.text import morph
from toponyms.text.morph import inflections, is_inflected, lemma_candidates, normalize

RULE_SAMPLES = sorted(
    {(r.lang, r.sample) for r in morph.load_rules() if r.sample},
)


@pytest.mark.parametrize(("lang", "sample"), RULE_SAMPLES)
def test_rule_sample_lemmatises(lang: str, sample: str) -> None:
    nominative, form = (normalize(s) for s in sample.split("→"))
    assert nominative in lemma_candidates(form, lang)


@pytest.mark.parametrize(("lang", "sample"), RULE_SAMPLES)
def test_rule_sample_round_trips(lang: str, sample: str) -> None:
    nominative = normalize(sample.split("→")[0])
    for form in inflections(nominative, lang):
        assert nominative in lemma_candidates(form, lang), form


# (inflected phrase, expected nominative, lang or None); expected must come first.
FIRST = [
    ("Херсоні", "херсон", None),
    ("Херсоном", "херсон", None),
    ("Херсона", "херсон", None),
    ("Алешках", "алешки", None),
    ("Олешок", "олешки", None),
    ("з Олешок", "олешки", None),
    ("Алёшек", "алёшки", None),
    ("Нової Каховки", "нова каховка", None),
    ("Новой Каховки", "новая каховка", None),
    ("Бахмутом", "бахмут", None),
    ("под Бахмутом", "бахмут", None),
    ("Херсонської області", "херсонська область", None),
    ("Херсонской области", "херсонская область", None),
    ("Запоріжжі", "запоріжжя", None),
    ("на Запоріжжі", "запоріжжя", None),
    ("Запорожья", "запорожье", None),
    ("Запорожье", "запорожье", None),
    ("Києві", "київ", None),
    ("Киеве", "киев", None),
    ("Львові", "львів", None),
    ("Львове", "львов", "ru"),
    ("Харкові", "харків", None),
    ("Харькове", "харьков", None),
    ("Донецьку", "донецьк", None),
    ("Донецке", "донецк", None),
    ("Маріуполі", "маріуполь", None),
    ("Мариуполе", "мариуполь", None),
    ("Покровську", "покровськ", None),
    ("Кривому Розі", "кривий ріг", None),
    ("Кривом Роге", "кривой рог", None),
    ("Білій Церкві", "біла церква", None),
    ("Ізюмі", "ізюм", None),
    ("Часовому Яру", "часів яр", None),
    ("Часовом Яре", "часов яр", None),
    ("Вугледарі", "вугледар", None),
    ("Угледаре", "угледар", "ru"),
    ("Авдіївці", "авдіївка", None),
    ("Авдеевке", "авдеевка", None),
    ("Сіверськодонецьку", "сіверськодонецьк", None),
    ("Новомихайлівці", "новомихайлівка", None),
    ("Роботиному", "роботине", None),
    ("Работино", "работино", None),
    ("Кринках", "кринки", None),
    ("Кліщіївці", "кліщіївка", None),
    ("Гуляйполі", "гуляйполе", None),
    ("Старобільську", "старобільськ", None),
    ("Луганщині", "луганщина", None),
    ("Харківщини", "харківщина", None),
    ("Бєлгороді", "бєлгород", None),
    ("Белгороде", "белгород", None),
    ("Курської області", "курська область", None),
    ("Курской области", "курская область", None),
    ("Нью-Йорку", "нью-йорк", None),
    ("Москві", "москва", None),
    ("Москвы", "москва", None),
    ("Санкт-Петербурге", "санкт-петербург", None),
    ("Ростове-на-Дону", "ростов-на-дону", None),
    ("Білгороді-Дністровському", "білгород-дністровський", None),
    ("Кременцем", "кременець", None),
    ("у Слов’янську", "слов'янськ", None),
]


@pytest.mark.parametrize(("phrase", "expected", "lang"), FIRST)
def test_lemma_first(phrase: str, expected: str, lang: str | None) -> None:
    got = lemma_candidates(phrase, lang)
    assert got[0] == expected, got
    assert len(got) <= morph.MAX_CANDIDATES
    assert all(g == g.lower() for g in got)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("Львове", "львов"), ("Угледаре", "угледар"), ("Алешках", "алешки")],
)
def test_lemma_contains_when_language_unclear(phrase: str, expected: str) -> None:
    assert expected in lemma_candidates(phrase)


def test_nominative_input_comes_first() -> None:
    assert lemma_candidates("Херсон")[0] == "херсон"
    assert lemma_candidates("Нова Каховка")[0] == "нова каховка"
    assert lemma_candidates("Олешки")[0] == "олешки"


def test_non_cyrillic_is_returned_as_is() -> None:
    assert lemma_candidates("Kherson") == ["kherson"]


@pytest.mark.parametrize("bad", ["", "   ", "«»"])
def test_empty_input_rejected(bad: str) -> None:
    with pytest.raises(InvalidInputError):
        lemma_candidates(bad)


def test_bad_lang_and_type_rejected() -> None:
    with pytest.raises(InvalidInputError):
        lemma_candidates("Херсоні", "pl")
    with pytest.raises(InvalidInputError):
        lemma_candidates(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        inflections("Херсон", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Київ", "uk"), ("Слов'янськ", "uk"), ("Москвы", "ru"), ("Алёшки", "ru"), ("Херсон", None)],
)
def test_guess_lang(text: str, lang: str | None) -> None:
    assert morph.guess_lang(text) == lang


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Херсоні", True), ("Бахмутом", True), ("Херсон", False), ("Олешки", False)],
)
def test_is_inflected(word: str, expected: bool) -> None:
    assert is_inflected(word) is expected


@pytest.mark.parametrize(
    ("name", "lang", "forms"),
    [
        ("Херсон", "uk", {"херсона", "херсону", "херсоном", "херсоні"}),
        (
            "Нова Каховка",
            "uk",
            {"нової каховки", "новій каховці", "нову каховку", "новою каховкою"},
        ),
        ("Новая Каховка", "ru", {"новой каховки", "новой каховке", "новую каховку"}),
        ("Кривий Ріг", "uk", {"кривого рогу", "кривому розі", "кривим рогом"}),
        ("Часів Яр", "uk", {"часового яру", "часовому яру", "часовим яром"}),
        ("Часов Яр", "ru", {"часова яра", "часовом яре"}),
        ("Олешки", "uk", {"олешок", "олешках"}),
        ("Алешки", "ru", {"алешек", "алешках"}),
        ("Роботине", "uk", {"роботиного", "роботиному"}),
        ("Работино", "ru", {"работина", "работине"}),
        ("Ростов-на-Дону", "ru", {"ростова-на-дону", "ростове-на-дону"}),
        ("Нью-Йорк", "uk", {"нью-йорку", "нью-йорком"}),
        ("Горохолин Ліс", "uk", {"горохолиного лісу"}),
    ],
)
def test_inflections(name: str, lang: str, forms: set[str]) -> None:
    got = inflections(name, lang)
    assert forms <= set(got), got
    assert normalize(name) not in got


def test_inflections_exclude_superlatives_and_other_genders() -> None:
    got = inflections("Новая Каховка", "ru")
    assert not any(g.startswith(("новейш", "наинов")) for g in got)
    assert not any("ского" in g for g in inflections("Александровская", "ru"))


ROUND_TRIP = [
    ("Херсон", "uk"),
    ("Нова Каховка", "uk"),
    ("Кривий Ріг", "uk"),
    ("Часів Яр", "uk"),
    ("Великі Копані", "uk"),
    ("Кам'янець-Подільський", "uk"),
    ("Зразкове", "uk"),
    ("Горішнє", "uk"),
    ("Софіївка Друга", "uk"),
    ("Новоолександрівка", "uk"),
    ("Кривой Рог", "ru"),
    ("Новая Каховка", "ru"),
    ("Каменское", "ru"),
    ("Бедеева Поляна", "ru"),
    ("Жёлтые Воды", "ru"),
    ("Калинино", "ru"),
]


@pytest.mark.parametrize(("name", "lang"), ROUND_TRIP)
def test_round_trip(name: str, lang: str) -> None:
    forms = inflections(name, lang)
    assert forms
    for form in forms:
        assert normalize(name) in lemma_candidates(form, lang), form


def test_analyzers_load_once_and_report_time() -> None:
    lemma_candidates("Херсоні", "uk")
    lemma_candidates("Харькове", "ru")
    seconds = morph.analyzer_load_seconds()
    assert set(seconds) == {"uk", "ru"}
    assert all(0 < s < 30 for s in seconds.values())


def _dictionary_test_words() -> list[str]:
    """Rule samples and their case forms, the specification's phrases, and words with е/ё, г/ґ."""
    words = {"ёлка", "елка", "все", "ещё", "ганок", "ґанок", "гава", "стали", "три", "ыыы"}
    for lang, sample in RULE_SAMPLES:
        nominative = normalize(sample.split("→")[0])
        words.update(normalize(s) for s in sample.split("→"))
        words.update(inflections(nominative, lang))
    words.update(normalize(phrase) for phrase, _, _ in FIRST)
    return sorted({w for text in words for w in text.replace("-", " ").split(" ") if w})


def test_pymorphy3_reads_its_dictionaries_with_the_c_extension() -> None:
    from pymorphy3 import dawg

    assert dawg.EXTENSION_AVAILABLE, "install toponyms' dependencies: pymorphy3[fast]"


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_lexeme_nominative_matches_pymorphy3_inflection(lang: str) -> None:
    analyzer = morph._analyzer(lang)
    for word in _dictionary_test_words():
        for ranked, parse in zip(morph._ranked(word, lang), analyzer.parse(word), strict=True):
            if parse.tag.POS == "NOUN":
                target = parse.inflect({"nomn"})
                expected = None if target is None else target.word
                assert morph._lexeme_nominative(ranked, lang) == expected, (word, parse.tag)
