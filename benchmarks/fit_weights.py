"""Fit the scorer's continuous weights on the train split of the development sets.

    python benchmarks/fit_weights.py [--db PATH] [--rounds 1] [--write]

Reads the ``train`` rows of ``benchmarks/data/resolve_dev.tsv`` (and of
``resolve_real.tsv`` when it exists), and tunes each weight of
:data:`toponyms.match.FITTABLE` in turn (coordinate search over a small grid around
its current value), keeping a change only when it raises the objective: top-1 accuracy
(a negative row is right when nothing matches) minus a quarter of the Brier score of the
best match's score (so that a score reads as the chance of being right). With
``--write`` the result replaces ``toponyms/data/weights.json``, with what was fitted, on
how many rows and by which command under ``fitted``.

The ``test`` rows are never read while fitting; the script prints their accuracy and
calibration before and after, which is what we report.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from toponyms import Resolver  # noqa: E402
from toponyms.match.weights import FITTABLE, Weights  # noqa: E402
from toponyms.match.weights import default as default_weights  # noqa: E402

DATA = HERE / "data"
WEIGHTS_FILE = HERE.parent / "toponyms" / "data" / "weights.json"
BRIER_WEIGHT = 0.25
#: Trial values of each weight: factors of the current value, or (for weights that are
#: fractions) values in [0, 1].
FACTORS = (0.5, 0.75, 1.33, 2.0)
FRACTIONS = {
    "support_floor": (0.2, 0.3, 0.4, 0.5),
    "qualifier_miss": (0.1, 0.2, 0.4, 0.5),
    "min_evidence": (0.55, 0.6, 0.65, 0.7),
}
NOT_FITTED = frozenset({"ambiguity_ratio"})  # a flag, not an answer: nothing here measures it


def load_rows(split: str) -> list[dict[str, str]]:
    """The rows of every resolve dev set in the split."""
    rows: list[dict[str, str]] = []
    for path in (DATA / "resolve_dev.tsv", DATA / "resolve_real.tsv"):
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row.get("split") == split:
                    rows.append(row)
    return rows


def expected_ids(row: dict[str, str]) -> set[str]:
    return {v for v in (row.get("expected", ""), row.get("alt_id", "")) if v}


def outcomes(
    db: str | None, weights: Weights, rows: list[dict[str, str]]
) -> list[tuple[bool, float | None, str]]:
    """Per row: right or not, the best match's score (None for no match), the category."""
    results = []
    with Resolver(db=db, weights=weights) as resolver:
        for row in rows:
            matches = resolver.resolve(row["query"], limit=1)
            want = expected_ids(row)
            # A negative row (no expected place) is right when nothing matches.
            right = bool(matches) and bool(_ids(matches[0]) & want) if want else not matches
            results.append((right, matches[0].score if matches else None, row["category"]))
    return results


def _ids(match: object) -> set[str]:
    place = match.place  # type: ignore[attr-defined]
    ids = {place.id}
    if place.katottg:
        ids.add(f"katottg:{place.katottg}")
    if place.geonames_id:
        ids.add(f"geonames:{place.geonames_id}")
    return ids


def objective(results: list[tuple[bool, float | None, str]]) -> float:
    accuracy = sum(right for right, _, _ in results) / len(results)
    scored = [(right, score) for right, score, _ in results if score is not None]
    brier = sum((score - right) ** 2 for right, score in scored) / max(len(scored), 1)
    return accuracy - BRIER_WEIGHT * brier


def report(label: str, results: list[tuple[bool, float | None, str]]) -> None:
    by: dict[str, list[bool]] = defaultdict(list)
    for right, _, category in results:
        by[category].append(right)
    total = sum(right for right, _, _ in results)
    print(f"{label}: top-1 {total / len(results):.3f} on {len(results)} rows")
    print("  " + "  ".join(f"{c} {sum(v) / len(v):.3f}" for c, v in sorted(by.items())))
    buckets: dict[int, list[bool]] = defaultdict(list)
    for right, score, _ in results:
        if score is not None:
            buckets[min(int(score * 10), 9)].append(right)
    print(
        "  calibration: "
        + "  ".join(
            f"{b / 10:.1f}-{(b + 1) / 10:.1f} {sum(v)}/{len(v)}" for b, v in sorted(buckets.items())
        )
    )


def trials(name: str, value: float) -> list[float]:
    if name in FRACTIONS:
        return [v for v in FRACTIONS[name] if v != value]
    return [round(value * f, 6) for f in FACTORS]


def fit(
    db: str | None,
    weights: Weights,
    rows: list[dict[str, str]],
    rounds: int,
    log: Callable[[str], None],
) -> tuple[Weights, float]:
    best = objective(outcomes(db, weights, rows))
    log(f"start: objective {best:.4f}")
    for _ in range(rounds):
        for name in FITTABLE:
            if name in NOT_FITTED:
                continue
            current = getattr(weights, name)
            for value in trials(name, current):
                trial = weights.replace(**{name: value})
                score = objective(outcomes(db, trial, rows))
                log(f"  {name} = {value}: {score:.4f}")
                if score > best + 1e-6:
                    best, weights = score, trial
            log(f"{name} -> {getattr(weights, name)} (objective {best:.4f})")
    return weights, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="gazetteer (default: the packaged one)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="rewrite toponyms/data/weights.json")
    args = parser.parse_args()
    train, test = load_rows("train"), load_rows("test")
    start = default_weights()
    report("test before", outcomes(args.db, start, test))
    began = time.time()
    fitted, best = fit(args.db, start, train, args.rounds, log=print)
    changed = {
        name: getattr(fitted, name)
        for name in FITTABLE
        if getattr(fitted, name) != getattr(start, name)
    }
    print(f"fitted in {time.time() - began:.0f} s; changed: {changed or 'nothing'}")
    report("test after", outcomes(args.db, fitted, test))
    if args.write:
        data = fitted.to_json()
        data["fitted"] = {
            "weights": sorted(name for name in FITTABLE if name not in NOT_FITTED),
            "changed": changed,
            "objective": round(best, 4),
            "train_rows": len(train),
            "command": "python benchmarks/fit_weights.py --write",
            "date": time.strftime("%Y-%m-%d"),
        }
        WEIGHTS_FILE.write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"wrote {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
