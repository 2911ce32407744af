"""A seeded development set of romanised names, one query per romanisation system, and its score.

    python benchmarks/translit_dev.py [--db PATH] [--places 600] [--seed N] [--errors N]

Independent of the hand-made rows of ``data/resolve_dev.tsv``: Ukrainian settlements whose
Ukrainian name no other Ukrainian settlement bears are sampled from the gazetteer (most
uniformly, a third among towns of more than 10,000 people), and each one's Ukrainian name is
romanised in every Ukrainian system of :mod:`toponyms.text.translit` (national 2010,
BGN/PCGN, ISO 9, GOST 7.79, scholarly, ALA-LC, German, Polish, French); its Russian name, when
the gazetteer has one, in every Russian system (the ``RU:`` rows). The gold answer is the
sampled place.

The queries are made with the same scheme tables the resolver reads, so the score measures
how well the resolver tells namesakes and near-namesakes apart once a system's spelling is
known (Вітківці and Витківці share a folded key); it does not measure how real writers
deviate from the standards (see the ``translit`` rows of the hand-made set for that).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from benchlib import default_db  # noqa: E402

from toponyms import Resolver  # noqa: E402
from toponyms.text import translit  # noqa: E402

KINDS = ("city", "urban_settlement", "settlement", "village")


def sample(db: str, places: int, seed: int) -> list[tuple[str, str, str | None]]:
    """(place id, Ukrainian name, Russian name) of the sampled places."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT id, name_uk, name_ru, population FROM places WHERE country = 'UA'"
            f" AND kind IN ({','.join('?' * len(KINDS))}) AND name_uk IS NOT NULL",
            KINDS,
        ).fetchall()
    finally:
        conn.close()
    counts = Counter(row[1] for row in rows)
    unique = sorted(row for row in rows if counts[row[1]] == 1)
    towns = [row for row in unique if (row[3] or 0) > 10_000]
    rng = random.Random(seed)
    chosen = rng.sample(unique, min(len(unique), places - places // 3))
    chosen += rng.sample(towns, min(len(towns), places // 3))
    return [(row[0], row[1], row[2]) for row in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default=None, help="gazetteer (default: $TOPONYMS_DB, else the default one)"
    )
    parser.add_argument("--places", type=int, default=600)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--errors", type=int, default=3, help="wrong answers shown per system")
    args = parser.parse_args()
    args.db = args.db or default_db()

    resolver = Resolver(db=args.db)
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong: dict[str, list[str]] = defaultdict(list)
    for place_id, name_uk, name_ru in sample(args.db, args.places, args.seed):
        for lang, name in (("uk", name_uk), ("ru", name_ru)):
            if not name:
                continue
            for scheme, scheme_lang in translit._schemes_for(lang):
                label = scheme.name if lang == "uk" else f"RU:{scheme.name}"
                query = translit.romanize(name, scheme.name, lang=scheme_lang)
                matches = resolver.resolve(query, limit=1)
                ok = bool(matches) and matches[0].place.id == place_id
                right[label][0] += ok
                right[label][1] += 1
                if not ok and len(wrong[label]) < args.errors:
                    got = matches[0].place.name if matches else "no match"
                    wrong[label].append(f"{query} ({name}) -> {got}")
    total = [sum(v[0] for v in right.values()), sum(v[1] for v in right.values())]
    print(f"{'system':16} {'right':>9}  top-1")
    for label in sorted(right):
        ok, n = right[label]
        print(f"{label:16} {ok:>4}/{n:<4}  {ok / n:.3f}   {'; '.join(wrong[label])}")
    print(f"{'all':16} {total[0]:>4}/{total[1]:<4}  {total[0] / total[1]:.3f}")


if __name__ == "__main__":
    main()
