"""The language of each sentence (toponyms.text.language), on sentences in the style of real
reporting in the eight languages the extractor reads, alone and mixed."""

from __future__ import annotations

import pytest

from toponyms.extract import tokenize
from toponyms.text.language import SCRIPTS, _evidence, word_languages


def languages(text: str, given: str | None = None) -> dict[str, str | None]:
    tokens = tokenize(text)
    langs = word_languages(
        [t.text for t in tokens], [t.sentence_start for t in tokens], given=given
    )
    return {t.text: lang for t, lang in zip(tokens, langs, strict=True)}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Russian forces shelled Kherson overnight, the regional governor said.", "en"),
        ("Die Stadt Charkiw wurde in der Nacht erneut mit Drohnen angegriffen.", "de"),
        ("Des frappes russes ont visé la ville de Kharkiv dans la nuit.", "fr"),
        ("Un ataque con drones dejó tres heridos en la ciudad de Járkov.", "es"),
        ("Un attacco russo su Kherson ha provocato due morti nella notte.", "it"),
        ("Rosyjskie drony zaatakowały w nocy Charków, poinformował mer miasta.", "pl"),
        ("Унаслідок обстрілу Херсона постраждали троє людей, повідомила ОВА.", "uk"),
        ("Губернатор сообщил, что в результате обстрела Белгорода пострадали три человека.", "ru"),
    ],
)
def test_each_language_is_told_from_its_words_and_letters(text: str, lang: str) -> None:
    assert set(languages(text).values()) == {lang}


def test_each_sentence_and_each_script_has_its_own_language() -> None:
    text = (
        "The governor of Kursk region wrote on Telegram: «В Судже остаются около двух"
        " тысяч человек». Сили оборони України продовжують наступ на Курщині."
    )
    found = languages(text)
    assert found["governor"] == found["Kursk"] == "en"
    assert found["Судже"] == "ru"
    assert found["Курщині"] == "uk"


def test_a_sentence_without_evidence_takes_its_neighbours_language() -> None:
    found = languages("Шебекино, Грайворон, Валуйки. В Белгородской области объявлена эвакуация.")
    assert found["Шебекино"] == found["Валуйки"] == "ru"  # from the sentence after
    assert languages("Суми. Полтава. Херсон.") == dict.fromkeys(["Суми", "Полтава", "Херсон"])


def test_a_given_language_is_its_scripts_and_the_other_script_is_told() -> None:
    text = "Shelling of Kursk region. «В Курской области объявлена эвакуация», said the governor."
    found = languages(text, given="en")
    assert found["Kursk"] == found["governor"] == "en"
    assert found["Курской"] == "ru"
    # Cyrillic without evidence is left to the readers (they try Ukrainian and Russian).
    quiet = languages("«В Курской области тревога», said the governor.", given="en")
    assert quiet["Курской"] is None
    assert languages("Обстріл Херсона", given="ru")["Херсона"] == "ru"  # the caller knows


def test_the_evidence_file_names_only_languages_it_tells() -> None:
    words, letters = _evidence()
    assert len(words) > 200 and "і" in letters and "ы" in letters
    told = {lang for langs in (*words.values(), *letters.values()) for lang in langs}
    assert told == set(SCRIPTS) - {"cs"}
