"""The command line: output formats, exit codes, error messages and help, on the tiny gazetteer.

Most checks go through typer's ``CliRunner``; one runs the real ``toponyms`` console script
(or ``python cli.py`` in a source checkout) as a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

try:
    from toponyms._cli import app
except ImportError:
    from cli import app

ROOT = Path(__file__).resolve().parent.parent
OLESHKY_ID = "geonames:691037"
CONTRACT = (
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
)

runner = CliRunner()


def _run(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _resolve_json(db: Path, *names: str) -> list[dict[str, Any]]:
    result = _run("resolve", *names, "--format", "json", "--db", str(db))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def _check_oleshky(result: dict[str, Any], query: str) -> None:
    assert set(result) >= {"query", "matches", "ambiguous"}
    assert result["query"] == query
    assert isinstance(result["ambiguous"], bool)
    best = result["matches"][0]
    missing = [field for field in CONTRACT if field not in best]
    assert missing == []
    assert best["id"] == OLESHKY_ID
    assert (best["name_uk"], best["name_en"], best["kind"], best["country"]) == (
        "Олешки",
        "Oleshky",
        "city",
        "UA",
    )
    assert best["admin1"] == "Kherson Oblast"
    assert best["katottg"] == "UA65100110010019482"
    assert best["geonames_id"] == 691037
    assert best["lat"] == pytest.approx(46.6255, abs=1e-3)
    assert best["lon"] == pytest.approx(32.7243, abs=1e-3)
    assert 0 < best["score"] <= 1


# -- resolve -------------------------------------------------------------------------------------


def test_resolve_json_contract(tiny_db: Path) -> None:
    [result] = _resolve_json(tiny_db, "Aleshki")
    _check_oleshky(result, "Aleshki")
    assert result["matches"][0]["matched_name"] == "Aleshki"


def test_resolve_json_several_names_in_order(tiny_db: Path) -> None:
    results = _resolve_json(tiny_db, "Цюрупинськ", "Херсон", "Aleshki")
    assert [r["query"] for r in results] == ["Цюрупинськ", "Херсон", "Aleshki"]
    _check_oleshky(results[0], "Цюрупинськ")
    assert results[0]["matches"][0]["match_type"] == "historical"
    assert results[1]["matches"][0]["name_en"] == "Kherson"


def test_resolve_jsonl_file_keeps_order_and_survives_bad_lines(
    tiny_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "names.txt"
    path.write_bytes(b"Aleshki\n\xff\xfe not utf-8\n\n" + "Олешки\n".encode() + b"Kherson\n")
    result = _run("resolve", "--file", str(path), "--format", "jsonl", "--db", str(tiny_db))
    assert result.exit_code == 3, result.stderr  # completed, but some lines were bad
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 5
    _check_oleshky(lines[0], "Aleshki")
    assert "error" in lines[1] and "UTF-8" in lines[1]["error"]
    assert lines[2] == {"query": "", "matches": [], "ambiguous": False}  # blank: no match
    _check_oleshky(lines[3], "Олешки")
    assert lines[4]["query"] == "Kherson"
    assert lines[4]["matches"][0]["name_uk"] == "Херсон"


def test_resolve_csv_has_a_header(tiny_db: Path) -> None:
    result = _run("resolve", "Aleshki", "--format", "csv", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split(",")
    assert header[:4] == ["query", "rank", "id", "name"]
    assert set(CONTRACT) <= set(header)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["query"] == "Aleshki"
    assert rows[0]["rank"] == "1"
    assert rows[0]["id"] == OLESHKY_ID
    assert rows[0]["katottg"] == "UA65100110010019482"


def test_resolve_geojson_is_a_feature_collection(tiny_db: Path) -> None:
    result = _run("resolve", "Aleshki", "Херсон", "--format", "geojson", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 2
    feature = data["features"][0]
    assert feature["type"] == "Feature"
    assert feature["properties"]["id"] == OLESHKY_ID
    assert feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    assert (lat, lon) == (feature["properties"]["lat"], feature["properties"]["lon"])


def test_near_out_of_range_is_a_usage_error(tiny_db: Path) -> None:
    result = _run("resolve", "Aleshki", "--near", "100,20", "--db", str(tiny_db))
    assert result.exit_code == 2
    assert "latitude" in result.stderr
    assert result.stdout == ""


def test_bad_as_of_is_a_usage_error(tiny_db: Path) -> None:
    result = _run("resolve", "Aleshki", "--as-of", "notadate", "--db", str(tiny_db))
    assert result.exit_code == 2
    assert "notadate" in result.stderr
    assert result.stdout == ""


def test_missing_gazetteer_exits_1_with_a_clear_message() -> None:
    result = _run("resolve", "Aleshki", "--db", "/nonexistent")
    assert result.exit_code == 1
    assert "/nonexistent" in result.stderr
    assert "gazetteer" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_resolve_without_names_is_a_usage_error(tiny_db: Path) -> None:
    result = _run("resolve", "--db", str(tiny_db))
    assert result.exit_code == 2
    assert "--file" in result.stderr


# -- gazetteer info ------------------------------------------------------------------------------


def test_gazetteer_info_json(tiny_db: Path) -> None:
    result = _run("gazetteer", "info", "--format", "json", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in (
        "places",
        "names",
        "by_country",
        "by_kind",
        "with_coordinates",
        "katottg_places",
        "geonames_places",
        "schema_version",
        "sources",
    ):
        assert key in data, key
    conn = sqlite3.connect(tiny_db)
    try:
        places = conn.execute("SELECT COUNT(*) FROM places WHERE status = 'active'").fetchone()[0]
        names = conn.execute("SELECT COUNT(*) FROM names").fetchone()[0]
    finally:
        conn.close()
    assert (data["places"], data["names"]) == (places, names)
    assert sum(data["by_country"].values()) == places
    assert sum(data["by_kind"].values()) == places
    assert set(data["by_country"]) >= {"UA", "RU"}
    assert 0 < data["with_coordinates"] <= places
    assert data["katottg_places"] >= 765
    assert data["schema_version"] == 1
    assert "GeoNames" in result.stdout
    assert "CC-BY" in result.stdout


def test_gazetteer_info_reports_the_links_the_build_made(tiny_db: Path) -> None:
    from gazetteer.store import LINKING_STATS

    result = _run("gazetteer", "info", "--format", "json", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    linking = json.loads(result.stdout)["linking"]
    conn = sqlite3.connect(tiny_db)
    try:
        links = conn.execute(
            "SELECT COUNT(*) FROM places WHERE katottg IS NOT NULL AND geonames_id IS NOT NULL"
        ).fetchone()[0]
        stats = json.loads(
            conn.execute("SELECT value FROM meta WHERE key = 'build_stats'").fetchone()[0]
        )
    finally:
        conn.close()
    # Every figure is there (the build records each one) and is the build's own.
    assert set(linking) == {"katottg_geonames_links", *LINKING_STATS}
    assert {name: linking[name] for name in LINKING_STATS} == {
        name: stats[key] for name, key in LINKING_STATS.items()
    }
    assert linking["katottg_geonames_links"] == links > 0
    assert 0 < linking["duplicates_merged"] < linking["linked_at_build"]
    assert linking["linked_at_build"] <= linking["geonames_ua_places"]


# -- help ----------------------------------------------------------------------------------------


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    return list(_walk(typer.main.get_command(app)))


def test_command_tree_is_what_we_expect() -> None:
    paths = {" ".join(path) for path, _ in _commands()}
    assert {"resolve", "extract", "near", "gazetteer", "gazetteer build", "gazetteer info"} <= paths


def test_every_command_has_an_example() -> None:
    leaves = [(p, c) for p, c in _commands() if not getattr(c, "commands", None)]
    assert len(leaves) >= 4
    lacking = [" ".join(p) for p, c in leaves if "Example" not in (c.help or "")]
    assert lacking == []
    for path, command in leaves:
        example = (command.help or "").split("Example", 1)[1]
        # The example runs this very command.
        assert f"toponyms {' '.join(path)}" in " ".join(example.split()), " ".join(path)
        for flag in ("--help", "-h"):
            result = _run(*path, flag)
            assert result.exit_code == 0
            assert "Example" in result.stdout, " ".join(path)


def test_every_group_has_an_example() -> None:
    groups = [(p, c) for p, c in _commands() if getattr(c, "commands", None)]
    lacking = [" ".join(("toponyms", *p)) for p, c in groups if "Example" not in (c.help or "")]
    assert lacking == []


# -- the real console script -----------------------------------------------------------------------


def test_console_script_resolves(tiny_db: Path) -> None:
    script = shutil.which("toponyms")
    command = [script] if script else [sys.executable, str(ROOT / "cli.py")]
    from conftest import subprocess_env

    env = subprocess_env()
    done = subprocess.run(
        [*command, "resolve", "Aleshki", "--format", "json", "--db", str(tiny_db)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tiny_db.parent,  # not the checkout, whose toponyms/ would shadow the installed one
        env=env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    _check_oleshky(result, "Aleshki")
