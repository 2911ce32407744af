"""Turn results into the output formats every command shares: table, json, jsonl, csv,
geojson (and, for extraction, tagged text).

Renderers take an iterator of plain dicts (the JSON objects of the command-line contract)
and write as they go, so a stream of a million results never sits in memory, except for
``json`` and ``geojson``, which are written as one array but still item by item.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

FORMATS = ("table", "json", "jsonl", "csv", "geojson")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def write_jsonl(items: Iterable[dict[str, Any]], out: TextIO) -> None:
    for item in items:
        out.write(_dumps(item) + "\n")
        out.flush() if out.isatty() else None


def write_json(items: Iterable[dict[str, Any]], out: TextIO) -> None:
    out.write("[")
    for i, item in enumerate(items):
        out.write(("," if i else "") + "\n  " + _dumps(item))
    out.write("\n]\n")


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, columns: list[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


def write_table(
    rows: Iterable[dict[str, Any]], out: TextIO, columns: list[tuple[str, int]]
) -> None:
    """Fixed-width columns, written row by row (no need to see every row first)."""
    out.write("  ".join(name.ljust(width) for name, width in columns).rstrip() + "\n")
    for row in rows:
        cells = []
        for name, width in columns:
            value = row.get(name)
            text = (
                ""
                if value is None
                else (f"{value:.3f}" if isinstance(value, float) else str(value))
            )
            if len(text) > width:
                text = text[: width - 1] + "…"
            cells.append(text.ljust(width))
        out.write("  ".join(cells).rstrip() + "\n")


def write_geojson(features: Iterable[dict[str, Any]], out: TextIO) -> None:
    out.write('{"type": "FeatureCollection", "features": [')
    for i, feature in enumerate(features):
        out.write(("," if i else "") + "\n  " + _dumps(feature))
    out.write("\n]}\n")


def feature(lat: float | None, lon: float | None, properties: dict[str, Any]) -> dict[str, Any]:
    geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


# -- resolve --------------------------------------------------------------------------------
RESOLVE_TABLE = [
    ("query", 24),
    ("name", 22),
    ("kind", 16),
    ("admin1", 20),
    ("country", 7),
    ("lat", 8),
    ("lon", 8),
    ("score", 6),
    ("match_type", 10),
    ("matched_name", 22),
    ("id", 26),
]
RESOLVE_CSV = [
    "query",
    "rank",
    "id",
    "name",
    "name_uk",
    "name_ru",
    "name_en",
    "kind",
    "country",
    "admin1",
    "lat",
    "lon",
    "geonames_id",
    "katottg",
    "score",
    "match_type",
    "matched_name",
    "rule",
    "ambiguous",
    "error",
]


def _resolve_rows(
    results: Iterable[dict[str, Any]], *, best_only: bool
) -> Iterable[dict[str, Any]]:
    """One flat row per match (or one per query with ``best_only``); no-match rows too."""
    for result in results:
        matches = result.get("matches") or []
        if result.get("error") or not matches:
            yield {
                "query": result["query"],
                "error": result.get("error"),
                "name": "—" if not result.get("error") else None,
            }
            continue
        for rank, match in enumerate(matches[:1] if best_only else matches, start=1):
            yield {
                "query": result["query"],
                "rank": rank,
                "ambiguous": result.get("ambiguous"),
                **match,
            }


def _resolve_features(results: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for result in results:
        matches = result.get("matches") or []
        if matches:
            best = matches[0]
            yield feature(
                best["lat"],
                best["lon"],
                {"query": result["query"], "ambiguous": result.get("ambiguous"), **best},
            )


def render_resolutions(
    results: Iterable[dict[str, Any]], fmt: str, out: TextIO = sys.stdout
) -> None:
    """Write resolve results (``{"query", "matches", "ambiguous"}`` objects) in ``fmt``."""
    writers: dict[str, Callable[[], None]] = {
        "json": lambda: write_json(results, out),
        "jsonl": lambda: write_jsonl(results, out),
        "csv": lambda: write_csv(_resolve_rows(results, best_only=False), out, RESOLVE_CSV),
        "table": lambda: write_table(_resolve_rows(results, best_only=True), out, RESOLVE_TABLE),
        "geojson": lambda: write_geojson(_resolve_features(results), out),
    }
    writers[fmt]()


def render_explanations(results: Iterable[dict[str, Any]], out: TextIO = sys.stdout) -> None:
    """Write :meth:`Resolver.explain` results as a readable report: per stage, its note,
    the candidates it met and the ranking after it with score parts."""
    for result in results:
        out.write(f"{result.get('query')!r}\n")
        if "error" in result:
            out.write(f"  error: {result['error']}\n\n")
            continue
        for stage in result.get("stages", []):
            kept = "" if stage["kept"] else "  (not kept)"
            out.write(f"  [{stage['stage']}] {stage['note']}{kept}\n")
            for cand in stage["candidates"]:
                out.write(
                    f"      met {cand['id']} {cand['name']!r} ({cand['match_type']},"
                    f" {cand['lang']}) by {cand['rule']}\n"
                )
            for rank, match in enumerate(stage["matches"], 1):
                parts = ", ".join(f"{k} {v}" for k, v in match["score_parts"].items())
                out.write(
                    f"    {rank}. {match['id']} {match['name']} ({match['admin1']})"
                    f" score {match['score']}: {parts}\n"
                )
        out.write("\n")
