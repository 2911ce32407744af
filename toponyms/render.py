"""Turn results into the output formats every command shares: table, json, jsonl, csv, tsv,
geojson (and, for extraction, tagged text, written by :mod:`toponyms.extract_cli`).

One entry, :func:`render`, writes any command's results given its :class:`RowSpec`: the
fields its rows may have, the table's default columns, and how a result becomes flat rows
(table, csv, tsv) or GeoJSON features. The commands that print rows (``resolve``,
``extract``, ``near``) share one set of options for it (:class:`RenderOptions`): the
format, ``--fields`` to choose the columns, ``--bom`` for Excel, the table's width.

Renderers take an iterator of plain dicts (the JSON objects of the command-line contract)
and write as they go, so a stream of a million results never sits in memory, except for
``json`` and ``geojson``, which are written as one array but still item by item. The
table is written row by row too: its column widths come from the spec and the terminal,
not from the rows.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from toponyms.errors import InvalidInputError

FORMATS = ("table", "json", "jsonl", "csv", "tsv", "geojson")
TABULAR = ("table", "csv", "tsv")
BOM = "\ufeff"
GAP = 2  # spaces between table columns


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def write_jsonl(items: Iterable[dict[str, Any]], out: TextIO) -> None:
    for item in items:
        out.write(_dumps(item) + "\n")
        out.flush() if out.isatty() else None


def write_json(items: Iterable[dict[str, Any]], out: TextIO) -> None:
    out.write("[")
    for i, item in enumerate(items):
        out.write(("," if i else "") + "\n  " + _dumps(item))
    out.write("\n]\n")


def _cell(value: Any) -> Any:
    """A CSV/TSV cell: empty for None, JSON for lists and objects, else the value."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return _dumps(value)
    return value


def write_csv(
    rows: Iterable[dict[str, Any]],
    out: TextIO,
    columns: Sequence[str],
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> None:
    """Rows as CSV (or, with ``delimiter="\\t"``, TSV) under a header of ``columns``;
    ``bom`` starts the file with a UTF-8 byte-order mark, which Excel needs to read UTF-8."""
    if bom:
        out.write(BOM)
    writer = csv.DictWriter(
        out,
        fieldnames=list(columns),
        extrasaction="ignore",
        lineterminator="\n",
        delimiter=delimiter,
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its preferred width, the narrowest it may be cut to, and its
    priority (0: never dropped; higher numbers are dropped first on a narrow terminal).
    A column that may not be cut (``cut=False``, the ids) is printed whole, always."""

    name: str
    width: int
    priority: int = 5
    min_width: int = 6
    cut: bool = True


def fit_columns(columns: Sequence[Column], width: int) -> list[Column]:
    """The columns that fit ``width`` characters (0: no limit): the lowest-priority
    columns are dropped until the rest fit at their preferred widths; if the columns that
    are never dropped are still too wide, the widest cuttable ones give up characters, down
    to their narrowest. An id column (``cut=False``) keeps its width whatever happens."""
    if width <= 0:
        return list(columns)

    def wide(cols: Sequence[Column]) -> int:
        return sum(c.width for c in cols) + GAP * (len(cols) - 1)

    kept = list(columns)
    while wide(kept) > width and any(c.priority > 0 for c in kept):
        drop = max((c for c in kept if c.priority > 0), key=lambda c: (c.priority, kept.index(c)))
        kept.remove(drop)
    excess = wide(kept) - width
    for i in sorted((i for i, c in enumerate(kept) if c.cut), key=lambda i: -kept[i].width):
        if excess <= 0:
            break
        give = min(excess, kept[i].width - kept[i].min_width)
        if give > 0:
            kept[i] = replace(kept[i], width=kept[i].width - give)
            excess -= give
    return kept


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (dict, list, tuple)):
        return _dumps(value)
    return str(value)


def write_table(rows: Iterable[dict[str, Any]], out: TextIO, columns: Sequence[Column]) -> None:
    """Fixed-width columns, written row by row (no need to see every row first). A value
    too long for its column is cut with '…', except in a column that may not be cut."""

    def line(cells: list[str]) -> str:
        return (" " * GAP).join(cells).rstrip() + "\n"

    last = len(columns) - 1
    out.write(line([c.name if i == last else c.name.ljust(c.width) for i, c in enumerate(columns)]))
    for row in rows:
        cells = []
        for i, column in enumerate(columns):
            text = _text(row.get(column.name)).replace("\n", " ")
            if column.cut and len(text) > column.width:
                text = text[: column.width - 1] + "…"
            cells.append(text if i == last else text.ljust(column.width))
        out.write(line(cells))


def write_geojson(features: Iterable[dict[str, Any]], out: TextIO) -> None:
    out.write('{"type": "FeatureCollection", "features": [')
    for i, feature in enumerate(features):
        out.write(("," if i else "") + "\n  " + _dumps(feature))
    out.write("\n]}\n")


def feature(lat: float | None, lon: float | None, properties: dict[str, Any]) -> dict[str, Any]:
    geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


# -- what a command's rows are ------------------------------------------------------------------
Rows = Callable[[Iterable[dict[str, Any]], bool], Iterable[dict[str, Any]]]
Features = Callable[[Iterable[dict[str, Any]]], Iterable[dict[str, Any]]]


def _same_rows(items: Iterable[dict[str, Any]], table: bool) -> Iterable[dict[str, Any]]:
    return items


def _point_features(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield feature(item.get("lat"), item.get("lon"), item)


@dataclass(frozen=True)
class RowSpec:
    """One command's rows: every field a row may have (``fields``; the CSV header unless
    ``csv_fields`` says otherwise), the table's default columns, and the functions that
    turn results into rows (``table`` true: the table's rows, e.g. the best match only)
    and into GeoJSON features."""

    fields: tuple[str, ...]
    table: tuple[Column, ...]
    rows: Rows = _same_rows
    features: Features = _point_features
    csv_fields: tuple[str, ...] | None = None
    extra_fields: tuple[str, ...] = field(default=())

    @property
    def valid_fields(self) -> tuple[str, ...]:
        return (*self.fields, *(f for f in self.extra_fields if f not in self.fields))

    def column(self, name: str) -> Column:
        """The table column of ``name``: the spec's, else a plain one (never dropped:
        the user chose it)."""
        for column in self.table:
            if column.name == name:
                return replace(column, priority=0)
        return Column(name, max(len(name), 10), priority=0, min_width=max(4, min(len(name), 8)))


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """The output options every row-printing command shares.

    ``fmt``: one of :data:`FORMATS`; ``fields``: the columns of table, csv and tsv output
    (``"a,b,c"`` or a list; ``None`` for the default ones); ``bom``: a UTF-8 byte-order
    mark before csv and tsv (Excel); ``width``: the table's width in characters (``None``:
    the terminal's, when the output is one; 0: no limit).
    """

    fmt: str = "jsonl"
    fields: str | Sequence[str] | None = None
    bom: bool = False
    width: int | None = None


def check_options(spec: RowSpec, options: RenderOptions) -> list[str] | None:
    """The chosen fields, checked (``None`` when none were chosen), before any output:
    an unknown format or field, or an option the format has no use for, raises
    :class:`~toponyms.errors.InvalidInputError` naming the valid ones."""
    if options.fmt not in FORMATS:
        raise InvalidInputError(f"unknown format {options.fmt!r}: use one of {', '.join(FORMATS)}")
    if options.bom and options.fmt not in ("csv", "tsv"):
        raise InvalidInputError("--bom is for csv and tsv output")
    if options.fields is None:
        return None
    if options.fmt not in TABULAR:
        raise InvalidInputError(
            f"--fields chooses the columns of table, csv and tsv output, not of {options.fmt}"
        )
    raw = options.fields.split(",") if isinstance(options.fields, str) else list(options.fields)
    chosen = [f.strip() for f in raw if f.strip()]
    valid = spec.valid_fields
    unknown = [f for f in chosen if f not in valid]
    if unknown or not chosen:
        what = f"unknown field {unknown[0]!r}" if unknown else "no fields given"
        raise InvalidInputError(f"--fields: {what}; valid fields: {','.join(valid)}")
    return chosen


def table_width(out: TextIO) -> int:
    """The terminal's width when ``out`` is a terminal (``$COLUMNS`` wins), else 0 (no
    limit: a table written to a file keeps every column)."""
    try:
        is_terminal = out.isatty()
    except (AttributeError, ValueError):
        is_terminal = False
    if not is_terminal:
        return 0
    return shutil.get_terminal_size((100, 24)).columns


def render(
    items: Iterable[dict[str, Any]],
    spec: RowSpec,
    options: RenderOptions,
    out: TextIO = sys.stdout,
) -> None:
    """Write results (``items``, the command's JSON objects) as ``options`` say.

    json and jsonl write the objects as they are; table, csv and tsv write
    ``spec.rows(items)``, in ``options.fields`` order when given; geojson writes
    ``spec.features(items)``. Options are checked before anything is written."""
    chosen = check_options(spec, options)
    fmt = options.fmt
    if fmt == "json":
        write_json(items, out)
    elif fmt == "jsonl":
        write_jsonl(items, out)
    elif fmt == "geojson":
        write_geojson(spec.features(items), out)
    elif fmt in ("csv", "tsv"):
        columns = chosen or list(spec.csv_fields or spec.fields)
        write_csv(
            spec.rows(items, False),
            out,
            columns,
            delimiter="," if fmt == "csv" else "\t",
            bom=options.bom,
        )
    else:
        table = [spec.column(name) for name in chosen] if chosen else list(spec.table)
        width = table_width(out) if options.width is None else options.width
        write_table(spec.rows(items, True), out, fit_columns(table, width))


# -- resolve --------------------------------------------------------------------------------
RESOLVE_TABLE = (
    Column("query", 24, priority=0, min_width=10),
    Column("name", 22, priority=0, min_width=10),
    Column("kind", 16, priority=3, min_width=7),
    Column("admin1", 20, priority=2, min_width=10),
    Column("country", 7, priority=4, min_width=7),
    Column("lat", 8, priority=6, min_width=8),
    Column("lon", 8, priority=6, min_width=8),
    Column("precision", 9, priority=9, min_width=9),
    Column("score", 6, priority=1, min_width=5),
    Column("match_type", 10, priority=7, min_width=8),
    Column("matched_name", 22, priority=8, min_width=10),
    Column("id", 27, priority=0, cut=False),
)
RESOLVE_CSV = (
    "query",
    "rank",
    "id",
    "name",
    "name_uk",
    "name_ru",
    "name_en",
    "kind",
    "country",
    "admin1",
    "lat",
    "lon",
    "precision",
    "geonames_id",
    "katottg",
    "score",
    "match_type",
    "matched_name",
    "rule",
    "ambiguous",
    "error",
)


def _resolve_rows(results: Iterable[dict[str, Any]], best_only: bool) -> Iterator[dict[str, Any]]:
    """One flat row per match (or one per query with ``best_only``); no-match rows too."""
    for result in results:
        matches = result.get("matches") or []
        if result.get("error") or not matches:
            yield {
                "query": result["query"],
                "error": result.get("error"),
                "name": "—" if not result.get("error") else None,
            }
            continue
        for rank, match in enumerate(matches[:1] if best_only else matches, start=1):
            yield {
                "query": result["query"],
                "rank": rank,
                "ambiguous": result.get("ambiguous"),
                **match,
            }


def _resolve_features(results: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for result in results:
        matches = result.get("matches") or []
        if matches:
            best = matches[0]
            yield feature(
                best["lat"],
                best["lon"],
                {"query": result["query"], "ambiguous": result.get("ambiguous"), **best},
            )


RESOLVE = RowSpec(
    fields=RESOLVE_CSV,
    table=RESOLVE_TABLE,
    rows=_resolve_rows,
    features=_resolve_features,
    extra_fields=("population", "matched_lang", "score_parts"),
)


# -- near ------------------------------------------------------------------------------------
NEAR = RowSpec(
    fields=(
        "id",
        "name",
        "name_uk",
        "name_ru",
        "name_en",
        "kind",
        "country",
        "country_name",
        "admin1",
        "raion",
        "hromada",
        "lat",
        "lon",
        "precision",
        "population",
        "geonames_id",
        "katottg",
        "distance_km",
    ),
    table=(
        Column("name", 24, priority=0, min_width=10),
        Column("kind", 16, priority=3, min_width=7),
        Column("distance_km", 11, priority=0, min_width=11),
        Column("raion", 22, priority=4, min_width=10),
        Column("admin1", 20, priority=2, min_width=10),
        Column("country", 7, priority=5, min_width=7),
        Column("lat", 8, priority=6, min_width=8),
        Column("lon", 8, priority=6, min_width=8),
        Column("precision", 9, priority=7, min_width=9),
        Column("id", 27, priority=0, cut=False),
    ),
)


# -- extract ---------------------------------------------------------------------------------
MENTION_FIELDS = (
    "doc_id",
    "start",
    "end",
    "text",
    "place_id",
    "name",
    "name_en",
    "kind",
    "country",
    "admin1",
    "lat",
    "lon",
    "geonames_id",
    "katottg",
    "score",
    "match_type",
    "matched_name",
    "rule",
)
MENTION_TABLE = (
    Column("doc_id", 8, priority=5, min_width=6),
    Column("start", 6, priority=6, min_width=5),
    Column("text", 20, priority=0, min_width=8),
    Column("name", 22, priority=0, min_width=10),
    Column("kind", 16, priority=3, min_width=7),
    Column("admin1", 20, priority=2, min_width=10),
    Column("country", 7, priority=4, min_width=7),
    Column("score", 6, priority=1, min_width=5),
    Column("place_id", 27, priority=0, cut=False),
)


def _document_rows(documents: Iterable[dict[str, Any]], table: bool) -> Iterator[dict[str, Any]]:
    """``{"id", "mentions"}`` documents (or ``{"id", "error"}``) as one row a mention,
    with the document's id first; a document that failed gives no row."""
    for document in documents:
        for mention in document.get("mentions") or []:
            yield {"doc_id": document.get("id"), **mention}


#: Mentions of one text: the rows are the mentions themselves.
MENTIONS = RowSpec(fields=MENTION_FIELDS, table=MENTION_TABLE[1:])
#: Documents of ``extract --docs``: one row a mention, under its document's id.
DOCUMENTS = RowSpec(fields=MENTION_FIELDS, table=MENTION_TABLE, rows=_document_rows)


def render_explanations(results: Iterable[dict[str, Any]], out: TextIO = sys.stdout) -> None:
    """Write :meth:`Resolver.explain` results as a readable report: per stage, its note,
    the candidates it met and the ranking after it with score parts."""
    for result in results:
        out.write(f"{result.get('query')!r}\n")
        if "error" in result:
            out.write(f"  error: {result['error']}\n\n")
            continue
        for stage in result.get("stages", []):
            kept = "" if stage["kept"] else "  (not kept)"
            out.write(f"  [{stage['stage']}] {stage['note']}{kept}\n")
            for cand in stage["candidates"]:
                out.write(
                    f"      met {cand['id']} {cand['name']!r} ({cand['match_type']},"
                    f" {cand['lang']}) by {cand['rule']}\n"
                )
            for rank, match in enumerate(stage["matches"], 1):
                parts = ", ".join(f"{k} {v}" for k, v in match["score_parts"].items())
                out.write(
                    f"    {rank}. {match['id']} {match['name']} ({match['admin1']})"
                    f" score {match['score']}: {parts}\n"
                )
        out.write("\n")


def render_json(results: Iterable[dict[str, Any]], fmt: str, out: TextIO = sys.stdout) -> None:
    """Write whole result objects (``--explain``'s, with their stages) as json or jsonl."""
    (write_json if fmt == "json" else write_jsonl)(results, out)
