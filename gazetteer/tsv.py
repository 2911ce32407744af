"""Reading and writing the gazetteer's TSV files (source extracts, upstream tables).

Every data file in the project is UTF-8 TSV with one header row. Lines that start
with ``#`` before the header carry provenance (``# source: ...; license: ...``) and are
kept apart from the rows. Cells never contain tabs or newlines; the writer refuses them
rather than produce a file that reads back differently.

Reading is :mod:`toponyms.text.datafile`'s (one parser for every data file); these are
its streaming form for files named by path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from toponyms.errors import GazetteerError
from toponyms.text import datafile


def read_rows(path: Path, columns: Sequence[str] | None = None) -> Iterator[dict[str, str]]:
    """Yield each data row of a TSV file as a dict keyed by the header's column names.

    With ``columns``, the header must be exactly those (a source extract of another
    shape is refused, naming the file and line, before any row); without, any header
    (the upstream tables ``gazetteer extract`` reads). A row of another width raises
    :class:`~toponyms.errors.DataFileError` when it is reached."""
    return datafile.iter_tsv_path(path, columns)


def read_comments(path: Path) -> list[str]:
    """The ``#`` lines standing before the header (provenance), without the ``#``."""
    return datafile.comments_of(path)


def write_rows(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    comments: Sequence[str] = (),
) -> int:
    """Write rows (sequences in column order) to ``path``; returns the number written.

    ``None`` is written as an empty cell. The file is written to a temporary name and
    renamed into place, so a failed write never leaves half a file behind.
    """
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        count = _write(tmp, columns, rows, comments, path.name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return count


def _write(
    tmp: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    comments: Sequence[str],
    label: str,
) -> int:
    count = 0
    with tmp.open("w", encoding="utf-8", newline="\n") as handle:
        for comment in comments:
            handle.write(f"# {comment}\n")
        handle.write("\t".join(columns) + "\n")
        for row in rows:
            cells = ["" if cell is None else str(cell) for cell in row]
            if len(cells) != len(columns):
                raise GazetteerError(f"{label}: a row has {len(cells)} cells, not {len(columns)}")
            for cell in cells:
                if "\t" in cell or "\n" in cell or "\r" in cell:
                    raise GazetteerError(f"{label}: a cell holds a tab or newline: {cell!r}")
            handle.write("\t".join(cells) + "\n")
            count += 1
    return count
