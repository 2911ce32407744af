"""Precision, recall and F1 of extraction on the development snippets, by language.

    python benchmarks/evaluate_extract.py [--db PATH] [--errors N] [--lang L]

A found mention is right when its span overlaps a gold mention's span and it resolved to
that mention's place (either of its ids); every other found mention is a false positive
and every gold mention not matched a false negative.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from toponyms import Resolver  # noqa: E402


def ids_of(mention: dict[str, object]) -> set[str]:
    ids = {str(mention["place_id"])}
    if mention.get("katottg"):
        ids.add(f"katottg:{mention['katottg']}")
    if mention.get("geonames_id"):
        ids.add(f"geonames:{mention['geonames_id']}")
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--data", default=str(HERE / "data" / "extract_dev.jsonl"))
    parser.add_argument("--errors", type=int, default=30)
    parser.add_argument("--lang", default=None)
    args = parser.parse_args()
    resolver = Resolver(db=args.db)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    errors: list[str] = []
    started = time.perf_counter()
    chars = 0
    for line in Path(args.data).read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if args.lang and doc["lang"] != args.lang:
            continue
        chars += len(doc["text"])
        found = [m.to_dict() for m in resolver.extract(doc["text"])]
        gold = doc["mentions"]
        used: set[int] = set()
        c = counts[doc["lang"]]
        for m in found:
            hit = None
            for i, g in enumerate(gold):
                if i in used or m["end"] <= g["start"] or m["start"] >= g["end"]:
                    continue
                if ids_of(m) & {g["expected"], g.get("alt_id") or ""}:
                    hit = i
                    break
            if hit is None:
                c[1] += 1
                errors.append(
                    f"FP [{doc['id']}] {m['text']!r} → {m['place_id']} {m['name']}"
                    f" ({m['kind']}, {m['admin1']}) {m['score']:.2f} {m['rule']}"
                )
            else:
                used.add(hit)
                c[0] += 1
        for i, g in enumerate(gold):
            if i not in used:
                c[2] += 1
                errors.append(f"FN [{doc['id']}] {g['text']!r} want {g['expected']}")
    elapsed = time.perf_counter() - started
    total = [sum(v[i] for v in counts.values()) for i in range(3)]
    print(f"{'lang':<6} {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6} {'F1':>6}")
    rows = [*sorted(counts.items()), ("all", total)]
    for lang, (tp, fp, fn) in rows:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{lang:<6} {tp:>5} {fp:>5} {fn:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f}")
    print(f"\n{chars:,} characters in {elapsed:.1f} s")
    for e in errors[: args.errors]:
        print(" ", e)


if __name__ == "__main__":
    main()
