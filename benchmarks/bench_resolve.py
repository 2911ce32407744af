"""Resolve benchmark: throughput, accuracy, cold start and peak memory of ``Resolver``.

Run by ``benchmarks/run.py``; standalone:

    python benchmarks/bench_resolve.py --profile [--db PATH] [--queries 10000]

prints a cProfile of ``resolve_many`` over the query mix (where the time goes).

Each throughput run is a fresh interpreter (``--child``): it opens the gazetteer, answers
five warm-up queries (one per path: exact, Latin, inflected, typo, nothing) so that lazy
imports and dictionaries are loaded, then times ``resolve_many`` over the whole mix, the
time of every answer of the stream, and reports its own ``ru_maxrss``. The resolver's
caches start empty in every run, and the mix repeats no query (``querymix.py``), so no
answer comes from a cache of an earlier identical query.

The brute-force baseline (:class:`BruteForce`) is the strongest simple one we could
write: every name of the gazetteer folded once with the resolver's own
``toponyms.text.normalize.fold`` (416,000 distinct keys), each key standing for its most
populous place, the keys sorted by that place's size so that ties go to the larger place;
a query is folded the same way, looked up exactly in a dict, and only when that fails
scored against every key with ``rapidfuzz.fuzz.ratio`` (``processor=None``), the best key
winning. The scoring is batched with ``rapidfuzz.process.cdist`` (32 queries at a time,
one worker, ``uint8`` scores): it gives the same answers as ``process.extractOne(q, keys,
scorer=fuzz.ratio, processor=None)`` (first best key) and is about 1.7 times faster on
this machine; ``extractOne`` with a ``score_cutoff`` is not faster, and ``WRatio`` is ten
times slower and less accurate on place names (it rewards any key contained in the
query: ``Kurakhove, Donetsk Oblast`` → ``blast``). A brute force returns an answer for
every query; the variant with a cutoff (no answer below a score, the cutoff fitted on
the ``train`` queries of the subsample, reported on ``test``) is reported next to it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import (
    NameTable,
    default_db,
    median,
    run_child,
    timed_command,
)
from querymix import CATEGORIES, Query

WARM_UP = ("Київ", "Kharkov", "Херсоні", "Zaporizhzhja", "qwertyuiop")
COLD_START = "from toponyms import Resolver; Resolver().resolve({query!r})"


# -- the child process --------------------------------------------------------------------------
def child(db: str | None, queries_path: Path, answers: bool) -> dict[str, Any]:
    """Time ``resolve_many`` over the queries in ``queries_path`` (a JSON list of text)."""
    from benchlib import match_ids

    from toponyms import Resolver

    queries: list[str] = json.loads(queries_path.read_text(encoding="utf-8"))
    resolver = Resolver(db=db)
    for text in WARM_UP:
        with contextlib.suppress(Exception):  # the timed run below reports any failure
            resolver.resolve(text, limit=1)
    best: list[Any] = []
    laps: list[float] = []  # seconds per query, between two answers of the stream
    error: str | None = None
    clock = time.perf_counter
    started = last = clock()
    try:
        for resolution in resolver.resolve_many(queries, limit=1):
            best.append(resolution.matches[0] if resolution.matches else None)
            now = clock()
            laps.append(now - last)
            last = now
    except Exception as exc:
        error = f"resolve_many raised {type(exc).__name__} after {len(best)} queries: {exc}"
    elapsed = clock() - started
    results: list[list[str] | None] = [match_ids(m) if m is not None else None for m in best]
    mode = "resolve_many"
    exceptions = 0
    if error is not None:
        # The stream broke: answer query by query, so that accuracy and speed of the rest
        # can still be seen. Flagged in the report.
        mode = "resolve per query (resolve_many failed)"
        results = []
        laps = []
        started = time.perf_counter()
        for text in queries:
            last = clock()
            try:
                matches = resolver.resolve(text, limit=1)
                results.append(match_ids(matches[0]) if matches else None)
            except Exception:
                exceptions += 1
                results.append(None)
            laps.append(clock() - last)
        elapsed = time.perf_counter() - started
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict[str, Any] = {
        "n": len(queries),
        "elapsed": elapsed,
        "maxrss_mb": maxrss_kb / 1024,
        "mode": mode,
        "error": error,
        "exceptions": exceptions,
    }
    out["laps_ms"] = [round(1000 * lap, 4) for lap in laps]
    if answers:
        out["answers"] = results
    return out


def profile(db: str | None, queries: Sequence[str], top: int = 30) -> None:
    """Print where ``resolve_many`` spends its time (cProfile, sorted by own time)."""
    import cProfile
    import pstats

    from toponyms import Resolver

    resolver = Resolver(db=db)
    for text in WARM_UP:
        resolver.resolve(text, limit=1)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in resolver.resolve_many(queries, limit=1):
        pass
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(
        f"{len(queries)} queries in {elapsed:.2f} s under cProfile "
        f"({len(queries) / elapsed:.0f} q/s)"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# -- the parent side --------------------------------------------------------------------------
def _is_right(query: Query, answer: Sequence[str] | frozenset[str] | None) -> bool:
    """Right: the answer is a gold place, or there is no answer and no gold place."""
    if not query.gold:
        return answer is None
    return answer is not None and bool(set(answer) & query.gold)


def _keys(query: Query) -> list[str]:
    keys = ["all", f"category:{query.category}"]
    keys.append(f"real:{query.stratum}" if query.category == "real" else f"stratum:{query.stratum}")
    if query.unique:
        keys += ["unique", f"unique:{query.category}"]
    return keys


def accuracy(
    queries: Sequence[Query], answers: Sequence[Sequence[str] | frozenset[str] | None]
) -> dict[str, Any]:
    """Top-1 accuracy on the ``test`` split and on all queries, by category and stratum.

    A real row whose place the gazetteer lacks (``missing``) counts in no accuracy; the
    share of them that got no answer (the best a resolver can do) is ``missing_unanswered``.
    """
    out: dict[str, Any] = {}
    for split in ("test", "all"):
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        unanswered = missing = missing_unanswered = n = 0
        for query, answer in zip(queries, answers, strict=True):
            if split != "all" and query.split != split:
                continue
            if query.missing:
                missing += 1
                missing_unanswered += answer is None
                continue
            n += 1
            unanswered += answer is None
            right = _is_right(query, answer)
            for key in _keys(query):
                totals[key][0] += right
                totals[key][1] += 1
        part: dict[str, Any] = {
            key: round(right / total, 4) for key, (right, total) in sorted(totals.items()) if total
        }
        part["n"] = totals["all"][1]
        part["n_unique"] = totals["unique"][1]
        part["counts"] = {key: total for key, (_, total) in sorted(totals.items())}
        part["unanswered"] = round(unanswered / max(1, n), 4)
        part["missing"] = missing
        part["missing_unanswered"] = round(missing_unanswered / missing, 4) if missing else None
        out[split] = part
    return out


def measure_resolver(
    db: str, queries: Sequence[Query], repeat: int, workdir: Path, subsample: Sequence[int] = ()
) -> dict[str, Any]:
    """``repeat`` fresh-process runs of ``resolve_many`` over the mix: median q/s over the
    mix and over the queries at the positions ``subsample`` (from the time of each answer
    of the stream), accuracy of the first run (all runs answer alike), median and largest
    ``ru_maxrss``."""
    path = workdir / "queries.json"
    path.write_text(json.dumps([q.text for q in queries], ensure_ascii=False), encoding="utf-8")
    runs: list[dict[str, Any]] = []
    for i in range(repeat):
        args = [str(Path(__file__)), "--child", "--db", db, "--queries-file", str(path)]
        if i == 0:
            args.append("--answers")
        result = run_child(args, db, timeout=600)
        runs.append(result)
        if "elapsed" not in result:
            break
        print(
            f"  resolve run {i + 1}: {result['n'] / result['elapsed']:,.0f} q/s, "
            f"{result['maxrss_mb']:.0f} MB"
            + (f"  [{result['error']}]" if result.get("error") else ""),
            file=sys.stderr,
        )
    good = [r for r in runs if "elapsed" in r]
    if not good:
        return {"error": runs[0].get("error", "failed")}
    qps = [r["n"] / r["elapsed"] for r in good]
    sub_qps = []
    for r in good:
        laps = r.get("laps_ms") or []
        if subsample and len(laps) == len(queries):
            spent = sum(laps[i] for i in subsample) / 1000
            sub_qps.append(len(subsample) / spent if spent > 0 else 0.0)
    rss = [r["maxrss_mb"] for r in good]
    out: dict[str, Any] = {
        "queries": len(queries),
        "runs": len(good),
        "qps": round(median(qps) or 0.0, 1),
        "qps_runs": [round(v, 1) for v in qps],
        "subsample_qps": round(median(sub_qps) or 0.0, 1) if sub_qps else None,
        "subsample_qps_runs": [round(v, 1) for v in sub_qps],
        "peak_rss_mb": round(median(rss) or 0.0, 1),
        "peak_rss_mb_max": round(max(rss), 1),
        "mode": good[0]["mode"],
        "error": good[0].get("error"),
        "exceptions": good[0].get("exceptions", 0),
        "answers": good[0].get("answers"),
    }
    if out["answers"] is not None:
        out["accuracy"] = accuracy(queries, out["answers"])
    laps = good[0].get("laps_ms")
    if laps and len(laps) == len(queries):
        out["latency_ms"] = latency(queries, laps)
    return out


def latency(queries: Sequence[Query], laps_ms: Sequence[float]) -> dict[str, float]:
    """Mean milliseconds per query by category and stratum, and overall percentiles."""
    groups: dict[str, list[float]] = defaultdict(list)
    for query, lap in zip(queries, laps_ms, strict=True):
        for key in ("all", f"category:{query.category}", f"stratum:{query.stratum}"):
            groups[key].append(lap)
    out = {f"mean:{key}": round(sum(v) / len(v), 3) for key, v in sorted(groups.items())}
    ordered = sorted(laps_ms)
    for pct in (50, 90, 99):
        out[f"p{pct}"] = round(ordered[min(len(ordered) - 1, len(ordered) * pct // 100)], 3)
    out["max"] = round(ordered[-1], 3)
    return out


class BruteForce:
    """Fold every name once; exact dict lookup, else the best ``fuzz.ratio`` over all keys.

    See the module docstring for why this form (``cdist`` batches of :data:`BATCH`).
    """

    BATCH = 32

    def __init__(self, table: NameTable) -> None:
        from toponyms.text.normalize import fold

        self.fold = fold
        best: dict[str, tuple[float, frozenset[str]]] = {}
        for name, ids in table.best.items():
            key = fold(name)
            if not key:
                continue
            prior = max(
                (table.place_info[p][1] for p in table.places[name] if p in table.place_info),
                default=0.0,
            )
            if key not in best or prior > best[key][0]:
                best[key] = (prior, ids)
        ordered = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        self.keys = [key for key, _ in ordered]
        self.answers = [ids for _, (_, ids) in ordered]
        self.index = {key: i for i, key in enumerate(self.keys)}

    def answer(self, texts: Sequence[str]) -> list[tuple[frozenset[str] | None, int]]:
        """(ids of the best key, its score 0–100) for each text, in order."""
        import numpy as np
        from rapidfuzz import fuzz, process

        folded = [self.fold(t) for t in texts]
        out: list[tuple[frozenset[str] | None, int]] = [(None, 0)] * len(texts)
        fuzzy = []
        for i, key in enumerate(folded):
            hit = self.index.get(key)
            if hit is not None:
                out[i] = (self.answers[hit], 100)
            elif key:
                fuzzy.append(i)
        for start in range(0, len(fuzzy), self.BATCH):
            batch = fuzzy[start : start + self.BATCH]
            scores = process.cdist(
                [folded[i] for i in batch],
                self.keys,
                scorer=fuzz.ratio,
                processor=None,
                dtype=np.uint8,
                workers=1,
            )
            best = scores.argmax(axis=1)
            for row, i in enumerate(batch):
                j = int(best[row])
                out[i] = (self.answers[j], int(scores[row, j]))
        return out


def subsample_positions(queries: Sequence[Query], size: int, seed: int) -> list[int]:
    """Positions of the brute-force subsample, in mix order: every real string (category
    ``real``, both splits) and a seeded sample of ``size`` generated queries spread evenly
    over the generated categories (all of a category when it has fewer)."""
    rng = random.Random(f"{seed}:brute")
    by_category: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(queries):
        by_category[q.category].append(i)
    chosen = list(by_category.pop("real", []))
    share = max(1, size // max(1, len(by_category)))
    for positions in by_category.values():
        chosen += rng.sample(positions, min(share, len(positions)))
    return sorted(chosen)


def _fit_cutoff(queries: Sequence[Query], scored: Sequence[tuple[Any, int]]) -> int:
    """The score cutoff (0–100, steps of 5) most accurate on the ``train`` queries."""
    best_cut, best_right = 0, -1
    for cut in range(0, 101, 5):
        right = sum(
            _is_right(q, ids if score >= cut else None)
            for q, (ids, score) in zip(queries, scored, strict=True)
            if q.split == "train" and not q.missing
        )
        if right > best_right:
            best_cut, best_right = cut, right
    return best_cut


def measure_brute(table: NameTable, queries: Sequence[Query], repeat: int) -> dict[str, Any]:
    """The brute force over every name on ``queries`` (the subsample), and its accuracy.

    At tens of queries per second, repeating the subsample would dominate the run time, so
    it is answered once, timed in ``repeat`` consecutive parts of equal size (the order is
    shuffled, so the parts are alike); the reported q/s is the median part.
    """
    started = time.perf_counter()
    brute = BruteForce(table)
    prepare_s = time.perf_counter() - started
    order = list(range(len(queries)))
    random.Random(len(queries)).shuffle(order)
    scored: list[tuple[frozenset[str] | None, int]] = [(None, 0)] * len(queries)
    qps: list[float] = []
    size = -(-len(queries) // repeat)
    for i in range(0, len(order), size):
        part = order[i : i + size]
        started = time.perf_counter()
        results = brute.answer([queries[p].text for p in part])
        for position, result in zip(part, results, strict=True):
            scored[position] = result
        qps.append(len(part) / (time.perf_counter() - started))
        print(f"  brute force part {len(qps)}: {qps[-1]:.2f} q/s", file=sys.stderr)
    cutoff = _fit_cutoff(queries, scored)
    return {
        "queries": len(queries),
        "names": len(brute.keys),
        "runs": len(qps),
        "qps": round(median(qps) or 0.0, 3),
        "qps_runs": [round(v, 3) for v in qps],
        "prepare_s": round(prepare_s, 2),
        "accuracy": accuracy(queries, [ids for ids, _ in scored]),
        "cutoff": cutoff,
        "accuracy_cutoff": accuracy(
            queries, [ids if score >= cutoff else None for ids, score in scored]
        ),
    }


def measure_cold_start(db: str, repeat: int) -> dict[str, Any]:
    """Wall-clock seconds of a fresh ``python -c`` that imports toponyms and answers one
    query, against a bare interpreter's start; medians of ``repeat`` runs each."""
    out: dict[str, Any] = {}
    for label, code in (
        ("python_startup_s", "pass"),
        ("kyiv_s", COLD_START.format(query="Kyiv")),
        ("inflected_s", COLD_START.format(query="Херсоні")),
    ):
        times = [timed_command(["-c", code], db) for _ in range(repeat)]
        ok = [t for t in times if t is not None]
        value = median(ok)
        out[label] = round(value, 3) if value is not None else None
        if len(ok) < len(times):
            out[f"{label}_failures"] = len(times) - len(ok)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default=None, help="gazetteer (default: $TOPONYMS_DB, else the default one)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--answers", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="cProfile resolve_many on the mix")
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--category", choices=CATEGORIES, default=None)
    args = parser.parse_args()
    args.db = args.db or default_db()
    if args.child:
        print(json.dumps(child(args.db, args.queries_file, args.answers)))
        return
    if args.profile:
        from querymix import build_mix

        queries = build_mix(args.db, args.queries, args.seed)
        if args.category:
            queries = [q for q in queries if q.category == args.category]
        profile(args.db, [q.text for q in queries])
        return
    parser.error("use benchmarks/run.py for the benchmark, or --profile here")


if __name__ == "__main__":
    main()
