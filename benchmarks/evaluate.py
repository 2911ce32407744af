"""Accuracy of the resolver on the development sets, by category, with a calibration table.

    python benchmarks/evaluate.py [--db PATH] [--split test|train|all] [--data FILE ...]
                                  [--category C] [--errors N]

Reads ``data/resolve_dev.tsv`` and ``data/resolve_real.tsv`` by default (``--data`` may be
given several times to read others), keeps the rows of one split (``test`` by default:
the split the figures in notes and RESULTS.md come from; ``train`` is the one to read
failures on and fit things to) and asks ``Resolver.resolve_one`` for each query.

A query counts as right when the best match is the expected place: same KATOTTG code or
GeoNames id (either of the row's two ids); a row with no expected place is right when
nothing matches. A row whose place the gazetteer lacks (note ``missing`` in
``resolve_real.tsv``) counts in no accuracy: the share of them left unanswered is shown
apart. For rows with a gold point (``lat``/``lon``), the share whose best match lies
within 10 km of it is shown too (a namesake next door counts; a right id far away does
not). Prints top-1 accuracy per file and category, the accuracy of the score buckets (so
that a score of 0.9 can be read as "about 90% right") and the first wrong answers.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from toponyms import Resolver  # noqa: E402
from toponyms.models import Match  # noqa: E402

DATA = HERE / "data"
DEFAULT_DATA = (DATA / "resolve_dev.tsv", DATA / "resolve_real.tsv")
NEAR_KM = 10.0


def is_right(match: Match, expected: set[str]) -> bool:
    place = match.place
    ids = {place.id}
    if place.katottg:
        ids.add(f"katottg:{place.katottg}")
    if place.geonames_id:
        ids.add(f"geonames:{place.geonames_id}")
    return bool(ids & expected)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6,371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _describe(best: Match | None) -> str:
    if best is None:
        return "no match"
    place = best.place
    return (
        f"{place.id} {place.name} ({place.kind}, {place.admin1}) "
        f"{best.score:.2f} {best.rule}/{best.match_type} '{best.matched_name}'"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=None)
    parser.add_argument(
        "--data", action="append", default=None, help="a dev set TSV (repeatable; default: both)"
    )
    parser.add_argument("--split", choices=("test", "train", "all"), default="test")
    parser.add_argument("--errors", type=int, default=25)
    parser.add_argument("--category", default=None)
    args = parser.parse_args()
    paths = [Path(p) for p in args.data] if args.data else list(DEFAULT_DATA)
    resolver = Resolver(db=args.db)
    # (file, category) -> [right, total]; near -> [within 10 km, rows with a point]
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    near: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    missing: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # unanswered, total
    buckets: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    errors: list[str] = []
    n_queries = 0
    started = time.perf_counter()
    for path in paths:
        name = path.stem
        rows = load(path)
        if args.split != "all":
            if rows and "split" not in rows[0]:
                raise SystemExit(f"{path}: no split column; use --split all")
            rows = [r for r in rows if r["split"] == args.split]
        if args.category:
            rows = [r for r in rows if r["category"] == args.category]
        for row in rows:
            n_queries += 1
            result = resolver.resolve_one(row["query"], limit=3)
            best = result.matches[0] if result.matches else None
            if row.get("note") == "missing":
                missing[name][0] += best is None
                missing[name][1] += 1
                continue
            expected = {v for v in (row["expected"], row["alt_id"]) if v}
            right = best is None if not expected else best is not None and is_right(best, expected)
            key = (name, row["category"])
            totals[key][0] += right
            totals[key][1] += 1
            if row.get("lat") and row.get("lon"):
                place = best.place if best is not None else None
                close = (
                    place is not None
                    and place.lat is not None
                    and place.lon is not None
                    and distance_km(float(row["lat"]), float(row["lon"]), place.lat, place.lon)
                    <= NEAR_KM
                )
                near[key][0] += close
                near[key][1] += 1
            if best is not None:
                bucket = min(int(best.score * 10), 9)
                buckets[bucket][0] += right
                buckets[bucket][1] += 1
            if not right:
                errors.append(
                    f"[{name}/{row['category']}] {row['query']!r}: want "
                    f"{row['expected'] or 'none'}, got {_describe(best)}"
                )
    elapsed = time.perf_counter() - started
    print(f"split: {args.split}")
    header = f"{'file':<16} {'category':<14} {'right':>6} {'total':>6} {'top-1':>7} {'≤10 km':>13}"
    print(header)
    for path in paths:
        name = path.stem
        keys = sorted(k for k in totals if k[0] == name)
        for key in keys:
            right, total = totals[key]
            close, points = near.get(key, (0, 0))
            share = f"{close / points:.3f} ({points})" if points else ""
            print(
                f"{name:<16} {key[1]:<14} {right:>6} {total:>6} {right / total:>7.3f} {share:>13}"
            )
        right = sum(totals[k][0] for k in keys)
        total = sum(totals[k][1] for k in keys)
        close = sum(near[k][0] for k in keys if k in near)
        points = sum(near[k][1] for k in keys if k in near)
        if total:
            share = f"{close / points:.3f} ({points})" if points else ""
            print(f"{name:<16} {'all':<14} {right:>6} {total:>6} {right / total:>7.3f} {share:>13}")
        if missing.get(name):
            unanswered, count = missing[name]
            print(
                f"{name:<16} {'(missing)':<14} {count} rows whose place the gazetteer lacks: "
                f"{unanswered} unanswered ({unanswered / count:.3f}), the rest got a wrong place"
            )
    rate = n_queries / elapsed if elapsed else 0.0
    print(f"\n{n_queries} queries in {elapsed:.1f} s ({rate:.0f} q/s, cold caches)")
    print("\ncalibration (best match's score → share right):")
    for bucket in sorted(buckets):
        right, total = buckets[bucket]
        print(f"  {bucket / 10:.1f}–{(bucket + 1) / 10:.1f}: {right}/{total} = {right / total:.2f}")
    print(f"\nfirst {min(args.errors, len(errors))} of {len(errors)} errors:")
    for line in errors[: args.errors]:
        print(" ", line)


if __name__ == "__main__":
    main()
