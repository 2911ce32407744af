"""``toponyms reconcile`` on a real humanitarian 3W sheet, in each format people send it,
the review loop into a user gazetteer, and the same answers from pandas, Dask and Spark.

The sheet (tests/fixtures/reconcile, see its README) names places of the tiny gazetteer
(Kherson oblast and Kyiv); every expectation below is a real answer of that gazetteer.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

try:
    from toponyms._cli import app
except ImportError:
    from cli import app

from conftest import FIXTURES, ROOT, subprocess_env

SHEETS = FIXTURES / "reconcile"
CONTEXT = ["--context-column", "oblast", "--context-column", "raion", "--context-column", "hromada"]
INPUT_HEADER = [
    "oblast",
    "raion",
    "hromada",
    "settlement",
    "partner",
    "activity",
    "people_reached",
    "date",
]
ADDED = [
    "place_id",
    "name",
    "name_uk",
    "name_ru",
    "name_en",
    "kind",
    "admin1",
    "toponyms_raion",  # the sheet has a raion column of its own
    "lat",
    "lon",
    "precision",
    "score",
    "status",
    "note",
]
#: Row (as in the sheet, header = 1) → (place_id, status) the tiny gazetteer answers.
EXPECTED = {
    2: ("geonames:712260", "matched"),  # Берислав
    3: ("geonames:713684", "matched"),  # Олександрівка of the Каланчацька hromada
    4: ("geonames:696077", "matched"),  # Олександрівка of the Скадовська hromada
    5: ("geonames:691037", "matched"),  # Алешки, Russian for Олешки
    6: ("geonames:699839", "matched"),  # Новая Каховка, all context in Russian too
    7: ("geonames:708878", "matched"),  # Геническ
    8: ("geonames:712260", "matched"),  # Бериславль, the Russian-era name: a low score
    9: ("", "no match"),  # no settlement given
    10: ("geonames:710935", "matched"),  # Чаплинка
    11: ("geonames:699734", "matched"),  # Новоолександрівка, inside its hromada
    12: ("katottg:UA65020090060066833", "ambiguous"),  # Зелений Гай: four in the oblast
    13: ("geonames:703448", "matched"),  # Київ, oblast "м. Київ"
    14: ("geonames:712260", "matched"),  # Берислав, an unknown hromada ignored
    15: ("", "no match"),  # the total row
}

runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _csv(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _input_rows() -> list[list[str]]:
    return _csv((SHEETS / "hum_3w.csv").read_text("utf-8"))


def _xlsx_rows(path: Path) -> list[list[Any]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    width = len(rows[0])  # a row may end early where its last cells are empty
    return [row + [None] * (width - len(row)) for row in rows]


def _check_answers(header: list[str], rows: list[list[Any]]) -> None:
    """The added columns are there, after the input's, and right for every row."""
    assert header == INPUT_HEADER + ADDED
    by_name = {name: i for i, name in enumerate(header)}
    assert len(rows) == len(EXPECTED)
    for number, row in enumerate(rows, start=2):
        place_id, status = EXPECTED[number]
        assert (row[by_name["place_id"]] or "", row[by_name["status"]]) == (place_id, status), (
            number,
            row,
        )
    beryslav = rows[0]
    assert beryslav[by_name["name_uk"]] == "Берислав"
    assert beryslav[by_name["admin1"]] == "Kherson Oblast"
    assert beryslav[by_name["toponyms_raion"]] == "Beryslavskyi raion"
    assert beryslav[by_name["kind"]] == "city"
    assert abs(float(beryslav[by_name["lat"]]) - 46.84) < 0.01
    assert abs(float(beryslav[by_name["lon"]]) - 33.43) < 0.01
    assert float(beryslav[by_name["score"]]) == 1.0
    assert float(rows[6][by_name["score"]]) < 0.8  # Бериславль: matched, but to review
    assert rows[7][by_name["note"]] == "empty name"
    assert "Нарнійська" in rows[12][by_name["note"]]
    assert "ignored" in rows[12][by_name["note"]]
    assert not rows[11][by_name["note"]]  # м. Київ: the city, as its second reading
    assert "stands for no name" in rows[13][by_name["note"]]  # #REF!


# -- the command on each format --------------------------------------------------------------
@pytest.mark.parametrize(
    ("sheet", "delimiter"),
    [("hum_3w.csv", ","), ("hum_3w_cp1251.csv", ";"), ("hum_3w.tsv", "\t")],
)
def test_delimited_sheet_round_trips(tiny_db: Path, sheet: str, delimiter: str) -> None:
    result = _run(
        "reconcile", str(SHEETS / sheet), "--column", "settlement", *CONTEXT, "--db", str(tiny_db)
    )
    assert result.exit_code == 0, result.stderr
    rows = _csv(result.stdout, delimiter if sheet.endswith(".csv") else ",")
    width = len(INPUT_HEADER)
    assert [row[:width] for row in rows] == _input_rows()  # input columns unchanged
    _check_answers(rows[0], rows[1:])
    assert ("cp1251" in result.stderr) == ("cp1251" in sheet)  # the hint, only when guessed
    assert "14 rows: 11 matched, 1 ambiguous, 2 no match" in result.stderr


def test_xlsx_in_and_out(tiny_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "matched.xlsx"
    result = _run(
        "reconcile",
        str(SHEETS / "hum_3w.xlsx"),
        "-c",
        "settlement",
        *CONTEXT,
        "--out",
        str(out),
        "--db",
        str(tiny_db),
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    written = _xlsx_rows(out)
    original = _xlsx_rows(SHEETS / "hum_3w.xlsx")
    width = len(INPUT_HEADER)
    assert [row[:width] for row in written] == original  # numbers and dates stay so
    assert isinstance(written[1][6], int)
    _check_answers(list(written[0]), written[1:])


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_output_format_follows_out(tiny_db: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    sheet = str(SHEETS / "hum_3w_cp1251.csv")
    result = _run("reconcile", sheet, "-c", "settlement", "-o", str(out), "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    if suffix == ".xlsx":
        rows = [["" if c is None else str(c) for c in row] for row in _xlsx_rows(out)]
    else:
        # An Excel-made input (cp1251) gives a file Excel reads: UTF-8 with its mark,
        # semicolons kept for a CSV.
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = _csv(raw.decode("utf-8-sig"), ";" if suffix == ".csv" else "\t")
    assert rows[0][: len(INPUT_HEADER)] == INPUT_HEADER
    assert rows[1][len(INPUT_HEADER)] == "geonames:712260"
    assert not list(tmp_path.glob(".*partial"))


def test_console_script_subprocess(tiny_db: Path, tmp_path: Path) -> None:
    script = shutil.which("toponyms")
    command = [script] if script else [sys.executable, str(ROOT / "cli.py")]
    sheet = tmp_path / "hum.csv"
    shutil.copyfile(SHEETS / "hum_3w.csv", sheet)
    done = subprocess.run(
        [*command, "reconcile", str(sheet), "--column", "settlement", *CONTEXT],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=subprocess_env(TOPONYMS_DB=str(tiny_db)),
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stderr  # no progress bar when stderr is no terminal
    rows = _csv(done.stdout)
    _check_answers(rows[0], rows[1:])


def test_within_is_the_broadest_region(tiny_db: Path) -> None:
    result = _run(
        "reconcile",
        str(SHEETS / "hum_3w.csv"),
        "-c",
        "settlement",
        *CONTEXT,
        "--within",
        "Kherson Oblast",
        "--db",
        str(tiny_db),
    )
    assert result.exit_code == 0, result.stderr
    header, *rows = _csv(result.stdout)
    place = header.index("place_id")
    for number, (place_id, _) in EXPECTED.items():
        if number != 13:
            assert rows[number - 2][place] == place_id, number
    kyiv = rows[13 - 2]
    assert kyiv[place] == "" and "no match within" in kyiv[header.index("note")]
    message = _error(
        _run(
            "reconcile",
            *(str(SHEETS / "hum_3w.csv"), "-c", "settlement", "--within", "Нарнія"),
            *("--db", str(tiny_db)),
        ),
        2,
    )
    assert "Нарнія" in message


# -- bad input ----------------------------------------------------------------------------------
def _error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines  # one message, once
    assert lines[0].startswith("toponyms: error: ")
    return lines[0]


def test_unknown_column_lists_the_columns(tiny_db: Path) -> None:
    sheet = str(SHEETS / "hum_3w.csv")
    message = _error(_run("reconcile", sheet, "--column", "village", "--db", str(tiny_db)), 2)
    assert "'village'" in message
    assert "'settlement'" in message and "'oblast'" in message
    message = _error(
        _run("reconcile", sheet, "-c", "settlement", "--context-column", "Oblast", "--db", "x"), 2
    )
    assert "'Oblast'" in message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        # 0x98 is no cp1251 letter, and the bytes are no UTF-8 either.
        ("settlement\nБерислав\n".encode("cp1251") + b"\x98\n", ["neither UTF-8 nor cp1251"]),
        (gzip.compress(b"settlement\nKherson\n"), ["binary"]),
        ("settlement\nБерислав\n".encode("utf-16-le"), ["binary"]),  # UTF-16 without its mark
        (b"", ["empty", "header"]),
    ],
    ids=["not-cp1251", "gzip", "utf16-without-mark", "empty"],
)
def test_unreadable_file_is_refused_once(
    tiny_db: Path, tmp_path: Path, content: bytes, words: list[str]
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(content)
    message = _error(_run("reconcile", str(sheet), "-c", "settlement", "--db", str(tiny_db)), 2)
    for word in words:
        assert word in message


def test_encoding_given_or_marked(tiny_db: Path, tmp_path: Path) -> None:
    cp1251 = str(SHEETS / "hum_3w_cp1251.csv")
    message = _error(
        _run("reconcile", cp1251, "-c", "settlement", "--encoding", "utf-8", "--db", str(tiny_db)),
        2,
    )
    assert "not utf-8 text" in message
    result = _run(
        "reconcile", cp1251, "-c", "settlement", "--encoding", "cp1251", "--db", str(tiny_db)
    )
    assert result.exit_code == 0 and "cp1251" not in result.stderr  # no guess, no hint
    # Excel's "Unicode text": UTF-16 with its mark, tab-separated.
    unicode_text = tmp_path / "unicode.txt"
    unicode_text.write_bytes((SHEETS / "hum_3w.tsv").read_text("utf-8").encode("utf-16"))
    result = _run("reconcile", str(unicode_text), "-c", "settlement", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    assert _csv(result.stdout, "\t")[1][8] == "geonames:712260"


def test_ragged_rows_and_old_workbooks(tiny_db: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    short.write_text("settlement,count,,\nБерислав\nОлешки,3,,\n", "utf-8")  # trailing empties
    result = _run("reconcile", str(short), "-c", "settlement", "--db", str(tiny_db))
    assert result.exit_code == 0, result.stderr
    rows = _csv(result.stdout)
    assert rows[0][:3] == ["settlement", "count", "place_id"]
    assert rows[1][:3] == ["Берислав", "", "geonames:712260"]
    assert rows[2][:3] == ["Олешки", "3", "geonames:691037"]
    long = tmp_path / "long.csv"
    long.write_text("settlement\nБерислав,extra\n", "utf-8")
    assert "row 2 has 2 cells" in _error(
        _run("reconcile", str(long), "-c", "settlement", "--db", str(tiny_db)), 2
    )
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert ".xlsx" in _error(_run("reconcile", str(old), "-c", "x", "--db", str(tiny_db)), 2)
    sheet = str(SHEETS / "hum_3w.csv")
    out = str(tmp_path / "out.json")
    assert "unknown extension" in _error(
        _run("reconcile", sheet, "-c", "settlement", "-o", out, "--db", str(tiny_db)), 2
    )


# -- review --------------------------------------------------------------------------------------
def _user_gazetteer(tiny_db: Path, tmp_path: Path) -> Path:
    from toponyms import Gazetteer

    mine = tmp_path / "mine.sqlite"
    Gazetteer.init(mine, source=tiny_db, author="tester")
    return mine


def _reconcile_with_review(db: Path, review: Path) -> list[list[str]]:
    result = _run(
        "reconcile",
        str(SHEETS / "hum_3w.csv"),
        "-c",
        "settlement",
        *CONTEXT,
        "--review",
        str(review),
        "--db",
        str(db),
    )
    assert result.exit_code == 0, result.stderr
    return _csv(result.stdout)


def test_review_then_apply_then_the_team_spelling_matches(tiny_db: Path, tmp_path: Path) -> None:
    mine = _user_gazetteer(tiny_db, tmp_path)
    review = tmp_path / "review.csv"
    _reconcile_with_review(mine, review)
    header, *rows = _csv(review.read_text("utf-8"))
    assert header[:8] == ["rows", "query", "oblast", "raion", "hromada", "status", "score", "note"]
    assert header[-1] == "accept"
    assert "candidate3_admin1" in header
    queries = {row[1]: row for row in rows}
    # Below the threshold or not plainly matched: the typo and the namesakes (not the
    # total row's #REF!, which is no name).
    assert sorted(queries) == ["Бериславль", "Зелений Гай"]
    assert queries["Бериславль"][0] == "8"
    assert queries["Бериславль"][header.index("candidate1_id")] == "geonames:712260"
    zelenyi = queries["Зелений Гай"]
    assert {zelenyi[header.index(f"candidate{n}_id")] for n in (1, 2, 3)} <= {
        "katottg:UA65020090060066833",
        "katottg:UA65040010190085221",
        "katottg:UA65040030090031529",
        "katottg:UA65100170040041045",
    }
    # The reviewer accepts candidate 1 for the typo and skips the rest.
    for row in rows:
        row[-1] = "1" if row[1] == "Бериславль" else ""
    with review.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])

    result = _run("reconcile", "--apply-review", str(review), "--db", str(mine), "--author", "olha")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "geonames:712260\tБериславль"
    assert "1 name(s) added" in result.stderr

    with sqlite3.connect(mine) as conn:
        stored = conn.execute(
            "SELECT type, source FROM names WHERE place_id = ? AND name = ?",
            ("geonames:712260", "Бериславль"),
        ).fetchall()
        author = conn.execute(
            "SELECT author FROM history WHERE action = 'add-name' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert stored == [("colloquial", "review")]
    assert author == ("olha",)

    # The next run matches the team's spelling at once, and asks no one about it.
    second = tmp_path / "review2.csv"
    header2, *rows2 = _reconcile_with_review(mine, second)
    typo = rows2[6]
    assert typo[3] == "Бериславль"
    assert typo[header2.index("place_id")] == "geonames:712260"
    assert float(typo[header2.index("score")]) >= 0.8
    assert typo[header2.index("status")] == "matched"
    assert "Бериславль" not in second.read_text("utf-8")

    # Applying the same review again adds nothing.
    again = _run("reconcile", "--apply-review", str(review), "--db", str(mine))
    assert again.exit_code == 0 and "0 name(s) added, 1 already known" in again.stderr


def test_review_as_a_workbook(tiny_db: Path, tmp_path: Path) -> None:
    import openpyxl

    mine = _user_gazetteer(tiny_db, tmp_path)
    review = tmp_path / "review.xlsx"
    _reconcile_with_review(mine, review)
    book = openpyxl.load_workbook(review)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("query")].value == "Бериславль":
            row[header.index("accept")].value = 1.0  # a number, as Excel stores a typed 1
    book.save(review)
    result = _run("reconcile", "--apply-review", str(review), "--db", str(mine))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "geonames:712260\tБериславль"
    message = _error(
        _run("reconcile", "--apply-review", str(review), "-o", "x.csv", "--db", str(mine)), 2
    )
    assert "--apply-review takes no" in message


def test_apply_review_refuses_the_default_and_bad_ids(tiny_db: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    review.write_text("rows,query,candidate1_id,accept\n8,Бериславль,geonames:712260,1\n", "utf-8")
    environment = {"TOPONYMS_DB": ""}
    message = _error(_run("reconcile", "--apply-review", str(review), env=environment), 1)
    assert "gazetteer init" in message
    mine = _user_gazetteer(tiny_db, tmp_path)
    before = mine.read_bytes()
    review.write_text(
        "rows,query,candidate1_id,accept\n8,Бериславль,,geonames:712260\n9,Каланчак,,local:999\n",
        "utf-8",
    )
    message = _error(_run("reconcile", "--apply-review", str(review), "--db", str(mine)), 2)
    assert "line 3" in message and "local:999" in message
    assert mine.read_bytes() == before  # nothing written: the first row was not stored
    review.write_text("rows,query,accept\n", "utf-8")
    assert "no row" in _error(_run("reconcile", "--apply-review", str(review), "--db", "x"), 2)


# -- pandas, Dask, Spark ----------------------------------------------------------------------
def _cli_answers(tiny_db: Path) -> list[dict[str, str]]:
    result = _run(
        "reconcile", str(SHEETS / "hum_3w.csv"), "-c", "settlement", *CONTEXT, "--db", str(tiny_db)
    )
    header, *rows = _csv(result.stdout)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same_as_cli(records: list[dict[str, Any]], cli: list[dict[str, str]]) -> None:
    from toponyms.reconcile import COLUMNS

    assert len(records) == len(cli)
    for record, expected in zip(records, cli, strict=True):
        for column in COLUMNS:
            key = "toponyms_raion" if column == "raion" else column
            assert _as_text(record[column]) == expected[key], (column, record, expected)


def _sheet_frame() -> Any:
    pd = pytest.importorskip("pandas")
    return pd.read_csv(SHEETS / "hum_3w.csv", dtype=str, keep_default_na=False)


def test_pandas_resolve_series(tiny_db: Path) -> None:
    pd = pytest.importorskip("pandas")
    from toponyms import Resolver
    from toponyms.pandas import resolve_series

    sheet = _sheet_frame()
    sheet.index = pd.Index([f"r{n}" for n in range(len(sheet))])
    with Resolver(db=tiny_db) as resolver:
        places = resolve_series(
            sheet["settlement"], context=sheet[["oblast", "raion", "hromada"]], resolver=resolver
        )
        assert list(places.index) == list(sheet.index)
        assert str(places["lat"].dtype) == "float64"
        _same_as_cli(places.to_dict(orient="records"), _cli_answers(tiny_db))
        # Missing names are rows with no match, not errors; the index may be any.
        names = pd.Series(["Алешки", None, float("nan"), pd.NA, ""], index=[10, 20, 30, 40, 50])
        found = resolve_series(names, resolver=resolver)
        assert list(found.index) == [10, 20, 30, 40, 50]
        assert list(found["status"]) == ["matched"] + ["no match"] * 4
        assert found.loc[10, "place_id"] == "geonames:691037"
        # A context Series on another order of the same labels is aligned by label.
        shuffled = sheet["hromada"].iloc[::-1]
        by_label = resolve_series(sheet["settlement"], context=shuffled, resolver=resolver)
        assert by_label.loc["r1", "place_id"] == "geonames:713684"
        assert by_label.loc["r2", "place_id"] == "geonames:696077"


def test_threads_sharing_one_resolver_agree(tiny_db: Path) -> None:
    pytest.importorskip("pandas")
    from concurrent.futures import ThreadPoolExecutor

    from toponyms.pandas import resolve_series
    from toponyms.reconcile import shared_resolver

    sheet = _sheet_frame()
    resolver = shared_resolver(tiny_db)
    assert shared_resolver(str(tiny_db)) is resolver  # one per process and gazetteer

    def run(_: int) -> list[Any]:
        found = resolve_series(sheet["settlement"], context=sheet[["oblast"]], resolver=resolver)
        return found["place_id"].tolist()

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(run, range(8)))
    assert all(a == answers[0] for a in answers)
    assert answers[0][0] == "geonames:712260"


def test_dask_two_worker_processes_match_one(tiny_db: Path) -> None:
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import dask.bag
    import dask.dataframe as dd

    from toponyms import reconcile
    from toponyms.dask import resolve_bag, resolve_dataframe

    cli = _cli_answers(tiny_db)
    sheet = _sheet_frame()
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        frame = dd.from_pandas(sheet, npartitions=2)
        placed = resolve_dataframe(
            frame, "settlement", context_columns=["oblast", "raion", "hromada"], db=tiny_db
        )
        assert list(placed.columns) == INPUT_HEADER + ADDED  # known before computing
        result = placed.compute()
        assert list(result.index) == list(sheet.index)
        assert result[INPUT_HEADER].values.tolist() == sheet.values.tolist()
        added = result[ADDED].rename(columns={"toponyms_raion": "raion"})
        records = added.to_dict(orient="records")
        _same_as_cli(records, cli)
        # Each worker process opened the gazetteer once, whatever its partitions.
        opened = client.run(reconcile.opened)
        assert len(opened) == 2
        assert all(len(paths) <= 1 for paths in opened.values())
        assert sum(len(paths) for paths in opened.values()) >= 1
        bag = dask.bag.from_sequence(["Алешки", "Бериславль", "", "Kherson"], npartitions=2)
        items = resolve_bag(bag, db=tiny_db).compute()
    assert [item["query"] for item in items] == ["Алешки", "Бериславль", "", "Kherson"]
    assert items[0]["place_id"] == "geonames:691037"
    assert items[2]["status"] == "no match" and items[2]["lat"] is None
    assert items[3]["place_id"] == "geonames:706448"


@pytest.fixture(scope="module")
def spark() -> Any:
    pytest.importorskip("pyspark")  # and Java 17 on the path, which CI's machine has
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this Python
    session = (
        SparkSession.builder.master("local[2]")
        .appName("toponyms-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        # The JVM's quick compiler only: a test's few small jobs start twice as fast.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")
def test_spark_pandas_udf_matches_one_process(spark: Any, tiny_db: Path) -> None:
    from toponyms.spark import resolve_column

    cli = _cli_answers(tiny_db)
    sheet = _sheet_frame()
    sheet["row"] = range(len(sheet))
    frame = spark.createDataFrame(sheet)
    assert frame.rdd.getNumPartitions() == 2  # local[2]: two tasks, two Python workers
    placed = resolve_column(
        frame, "settlement", context_columns=["oblast", "raion", "hromada"], db=tiny_db
    )
    rows = sorted(placed.select("row", "toponym.*").collect(), key=lambda r: r["row"])
    records = [row.asDict() for row in rows]
    _same_as_cli(records, cli)
    assert records[7]["status"] == "no match"
    assert records[7]["lat"] is None  # null, not NaN


@pytest.mark.slow
def test_the_sheet_on_the_default_gazetteer(default_db: Path) -> None:
    """On the full gazetteer a hromada's name is shared by several oblasts: the match must
    lie inside every region of its row, and a spreadsheet error is no name to look up."""
    result = _run(
        "reconcile",
        str(SHEETS / "hum_3w_cp1251.csv"),
        "-c",
        "settlement",
        *CONTEXT,
        "--db",
        str(default_db),
    )
    assert result.exit_code == 0, result.stderr
    header, *rows = _csv(result.stdout, ";")
    by_name = {name: i for i, name in enumerate(header)}
    answers = {n: row[by_name["place_id"]] for n, row in enumerate(rows, start=2)}
    for number, (place_id, _) in EXPECTED.items():
        if number != 12:  # Зелений Гай has more namesakes in the full gazetteer
            assert answers[number] == place_id, (number, rows[number - 2])
    novooleksandrivka = rows[9]
    assert novooleksandrivka[by_name["admin1"]] == "Kherson Oblast"
    assert novooleksandrivka[by_name["status"]] == "matched"
    assert rows[13][by_name["status"]] == "no match"
