"""The ``toponyms`` command: thin wrappers that parse options, call the library, render.

Every command maps library errors to a message on standard error and an exit code in one
place (:func:`_errors`): 2 for bad input or usage, 1 for a gazetteer that cannot be used.
No command prints a traceback to a user.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from toponyms.errors import GazetteerError, InvalidInputError, ToponymsError

app = typer.Typer(
    help="Resolve and extract place names (Ukraine, Russia, the world) against a SQLite gazetteer."
    "\n\nExample: toponyms resolve Aleshki",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
gazetteer_app = typer.Typer(
    help="Build, inspect and edit gazetteers.\n\nExample: toponyms gazetteer info",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(gazetteer_app, name="gazetteer")


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


class ExtractFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    geojson = "geojson"
    csv = "csv"
    tagged = "tagged"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Gazetteer file (default: $TOPONYMS_DB, else the shipped one)."),
]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"toponyms: error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and an exit code."""
    try:
        yield
    except InvalidInputError as error:
        raise _fail(str(error), 2) from None
    except LookupError as error:
        raise _fail(str(error.args[0]) if error.args else str(error), 2) from None
    except GazetteerError as error:
        raise _fail(str(error), 1) from None
    except ToponymsError as error:
        raise _fail(str(error), 1) from None
    except BrokenPipeError:
        sys.stderr.close()  # the reader (head, less) went away: not an error of ours
        raise typer.Exit(0) from None
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None


def _default_format(fmt: Format | None) -> str:
    if fmt is not None:
        return fmt.value
    return "table" if sys.stdout.isatty() else "jsonl"


# -- resolve ---------------------------------------------------------------------------------
@app.command()
def resolve(
    names: Annotated[list[str] | None, typer.Argument(help="Names to resolve.")] = None,
    file: Annotated[
        str | None,
        typer.Option("--file", "-f", help="Read names from a file, one a line; - for stdin."),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="Output format (table on a terminal, else jsonl)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="Matches per name, at most.", min=1)] = 5,
    country: Annotated[str | None, typer.Option(help="Only these countries, e.g. UA,RU.")] = None,
    within: Annotated[
        str | None, typer.Option(help='Only inside this region, e.g. "Kherson Oblast".')
    ] = None,
    near: Annotated[str | None, typer.Option(help="Prefer places near LAT,LON.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Prefer names valid at YYYY-MM-DD.")
    ] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Drop matches scoring below this.")
    ] = 0.0,
    db: DbOption = None,
) -> None:
    """Resolve place names to canonical places.

    Example: toponyms resolve Aleshki "Kirovsk (Luhansk region)" Алешках --format json
    """
    from toponyms.inputs import Progress, iter_lines, open_binary
    from toponyms.render import render_resolutions
    from toponyms.resolve import Resolver, parse_date, parse_point

    with _errors():
        if not names and file is None:
            raise InvalidInputError("give names to resolve, or --file PATH (- for standard input)")
        if names and file is not None:
            raise InvalidInputError("give names or --file, not both")
        parse_point(near)
        parse_date(as_of)
        resolver = Resolver(db=db)
        options: dict[str, Any] = dict(
            limit=limit, country=country, within=within, near=near, as_of=as_of, min_score=min_score
        )
        if within is not None:
            resolver._within(within)  # an unknown region fails before any output
        progress = Progress("resolved")

        def results() -> Iterator[dict[str, Any]]:
            if file is None:
                for resolution in resolver.resolve_many(names or [], **options):
                    yield resolution.to_dict()
                return
            stream = open_binary(file)
            for line in iter_lines(stream):
                progress.step()
                if line.text is None:
                    yield {"query": None, "line": line.number, "error": line.error}
                    continue
                for resolution in resolver.resolve_many([line.text], **options):
                    yield resolution.to_dict()

        failed = 0

        def counted(items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            nonlocal failed
            for item in items:
                failed += "error" in item
                yield item

        render_resolutions(counted(results()), _default_format(fmt), sys.stdout)
        progress.close()
    if failed:
        # Every line was answered; the exit code still tells a script that some were bad.
        typer.echo(
            f"toponyms: {failed} input line(s) could not be resolved (see their error)", err=True
        )
        raise typer.Exit(2)


# -- extract ---------------------------------------------------------------------------------
@app.command()
def extract(
    path: Annotated[
        str | None, typer.Argument(help="Plain-text file; - or nothing for stdin.")
    ] = None,
    docs: Annotated[
        str | None, typer.Option("--docs", help='JSON lines {"id", "text"}; - for stdin.')
    ] = None,
    fmt: Annotated[
        ExtractFormat, typer.Option("--format", help="Output format.")
    ] = ExtractFormat.jsonl,
    lang: Annotated[str, typer.Option(help="Language of the text: auto, en, uk, ru, ...")] = "auto",
    min_score: Annotated[
        float, typer.Option("--min-score", help="Drop mentions scoring below this.")
    ] = 0.5,
    db: DbOption = None,
) -> None:
    """Find and resolve every place mention in text.

    Example: echo "Обстріл Херсона і Нової Каховки" | toponyms extract --format tagged
    """
    from toponyms.extract_cli import run_extract

    with _errors():
        if path is not None and docs is not None:
            raise InvalidInputError("give a text file or --docs, not both")
        failed = run_extract(
            path=path,
            docs=docs,
            fmt=fmt.value,
            lang=None if lang == "auto" else lang,
            min_score=min_score,
            db=db,
            out=sys.stdout,
        )
    if failed:
        typer.echo(f"toponyms: {failed} document(s) could not be read (see their error)", err=True)
        raise typer.Exit(2)


# -- reconcile -------------------------------------------------------------------------------
@app.command()
def reconcile(
    table: Annotated[
        Path | None, typer.Argument(help="CSV, TSV or XLSX file with a header row.")
    ] = None,
    column: Annotated[
        str | None, typer.Option("--column", "-c", help="The column of place names.")
    ] = None,
    context_column: Annotated[
        list[str] | None,
        typer.Option(
            "--context-column",
            help="A column of oblast, raion, hromada or country (repeat; broadest first).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write here (.csv, .tsv or .xlsx); default: CSV to stdout."
        ),
    ] = None,
    review: Annotated[
        Path | None,
        typer.Option("--review", help="Also write the rows to check, with candidates, here."),
    ] = None,
    apply_review: Annotated[
        Path | None,
        typer.Option("--apply-review", help="Store the accepted choices of a review file in --db."),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Of a CSV/TSV (default: UTF-8, else cp1251).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="Of a CSV (default: sniffed).")
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Worksheet of an XLSX (default: the first).")
    ] = None,
    country: Annotated[str | None, typer.Option(help="Only these countries, e.g. UA,RU.")] = None,
    within: Annotated[
        str | None, typer.Option(help='Only inside this region, e.g. "Kherson Oblast".')
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Prefer names valid at YYYY-MM-DD.")
    ] = None,
    author: AuthorOption = None,
    db: DbOption = None,
) -> None:
    """Add the matching place to every row of a spreadsheet (CSV, TSV, XLSX).

    The output has the input's columns unchanged, then place_id, name, name_uk, name_ru,
    name_en, kind, admin1, raion, lat, lon, precision, score, status (matched, ambiguous,
    no match) and note. --review lists the rows to check; fill in their accept column (1, 2,
    3 or a place id) and run --apply-review to teach your gazetteer those spellings.

    Example: toponyms reconcile hum.csv --column settlement --context-column oblast
    --out hum-matched.xlsx --review review.csv
    """
    from toponyms.reconcile_cli import run_apply_review, run_reconcile

    with _errors():
        if apply_review is not None:
            if table is not None or column is not None or out is not None or review is not None:
                raise InvalidInputError(
                    "--apply-review takes no TABLE, --column, --out or --review"
                )
            summary = run_apply_review(apply_review, db=db, author=author)
            typer.echo(
                f"{summary['added']} name(s) added, {summary['known']} already known "
                f"(of {summary['accepted']} accepted)",
                err=True,
            )
            for added in summary["names"]:
                typer.echo(f"{added['id']}\t{added['name']}")
            return
        if table is None or column is None:
            raise InvalidInputError("give a TABLE and --column NAME (or --apply-review FILE)")
        run_reconcile(
            table,
            column=column,
            context_columns=context_column or [],
            out=out,
            review=review,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            options={"country": country, "within": within, "as_of": as_of},
            db=db,
            log=lambda message: typer.echo(f"toponyms: {message}", err=True),
        )


# -- gazetteer -------------------------------------------------------------------------------
@gazetteer_app.command("build")
def gazetteer_build(
    out: Annotated[Path, typer.Option("--out", help="Where to write the database.")] = Path(
        "toponyms-gazetteer.sqlite"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress messages.")] = False,
) -> None:
    """Rebuild the gazetteer from its sources (same inputs, same content).

    Example: toponyms gazetteer build --out my.sqlite
    """
    from gazetteer.build import build

    with _errors():
        stats = build(out, log=(lambda m: None) if quiet else (lambda m: typer.echo(m, err=True)))
        typer.echo(
            json.dumps({"out": str(out), "seconds": stats.get("seconds")}, ensure_ascii=False)
        )


@gazetteer_app.command("info")
def gazetteer_info(
    fmt: Annotated[str, typer.Option("--format", help="json (the only format).")] = "json",
    db: DbOption = None,
) -> None:
    """Print what a gazetteer holds, its sources and licences, as JSON.

    Example: toponyms gazetteer info --format json
    """
    from gazetteer import store

    with _errors():
        if fmt != "json":
            raise InvalidInputError(f"--format {fmt!r}: gazetteer info prints json")
        path, _ = store.resolve_path(db)
        conn = store.connect(path, readonly=True)
        try:
            data = store.info(conn)
        finally:
            conn.close()
        data["path"] = str(path)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


# -- gazetteer edits -------------------------------------------------------------------------
class EditFormat(StrEnum):
    text = "text"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    tsv = "tsv"
    geojson = "geojson"


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


AuthorOption = Annotated[
    str | None, typer.Option("--author", help="Who makes the edit (default: $USER).")
]
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Why, for the history.")]
EditFormatOption = Annotated[
    EditFormat, typer.Option("--format", help="text: the id touched; json: an object.")
]


def _edited(result: dict[str, Any], fmt: EditFormat) -> None:
    """Print what a write touched: its id, or the whole result as one JSON object."""
    if fmt is EditFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        typer.echo(result["id"])


def _gazetteer(db: Path | None) -> Any:
    from gazetteer.edits import Gazetteer

    return Gazetteer(db)


@gazetteer_app.command("init")
def gazetteer_init(
    path: Annotated[Path, typer.Argument(help="The new gazetteer file.")],
    source: Annotated[
        Path | None, typer.Option("--from", help="Copy this file (default: the shipped one).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
) -> None:
    """Create a gazetteer of your own, a copy of the default, to edit.

    Example: toponyms gazetteer init my.sqlite && export TOPONYMS_DB=my.sqlite
    """
    from gazetteer.edits import Gazetteer

    with _errors():
        Gazetteer.init(path, source=source, author=author, reason=reason, force=force)
        _edited({"id": str(path), "path": str(path), "source": str(source or "default")}, fmt)


@gazetteer_app.command("add-place")
def gazetteer_add_place(
    name: Annotated[str, typer.Option("--name", help="Official name.")],
    country: Annotated[str, typer.Option("--country", help="ISO country code, e.g. UA.")],
    kind: Annotated[str, typer.Option("--kind", help="village, city, hromada, ... (see docs).")],
    lat: Annotated[float, typer.Option("--lat", help="Latitude, -90..90.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, -180..180.")],
    parent: Annotated[str | None, typer.Option("--parent", help="Id of the enclosing unit.")] = (
        None
    ),
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the name.")] = None,
    population: Annotated[int | None, typer.Option("--population", min=0)] = None,
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Add a place; prints its new id (local:N).

    Example: toponyms gazetteer add-place --name Зоряне --country UA --kind village
    --lat 46.6 --lon 32.6 --parent katottg:UA65020010000060480 --db my.sqlite
    """
    with _errors():
        edit = _gazetteer(db).add_place(
            name=name,
            country=country,
            kind=kind,
            lat=lat,
            lon=lon,
            parent=parent,
            lang=lang,
            population=population,
            author=author,
            reason=reason,
        )
        _edited(edit.to_dict(), fmt)


@gazetteer_app.command("add-name")
def gazetteer_add_name(
    place_id: Annotated[str, typer.Argument(metavar="ID", help="The place.")],
    name: Annotated[str, typer.Argument(help="The name to add.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language (default: guessed).")] = None,
    type_: Annotated[
        str,
        typer.Option(
            "--type",
            help="official, alternate, historical, exonym, colloquial or occupation.",
        ),
    ] = "alternate",
    valid_from: Annotated[str | None, typer.Option("--valid-from", help="YYYY-MM-DD.")] = None,
    valid_to: Annotated[str | None, typer.Option("--valid-to", help="YYYY-MM-DD.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Where the name is from.")] = None,
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Add a name to a place.

    Example: toponyms gazetteer add-name local:1 Zoriane --lang en --db my.sqlite
    """
    with _errors():
        edit = _gazetteer(db).add_name(
            place_id,
            name,
            lang=lang,
            type=type_,
            valid_from=valid_from,
            valid_to=valid_to,
            source=source,
            author=author,
            reason=reason,
        )
        _edited(edit.to_dict(), fmt)


@gazetteer_app.command("remove-name")
def gazetteer_remove_name(
    place_id: Annotated[str, typer.Argument(metavar="ID", help="The place.")],
    name: Annotated[str, typer.Argument(help="The name to remove.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Only in this language.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only of this type.")] = None,
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Remove a name from a place.

    Example: toponyms gazetteer remove-name local:1 Zoriane --db my.sqlite
    """
    with _errors():
        edit = _gazetteer(db).remove_name(
            place_id, name, lang=lang, type=type_, author=author, reason=reason
        )
        _edited(edit.to_dict(), fmt)


@gazetteer_app.command("rename")
def gazetteer_rename(
    place_id: Annotated[str, typer.Argument(metavar="ID", help="The place.")],
    new_name: Annotated[str, typer.Argument(help="Its new official name.")],
    date: Annotated[str, typer.Option("--date", help="Date of the renaming, YYYY-MM-DD.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language (default: guessed).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="The act or reference.")] = None,
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Rename a place; the old official name becomes historical, valid up to --date.

    Example: toponyms gazetteer rename local:1 Світле --date 2024-09-19 --db my.sqlite
    """
    with _errors():
        edit = _gazetteer(db).rename(
            place_id, new_name, date=date, lang=lang, source=source, author=author, reason=reason
        )
        _edited(edit.to_dict(), fmt)


@gazetteer_app.command("merge")
def gazetteer_merge(
    duplicate_id: Annotated[str, typer.Argument(metavar="DUPLICATE_ID", help="Goes away.")],
    keep_id: Annotated[str, typer.Argument(metavar="KEEP_ID", help="Stays, takes its names.")],
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Merge a duplicate place into another; its id keeps resolving to KEEP_ID.

    Example: toponyms gazetteer merge local:2 local:1 --db my.sqlite
    """
    with _errors():
        edit = _gazetteer(db).merge(duplicate_id, keep_id, author=author, reason=reason)
        _edited(edit.to_dict(), fmt)


@gazetteer_app.command("retire")
def gazetteer_retire(
    place_id: Annotated[str, typer.Argument(metavar="ID", help="The place.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    author: AuthorOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Retire a place: it stays in the file, the resolver no longer answers with it.

    Example: toponyms gazetteer retire local:1 --reason "absorbed by Kherson" --db my.sqlite
    """
    with _errors():
        edit = _gazetteer(db).retire(place_id, reason=reason, author=author)
        _edited(edit.to_dict(), fmt)


@gazetteer_app.command("set")
def gazetteer_set(
    place_id: Annotated[str, typer.Argument(metavar="ID", help="The place.")],
    lat: Annotated[float | None, typer.Option("--lat", help="Latitude (with --lon).")] = None,
    lon: Annotated[float | None, typer.Option("--lon", help="Longitude (with --lat).")] = None,
    population: Annotated[int | None, typer.Option("--population", min=0)] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="New kind.")] = None,
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Change a place's coordinates, population or kind.

    Example: toponyms gazetteer set local:1 --lat 46.61 --lon 32.62 --db my.sqlite
    """
    with _errors():
        edit = _gazetteer(db).set(
            place_id,
            lat=lat,
            lon=lon,
            population=population,
            kind=kind,
            author=author,
            reason=reason,
        )
        _edited(edit.to_dict(), fmt)


@gazetteer_app.command("import")
def gazetteer_import(
    path: Annotated[Path, typer.Argument(help="CSV, TSV or GeoJSON file of places.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count, change nothing.")
    ] = False,
    file_format: Annotated[
        ExportFormat | None, typer.Option("--file-format", help="Default: from the extension.")
    ] = None,
    author: AuthorOption = None,
    reason: ReasonOption = None,
    fmt: EditFormatOption = EditFormat.text,
    db: DbOption = None,
) -> None:
    """Import places: all of the file or, on any error, none of it.

    Rows with the id of an existing place update it; others create places. Prints the ids
    touched (a summary on stderr), or one JSON object with --format json.

    Example: toponyms gazetteer import villages.csv --dry-run --db my.sqlite
    """
    with _errors():
        summary = _gazetteer(db).import_file(
            path,
            dry_run=dry_run,
            format=file_format.value if file_format else None,
            author=author,
            reason=reason,
        )
        if fmt is EditFormat.json:
            rest = {k: v for k, v in summary.items() if k != "ids"}
            typer.echo(json.dumps({"id": summary["ids"], **rest}, ensure_ascii=False))
            return
        for place_id in summary["ids"]:
            typer.echo(place_id)
        typer.echo(
            f"{summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged" + (" (dry run: nothing saved)" if dry_run else ""),
            err=True,
        )


@gazetteer_app.command("export")
def gazetteer_export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv, tsv or geojson.")] = (
        ExportFormat.csv
    ),
    country: Annotated[str | None, typer.Option("--country", help="Only this country.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write here, not to stdout.")] = None,
    db: DbOption = None,
) -> None:
    """Export active places with all their names (the format import reads).

    Example: toponyms gazetteer export --format geojson --country UA --db my.sqlite > ua.geojson
    """
    with _errors():
        gazetteer = _gazetteer(db)
        if out is None:
            gazetteer.export(format=fmt.value, country=country, out=sys.stdout)
            return
        with out.open("w", encoding="utf-8", newline="") as handle:
            gazetteer.export(format=fmt.value, country=country, out=handle)


@gazetteer_app.command("history")
def gazetteer_history(
    place_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Only this place.")] = None,
    fmt: Annotated[
        HistoryFormat | None, typer.Option("--format", help="table on a terminal, else jsonl.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="The last N only.")] = None,
    db: DbOption = None,
) -> None:
    """Every change: when, who, what, why (oldest first).

    Example: toponyms gazetteer history local:1 --db my.sqlite
    """
    with _errors():
        rows = _gazetteer(db).history(place_id, limit=limit)
        chosen = fmt.value if fmt is not None else ("table" if sys.stdout.isatty() else "jsonl")
        if chosen == "json":
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        elif chosen == "jsonl":
            for row in rows:
                typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            for row in rows:
                details = json.dumps(row["details"], ensure_ascii=False)
                why = f"  ({row['reason']})" if row["reason"] else ""
                typer.echo(
                    f"{row['at']}  {row['author']:<12} {row['action']:<12} "
                    f"{row['place_id'] or '-':<28} {details[:80]}{why}"
                )


@gazetteer_app.command("check")
def gazetteer_check(
    fmt: Annotated[EditFormat, typer.Option("--format", help="text or json.")] = EditFormat.text,
    fix: Annotated[bool, typer.Option("--fix", help="Rebuild the indexes first.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    db: DbOption = None,
) -> None:
    """Check integrity: orphans, duplicates, bad coordinates, empty names, redirects, indexes.

    Exit code 0 when clean, 1 when there are problems.

    Example: toponyms gazetteer check --format json --db my.sqlite
    """
    with _errors():
        report = _gazetteer(db).check(fix=fix, strict=strict)
    if fmt is EditFormat.json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for group, counts in (("problem", report["counts"]), ("warning", report["warning_counts"])):
            source = report["problems" if group == "problem" else "warnings"]
            for check, count in counts.items():
                if count:
                    typer.echo(f"{group}: {check}: {count}")
                    for item in source[check]:
                        typer.echo(f"  {json.dumps(item, ensure_ascii=False)}")
        typer.echo("ok" if report["ok"] else "problems found")
    if not report["ok"]:
        raise typer.Exit(1)


@gazetteer_app.command("upgrade")
def gazetteer_upgrade(
    path: Annotated[Path, typer.Argument(help="Your gazetteer file.")],
    source: Annotated[
        Path | None, typer.Option("--from", help="The new default (default: the shipped one).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Even if already up to date.")] = False,
    author: AuthorOption = None,
    fmt: EditFormatOption = EditFormat.text,
) -> None:
    """Rebuild your gazetteer on a new default, replaying your own edits onto it.

    Edits whose place is gone upstream are skipped and listed; the old file is kept as
    PATH.bak-upgrade-<time>.

    Example: toponyms gazetteer upgrade my.sqlite
    """
    from gazetteer.edits import Gazetteer

    with _errors():
        summary = Gazetteer.upgrade(path, source=source, author=author, force=force)
        if fmt is EditFormat.json:
            typer.echo(json.dumps(summary, ensure_ascii=False))
            return
        typer.echo(summary["id"])
        if summary.get("up_to_date"):
            typer.echo("already built on that default (use --force to replay anyway)", err=True)
        else:
            typer.echo(
                f"{summary['replayed']} edits replayed, {len(summary['skipped'])} skipped", err=True
            )
            for skipped in summary["skipped"]:
                typer.echo(f"  skipped: {json.dumps(skipped, ensure_ascii=False)}", err=True)


def main() -> None:  # pragma: no cover - the console script calls app directly
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
