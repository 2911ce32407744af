"""Packaging: licences stated alike everywhere, the typing marker, documented parameters of
the public API, and a full-text index that datasette recognises."""

from __future__ import annotations

import inspect
import re
import sqlite3
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gazetteer import schema, store
from gazetteer.edits import Gazetteer
from toponyms.match import Resolver

try:
    from toponyms._cli import app
except ImportError:
    from cli import app

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent.parent / "toponyms"


def _pyproject() -> dict[str, object]:
    path = ROOT / "pyproject.toml"
    if not path.exists():
        pytest.skip("not a source checkout")
    with path.open("rb") as handle:
        return tomllib.load(handle)


def test_licence_text_is_the_same_in_pyproject_and_gazetteer_info(tiny_db: Path) -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert project["license"] == {"text": store.LICENCES}
    assert store.LICENCES.startswith("MIT")
    result = CliRunner().invoke(app, ["gazetteer", "info", "--db", str(tiny_db)])
    assert result.exit_code == 0, result.stderr
    import json

    info = json.loads(result.stdout)
    assert info["licenses"] == store.LICENCES
    notice = " ".join((ROOT / "NOTICE.md").read_text(encoding="utf-8").split())
    for source in info["sources"]:
        # Every source's licence, as its extract states it, is named in the summary and
        # in NOTICE.md (the part before any bracket: "LGPL-2.1+ (pycountry, ...)").
        licence = re.split(r"[,(]", source["license"])[0].strip()
        assert licence, source
        assert licence in store.LICENCES, source
        assert licence in notice, source
    assert "pycountry" in store.LICENCES and "pycountry" in notice


def test_licence_file_is_mit() -> None:
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("not a source checkout")
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "NOTICE.md" in text
    sdist = _pyproject()["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]  # type: ignore[index]
    assert "LICENSE" in sdist and "NOTICE.md" in sdist


def test_the_package_is_marked_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()
    wheel = _pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]  # type: ignore[index]
    assert "toponyms" in wheel["packages"]
    assert not wheel.get("exclude")  # nothing keeps py.typed out of the wheel


@pytest.mark.parametrize(
    "method", ["resolve", "resolve_one", "resolve_many", "place", "extract", "extract_many"]
)
def test_every_public_parameter_is_documented(method: str) -> None:
    function = getattr(Resolver, method)
    doc = inspect.getdoc(function) or ""
    parameters = [p for p in inspect.signature(function).parameters if p != "self"]
    assert parameters
    missing = [p for p in parameters if not re.search(rf"^\s*{p}:", doc, re.MULTILINE)]
    assert missing == [], f"{method}: {missing}"
    assert "Returns:" in doc or "Yields:" in doc
    class_doc = inspect.getdoc(Resolver) or ""
    assert re.search(r"^\s*db:", class_doc, re.MULTILINE)


# -- full-text search ------------------------------------------------------------------------------


def _fts_sql(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(
            conn.execute("SELECT sql FROM sqlite_master WHERE name = 'names_fts'").fetchone()[0]
        )
    finally:
        conn.close()


def test_fts_is_declared_the_way_datasette_detects_it(tiny_db: Path) -> None:
    sql = _fts_sql(tiny_db)
    # datasette's detect_fts: sql LIKE '%VIRTUAL TABLE%USING FTS%content="names"%'
    assert re.search(r'VIRTUAL TABLE.*USING FTS.*content="names"', sql, re.DOTALL | re.IGNORECASE)
    conn = sqlite3.connect(tiny_db)
    try:
        hits = conn.execute(
            "SELECT n.place_id FROM names_fts JOIN names n ON n.id = names_fts.rowid"
            " WHERE names_fts MATCH 'Oleshky'"
        ).fetchall()
    finally:
        conn.close()
    assert ("geonames:691037",) in hits


def test_check_fix_redeclares_an_old_fts_table(tiny_db: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.sqlite"
    Gazetteer.init(mine, source=tiny_db, author="test", reason="fts")
    conn = sqlite3.connect(mine)
    conn.execute("DROP TABLE names_fts")
    conn.execute(  # as files made before this release declare it
        "CREATE VIRTUAL TABLE names_fts USING fts5(name, content='names', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO names_fts(names_fts) VALUES ('rebuild')")
    conn.commit()
    conn.close()
    g = Gazetteer(mine, author="test")
    assert g.check()["warning_counts"]["fts_declaration"] == 1
    report = g.check(fix=True)
    assert report["warning_counts"]["fts_declaration"] == 0
    assert report["counts"]["fts"] == 0
    assert 'content="names"' in _fts_sql(mine)
    conn = sqlite3.connect(mine)
    try:
        assert schema.fts_is_current(conn)
        found = conn.execute("SELECT COUNT(*) FROM names_fts WHERE names_fts MATCH 'Kherson'")
        assert found.fetchone()[0] > 0
    finally:
        conn.close()


def test_datasette_detects_the_fts_table(tiny_db: Path) -> None:
    """With datasette installed (not a dependency: ``pip install datasette``), its own
    detection finds the index; the old declaration gave None."""
    utils = pytest.importorskip("datasette.utils")
    conn = sqlite3.connect(tiny_db)
    try:
        assert utils.detect_fts(conn, "names") == "names_fts"
    finally:
        conn.close()
