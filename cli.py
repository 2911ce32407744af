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
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from toponyms.errors import GazetteerError, InvalidInputError, ToponymsError

app = typer.Typer(
    help="Resolve and extract place names (Ukraine, Russia, the world) against a SQLite gazetteer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
gazetteer_app = typer.Typer(
    help="Build, inspect and edit gazetteers.", no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(gazetteer_app, name="gazetteer")


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


class ExtractFormat(str, Enum):
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
        str | None, typer.Option("--file", "-f", help="Read names from a file, one a line; - for stdin.")
    ] = None,
    fmt: Annotated[
        Format | None, typer.Option("--format", help="Output format (table on a terminal, else jsonl).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Matches per name, at most.", min=1)] = 5,
    country: Annotated[str | None, typer.Option(help="Only these countries, e.g. UA,RU.")] = None,
    within: Annotated[str | None, typer.Option(help='Only inside this region, e.g. "Kherson Oblast".')] = None,
    near: Annotated[str | None, typer.Option(help="Prefer places near LAT,LON.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Prefer names valid at YYYY-MM-DD.")] = None,
    min_score: Annotated[float, typer.Option("--min-score", help="Drop matches scoring below this.")] = 0.0,
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

        render_resolutions(results(), _default_format(fmt), sys.stdout)
        progress.close()


# -- extract ---------------------------------------------------------------------------------
@app.command()
def extract(
    path: Annotated[str | None, typer.Argument(help="Plain-text file; - or nothing for stdin.")] = None,
    docs: Annotated[
        str | None, typer.Option("--docs", help='JSON lines {"id", "text"}; - for stdin.')
    ] = None,
    fmt: Annotated[ExtractFormat, typer.Option("--format", help="Output format.")] = ExtractFormat.jsonl,
    lang: Annotated[str, typer.Option(help="Language of the text: auto, en, uk, ru, ...")] = "auto",
    min_score: Annotated[float, typer.Option("--min-score", help="Drop mentions scoring below this.")] = 0.5,
    db: DbOption = None,
) -> None:
    """Find and resolve every place mention in text.

    Example: echo "Обстріл Херсона і Нової Каховки" | toponyms extract --format tagged
    """
    from toponyms.extract_cli import run_extract

    with _errors():
        if path is not None and docs is not None:
            raise InvalidInputError("give a text file or --docs, not both")
        run_extract(
            path=path, docs=docs, fmt=fmt.value, lang=None if lang == "auto" else lang,
            min_score=min_score, db=db, out=sys.stdout,
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
        typer.echo(json.dumps({"out": str(out), "seconds": stats.get("seconds")}, ensure_ascii=False))


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


def main() -> None:  # pragma: no cover - the console script calls app directly
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
