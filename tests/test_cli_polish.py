"""The command line as people expect it: --version, -h, completion, output options
(--fields, tsv, --bom, a table that fits the terminal), options checked once, plain
one-line errors, refused inputs and the documented exit codes.

Runs through typer's ``CliRunner`` and, where a terminal or the real process matters, the
real console script in a subprocess (under a pseudo-terminal where one is needed).
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from toponyms import __version__
from toponyms.errors import InvalidInputError
from toponyms.render import (
    NEAR,
    RESOLVE,
    Column,
    RenderOptions,
    fit_columns,
    render,
)

try:
    from toponyms._cli import EXIT_CODES, EXIT_PARTIAL, app
except ImportError:
    from cli import EXIT_CODES, EXIT_PARTIAL, app

ROOT = Path(__file__).resolve().parent.parent
OLESHKY_ID = "geonames:691037"
runner = CliRunner()


def _run(*args: str, input: str | None = None) -> Result:
    result = runner.invoke(app, list(args), input=input)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _command() -> list[str]:
    script = shutil.which("toponyms")
    return [script] if script else [sys.executable, str(ROOT / "cli.py")]


def _subprocess(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    from conftest import subprocess_env

    return subprocess.run(
        [*_command(), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=subprocess_env(**env),
        timeout=120,
        check=False,
    )


def _in_terminal(
    *args: str, cwd: Path, columns: int, stdout_tty: bool = True, stdin: bytes | None = None
) -> tuple[int, str, str]:
    """Run the real command with standard output (and error) on a pseudo-terminal of
    ``columns`` columns; return the exit code, what the terminal showed, and stderr."""
    from conftest import subprocess_env

    master, slave = pty.openpty()
    env = subprocess_env(COLUMNS=str(columns), LINES="40", TERM="dumb")
    with tempfile.TemporaryFile() as other:  # a file, not a pipe nobody reads while it runs
        process = subprocess.Popen(
            [*_command(), *args],
            stdin=subprocess.PIPE,
            stdout=slave if stdout_tty else other,
            stderr=other if stdout_tty else slave,
            cwd=cwd,
            env=env,
        )
        os.close(slave)
        assert process.stdin is not None
        if stdin is not None:
            process.stdin.write(stdin)
        process.stdin.close()
        shown = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        code = process.wait(timeout=60)
        os.close(master)
        other.seek(0)
        written = other.read()
    return code, shown.decode("utf-8", "replace"), written.decode("utf-8", "replace")


# -- the app itself --------------------------------------------------------------------------------


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"toponyms {__version__}"


def test_short_help_everywhere() -> None:
    for args in (["-h"], ["resolve", "-h"], ["near", "-h"], ["gazetteer", "-h"]):
        result = _run(*args)
        assert result.exit_code == 0, args
        assert "Usage:" in result.stdout and "Example" in result.stdout, args


def test_help_lists_the_exit_codes() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for code in EXIT_CODES:
        assert f"{code} " in text
    assert "3 the run completed" in text
    assert "--install-completion" in text and "--show-completion" in text


def test_shell_completion_script_and_answers(tmp_path: Path) -> None:
    shown = _subprocess("--show-completion", "bash", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "_TOPONYMS_COMPLETE=complete_bash" in shown.stdout
    if not shutil.which("toponyms"):
        pytest.skip("completion answers need the installed console script")
    answer = _subprocess(
        cwd=tmp_path,
        _TOPONYMS_COMPLETE="complete_bash",
        COMP_WORDS="toponyms ne",
        COMP_CWORD="1",
    )
    assert answer.stdout.split() == ["near"]
    options = _subprocess(
        cwd=tmp_path,
        _TOPONYMS_COMPLETE="complete_bash",
        COMP_WORDS="toponyms resolve --fi",
        COMP_CWORD="2",
    )
    assert set(options.stdout.split()) == {"--file", "--fields"}


def test_readable_metavars() -> None:
    resolve_help = _run("resolve", "--help").stdout
    for metavar in (
        "--near LAT,LON",
        "--as-of DATE",
        "--file PATH",
        "--db PATH",
        "--within REGION",
    ):
        assert metavar in resolve_help, metavar
    near_help = _run("near", "--help").stdout
    assert "LAT,LON" in near_help and "--kind KIND" in near_help


# -- output options --------------------------------------------------------------------------------


def test_fields_choose_csv_columns_in_order(tiny_db: Path) -> None:
    result = _run(
        "resolve",
        "Aleshki",
        "--format",
        "csv",
        "--fields",
        "id,precision,name",
        "--db",
        str(tiny_db),
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "precision", "name"]
    assert rows[1] == [OLESHKY_ID, "geonames", "Oleshky"]


def test_unknown_field_exits_2_listing_the_valid_ones(tiny_db: Path) -> None:
    result = _run(
        "resolve", "Aleshki", "--format", "csv", "--fields", "id,colour", "--db", str(tiny_db)
    )
    assert result.exit_code == 2
    assert "'colour'" in result.stderr
    assert "matched_name" in result.stderr and "precision" in result.stderr
    assert result.stdout == ""
    result = _run("resolve", "Aleshki", "--format", "json", "--fields", "id", "--db", str(tiny_db))
    assert result.exit_code == 2 and "table, csv and tsv" in result.stderr


def test_tsv(tiny_db: Path) -> None:
    result = _run("resolve", "Aleshki", "Херсон", "--format", "tsv", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert next(r["id"] for r in rows if r["rank"] == "1") == OLESHKY_ID
    assert "\t" in result.stdout.splitlines()[0] and "," not in result.stdout.splitlines()[0]
    assert rows[0]["precision"] == "geonames"


def test_bom_for_excel(tiny_db: Path) -> None:
    result = _run("resolve", "Aleshki", "--format", "csv", "--bom", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("\ufeffquery,")
    rows = list(csv.DictReader(io.StringIO(result.stdout.encode().decode("utf-8-sig"))))
    assert rows[0]["id"] == OLESHKY_ID
    plain = _run("resolve", "Aleshki", "--format", "csv", "--db", str(tiny_db))
    assert not plain.stdout.startswith("\ufeff")
    assert (
        _run("resolve", "Aleshki", "--format", "json", "--bom", "--db", str(tiny_db)).exit_code == 2
    )


def test_table_and_csv_show_precision(tiny_db: Path) -> None:
    table = _run("resolve", "Aleshki", "--format", "table", "--db", str(tiny_db)).stdout
    assert "precision" in table.splitlines()[0] and "geonames" in table
    header = _run("resolve", "Aleshki", "--format", "csv", "--db", str(tiny_db)).stdout
    assert "precision" in header.splitlines()[0].split(",")


def test_extract_shares_the_output_options(tiny_db: Path) -> None:
    text = "Обстріл Херсона і Олешок.\n"
    result = _run(
        "extract", "--format", "tsv", "--fields", "text,place_id", "--db", str(tiny_db), input=text
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter="\t"))
    assert rows[0] == ["text", "place_id"]
    assert ["Олешок", OLESHKY_ID] in rows
    table = _run("extract", "--format", "table", "--db", str(tiny_db), input=text)
    assert table.exit_code == 0 and OLESHKY_ID in table.stdout
    bad = _run(
        "extract", "--format", "tagged", "--fields", "text", "--db", str(tiny_db), input=text
    )
    assert bad.exit_code == 2


def test_near_shares_the_output_options(tiny_db: Path) -> None:
    result = _run(
        "near",
        "46.6354,32.6169",
        "--format",
        "csv",
        "--fields",
        "name,raion,admin1,distance_km",
        "--limit",
        "1",
        "--db",
        str(tiny_db),
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "name,raion,admin1,distance_km",
        "Kherson,Khersonskyi raion,Kherson Oblast,0.247",
    ]


def _resolution(query: str, **match: Any) -> dict[str, Any]:
    base = {"id": "katottg:UA65100150010071596", "name": "Long name " * 5, "kind": "city"}
    return {"query": query, "ambiguous": False, "matches": [{**base, **match}]}


@pytest.mark.parametrize("width", [40, 60, 80, 120, 210])
def test_table_fits_the_width_and_never_cuts_an_id(width: int) -> None:
    out = io.StringIO()
    items = [_resolution("Херсонщина " * 4, admin1="Kherson Oblast", score=0.9)]
    render(items, RESOLVE, RenderOptions(fmt="table", width=width), out)
    lines = out.getvalue().splitlines()
    assert "katottg:UA65100150010071596" in lines[1]  # whole
    id_width = len("katottg:UA65100150010071596")
    narrowest = sum(c.min_width for c in RESOLVE.table if c.priority == 0 and c.cut)
    if width >= narrowest + id_width + 4:
        assert max(len(line) for line in lines) <= width, lines
    header = lines[0].split()
    assert header[0] == "query" and header[-1] == "id"
    if width < 120:
        assert "matched_name" not in header  # a low-priority column went first
    if width >= 210:
        assert "precision" in header


def test_fit_columns_drops_by_priority_then_shrinks() -> None:
    columns = [
        Column("a", 10, priority=0, min_width=4),
        Column("b", 10, priority=2, min_width=4),
        Column("c", 10, priority=1, min_width=4),
        Column("id", 12, priority=0, cut=False),
    ]
    assert [c.name for c in fit_columns(columns, 0)] == ["a", "b", "c", "id"]
    assert [c.width for c in fit_columns(columns, 100)] == [10, 10, 10, 12]
    assert [(c.name, c.width) for c in fit_columns(columns, 40)] == [
        ("a", 10),
        ("c", 10),
        ("id", 12),
    ]
    assert [(c.name, c.width) for c in fit_columns(columns, 30)] == [("a", 10), ("id", 12)]
    assert [(c.name, c.width) for c in fit_columns(columns, 20)] == [("a", 6), ("id", 12)]
    assert [(c.name, c.width) for c in fit_columns(columns, 5)] == [("a", 4), ("id", 12)]


def test_near_table_rows_are_written_whole_to_a_file(tiny_db: Path) -> None:
    # Not a terminal: no width limit, every column.
    result = _run(
        "near", "46.6354,32.6169", "--format", "table", "--limit", "2", "--db", str(tiny_db)
    )
    assert result.exit_code == 0, result.stderr
    assert [c.name for c in NEAR.table] == result.stdout.splitlines()[0].split()


def test_table_on_a_real_terminal_fits_its_width(tiny_db: Path, tmp_path: Path) -> None:
    code, shown, _ = _in_terminal(
        "resolve", "Aleshki", "Kherson", "--db", str(tiny_db), cwd=tmp_path, columns=72
    )
    assert code == 0
    lines = [line for line in shown.replace("\r", "").splitlines() if line.strip()]
    assert lines[0].startswith("query")  # the default format on a terminal
    assert OLESHKY_ID in shown
    assert max(len(line) for line in lines) <= 72, lines


def test_progress_line_is_cleared(tiny_db: Path, tmp_path: Path) -> None:
    names = ("Aleshki\nKherson\n" * 1100).encode()
    code, terminal, output = _in_terminal(
        "resolve",
        "-f",
        "-",
        "--format",
        "jsonl",
        "--db",
        str(tiny_db),
        cwd=tmp_path,
        columns=80,
        stdout_tty=False,
        stdin=names,
    )
    assert code == 0
    assert "resolved: 1,000" in terminal and "resolved: 2,000" in terminal
    assert terminal.endswith("\r\x1b[K")  # nothing of the counter is left on the screen
    assert len(output.splitlines()) == 2200


# -- options checked once --------------------------------------------------------------------------


def test_country_name_fails_once_with_a_hint(tiny_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("Aleshki\nKherson\nКиїв\n", encoding="utf-8")
    result = _run("resolve", "--file", str(path), "--country", "Ukraine", "--db", str(tiny_db))
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "Ukraine" in line and "UA" in line
    assert "UA" in _run("resolve", "x", "--country", "Украина", "--db", str(tiny_db)).stderr
    unknown = _run("resolve", "x", "--country", "ZZ", "--db", str(tiny_db))
    assert unknown.exit_code == 2 and "ZZ" in unknown.stderr
    ok = _run("resolve", "Aleshki", "--country", "ua,RU", "--format", "json", "--db", str(tiny_db))
    assert ok.exit_code == 0 and json.loads(ok.stdout)[0]["matches"][0]["id"] == OLESHKY_ID


def test_within_fails_once(tiny_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("Aleshki\nKherson\nКиїв\n", encoding="utf-8")
    result = _run("resolve", "--file", str(path), "--within", "Atlantis", "--db", str(tiny_db))
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "Atlantis" in line
    ok = _run(
        "resolve", "Aleshki", "--within", "Kherson Oblast", "--format", "json", "--db", str(tiny_db)
    )
    assert ok.exit_code == 0 and json.loads(ok.stdout)[0]["matches"][0]["id"] == OLESHKY_ID


def test_options_module_suggests_codes(tiny_db: Path) -> None:
    from toponyms.options import Countries

    countries = Countries.of(tiny_db)
    assert countries.check("ua, ru") == ("UA", "RU")
    assert countries.suggest("Ukrainee") == "UA"
    assert countries.suggest("Україна") == "UA"
    with pytest.raises(InvalidInputError, match="did you mean RU"):
        countries.check("Russia")
    with pytest.raises(InvalidInputError, match="no country code given"):
        countries.check(" , ")


# -- refused inputs and exit codes -----------------------------------------------------------------


def test_a_folder_as_input_is_refused_once(tiny_db: Path, tmp_path: Path) -> None:
    for args in (
        ["resolve", "--file", str(tmp_path)],
        ["extract", str(tmp_path)],
        ["extract", "--docs", str(tmp_path), "--format", "json"],
    ):
        result = _run(*args, "--db", str(tiny_db))
        assert result.exit_code == 2, args
        assert "folder" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stdout == "", args


def test_a_binary_file_as_input_is_refused_once(tiny_db: Path, tmp_path: Path) -> None:
    binary = tmp_path / "names.bin"
    binary.write_bytes(b"Aleshki\n\x00\x01\x02\x03" * 100)
    utf16 = tmp_path / "names16.txt"
    utf16.write_text("Aleshki\nKherson\n", encoding="utf-16")
    for path in (binary, utf16):
        result = _run("resolve", "--file", str(path), "--format", "json", "--db", str(tiny_db))
        assert result.exit_code == 2
        assert "not text" in result.stderr and "UTF-8" in result.stderr
        assert result.stdout == ""
        docs = _run("extract", "--docs", str(path), "--db", str(tiny_db))
        assert docs.exit_code == 2 and docs.stdout == ""


def test_a_folder_or_binary_file_as_gazetteer_exits_1(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"\x00\xff" * 4096)
    for db in (tmp_path, junk):
        for args in (["resolve", "Aleshki"], ["near", "46,32"], ["gazetteer", "info"]):
            result = _run(*args, "--db", str(db))
            assert result.exit_code == 1, (args, db)
            assert str(db) in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
            assert result.stdout == ""


def test_db_folder_in_the_real_process_is_one_line(tmp_path: Path) -> None:
    done = _subprocess("resolve", "Aleshki", "--db", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == f"toponyms: error: {tmp_path} is a folder, not a gazetteer file"


def test_usage_errors_are_one_plain_line_off_a_terminal(tmp_path: Path) -> None:
    done = _subprocess("resolve", "Aleshki", "--no-such-option", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("toponyms: error: ") and "--no-such-option" in lines[0]
    assert "╭" not in done.stderr and "│" not in done.stderr


def test_partial_run_exits_3(tiny_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_bytes(b"Aleshki\n\xff\xfe\nKherson\n")
    result = _run("resolve", "--file", str(path), "--format", "jsonl", "--db", str(tiny_db))
    assert result.exit_code == EXIT_PARTIAL == 3
    assert len(result.stdout.splitlines()) == 3
    assert "1 input line(s)" in result.stderr
    clean = tmp_path / "clean.txt"
    clean.write_text("Aleshki\nKherson\n", encoding="utf-8")
    assert _run("resolve", "--file", str(clean), "--db", str(tiny_db)).exit_code == 0


def test_a_folder_as_output_is_one_line(tiny_db: Path, tmp_path: Path) -> None:
    result = _run("gazetteer", "export", "--out", str(tmp_path), "--db", str(tiny_db))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"toponyms: error: {tmp_path}: Is a directory"
