"""Reconcile benchmark: how much each context column of a 3W sheet helps, and how fast.

    python benchmarks/bench_reconcile.py [--db PATH] [--rows 1000] [--seed 7]

The sheet is made from the gazetteer itself (seeded): random Ukrainian settlements with
their oblast, raion and hromada written as 3W sheets write them, the bare adjective
(``Херсонська``, ``Бериславський``, ``Бериславська``, without область/район/громада), and
the settlement's official Ukrainian name; the place's id is the truth. Every row is a
distinct settlement, so no cache helps. The same rows are reconciled with no context,
then with oblast, oblast + raion, oblast + raion + hromada, by
:class:`toponyms.reconcile.Reconciler` (what ``toponyms reconcile`` runs). The last stdout
line is one JSON object.

Namesakes make the task: a settlement name alone names several places about half of the
time, so the figure without context is low by design, not a fault.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

import benchlib

REGION_WORDS = {
    "oblast": (" область",),
    "raion": (" район",),
    "hromada": (" територіальна громада", " міська", " селищна", " сільська", " громада"),
}
CONTEXTS = ((), ("oblast",), ("oblast", "raion"), ("oblast", "raion", "hromada"))


def _bare(name: str, words: tuple[str, ...]) -> str:
    for word in words:
        name = name.replace(word, "")
    return name.strip()


def make_sheet(db: str, rows: int, seed: int) -> list[dict[str, str]]:
    """``rows`` distinct Ukrainian settlements with their admin cells and true id."""
    conn = benchlib.connect(db)
    try:
        found = conn.execute(
            "SELECT p.id, p.name_uk, o.name_uk, r.name_uk, h.name_uk FROM places p"
            " JOIN places o ON o.id = p.admin1_id JOIN places r ON r.id = p.raion_id"
            " JOIN places h ON h.id = p.hromada_id"
            " WHERE p.country = 'UA' AND p.status = 'active' AND p.name_uk IS NOT NULL"
            " AND p.kind IN ('village', 'settlement', 'urban_settlement', 'city')"
            " ORDER BY p.id"
        ).fetchall()
    finally:
        conn.close()
    random.Random(seed).shuffle(found)
    return [
        {
            "truth": place_id,
            "settlement": name,
            "oblast": _bare(oblast, REGION_WORDS["oblast"]),
            "raion": _bare(raion, REGION_WORDS["raion"]),
            "hromada": _bare(hromada, REGION_WORDS["hromada"]),
        }
        for place_id, name, oblast, raion, hromada in found[:rows]
    ]


def measure(db: str, sheet: list[dict[str, str]], context: tuple[str, ...]) -> dict[str, Any]:
    from toponyms.match import Resolver
    from toponyms.reconcile import AMBIGUOUS, MATCHED, NO_MATCH, Reconciler

    with Resolver(db=db) as resolver:
        for _ in resolver.resolve_many(["Київ", "Одеса", "Херсон"]):
            pass  # lazy loading out of the timing
        reconciler = Reconciler(resolver, context_columns=context)
        started = time.perf_counter()
        answers = [
            reconciler.reconcile(row["settlement"], [row[c] for c in context]) for row in sheet
        ]
        seconds = time.perf_counter() - started
    right = [
        a.place is not None and a.place.id == row["truth"]
        for a, row in zip(answers, sheet, strict=True)
    ]
    statuses = [a.status for a in answers]
    matched_right = sum(r for r, s in zip(right, statuses, strict=True) if s == MATCHED)
    return {
        "context": "+".join(context) or "none",
        "correct": round(sum(right) / len(sheet), 4),
        "matched": statuses.count(MATCHED),
        "matched_correct": round(matched_right / max(1, statuses.count(MATCHED)), 4),
        "ambiguous": statuses.count(AMBIGUOUS),
        "no_match": statuses.count(NO_MATCH),
        # Wrong answers the review file would not list: the errors nobody is asked about.
        "silent_errors": sum(
            not r and not a.needs_review() for r, a in zip(right, answers, strict=True)
        ),
        "to_review": sum(a.needs_review() for a in answers),
        "rows_per_s": round(len(sheet) / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="Gazetteer (default: the default one).")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    db = args.db or benchlib.default_db()
    sheet = make_sheet(db, args.rows, args.seed)
    results = [measure(db, sheet, context) for context in CONTEXTS]
    print(
        f"{'context':<24} {'correct':>8} {'matched (right)':>18} {'ambig.':>7}"
        f" {'review':>7} {'silent':>7} {'rows/s':>7}"
    )
    for r in results:
        print(
            f"{r['context']:<24} {r['correct']:>8.1%} {r['matched']:>7}"
            f" ({r['matched_correct']:.1%}) {r['ambiguous']:>7} {r['to_review']:>7}"
            f" {r['silent_errors']:>7} {r['rows_per_s']:>7,}"
        )
    print(json.dumps({"rows": len(sheet), "seed": args.seed, "results": results}))


if __name__ == "__main__":
    main()
