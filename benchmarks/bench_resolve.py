"""Resolve benchmark: throughput, accuracy, cold start and peak memory of ``Resolver``.

Run by ``benchmarks/run.py``; standalone:

    python benchmarks/bench_resolve.py --profile [--db PATH] [--queries 10000]

prints a cProfile of ``resolve_many`` over the query mix (where the time goes).

Each throughput run is a fresh interpreter (``--child``): it opens the gazetteer, answers
five warm-up queries (one per path: exact, Latin, inflected, typo, nothing) so that lazy
imports and dictionaries are loaded, then times ``resolve_many`` over the whole mix and
reports its own ``ru_maxrss``. The resolver's caches start empty in every run.

The brute-force baseline is ``rapidfuzz.process.extractOne(query, names, scorer=WRatio,
processor=None)`` over every distinct casefolded name of the gazetteer; the name it
returns stands for its most populous place. It is timed on a subsample of the mix, in
batches (see :func:`measure_brute`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
    if answers:
        out["answers"] = results
        out["laps_ms"] = [round(1000 * lap, 4) for lap in laps]
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
def _is_right(answer: Sequence[str] | frozenset[str] | None, gold: frozenset[str]) -> bool:
    return answer is not None and bool(set(answer) & gold)


def accuracy(
    queries: Sequence[Query], answers: Sequence[Sequence[str] | frozenset[str] | None]
) -> dict[str, Any]:
    """Top-1 accuracy overall, on the unique-name subset, by category and by stratum."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for query, answer in zip(queries, answers, strict=True):
        right = _is_right(answer, query.gold)
        keys = ["all", f"category:{query.category}", f"stratum:{query.stratum}"]
        if query.unique:
            keys += ["unique", f"unique:{query.category}"]
        if answer is None:
            totals["unanswered"][0] += 1
        for key in keys:
            totals[key][0] += right
            totals[key][1] += 1
    out: dict[str, Any] = {
        key: round(right / total, 4) for key, (right, total) in sorted(totals.items()) if total
    }
    out["n"] = totals["all"][1]
    out["n_unique"] = totals["unique"][1]
    out["unanswered"] = round(totals["unanswered"][0] / max(1, len(queries)), 4)
    return out


def measure_resolver(
    db: str, queries: Sequence[Query], repeat: int, workdir: Path
) -> dict[str, Any]:
    """``repeat`` fresh-process runs of ``resolve_many`` over the mix; median q/s, accuracy
    (of the first run) and the largest ``ru_maxrss``."""
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
    out: dict[str, Any] = {
        "queries": len(queries),
        "runs": len(good),
        "qps": round(median(qps) or 0.0, 1),
        "qps_runs": [round(v, 1) for v in qps],
        "peak_rss_mb": round(max(r["maxrss_mb"] for r in good), 1),
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


def measure_brute(table: NameTable, queries: Sequence[Query], repeat: int) -> dict[str, Any]:
    """The rapidfuzz brute force over every name, and its accuracy.

    At a few queries per second, repeating the subsample would dominate the run time, so
    the subsample is answered once, timed in ``repeat`` consecutive batches of equal size;
    the reported q/s is the median batch.
    """
    from rapidfuzz import fuzz, process

    started = time.perf_counter()
    choices = sorted(table.places)
    prepare_s = time.perf_counter() - started
    answers: list[frozenset[str] | None] = []
    qps: list[float] = []
    size = -(-len(queries) // repeat)
    for i in range(0, len(queries), size):
        batch = queries[i : i + size]
        started = time.perf_counter()
        for query in batch:
            best = process.extractOne(
                query.text.casefold(), choices, scorer=fuzz.WRatio, processor=None
            )
            answers.append(table.best[best[0]] if best is not None else None)
        qps.append(len(batch) / (time.perf_counter() - started))
        print(f"  brute force batch {len(qps)}: {qps[-1]:.2f} q/s", file=sys.stderr)
    return {
        "queries": len(queries),
        "names": len(choices),
        "runs": len(qps),
        "qps": round(median(qps) or 0.0, 3),
        "qps_runs": [round(v, 3) for v in qps],
        "prepare_s": round(prepare_s, 2),
        "accuracy": accuracy(queries, answers),
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
