"""Why an answer won: ``Resolver.explain`` and ``toponyms resolve --explain``, and score
parts that compose to the score."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toponyms import Resolver

try:
    from toponyms._cli import app
except ImportError:
    from cli import app

QUERIES = ["Aleshki", "Алешках", "Kherson", "Oleshky, Kherson oblast", "Олешкт", "Zelensky"]


@pytest.mark.parametrize("name", QUERIES)
def test_explain_gives_the_same_answer_and_every_stage(tiny_db: Path, name: str) -> None:
    with Resolver(db=tiny_db) as resolver:
        plain = resolver.resolve_one(name)
        explained = resolver.explain(name)
    got = [(m.place.id, round(m.score, 9)) for m in explained.resolution.matches]
    assert got == [(m.place.id, round(m.score, 9)) for m in plain.matches]
    stages = [s.name for s in explained.stages]
    assert stages[0] == "query" and stages[-1] == "answer"
    assert "names" in stages
    final = explained.stages[-1]
    assert [m["id"] for m in final.matches] == [m.place.id for m in plain.matches]


def test_explain_shows_the_stage_that_found_a_case_form(tiny_db: Path) -> None:
    with Resolver(db=tiny_db) as resolver:
        explained = resolver.explain("Алешках")
    [variants] = [s for s in explained.stages if s.name == "variants"]
    assert variants.kept
    assert {c["rule"] for c in variants.candidates} == {"inflection"}
    assert variants.matches[0]["name"] == "Oleshky"


@pytest.mark.parametrize("name", [*QUERIES, "Kamianka", "Миколаївка Донецької області"])
def test_score_parts_compose_to_the_score(default_db: Path, name: str) -> None:
    with Resolver(db=default_db) as resolver:
        matches = resolver.resolve(name, limit=5)
    for match in matches:
        parts = dict(match.score_parts)
        product = parts["evidence"] * parts["support"] * parts["context"]
        assert math.isclose(product, match.score, rel_tol=1e-9), (name, parts, match.score)


def test_cli_explain_jsonl_and_report(tiny_db: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app, ["resolve", "Алешках", "--explain", "--format", "jsonl", "--db", str(tiny_db)]
    )
    assert done.exit_code == 0, done.output
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert result["matches"][0]["name"] == "Oleshky"
    assert result["stages"][0]["stage"] == "query"
    report = runner.invoke(
        app, ["resolve", "Алешках", "--explain", "--format", "table", "--db", str(tiny_db)]
    )
    assert report.exit_code == 0
    assert "[variants]" in report.stdout and "by inflection" in report.stdout
    refused = runner.invoke(
        app, ["resolve", "Алешках", "--explain", "--format", "csv", "--db", str(tiny_db)]
    )
    assert refused.exit_code == 2
    assert "--explain writes json, jsonl or table" in refused.stderr
