"""KOATUU, Ukraine's settlement classifier before the 2020 reform (ДК 014-97, Держстат).

KOATUU is the last official source that gives every Ukrainian settlement a Russian name
(its 2019 edition has a Russian column), and its raions are the 490 raions that existed
until July 2020. Neither is in KATOTTG, the codifier that replaced it. Two extracts are
kept:

``koatuu_ru.tsv``
    one row a KATOTTG settlement: its KATOTTG code, its KOATUU 2019 code, and the
    Ukrainian and Russian names of the 2019 edition, in capitals as published
    (``КЛІЩІЇВКА`` / ``КЛЕЩИЕВКА``). The link KOATUU → KATOTTG is the official
    transition table, by code where the code survived and by a name unique in its oblast
    where it did not (see the source's README); the Ukrainian name of 2019 is kept so
    that the build can tell a Russian name of the current name from one of a former name
    (Желанне, now Благодатне: ``ЖЕЛАННОЕ`` is the Russian of the old name), and the
    raion or city council the settlement lay in (``БАХМУТСЬКИЙ РАЙОН``, ``ТОРЕЦЬК``),
    which the GeoNames postal extract names too: a postal point is the settlement's only
    when it lies in the same old raion.
``koatuu_raions.tsv``
    one row a pre-2020 raion: its KOATUU code, its Ukrainian name in the editions of 2015
    and 2019 and its Russian name of 2019 (the raion part only: ``БАХМУТСЬКИЙ РАЙОН``),
    and its successor: the KATOTTG raion that holds most of its settlements, with the
    share of them it holds.

Upstream format: the TSV files of the KOATUU editions of 2015-07-15 and 2019-05-30 and of
the settlement link table (columns named in their header; see :func:`parse`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows

LICENSE = "official classifier of Ukraine (State Statistics Service), open data"
SOURCE = "KOATUU (ДК 014-97), State Statistics Service of Ukraine"
SETTLEMENT_COLUMNS = ("katottg", "koatuu", "name_uk", "name_ru", "old_unit")
RAION_COLUMNS = ("koatuu", "name_uk_2015", "name_uk", "name_ru", "successor", "share")


@dataclass(frozen=True, slots=True)
class Settlement:
    """A KATOTTG settlement's names in KOATUU 2019 (capitals, as published)."""

    katottg: str
    koatuu: str
    name_uk: str
    name_ru: str
    old_unit: str  # the raion (БАХМУТСЬКИЙ РАЙОН) or city council (ТОРЕЦЬК) it lay in, 2019


@dataclass(frozen=True, slots=True)
class OldRaion:
    """A raion as it was before the 2020 reform, and the KATOTTG raion that succeeds it."""

    koatuu: str
    name_uk_2015: str
    name_uk: str
    name_ru: str
    successor: str  # KATOTTG code of the raion holding most of its settlements
    share: float  # the share of its linked settlements that raion holds


def _raion_part(name: str) -> str:
    """``БАХМУТСЬКИЙ РАЙОН/М.БАХМУТ`` → ``БАХМУТСЬКИЙ РАЙОН`` (the centre is a place of its own)."""
    return name.split("/", 1)[0].strip()


def is_old_raion_code(code: str) -> bool:
    """A level-2 KOATUU code of a raion (digit 3 is 2, digits 4-5 not 00, the rest zeros)."""
    return len(code) == 10 and code[2] == "2" and code[3:5] != "00" and code[5:] == "00000"


def parse(
    link_table: Path,
    edition_2019: Path,
    edition_2015: Path,
    raion_of: dict[str, str],
) -> tuple[list[Settlement], list[OldRaion]]:
    """Read the upstream tables; ``raion_of`` maps a KATOTTG settlement code to its raion's.

    Settlements without a KATOTTG link or without a Russian name are left out; so are
    links to codes the current codifier no longer has (``raion_of`` lacks them).
    """
    settlements: list[Settlement] = []
    successors: dict[str, Counter[str]] = defaultdict(Counter)
    for row in read_rows(link_table):
        code, russian = row["katottg"].strip(), row["name_ru_2019"].strip()
        if not code or code not in raion_of:
            continue
        if russian:
            settlements.append(
                Settlement(
                    code,
                    row["koatuu_2019"],
                    row["name_uk_2019"].strip(),
                    russian,
                    _raion_part(row["raion_or_council_2019"]),
                )
            )
        old_raion = row["koatuu_2019"][:5] + "00000"
        if is_old_raion_code(old_raion) and raion_of[code]:
            successors[old_raion][raion_of[code]] += 1
    names_2015 = {r["koatuu"]: r["name_uk"] for r in read_rows(edition_2015)}
    raions: list[OldRaion] = []
    for row in read_rows(edition_2019):
        code = row["koatuu"]
        if not is_old_raion_code(code) or code not in successors:
            continue
        (successor, count), *_ = sorted(successors[code].items(), key=lambda kv: (-kv[1], kv[0]))
        raions.append(
            OldRaion(
                koatuu=code,
                name_uk_2015=_raion_part(names_2015.get(code, "")),
                name_uk=_raion_part(row["name_uk"]),
                name_ru=_raion_part(row["name_ru"]),
                successor=successor,
                share=round(count / sum(successors[code].values()), 2),
            )
        )
    return settlements, raions


def write_settlements(path: Path, rows: Iterable[Settlement], *, comments: list[str]) -> int:
    ordered = sorted(rows, key=lambda s: (s.katottg, s.koatuu))
    return write_rows(
        path,
        SETTLEMENT_COLUMNS,
        ((s.katottg, s.koatuu, s.name_uk, s.name_ru, s.old_unit) for s in ordered),
        comments=comments,
    )


def write_raions(path: Path, rows: Iterable[OldRaion], *, comments: list[str]) -> int:
    ordered = sorted(rows, key=lambda r: r.koatuu)
    return write_rows(
        path,
        RAION_COLUMNS,
        (
            (r.koatuu, r.name_uk_2015, r.name_uk, r.name_ru, r.successor, f"{r.share:.2f}")
            for r in ordered
        ),
        comments=comments,
    )


def read_settlements(path: Path) -> Iterator[Settlement]:
    for row in read_rows(path, SETTLEMENT_COLUMNS):
        yield Settlement(
            row["katottg"], row["koatuu"], row["name_uk"], row["name_ru"], row["old_unit"]
        )


def read_raions(path: Path) -> Iterator[OldRaion]:
    for row in read_rows(path, RAION_COLUMNS):
        yield OldRaion(
            row["koatuu"],
            row["name_uk_2015"],
            row["name_uk"],
            row["name_ru"],
            row["successor"],
            float(row["share"]),
        )
