"""The reproducible mix of resolve queries: generated from the gazetteer, plus real strings.

    python benchmarks/querymix.py [--db PATH] [--queries 10000] [--seed N] [--out mix.tsv]

No query occurs twice in the mix (compared casefolded): a resolver that caches answers
gains nothing from the mix itself, as it would not on a stream of distinct names.
:func:`build_mix` drops repeats after generation and asserts that none is left.

**Real strings.** Every row of ``data/resolve_real.tsv`` (place strings as news, event
coders and officials wrote them, with their source) is in the mix, category ``real``; its
stratum is the row's category there (``news_en``, ``event_coder``, ``ru_border``…).

**Generated queries.** Places are sampled from the gazetteer itself (seeded), by stratum,
so that villages and small Russian localities are covered and not only famous cities:

=================  ======  ===========================================================
stratum            share   places
=================  ======  ===========================================================
``ua_village``     25 %    Ukrainian villages and settlements (KATOTTG)
``ua_city``        15 %    Ukrainian cities
``ru_city``        15 %    Russian cities (GeoNames)
``ru_locality``    10 %    Russian smaller localities (GeoNames ``place``)
``region``          3 %    Ukrainian and Russian oblasts / federal subjects
``world_city``     27 %    cities elsewhere (GeoNames)
``country``         5 %    countries
=================  ======  ===========================================================

Each sampled place gives up to six queries, one per category:

``exact``
    one of its official names (``name_uk`` / ``name_ru`` / ``name_en``), chosen at random.
``alternate``
    a real non-official Latin or Cyrillic name of the place from the ``names`` table
    (other transliterations, old names, exonyms from GeoNames). These names are in the
    resolver's index, so this category tests lookup, not inference.
``romanised``
    its Ukrainian (Russian for a Russian place) official name romanised by one of the
    schemes registered in ``toponyms/text/schemes/``, taken in turn so that every scheme
    is used about equally (the scheme is kept in ``source``). The schemes are the
    resolver's own tables, so this is an upper bound for spellings of those systems.
``inflected``
    a Ukrainian or Russian case form of a one-word Cyrillic official name, made by the
    simple ending rules of :data:`UK_RULES` / :data:`RU_RULES` (locative or genitive,
    chosen at random). The rules know no vowel alternation except ``-ів → -ов-`` and no
    gender, so some forms are not what a grammar book gives (``Ірпінь → Ірпіні`` for
    ``Ірпені``): they stay in, as forms a careless writer or a crude rule would produce.
``uk_ru``
    the Ukrainian name of a Ukrainian place spelled the Russian way, or the Russian name
    of a Russian place spelled the Ukrainian way, by ``toponyms.text.ukru.counterparts``
    (its best spelling), for places that have no official name in the other language.
    Like ``romanised`` the
    rules are the resolver's own: an upper bound, while ``real`` holds what people write.
``typo``
    one random edit of an official name of at least 5 letters: insertion, deletion,
    substitution or transposition of adjacent letters, anywhere in the name (seeded);
    an edit that yields another name of the gazetteer is drawn again.

The gold answer is the sampled place. Namesakes make some queries truly ambiguous
(``Миколаївка`` names dozens of villages), so each query also says whether the name it
was made from belongs to one place only (``unique``). The mix is shuffled.

**Split.** Every query carries the split of ``data/resolve_dev.tsv``: ``test`` when the
SHA-1 of its gold id (KATOTTG code if the place has one, else its GeoNames id; for a real
row its ``expected`` id, ``neg:<query>`` when it has none) is 0–3 modulo 10. The reports
read the ``test`` split; the ``train`` split is there to fit things on (the brute-force
cutoff in ``bench_resolve.py``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchlib import DATA, NameTable, connect, default_db, load_name_table, place_ids

REAL = DATA / "resolve_real.tsv"

STRATA: tuple[tuple[str, float, str], ...] = (
    ("ua_village", 0.25, "country = 'UA' AND kind IN ('village', 'settlement')"),
    ("ua_city", 0.15, "country = 'UA' AND kind = 'city'"),
    ("ru_city", 0.15, "country = 'RU' AND kind = 'city'"),
    ("ru_locality", 0.10, "country = 'RU' AND kind = 'place'"),
    ("region", 0.03, "country IN ('UA', 'RU') AND kind = 'oblast'"),
    ("world_city", 0.27, "country NOT IN ('UA', 'RU') AND kind = 'city'"),
    ("country", 0.05, "kind = 'country'"),
)
CATEGORIES = ("exact", "alternate", "romanised", "inflected", "uk_ru", "typo", "real")

UK_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
RU_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_CONSONANT = "C"  # a rule for any name ending in a consonant letter

#: Ukrainian case endings: final letters → replacements (locative, genitive). The longest
#: matching ending wins.
UK_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ів", ("ові", "ова")),  # Харків → Харкові, Харкова (і → о alternation)
    ("ий", ("ому", "ого")),  # Хмельницький → Хмельницькому, Хмельницького
    ("ка", ("ці", "ки")),  # Миколаївка → Миколаївці, Миколаївки
    ("ське", ("ському", "ського")),  # Іванівське → Іванівському (adjectival neuter)
    ("цьке", ("цькому", "цького")),  # Слов'янське-like -цьке names
    ("не", ("ному", "ного")),  # Рубіжне → Рубіжному, Рубіжного
    ("ве", ("вому", "вого")),  # Вишневе → Вишневому, Вишневого
    ("а", ("і", "и")),  # Одеса → Одесі, Одеси
    ("я", ("і",)),  # Запоріжжя → Запоріжжі
    ("и", ("ах",)),  # Олешки → Олешках
    ("о", ("і", "а")),  # Дніпро → Дніпрі, Дніпра
    ("ь", ("і",)),  # Ірпінь → Ірпіні (sic)
    (_CONSONANT, ("і", "а")),  # Бахмут → Бахмуті, Бахмута (-у after к/г/х, below)
)

#: Russian case endings, as :data:`UK_RULES`.
RU_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ия", ("ии",)),  # Евпатория → Евпатории
    ("ий", ("ом", "ого")),  # Федоровский → Федоровском, Федоровского
    ("ый", ("ом", "ого")),  # Красный → Красном, Красного
    ("ое", ("ом", "ого")),  # Вишнёвое → Вишнёвом, Вишнёвого
    ("ее", ("ем", "его")),  # Верхнее → Верхнем, Верхнего
    ("ка", ("ке", "ки")),  # Николаевка → Николаевке, Николаевки
    ("а", ("е", "ы")),  # Москва → Москве, Москвы (-и after г/к/х/ж/ш/ч/щ, below)
    ("я", ("е", "и")),  # Баня → Бане, Бани
    ("ы", ("ах",)),  # Челны → Челнах
    ("и", ("ах",)),  # Алешки → Алешках
    ("о", ("е", "а")),  # Пушкино → Пушкине, Пушкина
    ("ь", ("и",)),  # Пермь → Перми
    ("й", ("е", "я")),  # Гай → Гае, Гая
    (_CONSONANT, ("е", "а")),  # Омск → Омске, Омска
)
_CONSONANTS = set("бвгґджзклмнпрстфхцчшщ")
_VELARS = set("гкх")
_HUSHING = set("жшчщ")


def inflect(name: str, lang: str, rng: random.Random) -> str | None:
    """A locative or genitive form of a one-word Cyrillic name, or None when no rule fits."""
    if not name or " " in name or "-" in name or not name[0].isupper():
        return None
    if any(ch.isupper() for ch in name[1:]) or not all(ch.isalpha() or ch in "'’ʼ" for ch in name):
        return None
    lower = name.lower()
    rules = UK_RULES if lang == "uk" else RU_RULES
    for ending, replacements in rules:
        if ending == _CONSONANT:
            if lower[-1] not in _CONSONANTS:
                continue
            stem, options = name, list(replacements)
            if lang == "uk" and lower[-1] in _VELARS:
                options[0] = "у"  # Донецьк → Донецьку
        elif lower.endswith(ending) and len(lower) > len(ending) + 1:
            stem, options = name[: -len(ending)], list(replacements)
        else:
            continue
        ending_out = rng.choice(options)
        if lang == "ru" and ending_out == "ы" and stem[-1:].lower() in _VELARS | _HUSHING:
            ending_out = "и"  # Волга → Волги
        return stem + ending_out
    return None


def misspell(name: str, rng: random.Random) -> str:
    """One random edit of a letter: insertion, deletion, substitution or transposition."""
    lower = name.lower()
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if any("а" <= ch <= "я" or ch in "ґєіїё" for ch in lower):
        alphabet = UK_LETTERS if any(ch in "ґєії" for ch in lower) else RU_LETTERS
    else:
        alphabet = LATIN_LETTERS
    op = rng.choice(("insert", "delete", "substitute", "transpose"))
    pos = rng.choice(letters)
    chars = list(name)
    if op == "insert":
        chars.insert(pos + rng.randint(0, 1), rng.choice(alphabet))
    elif op == "delete":
        del chars[pos]
    elif op == "substitute":
        new = rng.choice([ch for ch in alphabet if ch != lower[pos]])
        chars[pos] = new.upper() if name[pos].isupper() else new
    else:
        pairs = [i for i in letters if i + 1 < len(chars) and chars[i + 1].isalpha()]
        pairs = [i for i in pairs if lower[i] != lower[i + 1]] or pairs
        i = rng.choice(pairs)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
        if i == 0 and name[0].isupper() and name[1].islower():  # Kyiv → Ykiv, not yKiv
            chars[0], chars[1] = chars[0].upper(), chars[1].lower()
    if name[0].isupper() and chars[0].islower():  # Ilanskiy → Lanskiy
        chars[0] = chars[0].upper()
    return "".join(chars)


@dataclass(frozen=True, slots=True)
class Query:
    """One benchmark query with its gold place."""

    text: str
    category: str
    stratum: str
    gold: frozenset[str]  # ids that count as the right place (empty: no place is right)
    unique: bool  # the source name belongs to one place only
    source: str  # the name the query was made from (real rows: the source URL)
    split: str = "train"  # "test" or "train", see the module docstring
    missing: bool = False  # a real place the gazetteer lacks (resolve_real.tsv "missing")


def split_of(key: str) -> str:
    """``test`` or ``train`` by the rule of ``data/resolve_dev.tsv`` (SHA-1 of the key)."""
    return "test" if int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 10 < 4 else "train"


def gold_key(katottg: str | None, geonames_id: int | None, place_id: str) -> str:
    """The id the dev sets would write as ``expected``: KATOTTG first, else GeoNames."""
    if katottg:
        return f"katottg:{katottg}"
    if geonames_id:
        return f"geonames:{geonames_id}"
    return place_id


def load_real(path: Path = REAL) -> list[Query]:
    """The rows of ``resolve_real.tsv`` as queries of category ``real``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = []
    for row in rows:
        gold = frozenset(v for v in (row["expected"], row["alt_id"]) if v)
        out.append(
            Query(
                text=row["query"],
                category="real",
                stratum=row["category"],
                gold=gold,
                unique=False,
                source=row["source"],
                split=row["split"],
                missing=row["note"] == "missing",
            )
        )
    return out


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _title(text: str) -> str:
    """``мала локня`` → ``Мала Локня`` (``ukru`` answers in lower case)."""
    words = (" ".join(w[:1].upper() + w[1:] for w in part.split(" ")) for part in text.split("-"))
    return "-".join(words)


def dedupe(queries: Sequence[Query]) -> list[Query]:
    """The queries without repeats (casefolded text), first occurrence kept."""
    seen: set[str] = set()
    out = []
    for query in queries:
        key = query.text.casefold()
        if key not in seen:
            seen.add(key)
            out.append(query)
    return out


def build_mix(
    db: str,
    n: int,
    seed: int,
    table: NameTable | None = None,
    *,
    real: Sequence[Query] | None = None,
) -> list[Query]:
    """``n`` distinct queries: every real string, then generated ones from places of ``db``;
    reproducible for a given seed, gazetteer and ``resolve_real.tsv``."""
    from toponyms.text import translit, ukru

    rng = random.Random(seed)
    table = table or load_name_table(db)
    real = list(load_real() if real is None else real)
    schemes = [(name, lang) for name in translit.names() for lang in translit.get(name).langs]
    rng.shuffle(schemes)
    next_scheme = {"uk": 0, "ru": 0}
    by_lang = {lang: [s for s in schemes if s[1] == lang] for lang in ("uk", "ru")}
    conn = connect(db)
    pools: dict[str, list[tuple[str | None, ...]]] = {}
    for stratum, _, where in STRATA:
        rows = conn.execute(
            "SELECT id, name_uk, name_ru, name_en, katottg, geonames_id, country FROM places"
            f" WHERE status = 'active' AND {where} ORDER BY id"
        ).fetchall()
        rng.shuffle(rows)
        pools[stratum] = rows
    names = [s for s, _, _ in STRATA]
    weights = [w for _, w, _ in STRATA]
    queries: list[Query] = dedupe(real)
    seen = {q.text.casefold() for q in queries}
    while len(queries) < n:
        live = [(s, w) for s, w in zip(names, weights, strict=True) if pools[s]]
        if not live:
            break
        stratum = rng.choices([s for s, _ in live], [w for _, w in live])[0]
        pid, name_uk, name_ru, name_en, katottg, geonames_id, country = pools[stratum].pop()
        assert pid is not None
        gid = int(geonames_id) if geonames_id else None
        gold = place_ids(pid, katottg, gid)
        split = split_of(gold_key(katottg, gid, pid))
        officials = [
            (lang, v) for lang, v in (("uk", name_uk), ("ru", name_ru), ("en", name_en)) if v
        ]
        if not officials:
            continue
        official_cf = {v.casefold() for _, v in officials}

        def add(
            text: str,
            category: str,
            source: str,
            stratum: str = stratum,
            gold: frozenset[str] = gold,
            split: str = split,
        ) -> None:
            if text.casefold() in seen:
                return
            seen.add(text.casefold())
            queries.append(
                Query(text, category, stratum, gold, table.is_unique(source), source, split)
            )

        lang, name = rng.choice(officials)
        add(name, "exact", name)

        alternates = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM names WHERE place_id = ? AND type != 'official'"
                " AND script IN ('Latn', 'Cyrl') ORDER BY id",
                (pid,),
            )
            if row[0].casefold() not in official_cf and _letters(row[0]) >= 3
        ]
        if alternates:
            alternate = rng.choice(alternates)
            add(alternate, "alternate", alternate)

        home = "ru" if country == "RU" else "uk"
        own = name_ru if home == "ru" else name_uk
        if own and by_lang[home]:
            scheme, scheme_lang = by_lang[home][next_scheme[home] % len(by_lang[home])]
            next_scheme[home] += 1
            latin = translit.romanize(own, scheme, lang=scheme_lang)
            if latin.casefold() != own.casefold():
                add(latin, "romanised", f"{scheme}:{own}")

        cyrillic = [(lg, v) for lg, v in officials if lg in ("uk", "ru")]
        if cyrillic:
            lang, name = rng.choice(cyrillic)
            form = inflect(name, lang, rng)
            if form is not None and form.casefold() != name.casefold():
                add(form, "inflected", name)

        counterpart = name_uk if home == "ru" else name_ru
        if own and country in ("UA", "RU") and not counterpart:
            spellings = ukru.counterparts(own)
            if spellings and spellings[0].casefold() not in official_cf:
                add(_title(spellings[0]), "uk_ru", own)

        long_names = [v for _, v in officials if _letters(v) >= 5]
        if long_names:
            name = rng.choice(long_names)
            for _ in range(10):
                typo = misspell(name, rng)
                if typo.casefold() not in table.places:
                    add(typo, "typo", name)
                    break
    conn.close()
    queries = queries[: max(n, len(real))]
    rng.shuffle(queries)
    texts = [q.text.casefold() for q in queries]
    assert len(texts) == len(set(texts)), "the query mix repeats a query"
    return queries


def write_tsv(queries: list[Query], path: Path) -> None:
    """Write the mix as TSV (query, category, stratum, split, unique, gold ids, source)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["query", "category", "stratum", "split", "unique", "gold", "source"])
        for q in queries:
            writer.writerow(
                [
                    q.text,
                    q.category,
                    q.stratum,
                    q.split,
                    int(q.unique),
                    " ".join(sorted(q.gold)),
                    q.source,
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default=None, help="gazetteer (default: $TOPONYMS_DB, else the default one)"
    )
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", default=None, help="write the mix here as TSV (default: stdout)")
    args = parser.parse_args()
    args.db = args.db or default_db()
    queries = build_mix(args.db, args.queries, args.seed)
    if args.out:
        write_tsv(queries, Path(args.out))
        return
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    for q in queries:
        writer.writerow(
            [q.text, q.category, q.stratum, q.split, int(q.unique), " ".join(sorted(q.gold))]
        )


if __name__ == "__main__":
    main()
