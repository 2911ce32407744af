"""The resolver on the real default gazetteer: the forms people write, the answers they need."""

from __future__ import annotations

from pathlib import Path

import pytest

from toponyms import (
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
    Resolver,
    ToponymsError,
    UnknownPlaceError,
)

OLESHKY = "UA65100110010019482"
KYIV = "UA80000000000093317"
BAKHMUT = "UA14020010010059145"
HOLUBIVKA = "UA44020050040095366"  # Kirovsk, Luhansk oblast, until 2016
KHERSON_OBLAST = "UA65000000000030969"


def katottg_of(resolver: Resolver, query: str, **options: object) -> str | None:
    matches = resolver.resolve(query, **options)  # type: ignore[arg-type]
    return matches[0].place.katottg if matches else None


@pytest.mark.parametrize(
    "query",
    [
        "Oleshky",
        "Aleshki",
        "Олешки",
        "Алешки",
        "Алёшки",
        "Алешках",
        "з Олешок",
        "из Алёшек",
        "Tsiurupynsk",
        "Цюрупинськ",
        "Tsyurupinsk",
        "OLESHKY",
        "олешки",
        "Oleschky",
    ],
)
def test_every_form_of_oleshky_is_one_place(resolver: Resolver, query: str) -> None:
    assert katottg_of(resolver, query) == OLESHKY


@pytest.mark.parametrize(
    "query", ["Kyiv", "Kiev", "Kiew", "Київ", "Киев", "Kijów", "Києві", "Kyjiw"]
)
def test_kyiv(resolver: Resolver, query: str) -> None:
    assert katottg_of(resolver, query) == KYIV


@pytest.mark.parametrize(
    ("query", "name_type"),
    [
        ("Artemivsk", "historical"),
        ("Artemovsk", "historical"),
        ("Bakhmut", "official"),
        ("Бахмутом", "official"),
    ],
)
def test_renamed_place_answers_with_its_current_record(
    resolver: Resolver, query: str, name_type: str
) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.katottg == BAKHMUT
    assert best.place.name_en == "Bakhmut"
    assert best.match_type == name_type


def test_qualifier_picks_the_namesake(resolver: Resolver) -> None:
    assert katottg_of(resolver, "Kirovsk (Luhansk region)") == HOLUBIVKA
    unqualified = resolver.resolve("Kirovsk")[0]
    assert unqualified.place.country == "RU"  # the living Kirovsks are Russian towns


def test_a_person_whose_name_is_a_place_name_still_finds_that_place(resolver: Resolver) -> None:
    # Zhdanov was Mariupol's name (1948-1989); Kirov is a city: both are recorded as
    # place readings of those surnames.
    assert resolver.resolve("Zhdanov")[0].place.name_en == "Mariupol"
    assert resolver.resolve("Kirov")[0].place.name_en == "Kirov"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The raion rules out a better-known Bohdanivka of the same oblast.
        ("Bohdanivka, Dnipro Raion, Dnipropetrovsk Oblast", "UA12020270060092134"),
        ("Novoselivka (Bakhmut district, Donetsk Oblast)", "UA14020030050072966"),
        ("Kalynivka, Pokrovsk Raion, Donetsk Oblast", "UA14160250020065295"),
        # Abbreviated region words, after a comma or glued on.
        ("Ivanivka, Kherson Obl.", "UA65040030010022975"),
        ("Ivanivka, Kherson reg.", "UA65040030010022975"),
        ("с. Іванівка Херсонської обл.", "UA65040030010022975"),
        ("Андріївка Бахмутського р-ну", "UA14020010030085322"),
        # A type word after the name, in English.
        ("Ivanivka village, Kherson Oblast", "UA65040030010022975"),
        # A raion and its oblast glued on together.
        ("Новомихайловка Покровского района Донецкой области", "UA14160130130080935"),
        # A glued oblast beside a qualifier after a comma (Mykolaivka lay in the
        # Sloviansk raion before 2020).
        ("Миколаївка Донецької обл., Слов'янський р-н", "UA14120130010079249"),
    ],
)
def test_every_qualifier_counts(resolver: Resolver, query: str, expected: str) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.katottg == expected
    assert dict(best.score_parts)["qualifier"] == 1.0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Latin, glued on without a comma: "region" alone is no region to split off.
        ("Kremennaya Luhansk region", "geonames:704138"),
        ("Novoazovsk Town Donetsk region", "geonames:699675"),
        # A type word, then a qualifier; only the Russian romanisation of the name
        # (Мандрыкино, the village Avdotyine's former name) meets it.
        ("Mandrykino town, Donetsk oblast", "geonames:713117"),
        # An occupation entity's name as the qualifier (gazetteer/data/region_forms.tsv).
        ("Kramatorsk in the Donetsk People's Republic", "geonames:704508"),
        ("Кураховка Донецкой Народной Республики", "katottg:UA14160110050089070"),
        # Neighbourhood phrases of several words.
        ("Bylbasovka in the vicinity of Slavyansk", "katottg:UA14120210030090722"),
        ("Kyrylivka, not far from Vuhledar", "katottg:UA14040030110054113"),
        # A land name after "на" (Херсонщина, Донеччина) as the qualifier.
        ("Андріївка на Донеччині", "geonames:713466"),
        ("Андреевка на Донетчине", "geonames:713466"),
        ("Нью-Йорк на Донеччині", "geonames:699751"),
        # A direction before the place: the place it is reckoned from.
        ("west of Donetsk town", "geonames:709717"),
    ],
)
def test_a_region_glued_on_in_latin_news_style(
    resolver: Resolver, query: str, expected: str
) -> None:
    place = resolver.resolve(query)[0].place
    assert expected in (place.id, f"katottg:{place.katottg}")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A hromada's adjective alone, its noun shared by a list (у Шалигинській,
        # Зноб-Новгородській, Буринській громадах): gazetteer/data/hromada_forms.tsv.
        ("Шалигинській", "katottg:UA59100150000074932"),
        ("Буринській", "katottg:UA59020030000072865"),
        ("Великописарівської", "katottg:UA59040030000060142"),
        # A city's case form that is also a hromada's adjective stays the city.
        ("Бердянська", "geonames:712451"),
        ("Краматорська", "geonames:704508"),
        ("Харківської", "geonames:706482"),
    ],
)
def test_a_hromada_by_its_adjective_alone(resolver: Resolver, query: str, expected: str) -> None:
    assert resolver.resolve(query)[0].place.id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("the village of Robotyne", "Robotyne"),
        ("town of Vuhledar", "Vuhledar"),
        ("Bakhmut city", "Bakhmut"),
        ("Vuhledar town", "Vuhledar"),
        ("Gorlovka area", "Horlivka"),
        ("Lyman township", "Lyman"),
        # Only another spelling of the name before the type word meets a place.
        ("Kremennaya town", "Kreminna"),
        # The type word is part of these names as written.
        ("Cape Town", "Cape Town"),
        ("Mexico City", "Mexico City"),
    ],
)
def test_an_english_type_word_around_the_name(
    resolver: Resolver, query: str, expected: str
) -> None:
    assert resolver.resolve(query)[0].place.name_en == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Russian reports' abbreviations and phrases before the name.
        ("н.п. Работино", "Robotyne"),
        ("в районе н.п. Работино", "Robotyne"),
        ("населённого пункта Работино", "Robotyne"),
        ("нп Клещеевка", "Klishchiivka"),
        # A preposition, then a type word.
        ("у с. Кліщіївка", "Klishchiivka"),
        ("под г. Бахмут", "Bakhmut"),
        ("на околиці Покровська", "Pokrovsk"),
        ("on the outskirts of Pokrovsk", "Pokrovsk"),
        ("near the village of Robotyne", "Robotyne"),
    ],
)
def test_context_words_before_the_name(resolver: Resolver, query: str, expected: str) -> None:
    assert resolver.resolve(query)[0].place.name_en == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A settlement-type word says which kind of place is meant: the settlement
        # Niu-York in Donetsk Oblast, not New York City.
        ("поселок Нью-Йорк", "Niu-York"),
        ("смт Нью-Йорк", "Niu-York"),
        ("Нью-Йорк", "New York City"),
        # A type word that fits no namesake changes nothing.
        ("м. Покровськ", "Pokrovsk"),
        ("селище Курахове", "Kurakhove"),
    ],
)
def test_a_type_word_prefers_its_kind_of_place(
    resolver: Resolver, query: str, expected: str
) -> None:
    assert resolver.resolve(query)[0].place.name_en == expected


ANDRIIVKA_NEAR_BAKHMUT = "UA14020010030085322"


@pytest.mark.parametrize(
    "query",
    [
        "Andriivka, near Bakhmut",
        "Andriivka (near Bakhmut)",
        "Andriivka near Bakhmut",
        "Андріївка під Бахмутом",
        "Andriivka, Bakhmut area",
        "Andriivka, Bakhmut direction",
    ],
)
def test_a_neighbourhood_qualifier_picks_the_namesake_near_that_town(
    resolver: Resolver, query: str
) -> None:
    # Without it, the Andriivka of the largest prior (in Zaporizhzhia Oblast) answers.
    assert katottg_of(resolver, "Andriivka") != ANDRIIVKA_NEAR_BAKHMUT
    best = resolver.resolve(query)[0]
    assert best.place.katottg == ANDRIIVKA_NEAR_BAKHMUT
    assert dict(best.score_parts)["qualifier"] == 1.0


def test_type_words_are_taken_off_as_the_data_says() -> None:
    from toponyms.match.query import split, strip_type_prefix, type_words

    assert strip_type_prefix("the village of Ivanivka") == "Ivanivka"
    assert strip_type_prefix("village of Ivanivka") == "Ivanivka"
    assert strip_type_prefix("с. Іванівка") == "Іванівка"
    assert split("в районе н.п. Работино").name == "Работино"
    assert split("в районе н.п. Работино").after_preposition
    assert split("в районе").name == "в районе"  # a phrase with no name after it stays
    assert split("Ivanivka village, Kherson Oblast").bare == "Ivanivka"
    assert split("Ivanivka").bare is None
    rural = frozenset({"village", "settlement", "urban_settlement", "place"})
    assert split("с. Нью-Йорк").kinds == rural
    assert split("м.Покровськ").kinds == frozenset({"city", "place"})
    assert split("н.п. Работино").kinds is None  # "a settlement": any kind
    assert split("Андріївка під Бахмутом").qualifiers == ("під Бахмутом",)
    assert split("під Бахмутом").qualifiers == ()  # a case form after a preposition
    _, region_words = type_words()
    assert {"obl.", "reg.", "р-ну"} <= region_words
    assert "village" not in region_words  # a suffix is no region word


def test_a_settlement_is_named_by_its_current_official_name(resolver: Resolver) -> None:
    # GeoNames still calls Кам'янка (Polohy raion) by its old name Bilmak.
    best = resolver.resolve("Kamianka, Polohy raion")[0]
    assert best.place.katottg == "UA23100010010076329"
    assert best.place.name_en == "Kamianka"
    assert resolver.resolve("Bilmak")[0].place.katottg == "UA23100010010076329"


@pytest.mark.parametrize(
    "query", ["Torez", "Торез", "Chystiakove", "Чистяково", "Torez, Donetsk Oblast"]
)
def test_a_renamed_town_keeps_its_geonames_record(resolver: Resolver, query: str) -> None:
    # GeoNames lists Олексіївка, an old name, among Chystiakove's alternates; the town's
    # record (and its population) belongs to the town, not to a village of that name.
    assert katottg_of(resolver, query) == "UA14060150010042613"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Stalino Oblast", "UA14000000000091971"),
        ("Сталинская область", "UA14000000000091971"),
        ("Voroshilovgrad Oblast", "UA44000000000018893"),
        ("Ворошиловградська область", "UA44000000000018893"),
        ("Stanislav Oblast", "UA26000000000069363"),
        ("Каменец-Подольская область", "UA68000000000099709"),
    ],
)
def test_soviet_era_oblast_names(resolver: Resolver, query: str, expected: str) -> None:
    assert katottg_of(resolver, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Solkhat", "UA01180630010017505"),  # Staryi Krym
        ("Sevliush", "UA21020110010043238"),  # Vynohradiv
        ("Rahó", "UA21060050010040895"),  # Rakhiv
        ("Woltschansk", "UA63140010010035757"),  # Vovchansk's Russian name, romanised
        ("Volčansk", "UA63140010010035757"),
    ],
)
def test_historical_exonym_and_romanised_russian_names(
    resolver: Resolver, query: str, expected: str
) -> None:
    assert katottg_of(resolver, query) == expected


def test_a_russian_city_is_named_by_its_russian_name_not_an_old_or_another_language_one(
    resolver: Resolver,
) -> None:
    # GeoNames' Cyrillic alternates of Tolyatti include its old name Ставрополь, of Moscow
    # its Tatar name Маскав: neither is the Russian name.
    assert resolver.resolve("Ставрополь")[0].place.name_en == "Stavropol"
    assert resolver.resolve("Stavropol-on-Volga")[0].place.name_en == "Tolyatti"
    assert resolver.resolve("Moscow")[0].place.name_ru == "Москва"
    assert resolver.resolve("Belgorod")[0].place.name_ru == "Белгород"


@pytest.mark.parametrize(
    "query",
    [
        "Kherson Oblast",
        "Kherson region",
        "Херсонська область",
        "Херсонської області",
        "Херсонская область",
        "Херсонщина",
        "obwód chersoński",
        "Oblast Cherson",
        "Khersonska oblast",
        "Kherson obl.",
        "Kherson Obl",
        "Kherson reg.",
    ],
)
def test_oblast_forms(resolver: Resolver, query: str) -> None:
    assert katottg_of(resolver, query) == KHERSON_OBLAST


@pytest.mark.parametrize(
    "query",
    [
        "Zelensky",
        "Putin",
        "Medinsky",
        "Trump",
        "Зеленський",
        "Путін",
        # people whose names a village or an alternate spelling happens to bear
        "Syrskyi",
        "Сирський",
        "Yermak",
        "Песков",
        # weapons
        "Shahed",
        "Iskander",
    ],
)
def test_person_names_are_no_places(resolver: Resolver, query: str) -> None:
    assert resolver.resolve(query) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Bakhmut district", "UA14020000000013572"),
        # Named after the city Запоріжжя, not the village Запорізьке in it.
        ("Zaporizhzhia district", "UA23060000000070350"),
        ("Zaporizhizhia district", "UA23060000000070350"),
        # Raions abolished in 2020, by their centre or their romanised adjective: the
        # raion that holds most of their settlements now.
        ("Yasynuvata district", "UA14160000000061982"),
        ("Yasynuvatskyi raion", "UA14160000000061982"),
        ("Sloviansk district", "UA14120000000070232"),
    ],
)
def test_a_raion_by_its_centre_city_in_english(
    resolver: Resolver, query: str, expected: str
) -> None:
    assert resolver.resolve(query)[0].place.katottg == expected


@pytest.mark.parametrize("word", ["війна", "война"])
def test_a_common_word_in_lower_case_is_no_place(resolver: Resolver, word: str) -> None:
    assert resolver.resolve(word) == []


def test_a_village_named_as_a_common_word_is_found_by_its_name(resolver: Resolver) -> None:
    # Война is a village in Bryansk Oblast: capitalised, as its name, it is still found.
    assert resolver.resolve("Война")[0].place.admin1 == "Bryansk Oblast"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kharikv", "UA63120270010096107"),
        ("Zaporizhzha", "UA23060070010069526"),
        ("Бахмтут", BAKHMUT),
        ("Mariupl", "UA14140050010029262"),
    ],
)
def test_one_typo(resolver: Resolver, query: str, expected: str) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.katottg == expected
    assert best.rule == "fuzzy"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("під Бахмутлм", BAKHMUT),  # Бахмутом: a slip in the ending
        ("під Херсонрм", "UA65100150010064384"),  # Херсоном
        ("в Мелитполе", "UA23080070010092407"),  # Мелитополе: a slip in the stem
        ("под Сумапи", "UA59080270010036634"),  # Сумами
        ("у Києвром", KYIV),  # Києвом: a short name's slip and ending both in its first letters
        ("у Іорпені", "UA32080150010049888"),  # Ірпені
        ("під Білоюю Церквою", "UA32020010010081183"),  # a slip in a first word's ending
        ("z Pokrwoska", "UA14160210010099403"),  # Pokrowska (pl): Pokrovsk
        ("z Kupiańksa", "UA63080090010026457"),  # Kupiańska (pl): Kupiansk
        # Малому Затишкові: both words declined, five edits from the nominative.
        ("у Малому Затишкоьві", "UA71060130110048536"),
    ],
)
def test_one_typo_in_a_case_form(resolver: Resolver, query: str, expected: str) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.katottg == expected
    assert best.rule == "fuzzy"


@pytest.mark.parametrize(
    ("query", "katottg", "nominative"),
    [
        ("з Грбеінки", "UA53040010010092378", "Гребінки"),  # Гребінки, genitive of Гребінка
        ("до Сокля", "UA46120110010087965", "Соколя"),  # Сокаля, genitive of Сокаль
    ],
)
def test_a_slip_after_a_preposition_is_looked_for_in_case_forms(
    resolver: Resolver, query: str, katottg: str, nominative: str
) -> None:
    # The text is one slip from another place's nominative too (the village Гребінки,
    # Соколя); after a preposition the case form is the likelier reading, and the town's.
    best = resolver.resolve(query)[0]
    assert best.place.katottg == katottg
    assert best.rule == "fuzzy"
    assert resolver.resolve(nominative)[0].place.katottg != katottg


@pytest.mark.parametrize(
    ("query", "geonames_id"),
    [
        ("из Гусиого Озера", 2023778),  # Гусиного Озера: a slip before the adjective's ending
        ("в Дудовом Умёте", 564579),  # Дубовом Умёте
    ],
)
def test_a_slip_in_a_declined_first_word_is_met(
    resolver: Resolver, query: str, geonames_id: int
) -> None:
    # The slip and the case ending both lie in the typo index's prefix: the first word is
    # given the nominative endings its ending may stand for (Гусиое Озера).
    best = resolver.resolve(query)[0]
    assert best.place.geonames_id == geonames_id
    assert best.rule == "fuzzy"


def test_one_typo_in_a_case_form_with_another_ending(resolver: Resolver) -> None:
    # Домодедовым (a slip in the stem) where the declension rules give Домодедовом: the
    # stems are compared and the ending swapped at half an edit.
    best = resolver.resolve("под Домодедвым")[0]
    assert best.place.geonames_id == 565381
    assert best.rule == "fuzzy"


@pytest.mark.parametrize(
    ("query", "katottg"),
    [
        ("Мьвов", "UA46060250010015970"),  # Львов, the Russian exonym of Lviv
        ("Днерп", "UA12020010010037010"),  # Днепр, of Dnipro
        ("Лувцк", "UA07080170010083384"),  # Луцк, of Lutsk
    ],
)
def test_a_sole_slip_in_a_short_name_clears_the_cut_off(
    resolver: Resolver, query: str, katottg: str
) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.katottg == katottg
    assert best.rule == "fuzzy"


@pytest.mark.parametrize("query", ["Стли", "Cort", "Moey"])
def test_a_slip_in_four_letters_is_not_lifted_over_the_cut_off(
    resolver: Resolver, query: str
) -> None:
    assert resolver.resolve(query) == []


@pytest.mark.parametrize(
    ("query", "geonames_id"),
    [
        ("Warshcau", 756135),  # Warschau (de), Warsaw
        ("Londers", 2643743),  # Londres (fr, es), London
        ("Bruxeles", 2800866),  # Bruxelles (fr), Brussels
        ("Стамубл", 745044),  # Стамбул (ru), Istanbul
    ],
)
def test_one_typo_in_a_large_city_exonym(resolver: Resolver, query: str, geonames_id: int) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.geonames_id == geonames_id
    assert best.rule == "fuzzy"


@pytest.mark.parametrize(("query", "geonames_id"), [("Rzhv", 499717), ("Ishm", 1505453)])
def test_one_typo_in_a_short_romanised_name(
    resolver: Resolver, query: str, geonames_id: int
) -> None:
    # Rzhev, Ishim: the key folds zh and sh into one letter, shorter than the typo search's
    # minimum; the written text is long enough.
    best = resolver.resolve(query)[0]
    assert best.place.geonames_id == geonames_id
    assert best.rule == "fuzzy"


def test_a_typo_reads_as_a_home_place_first(resolver: Resolver) -> None:
    # One edit from both Fontanka (a large village near Odesa) and Fontana (California).
    best = resolver.resolve("Fontanak")[0]
    assert best.place.katottg == "UA51100350010073678"


@pytest.mark.parametrize(
    ("query", "geonames_id"),
    [
        ("Zelendoolsk", 687392),  # Zelenodolsk (UA), not its Russian namesake's alternate
        ("Віннция", 689558),  # Вінниця, not a uk ↔ ru guess's coincidence
        ("Sievrsk", 694403),  # Siversk, not Svirsk through a counterpart of a guess
        # A nominative guess that meets a name only under its folded key:
        ("Kiuiya", 705883),  # Kiliya, not Qiuji (China) through a Polish ending's guess
        ("Унге", 688073),  # Бунге, not Unecha through its alternate Uncha
        ("под Зёрском", 1538634),  # Озёрском (Ozersk), not Cherskiy's alternate Tsjerskij
        # A home place's name met under the folded key, two edits from every spelling of it:
        ("Kyzly", 1500973),  # Kyzyl, not the village Кислі (Kysli)
    ],
)
def test_a_slip_beats_another_spellings_coincidence(
    resolver: Resolver, query: str, geonames_id: int
) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.geonames_id == geonames_id
    assert best.rule == "fuzzy"


def test_a_folded_key_within_one_edit_of_a_romanisation_is_a_reading(resolver: Resolver) -> None:
    # Božkivsʹke is the scholarly romanisation of Божківське, met under the folded key of
    # its English name Bozhkivske: a spelling of the name, which no slip outvotes (the
    # village Boykivske is one edit away).
    best = resolver.resolve("Božkivsʹke")[0]
    assert best.place.geonames_id == 8699017
    assert best.rule == "invariant"


@pytest.mark.parametrize("query", ["Bogota", "Gdansk", "Pecs"])
def test_a_name_without_its_diacritics_is_no_coincidence(resolver: Resolver, query: str) -> None:
    # Met under the folded key only, and yet the name as written, less its accents.
    best = resolver.resolve(query)[0]
    assert best.rule == "invariant"
    assert best.place.country != "UA" and best.place.country != "RU"


def test_unicode_noise(resolver: Resolver) -> None:
    latin_a = "Х\u0061рків"  # a Latin "a" hiding in a Cyrillic word
    assert katottg_of(resolver, latin_a) == "UA63120270010096107"
    assert katottg_of(resolver, "\u200bКиїв\u200e") == KYIV
    assert katottg_of(resolver, "Кам’янське") == katottg_of(resolver, "Кам'янське")


def test_match_carries_evidence_and_contract_fields(resolver: Resolver) -> None:
    result = resolver.resolve_one("Aleshki")
    best = result.matches[0]
    data = best.to_dict()
    for field in (
        "id",
        "name",
        "name_uk",
        "name_ru",
        "name_en",
        "kind",
        "country",
        "admin1",
        "lat",
        "lon",
        "geonames_id",
        "katottg",
        "score",
        "match_type",
        "matched_name",
    ):
        assert field in data
    # Aleshki spells the Russian name Алешки letter for letter (a Voronezh village shares
    # it, so the romanisation reading tells the two apart): the matched name is that name.
    assert (data["matched_name"], data["rule"]) == ("Алешки", "romanization")
    assert 0.0 < data["score"] <= 1.0
    assert data["id"].startswith(("geonames:", "katottg:"))
    assert result.ambiguous is False
    with pytest.raises(AttributeError):
        best.score = 0.5  # type: ignore[misc]


def test_namesakes_are_flagged_ambiguous(resolver: Resolver) -> None:
    result = resolver.resolve_one("Ivanivka", limit=5)
    assert len(result.matches) == 5
    assert result.ambiguous
    assert result.matches[0].score < 0.6  # many villages share the name: no false confidence
    town = resolver.resolve_one("Mykolaivka")  # one town among villages: it leads, unflagged
    assert town.matches[0].place.kind == "city" and not town.ambiguous


def test_country_within_and_near(resolver: Resolver) -> None:
    ua = resolver.resolve("Kirovsk", country="UA")
    assert ua and all(m.place.country == "UA" for m in ua)
    inside = resolver.resolve("Mykolaivka", within="Donetsk Oblast", limit=10)
    assert inside and all(m.place.admin1 == "Donetsk Oblast" for m in inside)
    near = resolver.resolve("Mykolaivka", near="48.85,37.6")  # near Sloviansk
    assert near[0].place.admin1 == "Donetsk Oblast"
    assert dict(near[0].score_parts)["near_km"] < 30


def test_as_of_prefers_names_valid_then(resolver: Resolver) -> None:
    then = resolver.resolve("Dnipropetrovsk", as_of="2010-01-01")[0]
    now = resolver.resolve("Dnipropetrovsk", as_of="2024-01-01")[0]
    assert then.place.id == now.place.id  # still the same city, Dnipro
    assert then.score > now.score


def test_bad_input_raises_typed_errors(resolver: Resolver) -> None:
    for bad in ("", "   ", "\u200b", "Kyiv\x07", "x" * 1000):
        with pytest.raises(InvalidInputError):
            resolver.resolve(bad)
    with pytest.raises(InvalidCoordinatesError, match="latitude"):
        resolver.resolve("Kyiv", near="91,30")
    with pytest.raises(InvalidDateError):
        resolver.resolve("Kyiv", as_of="yesterday")
    with pytest.raises(InvalidInputError, match="country"):
        resolver.resolve("Kyiv", country="Ukraine")
    with pytest.raises(UnknownPlaceError):
        resolver.place("katottg:UA00000000000000000")
    assert issubclass(UnknownPlaceError, LookupError)
    assert issubclass(InvalidInputError, ValueError) and issubclass(
        InvalidInputError, ToponymsError
    )


def test_resolve_many_streams_in_order_and_survives_bad_lines(resolver: Resolver) -> None:
    names: list[object] = ["Kyiv", "", "Aleshki", "Zelensky", 42]
    results = list(resolver.resolve_many(iter(names)))  # type: ignore[arg-type]
    assert [r.query for r in results] == ["Kyiv", "", "Aleshki", "Zelensky", "42"]
    assert results[1].error is None and results[1].matches == ()  # blank: no match
    assert results[2].matches[0].place.katottg == OLESHKY
    assert results[3].matches == ()
    assert results[4].error is not None and results[4].matches == ()


def test_edits_are_seen_by_an_open_resolver(tiny_db: Path) -> None:
    import sqlite3

    from toponyms import index

    with Resolver(db=tiny_db) as resolver:
        assert resolver.resolve("Testopil") == []
        conn = sqlite3.connect(tiny_db)
        with conn:
            conn.execute(
                "INSERT INTO places (id, kind, country, name_en, lat, lon, precision)"
                " VALUES ('local:1', 'village', 'UA', 'Testopil', 46.6, 32.6, 'user')"
            )
            cursor = conn.execute(
                "INSERT INTO names (place_id, name, lang, script, type, source)"
                " VALUES ('local:1', 'Testopil', 'en', 'Latn', 'official', 'test')"
            )
            index.add_names(conn, [(int(cursor.lastrowid or 0), "Testopil", "Latn")])
        conn.close()
        assert resolver.resolve("Testopil")[0].place.id == "local:1"


def test_a_file_that_is_not_a_gazetteer_is_refused(tmp_path: Path) -> None:
    from toponyms import GazetteerError

    bogus = tmp_path / "x.sqlite"
    bogus.write_bytes(b"not a database at all" * 100)
    with pytest.raises(GazetteerError):
        Resolver(db=bogus)
    with pytest.raises(GazetteerError, match="no gazetteer"):
        Resolver(db=tmp_path / "missing.sqlite")


@pytest.mark.parametrize(
    ("query", "kind", "name_uk"),
    [
        ("на Бахмутщині", "raion", "Бахмутський район"),
        ("Ізюмщина", "raion", "Ізюмський район"),
        ("Кременчуччини", "raion", "Кременчуцький район"),
        ("Запоріжчину", "oblast", "Запорізька область"),
        ("Харківщині", "oblast", "Харківська область"),
    ],
)
def test_land_names_of_oblasts_and_raions(
    resolver: Resolver, query: str, kind: str, name_uk: str
) -> None:
    place = resolver.resolve(query)[0].place
    assert (place.kind, place.name_uk) == (kind, name_uk)


def test_a_russian_region_by_its_russian_name(resolver: Resolver) -> None:
    # pycountry's Ukrainian catalogue also calls Krasnoyarsk Krai "Краснодарський край".
    for query, expected in (
        ("Краснодарском крае", "Krasnodar Krai"),
        ("Краснодарський край", "Krasnodar Krai"),
        ("Красноярском крае", "Krasnoyarsk Krai"),
    ):
        assert resolver.resolve(query)[0].place.name_en == expected, query


def test_a_name_after_a_preposition_is_read_as_a_case_form(resolver: Resolver) -> None:
    from toponyms.match.query import split

    assert split("в Львове").after_preposition
    assert not split("Львове").after_preposition
    # Львове is a village's name; after a preposition it is Lviv's Russian locative.
    assert resolver.resolve("в Львове")[0].place.name_uk == "Львів"
    assert resolver.resolve("im Gebiet Charkiw")[0].place.name_en == "Kharkiv Oblast"
    assert resolver.resolve("na Krymie")[0].place.name_en == "Autonomous Republic of Crimea"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # ISO 9 and German spellings keep і/и and ї/і apart, which the invariant key folds.
        ("Vìtkìvcì", "UA68020070050068338"),  # Вітківці, not Витківці
        ("Faschtschijiwka", "UA68040050290047951"),  # Фащіївка, not Фащівка
        # The Russian name of a Ukrainian town, romanised (BGN/PCGN), over a Russian
        # village of that official name.
        ("Kamenskoye", "UA12040150010056523"),  # Кам'янське
        ("Dergachi", "UA63120070010085847"),  # Дергачі
    ],
)
def test_a_standard_romanisation_of_a_name_counts_as_that_name(
    resolver: Resolver, query: str, expected: str
) -> None:
    best = resolver.resolve(query)[0]
    assert best.place.katottg == expected
    assert best.rule == "romanization"


@pytest.mark.parametrize(
    ("query", "kind", "name_en"),
    [
        ("на Бахмутському напрямку", "raion", "Bakhmutskyi raion"),
        ("в Купянском направлении", "raion", "Kupianskyi raion"),
        ("Kupiansk axis", "city", "Kupyansk"),
    ],
)
def test_a_front_direction_reads_as_its_raion_or_its_town(
    resolver: Resolver, query: str, kind: str, name_en: str
) -> None:
    best = resolver.resolve(query)[0]
    assert (best.place.kind, best.place.name_en) == (kind, name_en)


def test_a_generic_direction_is_no_city_district(resolver: Resolver) -> None:
    # Південний район is a city district of Kamianske; the southern direction is no place.
    assert resolver.resolve("Південний напрямок") == []


def test_a_ukrainian_towns_russian_name_weighs_as_an_exonym(resolver: Resolver) -> None:
    # Волчанск is Вовчанськ's Russian name and a small Russian town's official one: the
    # names weigh alike (an exonym against an official name), so the larger town wins.
    assert resolver.resolve("в Волчанске")[0].place.name_uk == "Вовчанськ"
    assert resolver.resolve("Дергачи")[0].place.name_uk == "Дергачі"


@pytest.mark.parametrize(
    "query",
    [
        "Novomykhailivka, Marinka raion",
        "Новомихайлівка, Мар'їнський район",
        "Новомихайловка (Марьинский район)",
        "Novomykhailivka, Marinskyi raion",
    ],
)
def test_a_raion_from_before_2020_is_read_by_its_centre(resolver: Resolver, query: str) -> None:
    # The Marinka raion was merged into the Pokrovsk and Donetsk raions in 2020; its
    # villages lie around Мар'їнка.
    best = resolver.resolve(query)[0]
    assert best.place.katottg == "UA14160130130080935"
    assert dict(best.score_parts)["qualifier"] == 1.0


def test_an_old_raion_reaches_villages_now_in_another_raion(resolver: Resolver) -> None:
    # Очеретине was in the Yasynuvata raion; it is in the Pokrovsk raion now, while
    # Ясинувата itself is in the Donetsk raion.
    assert katottg_of(resolver, "Ocheretyne, Yasynuvata district") == "UA14160190010012632"


@pytest.mark.parametrize("centre", ["Мар'їнка", "Ясинувата", "Ужгород", "Ізмаїл", "Bakhmut"])
def test_a_neighbourhood_is_every_settlement_within_the_radius(
    resolver: Resolver, centre: str
) -> None:
    # Qualifiers.around reads a grid of cells; it must find what a scan of every place finds
    # (Ужгород and Ізмаїл lie on the country's edge, Bakhmut far east).
    import math

    from toponyms.match.qualifiers import OLD_RAION_RADIUS_KM
    from toponyms.match.values import REGION_KINDS

    lookup = resolver.lookup
    lookup.preload()
    place_id = resolver.resolve(centre)[0].place.id
    facts = lookup.facts(place_id)
    assert facts.lat is not None and facts.lon is not None
    scale = math.cos(math.radians(facts.lat))
    limit = (OLD_RAION_RADIUS_KM / 111.2) ** 2
    scanned = {place_id} | {
        other
        for other, row in lookup.rows.items()
        if row[2] == "UA"
        and row[1] not in REGION_KINDS
        and row[8] is not None
        and row[9] is not None
        and (row[8] - facts.lat) ** 2 + ((row[9] - facts.lon) * scale) ** 2 <= limit
    }
    assert len(scanned) > 20
    assert resolver.qualifiers.around(place_id) == scanned


def test_resolve_many_reads_its_options_once_for_the_whole_stream(resolver: Resolver) -> None:
    # A generator of countries is read once, and holds for every name of the stream.
    countries = (code for code in ["RU"])
    answers = list(resolver.resolve_many(["Kirovsk", "Pervomaisk"], country=countries))
    assert [a.matches[0].place.country for a in answers] == ["RU", "RU"]


@pytest.mark.parametrize("query", ["Oleshkyy", "Khersn", "Херсонн", "Aleshky", "Berislav"])
def test_the_typo_snapshot_and_the_typo_table_give_the_same_candidates(
    tiny_db: Path, tmp_path: Path, query: str
) -> None:
    # The typo neighbourhood lives in its snapshot (the table keeps only what edits add):
    # a file whose neighbourhood is in the table alone must give the same candidates.
    import shutil
    import sqlite3

    from toponyms import index
    from toponyms.match import typos
    from toponyms.text.keys import exact_key, invariant_key

    table_db = tmp_path / "table.sqlite"
    shutil.copyfile(tiny_db, table_db)
    conn = sqlite3.connect(table_db)
    trie = index.read_snapshot(conn, "fuzzy")
    assert trie is not None
    assert conn.execute("SELECT COUNT(*) FROM fuzzy_keys").fetchone()[0] == 0
    rows = [
        (deletion[1:], deletion[0], key)
        for deletion, value in trie.items()
        for key in value.decode("utf-8").split(index.RECORD_SEPARATOR)
    ]
    conn.executemany("INSERT OR IGNORE INTO fuzzy_keys(del, kind, key) VALUES (?, ?, ?)", rows)
    conn.execute("DELETE FROM index_blobs WHERE name = 'fuzzy'")
    conn.commit()
    conn.close()
    loose = typos.two_deletions(invariant_key(query))
    strict = index.deletions(exact_key(query))
    with Resolver(db=tiny_db) as fast, Resolver(db=table_db) as tables:
        assert fast.lookup.fuzzy_snapshot() is not None and tables.lookup.fuzzy_snapshot() is None
        assert fast.typos.fuzzy_hits(query), "a typo of a name the tiny gazetteer has"
        assert fast.typos.fuzzy_hits(query) == tables.typos.fuzzy_hits(query)
        for world in (False, True):
            candidates = fast.typos.fuzzy_candidates(loose, strict, world=world)
            assert candidates == tables.typos.fuzzy_candidates(loose, strict, world=world)


@pytest.mark.parametrize("key", ["", "ab", "kyi", "lviv", "harkiv", "zaporizhzhia", "aaaaaaaa"])
def test_two_deletions_are_every_prefix_less_one_or_two_letters(key: str) -> None:
    import itertools

    from toponyms import index
    from toponyms.match import typos

    prefix = key[: index.PREFIX]
    expected = {
        "".join(letter for i, letter in enumerate(prefix) if i not in cut)
        for size in (0, 1, 2)
        for cut in itertools.combinations(range(len(prefix)), size)
    }
    shortest = index.FUZZY_MIN_LENGTH - 1
    assert typos.two_deletions(key) == {v for v in expected if len(v) >= shortest}
