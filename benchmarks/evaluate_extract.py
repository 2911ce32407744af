"""Precision, recall and F1 of extraction on the annotated snippets, by language.

    python benchmarks/evaluate_extract.py [--db PATH] [--errors N] [--lang L]
        [--sets dev,real] [--split test|train|all]

Two kinds of annotated files are read from ``benchmarks/data``:

``extract_dev.jsonl``
    the hand-written development snippets. Scored as before: a found mention is right when
    its span overlaps a gold mention's span and it resolved to that mention's place (either
    of its ids); every other found mention is a false positive and every gold mention not
    matched a false negative.

``extract_real_*.jsonl``
    verbatim snippets of real pages, labelled by ``docs/annotation.md`` (every file that
    matches the glob joins). Only the ``--split`` side is scored (``test`` by default: the
    sites nothing was tuned on; look at errors on ``train`` only). Two scores per language:

    * **linked**: overlap and the same place, as above. A gold mention whose place the
      gazetteer lacks (``expected == ""``) can never be matched, so it stays a false
      negative: recall is measured over every place a reader sees.
    * **detection**: overlap with a gold span, whatever place was chosen.

    ``neg`` counts found mentions overlapping an annotated negative (a person, club, unit or
    organisation named like a place); they are false positives in both scores.

``--errors N`` prints the first N failures of each set (FP, FN, wrong place, negatives hit).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE.parent))

from toponyms import Resolver  # noqa: E402

Doc = dict[str, Any]
Counts = list[int]  # tp, fp, fn


def ids_of(mention: dict[str, object]) -> set[str]:
    """Every id a found mention answers to: its place id, KATOTTG code and GeoNames id."""
    ids = {str(mention["place_id"])}
    if mention.get("katottg"):
        ids.add(f"katottg:{mention['katottg']}")
    if mention.get("geonames_id"):
        ids.add(f"geonames:{mention['geonames_id']}")
    return ids


def gold_ids(gold: dict[str, Any]) -> set[str]:
    """The accepted ids of a gold mention (none when the gazetteer lacks the place)."""
    return {i for i in (gold["expected"], gold.get("alt_id") or "") if i}


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return not (a["end"] <= b["start"] or a["start"] >= b["end"])


def load(paths: Iterable[Path]) -> list[Doc]:
    docs: list[Doc] = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            docs.extend(json.loads(line) for line in handle if line.strip())
    return docs


def describe(m: dict[str, Any]) -> str:
    return (
        f"{m['text']!r} → {m['place_id']} {m['name']} ({m['kind']}, {m['admin1']})"
        f" {m['score']:.2f} {m['rule']}"
    )


def match(
    found: Sequence[dict[str, Any]], gold: Sequence[dict[str, Any]], *, linked: bool
) -> tuple[list[int | None], set[int]]:
    """Greedy one-to-one matching in text order: for each found mention the first unused
    overlapping gold mention (with the same place when ``linked``)."""
    used: set[int] = set()
    hits: list[int | None] = []
    for m in found:
        hit = None
        for i, g in enumerate(gold):
            if i in used or not overlaps(m, g):
                continue
            if not linked or ids_of(m) & gold_ids(g):
                hit = i
                break
        if hit is not None:
            used.add(hit)
        hits.append(hit)
    return hits, used


def prf(c: Sequence[int]) -> tuple[float, float, float]:
    tp, fp, fn = c[0], c[1], c[2]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate_dev(resolver: Resolver, docs: list[Doc], errors: list[str]) -> None:
    """The original score of ``extract_dev.jsonl`` (linked only)."""
    counts: dict[str, Counts] = defaultdict(lambda: [0, 0, 0])
    for doc in docs:
        found = [m.to_dict() for m in resolver.extract(doc["text"])]
        gold = doc["mentions"]
        hits, used = match(found, gold, linked=True)
        c = counts[doc["lang"]]
        for m, hit in zip(found, hits, strict=True):
            if hit is None:
                c[1] += 1
                errors.append(f"FP [{doc['id']}] {describe(m)}")
            else:
                c[0] += 1
        for i, g in enumerate(gold):
            if i not in used:
                c[2] += 1
                errors.append(f"FN [{doc['id']}] {g['text']!r} want {g['expected']}")
    total = [sum(v[i] for v in counts.values()) for i in range(3)]
    print(f"{'lang':<6} {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for lang, c in [*sorted(counts.items()), ("all", total)]:
        p, r, f = prf(c)
        print(f"{lang:<6} {c[0]:>5} {c[1]:>5} {c[2]:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f}")


def evaluate_real(resolver: Resolver, docs: list[Doc], errors: list[str]) -> None:
    """Linked and detection scores of the real snippets, by language."""
    linked: dict[str, Counts] = defaultdict(lambda: [0, 0, 0])
    detect: dict[str, Counts] = defaultdict(lambda: [0, 0, 0])
    extra: dict[str, Counts] = defaultdict(lambda: [0, 0, 0])  # docs, negatives hit, unlinkable
    for doc in docs:
        lang = doc["lang"]
        found = [m.to_dict() for m in resolver.extract(doc["text"])]
        gold = doc["mentions"]
        negatives = doc.get("negatives", [])
        extra[lang][0] += 1
        extra[lang][2] += sum(1 for g in gold if not g["expected"])
        l_hits, l_used = match(found, gold, linked=True)
        d_hits, d_used = match(found, gold, linked=False)
        for m, lh, dh in zip(found, l_hits, d_hits, strict=True):
            linked[lang][0 if lh is not None else 1] += 1
            detect[lang][0 if dh is not None else 1] += 1
            if lh is not None:
                continue
            if dh is not None:
                g = gold[dh]
                want = g["expected"] or f'"" ({g.get("note", "")})'
                errors.append(f"WRONG [{doc['id']}] {describe(m)}; want {want}")
            elif any(overlaps(m, n) for n in negatives):
                neg = next(n for n in negatives if overlaps(m, n))
                extra[lang][1] += 1
                errors.append(f"NEG [{doc['id']}] {describe(m)}; is a {neg['type']}")
            else:
                errors.append(f"FP [{doc['id']}] {describe(m)}")
        for i, g in enumerate(gold):
            if i not in l_used:
                linked[lang][2] += 1
            if i not in d_used:
                detect[lang][2] += 1
                want = g["expected"] or f'"" ({g.get("note", "")})'
                errors.append(f"FN [{doc['id']}] {g['text']!r} want {want}")
    langs = sorted(linked)
    total_l = [sum(linked[k][i] for k in langs) for i in range(3)]
    total_d = [sum(detect[k][i] for k in langs) for i in range(3)]
    total_x = [sum(extra[k][i] for k in langs) for i in range(3)]
    print(
        f"{'lang':<6} {'docs':>5} {'gold':>5} {'no id':>5} {'neg':>4} |"
        f" {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6} {'F1':>6} |"
        f" {'det P':>6} {'det R':>6} {'det F1':>6}"
    )
    rows = [(k, linked[k], detect[k], extra[k]) for k in langs]
    for lang, lc, dc, xc in [*rows, ("all", total_l, total_d, total_x)]:
        p, r, f = prf(lc)
        dp, dr, df = prf(dc)
        gold_n = lc[0] + lc[2]
        print(
            f"{lang:<6} {xc[0]:>5} {gold_n:>5} {xc[2]:>5} {xc[1]:>4} |"
            f" {lc[0]:>5} {lc[1]:>5} {lc[2]:>5} {p:>6.3f} {r:>6.3f} {f:>6.3f} |"
            f" {dp:>6.3f} {dr:>6.3f} {df:>6.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="gazetteer (default: the built-in one)")
    parser.add_argument("--data", default=str(DATA / "extract_dev.jsonl"), help="dev file")
    parser.add_argument(
        "--real", default=str(DATA / "extract_real_*.jsonl"), help="glob of real-text files"
    )
    parser.add_argument("--sets", default="dev,real", help="comma list of: dev, real")
    parser.add_argument("--split", choices=["test", "train", "all"], default="test")
    parser.add_argument("--errors", type=int, default=30, help="failures to print per set")
    parser.add_argument("--lang", default=None, help="only snippets of this language")
    args = parser.parse_args()
    sets = {s.strip() for s in args.sets.split(",") if s.strip()}
    unknown = sets - {"dev", "real"}
    if unknown:
        parser.error(f"unknown set(s): {', '.join(sorted(unknown))}")
    resolver = Resolver(db=args.db)

    def keep(doc: Doc) -> bool:
        return not args.lang or doc["lang"] == args.lang

    if "dev" in sets:
        docs = [d for d in load([Path(args.data)]) if keep(d)]
        errors: list[str] = []
        started = time.perf_counter()
        print(f"== {Path(args.data).name}: {len(docs)} snippets")
        evaluate_dev(resolver, docs, errors)
        chars = sum(len(d["text"]) for d in docs)
        print(f"\n{chars:,} characters in {time.perf_counter() - started:.1f} s")
        for e in errors[: args.errors]:
            print(" ", e)
    if "real" in sets:
        real_path = Path(args.real)
        paths = sorted(real_path.parent.glob(real_path.name))
        if not paths:
            parser.error(f"no file matches {args.real}")
        docs = [
            d for d in load(paths) if keep(d) and (args.split == "all" or d["split"] == args.split)
        ]
        errors = []
        names = ", ".join(p.name for p in paths)
        sites = len({d["site"] for d in docs})
        print(f"\n== {names}: split={args.split}, {len(docs)} snippets from {sites} sites")
        evaluate_real(resolver, docs, errors)
        for e in errors[: args.errors]:
            print(" ", e)


if __name__ == "__main__":
    main()
