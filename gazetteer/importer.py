"""Place files for ``gazetteer import`` and ``gazetteer export``: CSV, TSV and GeoJSON.

This module only reads and writes files; :mod:`gazetteer.ops` validates the records and
writes them to the database in one transaction. Keeping the two apart lets a malformed
file fail before anything is written, with the line it failed on.

Columns (CSV and TSV; GeoJSON carries the same keys in ``properties`` and the point in
``geometry``): ``name, country, kind, lat, lon`` are required; ``id, parent, lang,
population, name_uk, name_ru, name_en, names`` are optional. ``names`` lists further names
as ``name|lang|type[|valid_from|valid_to|source]`` separated by ``;``, with ``\\``, ``|``
and ``;`` inside a field escaped by a backslash. Export writes exactly these columns, so
an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from toponyms.errors import ImportFileError, InvalidInputError

FORMATS = ("csv", "tsv", "geojson")
REQUIRED = ("name", "country", "kind", "lat", "lon")
OPTIONAL = ("id", "parent", "lang", "population", "name_uk", "name_ru", "name_en", "names")
#: The columns export writes, in order.
COLUMNS = (
    "id",
    "name",
    "lang",
    "kind",
    "country",
    "lat",
    "lon",
    "parent",
    "population",
    "name_uk",
    "name_ru",
    "name_en",
    "names",
)
NAME_FIELDS = ("name", "lang", "type", "valid_from", "valid_to", "source")
PLACE_FIELDS = (
    "line",
    "name",
    "country",
    "kind",
    "lat",
    "lon",
    "id",
    "parent",
    "lang",
    "population",
    "name_uk",
    "name_ru",
    "name_en",
    "names",
    "unit",
)


@dataclass(frozen=True, slots=True)
class NameRecord:
    """One further name of a place, as a file gives it (validated later)."""

    name: str
    lang: str | None = None
    type: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """One place of a file; ``line`` is where it starts (a feature's number in GeoJSON)."""

    line: int
    name: str
    country: str
    kind: str
    lat: float | None
    lon: float | None
    id: str | None = None
    parent: str | None = None
    lang: str | None = None
    population: int | None = None
    name_uk: str | None = None
    name_ru: str | None = None
    name_en: str | None = None
    names: tuple[NameRecord, ...] = field(default=())
    unit: str = "line"  # what ``line`` counts: "line" (CSV, TSV) or "feature" (GeoJSON)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (history keeps it so that an upgrade can replay the import)."""
        data = {name: getattr(self, name) for name in PLACE_FIELDS}
        data["names"] = [{k: getattr(n, k) for k in NAME_FIELDS} for n in self.names]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlaceRecord:
        names = tuple(NameRecord(**n) for n in data.get("names") or ())
        return cls(**{**data, "names": names})


# -- the names cell --------------------------------------------------------------------------
def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace(";", "\\;")


def encode_names(names: Iterable[NameRecord]) -> str:
    """The ``names`` cell: ``name|lang|type[|valid_from|valid_to|source];...``."""
    cells = []
    for record in names:
        fields = [
            record.name,
            record.lang or "",
            record.type or "",
            record.valid_from or "",
            record.valid_to or "",
            record.source or "",
        ]
        while len(fields) > 3 and not fields[-1]:
            fields.pop()
        cells.append("|".join(_escape(f) for f in fields))
    return ";".join(cells)


def _split_escaped(text: str, separator: str) -> list[str]:
    """Split at unescaped ``separator``, keeping escapes for the next level."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            current.append(ch + next(chars, ""))
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        out.append(next(chars, "") if ch == "\\" else ch)
    return "".join(out)


def decode_names(cell: str) -> tuple[NameRecord, ...]:
    """Parse a ``names`` cell (see :func:`encode_names`); raises ``InvalidInputError``."""
    records = []
    for item in _split_escaped(cell, ";"):
        if not item.strip():
            continue
        fields = [_unescape(f) for f in _split_escaped(item, "|")]
        if len(fields) > len(NAME_FIELDS):
            raise InvalidInputError(
                f"names: {item!r} has {len(fields)} fields; at most {len(NAME_FIELDS)} "
                "(name|lang|type|valid_from|valid_to|source)"
            )
        records.append(_name_record(fields))
    return tuple(records)


def _name_record(fields: list[Any]) -> NameRecord:
    """A name from its fields in :data:`NAME_FIELDS` order; empty optional fields are None."""
    values = [None if f is None or not str(f).strip() else str(f) for f in fields]
    values += [None] * (len(NAME_FIELDS) - len(values))
    name, lang, type_, valid_from, valid_to, source = values
    return NameRecord(
        str(fields[0]) if name is None else name, lang, type_, valid_from, valid_to, source
    )


# -- reading ---------------------------------------------------------------------------------
def detect_format(path: Path, text: str) -> str:
    """The file's format from its extension, else from its first characters."""
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if suffix == ".csv":
        return "csv"
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "geojson"
    first_line = stripped.split("\n", 1)[0]
    return "tsv" if "\t" in first_line else "csv"


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(f"line {line}: not UTF-8 text (byte {error.start})") from None


def read_file(path: Path, fmt: str | None = None) -> list[PlaceRecord]:
    """Every place of a CSV, TSV or GeoJSON file; ``ImportFileError`` names the bad line."""
    text = _read_text(path)
    fmt = fmt or detect_format(path, text)
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "geojson":
        return list(_read_geojson(text))
    return list(_read_table(text, fmt))


def _reader(text: str, fmt: str) -> Any:
    if fmt == "tsv":
        return csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    return csv.reader(io.StringIO(text, newline=""), strict=True)


def _check_header(header: list[str]) -> list[str]:
    columns = [c.strip().lower() for c in header]
    unknown = [c for c in columns if c not in REQUIRED and c not in OPTIONAL]
    if unknown:
        raise ImportFileError(
            f"line 1: unknown column {unknown[0]!r} (known: {', '.join(REQUIRED + OPTIONAL)})"
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(f"line 1: missing column(s) {', '.join(missing)}")
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise ImportFileError(f"line 1: column {column!r} appears twice")
        seen.add(column)
    return columns


def _read_table(text: str, fmt: str) -> Iterator[PlaceRecord]:
    reader = _reader(text, fmt)
    columns: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileError(f"line {start}: {error}") from None
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if columns is None:
            columns = _check_header(row)
            continue
        if len(row) != len(columns):
            raise ImportFileError(f"line {start}: {len(row)} cells, the header has {len(columns)}")
        yield _record(start, dict(zip(columns, row, strict=True)))
    if columns is None:
        raise ImportFileError("the file is empty (no header row)")


def _read_geojson(text: str) -> Iterator[PlaceRecord]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"line {error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError("a GeoJSON import must be a FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFileError("the FeatureCollection has no list of features")
    for number, feature in enumerate(features, start=1):
        yield _feature_record(number, feature)


def _feature_record(number: int, feature: Any) -> PlaceRecord:
    where = f"feature {number}"
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise ImportFileError(f"{where}: not a Feature with properties")
    props: dict[str, Any] = dict(feature["properties"])
    geometry = feature.get("geometry")
    lat: Any = None
    lon: Any = None
    if geometry is not None:
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not (
            isinstance(geometry, dict)
            and geometry.get("type") == "Point"
            and isinstance(coords, list)
            and len(coords) >= 2
        ):
            raise ImportFileError(f"{where}: geometry must be a Point [lon, lat] or null")
        lon, lat = coords[0], coords[1]
    names = props.pop("names", None)
    cells = {k: "" if v is None else str(v) for k, v in props.items() if k in OPTIONAL}
    cells.update({k: "" if props.get(k) is None else str(props[k]) for k in REQUIRED[:3]})
    cells["lat"] = "" if lat is None else str(lat)
    cells["lon"] = "" if lon is None else str(lon)
    if cells.get("id", "") == "" and feature.get("id") is not None:
        cells["id"] = str(feature["id"])
    if isinstance(names, str):
        cells["names"] = names
    elif names is not None and not isinstance(names, list):
        raise ImportFileError(f"{where}: names must be a list or a text cell")
    record = dataclasses.replace(_record(number, cells, where=where), unit="feature")
    return _with_names(record, names, where) if isinstance(names, list) else record


def _with_names(record: PlaceRecord, names: list[Any], where: str) -> PlaceRecord:
    parsed = []
    for item in names:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ImportFileError(f"{where}: names: each item needs a text 'name'")
        parsed.append(_name_record([item.get(k) for k in NAME_FIELDS]))
    return dataclasses.replace(record, names=tuple(parsed))


def _number(value: str, column: str, where: str) -> float | None:
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ImportFileError(f"{where}: {column}: not a number: {value!r}") from None
    if not math.isfinite(number):
        raise ImportFileError(f"{where}: {column}: not a finite number: {value!r}")
    return number


def _integer(value: str, column: str, where: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ImportFileError(f"{where}: {column}: not a whole number: {value!r}") from None


def _record(line: int, cells: dict[str, str], *, where: str | None = None) -> PlaceRecord:
    """Turn one row's cells into a record; numbers and the names cell are parsed here."""
    where = where or f"line {line}"
    lat = _number(cells.get("lat", ""), "lat", where)
    lon = _number(cells.get("lon", ""), "lon", where)
    if (lat is None) != (lon is None):
        raise ImportFileError(f"{where}: lat and lon must both be given or both be empty")
    try:
        names = decode_names(cells.get("names", ""))
    except InvalidInputError as error:
        raise ImportFileError(f"{where}: {error}") from None
    return PlaceRecord(
        line=line,
        name=cells.get("name", ""),
        country=cells.get("country", "").strip(),
        kind=cells.get("kind", "").strip(),
        lat=lat,
        lon=lon,
        id=_optional(cells, "id"),
        parent=_optional(cells, "parent"),
        lang=_optional(cells, "lang"),
        population=_integer(cells.get("population", ""), "population", where),
        name_uk=cells.get("name_uk") or None,
        name_ru=cells.get("name_ru") or None,
        name_en=cells.get("name_en") or None,
        names=names,
    )


def _optional(cells: dict[str, str], column: str) -> str | None:
    return (cells.get(column) or "").strip() or None


# -- export ----------------------------------------------------------------------------------
def _display_name(place: dict[str, Any], names: list[NameRecord]) -> tuple[str, str]:
    """The name and language written in the ``name`` and ``lang`` columns."""
    for lang in ("en", "uk", "ru"):
        if place.get(f"name_{lang}"):
            return str(place[f"name_{lang}"]), lang
    official = [n for n in names if n.type == "official"] or names
    if official:
        return official[0].name, official[0].lang or "und"
    return str(place["id"]), "und"


def export_records(
    conn: sqlite3.Connection, *, country: str | None = None
) -> Iterator[PlaceRecord]:
    """Every active place (of ``country``), with all its names, ordered by id.

    Places and names are read in two cursors ordered by place id and merged, so that a
    full export streams instead of holding half a million names in memory.
    """
    import sqlite_utils  # imports pandas when present: only where it is used

    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    where = "status = 'active'" + (" AND country = :country" if country else "")
    params = {"country": country} if country else {}
    places = db["places"].rows_where(where, params, order_by="id")
    name_sql = (
        "SELECT n.place_id, n.name, n.lang, n.type, n.valid_from, n.valid_to, n.source"
        " FROM names n JOIN places p ON p.id = n.place_id WHERE p.status = 'active'"
        + (" AND p.country = :country" if country else "")
        + " ORDER BY n.place_id, n.id"
    )
    name_rows = conn.execute(name_sql, params)
    pending = name_rows.fetchone()
    for place in places:
        names: list[NameRecord] = []
        while pending is not None and pending[0] == place["id"]:
            names.append(
                NameRecord(
                    pending[1], pending[2], pending[3], pending[4], pending[5], pending[6] or None
                )
            )
            pending = name_rows.fetchone()
        name, lang = _display_name(place, names)
        yield PlaceRecord(
            line=0,
            name=name,
            country=place["country"],
            kind=place["kind"],
            lat=place["lat"],
            lon=place["lon"],
            id=place["id"],
            parent=place["parent_id"],
            lang=lang,
            population=place["population"],
            name_uk=place["name_uk"],
            name_ru=place["name_ru"],
            name_en=place["name_en"],
            names=tuple(names),
        )


def _cells(record: PlaceRecord) -> list[str]:
    values: dict[str, Any] = {**record.to_dict(), "names": encode_names(record.names)}
    return [
        ""
        if values[c] is None
        else repr(values[c])
        if isinstance(values[c], float)
        else str(values[c])
        for c in COLUMNS
    ]


def write_table(records: Iterable[PlaceRecord], out: TextIO, fmt: str) -> int:
    """Write CSV or TSV with the :data:`COLUMNS` header; return the number of places."""
    if fmt == "tsv":
        writer = csv.writer(
            out,
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
            quotechar=None,
            escapechar=None,
            lineterminator="\n",
        )
    else:
        writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        writer.writerow(_cells(record))
        count += 1
    return count


def _feature(record: PlaceRecord) -> dict[str, Any]:
    props = {c: getattr(record, c) for c in COLUMNS if c not in ("lat", "lon", "names")}
    props["names"] = [
        {k: getattr(n, k) for k in NAME_FIELDS if getattr(n, k) is not None} for n in record.names
    ]
    geometry = None
    if record.lat is not None and record.lon is not None:
        geometry = {"type": "Point", "coordinates": [record.lon, record.lat]}
    return {"type": "Feature", "id": record.id, "geometry": geometry, "properties": props}


def write_geojson(records: Iterable[PlaceRecord], out: TextIO) -> int:
    """Write a GeoJSON FeatureCollection, one feature a line; return the number of places."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for record in records:
        if count:
            out.write(",\n")
        out.write(json.dumps(_feature(record), ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def write(records: Iterable[PlaceRecord], out: TextIO, fmt: str) -> int:
    """Write ``records`` in ``fmt`` (csv, tsv or geojson) to ``out``."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "geojson":
        return write_geojson(records, out)
    return write_table(records, out, fmt)
