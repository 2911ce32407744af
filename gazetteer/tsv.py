"""Reading and writing the project's TSV data files.

Every data file in the project is UTF-8 TSV with one header row. Lines that start
with ``#`` before the header carry provenance (``# source: ...; license: ...``) and are
kept apart from the rows. Cells never contain tabs or newlines; the writer refuses them
rather than produce a file that reads back differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from toponyms.errors import GazetteerError


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """Yield each data row of a TSV file as a dict keyed by the header's column names."""
    with path.open(encoding="utf-8", newline="") as handle:
        header: list[str] | None = None
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\n").rstrip("\r")
            if header is None:
                if line.startswith("#") or not line.strip():
                    continue
                header = line.split("\t")
                continue
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != len(header):
                raise GazetteerError(
                    f"{path.name}, line {number}: {len(cells)} cells, header has {len(header)}"
                )
            yield dict(zip(header, cells, strict=True))


def read_comments(path: Path) -> list[str]:
    """The ``#`` lines standing before the header (provenance), without the ``#``."""
    comments: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            comments.append(line[1:].strip())
    return comments


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
