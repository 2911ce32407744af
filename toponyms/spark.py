"""Reconcile a Spark DataFrame's column of place names (needs ``toponyms[spark]``).

::

    from toponyms.spark import resolve_column

    events = spark.read.csv("events/", header=True)
    placed = resolve_column(events, "location", context_columns=["admin1"])
    placed.select("location", "toponym.place_id", "toponym.lat", "toponym.lon").show()

A pandas UDF (Arrow batches, not row by row) reconciles each batch with
:func:`toponyms.pandas.resolve_series` and the resolver of its Python worker process
(:func:`toponyms.reconcile.shared_resolver`, opened at the first batch and kept while
Spark reuses the worker, its default). The result is one struct column of
:data:`toponyms.reconcile.COLUMNS`; ``toponym.*`` spreads it into columns.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toponyms.reconcile import COLUMNS, FLOAT_COLUMNS, shared_resolver

try:
    import pandas as pd
    from pyspark.sql import Column, DataFrame
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    from pyspark.sql.pandas.functions import pandas_udf
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("toponyms.spark needs pyspark: pip install 'toponyms[spark]'") from error

from toponyms.pandas import resolve_series


def result_type() -> T.StructType:
    """The struct a reconciled name becomes: doubles for lat, lon, score; strings else."""
    return T.StructType(
        [
            T.StructField(c, T.DoubleType() if c in FLOAT_COLUMNS else T.StringType(), True)
            for c in COLUMNS
        ]
    )


def resolve_udf(
    *,
    db: str | os.PathLike[str] | None = None,
    context: bool = False,
    **resolve_options: Any,
) -> Callable[..., Column]:
    """A pandas UDF of a name column (and, with ``context``, a struct column of the
    context cells, broadest first) that returns the :func:`result_type` struct."""
    path = None if db is None else str(Path(db).expanduser().resolve())
    options = dict(resolve_options)

    def places(names: pd.Series, cells: pd.DataFrame | None) -> pd.DataFrame:
        found = resolve_series(
            names.reset_index(drop=True),
            context=None if cells is None else cells.reset_index(drop=True),
            resolver=shared_resolver(path),
            **options,
        )
        return found  # NaN in lat, lon and score arrives in Spark as null

    if context:

        @pandas_udf(result_type())  # type: ignore[call-overload,untyped-decorator]
        def with_context(names: pd.Series, cells: pd.DataFrame) -> pd.DataFrame:
            return places(names, cells)

        return with_context  # type: ignore[no-any-return]

    @pandas_udf(result_type())  # type: ignore[call-overload,untyped-decorator]
    def without_context(names: pd.Series) -> pd.DataFrame:
        return places(names, None)

    return without_context  # type: ignore[no-any-return]


def resolve_column(
    frame: DataFrame,
    column: str,
    *,
    context_columns: Sequence[str] = (),
    db: str | os.PathLike[str] | None = None,
    into: str = "toponym",
    **resolve_options: Any,
) -> DataFrame:
    """``frame`` with a struct column ``into`` holding the place of each name of
    ``column`` (see :func:`resolve_udf`)."""
    udf = resolve_udf(db=db, context=bool(context_columns), **resolve_options)
    arguments = [F.col(column)]
    if context_columns:
        arguments.append(F.struct(*[F.col(c) for c in context_columns]))
    return frame.withColumn(into, udf(*arguments))
