"""toponyms: multilingual place-name reconciliation for Ukraine, Russia and the world.

The public API::

    from toponyms import Resolver
    resolver = Resolver()                 # the default gazetteer, or Resolver(db="my.sqlite")
    resolver.resolve("Aleshki")           # -> list[Match], best first
    resolver.extract("Обстріл Херсона")   # -> list[Mention]

    from toponyms import nearest
    nearest(46.6354, 32.6169, limit=5)    # -> list[Nearby], nearest first

Names are imported lazily, so that ``import toponyms`` stays cheap for tools (and the
gazetteer build) that only need the text functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toponyms.errors import (
    DataFileError,
    GazetteerError,
    ImportFileError,
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
    ReadOnlyGazetteerError,
    ToponymsError,
    UnknownNameError,
    UnknownPlaceError,
)

if TYPE_CHECKING:
    from gazetteer.api import Gazetteer
    from toponyms.match import Resolver
    from toponyms.models import Match, Mention, Place
    from toponyms.near import Nearby, Nearest, nearest

__version__ = "0.1.0"

__all__ = [
    "DataFileError",
    "Gazetteer",
    "GazetteerError",
    "ImportFileError",
    "InvalidCoordinatesError",
    "InvalidDateError",
    "InvalidInputError",
    "Match",
    "Mention",
    "Nearby",
    "Nearest",
    "Place",
    "ReadOnlyGazetteerError",
    "Resolver",
    "ToponymsError",
    "UnknownNameError",
    "UnknownPlaceError",
    "__version__",
    "nearest",
]

_LAZY = {
    "Resolver": "toponyms.match",
    "Match": "toponyms.models",
    "Mention": "toponyms.models",
    "Place": "toponyms.models",
    "Gazetteer": "gazetteer.api",
    "Nearby": "toponyms.near",
    "Nearest": "toponyms.near",
    "nearest": "toponyms.near",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'toponyms' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
