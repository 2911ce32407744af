"""Read and write the spreadsheets people keep place names in: CSV, TSV and XLSX.

Humanitarian 3W/5W sheets, event datasets and survey exports arrive as UTF-8 CSV (with or
without the byte-order mark Excel writes), as cp1251 CSV from Ukrainian and Russian office
machines, as semicolon-separated CSV (Excel's choice in those locales), as UTF-16 "Unicode
text" from Excel, or as XLSX workbooks. :func:`read_table` takes any of them apart into a
header and rows of cells; :func:`write_table` writes a header and rows back in the format
an output path's extension names. The first row is always the header.

A table is read into memory whole: spreadsheets are small next to a gazetteer, and the
encoding of a file can only be told from all of its bytes (a cp1251 byte may first appear
on the last line).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from toponyms.errors import InvalidInputError

#: The formats, by the extensions that name them.
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx"}
SNIFF_DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
#: Below this share of Cyrillic letters among its non-ASCII characters, bytes that are not
#: UTF-8 are not taken for cp1251 text (cp1251 decodes almost any byte, so the share tells
#: a Cyrillic text from a binary file or another code page).
CP1251_MIN_CYRILLIC = 0.8
XLSX_HINT = "pip install 'toponyms[xlsx]' (openpyxl) to read and write .xlsx files"

Cell = Any  # str for CSV/TSV; str, int, float, bool, datetime or None for XLSX


@dataclass(frozen=True, slots=True)
class Table:
    """A table as read: its header, its rows (each as long as the header), and how it was
    read (``format`` csv/tsv/xlsx, ``encoding``, ``delimiter``), so that it can be written
    back the same way."""

    header: tuple[str, ...]
    rows: list[list[Cell]]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    note: str | None = None  # what a user should know about how it was read (cp1251)

    def column(self, name: str) -> int:
        """The index of column ``name``; an error listing the columns when it is absent."""
        try:
            return self.header.index(name)
        except ValueError:
            columns = ", ".join(repr(c) for c in self.header)
            raise InvalidInputError(f"no column {name!r}; the columns are {columns}") from None


def format_of(path: str | os.PathLike[str], *, what: str = "file") -> str:
    """csv, tsv or xlsx, from the extension; an error for any other."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise InvalidInputError(
            f"{path}: old .xls workbooks are not read; save it as .xlsx or CSV in Excel"
        )
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(sorted(EXTENSIONS))
        raise InvalidInputError(f"{what} {path}: unknown extension (use one of {known})") from None


# -- reading ---------------------------------------------------------------------------------
def read_table(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Read a CSV, TSV or XLSX file; the format comes from its extension (or, for a
    workbook misnamed ``.csv``, from its first bytes).

    ``encoding`` ``None`` detects it (see :func:`decode`); ``delimiter`` ``None`` sniffs
    it for CSV (tab for TSV); ``sheet`` picks a worksheet of a workbook (default: the
    first). Errors are :class:`InvalidInputError` with a one-line message.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise InvalidInputError(f"cannot read {path}: permission denied") from None
    if data.startswith(b"PK\x03\x04"):
        fmt = "xlsx"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInputError(
            f"{path} is an old Excel (.xls) workbook; save it as .xlsx or CSV in Excel"
        )
    else:
        fmt = format_of(file)
        if fmt == "xlsx":
            raise InvalidInputError(f"{path} is not an .xlsx workbook (it is no zip file)")
    if fmt == "xlsx":
        return _read_xlsx(file, data, sheet=sheet)
    text, used, note = decode(data, encoding=encoding, name=str(path))
    if delimiter is None:
        delimiter = "\t" if fmt == "tsv" else sniff_delimiter(text)
    elif len(delimiter) != 1:
        named = {"\\t": "\t", "tab": "\t"}
        if delimiter.lower() not in named:
            raise InvalidInputError(f"--delimiter must be one character, not {delimiter!r}")
        delimiter = named[delimiter.lower()]
    header, rows = _split_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), path)
    return Table(header, rows, fmt, encoding=used, delimiter=delimiter, note=note)


def decode(data: bytes, *, encoding: str | None, name: str) -> tuple[str, str, str | None]:
    """The text of ``data``, the encoding used, and a note for the user (or ``None``).

    Without ``encoding``: a UTF-8 or UTF-16 byte-order mark decides; else UTF-8 if the
    bytes are UTF-8; else cp1251 (Windows Cyrillic) if they read as Cyrillic text (see
    :data:`CP1251_MIN_CYRILLIC`), with a note saying so; else the file is refused.
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding, None
        except LookupError:
            raise InvalidInputError(f"--encoding: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as error:
            raise InvalidInputError(
                f"{name} is not {encoding} text "
                f"(byte {error.start + 1} is {data[error.start]:#04x})"
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data.decode("utf-8-sig", errors="strict"), name), "utf-8-sig", None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"), name), "utf-16", None
        except UnicodeDecodeError:
            raise InvalidInputError(f"{name} has a UTF-16 mark but is not UTF-16 text") from None
    try:
        return _checked(data.decode("utf-8"), name), "utf-8", None
    except UnicodeDecodeError as error:
        first_bad = error.start
    try:
        text = _checked(data.decode("cp1251"), name)  # a binary file is refused as such
    except UnicodeDecodeError:
        text = ""
    if text and _cyrillic_share(text) >= CP1251_MIN_CYRILLIC:
        note = (
            f"{name} is not UTF-8; read it as cp1251 (Windows Cyrillic). "
            "Pass --encoding if that is wrong."
        )
        return text, "cp1251", note
    raise InvalidInputError(
        f"{name} is neither UTF-8 nor cp1251 text (byte {first_bad + 1} is "
        f"{data[first_bad]:#04x}); save it as UTF-8 CSV, or pass --encoding"
    )


def _checked(text: str, name: str) -> str:
    """Refuse text with NUL or other control characters: a binary file, not a table."""
    bad = next((ch for ch in text if ch < " " and ch not in "\t\r\n"), None)
    if bad is not None:
        raise InvalidInputError(
            f"{name} looks like a binary file, not a table (it holds the control character "
            f"{ord(bad):#04x}); save it as CSV or .xlsx"
        )
    return text


def _cyrillic_share(text: str) -> float:
    """The share of Cyrillic letters among the non-ASCII characters of ``text``."""
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 1.0
    return sum("\u0400" <= ch <= "\u04ff" for ch in wide) / len(wide)


def sniff_delimiter(text: str) -> str:
    """The delimiter of CSV text: comma, semicolon, tab or bar, as the first lines show."""
    sample = text[:SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=SNIFF_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in SNIFF_DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _split_rows(
    records: Iterable[Sequence[Cell]], path: str | os.PathLike[str]
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    """The header and the rows, each row as long as the header: short rows are padded with
    empty cells, empty cells past the header are dropped; a row with more filled cells
    than the header has is refused (its cells could not be put under their columns)."""
    iterator = iter(records)
    header_cells = next(iterator, None)
    if header_cells is None:
        raise InvalidInputError(f"{path} is empty: a header row is required")
    cells = [_header_text(c) for c in header_cells]
    while cells and not cells[-1]:
        cells.pop()
    if not any(cells):
        raise InvalidInputError(f"{path}: the first row is empty; a header row is required")
    header = tuple(cells)
    width = len(header)
    rows: list[list[Cell]] = []
    for number, record in enumerate(iterator, start=2):
        row = list(record)
        if len(row) > width:
            if any(not _empty(c) for c in row[width:]):
                raise InvalidInputError(
                    f"{path}: row {number} has {len(row)} cells but the header {width}; "
                    "fix the row or the header"
                )
            row = row[:width]
        rows.append(row + [""] * (width - len(row)))
    return header, rows


def _empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header_text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _read_xlsx(path: Path, data: bytes, *, sheet: str | None) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise InvalidInputError(f"{path}: {XLSX_HINT}") from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise InvalidInputError(f"{path} is not a readable .xlsx workbook ({error})") from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            names = ", ".join(repr(n) for n in book.sheetnames)
            raise InvalidInputError(f"{path}: no sheet {sheet!r}; the sheets are {names}")
        # Rows with no value at all are formatting left behind, not records.
        records = (
            row for row in worksheet.iter_rows(values_only=True) if any(not _empty(c) for c in row)
        )
        header, rows = _split_rows(records, path)
    finally:
        book.close()
    for row in rows:
        for i, cell in enumerate(row):
            if cell is None:
                row[i] = ""
    return Table(header, rows, "xlsx", note=None)


# -- writing ---------------------------------------------------------------------------------
def cell_text(cell: Cell) -> str:
    """A cell as CSV text: dates in ISO form, whole floats without ``.0``."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return str(cell)


def write_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    out: str | os.PathLike[str] | None,
    delimiter: str = ",",
    bom: bool = False,
    stdout: TextIO | None = None,
) -> None:
    """Write a table to ``out`` in the format of its extension, or as CSV to ``stdout``
    when ``out`` is ``None``.

    The file is written beside ``out`` and renamed into place when complete, so an error
    halfway never leaves half a table under the asked-for name. ``bom`` starts a CSV or TSV
    file with the UTF-8 byte-order mark (Excel then shows Cyrillic rightly).
    """
    if out is None:
        _write_delimited(header, rows, stdout or sys.stdout, delimiter)
        return
    target = Path(out)
    fmt = format_of(target, what="--out")
    tmp = target.with_name(f".{target.name}.partial")
    try:
        if fmt == "xlsx":
            _write_xlsx(header, rows, tmp)
        else:
            with tmp.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
                _write_delimited(header, rows, handle, "\t" if fmt == "tsv" else delimiter)
        tmp.replace(target)
    except FileNotFoundError:
        raise InvalidInputError(f"--out {out}: no such folder") from None
    except PermissionError:
        raise InvalidInputError(f"--out {out}: permission denied") from None
    finally:
        tmp.unlink(missing_ok=True)


def _write_delimited(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], out: TextIO, delimiter: str
) -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(c) for c in row])


def _write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], path: Path) -> None:
    try:
        import openpyxl
    except ImportError:
        raise InvalidInputError(XLSX_HINT) from None
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append([None if c == "" else c for c in row])
    book.save(path)
