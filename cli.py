"""The ``toponyms`` command: thin wrappers that parse options, call the library, render.

Every command maps library errors to a message on standard error and an exit code in one
place (:func:`_errors`); the codes are :data:`EXIT_CODES`. No command prints a traceback
to a user, and when standard error is not a terminal, usage errors are one plain line too
(no boxes). The commands that print rows (resolve, extract, near) share one set of output
options (format, ``--fields``, ``--bom``) and one renderer (:func:`toponyms.render.render`).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import MarkupMode, TyperCommand, TyperGroup

from toponyms import __version__
from toponyms.errors import GazetteerError, InvalidInputError, ToponymsError

EXIT_OK = 0
EXIT_GAZETTEER = 1  # the gazetteer cannot be used (missing, a folder, not a gazetteer, ...)
EXIT_USAGE = 2  # bad options or input: nothing was done
EXIT_PARTIAL = 3  # the run completed, but some input lines or documents were bad
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_GAZETTEER: "the gazetteer cannot be used, or `gazetteer check` found problems",
    EXIT_USAGE: "bad usage or input (an unknown option, a bad LAT,LON or DATE, a folder or"
    " binary file given as input): nothing was done",
    EXIT_PARTIAL: "the run completed, but some input lines or documents could not be read"
    " or resolved (each has an error in the output)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}
EPILOG = "Exit codes: " + "; ".join(f"{code} {what}" for code, what in EXIT_CODES.items()) + "."


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _App(typer.Typer):
    """The app, whose usage errors are rich boxes on a terminal and one plain line
    elsewhere (a log, a pipe, a CI job): typer reads ``rich_markup_mode`` each time the
    command is made, so it is decided per run, from standard error."""

    @property
    def rich_markup_mode(self) -> MarkupMode:
        return self._markup if _stderr_is_terminal() else None

    @rich_markup_mode.setter
    def rich_markup_mode(self, value: MarkupMode) -> None:
        self._markup = value


def _one_line(error: Exception) -> None:
    """Make a usage error print as one plain line (``toponyms: error: ...``) when standard
    error is not a terminal; on a terminal typer's own box stays."""
    context = getattr(error, "ctx", None)
    message = getattr(error, "format_message", None)
    if _stderr_is_terminal() or context is None or message is None:
        return
    where = f" (see '{context.command_path} --help')"

    def show(file: Any = None) -> None:
        typer.echo(f"toponyms: error: {message()}{where}", err=True)

    setattr(error, "show", show)  # noqa: B010 - an instance's method, replaced


class _Group(TyperGroup):
    """The root command group: usage errors of any command pass through here."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except typer.TyperException as error:
            _one_line(error)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.TyperException as error:
            _one_line(error)
            raise


app = _App(
    cls=_Group,
    help="Resolve and extract place names (Ukraine, Russia, the world) against a SQLite gazetteer."
    "\n\nExample: toponyms resolve Aleshki",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
gazetteer_app = typer.Typer(
    help="Build, inspect and edit gazetteers.\n\nExample: toponyms gazetteer info",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(gazetteer_app, name="gazetteer")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"toponyms {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Resolve and extract place names against a SQLite gazetteer."""


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    geojson = "geojson"


class ExtractFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    geojson = "geojson"
    csv = "csv"
    tsv = "tsv"
    table = "table"
    tagged = "tagged"


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", metavar="PATH", help="Gazetteer file (default: $TOPONYMS_DB, else the shipped one)."
    ),
]
# The output options of every command that prints rows (resolve, extract, near).
FormatOption = Annotated[
    Format | None,
    typer.Option("--format", help="Output format (table on a terminal, else jsonl)."),
]
FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="A,B,C",
        help="Columns of table, csv and tsv output, in this order (an unknown one lists all).",
    ),
]
BomOption = Annotated[
    bool,
    typer.Option("--bom", help="Start csv or tsv with a UTF-8 byte-order mark (for Excel)."),
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
        raise _fail(str(error), EXIT_USAGE) from None
    except LookupError as error:
        raise _fail(str(error.args[0]) if error.args else str(error), EXIT_USAGE) from None
    except GazetteerError as error:
        raise _fail(str(error), EXIT_GAZETTEER) from None
    except ToponymsError as error:
        raise _fail(str(error), EXIT_GAZETTEER) from None
    except BrokenPipeError:
        sys.stderr.close()  # the reader (head, less) went away: not an error of ours
        raise typer.Exit(EXIT_OK) from None
    except OSError as error:  # a file the user named cannot be written (--out a folder, ...)
        where = f"{error.filename}: " if error.filename else ""
        raise _fail(f"{where}{error.strerror or error}", EXIT_USAGE) from None
    except KeyboardInterrupt:
        raise _fail("interrupted", EXIT_INTERRUPTED) from None


def _default_format(fmt: Format | ExtractFormat | None) -> str:
    if fmt is not None:
        return fmt.value
    return "table" if sys.stdout.isatty() else "jsonl"


def _render_options(fmt: Format | None, fields: str | None, bom: bool) -> Any:
    from toponyms.render import RenderOptions

    return RenderOptions(fmt=_default_format(fmt), fields=fields, bom=bom)


# -- resolve ---------------------------------------------------------------------------------
@app.command()
def resolve(
    names: Annotated[
        list[str] | None, typer.Argument(metavar="NAME", help="Names to resolve.")
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file", "-f", metavar="PATH", help="Read names from a file, one a line; - for stdin."
        ),
    ] = None,
    fmt: FormatOption = None,
    limit: Annotated[int, typer.Option(metavar="K", help="Matches per name, at most.", min=1)] = 5,
    country: Annotated[
        str | None, typer.Option(metavar="CODES", help="Only these countries, e.g. UA,RU.")
    ] = None,
    within: Annotated[
        str | None,
        typer.Option(metavar="REGION", help='Only inside this region, e.g. "Kherson Oblast".'),
    ] = None,
    near: Annotated[
        str | None, typer.Option(metavar="LAT,LON", help="Prefer places near LAT,LON.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Prefer names valid at DATE (YYYY-MM-DD)."),
    ] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", metavar="SCORE", help="Drop matches scoring below this.")
    ] = 0.0,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Say why: each stage's candidates and the ranking after it, with score parts"
            " (json or jsonl; a readable report as a table).",
        ),
    ] = False,
    fields: FieldsOption = None,
    bom: BomOption = False,
    db: DbOption = None,
) -> None:
    """Resolve place names to canonical places.

    Example: toponyms resolve Aleshki "Kirovsk (Luhansk region)" Алешках --format json

    Example: toponyms resolve Bakhmutt --explain
    """
    from toponyms.inputs import Progress, iter_lines, open_binary
    from toponyms.match import Resolver, parse_date, parse_point
    from toponyms.render import RESOLVE, check_options, render, render_explanations, render_json

    with _errors():
        if not names and file is None:
            raise InvalidInputError("give names to resolve, or --file PATH (- for standard input)")
        if names and file is not None:
            raise InvalidInputError("give names or --file, not both")
        parse_point(near)
        parse_date(as_of)
        shown = _render_options(fmt, fields, bom)
        if explain and shown.fmt not in ("json", "jsonl", "table"):
            raise InvalidInputError("--explain writes json, jsonl or table, not " + shown.fmt)
        if not explain:
            check_options(RESOLVE, shown)
        resolver = Resolver(db=db)
        options: dict[str, Any] = dict(
            limit=limit, country=country, within=within, near=near, as_of=as_of, min_score=min_score
        )
        resolver.check_options(**options)  # a bad country or region fails once, before any output
        stream = open_binary(file) if file is not None else None
        progress = Progress("resolved")

        def answers(texts: list[str]) -> Iterator[dict[str, Any]]:
            if not explain:
                for resolution in resolver.resolve_many(texts, **options):
                    yield resolution.to_dict()
                return
            for text in texts:
                try:
                    yield resolver.explain(text, **options).to_dict()
                except InvalidInputError as error:
                    yield {"query": text, "error": str(error)}

        def results() -> Iterator[dict[str, Any]]:
            if stream is None:
                yield from answers(names or [])
                return
            for line in iter_lines(stream):
                progress.step()
                if line.text is None:
                    yield {"query": None, "line": line.number, "error": line.error}
                    continue
                yield from answers([line.text])

        failed = 0

        def counted(items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            nonlocal failed
            for item in items:
                failed += "error" in item
                yield item

        with progress:
            if explain and shown.fmt == "table":
                render_explanations(counted(results()), sys.stdout)
            elif explain:  # json or jsonl: the whole objects, stages included
                render_json(counted(results()), shown.fmt, sys.stdout)
            else:
                render(counted(results()), RESOLVE, shown, sys.stdout)
    if failed:
        # Every line was answered; the exit code still tells a script that some were bad.
        typer.echo(
            f"toponyms: {failed} input line(s) could not be resolved (see their error)", err=True
        )
        raise typer.Exit(EXIT_PARTIAL)


# -- near ------------------------------------------------------------------------------------
_NEGATIVE_POINT = re.compile(r"^-\d+(\.\d*)?\s*[,;]\s*[-+]?\d+(\.\d*)?$")


class _PointCommand(TyperCommand):
    """A command whose LAT,LON argument may start with a minus (``near -33.9,18.4``),
    which the parser would otherwise read as an option: it goes after a ``--``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" not in args:
            for i, arg in enumerate(args):
                if _NEGATIVE_POINT.match(arg):
                    args = [*args[:i], *args[i + 1 :], "--", arg]
                    break
        result: list[str] = super().parse_args(ctx, args)
        return result


@app.command(cls=_PointCommand)
def near(
    point: Annotated[str, typer.Argument(metavar="LAT,LON", help="The point, e.g. 46.64,32.61.")],
    limit: Annotated[
        int, typer.Option("--limit", metavar="K", help="How many places.", min=1, max=1000)
    ] = 10,
    kind: Annotated[
        str | None,
        typer.Option("--kind", metavar="KIND", help="Only these kinds, e.g. city or city,village."),
    ] = None,
    fmt: FormatOption = None,
    fields: FieldsOption = None,
    bom: BomOption = False,
    db: DbOption = None,
) -> None:
    """The places nearest to a point, with their raion, oblast, country and distance in km.

    Kinds: country, oblast, raion, hromada, city, urban_settlement, settlement, village,
    city_district, place.

    Example: toponyms near 46.6354,32.6169 --kind city,village --limit 5

    A southern or western point is written as it is: toponyms near -33.92,18.42
    """
    from toponyms.match import parse_point
    from toponyms.near import Nearest
    from toponyms.render import NEAR, check_options, render

    with _errors():
        lat_lon = parse_point(point)
        assert lat_lon is not None
        shown = _render_options(fmt, fields, bom)
        check_options(NEAR, shown)
        with Nearest(db) as index:
            found = index.nearest(*lat_lon, limit=limit, kind=kind)
        render((n.to_dict() for n in found), NEAR, shown, sys.stdout)


# -- extract ---------------------------------------------------------------------------------
@app.command()
def extract(
    path: Annotated[
        str | None,
        typer.Argument(metavar="[PATH]", help="Plain-text file; - or nothing for stdin."),
    ] = None,
    docs: Annotated[
        str | None,
        typer.Option("--docs", metavar="PATH", help='JSON lines {"id", "text"}; - for stdin.'),
    ] = None,
    fmt: Annotated[
        ExtractFormat, typer.Option("--format", help="Output format.")
    ] = ExtractFormat.jsonl,
    lang: Annotated[
        str, typer.Option(metavar="LANG", help="Language of the text: auto, en, uk, ru, ...")
    ] = "auto",
    min_score: Annotated[
        float,
        typer.Option("--min-score", metavar="SCORE", help="Drop mentions scoring below this."),
    ] = 0.5,
    fields: FieldsOption = None,
    bom: BomOption = False,
    db: DbOption = None,
) -> None:
    """Find and resolve every place mention in text.

    Example: echo "Обстріл Херсона і Нової Каховки" | toponyms extract --format tagged
    """
    from toponyms.extract_cli import run_extract
    from toponyms.render import RenderOptions

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
            options=RenderOptions(fmt=fmt.value, fields=fields, bom=bom),
        )
    if failed:
        typer.echo(f"toponyms: {failed} document(s) could not be read (see their error)", err=True)
        raise typer.Exit(EXIT_PARTIAL)


# -- serve -----------------------------------------------------------------------------------
@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one).", min=0)] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the W3C Reconciliation API for OpenRefine; paste the printed URL into it.

    Example: toponyms serve --port 8000   (then add http://127.0.0.1:8000/ in OpenRefine)
    """
    from toponyms.serve import run

    def ready(url: str) -> None:
        typer.echo(f"toponyms: reconciliation service at {url} (Ctrl-C stops it)", err=True)

    with _errors():
        run(host=host, port=port, db=db, ready=ready)


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
    from gazetteer.api import Gazetteer

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
    from gazetteer.api import Gazetteer

    with _errors():
        Gazetteer.init(path, source=source, author=author, reason=reason, force=force)
        _edited({"id": str(path), "path": str(path), "source": str(source or "default")}, fmt)


@gazetteer_app.command("add-place")
def gazetteer_add_place(
    name: Annotated[str, typer.Option("--name", help="Official name.")],
    country: Annotated[
        str, typer.Option("--country", metavar="CODE", help="ISO country code, e.g. UA.")
    ],
    kind: Annotated[str, typer.Option("--kind", help="village, city, hromada, ... (see docs).")],
    lat: Annotated[float, typer.Option("--lat", help="Latitude, -90..90.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, -180..180.")],
    parent: Annotated[
        str | None, typer.Option("--parent", metavar="ID", help="Id of the enclosing unit.")
    ] = (None),
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
    valid_from: Annotated[
        str | None, typer.Option("--valid-from", metavar="DATE", help="YYYY-MM-DD.")
    ] = None,
    valid_to: Annotated[
        str | None, typer.Option("--valid-to", metavar="DATE", help="YYYY-MM-DD.")
    ] = None,
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
    date: Annotated[
        str, typer.Option("--date", metavar="DATE", help="Date of the renaming, YYYY-MM-DD.")
    ],
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
    country: Annotated[
        str | None, typer.Option("--country", metavar="CODE", help="Only this country.")
    ] = None,
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
    from gazetteer.api import Gazetteer

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
