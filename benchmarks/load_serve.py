"""Load test of ``toponyms serve``: concurrent clients posting reconciliation batches on loopback.

    python benchmarks/load_serve.py [--clients 50] [--batches 5] [--size 10] [--max-seconds 120]
                                    [--db PATH] [--record]

Starts the real server (``python -m toponyms serve --port 0``) in a child process on
127.0.0.1, warms it with one batch, then runs ``--clients`` concurrent clients, each with its
own connection, each posting ``--batches`` batches of ``--size`` queries as OpenRefine does
(a form field ``queries``). Every query of the run is distinct (so the resolver's answer
cache never helps), drawn from the benchmark's query mix (``--source mix``, as
``run.py`` measures) or the development set (``--source dev``); ``--passes 2`` sends the
same batches again, as when a column is reconciled a second time. The run is bounded in
count and in time (``--max-seconds``), and stops the server at the end. Reports the latency
of a batch (p50, p90, p99, max), throughput, errors (any status but 200, a transport error,
or an answer whose keys or shape are not the batch's) and the server's peak memory. The
clients share the machine's cores with the server, so the figures are an upper bound of
latency.

``--record`` appends the record to ``benchmarks/history_serve.jsonl`` and rewrites
``benchmarks/RESULTS.md`` (whose "Reconciliation server" section lists that history).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import DATA, HERE, REPO, child_env, default_db

HISTORY = HERE / "history_serve.jsonl"
TARGET_P99_MS = 200.0


def distinct_queries(source: str, db: str, seed: int) -> list[str]:
    """Distinct queries, in order: the benchmark's query mix (``querymix.py``: exact,
    alternate, inflected and misspelled names of places sampled by stratum) or the
    development set (``data/resolve_dev.tsv``, harder: more typos and qualifiers)."""
    if source == "dev":
        with (DATA / "resolve_dev.tsv").open(encoding="utf-8") as handle:
            rows = csv.DictReader(handle, delimiter="\t")
            return list(dict.fromkeys(row["query"] for row in rows if row["query"].strip()))
    from querymix import build_mix

    return list(dict.fromkeys(q.text for q in build_mix(db, 10_000, seed) if q.text.strip()))


def start_server(db: str) -> tuple[subprocess.Popen[str], str, float]:
    """The server process, its URL, and the seconds until it listened."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toponyms",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--db",
            db,
        ],
        cwd=REPO,
        env=child_env(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if " at http://" in line:
            url = line.split(" at ")[1].split(" ")[0]
            return process, url, time.perf_counter() - started
    process.wait(timeout=10)
    raise SystemExit(f"the server did not start (exit {process.returncode})")


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time the process has used (Linux ``/proc/PID/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (Linux ``VmHWM``), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def client_run(
    session: Any, url: str, batches: list[dict[str, Any]], deadline: float, latencies: list[float]
) -> list[str]:
    """One client: its batches in turn over its connection; the errors it met."""
    import aiohttp

    errors: list[str] = []
    for batch in batches:
        if time.monotonic() > deadline:
            errors.append("not sent: the run's time was up")
            continue
        started = time.perf_counter()
        try:
            async with session.post(url, data={"queries": json.dumps(batch)}) as response:
                status, text = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            errors.append(f"{type(error).__name__}: {error}")
            continue
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors.append(f"HTTP {status}: {text[:200]}")
            continue
        answer = json.loads(text)
        if set(answer) != set(batch) or not all(
            isinstance(a.get("result"), list) for a in answer.values()
        ):
            errors.append("an answer that is not the batch's result batch")
    return errors


async def load(url: str, plan: list[list[dict[str, Any]]], max_seconds: float) -> dict[str, Any]:
    """Every client's batches at once, each client an aiohttp session of one connection
    (aiohttp rather than httpx: the load generator shares the cores with the server, and
    httpx spent about three times the server's CPU). The sessions are made and connected
    (one manifest request each) before the clock starts."""
    import aiohttp

    latencies: list[float] = []
    timeout = aiohttp.ClientTimeout(total=30)
    sessions = [
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), timeout=timeout)
        for _ in plan
    ]
    try:

        async def connect(session: Any) -> None:
            async with session.get(url) as response:
                await response.read()

        await asyncio.gather(*(connect(s) for s in sessions))
        deadline = time.monotonic() + max_seconds
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                client_run(s, url, b, deadline, latencies)
                for s, b in zip(sessions, plan, strict=True)
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    errors = [e for r in results for e in r]
    latencies.sort()

    def pct(q: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

    queries = sum(len(batch) for batches in plan for batch in batches)
    return {
        "batches_answered": len(latencies),
        "queries": queries,
        "elapsed_s": round(elapsed, 2),
        "batches_per_s": round(len(latencies) / elapsed, 1),
        "queries_per_s": round(queries / elapsed, 1),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "errors": len(errors),
        "first_errors": errors[:5],
    }


def suggest_latency(url: str, names: list[str]) -> dict[str, Any]:
    """Entity suggest, one request at a time over one connection, for the first 1 to 6
    letters of each name: p50 and p99 in ms by prefix length (the FTS5 index's cost grows
    with the number of names a short prefix starts)."""
    import httpx

    words = [n for n in names if len(n) >= 6][:100]
    by_length: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/suggest/entity", params={"prefix": "warm"})
        for length in range(1, 7):
            took = []
            for word in words:
                started = time.perf_counter()
                client.get("/suggest/entity", params={"prefix": word[:length]}).raise_for_status()
                took.append(time.perf_counter() - started)
            took.sort()
            by_length[str(length)] = {
                "p50_ms": round(took[len(took) // 2] * 1000, 1),
                "p99_ms": round(took[min(len(took) - 1, int(0.99 * len(took)))] * 1000, 1),
            }
    return by_length


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=None, help="gazetteer (default: the default one)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--batches", type=int, default=5, help="batches per client (5)")
    parser.add_argument("--size", type=int, default=10, help="queries per batch (10)")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="bound of the run")
    parser.add_argument("--source", choices=["mix", "dev"], default="mix", help="queries (mix)")
    parser.add_argument("--passes", type=int, default=1, help="times the batches are sent (1)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the query mix")
    parser.add_argument("--record", action="store_true", help="append to history_serve.jsonl")
    args = parser.parse_args()
    db = args.db or default_db()
    names = distinct_queries(args.source, db, args.seed)
    # One batch through every path of the resolver (exact, case form, another spelling,
    # a typo, a qualifier), so that the run measures a server that has loaded what it
    # loads lazily; these names are left out of the measured queries.
    warming = ["Київ", "Херсоні", "Kharkov", "Oleschky", "Bakhmutt", "Миколаївка (Донецька)"]
    warm = {f"w{i}": {"query": n} for i, n in enumerate(warming)}
    names = [n for n in names if n not in warming]
    needed = args.clients * args.batches * args.size
    repeats = needed > len(names)
    pool = [names[i % len(names)] for i in range(needed)]
    plan: list[list[dict[str, Any]]] = []
    for c in range(args.clients):
        batches = []
        for b in range(args.batches):
            start = ((c * args.batches) + b) * args.size
            batches.append({f"q{i}": {"query": pool[start + i]} for i in range(args.size)})
        plan.append(batches)

    process, url, listen_s = start_server(db)
    try:
        import httpx

        started = time.perf_counter()
        httpx.post(url, data={"queries": json.dumps(warm)}, timeout=60).raise_for_status()
        warm_s = time.perf_counter() - started
        passes = []
        for _ in range(args.passes):
            server_cpu, client_cpu = cpu_seconds(process.pid), time.process_time()
            figures = asyncio.run(load(url, plan, args.max_seconds))
            after = cpu_seconds(process.pid)
            if server_cpu is not None and after is not None:
                figures["server_cpu_s"] = round(after - server_cpu, 2)
            figures["client_cpu_s"] = round(time.process_time() - client_cpu, 2)
            passes.append(figures)
        figures = passes[0]
        if len(passes) > 1:
            figures["again"] = passes[1:]
        suggest = suggest_latency(url, names)
        rss = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    import subprocess as sp

    commit = sp.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = bool(
        sp.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    record = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": commit,
        "dirty": dirty,
        "command": "python benchmarks/load_serve.py " + " ".join(sys.argv[1:]),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "clients": args.clients,
            "batches": args.batches,
            "size": args.size,
            "max_seconds": args.max_seconds,
            "distinct_queries": not repeats,
            "source": args.source,
            "passes": args.passes,
        },
        "listen_s": round(listen_s, 2),
        "warm_batch_s": round(warm_s, 3),
        "server_peak_rss_mb": round(rss, 1) if rss else None,
        **figures,
        "target_p99_ms": TARGET_P99_MS,
        "suggest": suggest,
    }
    print(json.dumps(record, ensure_ascii=False, indent=1))
    met = not record["errors"] and (record["p99_ms"] or 1e9) < TARGET_P99_MS
    print(
        f"\n{record['batches_answered']} batches of {args.size} from {args.clients} clients in "
        f"{record['elapsed_s']} s: p50 {record['p50_ms']} ms, p99 {record['p99_ms']} ms, "
        f"{record['errors']} errors; target (no errors, p99 < {TARGET_P99_MS:.0f} ms) "
        + ("met" if met else "NOT met"),
        file=sys.stderr,
    )
    if args.record:
        with HISTORY.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        import run

        history = [
            json.loads(line)
            for line in run.HISTORY.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        run.write_results(history)
        print(f"recorded in {HISTORY.relative_to(REPO)}; RESULTS.md rewritten", file=sys.stderr)


def results_section() -> list[str]:
    """The lines of RESULTS.md's section on the server, from ``history_serve.jsonl``."""
    if not HISTORY.exists():
        return []
    records = [json.loads(x) for x in HISTORY.read_text("utf-8").splitlines() if x.strip()]
    lines = [
        "## Reconciliation server (`toponyms serve`) under load",
        "",
        "Written by `python benchmarks/load_serve.py --record` from "
        "`benchmarks/history_serve.jsonl`: concurrent clients on loopback, each posting batches "
        "of distinct queries as OpenRefine does; latency of one batch, clients and server on "
        f"the same machine. Target: no errors, p99 under {TARGET_P99_MS:.0f} ms.",
        "",
        "| date (UTC) | commit | machine | clients × batches × size, queries | p50 ms | p90 ms "
        "| p99 ms | max ms | batches/s | queries/s | errors | server peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reversed(records):
        s = r["settings"]
        for n, figures in enumerate([r, *r.get("again", [])]):
            what = f"{s['clients']} × {s['batches']} × {s['size']} {s.get('source', 'dev')}"
            what += ", again (answers cached)" if n else ", distinct"
            lines.append(
                f"| {r['date'][:16].replace('T', ' ')} | {r['commit']}{'+' if r['dirty'] else ''}"
                f" | {r['machine']['cpus']} CPU, load {r['machine']['load_avg'][0]} | {what}"
                f" | {figures['p50_ms']} | {figures['p90_ms']} | {figures['p99_ms']}"
                f" | {figures['max_ms']} | {figures['batches_per_s']} | {figures['queries_per_s']}"
                f" | {figures['errors']} | {r['server_peak_rss_mb']} |"
            )
    latest = records[-1].get("suggest")
    if latest:
        lines += [
            "",
            "Entity suggest (latest run), one request at a time, ms by prefix length "
            "(p50 / p99): "
            + ", ".join(f"{n}: {v['p50_ms']} / {v['p99_ms']}" for n, v in latest.items())
            + ".",
        ]
    return ["", *lines, ""]


if __name__ == "__main__":
    main()
