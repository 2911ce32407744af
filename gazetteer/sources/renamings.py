"""Official renamings of Ukrainian settlements, found by comparing classifier editions.

Two comparisons, each of one code in two editions (no hand editing):

- KOATUU 2015-07-15 → 2019-05-30: the decommunisation renamings of 2016 (Артемівськ →
  Бахмут, about 900 settlements) and spelling corrections. The 2015 edition has no
  Russian column, so only the old Ukrainian name is known.
- KATOTTG 2020 → the shipped edition: the renamings of 2021-2024, the 2024 law among them
  (Желанне → Благодатне, Новомосковськ → Самар), with the Russian form of the old name
  that KOATUU 2019 gives (``ЖЕЛАННОЕ``).

The extract ``ua_renamings.tsv`` holds one row a renamed KATOTTG settlement: its code,
the old Ukrainian and Russian names (as published: KOATUU in capitals), the new
Ukrainian name, which comparison found it (``koatuu2015-2019`` or ``katottg2020-2024``)
and the similarity of the two Ukrainian names (difflib ratio; below 0.7 a real renaming,
above mostly a spelling fix).

Upstream format: ``renamed_koatuu_2015_to_2019.tsv`` and
``renamed_katottg_2020_to_current.tsv`` (columns named in their header; see :func:`parse`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows

LICENSE = "official classifier of Ukraine (KOATUU: State Statistics Service; KATOTTG: Ministry)"
COLUMNS = ("katottg", "category", "old_uk", "old_ru", "new_uk", "edition", "similarity")
EDITIONS = ("koatuu2015-2019", "katottg2020-2024")
# KATOTTG categories kept: settlements, and hromadas and raions of the 2020-2024 comparison.
CATEGORIES = frozenset("MTXCHP")
_KOATUU_CATEGORY = {"М": "M", "Т": "T", "Щ": "X", "С": "C"}


@dataclass(frozen=True, slots=True)
class Renaming:
    """One settlement's official change of name between two classifier editions."""

    katottg: str
    category: str  # KATOTTG category letter (M T X C, or H P for hromadas and raions)
    old_uk: str
    old_ru: str
    new_uk: str
    edition: str
    similarity: float


def parse(
    koatuu_diff: Path,
    katottg_diff: Path,
    katottg_of_koatuu: dict[str, str],
    current_codes: frozenset[str],
) -> list[Renaming]:
    """Read both comparisons; ``katottg_of_koatuu`` links a KOATUU 2019 code to KATOTTG.

    KOATUU's councils, raions and city districts are left out (the raions are the old
    ones, see :mod:`gazetteer.sources.koatuu`), and so are codes the shipped codifier
    lacks (``current_codes``).
    """
    found: list[Renaming] = []
    for row in read_rows(koatuu_diff):
        if row["kind"] != "settlement":
            continue
        code = katottg_of_koatuu.get(row["koatuu"], "")
        if code not in current_codes:
            continue
        found.append(
            Renaming(
                code,
                _KOATUU_CATEGORY.get(row["category"], ""),
                row["name_uk_2015"].strip(),
                "",
                row["name_uk_2019"].strip(),
                EDITIONS[0],
                float(row["name_similarity"] or 0),
            )
        )
    for row in read_rows(katottg_diff):
        category = row["category"].strip()
        if category not in CATEGORIES or row["katottg"] not in current_codes:
            continue
        found.append(
            Renaming(
                row["katottg"],
                category,
                row["name_uk_2020"].strip(),
                row["name_ru_old_koatuu2019"].strip(),
                row["name_uk_current"].strip(),
                EDITIONS[1],
                float(row["name_similarity"] or 0),
            )
        )
    return found


def write(path: Path, rows: Iterable[Renaming], *, comments: list[str]) -> int:
    ordered = sorted(set(rows), key=lambda r: (r.katottg, r.edition, r.old_uk))
    return write_rows(
        path,
        COLUMNS,
        (
            (
                r.katottg,
                r.category,
                r.old_uk,
                r.old_ru,
                r.new_uk,
                r.edition,
                f"{r.similarity:.2f}",
            )
            for r in ordered
        ),
        comments=comments,
    )


def read(path: Path) -> Iterator[Renaming]:
    for row in read_rows(path, COLUMNS):
        yield Renaming(
            row["katottg"],
            row["category"],
            row["old_uk"],
            row["old_ru"],
            row["new_uk"],
            row["edition"],
            float(row["similarity"]),
        )
