"""Shared fixtures: a tiny gazetteer built from fixture extracts, and the real default.

The tiny one is built by the real build code from ``tests/fixtures/sources`` (Kherson
oblast and Kyiv from KATOTTG, their GeoNames places and postal points, a few countries)
with the project's real curated data, in well under a second. End-to-end checks use the
default gazetteer that ships with the installed package.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def running_from_source() -> bool:
    """Whether ``toponyms`` is imported from this checkout rather than an installed copy."""
    import toponyms

    # Not "somewhere below the checkout": CI's virtual environment lives there too.
    return Path(toponyms.__file__).resolve().parent.parent == ROOT.resolve()


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess of toponyms: the checkout on PYTHONPATH only when
    the tests run from it; an installed package must be the one tested, not shadowed."""
    import os

    env = {**os.environ, **extra}
    if running_from_source():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="session")
def tiny_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gazetteer.build import build

    out = tmp_path_factory.mktemp("tiny") / "tiny.sqlite"
    build(out, sources_dir=FIXTURES / "sources")
    return out


@pytest.fixture
def tiny_db(tiny_db_template: Path, tmp_path: Path) -> Path:
    """A fresh, writable copy of the tiny gazetteer for each test."""
    target = tmp_path / "tiny.sqlite"
    shutil.copyfile(tiny_db_template, target)
    return target


@pytest.fixture(scope="session")
def default_db() -> Path:
    from gazetteer import store

    return store.default_path()


@pytest.fixture(scope="session")
def resolver(default_db: Path) -> Iterator[object]:
    from toponyms import Resolver

    with Resolver(db=default_db) as r:
        yield r
