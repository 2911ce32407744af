"""Open a gazetteer: the shipped default (read-only) or a user's own file.

Which file: an explicit ``db`` argument, else the ``TOPONYMS_DB`` environment variable,
else the default gazetteer that comes with the package. The default is built when the
wheel is built (see ``hatch_build.py``); a source checkout without it builds it once, on
first use, into the user's cache folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from gazetteer import schema
from toponyms.errors import GazetteerError

PACKAGED_DEFAULT = Path(__file__).parent / "data" / "default.sqlite"
#: The licences of toponyms and of the data it ships, as ``gazetteer info`` prints them
#: (pyproject.toml's ``license`` says the same; NOTICE.md has the details).
LICENCES = (
    "MIT (the code, see LICENSE); bundled gazetteer data (see NOTICE.md): GeoNames CC-BY 4.0,"
    " ISO 3166 names via pycountry and Debian iso-codes LGPL-2.1+,"
    " KATOTTG public information of Ukraine, KOATUU official classifier of Ukraine (open data),"
    " KLADR FNS of Russia open data, Who's On First (CC-BY)"
)
ENV_VAR = "TOPONYMS_DB"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "toponyms"


def _inputs_digest() -> str:
    """A digest of everything the default build reads, to name its built copy.

    That is the source extracts and curated data, the gazetteer code, and the text
    functions and index code whose keys the build stores.
    """
    here = Path(__file__).parent
    toponyms_dir = here.parent / "toponyms"
    files = [
        *here.rglob("*.py"),
        *(here / "data").rglob("*.tsv"),
        *(here / "data").rglob("*.json"),
        *(toponyms_dir / "text").rglob("*"),
        toponyms_dir / "index.py",
        toponyms_dir / "errors.py",
    ]
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".sqlite":
            digest.update(path.relative_to(here.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def default_path() -> Path:
    """The default gazetteer: the packaged file, or one built once into the cache."""
    if PACKAGED_DEFAULT.exists():
        return PACKAGED_DEFAULT
    cached = _cache_dir() / f"default-{_inputs_digest()}.sqlite"
    if not cached.exists():
        from gazetteer.build import build

        print("toponyms: building the default gazetteer (once, about a minute)…", file=sys.stderr)
        build(cached, log=lambda message: print(f"  {message}", file=sys.stderr))
    return cached


def resolve_path(db: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The file to open and whether it is the shipped default."""
    chosen = db if db is not None else os.environ.get(ENV_VAR) or None
    if chosen is None:
        return default_path(), True
    path = Path(chosen).expanduser()
    return path, path.resolve() == default_path().resolve() if PACKAGED_DEFAULT.exists() else False


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """Open a gazetteer file, checking that it is one.

    Read-only connections of the default use ``immutable=1`` (the file never changes);
    user files open in WAL mode so that readers see a consistent state while a writer edits.
    """
    if not path.exists():
        raise GazetteerError(f"no gazetteer at {path}")
    if path.is_dir():
        raise GazetteerError(f"{path} is a folder, not a gazetteer file")
    try:
        return _connect(path, readonly=readonly)
    except sqlite3.DatabaseError as error:  # unreadable, locked, not a database
        raise GazetteerError(f"{path} cannot be opened as a gazetteer ({error})") from None


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        immutable = (
            "&immutable=1" if path == PACKAGED_DEFAULT or path.parent == _cache_dir() else ""
        )
        uri = f"{path.resolve().as_uri()}?mode=ro{immutable}"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        conn.close()
        raise GazetteerError(f"{path} is not a toponyms gazetteer ({error})") from None
    if version is None:
        conn.close()
        raise GazetteerError(f"{path} is not a toponyms gazetteer (no schema version)")
    if int(version[0]) > schema.SCHEMA_VERSION:
        conn.close()
        raise GazetteerError(
            f"{path} has schema version {version[0]}, newer than this toponyms "
            f"({schema.SCHEMA_VERSION}): upgrade toponyms"
        )
    if not readonly:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
    return conn


def meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


#: The linking figures ``gazetteer info`` reports, by the ``meta.build_stats`` key the build
#: records them under (see :mod:`gazetteer.build` and :mod:`gazetteer.coordinates`).
LINKING_STATS = {
    "geonames_ua_places": "geonames_ua",
    "linked_at_build": "geonames_ua_linked",
    "duplicates_merged": "geonames_ua_late_links",
    "rejected_far_from_hromada": "geonames_links_undone_far",
    "far_cities_kept": "geonames_links_far_cities_kept",
    "late_links_rejected_far": "geonames_ua_late_links_rejected_far",
    "made_city_districts": "geonames_places_made_city_districts",
    "kladr_linked_to_geonames": "kladr_linked_to_geonames",
}


def linking(conn: sqlite3.Connection, build_stats: dict[str, Any]) -> dict[str, Any]:
    """KATOTTG ↔ GeoNames links: how many the file holds now, and what the build recorded.

    ``linked_at_build`` counts the GeoNames places linked to a KATOTTG unit by name, then
    by a namesake nearby (the links undone later included); of these, ``duplicates_merged``
    were places of their own until a namesake settlement within 8 km (15 km where the
    settlement's point is not a postal one) took them in;
    ``rejected_far_from_hromada`` links were undone because the GeoNames point lies over
    40 km from the settlement's hromada (120 km from its raion) and
    ``late_links_rejected_far`` namesakes were too far off to be linked. A figure the
    build of this file did not record is absent.
    """
    now = conn.execute(
        "SELECT COUNT(*) FROM places WHERE status = 'active'"
        " AND katottg IS NOT NULL AND geonames_id IS NOT NULL"
    ).fetchone()[0]
    recorded = {name: build_stats[key] for name, key in LINKING_STATS.items() if key in build_stats}
    return {"katottg_geonames_links": int(now), **recorded}


def info(conn: sqlite3.Connection) -> dict[str, Any]:
    """The figures ``toponyms gazetteer info`` prints."""
    m = meta(conn)

    def scalar(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    by_country = dict(
        conn.execute(
            "SELECT country, COUNT(*) FROM places WHERE status = 'active' GROUP BY country"
            " ORDER BY COUNT(*) DESC, country"
        ).fetchall()
    )
    by_kind = dict(
        conn.execute(
            "SELECT kind, COUNT(*) FROM places WHERE status = 'active' GROUP BY kind"
            " ORDER BY COUNT(*) DESC, kind"
        ).fetchall()
    )
    by_precision = dict(
        conn.execute(
            "SELECT COALESCE(precision, 'none'), COUNT(*) FROM places WHERE status = 'active'"
            " GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    )
    sources = json.loads(m.get("sources", "[]"))
    return {
        "places": scalar("SELECT COUNT(*) FROM places WHERE status = 'active'"),
        "names": scalar("SELECT COUNT(*) FROM names"),
        "by_country": by_country,
        "by_kind": by_kind,
        "with_coordinates": scalar(
            "SELECT COUNT(*) FROM places WHERE status = 'active' AND lat IS NOT NULL"
        ),
        "by_precision": by_precision,
        "katottg_places": scalar(
            "SELECT COUNT(*) FROM places WHERE status = 'active' AND katottg IS NOT NULL"
        ),
        "geonames_places": scalar(
            "SELECT COUNT(*) FROM places WHERE status = 'active' AND geonames_id IS NOT NULL"
        ),
        "schema_version": int(m.get("schema_version", "0")),
        "index_version": m.get("index_version"),
        "content_version": m.get("content_version"),
        "build_date": m.get("build_date"),
        "origin": m.get("origin"),
        "linking": linking(conn, json.loads(m.get("build_stats") or "{}")),
        "sources": sources,
        "credit": "Contains GeoNames data (https://www.geonames.org/), licensed CC-BY 4.0.",
        "licenses": LICENCES,
    }
