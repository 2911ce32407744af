"""Reconcile a pandas Series of place names: ``resolve_series`` (needs ``toponyms[pandas]``).

::

    import pandas as pd
    from toponyms.pandas import resolve_series

    sheet = pd.read_csv("hum.csv")
    places = resolve_series(sheet["settlement"], context=sheet[["oblast", "raion"]])
    sheet = sheet.join(places)          # same index: the columns line up with the rows

The answers are those of ``toponyms reconcile`` (both go through
:class:`toponyms.reconcile.Reconciler`), so a sheet gives the same places in a notebook as
on the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toponyms.errors import InvalidInputError
from toponyms.reconcile import COLUMNS, FLOAT_COLUMNS, Reconciler, resolver_lock, shared_resolver

try:
    import pandas as pd
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("toponyms.pandas needs pandas: pip install 'toponyms[pandas]'") from error

if TYPE_CHECKING:
    from toponyms.match import Resolver


def empty_frame(index: pd.Index | None = None) -> pd.DataFrame:
    """A frame of the result columns with their dtypes (float for lat, lon and score,
    text otherwise): the ``meta`` of a Dask partition, the schema of a Spark result."""
    return pd.DataFrame(
        {c: pd.Series(dtype="float64" if c in FLOAT_COLUMNS else "object") for c in COLUMNS},
        index=index if index is not None else pd.RangeIndex(0),
    )


def resolve_series(
    series: pd.Series,
    *,
    context: pd.DataFrame | pd.Series | None = None,
    resolver: Resolver | None = None,
    **resolve_options: Any,
) -> pd.DataFrame:
    """The places a Series of names means, one row per name, on the Series' index.

    ``context`` holds the rows' context cells: a DataFrame (its columns broadest first:
    oblast, raion, hromada; a country column filters by country) or one Series, aligned
    with ``series`` by index. ``resolver`` defaults to this process's resolver of the
    default gazetteer; ``resolve_options`` are :meth:`Resolver.resolve_one`'s
    (``country``, ``within``, ``as_of``, ``near``, ``min_score``).

    The columns are :data:`toponyms.reconcile.COLUMNS`; a missing name (None, NaN, an
    empty string) gives a ``no match`` row, not an error.
    """
    if not isinstance(series, pd.Series):
        raise InvalidInputError(
            f"resolve_series takes a pandas Series, not {type(series).__name__}"
        )
    frame = _context_frame(context, series.index)
    chosen = resolver if resolver is not None else shared_resolver()
    with resolver_lock(chosen):
        reconciler = Reconciler(
            chosen,
            context_columns=[str(c) for c in frame.columns] if frame is not None else (),
            **resolve_options,
        )
        cells = frame.itertuples(index=False, name=None) if frame is not None else None
        rows = [
            reconciler.reconcile(name, next(cells) if cells is not None else ()).row()
            for name in series.tolist()
        ]
    result = pd.DataFrame.from_records(rows, columns=list(COLUMNS), index=series.index)
    for column in FLOAT_COLUMNS:
        result[column] = result[column].astype("float64")
    return result


def _context_frame(
    context: pd.DataFrame | pd.Series | None, index: pd.Index
) -> pd.DataFrame | None:
    """``context`` as a DataFrame on ``index`` (realigned by label when it differs)."""
    if context is None:
        return None
    if isinstance(context, pd.Series):
        context = context.to_frame(name=context.name if context.name is not None else "context")
    if not isinstance(context, pd.DataFrame):
        raise InvalidInputError(
            f"context must be a pandas DataFrame or Series, not {type(context).__name__}"
        )
    if context.index.equals(index):
        return context
    if not context.index.is_unique:
        raise InvalidInputError("context has another index than the names, with repeated labels")
    return context.reindex(index)
