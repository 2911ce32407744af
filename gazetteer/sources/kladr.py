"""KLADR, Russia's address classifier (Federal Tax Service): regions, districts, places.

Upstream format (the TSV of ``hooper21/AddressRU``'s JSON files, state of 2016-09-29, one
row an object): ``kladr_code`` (11 digits ``SS RRR GGG PPP``: region, district, city,
settlement), ``level`` (1 region, 2 district, 3 city or rural council, 4 settlement),
``type_abbr`` (KLADR's abbreviation: ``обл``, ``р-н``, ``г``, ``с``, ``д``, ``пгт``, ...),
``name``, ``postal_index``, and the parents' names.

The extract kept in the repository (``gazetteer/data/sources/kladr_ru.tsv``) holds
``code, level, type, name`` for every region and district, every town and urban-type
settlement of Russia, and every inhabited place of the regions bordering Ukraine
(:data:`BORDER_REGIONS`); the parents are read off the code. Garden plots (``снт``),
territories (``тер``), rural councils (``с/с``) and the like are left out.

KLADR data are official classifier data of the FNS in free public access.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gazetteer.tsv import read_rows, write_rows

LICENSE = (
    "FNS of Russia open data (official classifier, not an object of copyright under"
    " RU Civil Code art. 1259 §6), attribution: KLADR/FIAS, Federal Tax Service of Russia"
    " (via hooper21/AddressRU)"
)
COLUMNS = ("code", "level", "type", "name")
# KLADR region codes whose every inhabited place is kept: Belgorod, Bryansk, Voronezh,
# Kursk and Rostov oblasts, the federal subjects on Ukraine's border.
BORDER_REGIONS = frozenset({"31", "32", "36", "46", "61"})
# KLADR type abbreviations of inhabited places and the kind each becomes.
PLACE_KINDS = {
    "г": "city",
    "пгт": "urban_settlement",
    "рп": "urban_settlement",
    "кп": "urban_settlement",
    "дп": "urban_settlement",
    "п": "settlement",
    "нп": "settlement",
    "ст": "settlement",
    "рзд": "settlement",
    "п/ст": "settlement",
    "ж/д_ст": "settlement",
    "ж/д_рзд": "settlement",
    "с": "village",
    "д": "village",
    "х": "village",
    "сл": "village",
    "ст-ца": "village",
    "м": "village",
    "аул": "village",
    "высел": "village",
    "починок": "village",
    "заимка": "village",
    "аал": "village",
}
# Types kept for all of Russia (to give GeoNames' towns their Russian names).
URBAN_TYPES = frozenset({"г", "пгт", "рп"})
DISTRICT_TYPES = {"р-н": "район", "у": "улус"}


@dataclass(frozen=True, slots=True)
class Row:
    """One KLADR object."""

    code: str  # 11 digits
    level: int
    type: str
    name: str

    @property
    def region(self) -> str:
        return self.code[:2]

    @property
    def district(self) -> str:
        """The district's code (``SSRRR00000000`` cut to 11 digits), or "" when none."""
        return self.code[:5] + "000000" if self.code[2:5] != "000" else ""

    @property
    def city(self) -> str:
        """The code of the city a settlement lies under, or "" when none."""
        return self.code[:8] + "000" if self.level == 4 and self.code[5:8] != "000" else ""


def region_name(type_abbr: str, name: str) -> str:
    """A federal subject's official Russian name in sentence case, from its KLADR row.

    ``обл Курская`` → Курская область, ``край Краснодарский`` → Краснодарский край,
    ``Респ Татарстан`` → Республика Татарстан, ``Респ Удмуртская`` → Удмуртская
    Республика, ``Респ Саха /Якутия/`` → Республика Саха (Якутия), ``АО Ненецкий`` →
    Ненецкий автономный округ; a federal city keeps its bare name.
    """
    name = name.strip().removesuffix(" -").strip()
    name = name.replace(" /", " (").replace("/", ")").replace(" - ", " — ")
    name = name.replace("Автономный округ", "автономный округ")
    if type_abbr == "обл":
        return f"{name} область"
    if type_abbr == "край":
        return f"{name} край"
    if type_abbr == "АО":
        return name if "автономный округ" in name else f"{name} автономный округ"
    if type_abbr == "Аобл":
        return f"{name} автономная область"
    if type_abbr == "Респ":
        adjective = " " not in name and name.endswith("ская")  # Удмуртская, Чеченская
        return f"{name} Республика" if adjective else f"Республика {name}"
    return name  # г Москва; Чувашия's row already reads "Чувашская Республика"


def district_name(type_abbr: str, name: str) -> str:
    """A district's Russian name: ``р-н Суджанский`` → Суджанский район."""
    word = DISTRICT_TYPES.get(type_abbr)
    return f"{name} {word}" if word else name


def _kept(level: int, type_abbr: str, region: str) -> bool:
    if level in (1, 2):
        return level == 1 or type_abbr in DISTRICT_TYPES
    if type_abbr in URBAN_TYPES:
        return True
    return level == 4 and region in BORDER_REGIONS and type_abbr in PLACE_KINDS


def parse_upstream(path: Path) -> Iterator[Row]:
    """Read the upstream TSV, keeping the rows the gazetteer uses."""
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            level = int(record["level"])
            code, type_abbr = record["kladr_code"], record["type_abbr"]
            if _kept(level, type_abbr, code[:2]):
                yield Row(code, level, type_abbr, " ".join(record["name"].split()))


def write_rows_kladr(path: Path, rows: Iterable[Row], *, comments: list[str]) -> int:
    ordered = sorted(set(rows), key=lambda r: r.code)
    return write_rows(
        path, COLUMNS, ((r.code, r.level, r.type, r.name) for r in ordered), comments=comments
    )


def read(path: Path) -> Iterator[Row]:
    for row in read_rows(path, COLUMNS):
        yield Row(row["code"], int(row["level"]), row["type"], row["name"])
