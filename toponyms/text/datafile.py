"""The one reader of the project's data files: rule tables, curated lists, weights.

**TSV.** A data file is UTF-8, tab-separated, in three parts:

1. leading comment lines starting with ``#``; exactly one of them names the source,
   ``# source: <where the facts come from>`` (a licence may follow on the same line after
   ``; license:`` or on a line of its own); the other lines explain the columns;
2. one header row: the column names, exactly those its reader declares, in order;
3. the rows, each with as many cells as the header. Blank lines are skipped, and so are
   later ``#`` lines (no packaged file has any: ``tests/test_curated_data.py`` checks).

:func:`read_tsv` (a packaged file) and :func:`read_tsv_path` (a file on disk, such as a
gazetteer build's ``data_dir``) check all three and return a :class:`Table`: the source,
the comments, and the rows as :class:`Row` dicts that remember their line.
:func:`iter_tsv_path` streams the rows of a large file (the source extracts) under the
same checks. Any breach raises :class:`~toponyms.errors.DataFileError` naming the file
and the line.

**JSON.** :func:`read_json` and :func:`read_json_path` read an object with a non-empty
``"source"`` string, under the same error.

**Samples.** A file that carries examples declares where (:class:`Examples`); the
examples of every file (:func:`samples`) drive one parametrised test
(``tests/test_datafile.py``), each checked by the module that uses the file.

**Registry.** :data:`FILES` declares every data file of the ``toponyms`` package with
its columns; the gazetteer declares its own (``gazetteer.curated.FILES``,
``gazetteer.sources.FILES``). A test reads every file found in the package folders
through its declaration, so an undeclared or broken file fails the suite.

Pure: no SQLite, no imports of the rest of the project but its errors (the gazetteer and
the matcher build on this module).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from toponyms.errors import DataFileError

SOURCE_PREFIX = "source:"
#: How one example cell separates the given form from the expected one, and examples
#: from each other: ``Lwowie → Lwów, Charkowie → Charków``.
EXAMPLE_ARROW = "→"
EXAMPLE_SEPARATOR = ","


class Row(dict[str, str]):
    """One data row, column name → cell text, that remembers its line in the file."""

    __slots__ = ("line",)

    def __init__(self, cells: Iterable[tuple[str, str]], line: int) -> None:
        super().__init__(cells)
        self.line = line


@dataclass(frozen=True, slots=True)
class Table:
    """A TSV data file as read: its name for messages, its source line, its comment lines
    (without ``#``), its columns and its rows."""

    file: str
    source: str
    comments: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def error(self, row: Row, message: str) -> DataFileError:
        """An error about ``row`` (for a reader's own checks of the cells)."""
        return DataFileError(self.file, row.line, message)


@dataclass(frozen=True, slots=True)
class Sample:
    """One example a data file carries: ``given`` should give ``expected`` under the rule
    on ``line`` of ``file`` (what "give" means is the using module's)."""

    file: str
    line: int
    given: str
    expected: str


@dataclass(frozen=True, slots=True)
class Examples:
    """Where a TSV file keeps its examples.

    Either in one ``column`` as ``given → expected`` (several separated by commas), or in
    two columns ``given`` and ``expected``; only on rows whose column ``only[0]`` holds
    ``only[1]`` when ``only`` is set. An empty cell is no example.
    """

    column: str | None = None
    given: str | None = None
    expected: str | None = None
    only: tuple[str, str] | None = None

    def of(self, table: Table) -> list[Sample]:
        """The examples of ``table``; a malformed example cell is a :class:`DataFileError`."""
        found: list[Sample] = []
        for row in table:
            if self.only is not None and row[self.only[0]] != self.only[1]:
                continue
            if self.column is not None:
                found.extend(_example_cell(table, row, row[self.column]))
            elif self.given is not None and self.expected is not None:
                given, expected = row[self.given], row[self.expected]
                if given and expected:
                    found.append(Sample(table.file, row.line, given, expected))
        return found


def _example_cell(table: Table, row: Row, cell: str) -> list[Sample]:
    if not cell:
        return []
    found = []
    for item in cell.split(EXAMPLE_SEPARATOR):
        given, arrow, expected = (part.strip() for part in item.partition(EXAMPLE_ARROW))
        if not arrow or not given or not expected:
            shape = f"given {EXAMPLE_ARROW} expected"
            raise table.error(row, f"example {item.strip()!r} is not {shape!r}")
        found.append(Sample(table.file, row.line, given, expected))
    return found


# -- TSV -----------------------------------------------------------------------------------------
def read_tsv(package: str, name: str, columns: Sequence[str]) -> Table:
    """Read the packaged TSV file ``name`` of ``package`` (``name`` may hold a folder:
    ``data/renamings.tsv``), checking it against ``columns``."""
    file = _packaged(package, name)
    return _table(_label(package, name), _lines(file, _label(package, name)), columns, True)


def read_tsv_path(path: Path, columns: Sequence[str], *, require_source: bool = True) -> Table:
    """Read the TSV file at ``path``, checking it against ``columns`` (a source line
    required unless ``require_source`` is false)."""
    return _table(str(path), _lines(path, str(path)), columns, require_source)


def iter_tsv_path(
    path: Path, columns: Sequence[str] | None = None, *, require_source: bool = False
) -> Iterator[Row]:
    """Stream the rows of the TSV file at ``path``: a bad row raises when it is reached,
    after the rows before it. ``columns`` ``None`` takes any header (upstream files that
    ``gazetteer extract`` reads); a source line is required only if asked."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (raw.rstrip("\n").rstrip("\r") for raw in handle)
        yield from _parse(str(path), lines, columns, require_source).rows


def comments_of(path: Path) -> list[str]:
    """The ``#`` lines before the header of the TSV file at ``path``, without the ``#``
    (provenance: ``source: ...``, ``license: ...``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (raw.rstrip("\n").rstrip("\r") for raw in handle)
        return list(_parse(str(path), lines, None, False).comments)


def _table(file: str, lines: Iterable[str], columns: Sequence[str], require_source: bool) -> Table:
    parsed = _parse(file, lines, columns, require_source)
    rows = tuple(parsed.rows)
    return Table(file, parsed.source, parsed.comments, parsed.columns, rows)


@dataclass(slots=True)
class _Parsed:
    source: str
    comments: tuple[str, ...]
    columns: tuple[str, ...]
    rows: Iterator[Row]


def _parse(
    file: str, lines: Iterable[str], expected: Sequence[str] | None, require_source: bool
) -> _Parsed:
    """The head of a TSV file read at once (comments, source, header, checked), its rows
    as a lazy iterator."""
    numbered = enumerate(lines, start=1)
    comments: list[str] = []
    header: tuple[str, ...] | None = None
    header_line = 0
    for number, line in numbered:
        if line.startswith("#"):
            comments.append(line[1:].strip())
        elif line.strip():
            header, header_line = tuple(line.split("\t")), number
            break
    if header is None:
        raise DataFileError(file, None, "no header row (the file has only comments, or nothing)")
    sources = [c for c in comments if c.lower().startswith(SOURCE_PREFIX)]
    if require_source and len(sources) != 1:
        what = "no" if not sources else f"{len(sources)}"
        raise DataFileError(
            file, 1, f"{what} '# {SOURCE_PREFIX} ...' lines before the header; one is required"
        )
    if expected is not None and header != tuple(expected):
        raise DataFileError(
            file, header_line, f"the header is {_columns(header)}, expected {_columns(expected)}"
        )
    source = sources[0][len(SOURCE_PREFIX) :].strip() if sources else ""
    return _Parsed(source, tuple(comments), header, _rows(file, numbered, header))


def _columns(names: Sequence[str]) -> str:
    return " | ".join(names)


def _rows(file: str, numbered: Iterator[tuple[int, str]], header: tuple[str, ...]) -> Iterator[Row]:
    width = len(header)
    for number, line in numbered:
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != width:
            raise DataFileError(file, number, f"{len(cells)} cells, header has {width}")
        yield Row(zip(header, cells, strict=True), number)


# -- JSON ----------------------------------------------------------------------------------------
def read_json(package: str, name: str) -> dict[str, Any]:
    """The JSON object of the packaged file ``name`` of ``package``, which must name its
    source (a non-empty ``"source"`` string)."""
    label = _label(package, name)
    return _json(label, _text(_packaged(package, name), label), require_source=True)


def read_json_path(path: Path, *, require_source: bool = True) -> dict[str, Any]:
    """The JSON object of the file at ``path`` (a user's weights or model file, say)."""
    return _json(str(path), _text(path, str(path)), require_source=require_source)


def _json(file: str, text: str, *, require_source: bool) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(file, error.lineno, f"not JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise DataFileError(file, 1, f"a JSON object is required, not {type(data).__name__}")
    source = data.get("source")
    if require_source and (not isinstance(source, str) or not source.strip()):
        raise DataFileError(file, None, 'no "source": the object must say where it comes from')
    return data


def json_names(package: str) -> list[str]:
    """The names of the JSON files packaged in ``package``, sorted (the scheme registry)."""
    return sorted(e.name for e in resources.files(package).iterdir() if e.name.endswith(".json"))


# -- files ---------------------------------------------------------------------------------------
def _packaged(package: str, name: str) -> Traversable:
    file = resources.files(package)
    for part in name.split("/"):
        file = file.joinpath(part)
    return file


def _label(package: str, name: str) -> str:
    """``toponyms/data/type_words.tsv``: the file as a developer finds it in the tree."""
    return f"{package.replace('.', '/')}/{name}"


def _text(file: Traversable | Path, label: str) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(label, None, "no such data file") from None
    except UnicodeDecodeError as error:
        raise DataFileError(label, None, f"not UTF-8 (byte {error.start + 1})") from None


def _lines(file: Traversable | Path, label: str) -> list[str]:
    return _text(file, label).splitlines()


# -- the declarations ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TsvFile:
    """A packaged TSV data file: where it lives, the columns its header names, and where
    it keeps its examples (if it does)."""

    package: str
    name: str
    columns: tuple[str, ...]
    examples: Examples | None = None

    @property
    def file(self) -> str:
        return _label(self.package, self.name)

    def read(self, directory: Path | None = None) -> Table:
        """Read the packaged file; or, with ``directory``, the file of the same name there
        (a gazetteer build from another data folder), under the same rules."""
        if directory is None:
            return read_tsv(self.package, self.name, self.columns)
        return read_tsv_path(directory / self.name.rsplit("/", 1)[-1], self.columns)

    def samples(self) -> list[Sample]:
        """The file's examples (none when it declares none)."""
        return self.examples.of(self.read()) if self.examples else []


@dataclass(frozen=True, slots=True)
class JsonFile:
    """A packaged JSON data file; ``samples``: the key of its ``[given, expected]`` pairs."""

    package: str
    name: str
    samples_key: str | None = None

    @property
    def file(self) -> str:
        return _label(self.package, self.name)

    def read(self) -> dict[str, Any]:
        return read_json(self.package, self.name)

    def samples(self) -> list[Sample]:
        """The file's ``[given, expected]`` pairs (line numbers are not kept by JSON: 0)."""
        if self.samples_key is None:
            return []
        pairs = self.read().get(self.samples_key, [])
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
            for p in pairs
        ):
            what = f"{self.samples_key!r} must be a list of [given, expected] pairs"
            raise DataFileError(self.file, None, what)
        return [Sample(self.file, 0, given, expected) for given, expected in pairs]


DataFile = TsvFile | JsonFile

_DATA = "toponyms.data"
_TEXT = "toponyms.text.data"
SCHEMES = "toponyms.text.schemes"

CONTEXT_WORDS = TsvFile(_DATA, "context_words.tsv", ("word", "role", "lang"))
DIRECTION_WORDS = TsvFile(_DATA, "direction_words.tsv", ("word", "lang", "region_word"))
LATIN_ENDINGS = TsvFile(
    _DATA,
    "latin_endings.tsv",
    ("lang", "oblique", "nominative", "example"),
    Examples(column="example"),
)
NON_PLACES = TsvFile(
    _DATA, "non_places.tsv", ("word", "lang", "category", "place_reading", "note", "source")
)
RAION_ADJECTIVES = TsvFile(_DATA, "raion_adjectives.tsv", ("lang", "ending"))
TYPE_WORDS = TsvFile(_DATA, "type_words.tsv", ("word", "role", "lang", "kinds"))
ENDINGS = TsvFile(
    _TEXT,
    "endings.tsv",
    (
        "lang",
        "paradigm",
        "pos",
        "gender",
        "nominative",
        "oblique",
        "cases",
        "stem",
        "sample",
        "source",
    ),
    Examples(column="sample"),
)
UK_RU = TsvFile(
    _TEXT,
    "uk_ru.tsv",
    ("kind", "uk", "ru", "cost", "dir", "note"),
    Examples(given="uk", expected="ru", only=("kind", "sample")),
)
NAME_WORDS = TsvFile(_TEXT, "name_words.tsv", ("word", "role", "langs"))
ADJECTIVE_ENDINGS = TsvFile(
    _TEXT, "adjective_endings.tsv", ("lang", "masculine", "feminine", "neuter", "plural")
)
LANG_ENDINGS = TsvFile(_TEXT, "lang_endings.tsv", ("lang", "ending"))
OBLIQUE_ENDINGS = TsvFile(_TEXT, "oblique_endings.tsv", ("ending", "langs"))
LANGUAGE_WORDS = TsvFile(_TEXT, "language_words.tsv", ("item", "kind", "lang"))
REGION_ADJECTIVE_ENDINGS = TsvFile(
    _DATA, "region_adjective_endings.tsv", ("lang", "oblique", "nominative", "head", "example")
)
MENTION_MODEL = JsonFile(_DATA, "mention_model.json")
RECONCILE = JsonFile(_DATA, "reconcile.json")
SPREADSHEET = JsonFile(_DATA, "spreadsheet.json")
WEIGHTS = JsonFile(_DATA, "weights.json")


def scheme_files() -> list[JsonFile]:
    """One declaration per transliteration scheme file (found in the package)."""
    return [JsonFile(SCHEMES, name, samples_key="samples") for name in json_names(SCHEMES)]


#: Every data file of the ``toponyms`` package.
FILES: tuple[DataFile, ...] = (
    CONTEXT_WORDS,
    DIRECTION_WORDS,
    LATIN_ENDINGS,
    NON_PLACES,
    RAION_ADJECTIVES,
    TYPE_WORDS,
    ENDINGS,
    UK_RU,
    NAME_WORDS,
    ADJECTIVE_ENDINGS,
    LANG_ENDINGS,
    OBLIQUE_ENDINGS,
    LANGUAGE_WORDS,
    REGION_ADJECTIVE_ENDINGS,
    MENTION_MODEL,
    RECONCILE,
    SPREADSHEET,
    WEIGHTS,
    *scheme_files(),
)


def samples(files: Iterable[DataFile]) -> list[Sample]:
    """The examples of every file in ``files``, in order."""
    return [sample for file in files for sample in file.samples()]
