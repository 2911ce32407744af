"""The ``toponyms`` command: ``python -m toponyms`` and the console script.

The typer app lives in ``cli.py`` at the top of the repository. A wheel ships it inside
the package as ``toponyms/_cli.py`` (see ``hatch_build.py``), so that no top-level module
named ``cli`` is installed. An editable install or a source checkout has no such copy, but
has the repository's root on ``sys.path``, where ``cli.py`` itself is found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def _app() -> typer.Typer:
    try:
        from toponyms._cli import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
            app as packaged,
        )
    except ModuleNotFoundError as error:
        if error.name != "toponyms._cli":
            raise
        from cli import app as checkout

        found: typer.Typer = checkout
        return found
    # Two names: an installed wheel's copy and the checkout's are two modules to mypy.
    shipped: typer.Typer = packaged
    return shipped


def main() -> None:
    """Run the command line."""
    _app()()


if __name__ == "__main__":
    main()
