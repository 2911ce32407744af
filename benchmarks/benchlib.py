"""Shared helpers of the benchmark scripts: paths, judging a match, child processes, stats.

The benchmark scripts live in ``benchmarks/`` (not a package); they import this module by
name, which works because Python puts the script's folder first on ``sys.path``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def default_db() -> str:
    """The gazetteer benchmarked when no ``--db`` is given: ``TOPONYMS_DB``, else the
    default gazetteer (the packaged file, or the one built once into the cache)."""
    from gazetteer import store

    return os.environ.get("TOPONYMS_DB") or str(store.default_path())


def child_env(db: str | None) -> dict[str, str]:
    """The environment of a child process: the repository on ``PYTHONPATH``, the gazetteer
    in ``TOPONYMS_DB`` (so that a bare ``Resolver()`` opens the benchmarked file)."""
    env = dict(os.environ)
    paths = [str(REPO), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    if db:
        env["TOPONYMS_DB"] = str(db)
    return env


def run_child(args: Sequence[str], db: str | None, timeout: float) -> dict[str, Any]:
    """Run ``python <args>`` in a fresh interpreter; its last stdout line is a JSON object.

    A crash or a timeout comes back as ``{"error": ...}`` rather than an exception, so that
    one failing part of the benchmark does not hide the others.
    """
    try:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=REPO,
            env=child_env(db),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"}
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"error": f"unreadable output: {lines[-1][:200]}"}
    return result


def timed_command(args: Sequence[str], db: str | None, timeout: float = 60.0) -> float | None:
    """Wall-clock seconds of ``python <args>`` in a fresh interpreter; None when it fails."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=REPO,
            env=child_env(db),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    elapsed = time.perf_counter() - started
    return elapsed if done.returncode == 0 else None


def median(values: Iterable[float]) -> float | None:
    """The median, or None for no values."""
    items = [v for v in values if v is not None]
    return statistics.median(items) if items else None


def place_ids(place_id: str, katottg: str | None, geonames_id: int | None) -> frozenset[str]:
    """Every id that names the same place: its own id, ``katottg:…`` and ``geonames:…``."""
    ids = {place_id}
    if katottg:
        ids.add(f"katottg:{katottg}")
    if geonames_id:
        ids.add(f"geonames:{geonames_id}")
    return frozenset(ids)


def match_ids(match: Any) -> list[str]:
    """The ids of a :class:`toponyms.models.Match`'s place (see :func:`place_ids`)."""
    place = match.place
    return sorted(place_ids(place.id, place.katottg, place.geonames_id))


def connect(db: str) -> sqlite3.Connection:
    """A read-only connection to the gazetteer."""
    if not Path(db).exists():
        raise SystemExit(
            f"no gazetteer at {db} (build one: python cli.py gazetteer build --out {db})"
        )
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


#: A rough size prior for places without a population, used only by the baselines to
#: choose among namesakes (the resolver has its own, in ``toponyms.match``).
BASELINE_KIND_PRIOR = {
    "country": 1e8,
    "oblast": 1e6,
    "raion": 5e4,
    "city": 1e4,
    "hromada": 5e3,
    "settlement": 1e3,
    "city_district": 1e3,
    "place": 500.0,
    "village": 300.0,
}


@dataclass(slots=True)
class NameTable:
    """Every name of the gazetteer, casefolded, with the places it names.

    ``places[name]`` lists place ids; ``best[name]`` is the ids (:func:`place_ids`) of the
    most populous of them, the answer a baseline without context gives.
    """

    places: dict[str, set[str]]
    best: dict[str, frozenset[str]]
    place_info: dict[str, tuple[frozenset[str], float, str, str]]  # ids, prior, kind, country

    def is_unique(self, name: str) -> bool:
        """Whether exactly one place carries this name (casefolded)."""
        return len(self.places.get(name.casefold(), ())) == 1


def load_name_table(db: str) -> NameTable:
    """Read the names and places tables of the gazetteer into a :class:`NameTable`."""
    conn = connect(db)
    place_info: dict[str, tuple[frozenset[str], float, str, str]] = {}
    for pid, kind, country, population, katottg, geonames_id in conn.execute(
        "SELECT id, kind, country, population, katottg, geonames_id FROM places"
        " WHERE status = 'active'"
    ):
        prior = float(population) if population else BASELINE_KIND_PRIOR.get(kind, 300.0)
        place_info[pid] = (place_ids(pid, katottg, geonames_id), prior, kind, country)
    places: dict[str, set[str]] = {}
    for name, pid in conn.execute("SELECT name, place_id FROM names"):
        if pid in place_info:
            places.setdefault(name.casefold(), set()).add(pid)
    conn.close()
    best = {
        name: place_info[max(pids, key=lambda p: (place_info[p][1], p))][0]
        for name, pids in places.items()
    }
    return NameTable(places=places, best=best, place_info=place_info)
