"""A seeded development set of one-typo queries for Ukrainian and Russian places, and its score.

    python benchmarks/typo_dev.py [--db PATH] [--places 3000] [--seed N] [--out typo.tsv]
                                  [--half tune|check|both] [--errors N]

Independent of the hand-made rows of ``data/resolve_dev.tsv``: the queries are made here,
from places sampled from the gazetteer itself, so that a change of the typo search can be
judged on many more (and less familiar) names than the 330 typo rows.

Places (seeded sample, one or two queries each):

=================  ======  ===========================================================
stratum            share   places
=================  ======  ===========================================================
``ua_village``     22 %    Ukrainian villages and settlements, uniformly
``ua_city``        15 %    Ukrainian cities, uniformly
``ua_known``       15 %    Ukrainian places weighted by population (the well-known ones)
``ru_city``        12 %    Russian cities, uniformly
``ru_locality``     8 %    Russian smaller localities (GeoNames ``place``)
``ru_known``       10 %    Russian places weighted by population
``region``         18 %    Ukrainian oblasts and raions, Russian federal subjects
=================  ======  ===========================================================

A query is one of the place's official names (``name_uk`` / ``name_ru`` / ``name_en``,
chosen at random) with **one** random edit of a letter: insertion (a letter next to the
neighbouring one on the keyboard, a doubled letter or a random letter), deletion,
substitution (a neighbouring key or a random letter) or transposition of two adjacent
letters. For about half of the Cyrillic names the edit is made in a case form instead:
locative, genitive or instrumental (pymorphy3's inflection, not the resolver's rules),
after a preposition (``у``/``в``, ``з``/``біля``/``из``/``около``, ``під``/``под``), as
news text writes it: ``під Покровськом`` → ``під Покровсьокм``. An edit whose result is
the name of some place is drawn again, so every query needs the typo search.

The gold answer is the sampled place. Namesakes make some queries truly ambiguous (dozens
of villages are called Миколаївка), so each query says whether its source name belongs to
one place only (``unique``); the score is reported for all queries and for those alone.

Each place falls into the ``tune`` or the ``check`` half by a seeded coin: tune a change
on the first, and read the second only to confirm it.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import NameTable, connect, default_db, load_name_table, place_ids

STRATA: tuple[tuple[str, float, str, bool], ...] = (
    # name, share, SQL condition, weighted by population
    ("ua_village", 0.22, "country = 'UA' AND kind IN ('village', 'settlement')", False),
    ("ua_city", 0.15, "country = 'UA' AND kind = 'city'", False),
    ("ua_known", 0.15, "country = 'UA' AND population >= 5000", True),
    ("ru_city", 0.12, "country = 'RU' AND kind = 'city'", False),
    ("ru_locality", 0.08, "country = 'RU' AND kind = 'place'", False),
    ("ru_known", 0.10, "country = 'RU' AND population >= 5000", True),
    ("region", 0.18, "country IN ('UA', 'RU') AND kind IN ('oblast', 'raion')", False),
)

#: Keyboard rows (ЙЦУКЕН for Ukrainian and Russian, QWERTY for Latin): a slip of the finger
#: hits a key beside the intended one.
KEYBOARDS = {
    "uk": ("йцукенгшщзхї", "фівапролджє", "ячсмитьбю"),
    "ru": ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"),
    "en": ("qwertyuiop", "asdfghjkl", "zxcvbnm"),
}
ALPHABETS = {
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "en": "abcdefghijklmnopqrstuvwxyz",
}
#: Case, pymorphy3 grammeme, prepositions that govern it (Ukrainian, Russian).
CASES = (
    ("loct", ("у", "в"), ("в",)),
    ("gent", ("з", "біля", "до"), ("из", "около", "до")),
    ("ablt", ("під",), ("под",)),
)
OPS = ("insert", "delete", "substitute", "transpose")


def neighbours(letter: str, lang: str) -> str:
    """The keys beside ``letter`` on the language's keyboard (staggered rows)."""
    rows = KEYBOARDS[lang]
    for r, row in enumerate(rows):
        c = row.find(letter)
        if c < 0:
            continue
        near = [row[c - 1] if c > 0 else "", row[c + 1] if c + 1 < len(row) else ""]
        if r > 0:
            near += [rows[r - 1][i] for i in (c, c + 1) if i < len(rows[r - 1])]
        if r + 1 < len(rows):
            near += [rows[r + 1][i] for i in (c - 1, c) if 0 <= i < len(rows[r + 1])]
        return "".join(near)
    return ""


def misspell(word: str, lang: str, rng: random.Random) -> tuple[str, str] | None:
    """One random edit of a letter of ``word``; (new text, kind of edit) or None."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 2:
        return None
    alphabet = ALPHABETS[lang]
    op = rng.choice(OPS)
    chars = list(word)
    pos = rng.choice(letters)
    lower = word[pos].lower()

    def slip(base: str) -> str:
        near = neighbours(base, lang)
        return rng.choice(near) if near and rng.random() < 0.6 else rng.choice(alphabet)

    if op == "insert":
        roll = rng.random()
        new = lower if roll < 0.25 else slip(lower)
        chars.insert(pos + rng.randint(0, 1), new)
    elif op == "delete":
        del chars[pos]
    elif op == "substitute":
        new = slip(lower)
        if new == lower:
            return None
        chars[pos] = new.upper() if word[pos].isupper() else new
    else:
        pairs = [i for i in letters if i + 1 < len(chars) and chars[i + 1].isalpha()]
        pairs = [i for i in pairs if chars[i].lower() != chars[i + 1].lower()]
        if not pairs:
            return None
        i = rng.choice(pairs)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    if word[0].isupper() and word[1:2].islower() and len(chars) > 1:
        chars[0], chars[1] = chars[0].upper(), chars[1].lower()  # Kyiv → Ykiv, not yKiv
    text = "".join(chars)
    return (text, op) if text != word else None


class Inflector:
    """Case forms of a Cyrillic name by pymorphy3 (dictionary or its guess by analogy)."""

    def __init__(self) -> None:
        import pymorphy3

        self.analyzers = {lang: pymorphy3.MorphAnalyzer(lang=lang) for lang in ("uk", "ru")}

    def form(self, name: str, lang: str, case: str) -> str | None:
        """``name`` (nominative) in ``case``, each word inflected; None when unsure."""
        if "-" in name or not all(ch.isalpha() or ch in " '’ʼ" for ch in name):
            return None
        words = name.split(" ")
        if len(words) > 3:
            return None
        analyzer = self.analyzers[lang]
        out = []
        for n, word in enumerate(words):
            parses = [p for p in analyzer.parse(word) if "nomn" in p.tag]
            if not parses:
                return None
            last = n == len(words) - 1
            adjectives = [p for p in parses if p.tag.POS == "ADJF"]
            parse = adjectives[0] if adjectives and (not last or len(words) == 1) else parses[0]
            grammeme = case
            if lang == "uk" and case == "loct" and parse.tag.POS == "ADJF":
                grammeme = "datv"  # у Вишневому, not the rarer у Вишневім
            inflected = parse.inflect({grammeme})
            if inflected is None:
                return None
            new = inflected.word
            out.append(new[:1].upper() + new[1:] if word[:1].isupper() else new)
        return " ".join(out)


@dataclass(frozen=True, slots=True)
class Query:
    """One typo query with its gold place."""

    text: str
    half: str  # tune or check
    stratum: str
    lang: str  # of the name misspelt: uk, ru, en
    form: str  # nom, loct, gent, ablt
    op: str  # insert, delete, substitute, transpose
    unique: bool
    gold: frozenset[str]
    source: str


def _pick(pool: list[tuple[Any, ...]], weighted: bool, rng: random.Random) -> tuple[Any, ...]:
    if not weighted:
        return pool.pop(rng.randrange(len(pool)))
    weights = [float(row[6] or 1) for row in pool]
    index = rng.choices(range(len(pool)), weights)[0]
    return pool.pop(index)


def build(db: str, places: int, seed: int, table: NameTable | None = None) -> list[Query]:
    """Queries from ``places`` sampled places of ``db`` (reproducible for seed and file)."""
    rng = random.Random(seed)
    table = table or load_name_table(db)
    inflector = Inflector()
    conn = connect(db)
    pools: dict[str, list[tuple[Any, ...]]] = {}
    for stratum, _, where, _ in STRATA:
        pools[stratum] = conn.execute(
            "SELECT id, name_uk, name_ru, name_en, katottg, geonames_id, population FROM places"
            f" WHERE status = 'active' AND {where} ORDER BY id"
        ).fetchall()
    conn.close()
    taken: set[str] = set()
    queries: list[Query] = []
    for _ in range(places):
        live = [s for s in STRATA if pools[s[0]]]
        stratum, _, _, weighted = rng.choices(live, [s[1] for s in live])[0]
        row = _pick(pools[stratum], weighted, rng)
        pid, name_uk, name_ru, name_en, katottg, geonames_id, _ = row
        if pid in taken:
            continue
        taken.add(pid)
        half = "tune" if rng.random() < 0.5 else "check"
        gold = place_ids(pid, katottg, int(geonames_id) if geonames_id else None)
        officials = [
            (lang, v)
            for lang, v in (("uk", name_uk), ("ru", name_ru), ("en", name_en))
            if v and sum(ch.isalpha() for ch in v) >= 5
        ]
        if not officials:
            continue
        lang, name = rng.choice(officials)
        prefix, form, target = "", "nom", name
        if lang in ("uk", "ru") and rng.random() < 0.5:
            case, uk_preps, ru_preps = rng.choice(CASES)
            inflected = inflector.form(name, lang, case)
            if inflected is not None and inflected.casefold() != name.casefold():
                prefix = rng.choice(uk_preps if lang == "uk" else ru_preps) + " "
                form, target = case, inflected
        for _attempt in range(10):
            made = misspell(target, lang, rng)
            if made is None:
                continue
            text, op = made
            if text.casefold() in table.places:
                continue  # another place's name: not a typo the resolver can see
            queries.append(
                Query(
                    prefix + text, half, stratum, lang, form, op, table.is_unique(name), gold, name
                )
            )
            break
    return queries


def write_tsv(queries: list[Query], path: Path) -> None:
    """Write the queries as TSV."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(
            ["query", "half", "stratum", "lang", "form", "op", "unique", "gold", "source"]
        )
        for q in queries:
            writer.writerow(
                [
                    q.text,
                    q.half,
                    q.stratum,
                    q.lang,
                    q.form,
                    q.op,
                    int(q.unique),
                    " ".join(sorted(q.gold)),
                    q.source,
                ]
            )


def evaluate(
    queries: list[Query], db: str, errors: int, out: Callable[[str], None] = print
) -> None:
    """Top-1 accuracy per half (all and unique-only) and per kind of query, then errors."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchlib import match_ids

    from toponyms import Resolver

    resolver = Resolver(db=db)
    tallies: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    wrong: list[str] = []
    started = time.perf_counter()
    for q in queries:
        matches = resolver.resolve(q.text, limit=3)
        best = matches[0] if matches else None
        right = best is not None and bool(set(match_ids(best)) & q.gold)
        keys = [("all", q.half)]
        if q.unique:
            # The nominative is the name as a gazetteer or a list writes it; a case form
            # with a slip in it is the harder, running-text case.
            keys += [("unique", q.half), (f"unique, {q.form}", q.half)]
        keys += [
            (f"{facet}={value}", q.half)
            for facet, value in (
                ("stratum", q.stratum),
                ("lang", q.lang),
                ("form", q.form),
                ("op", q.op),
            )
        ]
        for key in keys:
            tallies[key][0] += right
            tallies[key][1] += 1
        if not right and q.half == "tune":
            got = (
                f"{best.place.name} ({best.place.kind}, {best.place.country}, "
                f"{best.place.admin1}) {best.score:.2f} {best.rule}/{best.match_type} "
                f"'{best.matched_name}'"
                if best
                else "no match"
            )
            flag = "u" if q.unique else " "
            wrong.append(f"{flag} {q.text!r} ({q.source}, {q.stratum}, {q.op}): got {got}")
    elapsed = time.perf_counter() - started
    halves = sorted({h for _, h in tallies})
    out(f"{'':<22}" + "".join(f"{h:>18}" for h in halves))
    for name in sorted(
        {k for k, _ in tallies}, key=lambda k: (not k.startswith(("all", "unique")), k)
    ):
        cells = []
        for h in halves:
            right, total = tallies.get((name, h), [0, 0])
            cells.append(f"{right:>5}/{total:<5} {right / total if total else 0:.3f}")
        out(f"{name:<22}" + "".join(f"{c:>18}" for c in cells))
    out(f"\n{len(queries)} queries in {elapsed:.1f} s")
    out(f"\nfirst {min(errors, len(wrong))} of {len(wrong)} errors (tune half; u = unique name):")
    for line in wrong[:errors]:
        out("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default=None, help="gazetteer (default: $TOPONYMS_DB, else the default one)"
    )
    parser.add_argument("--places", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20250117)
    parser.add_argument("--out", default=None, help="also write the queries here as TSV")
    parser.add_argument("--half", choices=("tune", "check", "both"), default="tune")
    parser.add_argument("--errors", type=int, default=0)
    args = parser.parse_args()
    args.db = args.db or default_db()
    queries = build(args.db, args.places, args.seed)
    if args.out:
        write_tsv(queries, Path(args.out))
    if args.half != "both":
        queries = [q for q in queries if q.half == args.half]
    evaluate(queries, args.db, args.errors)


if __name__ == "__main__":
    main()
