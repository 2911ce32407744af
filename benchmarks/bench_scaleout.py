"""Scale-out benchmark: names per second through ``toponyms.dask`` on 1 and 2 workers.

    python benchmarks/bench_scaleout.py [--db PATH] [--names 5000] [--partitions 8] [--repeat 3]

The names are distinct (official Ukrainian and Russian names of Ukrainian settlements,
drawn with a fixed seed), so that no cache of the resolver answers a name twice: the
figure is the resolver's own work, spread over processes. Each measurement:

1. starts a ``distributed.LocalCluster`` of N worker processes, one thread each;
2. warms every worker up (its resolver opens the gazetteer and answers a warm-up set of
   other distinct names, so that snapshots and dictionaries are loaded: a long job pays
   that once per worker, a benchmark should not count it);
3. times ``resolve_dataframe(...).compute()`` over the names, ``--repeat`` times, each
   time on a new set of names (no worker has answered them); the best time is kept.

A one-process run of ``toponyms.pandas.resolve_series`` over the same names is the
baseline (no Dask at all). The last stdout line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from typing import Any

import benchlib


def distinct_names(db: str, n: int, seed: int) -> list[str]:
    """``n`` distinct names of Ukrainian settlements, in a seeded random order."""
    conn = benchlib.connect(db)
    try:
        rows = conn.execute(
            "SELECT DISTINCT n.name FROM names n JOIN places p ON p.id = n.place_id"
            " WHERE p.country = 'UA' AND n.lang IN ('uk', 'ru') AND n.type = 'official'"
            " AND p.kind IN ('city', 'urban_settlement', 'settlement', 'village')"
            " ORDER BY n.name"
        ).fetchall()
    finally:
        conn.close()
    names = [r[0] for r in rows]
    if len(names) < n:
        raise SystemExit(f"the gazetteer has only {len(names)} distinct names, not {n}")
    return random.Random(seed).sample(names, n)


def _warm(db: str, names: list[str]) -> int:
    """Open this worker's resolver and answer ``names`` (run on every worker)."""
    from toponyms.reconcile import shared_resolver

    resolver = shared_resolver(db)
    for _ in resolver.resolve_many(names, limit=3):
        pass
    return os.getpid()


def _cpu() -> float:
    """CPU seconds this process has used (run on every worker)."""
    return time.process_time()


def _figures(
    workers: int, seconds: list[float], cpu: list[float], n: int, matched: int
) -> dict[str, Any]:
    best = min(seconds)
    return {
        "workers": workers,
        "seconds": [round(x, 2) for x in seconds],
        "best_s": round(best, 2),
        "names_per_s": round(n / best),
        # CPU seconds the resolving processes spent, summed: flat from 1 to 2 workers
        # means no work is added by spreading it; the wall time then only waits for cores.
        "names_per_cpu_s": round(n / min(cpu)) if min(cpu) > 0 else None,
        "matched": matched,
    }


def one_process(db: str, sets: list[list[str]], warm: list[str]) -> dict[str, Any]:
    import pandas as pd

    from toponyms.pandas import resolve_series
    from toponyms.reconcile import shared_resolver

    _warm(db, warm)
    seconds, cpu = [], []
    for names in sets:
        started, used = time.perf_counter(), _cpu()
        found = resolve_series(pd.Series(names), resolver=shared_resolver(db))
        seconds.append(time.perf_counter() - started)
        cpu.append(_cpu() - used)
    matched = int((found["status"] != "no match").sum())
    return _figures(0, seconds, cpu, len(sets[0]), matched)


def on_cluster(
    db: str, sets: list[list[str]], warm: list[str], workers: int, partitions: int
) -> dict[str, Any]:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    from toponyms.dask import resolve_dataframe

    seconds, cpu = [], []
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        client.run(_warm, db, warm)
        for names in sets:  # a new set each time: no worker has answered these names
            frame = dd.from_pandas(pd.DataFrame({"name": names}), npartitions=partitions)
            before = client.run(_cpu)
            started = time.perf_counter()
            found = resolve_dataframe(frame, "name", db=db).compute()
            seconds.append(time.perf_counter() - started)
            after = client.run(_cpu)
            cpu.append(sum(after[w] - before[w] for w in after))
    matched = int((found["status"] != "no match").sum())
    return _figures(workers, seconds, cpu, len(sets[0]), matched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="Gazetteer (default: the default one).")
    parser.add_argument("--names", type=int, default=5000, help="Distinct names per run.")
    parser.add_argument("--warm", type=int, default=500, help="Warm-up names per worker.")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--repeat", type=int, default=3, help="Runs per setting, each on new names; best kept."
    )
    args = parser.parse_args()
    db = args.db or benchlib.default_db()
    n = args.names
    pool = distinct_names(db, n * args.repeat + args.warm, args.seed)
    sets = [pool[i * n : (i + 1) * n] for i in range(args.repeat)]
    warm = pool[n * args.repeat :]
    runs = [one_process(db, sets, warm)]
    for workers in (1, 2):
        runs.append(on_cluster(db, sets, warm, workers, args.partitions))
    base = runs[1]["names_per_s"]
    for run in runs:
        label = "no Dask, one process" if run["workers"] == 0 else f"{run['workers']} worker(s)"
        speedup = run["names_per_s"] / base if base else 0.0
        print(
            f"{label:<22} {run['best_s']:>7.2f} s  {run['names_per_s']:>6,} names/s"
            f"  x{speedup:.2f} of 1 worker  {run['names_per_cpu_s']:>6,} names/CPU-s"
            f"  ({run['matched']:,} matched)"
        )
    load = os.getloadavg()
    print(
        json.dumps(
            {
                "names": args.names,
                "partitions": args.partitions,
                "cpus": os.cpu_count(),
                "load_avg_1m": round(load[0], 2),
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
