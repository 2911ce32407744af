"""Reconcile place names across a Dask cluster (needs ``toponyms[dask]``).

::

    import dask.dataframe as dd
    from toponyms.dask import resolve_dataframe

    sheet = dd.read_csv("events-*.csv")
    places = resolve_dataframe(sheet, "location", context_columns=["admin1"])
    places.to_parquet("events-placed/")

Each partition is reconciled by :func:`toponyms.pandas.resolve_series`, with the
resolver of its worker process: :func:`toponyms.reconcile.shared_resolver` opens the
gazetteer once per process, at the first partition, and keeps it (the tasks carry only
the gazetteer's path, never an open database). Every worker must see the gazetteer file
at that path (the default one is found, or built, in each worker's own cache).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toponyms.reconcile import COLUMNS, added_columns, shared_resolver

try:
    import dask.bag as db_bag
    import dask.dataframe as dd
    import pandas as pd
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("toponyms.dask needs dask: pip install 'toponyms[dask]'") from error

from toponyms.pandas import empty_frame, resolve_series


def _path(db: str | os.PathLike[str] | None) -> str | None:
    """A gazetteer path every worker can open: absolute, or ``None`` for the default."""
    return None if db is None else str(Path(db).expanduser().resolve())


def _join(frame: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the result columns after its own (prefixed where names clash)."""
    renamed = places.set_axis(list(added_columns([str(c) for c in frame.columns])), axis=1)
    return pd.concat([frame, renamed], axis=1)


def _partition(
    frame: pd.DataFrame,
    column: str,
    context_columns: tuple[str, ...],
    db: str | None,
    options: dict[str, Any],
) -> pd.DataFrame:
    places = resolve_series(
        frame[column],
        context=frame[list(context_columns)] if context_columns else None,
        resolver=shared_resolver(db),
        **options,
    )
    return _join(frame, places)


def resolve_dataframe(
    frame: dd.DataFrame,
    column: str,
    *,
    context_columns: Sequence[str] = (),
    db: str | os.PathLike[str] | None = None,
    **resolve_options: Any,
) -> dd.DataFrame:
    """``frame`` with the place columns (:data:`toponyms.reconcile.COLUMNS`) of its
    ``column`` of names added, lazily, partition by partition (index and partitions as
    they were). ``context_columns`` and ``resolve_options`` are as for
    :func:`toponyms.pandas.resolve_series`; ``db`` is the gazetteer (default: the shipped
    one)."""
    meta = _join(frame._meta, empty_frame(frame._meta.index))
    placed: dd.DataFrame = frame.map_partitions(  # type: ignore[no-untyped-call]
        _partition,
        column,
        tuple(context_columns),
        _path(db),
        dict(resolve_options),
        meta=meta,
    )
    return placed


def _bag_partition(
    names: Sequence[Any], db: str | None, options: dict[str, Any]
) -> list[dict[str, Any]]:
    series = pd.Series(list(names), dtype="object")
    places = resolve_series(series, resolver=shared_resolver(db), **options)
    records: list[dict[str, Any]] = places.to_dict(orient="records")
    return [
        {"query": name, **{c: _plain(r[c]) for c in COLUMNS}}
        for name, r in zip(series.tolist(), records, strict=True)
    ]


def _plain(value: Any) -> Any:
    """NaN becomes ``None`` (the dicts of a bag hold no pandas missing values)."""
    return None if isinstance(value, float) and value != value else value


def resolve_bag(
    names: db_bag.Bag,
    *,
    db: str | os.PathLike[str] | None = None,
    **resolve_options: Any,
) -> db_bag.Bag:
    """A Bag of names → a Bag of dicts: ``query`` and the place columns, in order."""
    found: db_bag.Bag = names.map_partitions(  # type: ignore[no-untyped-call]
        _bag_partition, _path(db), dict(resolve_options)
    )
    return found
