"""Extraction on real-style text in several languages, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toponyms import InvalidInputError, Resolver

KHERSON = "UA65100150010064384"
KHERSON_OBLAST = "UA65000000000030969"
NOVA_KAKHOVKA = "UA65060170010075325"
OLESHKY = "UA65100110010019482"
BAKHMUT = "UA14020010010059145"


def found(resolver: Resolver, text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.match.place.katottg) for m in resolver.extract(text)]


def test_offsets_slice_the_input(resolver: Resolver) -> None:
    text = "Обстріл Херсона і Нової Каховки тривав усю ніч; з Олешок евакуювали людей."
    mentions = resolver.extract(text)
    assert [(m.text, m.match.place.katottg) for m in mentions] == [
        ("Херсона", KHERSON),
        ("Нової Каховки", NOVA_KAKHOVKA),
        ("Олешок", OLESHKY),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text


def test_a_sentences_first_word_does_not_swallow_a_region(resolver: Resolver) -> None:
    text = "Обстріл Херсонської області і Бериславського району."
    assert [(m.text, m.match.place.kind) for m in resolver.extract(text)] == [
        ("Херсонської області", "oblast"),
        ("Бериславського району", "raion"),
    ]


def test_a_front_direction_is_its_raion(resolver: Resolver) -> None:
    text = "Бої тривають на Покровському напрямку; ВСУ отступили в Купянском направлении."
    assert [m.match.place.name_en for m in resolver.extract(text)] == [
        "Pokrovskyi raion",
        "Kupianskyi raion",
    ]


def test_english_possessive_and_region_word(resolver: Resolver) -> None:
    text = "Kherson's mayor said the Kherson regional administration evacuated Oleshky."
    assert found(resolver, text) == [
        ("Kherson", KHERSON),
        ("Kherson", KHERSON_OBLAST),
        ("Oleshky", OLESHKY),
    ]


def test_russian_inflection(resolver: Resolver) -> None:
    assert found(resolver, "Бои идут под Бахмутом, сообщили из Алёшек.") == [
        ("Бахмутом", BAKHMUT),
        ("Алёшек", OLESHKY),
    ]


def test_people_and_units_are_not_places(resolver: Resolver) -> None:
    text = "Zelensky met Medinsky's team; the Azov brigade and Wagner were not there."
    assert found(resolver, text) == []


def test_headline_in_capitals(resolver: Resolver) -> None:
    assert ("KHERSON", KHERSON) in found(resolver, "SHELLING IN KHERSON OVERNIGHT")


def test_document_context_chooses_the_namesake(resolver: Resolver) -> None:
    text = "Fighting continued in Donetsk Oblast. Ukrainian troops held Mykolaivka."
    mentions = resolver.extract(text)
    village = next(m for m in mentions if m.text == "Mykolaivka")
    assert village.match.place.admin1 == "Donetsk Oblast"


def test_empty_and_bad_text(resolver: Resolver) -> None:
    assert resolver.extract("") == []
    assert resolver.extract("   \n ") == []
    with pytest.raises(InvalidInputError):
        resolver.extract("Херсон\x00")
    with pytest.raises(InvalidInputError):
        resolver.extract(42)  # type: ignore[arg-type]


def test_cli_docs_jsonl_keeps_order_and_reports_bad_lines(
    resolver: Resolver, default_db: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    try:
        from toponyms._cli import app
    except ImportError:
        from cli import app
    docs = tmp_path / "docs.jsonl"
    docs.write_bytes(
        '{"id": "a", "text": "В Херсоні."}\n'.encode()
        + b"not json\n"
        + b'{"id": 7, "text": "Shelling near Bakhmut."}\n'
        + b"\xff\xfe broken bytes\n"
    )
    result = CliRunner().invoke(app, ["extract", "--docs", str(docs), "--db", str(default_db)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("id") for line in lines] == ["a", None, 7, None]
    assert lines[0]["mentions"][0]["katottg"] == KHERSON
    assert lines[0]["mentions"][0]["text"] == "Херсоні"
    assert "error" in lines[1] and "error" in lines[3]
    assert lines[2]["mentions"][0]["katottg"] == BAKHMUT
    assert result.exit_code == 3  # completed, but two documents were bad
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["json", "geojson", "csv", "tagged"])
def test_cli_text_formats(default_db: Path, tmp_path: Path, fmt: str) -> None:
    from typer.testing import CliRunner

    try:
        from toponyms._cli import app
    except ImportError:
        from cli import app
    text = tmp_path / "news.txt"
    text.write_text("Удар по Херсону. Shelling of Kherson again.", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["extract", str(text), "--format", fmt, "--db", str(default_db)]
    )
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert [m["katottg"] for m in json.loads(result.stdout)] == [KHERSON, KHERSON]
    elif fmt == "geojson":
        collection = json.loads(result.stdout)
        assert collection["type"] == "FeatureCollection"
        (feature,) = collection["features"]
        assert feature["properties"]["mention_count"] == 2
        assert feature["properties"]["names_seen"] == ["Kherson", "Херсону"]
    elif fmt == "csv":
        header, *rows = result.stdout.strip().splitlines()
        assert header.startswith("doc_id,start,end,text,place_id") and len(rows) == 2
    else:
        assert "[[Херсону|" in result.stdout and "[[Kherson|" in result.stdout


def test_extract_many_streams_documents_and_survives_bad_ones(resolver: Resolver) -> None:
    docs = iter([("a", "Shelling of Kherson."), ("b", "\x00"), ("c", "Удар по Бахмуту")])
    results = list(resolver.extract_many(docs))
    assert [doc_id for doc_id, _ in results] == ["a", "b", "c"]
    a, b, c = (r for _, r in results)
    assert isinstance(a, list) and a[0].match.place.katottg == KHERSON
    assert isinstance(b, InvalidInputError)
    assert isinstance(c, list) and c[0].match.place.katottg == BAKHMUT


def test_offsets_hold_for_any_noise_around_names(resolver: Resolver) -> None:
    """Property: whatever surrounds a name, a mention's offsets slice the input exactly."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    filler = st.text(
        alphabet=" .,;:!?()\"'«»—-\n абвгґдеєжзиіїйклмнопрстуфхцчшщьюяabcdefgh", max_size=30
    )

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(before=filler, after=filler)
    def check(before: str, after: str) -> None:
        text = f"{before}Херсон{after}"
        for m in resolver.extract(text):
            assert text[m.start : m.end] == m.text

    check()


@pytest.mark.parametrize(
    ("text", "span", "kind"),
    [
        ("Les frappes dans le sud de l'Ukraine continuent.", "Ukraine", "country"),
        ("Des drones ont visé la région d'Odessa cette nuit.", "Odessa", "oblast"),
        ("Attacchi nel sud dell'Ucraina.", "Ucraina", "country"),
    ],
)
def test_a_name_after_an_elided_article(
    resolver: Resolver, text: str, span: str, kind: str
) -> None:
    found = {(m.text, m.match.place.kind) for m in resolver.extract(text)}
    assert (span, kind) in found
    [mention] = [m for m in resolver.extract(text) if m.text == span]
    assert text[mention.start : mention.end] == span


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        (
            "Shelling in Mykolaiv, Odesa, Kharkiv, Chernihiv, Donetsk and Luhansk oblasts.",
            ["Mykolaiv", "Odesa", "Kharkiv", "Chernihiv", "Donetsk", "Luhansk"],
        ),
        (
            "concentrados en las regiones de Sumi, Zaporiyia y Jerson.",
            ["Sumi", "Zaporiyia", "Jerson"],
        ),
        ("la parte de la región ucraniana de Jersón controlada por Rusia", ["Jersón"]),
        ("la Administración Regional de Járkov informó", ["Járkov"]),
    ],
)
def test_a_region_word_is_shared_by_a_list(
    resolver: Resolver, text: str, regions: list[str]
) -> None:
    kinds = {m.text: m.match.place.kind for m in resolver.extract(text)}
    assert {name: kinds.get(name) for name in regions} == dict.fromkeys(regions, "oblast")


def test_cities_in_a_list_stay_cities(resolver: Resolver) -> None:
    kinds = {
        m.text: m.match.place.kind for m in resolver.extract("Kyiv, Kharkiv and Odesa were hit.")
    }
    assert kinds == {"Kyiv": "city", "Kharkiv": "city", "Odesa": "city"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("За даними ОВА, обстріл тривав.", []),
        ("Войска РФ атаковали позиции.", ["РФ"]),
        ("The US and UK sent aid.", ["US", "UK"]),
    ],
)
def test_acronyms_are_places_only_as_the_gazetteer_writes_them(
    resolver: Resolver, text: str, expected: list[str]
) -> None:
    assert [m.text for m in resolver.extract(text)] == expected


def test_region_adjectives_of_a_list_share_the_region_word(resolver: Resolver) -> None:
    text = "Обстріли на території Харківської, Сумської та Чернігівської областей."
    found = [(m.text, m.match.place.kind) for m in resolver.extract(text)]
    assert found == [("Харківської", "oblast"), ("Сумської", "oblast"), ("Чернігівської", "oblast")]


def test_extract_many_takes_id_text_dicts_and_hands_back_the_ids(resolver: Resolver) -> None:
    from toponyms.extract import Extractor

    docs = [
        {"id": "kherson", "text": "Shelling of Kherson.", "source": "a feed"},
        {"id": 2, "text": "Удар по Бахмуту"},
        {"id": None, "text": ""},
    ]
    for results in (
        list(resolver.extract_many(docs)),
        list(Extractor(resolver).extract_many(iter(docs))),
    ):
        assert [doc_id for doc_id, _ in results] == ["kherson", 2, None]
        kherson, bakhmut, empty = (r for _, r in results)
        assert isinstance(kherson, list) and kherson[0].match.place.katottg == KHERSON
        assert isinstance(bakhmut, list) and bakhmut[0].match.place.katottg == BAKHMUT
        assert empty == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("Shelling of Kherson.", r"docs\[1\] is a str \('Shelling of Kherson\.'\), not a document"),
        (["b", "Kherson"], r"docs\[1\] is a list"),
        (("b", "Kherson", "uk"), r"docs\[1\] is a tuple"),
        (42, r"docs\[1\] is a int \(42\)"),
        ({"id": "b"}, r"docs\[1\] has no 'text' key \(its keys: 'id'\)"),
        ({"text": "Kherson"}, r"docs\[1\] has no 'id' key"),
        ({}, r"docs\[1\] has no 'id' and no 'text' key \(its keys: none\)"),
        ({"id": "b", "text": None}, r"docs\[1\] \(id 'b'\): its text is a NoneType, not a str"),
        ({"id": "b", "text": b"Kherson"}, r"docs\[1\] \(id 'b'\): its text is a bytes"),
        (("b", 7), r"docs\[1\] \(id 'b'\): its text is a int"),
    ],
)
def test_extract_many_refuses_what_is_not_a_document(
    resolver: Resolver, bad: object, message: str
) -> None:
    from toponyms.extract import Extractor, extract_many

    for run in (resolver.extract_many, Extractor(resolver).extract_many):
        stream = run([{"id": "a", "text": "Shelling of Kherson."}, bad])  # type: ignore[list-item]
        doc_id, mentions = next(stream)  # lazily: the good document before the bad one
        assert doc_id == "a" and isinstance(mentions, list) and mentions
        with pytest.raises(InvalidInputError, match=message):
            next(stream)
    with pytest.raises(InvalidInputError, match=message):
        list(extract_many(resolver, [("a", "Kherson"), bad]))  # type: ignore[list-item]


@pytest.mark.parametrize("docs", ["Shelling of Kherson.", {"id": "a", "text": "Kherson"}])
def test_extract_many_refuses_one_document_for_a_stream(resolver: Resolver, docs: object) -> None:
    with pytest.raises(InvalidInputError, match=r"not one (str|dict); for one text use extract"):
        list(resolver.extract_many(docs))  # type: ignore[arg-type]


def test_an_extractor_shared_by_threads_finds_what_it_finds_serially(
    resolver: Resolver,
) -> None:
    """Each call keeps its own state: a shared extractor gives every thread the mentions
    of that thread's text (the real snippets of the dev corpus, each distinct)."""
    from concurrent.futures import ThreadPoolExecutor

    from toponyms.extract import Extractor

    data = Path(__file__).parent.parent / "benchmarks" / "data"
    texts = [
        json.loads(line)["text"]
        for name in ("extract_real_a.jsonl", "extract_real_b.jsonl")
        for line in (data / name).read_text(encoding="utf-8").splitlines()[:60]
    ]
    assert len(set(texts)) == len(texts) == 120

    def mentions(extractor: Extractor, text: str) -> list[tuple[int, int, str]]:
        return [(m.start, m.end, m.match.place.id) for m in extractor.extract(text)]

    serial = [mentions(Extractor(resolver), text) for text in texts]
    assert sum(map(len, serial)) > 200
    shared = Extractor(resolver)
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda text: mentions(shared, text), texts))
        fitted = list(pool.map(shared.candidates, texts[:20]))
    assert threaded == serial
    assert fitted == [Extractor(resolver).candidates(text) for text in texts[:20]]


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_russian_paragraph_in_an_english_text_is_read_as_russian(
    resolver: Resolver, lang: str | None
) -> None:
    """The Ukrainian quote first made the whole text Ukrainian, and the Russian case forms
    after it were lost (Судже, Рыльске; Курской without its области)."""
    text = (
        "Ukraine's commander-in-chief said on Telegram: «Ми контролюємо понад тисячу"
        " квадратних кілометрів». Russia's acting governor Alexander Khinshtein wrote:\n\n"
        "«В Курской области продолжается эвакуация жителей приграничья. В Судже остаются"
        " около двух тысяч человек, а в Рыльске ракетой повреждены колледж и дом культуры»."
    )
    found = [(m.text, m.match.place.name_en) for m in resolver.extract(text, lang=lang)]
    assert found == [
        ("Ukraine", "Ukraine"),
        ("Russia", "Russia"),
        ("Курской области", "Kursk Oblast"),
        ("Судже", "Sudzha"),
        ("Рыльске", "Ryl’sk"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Thousands of civilians have left the occupied south for Kyiv-controlled territory.",
            [("Kyiv", "Kyiv")],
        ),
        (
            "The evacuation train runs from Kiev-controlled Kramatorsk to Lviv.",
            [("Kiev", "Kyiv"), ("Kramatorsk", "Kramatorsk"), ("Lviv", "Lviv")],
        ),
        (
            "The Russia-Ukraine war has displaced millions of people.",
            [("Russia", "Russia"), ("Ukraine", "Ukraine")],
        ),
        (
            "Kharkiv's mayor Ihor Terekhov said a drone hit a residential block.",
            [("Kharkiv", "Kharkiv")],
        ),
        ("A Kherson-based volunteer group delivers water.", [("Kherson", "Kherson")]),
        ("Seit Beginn des Ukraine-Krieges flohen Millionen.", [("Ukraine", "Ukraine")]),
        # Wholes that stay whole: names, organisations, stances.
        ("Bilhorod-Dnistrovskyi was hit overnight.", [("Bilhorod-Dnistrovskyi", None)]),
        ("Об этом сообщает РБК-Украина.", []),
        ("Interfax-Ukraine reported the strike.", []),
        ("Sont engagés des combattants russes pro-Kiev.", []),
        ("Die Armee setzte bei Cherson auf das linke Dnipro-Ufer über.", [("Cherson", "Kherson")]),
    ],
)
def test_a_name_inside_a_compound_or_a_possessive_is_a_mention(
    resolver: Resolver, text: str, expected: list[tuple[str, str | None]]
) -> None:
    mentions = resolver.extract(text)
    assert [m.text for m in mentions] == [span for span, _ in expected]
    for mention, (span, name_en) in zip(mentions, expected, strict=True):
        assert text[mention.start : mention.end] == span
        if name_en is not None:
            assert mention.match.place.name_en == name_en


@pytest.mark.parametrize(
    "text",
    [
        "Бои продолжаются в Донецкой и Луганской областях, сообщил Генштаб.",
        "Обстріли тривають у Донецькій і Луганській областях, повідомив Генштаб.",
    ],
)
def test_the_first_item_of_a_region_list_is_a_region(resolver: Resolver, text: str) -> None:
    assert [m.match.place.name_en for m in resolver.extract(text)] == [
        "Donetsk Oblast",
        "Luhansk Oblast",
    ]
    assert [m.text for m in resolver.extract(text)] == text.split()[3:6:2]


@pytest.mark.parametrize(
    ("text", "span", "region"),
    [
        (
            "Очільник Донецької ОВА Вадим Філашкін повідомив про евакуацію.",
            "Донецької",
            "Donetsk Oblast",
        ),
        ("Глава Сумской ОВА Олег Григоров сообщил об обстреле.", "Сумской", "Sumy Oblast"),
        (
            "Kharkiv governor Oleh Syniehubov said two people were injured.",
            "Kharkiv",
            "Kharkiv Oblast",
        ),
        (
            "This is the appeal of the governor of Belgorod after days of shelling.",
            "Belgorod",
            "Belgorod Oblast",
        ),
        ("Anche il governatore di Leopoli ha fornito un aggiornamento.", "Leopoli", "Lviv Oblast"),
        ("el gobernador de Jersón leal a Moscú escribió en Telegram", "Jersón", "Kherson Oblast"),
        ("l'état d'urgence dans la province de Belgorod", "Belgorod", "Belgorod Oblast"),
        (
            "Les forces russes sont entrées dans une localité de l’oblast de Donetsk.",
            "Donetsk",
            "Donetsk Oblast",
        ),
        ("L’oblast di Kherson è stato colpito duramente ieri.", "Kherson", "Kherson Oblast"),
    ],
)
def test_an_administration_or_a_governor_names_the_region(
    resolver: Resolver, text: str, span: str, region: str
) -> None:
    found = {m.text: m.match.place.name_en for m in resolver.extract(text)}
    assert found.get(span) == region


def test_the_document_s_oblast_settles_a_hromada_s_namesakes(resolver: Resolver) -> None:
    """Three hromadas are called Краснопільська (Vinnytsia, Zhytomyr and Sumy oblasts); the
    Sumy OVA named in the text chooses, where Ukraine alone (every one's country) cannot."""
    text = "Сумська ОВА повідомила про обстріл Краснопільської громади."
    found = {m.text: m.match.place for m in resolver.extract(text)}
    assert found["Сумська"].name_en == "Sumy Oblast"
    assert found["Краснопільської громади"].admin1 == "Sumy Oblast"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Jedna osoba zginęła w wyniku sobotnich ostrzałów obwodu charkowskiego.",
            [("charkowskiego", "Kharkiv Oblast")],
        ),
        ("Pokrowsk to ważny węzeł w obwodzie donieckim.", [("donieckim", "Donetsk Oblast")]),
        (
            "Rosja chce pełnej kontroli nad obwodami donieckim i ługańskim.",
            [("donieckim", "Donetsk Oblast"), ("ługańskim", "Luhansk Oblast")],
        ),
        ("Obwód zaporoski jest siedzibą elektrowni.", [("zaporoski", "Zaporizhzhia Oblast")]),
        ("Władze obwodu biełgorodzkiego tworzą obozy.", [("biełgorodzkiego", "Belgorod Oblast")]),
    ],
)
def test_a_polish_oblast_adjective_in_lower_case_is_the_oblast(
    resolver: Resolver, text: str, expected: list[tuple[str, str]]
) -> None:
    found = [(m.text, m.match.place.name_en) for m in resolver.extract(text)]
    assert [f for f in found if f[0] != "Rosja" and f[0] != "Pokrowsk"] == expected


def test_an_abbreviation_s_dot_ends_no_sentence() -> None:
    from toponyms.extract import tokenize

    starts = {t.text: t.sentence_start for t in tokenize("Удар у с. Зарожне. Тиша в м. Ізюм.")}
    assert starts == {
        "Удар": True, "у": False, "с": False, "Зарожне": False,
        "Тиша": True, "в": False, "м": False, "Ізюм": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "span", "katottg"),
    [
        # The town in Toretsk hromada (Donetsk oblast), not New York City.
        ("Бойовики обстріляли Нью-Йорк на Донеччині.", "Нью-Йорк", "UA14020110050044480"),
        ("Ворог атакував Нью-Йорк Торецької громади.", "Нью-Йорк", "UA14020110050044480"),
        (
            "Медики надали допомогу чоловіку, який постраждав у с. Старовірівка"
            " Шевченківської громади, повідомив начальник Харківської ОВА.",
            "Старовірівка",
            "UA63080150520093544",
        ),
    ],
)
def test_an_explicit_qualifier_settles_the_namesake(
    resolver: Resolver, text: str, span: str, katottg: str
) -> None:
    found = {m.text: m.match.place.katottg for m in resolver.extract(text)}
    assert found[span] == katottg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On Sunday in Lviv, Donetsk “Shakhtar” and Kyiv “Dynamo” play the derby.", ["Lviv"]),
        ("We wtorek FC Barcelona zmierzy się w Hamburgu z Szachtarem Donieck.", ["Hamburgu"]),
        ("Drugie Dynamo Kijów przegrało w rundzie eliminacyjnej.", []),
        ("«Шахтар» і «Динамо» зіграють у Львові.", ["Львові"]),
        ("Шахтарськ знову під обстрілом.", ["Шахтарськ"]),  # a town, not the club
        ("Drones hit the Zaporizhzhia nuclear power plant again.", []),
        ("La central nuclear de Zaporiyia fue bombardeada.", []),
        ("Dos drones chocaron contra el puente de Kerch.", []),
        ("Russians blew up the Nova Kakhovka Dam.", []),
        ("Каховська ГЕС зруйнована, вода йде на Херсон.", ["Херсон"]),
        ("Die Stadt liegt gegenüber dem Atomkraftwerk von Enerhodar.", ["Enerhodar"]),
    ],
)
def test_clubs_and_facilities_named_after_places_are_no_mentions(
    resolver: Resolver, text: str, expected: list[str]
) -> None:
    assert [m.text for m in resolver.extract(text)] == expected


def test_a_list_joined_by_a_phrase_shares_the_region_word(resolver: Resolver) -> None:
    text = "Rusia anexionó la región de Jersón, así como Zaporiyia, Donetsk y Lugansk, en 2022."
    kinds = {m.text: m.match.place.name_en for m in resolver.extract(text)}
    assert {k: kinds.get(k) for k in ("Jersón", "Zaporiyia", "Donetsk", "Lugansk")} == {
        "Jersón": "Kherson Oblast",
        "Zaporiyia": "Zaporizhzhia Oblast",
        "Donetsk": "Donetsk Oblast",
        "Lugansk": "Luhansk Oblast",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Російські війська обстріляли Білопільську громаду.", ["Білопільську громаду"]),
        ("Ukraińskie siły odbiły Artiomowsk.", ["Artiomowsk"]),
        ("Miasto szykuje się do walk. Może do nich dojść w Pokrowsku.", ["Pokrowsku"]),
        ("Die Lage im Stadtzentrum von Charkiw bleibt angespannt.", ["Charkiw"]),
        ("Крім того, у селі Борова пошкоджено будинок.", ["Борова"]),
    ],
)
def test_common_words_and_adjectives_at_a_sentence_start_are_no_places(
    resolver: Resolver, text: str, expected: list[str]
) -> None:
    assert [m.text for m in resolver.extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Am Abend schlugen erneut Raketen in der Stadt Cherson ein.", "Kherson"),
        ("Die Kleinstadt Sudscha liegt nur wenige Kilometer von der Grenze entfernt.", "Sudzha"),
        ("Der Beschuss trifft nun auch die Industriestadt Kostjantiniwka.", "Kostyantynivka"),
        ("Russische Truppen rücken auf die Garnisonsstadt Dobropillja vor.", "Dobropillia"),
    ],
)
def test_a_german_noun_for_a_kind_of_place_is_no_first_name(
    resolver: Resolver, text: str, expected: str
) -> None:
    # German capitalises every noun: "die Stadt Cherson" is no first name and surname.
    names = [m.match.place.name_en for m in resolver.extract(text)]
    assert any(expected in (name or "") for name in names), names


def test_a_village_is_the_namesake_in_the_region_the_document_is_about(
    resolver: Resolver,
) -> None:
    text = (
        "Russian forces shelled Kurakhove and Selydove in Donetsk Oblast overnight; "
        "the regional governor said a house was also damaged in Komyshivka."
    )
    places = {m.text: m.match.place for m in resolver.extract(text)}
    # The best-known Komyshivka is a village in Odesa Oblast; this one is in Donetsk Oblast.
    assert "Donetsk" in (resolver.lookup.place(places["Komyshivka"].admin1_id).name_en or "")
