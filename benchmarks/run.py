"""Run every benchmark of toponyms with one command; optionally record the figures.

    python benchmarks/run.py [--db PATH] [--queries 10000] [--quick] [--record]

Measures (see docs/benchmarks.md for what each figure means and its caveats):

* resolve: queries/s of ``Resolver.resolve_many`` on a seeded mix of distinct queries
  (generated exact, alternate, romanised, inflected, uk↔ru and misspelled names, and the
  real strings of ``data/resolve_real.tsv``; ``querymix.py``), median of fresh processes,
  its top-1 accuracy on the test split, and the same for the brute force of
  ``bench_resolve.BruteForce`` (folded names, ``fuzz.ratio``) on a subsample spread over
  the categories, with the speed ratio on that same subsample;
* cold start: a fresh ``python -c`` that imports toponyms and answers one query;
* peak memory: ``ru_maxrss`` of the processes that answer the whole mix (median);
* extract: MB/s of ``Resolver.extract`` on distinct English and Ukrainian/Russian
  documents, start-up apart, and precision/recall/F1 on ``data/extract_dev.jsonl``,
  against a pyahocorasick exact scan of the same documents.

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
from querymix import CATEGORIES

HISTORY = HERE / "history.jsonl"
RESULTS = HERE / "RESULTS.md"

#: name → (figure path in the record, comparison, target, unit)
TARGETS: dict[str, tuple[str, str, float, str]] = {
    "resolve q/s": ("resolve.qps", ">=", 10_000, "q/s"),
    "speed-up over brute force": ("speedup", ">=", 100, "×"),
    "accuracy over brute force": ("accuracy_gain", ">", 0, "points"),
    "cold start (import + first answer)": ("cold_start.kyiv_s", "<=", 0.5, "s"),
    "peak memory, resolving the mix": ("resolve.peak_rss_mb", "<=", 400, "MB"),
    "extract, English": ("extract.toponyms.en.mb_s", ">=", 1.0, "MB/s"),
    "extract, Ukrainian/Russian": ("extract.toponyms.uk_ru.mb_s", ">=", 0.5, "MB/s"),
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
        "method": "v2",
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
    positions = bench_resolve.subsample_positions(queries, args.brute, args.seed)

    with tempfile.TemporaryDirectory(prefix="toponyms-bench-") as tmp:
        log(f"resolve: {len(queries)} distinct queries × {args.repeat} fresh processes")
        resolve = bench_resolve.measure_resolver(
            args.db, queries, args.repeat, Path(tmp), positions
        )
    answers = resolve.pop("answers", None)
    resolve.pop("laps_ms", None)
    record["resolve"] = resolve

    sample = [queries[i] for i in positions]
    log(f"brute force: {len(sample)} queries in {args.repeat} parts over all names")
    brute = bench_resolve.measure_brute(table, sample, args.repeat)
    if answers is not None:
        brute["resolver_accuracy"] = bench_resolve.accuracy(sample, [answers[i] for i in positions])
        best_brute = max(
            brute["accuracy"]["test"].get("all", 0.0),
            brute["accuracy_cutoff"]["test"].get("all", 0.0),
        )
        gain = brute["resolver_accuracy"]["test"].get("all", 0.0) - best_brute
        record["accuracy_gain"] = round(100 * gain, 2)
    record["brute"] = brute
    if resolve.get("subsample_qps") and brute["qps"]:
        record["speedup"] = round(resolve["subsample_qps"] / brute["qps"], 1)
    if resolve.get("qps") and brute["qps"]:
        record["speedup_mix"] = round(resolve["qps"] / brute["qps"], 1)

    log("cold start")
    record["cold_start"] = bench_resolve.measure_cold_start(args.db, max(3, args.repeat))

    log(f"extract: {args.mb} MB per language group × {args.repeat} runs")
    record["extract"] = {
        "toponyms": bench_extract.measure_toponyms(
            args.db, args.mb, args.seed, args.repeat, budget=args.extract_budget
        ),
        "aho": bench_extract.measure_baseline(table, args.mb, args.seed, args.repeat, args.db),
    }
    record["targets"] = check_targets(record)
    record["elapsed_s"] = round(time.perf_counter() - started, 1)
    record["machine"]["load_avg_end"] = [round(v, 2) for v in os.getloadavg()]
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
    sub_runs = ", ".join(_fmt(v) for v in res.get("subsample_qps_runs", []))
    brute_runs = ", ".join(_fmt(v, 2) for v in brute.get("qps_runs", []))
    lines += [
        "",
        f"Resolve: {_fmt(res.get('qps'))} q/s over {_fmt(res.get('queries'))} distinct queries "
        f"(runs: {resolve_runs}); {_fmt(res.get('subsample_qps'))} q/s on the "
        f"{_fmt(brute.get('queries'))}-query subsample (runs: {sub_runs}). Brute force "
        f"{_fmt(brute.get('qps'), 2)} q/s over {_fmt(brute.get('names'))} folded names (parts: "
        f"{brute_runs}; preparing the names {_fmt(brute.get('prepare_s'))} s): "
        f"**{_fmt(record.get('speedup'))}×** on the same subsample "
        f"({_fmt(record.get('speedup_mix'))}× against the whole-mix q/s). Cold start "
        f"{_fmt(cold.get('kyiv_s'))} s (bare interpreter "
        f"{_fmt(cold.get('python_startup_s'), 3)} s; "
        f"first query inflected {_fmt(cold.get('inflected_s'))} s). Peak memory "
        f"{_fmt(res.get('peak_rss_mb'))} MB (median of the runs; largest "
        f"{_fmt(res.get('peak_rss_mb_max'))} MB).",
        "",
    ]
    acc = res.get("accuracy", {}).get("test", {})
    lat = res.get("latency_ms", {})
    racc = brute.get("resolver_accuracy", {}).get("test", {})
    bacc = brute.get("accuracy", {}).get("test", {})
    cacc = brute.get("accuracy_cutoff", {}).get("test", {})
    counts = acc.get("counts", {})
    sub_counts = racc.get("counts", {})
    keys = ["all", "unique", *[f"category:{c}" for c in CATEGORIES]]
    keys += sorted(k for k in acc if k.startswith("real:"))
    keys += sorted(k for k in acc if k.startswith("stratum:"))
    rows = []
    for key in keys:
        label = key.split(":")[-1] if key != "unique" else "unique names only"
        if key.startswith("real:"):
            label = f"real: {label}"
        rows.append(
            [
                label,
                f"{_pct(acc.get(key))} ({_fmt(counts.get(key))})",
                f"{_pct(racc.get(key))} ({_fmt(sub_counts.get(key))})",
                _pct(bacc.get(key)),
                _pct(cacc.get(key)),
                _fmt(lat.get(f"mean:{key.replace('real:', 'stratum:')}"), 3)
                if key != "unique"
                else "",
            ]
        )
    lines += _table(
        [
            "top-1 accuracy, test split",
            "toponyms, whole mix (n)",
            "toponyms, subsample (n)",
            "brute force, subsample",
            f"brute force with cutoff {_fmt(brute.get('cutoff'))}, subsample",
            "toponyms ms/query",
        ],
        rows,
    )
    lines += [
        "",
        f"Test split: {_fmt(acc.get('n'))} queries with a gold answer or none expected, "
        f"{_fmt(acc.get('n_unique'))} of them from names of one place only; no answer: "
        f"{_pct(acc.get('unanswered'))} (toponyms). Real strings whose place the gazetteer "
        f"lacks (`missing`, in no accuracy): {_fmt(acc.get('missing'))}, unanswered by "
        f"toponyms {_pct(acc.get('missing_unanswered'))}, by the brute force with cutoff "
        f"{_pct(cacc.get('missing_unanswered'))}. Latency per query (first run): median "
        f"{_fmt(lat.get('p50'), 3)} ms, p90 {_fmt(lat.get('p90'), 3)} ms, "
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
        f"Extract corpus: {_fmt(top.get('en', {}).get('mb'), 2)} MB English and "
        f"{_fmt(top.get('uk_ru', {}).get('mb'), 2)} MB Ukrainian/Russian of distinct documents "
        f"(no sentence repeated); start-up apart: {_fmt(top.get('en', {}).get('startup_s'))} s / "
        f"{_fmt(top.get('uk_ru', {}).get('startup_s'))} s. Aho-Corasick: "
        f"{_fmt(aho.get('patterns'))} patterns, built in {_fmt(aho.get('build_s'))} s; "
        f"toponyms is {_ratio(top, aho, 'en')} / {_ratio(top, aho, 'uk_ru')} of its speed "
        f"(en / uk-ru). Requiring a capital letter: precision {_pct(cap.get('precision'))}, "
        f"recall {_pct(cap.get('recall'))}, F1 {_pct(cap.get('f1'))}.",
    ]
    return lines


def _ratio(top: dict[str, Any], aho: dict[str, Any], group: str) -> str:
    mine, theirs = top.get(group, {}).get("mb_s"), aho.get(group, {}).get("mb_s")
    return f"{mine / theirs:.2f}×" if mine and theirs else "–"


def _acc(record: dict[str, Any], path: str) -> Any:
    """An accuracy figure of the test split (records before it: the whole mix)."""
    head, _, tail = path.rpartition(".")
    value = _get(record, f"{head}.test.{tail}")
    return value if value is not None else _get(record, path)


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
        f"load average {m['load_avg'][0]} at start"
        + (f", {m['load_avg_end'][0]} at the end" if m.get("load_avg_end") else "")
        + f"; gazetteer {gaz.get('places'):,} places, "
        f"{gaz.get('names'):,} names (content {gaz.get('content_version')}). "
        f"Run time {latest.get('elapsed_s')} s."
        + (f" Code measured: {latest['code']}." if latest.get("code") else ""),
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
                "v2" if r.get("method") == "v2" else "v1",
                _pct(_acc(r, "resolve.accuracy.all")),
                _pct(_acc(r, "resolve.accuracy.unique")),
                _pct(_acc(r, "brute.resolver_accuracy.all"))
                + " / "
                + _pct(_acc(r, "brute.accuracy.all")),
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
            "method",
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
    lines += [
        "",
        "`+` after a commit: the measured code had uncommitted changes. Method `v1` (before "
        "2026-12-07): the mix repeated queries (a place's exact and typo queries shared a "
        "source, caches hit), the brute force was `extractOne` with `WRatio` on casefolded "
        "names and accuracy was over the whole mix: its × figures are not comparable with "
        "`v2` (distinct queries, `fuzz.ratio` over folded names with an exact lookup first, "
        "same subsample, test split). See docs/benchmarks.md.",
        "",
    ]
    from load_serve import results_section  # the server's load test keeps its own history

    lines += results_section()
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default=None, help="gazetteer (default: $TOPONYMS_DB, else the default one)"
    )
    parser.add_argument("--queries", type=int, default=None, help="size of the query mix (10000)")
    parser.add_argument(
        "--brute",
        type=int,
        default=None,
        help="generated queries in the brute-force subsample (720)",
    )
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
    args.brute = args.brute if args.brute is not None else (60 if quick else 720)
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
