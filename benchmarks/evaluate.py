"""Accuracy of the resolver on the development set, by category, with a calibration table.

    python benchmarks/evaluate.py [--db PATH] [--errors N] [--category C]

A query counts as right when the best match is the expected place: same KATOTTG code or
GeoNames id (either of the row's two ids); a ``negative`` row is right when nothing
matches. Prints top-1 accuracy per category, the accuracy of the score buckets (so that a
score of 0.9 can be read as "about 90% right"), and the first wrong answers.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from toponyms import Resolver  # noqa: E402
from toponyms.models import Match  # noqa: E402


def is_right(match: Match, expected: set[str]) -> bool:
    place = match.place
    ids = {place.id}
    if place.katottg:
        ids.add(f"katottg:{place.katottg}")
    if place.geonames_id:
        ids.add(f"geonames:{place.geonames_id}")
    return bool(ids & expected)


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--data", default=str(HERE / "data" / "resolve_dev.tsv"))
    parser.add_argument("--errors", type=int, default=25)
    parser.add_argument("--category", default=None)
    args = parser.parse_args()
    rows = load(Path(args.data))
    if args.category:
        rows = [r for r in rows if r["category"] == args.category]
    resolver = Resolver(db=args.db)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    buckets: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    errors: list[str] = []
    started = time.perf_counter()
    for row in rows:
        expected = {v for v in (row["expected"], row["alt_id"]) if v}
        result = resolver.resolve_one(row["query"], limit=3)
        best = result.matches[0] if result.matches else None
        right = best is None if not expected else best is not None and is_right(best, expected)
        totals[row["category"]][0] += right
        totals[row["category"]][1] += 1
        if best is not None:
            bucket = min(int(best.score * 10), 9)
            buckets[bucket][0] += right
            buckets[bucket][1] += 1
        if not right:
            got = (
                f"{best.place.id} {best.place.name} ({best.place.kind}, {best.place.admin1}) "
                f"{best.score:.2f} {best.rule}/{best.match_type} '{best.matched_name}'"
                if best
                else "no match"
            )
            errors.append(
                f"[{row['category']}] {row['query']!r}: want {row['expected'] or 'none'}, got {got}"
            )
    elapsed = time.perf_counter() - started
    right_all = sum(v[0] for v in totals.values())
    n_all = sum(v[1] for v in totals.values())
    print(f"{'category':<12} {'right':>6} {'total':>6} {'top-1':>7}")
    for category, (right, total) in sorted(totals.items()):
        print(f"{category:<12} {right:>6} {total:>6} {right / total:>7.3f}")
    print(f"{'all':<12} {right_all:>6} {n_all:>6} {right_all / n_all:>7.3f}")
    print(f"\n{n_all} queries in {elapsed:.1f} s ({n_all / elapsed:.0f} q/s, cold caches)")
    print("\ncalibration (best match's score → share right):")
    for bucket in sorted(buckets):
        right, total = buckets[bucket]
        print(f"  {bucket / 10:.1f}–{(bucket + 1) / 10:.1f}: {right}/{total} = {right / total:.2f}")
    print(f"\nfirst {min(args.errors, len(errors))} of {len(errors)} errors:")
    for line in errors[: args.errors]:
        print(" ", line)


if __name__ == "__main__":
    main()
