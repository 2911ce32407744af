"""The ``toponyms reconcile`` command's work: read a table, reconcile it, write the output
and the review file; or apply a filled-in review to a user's gazetteer.

Kept apart from ``cli.py`` (which only parses options and maps errors to exit codes) and
from :mod:`toponyms.reconcile` (which knows no files).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from toponyms import reconcile as rec
from toponyms.errors import InvalidInputError, ReadOnlyGazetteerError
from toponyms.tables import Table, read_table, write_table


def _progress(total: int, label: str) -> Any:
    """A progress bar on standard error when it is a terminal (else a silent one)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(
        f"[progress.description]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal or not sys.stderr.isatty(),
        transient=False,
    )


def run_reconcile(
    table_path: Path,
    *,
    column: str,
    context_columns: Sequence[str],
    out: Path | None,
    review: Path | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    options: dict[str, Any],
    db: Path | None,
    log: Callable[[str], None],
) -> dict[str, int]:
    """Reconcile ``table_path``; returns the count of rows per status."""
    from toponyms.match import Resolver

    for path, what in ((out, "--out"), (review, "--review")):
        if path is not None:
            from toponyms.tables import format_of

            format_of(path, what=what)  # an unknown extension fails before any work
    table = read_table(table_path, encoding=encoding, delimiter=delimiter, sheet=sheet)
    if table.note:
        log(table.note)
    name_index = table.column(column)
    context_index = [table.column(c) for c in context_columns]
    resolver = Resolver(db=db)
    reconciler = rec.Reconciler(resolver, context_columns=context_columns, **options)
    answers: list[rec.Reconciled] = []
    counts = {rec.MATCHED: 0, rec.AMBIGUOUS: 0, rec.NO_MATCH: 0}

    def rows() -> Iterator[list[Any]]:
        with _progress(len(table.rows), "reconciling") as bar:
            task = bar.add_task("rows", total=len(table.rows))
            for row, answer in rec.reconcile_rows(
                reconciler, table.rows, column=name_index, context=context_index
            ):
                answers.append(answer)
                counts[answer.status] += 1
                bar.advance(task)
                yield rec.output_row(row, answer)

    header = [*table.header, *rec.added_columns(table.header)]
    renamed = [c for c in rec.added_columns(table.header) if c.startswith(rec.PREFIX)]
    if renamed:
        log(f"the input has columns named like the added ones; added as {', '.join(renamed)}")
    write_table(
        header,
        rows(),
        out=out,
        delimiter=_output_delimiter(table),
        bom=table.encoding in {"utf-8-sig", "cp1251", "utf-16"},
    )
    if review is not None:
        review_table = rec.review_rows(
            (
                (number, [rec.cell_name(row[i]) for i in context_index], answer)
                for number, (row, answer) in enumerate(zip(table.rows, answers, strict=True), 2)
            )
        )
        write_table(
            rec.review_header(context_columns),
            review_table,
            out=review,
            bom=table.encoding in {"utf-8-sig", "cp1251", "utf-16"},
        )
        log(f"{len(review_table)} name(s) to review in {review}")
    log(
        f"{len(table.rows)} rows: {counts[rec.MATCHED]} matched, "
        f"{counts[rec.AMBIGUOUS]} ambiguous, {counts[rec.NO_MATCH]} no match"
    )
    return counts


def _output_delimiter(table: Table) -> str:
    """A CSV is written with its input's delimiter (Excel in a Ukrainian or Russian locale
    reads semicolons); other input gives commas."""
    return table.delimiter if table.format == "csv" and table.delimiter else ","


def run_apply_review(path: Path, *, db: Path | None, author: str | None) -> dict[str, Any]:
    """Store the accepted choices of review file ``path`` in gazetteer ``db``."""
    from gazetteer import store
    from gazetteer.api import INIT_HINT, Gazetteer
    from toponyms.match import Resolver

    target, is_default = store.resolve_path(db)
    if is_default:  # refused before the review is read, with the hint every edit gives
        raise ReadOnlyGazetteerError(f"{target} is the shipped default gazetteer: {INIT_HINT}")
    gazetteer = Gazetteer(db, author=author)
    table = read_table(path)
    choices = rec.accepted(table.header, table.rows, source=path.name)
    if not choices:
        raise InvalidInputError(f"{path}: no row has its accept column filled in")
    with Resolver(db=gazetteer.path) as resolver:
        return rec.apply_review(choices, gazetteer, resolver, source=path.name, author=author)
