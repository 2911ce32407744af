"""The one reader of data files (``toponyms/text/datafile.py``): every packaged file
passes it under its declared columns, a broken file fails with the file and the line,
and every example any file carries is checked by the module that uses the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from gazetteer import curated, russian
from gazetteer import sources as gazetteer_sources
from toponyms.errors import DataFileError, GazetteerError
from toponyms.match.candidates import latin_lemmas
from toponyms.text import datafile, ukru
from toponyms.text.datafile import DataFile, Examples, Sample, TsvFile
from toponyms.text.morph import lemma_candidates, normalize
from toponyms.text.translit import romanize

ROOT = Path(__file__).resolve().parent.parent

#: Every declared data file of both packages.
DECLARED: list[DataFile] = [
    *datafile.FILES,
    *curated.FILES.values(),
    *gazetteer_sources.FILES.values(),
]
#: The folders whose data files must all be declared, and the patterns of those files.
#: (``gazetteer/data/sources/manifest.json`` is no data table: ``gazetteer extract``
#: writes it as the record of the extracts it made.)
FOLDERS = {
    "toponyms/data": ("*.tsv", "*.json"),
    "toponyms/text/data": ("*.tsv", "*.json"),
    "toponyms/text/schemes": ("*.tsv", "*.json"),
    "gazetteer/data": ("*.tsv", "*.json"),
    "gazetteer/data/sources": ("*.tsv",),
}


def _found() -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for folder, patterns in FOLDERS.items()
        for pattern in patterns
        for path in (ROOT / folder).glob(pattern)
    }


def test_every_data_file_in_the_package_folders_is_declared_once() -> None:
    declared = [file.file for file in DECLARED]
    assert len(declared) == len(set(declared))
    assert set(declared) == _found()
    assert len(declared) >= 40  # the folders were found at all


@pytest.mark.parametrize("file", DECLARED, ids=lambda f: f.file)
def test_every_data_file_reads_with_its_columns_and_names_its_source(file: DataFile) -> None:
    if isinstance(file, TsvFile):
        table = file.read()
        assert table.columns == file.columns
        assert table.source
        assert len(table) > 0
        assert all(len(row) == len(file.columns) for row in table)
    else:
        assert file.read()["source"].strip()


# -- broken files ---------------------------------------------------------------------------------
def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path, columns: tuple[str, ...] = ("a", "b")) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        datafile.read_tsv_path(path, columns)
    return caught.value


def test_a_good_file_gives_rows_that_know_their_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "# source: a grammar\n# a: the form\na\tb\nx\ty\n\nz\t\n")
    table = datafile.read_tsv_path(path, ("a", "b"))
    assert table.source == "a grammar"
    assert table.comments == ("source: a grammar", "a: the form")
    assert [dict(row) for row in table] == [{"a": "x", "b": "y"}, {"a": "z", "b": ""}]
    assert [row.line for row in table] == [4, 6]
    assert str(table.error(table.rows[1], "bad b")) == f"{path}, line 6: bad b"


def test_a_header_other_than_the_declared_columns_names_its_line(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, "# source: x\na\tc\n1\t2\n"))
    assert (error.file, error.line) == (str(tmp_path / "rules.tsv"), 2)
    assert "the header is a | c, expected a | b" in str(error)
    assert str(error).startswith(f"{tmp_path / 'rules.tsv'}, line 2: ")


def test_columns_in_another_order_are_a_wrong_header(tmp_path: Path) -> None:
    assert _error(_write(tmp_path, "# source: x\nb\ta\n1\t2\n")).line == 2


def test_a_row_of_the_wrong_width_names_its_line(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, "# source: x\na\tb\n1\t2\n3\t4\t5\n"))
    assert error.line == 4
    assert str(error).endswith("line 4: 3 cells, header has 2")
    assert _error(_write(tmp_path, "# source: x\na\tb\n1\n")).line == 3


def test_a_file_without_a_source_line_is_refused(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, "# the columns: a, b\na\tb\n1\t2\n"))
    assert error.line == 1
    assert "'# source: ...'" in str(error)
    assert "2 '# source:" in str(_error(_write(tmp_path, "# source: x\n# source: y\na\tb\n")))


def test_a_file_of_comments_only_has_no_header(tmp_path: Path) -> None:
    assert "no header row" in str(_error(_write(tmp_path, "# source: x\n")))


def test_the_streaming_reader_yields_the_rows_before_a_bad_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "# license: y\na\tb\n1\t2\n3\t4\t5\n")
    rows = datafile.iter_tsv_path(path, ("a", "b"))
    assert next(rows) == {"a": "1", "b": "2"}
    with pytest.raises(DataFileError, match=r"rules\.tsv, line 4: 3 cells"):
        next(rows)
    with pytest.raises(DataFileError, match="line 2: the header is"):
        list(datafile.iter_tsv_path(path, ("a", "c")))


def test_a_broken_data_file_is_a_gazetteer_error_and_a_value_error(tmp_path: Path) -> None:
    """The CLI maps GazetteerError to exit code 1: the installation cannot be used."""
    error = _error(_write(tmp_path, "a\tb\n"))
    assert isinstance(error, GazetteerError)
    assert isinstance(error, ValueError)


def test_a_missing_packaged_file_is_named() -> None:
    with pytest.raises(DataFileError, match=r"^toponyms/data/nope\.tsv: no such data file"):
        datafile.read_tsv("toponyms.data", "nope.tsv", ("a",))


def test_a_malformed_example_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "# source: x\na\tb\nowie\tLwowie → Lwów, Kijowa\n")
    table = datafile.read_tsv_path(path, ("a", "b"))
    with pytest.raises(DataFileError, match=r"line 3: example 'Kijowa' is not"):
        Examples(column="b").of(table)


def test_json_needs_a_source_and_names_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text('{"source": "fitted", "a": 1}', encoding="utf-8")
    assert datafile.read_json_path(path) == {"source": "fitted", "a": 1}
    path.write_text(json.dumps({"a": 1}), encoding="utf-8")
    with pytest.raises(DataFileError, match=r'weights\.json: no "source"'):
        datafile.read_json_path(path)
    assert datafile.read_json_path(path, require_source=False) == {"a": 1}
    path.write_text('{\n  "source": "x",\n  "a": 1,\n}\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"weights\.json, line 4: not JSON") as caught:
        datafile.read_json_path(path)
    assert caught.value.line == 4
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DataFileError, match="a JSON object is required"):
        datafile.read_json_path(path)


# -- the examples of every file ------------------------------------------------------------------
def _counterpart(given: str, expected: str) -> bool:
    """uk_ru.tsv: each sample pair is found in both directions (ё read as е)."""

    def fold(text: str) -> str:
        return normalize(text).replace("ё", "е")

    found_ru = [fold(c) for c in ukru.counterparts(given)]
    found_uk = [fold(c) for c in ukru.counterparts(expected)]
    return fold(expected) in found_ru and fold(given) in found_uk


def _ending(lang: str, given: str, expected: str) -> bool:
    """endings.tsv: 'Nominative→Form', the form lemmatised gives the nominative."""
    return normalize(given) in lemma_candidates(normalize(expected), lang)


def _land(given: str, expected: str) -> bool:
    endings = sorted(curated.read_land_endings(), key=lambda e: -len(e.adjective))
    return curated.land_name(given, [e for e in endings if e.lang == "uk"]) == expected


CHECKS: dict[str, Callable[[Sample], bool]] = {
    "toponyms/data/latin_endings.tsv": lambda s: s.expected in latin_lemmas(s.given),
    "toponyms/text/data/uk_ru.tsv": lambda s: _counterpart(s.given, s.expected),
    "gazetteer/data/land_endings.tsv": lambda s: _land(s.given, s.expected),
    "gazetteer/data/ru_spellings.tsv": lambda s: russian.press_variants(s.given) == [s.expected],
}


def _check(sample: Sample) -> bool:
    if sample.file == datafile.ENDINGS.file:
        row = next(r for r in datafile.ENDINGS.read() if r.line == sample.line)
        return _ending(row["lang"], sample.given, sample.expected)
    if sample.file.startswith("toponyms/text/schemes/"):
        scheme = datafile.read_json(datafile.SCHEMES, sample.file.rsplit("/", 1)[-1])
        return bool(romanize(sample.given, scheme["name"]) == sample.expected)
    return CHECKS[sample.file](sample)


SAMPLES = datafile.samples(DECLARED)


def test_every_file_with_examples_has_a_check() -> None:
    with_examples = {s.file for s in SAMPLES}
    schemes = {s for s in with_examples if s.startswith("toponyms/text/schemes/")}
    assert with_examples - schemes - {datafile.ENDINGS.file} == set(CHECKS)
    assert len(schemes) >= 16
    assert len(SAMPLES) >= 500


@pytest.mark.parametrize(
    "sample", SAMPLES, ids=[f"{s.file.rsplit('/', 1)[-1]}:{s.line}:{s.given}" for s in SAMPLES]
)
def test_every_example_of_every_data_file_holds(sample: Sample) -> None:
    assert _check(sample), sample


@pytest.mark.parametrize(
    ("given", "expected"), [("Lwowie", "Lwów"), ("Pradze", "Praga"), ("Oděse", "Oděsa")]
)
def test_the_latin_examples_named_in_the_issue(given: str, expected: str) -> None:
    """Issue 10 named three examples of latin_endings.tsv that once failed."""
    assert Sample(datafile.LATIN_ENDINGS.file, 0, given, expected) in [
        Sample(s.file, 0, s.given, s.expected) for s in datafile.LATIN_ENDINGS.samples()
    ]
    assert expected in latin_lemmas(given)


def test_the_curated_data_checks_expect_the_declared_columns() -> None:
    """``tests/test_curated_data.py`` checks the content of some files column by column;
    its columns are the ones the reader enforces."""
    from test_curated_data import SPECS

    declared = {file.file: file.columns for file in DECLARED if isinstance(file, TsvFile)}
    for path, spec in SPECS.items():
        assert tuple(spec["columns"]) == declared[path.relative_to(ROOT).as_posix()], path
