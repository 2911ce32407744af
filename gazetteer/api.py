"""The ``Gazetteer`` façade: a user's own gazetteer file, for editing, reading and upgrading.

``Gazetteer(path)`` is the library side of ``toponyms gazetteer ...``. Every edit is an
operation of :mod:`gazetteer.ops`, run through :meth:`Gazetteer.execute`, which:

- refuses the shipped default gazetteer (:class:`ReadOnlyGazetteerError`, with a hint to
  ``init`` a copy of one's own), so that package upgrades never fight with user edits;
- runs the operation's ``validate`` and ``apply`` in one ``BEGIN IMMEDIATE`` … ``COMMIT``
  transaction, rolled back on any error, in WAL mode, so that readers (a
  :class:`toponyms.Resolver` in another thread or process) see the state before or after an
  edit and never a part of it, and see it at their next call once committed;
- appends, in the same transaction, a ``history`` row (when, who, what, why) whose
  ``details`` the operation can be rebuilt from: :meth:`Gazetteer.upgrade` replays a
  user's history onto a new default.

The methods ``add_place``, ``add_name`` … ``set`` build an operation and execute it; the
file handling (init, import, export, check, upgrade) lives here too.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from gazetteer import history, importer, schema, store
from gazetteer.importer import NameRecord, PlaceRecord
from gazetteer.ops import (
    LOCAL_PREFIX,
    AddName,
    AddPlace,
    ImportPlace,
    Merge,
    Operation,
    Pending,
    RemoveName,
    Rename,
    Retire,
    SetFields,
    check_country,
    clean_text,
    execute,
    get_place,
    index_names,
    local_number,
    max_local_number,
    rebuild_index,
)
from toponyms import index
from toponyms.errors import (
    GazetteerError,
    ImportFileError,
    InvalidInputError,
    ReadOnlyGazetteerError,
)

INIT_HINT = (
    "make a gazetteer of your own with `toponyms gazetteer init my.sqlite` "
    "(Gazetteer.init in Python), then pass --db my.sqlite or set TOPONYMS_DB=my.sqlite"
)


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Edit:
    """What one write did: the place id it touched, the action, and the history details."""

    id: str
    action: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` object: ``{"id": ..., "action": ..., ...details}``."""
        return {"id": self.id, "action": self.action, **self.details}


def default_author() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


# -- import ----------------------------------------------------------------------------------
def _in_file_order(records: list[PlaceRecord]) -> list[PlaceRecord]:
    """The records with every parent given in the same file placed before its children."""
    by_id: dict[str, PlaceRecord] = {}
    for record in records:
        if record.id is not None:
            first = by_id.setdefault(record.id, record)
            if first is not record:
                raise ImportFileError(
                    f"{_where(record)}: id {record.id!r} appears again (first: {_where(first)})"
                )
    ordered: list[PlaceRecord] = []
    placed: set[int] = set()
    for record in records:
        chain: list[PlaceRecord] = []
        current: PlaceRecord | None = record
        while current is not None and id(current) not in placed:
            if any(c is current for c in chain):
                raise ImportFileError(f"{_where(record)}: parent {record.parent!r} makes a cycle")
            chain.append(current)
            current = by_id.get(current.parent) if current.parent else None
        for item in reversed(chain):
            placed.add(id(item))
            ordered.append(item)
    return ordered


def _where(record: PlaceRecord) -> str:
    return f"{record.unit} {record.line}"


def apply_import(
    conn: sqlite3.Connection, records: list[PlaceRecord], *, author: str, reason: str | None
) -> dict[str, Any]:
    """Write every record as an :class:`~gazetteer.ops.ImportPlace` (inside the caller's
    transaction); a bad one fails all, by line.

    A record without an id gets the next ``local:<n>`` above every id in use and every one
    the file gives. Names are indexed and history rows written in batches at the end
    (``insert_all`` of sqlite-utils, which nests in the open transaction as a savepoint).
    """
    import sqlite_utils

    given = [local_number(r.id) for r in records if r.id is not None]
    counter = max(max_local_number(conn), *given, 0)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    touched: dict[bool, list[str]] = {True: [], False: []}
    rows: list[dict[str, Any]] = []
    pending: Pending = []
    at = history.now()
    for record in _in_file_order(records):
        if record.id is None:
            counter += 1
            record = dataclasses.replace(record, id=f"{LOCAL_PREFIX}{counter}")
        try:
            applied = execute(conn, ImportPlace(record), pending=pending)
        except (InvalidInputError, LookupError) as error:
            message = error.args[0] if error.args else str(error)
            raise ImportFileError(f"{_where(record)}: {message}") from None
        if applied.outcome:  # else the record changed nothing
            details = applied.details
            touched[details["created"]].append(details["id"])
            rows.append(
                {
                    "at": at,
                    "author": author,
                    "action": ImportPlace.action,
                    "place_id": details["id"],
                    "details": history.dump(details),
                    "reason": reason,
                }
            )
    index_names(conn, pending)
    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    if rows:
        db.table("history").insert_all(rows, batch_size=5000)
    created, updated = touched[True], touched[False]
    return {
        "places": len(records),
        "created": len(created),
        "updated": len(updated),
        "unchanged": len(records) - len(created) - len(updated),
        "ids": created + updated,
    }


# -- files -----------------------------------------------------------------------------------
def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` (SQLite's backup API), journal DELETE."""
    src = store.connect(source, readonly=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _set_meta(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())


def _meta_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _release_wal(path: Path) -> None:
    """Checkpoint ``path`` into the main file and leave WAL, so it can be renamed or copied."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    finally:
        conn.close()
    if mode != "delete":
        raise GazetteerError(f"{path} is in use by another program; close it and try again")


def _place_record(conn: sqlite3.Connection, place_id: str) -> PlaceRecord:
    """A place of a file as an import record (to carry it into another file)."""
    place = get_place(conn, place_id)
    names = conn.execute(
        "SELECT name, lang, type, valid_from, valid_to, source FROM names WHERE place_id = ?"
        " ORDER BY id",
        (place_id,),
    ).fetchall()
    first = next((n for n in names if n[2] == "official"), names[0] if names else None)
    return PlaceRecord(
        line=0,
        name=first[0] if first else place_id,
        country=place["country"],
        kind=place["kind"],
        lat=place["lat"],
        lon=place["lon"],
        id=place_id,
        parent=place["parent_id"],
        lang=first[1] if first else None,
        population=place["population"],
        name_uk=place["name_uk"],
        name_ru=place["name_ru"],
        name_en=place["name_en"],
        names=tuple(NameRecord(*n) for n in names),
    )


# -- the API ---------------------------------------------------------------------------------
class Gazetteer:
    """A user's own gazetteer file, for editing (and reading its history, export, check).

    ``Gazetteer(path)``; ``path=None`` means ``$TOPONYMS_DB`` (the shipped default, which
    cannot be edited, when that is unset). Each write opens the file, runs one transaction
    and closes it, so a long-lived object holds no lock between edits. ``author`` is the
    default author of the edits (else ``$USER``, else 'unknown').
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, author: str | None = None):
        self._requested = path
        self.author = author

    def __repr__(self) -> str:
        return f"Gazetteer({str(self._requested)!r})"

    @property
    def path(self) -> Path:
        """The file this gazetteer reads and writes."""
        return store.resolve_path(self._requested)[0]

    # -- opening -------------------------------------------------------------------------------
    def _writable_path(self) -> Path:
        if self._requested is None and not os.environ.get(store.ENV_VAR):
            raise ReadOnlyGazetteerError(f"the shipped default gazetteer is read-only: {INIT_HINT}")
        path, is_default = store.resolve_path(self._requested)
        if is_default:
            raise ReadOnlyGazetteerError(f"{path} is the shipped default gazetteer: {INIT_HINT}")
        return path

    def _refuse_default(self, path: Path) -> None:
        """Refuse a file whose ``meta.origin`` is 'default' (read without writing to it)."""
        conn = store.connect(path, readonly=True)
        try:
            origin = _meta_value(conn, "origin")
        finally:
            conn.close()
        if origin == "default":
            raise ReadOnlyGazetteerError(f"{path} is a default gazetteer, not yours: {INIT_HINT}")
        if not os.access(path, os.W_OK):
            raise ReadOnlyGazetteerError(f"{path} is not writable by you")

    def _open_writable(self, *, reindex: bool = True) -> sqlite3.Connection:
        """A writable connection: migrated to the current schema and (unless ``reindex`` is
        false: ``check --fix`` does it itself) with a current index."""
        path = self._writable_path()
        self._refuse_default(path)
        conn = store.connect(path, readonly=False)
        try:
            old = schema.migrate(conn, path)
            if old is not None:
                with _transaction(conn):
                    details = {
                        "from": old,
                        "to": schema.SCHEMA_VERSION,
                        "backup": str(schema.backup_path(path, old)),
                    }
                    history.log(
                        conn, "migrate", None, details, author=self._author(None), reason=None
                    )
            if reindex and not index.is_current(conn):
                self._reindex(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _reindex(self, conn: sqlite3.Connection) -> None:
        """Rebuild an index made by another version of the key functions."""
        try:
            with _transaction(conn):
                rebuild_index(conn)
                history.log(
                    conn,
                    "reindex",
                    None,
                    {"index_version": index.INDEX_VERSION},
                    author=self._author(None),
                    reason="index made by another version",
                )
        except InvalidInputError as error:
            raise GazetteerError(
                f"the index cannot be rebuilt ({error}); run `toponyms gazetteer check --fix`"
            ) from None

    def _open_readonly(self) -> sqlite3.Connection:
        return store.connect(self.path, readonly=True)

    def _author(self, author: str | None) -> str:
        return clean_text(author or self.author or default_author(), "author")

    def execute(
        self, operation: Operation, *, author: str | None = None, reason: str | None = None
    ) -> Edit:
        """Validate and apply one edit in one transaction, with its history row.

        Any error (bad input, a clash with the data, a failing write) rolls the whole
        transaction back: the file and its history are as they were.
        """
        who = self._author(author)
        why = clean_text(reason, "reason") if reason is not None else None
        conn = self._open_writable()
        try:
            with _transaction(conn):
                details = execute(conn, operation).details
                history.log(conn, operation.action, details["id"], details, author=who, reason=why)
        finally:
            conn.close()
        return Edit(details["id"], operation.action, details)

    # -- creating ------------------------------------------------------------------------------
    @classmethod
    def init(
        cls,
        path: str | os.PathLike[str],
        *,
        source: str | os.PathLike[str] | None = None,
        author: str | None = None,
        reason: str | None = None,
        force: bool = False,
    ) -> Gazetteer:
        """Create a gazetteer of one's own at ``path``, a copy of ``source`` (the default).

        The copy is written beside ``path`` and renamed into place when complete; its
        ``meta.origin`` becomes 'user' and ``meta.upstream_content_version`` remembers the
        default it came from (for :meth:`upgrade`).
        """
        target = Path(path).expanduser()
        if target.exists() and not force:
            raise GazetteerError(f"{target} exists already (use --force to replace it)")
        origin = Path(source).expanduser() if source is not None else store.default_path()
        if target.exists() and target.resolve() == origin.resolve():
            raise GazetteerError("init: the copy cannot replace its own source")
        tmp = target.with_name(target.name + ".init")
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        _copy_database(origin, tmp)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            with _transaction(conn):
                _set_meta(conn, _upstream_meta(conn, origin))
                history.log(
                    conn,
                    "init",
                    None,
                    {"source": str(origin)},
                    author=clean_text(author or default_author(), "author"),
                    reason=reason,
                )
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        tmp.replace(target)
        gazetteer = cls(target, author=author)
        gazetteer._open_writable().close()  # WAL mode, migrations, index: ready to use
        return gazetteer

    # -- edits ---------------------------------------------------------------------------------
    def add_place(
        self,
        *,
        name: str,
        country: str,
        kind: str,
        lat: float,
        lon: float,
        parent: str | None = None,
        lang: str | None = None,
        population: int | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Add a place (id ``local:<n>``) with ``name`` as its official name in ``lang``."""
        operation = AddPlace(name, country, kind, lat, lon, parent, lang, population)
        return self.execute(operation, author=author, reason=reason)

    def add_name(
        self,
        place_id: str,
        name: str,
        *,
        lang: str | None = None,
        type: str = "alternate",
        valid_from: str | None = None,
        valid_to: str | None = None,
        source: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Add a name to a place."""
        operation = AddName(place_id, name, lang, type, valid_from, valid_to, source)
        return self.execute(operation, author=author, reason=reason)

    def remove_name(
        self,
        place_id: str,
        name: str,
        *,
        lang: str | None = None,
        type: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Remove a name from a place (all its languages and types unless narrowed)."""
        operation = RemoveName(place_id, name, lang, type)
        return self.execute(operation, author=author, reason=reason)

    def rename(
        self,
        place_id: str,
        new_name: str,
        *,
        date: str,
        lang: str | None = None,
        source: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Rename a place on ``date``: the old official name becomes historical."""
        operation = Rename(place_id, new_name, date, lang, source)
        return self.execute(operation, author=author, reason=reason)

    def merge(
        self,
        duplicate_id: str,
        keep_id: str,
        *,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Merge a duplicate into ``keep_id``; the duplicate's id then resolves to ``keep_id``."""
        return self.execute(Merge(duplicate_id, keep_id, reason), author=author, reason=reason)

    def retire(self, place_id: str, *, reason: str, author: str | None = None) -> Edit:
        """Retire a place (it stays in the file, the resolver ignores it)."""
        return self.execute(Retire(place_id, reason), author=author, reason=reason)

    def import_file(
        self,
        path: str | os.PathLike[str],
        *,
        dry_run: bool = False,
        format: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Import a CSV/TSV/GeoJSON file of places: all of it or (on any error) none of it.

        A row with the ``id`` of an existing place updates that place (fields that differ,
        names it lacks); any other row creates a place. ``dry_run`` checks and counts
        everything, then rolls back.
        """
        file = Path(path)
        records = importer.read_file(file, format)
        who = self._author(author)
        why = clean_text(reason, "reason") if reason is not None else None
        conn = self._open_writable()
        try:
            with _transaction(conn, commit=not dry_run):
                summary = apply_import(conn, records, author=who, reason=why)
                details = {k: v for k, v in summary.items() if k != "ids"}
                history.log(
                    conn, "import", None, {**details, "file": str(file)}, author=who, reason=why
                )
        finally:
            conn.close()
        return {**summary, "file": str(file), "dry_run": dry_run}

    # -- reading -------------------------------------------------------------------------------
    def export(
        self,
        *,
        format: str = "csv",
        country: str | None = None,
        out: TextIO | None = None,
    ) -> str:
        """Active places (of ``country``) as csv, tsv or geojson: written to ``out`` if
        given (and ``""`` returned), else returned as text."""
        code = check_country(country) if country else None
        buffer = io.StringIO()
        conn = self._open_readonly()
        try:
            importer.write(importer.export_records(conn, country=code), out or buffer, format)
        finally:
            conn.close()
        return buffer.getvalue()

    def history(
        self, place_id: str | None = None, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Every change (of one place, and of the ids merged into it), oldest first."""
        conn = self._open_readonly()
        try:
            return history.read(conn, place_id, limit)
        finally:
            conn.close()

    def check(self, *, fix: bool = False, strict: bool = False) -> dict[str, Any]:
        """Integrity report (see :mod:`gazetteer.check`); ``fix`` rebuilds the indexes first."""
        from gazetteer import check

        if fix:
            conn = self._open_writable(reindex=False)
            try:
                with _transaction(conn):
                    details = check.fix(conn)
                    history.log(
                        conn,
                        "check-fix",
                        None,
                        details,
                        author=self._author(None),
                        reason=None,
                    )
            finally:
                conn.close()
        path = self.path
        conn = store.connect(path, readonly=True)
        try:
            return check.run(conn, path, strict=strict).to_dict()
        finally:
            conn.close()

    # -- upgrade -------------------------------------------------------------------------------
    @classmethod
    def upgrade(
        cls,
        path: str | os.PathLike[str],
        *,
        source: str | os.PathLike[str] | None = None,
        author: str | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Bring new upstream data into a user gazetteer without losing its edits.

        Makes a fresh copy of ``source`` (the new default), replays the user's history onto
        it (edits whose place vanished upstream are skipped and reported), carries over any
        ``local:`` place the replay did not recreate, keeps the whole history, backs the old
        file up as ``<file>.bak-upgrade-<time>`` and puts the new file in its place.
        """
        return _upgrade(cls(path, author=author), source, force=force)

    # -- the one method named like a builtin goes last (it shadows ``set`` in the class) ----
    def set(
        self,
        place_id: str,
        *,
        lat: float | None = None,
        lon: float | None = None,
        population: int | None = None,
        kind: str | None = None,
        author: str | None = None,
        reason: str | None = None,
    ) -> Edit:
        """Change a place's coordinates, population or kind."""
        operation = SetFields(place_id, lat, lon, population, kind)
        return self.execute(operation, author=author, reason=reason)


@contextmanager
def _transaction(conn: sqlite3.Connection, *, commit: bool = True) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (or ``ROLLBACK`` on error or when not ``commit``)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise GazetteerError(f"cannot start an edit: {error}") from None
    try:
        yield
    except sqlite3.Error as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise GazetteerError(f"the edit failed and was rolled back: {error}") from error
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT" if commit else "ROLLBACK")
    except sqlite3.Error as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise GazetteerError(f"the edit could not be saved: {error}") from None


def _upstream_meta(conn: sqlite3.Connection, source: Path) -> dict[str, str]:
    """The meta keys that make a copy a user gazetteer and remember its upstream."""
    return {
        "origin": "user",
        "upstream_path": str(source),
        "upstream_content_version": _meta_value(conn, "content_version") or "",
        "upstream_build_date": _meta_value(conn, "build_date") or "",
        "created": history.now(),
    }


def _carry_locals(old: sqlite3.Connection, new: sqlite3.Connection) -> list[str]:
    """Copy the ``local:`` places the replay did not recreate (a safety net for files
    whose edits predate the history table)."""
    have = {
        r[0] for r in new.execute("SELECT id FROM places WHERE id >= 'local:' AND id < 'local;'")
    }
    have |= {r[0] for r in new.execute("SELECT old_id FROM redirects")}
    missing = [
        r[0]
        for r in old.execute(
            "SELECT id FROM places WHERE id >= 'local:' AND id < 'local;' ORDER BY id"
        )
        if r[0] not in have
    ]
    records = [_place_record(old, place_id) for place_id in missing]
    for record in _in_file_order(records):
        if record.parent is not None and not _exists(new, record.parent):
            record = dataclasses.replace(record, parent=None)
        execute(new, ImportPlace(record))
        status = old.execute("SELECT status, status_reason FROM places WHERE id = ?", (record.id,))
        new.execute(
            "UPDATE places SET status = ?, status_reason = ? WHERE id = ?",
            (*status.fetchone(), record.id),
        )
    return missing


def _exists(conn: sqlite3.Connection, place_id: str) -> bool:
    return conn.execute("SELECT 1 FROM places WHERE id = ?", (place_id,)).fetchone() is not None


def _upgrade(
    gazetteer: Gazetteer, source: str | os.PathLike[str] | None, *, force: bool
) -> dict[str, Any]:
    old = gazetteer._open_writable()  # refuses a default; migrates an old user file first
    path = gazetteer.path
    new_source = Path(source).expanduser() if source is not None else store.default_path()
    try:
        probe = store.connect(new_source, readonly=True)
        try:
            upstream = _meta_value(probe, "content_version") or ""
        finally:
            probe.close()
        if not force and upstream and upstream == _meta_value(old, "upstream_content_version"):
            return {"id": str(path), "up_to_date": True, "upstream_content_version": upstream}
        tmp = path.with_name(path.name + ".upgrading")
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        _copy_database(new_source, tmp)
        summary = _replay_into(tmp, old, new_source, author=gazetteer._author(None))
    finally:
        old.close()
    backup = path.with_name(f"{path.name}.bak-upgrade-{history.now().replace(':', '')}")
    _release_wal(path)
    shutil.copyfile(path, backup)
    tmp.replace(path)
    gazetteer._open_writable().close()  # back to WAL mode
    return {"id": str(path), "up_to_date": False, "backup": str(backup), **summary}


def _replay_into(
    tmp: Path, old: sqlite3.Connection, source: Path, *, author: str
) -> dict[str, Any]:
    """Replay ``old``'s history into the fresh copy at ``tmp`` in one transaction."""
    new = sqlite3.connect(tmp, isolation_level=None)
    try:
        new.execute("PRAGMA foreign_keys=ON")
        schema.migrate(new, tmp)
        with _transaction(new):
            if not index.is_current(new):
                rebuild_index(new)
            rows = history.copy(old, new)
            result = history.replay(new, rows)
            carried = _carry_locals(old, new)
            _set_meta(
                new, {**_upstream_meta(new, source), "created": _meta_value(old, "created") or ""}
            )
            summary = {
                **result,
                "carried": carried,
                "from": str(source),
                "upstream_content_version": _meta_value(new, "content_version"),
            }
            history.log(new, "upgrade", None, summary, author=author, reason=None)
    finally:
        new.close()
    return summary
