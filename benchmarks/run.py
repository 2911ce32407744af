"""Run every benchmark of toponyms with one command; optionally record the figures.

    python benchmarks/run.py [--db PATH] [--queries 10000] [--quick] [--record]

Measures (see docs/benchmarks.md for what each figure means and its caveats):

* resolve: queries/s of ``Resolver.resolve_many`` on a seeded mix of exact, alternate,
  inflected and misspelled names (``querymix.py``), its top-1 accuracy, and the same for a
  brute-force ``rapidfuzz.process.extractOne`` over every name (on a subsample);
* cold start: a fresh ``python -c`` that imports toponyms and answers one query;
* peak memory: ``ru_maxrss`` of the process that answers the whole mix;
* extract: MB/s of ``Resolver.extract`` on English and on Ukrainian/Russian text, and
  precision/recall/F1 on ``data/extract_dev.jsonl``, against a pyahocorasick exact scan.

``--record`` appends the figures as one JSON line to ``benchmarks/history.jsonl`` and
rewrites ``benchmarks/RESULTS.md`` from the whole history.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import HERE, REPO, connect, default_db, load_name_table

HISTORY = HERE / "history.jsonl"
RESULTS = HERE / "RESULTS.md"

#: name → (figure path in the record, comparison, target, unit)
TARGETS: dict[str, tuple[str, str, float, str]] = {
    "resolve q/s": ("resolve.qps", ">=", 10_000, "q/s"),
    "speed-up over brute force": ("speedup", ">=", 100, "×"),
    "accuracy over brute force": ("accuracy_gain", ">", 0, "points"),
    "cold start (import + first answer)": ("cold_start.kyiv_s", "<=", 1.0, "s"),
    "peak memory, resolving the mix": ("resolve.peak_rss_mb", "<=", 400, "MB"),
    "extract, English": ("extract.toponyms.en.mb_s", ">=", 1.0, "MB/s"),
    "extract, Ukrainian/Russian": ("extract.toponyms.uk_ru.mb_s", ">=", 0.3, "MB/s"),
}


# -- record metadata --------------------------------------------------------------------------
def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    """What the figures were measured on; the load average says how busy it was."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg": [round(v, 2) for v in os.getloadavg()],
    }


def gazetteer_info(db: str) -> dict[str, Any]:
    """Path, size and build identity of the benchmarked gazetteer."""
    conn = connect(db)
    meta = dict(
        conn.execute("SELECT key, value FROM meta WHERE key IN ('build_date', 'content_version')")
    )
    info = {
        "path": db,
        "mb": round(Path(db).stat().st_size / 1e6, 1),
        "places": conn.execute("SELECT count(*) FROM places").fetchone()[0],
        "names": conn.execute("SELECT count(*) FROM names").fetchone()[0],
        **meta,
    }
    conn.close()
    return info


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def check_targets(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with its measured value and whether it is met (None: not measured)."""
    out: dict[str, dict[str, Any]] = {}
    for name, (path, op, target, unit) in TARGETS.items():
        value = _get(record, path)
        met = None
        if isinstance(value, int | float):
            met = {">=": value >= target, "<=": value <= target, ">": value > target}[op]
        out[name] = {"value": value, "target": f"{op} {target:g} {unit}", "met": met}
    return out


# -- the run ------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement; returns the record (without the per-query answers)."""
    import bench_extract
    import bench_resolve
    from querymix import build_mix

    started = time.perf_counter()
    record: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "commit": _git("rev-parse", "--short=12", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--", "toponyms", "gazetteer")),
        "command": "python benchmarks/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "gazetteer": gazetteer_info(args.db),
        "settings": {
            "queries": args.queries,
            "brute_queries": args.brute,
            "repeat": args.repeat,
            "seed": args.seed,
            "extract_mb": args.mb,
            "quick": args.quick,
        },
    }
    log("reading the names table")
    table = load_name_table(args.db)
    queries = build_mix(args.db, args.queries, args.seed, table)
    counts: dict[str, int] = {}
    for q in queries:
        counts[q.category] = counts.get(q.category, 0) + 1
    record["settings"]["mix"] = counts

    with tempfile.TemporaryDirectory(prefix="toponyms-bench-") as tmp:
        log(f"resolve: {len(queries)} queries × {args.repeat} runs")
        resolve = bench_resolve.measure_resolver(args.db, queries, args.repeat, Path(tmp))
    answers = resolve.pop("answers", None)
    resolve.pop("laps_ms", None)
    record["resolve"] = resolve

    sample = queries[: args.brute]
    log(f"brute force: {len(sample)} queries in {args.repeat} batches over all names")
    brute = bench_resolve.measure_brute(table, sample, args.repeat)
    if answers is not None:
        brute["resolver_accuracy"] = bench_resolve.accuracy(sample, answers[: len(sample)])
        gain = brute["resolver_accuracy"]["all"] - brute["accuracy"]["all"]
        record["accuracy_gain"] = round(100 * gain, 2)
    record["brute"] = brute
    if resolve.get("qps") and brute["qps"]:
        record["speedup"] = round(resolve["qps"] / brute["qps"], 1)

    log("cold start")
    record["cold_start"] = bench_resolve.measure_cold_start(args.db, max(3, args.repeat))

    log(f"extract: {args.mb} MB per language group × {args.repeat} runs")
    record["extract"] = {
        "toponyms": bench_extract.measure_toponyms(
            args.db, args.mb, args.seed, args.repeat, budget=args.extract_budget
        ),
        "aho": bench_extract.measure_baseline(table, args.mb, args.seed, args.repeat),
    }
    record["targets"] = check_targets(record)
    record["elapsed_s"] = round(time.perf_counter() - started, 1)
    return record


def log(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


# -- reports ----------------------------------------------------------------------------------
def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return str(value)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def summary(record: dict[str, Any]) -> list[str]:
    """The Markdown report of one record: targets, accuracy tables, extract."""
    lines: list[str] = []
    res = record.get("resolve", {})
    brute = record.get("brute", {})
    ext = record.get("extract", {})
    top = ext.get("toponyms", {})
    aho = ext.get("aho", {})
    lines += _table(
        ["figure", "measured", "target", "met"],
        [
            [name, _fmt(t["value"]), t["target"], {True: "✅", False: "❌", None: "–"}[t["met"]]]
            for name, t in record.get("targets", {}).items()
        ],
    )
    notes = []
    if res.get("error"):
        notes.append(
            f"resolve: {res['error']} ({res.get('mode')}, {res.get('exceptions')} exceptions)"
        )
    if top.get("error"):
        notes.append(f"extract not available: {top['error']}")
    for group in ("en", "uk_ru"):
        if top.get(group, {}).get("partial"):
            notes.append(f"extract {group}: time budget reached, MB/s of the part done")
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    cold = record.get("cold_start", {})
    resolve_runs = ", ".join(_fmt(v) for v in res.get("qps_runs", []))
    brute_runs = ", ".join(_fmt(v, 3) for v in brute.get("qps_runs", []))
    lines += [
        "",
        f"Resolve: {_fmt(res.get('qps'))} q/s (runs: {resolve_runs}); "
        f"brute force {_fmt(brute.get('qps'), 3)} q/s over {_fmt(brute.get('names'))} names "
        f"(runs: {brute_runs}). Cold start {_fmt(cold.get('kyiv_s'))} s (bare interpreter "
        f"{_fmt(cold.get('python_startup_s'), 3)} s; first query inflected "
        f"{_fmt(cold.get('inflected_s'))} s).",
        "",
    ]
    acc = res.get("accuracy", {})
    lat = res.get("latency_ms", {})
    racc = brute.get("resolver_accuracy", {})
    bacc = brute.get("accuracy", {})
    keys = [
        "all",
        "unique",
        *[f"category:{c}" for c in ("exact", "alternate", "inflected", "typo")],
    ]
    keys += sorted(k for k in acc if k.startswith("stratum:"))
    rows = []
    for key in keys:
        rows.append(
            [
                key.split(":")[-1] if key != "unique" else "unique names only",
                _pct(acc.get(key)),
                _pct(acc.get(f"unique:{key.split(':')[-1]}"))
                if key.startswith("category:")
                else "",
                _pct(racc.get(key)),
                _pct(bacc.get(key)),
                _fmt(lat.get(f"mean:{key}"), 3) if key != "unique" else "",
            ]
        )
    lines += _table(
        [
            "top-1 accuracy",
            f"toponyms ({_fmt(acc.get('n'))} q)",
            "toponyms, unique names",
            f"toponyms ({_fmt(bacc.get('n'))}-q subsample)",
            "brute force (same subsample)",
            "toponyms ms/query",
        ],
        rows,
    )
    lines += [
        "",
        f"Unique-name queries: {_fmt(acc.get('n_unique'))} of {_fmt(acc.get('n'))}; "
        f"no answer: {_pct(acc.get('unanswered'))} (toponyms). Latency per query (first run): "
        f"median {_fmt(lat.get('p50'), 3)} ms, p90 {_fmt(lat.get('p90'), 3)} ms, "
        f"p99 {_fmt(lat.get('p99'), 3)} ms, max {_fmt(lat.get('max'), 1)} ms.",
        "",
    ]
    rows = []
    for label, system in (("toponyms extract", top), ("aho-corasick", aho)):
        speeds = [_fmt(system.get(g, {}).get("mb_s"), 3) for g in ("en", "uk_ru")]
        for group in ("all", "en", "uk_ru", "other"):
            a = system.get("accuracy", {}).get(group, {})
            rows.append(
                [
                    label,
                    group,
                    speeds[0] if group == "en" else speeds[1] if group == "uk_ru" else "",
                    _pct(a.get("precision")),
                    _pct(a.get("recall")),
                    _pct(a.get("f1")),
                ]
            )
    cap = aho.get("accuracy_capitalized", {}).get("all", {})
    lines += _table(["extract", "group", "MB/s", "precision", "recall", "F1"], rows)
    lines += [
        "",
        f"Aho-Corasick: {_fmt(aho.get('patterns'))} patterns, "
        f"built in {_fmt(aho.get('build_s'))} s; "
        f"requiring a capital letter: precision {_pct(cap.get('precision'))}, recall "
        f"{_pct(cap.get('recall'))}, F1 {_pct(cap.get('f1'))}.",
    ]
    return lines


def write_results(history: list[dict[str, Any]]) -> None:
    """Rewrite RESULTS.md: the latest record in full, then one line per recorded run."""
    latest = history[-1]
    m = latest["machine"]
    gaz = latest["gazetteer"]
    local = " (+ local changes)" if latest["dirty"] else ""
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py --record` from `benchmarks/history.jsonl`; do not "
        "edit by hand. What the figures mean and their caveats: "
        "[docs/benchmarks.md](../docs/benchmarks.md).",
        "",
        f"## Latest: {latest['date']}, commit {latest['commit']}{local}",
        "",
        f"`{latest['command']}` on {m['platform']}, {m['cpus']} CPUs, Python {m['python']}, "
        f"load average {m['load_avg'][0]} at start; gazetteer {gaz.get('places'):,} places, "
        f"{gaz.get('names'):,} names (content {gaz.get('content_version')}). "
        f"Run time {latest.get('elapsed_s')} s.",
        "",
        *summary(latest),
        "",
        "## History",
        "",
    ]
    rows = []
    for r in reversed(history):
        ext = r.get("extract", {})
        top, aho = ext.get("toponyms", {}), ext.get("aho", {})
        rows.append(
            [
                r["date"][:16].replace("T", " "),
                r["commit"] + ("+" if r["dirty"] else ""),
                f"{r['machine']['cpus']} CPU" + (" quick" if r["settings"].get("quick") else ""),
                _fmt(_get(r, "resolve.qps")),
                _fmt(_get(r, "brute.qps"), 2),
                _fmt(r.get("speedup")),
                _pct(_get(r, "resolve.accuracy.all")),
                _pct(_get(r, "resolve.accuracy.unique")),
                _pct(_get(r, "brute.resolver_accuracy.all"))
                + " / "
                + _pct(_get(r, "brute.accuracy.all")),
                _fmt(_get(r, "cold_start.kyiv_s")),
                _fmt(_get(r, "resolve.peak_rss_mb")),
                _fmt(_get(top, "en.mb_s"), 3) + " / " + _fmt(_get(top, "uk_ru.mb_s"), 3),
                _pct(_get(top, "accuracy.all.f1")) + " / " + _pct(_get(aho, "accuracy.all.f1")),
            ]
        )
    lines += _table(
        [
            "date (UTC)",
            "commit",
            "machine",
            "q/s",
            "brute q/s",
            "×",
            "accuracy",
            "acc. unique",
            "subsample: toponyms / brute",
            "cold s",
            "peak MB",
            "extract MB/s en / uk-ru",
            "extract F1: toponyms / aho",
        ],
        rows,
    )
    lines += ["", "`+` after a commit: the measured code had uncommitted changes.", ""]
    from load_serve import results_section  # the server's load test keeps its own history

    lines += results_section()
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default=None, help="gazetteer (default: $TOPONYMS_DB, else the default one)"
    )
    parser.add_argument("--queries", type=int, default=None, help="size of the query mix (10000)")
    parser.add_argument("--brute", type=int, default=None, help="brute-force subsample (300)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure (median)")
    parser.add_argument("--mb", type=float, default=None, help="extract corpus per group (1.0)")
    parser.add_argument("--extract-budget", type=float, default=None, help="s per extract run")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument(
        "--record", action="store_true", help="append to history.jsonl, rewrite RESULTS.md"
    )
    parser.add_argument("--json", action="store_true", help="print the record as JSON")
    args = parser.parse_args()
    args.db = args.db or default_db()
    quick = args.quick
    args.queries = args.queries or (1000 if quick else 10_000)
    args.brute = args.brute if args.brute is not None else (20 if quick else 300)
    args.mb = args.mb or (0.1 if quick else 1.0)
    args.extract_budget = args.extract_budget or (5.0 if quick else 40.0)
    args.repeat = max(1, args.repeat)
    if not Path(args.db).exists():
        raise SystemExit(
            f"no gazetteer at {args.db}; build one with "
            f"`python cli.py gazetteer build --out {args.db}` or pass --db"
        )
    record = run(args)
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=1))
    else:
        print("\n".join(summary(record)))
    if args.record and not record["resolve"].get("qps"):
        print("\nnot recorded: the resolve benchmark failed (see above)", file=sys.stderr)
    elif args.record:
        with HISTORY.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        history = [
            json.loads(line)
            for line in HISTORY.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        write_results(history)
        print(
            f"\nrecorded in {HISTORY.relative_to(REPO)}, {RESULTS.relative_to(REPO)} rewritten",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
