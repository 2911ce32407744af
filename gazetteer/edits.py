"""The names ``gazetteer.edits`` gave before the edits became operations (kept for callers).

The façade is :mod:`gazetteer.api`, the edits are :mod:`gazetteer.ops`, the history table
is :mod:`gazetteer.history`; import from those.
"""

from __future__ import annotations

from gazetteer.api import INIT_HINT, Edit, Gazetteer, apply_import
from gazetteer.history import log, replay
from gazetteer.ops import (
    OPERATIONS,
    clean_text,
    delete_names,
    execute,
    get_place,
    insert_names,
    rebuild_index,
    redirect_target,
)

__all__ = [
    "INIT_HINT",
    "OPERATIONS",
    "Edit",
    "Gazetteer",
    "apply_import",
    "clean_text",
    "delete_names",
    "execute",
    "get_place",
    "insert_names",
    "log",
    "rebuild_index",
    "redirect_target",
    "replay",
]
