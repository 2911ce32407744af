"""``toponyms serve``: a W3C Reconciliation Service API (0.2) over a gazetteer, for OpenRefine.

The service URL a user pastes into OpenRefine is the root, ``http://HOST:PORT/``:

- ``GET /`` without parameters answers the service manifest (JSONP with ``callback``);
  ``GET /?queries=…`` and ``POST /`` (form field ``queries``, or a JSON body) answer a
  reconciliation batch; ``extend`` in place of ``queries`` answers a data extension query.
- ``/suggest/entity``, ``/suggest/type``, ``/suggest/property``: prefix suggest;
  ``/preview?id=…`` a small HTML card, ``/view?id=…`` the place's page;
  ``/extend`` (data extension, as at the root) and ``/extend/propose`` (property proposals).
  The paths are those the 1.0 draft fixes relative to the endpoint; the 0.2 manifest names them.

This module is thin over the library: names are resolved by the public
:class:`~toponyms.match.Resolver` API, and suggest, preview and extend read the gazetteer's
tables (``places``, ``names``, its ``names_fts`` index) directly.

Concurrency: Starlette runs the blocking work of each request in its thread pool. The
Resolver is not safe for concurrent calls (its caches are plain dicts and its SQLite
connection is its own), so one Resolver serves the process from one thread of its own: a
batch's queries are resolved by a single-thread executor, and batches wait in its queue in
the order they came (first come, first served, so no batch starves behind later ones, as
they could behind a lock, which is not fair). One Resolver rather than one per thread,
because resolving is pure-Python work that the GIL serialises anyway: more Resolvers would
add no throughput, only cold caches and their memory, once per pool thread (run several
server processes behind a proxy to use more cores). The table reads of suggest, preview and
extend release the GIL inside SQLite, so they run in the pool on one read-only connection
per thread (``threading.local``).

Errors answer with an HTTP status and a JSON body ``{"status": CODE, "message": TEXT}``
(the spec leaves error bodies open): 400 for malformed JSON or queries, 404 for an unknown
place id, 413 for a body or batch over the limits, 415 for a body in another format, and
500 for a fault of ours (its traceback goes to the server's log, not to the client).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from toponyms.errors import (
    InvalidInputError,
    RequestTooLargeError,
    ToponymsError,
    UnknownPlaceError,
)
from toponyms.text import datafile

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from toponyms.match import Resolution, Resolver

#: The versions of the Reconciliation API this service speaks.
VERSIONS = ("0.1", "0.2")
IDENTIFIER_SPACE = "urn:toponyms:place"
SCHEMA_SPACE = "urn:toponyms:kind"
#: Decimal places of coordinates in data extension, unless a property's settings ask otherwise.
COORDINATE_DIGITS = 5
_ID = re.compile(r"(geonames:\d+|katottg:UA\d{17}|local:[\w.-]+)")
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """What one request may ask for; past a limit the service answers 413 (or clamps)."""

    max_body_bytes: int = 1_000_000  # a POST body (form or JSON), in bytes
    batch_size: int = 50  # queries in one reconciliation batch (announced as batchSize)
    default_candidates: int = 5  # candidates per query when the query gives no limit
    max_candidates: int = 25  # a query's larger limit is clamped to this
    max_extend_ids: int = 500  # entity ids in one data extension query
    suggest_limit: int = 10  # suggestions per page when none is asked for
    max_suggest_limit: int = 50  # a larger suggest limit is clamped to this
    max_prefix_chars: int = 200  # a longer suggest prefix is refused
    max_query_chars: int = 500  # a longer name to reconcile is refused


@cache
def _settings() -> dict[str, Any]:
    """The service's data: types, properties and the match rule (``data/reconcile.json``)."""
    return datafile.RECONCILE.read()


def _display(en: str | None, uk: str | None, ru: str | None, fallback: str = "") -> str:
    """A place's display name, as :class:`~toponyms.models.Place` chooses it."""
    return en or uk or ru or fallback


class Reconciler:
    """The reconciliation service without HTTP: every endpoint is one method on plain values.

    ``Reconciler(db=path)`` opens the gazetteer (the default one when ``db`` is None) and
    fails at once with :class:`GazetteerError` when it cannot be used.
    """

    def __init__(self, db: str | Path | None = None, *, limits: Limits | None = None) -> None:
        from gazetteer import store
        from toponyms.match import Resolver

        self.limits = limits or Limits()
        self._resolver_thread = ThreadPoolExecutor(1, thread_name_prefix="toponyms-resolver")
        try:  # made in the thread that will use it
            self._resolver: Resolver = self._resolver_thread.submit(Resolver, db).result()
        except BaseException:
            self._resolver_thread.shutdown()
            raise
        self.path = self._resolver.path
        self._is_default = self.path.resolve() == store.default_path().resolve()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        settings = _settings()
        self._match_min_score = float(settings["match"]["min_score"])
        self._match_unambiguous = bool(settings["match"]["unambiguous"])
        kinds = {row[0] for row in self._read("SELECT DISTINCT kind FROM places")}
        self.types: list[dict[str, str]] = []
        self._type_kinds: dict[str, frozenset[str]] = {}
        self._kind_names: dict[str, str] = {}
        for entry in settings["types"]:
            members = frozenset(entry.get("kinds", [entry["id"]])) & kinds
            if not members:
                continue
            self._type_kinds[entry["id"]] = members
            self.types.append(
                {"id": entry["id"], "name": entry["name"], "description": entry["description"]}
            )
            if "kinds" not in entry:
                self._kind_names[entry["id"]] = entry["name"]
        for kind in sorted(kinds - set(self._kind_names)):  # a kind the data file lacks
            self._kind_names[kind] = kind
            self._type_kinds[kind] = frozenset({kind})
            self.types.append({"id": kind, "name": kind, "description": kind})
        self.context_properties: list[dict[str, str]] = settings["context_properties"]
        self.extend_properties: list[dict[str, str]] = settings["extend_properties"]
        self._extend_by_id = {p["id"]: p for p in self.extend_properties}
        self._countries: dict[str, str] = {}
        for name, code in self._read(
            "SELECT n.name, p.country FROM names n JOIN places p ON p.id = n.place_id"
            " WHERE p.kind = 'country'"
        ):
            self._countries.setdefault(name.casefold(), code)

    def close(self) -> None:
        self._resolver_thread.submit(self._resolver.close).result()
        self._resolver_thread.shutdown()
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    # -- plumbing -------------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        """This thread's read-only connection to the gazetteer."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            from gazetteer import store

            conn = store.connect(self.path, readonly=True)
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def _read(self, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        return self._conn().execute(sql, tuple(params)).fetchall()

    def _canonical_id(self, place_id: str) -> str | None:
        """The id itself when a place has it, the place it was merged into, else None."""
        if self._read("SELECT 1 FROM places WHERE id = ?", [place_id]):
            return place_id
        row = self._read("SELECT new_id FROM redirects WHERE old_id = ?", [place_id])
        return str(row[0][0]) if row else None

    _PLACE_SQL = (
        "SELECT p.id, p.kind, p.country, p.name_uk, p.name_ru, p.name_en, p.lat, p.lon,"
        " p.precision, p.katottg, p.geonames_id, p.population,"
        " p.admin1_id, a.name_en, a.name_uk, a.name_ru,"
        " p.raion_id, r.name_en, r.name_uk, r.name_ru,"
        " p.hromada_id, h.name_en, h.name_uk, h.name_ru"
        " FROM places p LEFT JOIN places a ON a.id = p.admin1_id"
        " LEFT JOIN places r ON r.id = p.raion_id LEFT JOIN places h ON h.id = p.hromada_id"
    )

    def _places(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The places of those ids (as stored, not following merges), with their regions."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._read(f"{self._PLACE_SQL} WHERE p.id IN ({marks})", chunk):
                found[row[0]] = {
                    "id": row[0],
                    "kind": row[1],
                    "country": row[2],
                    "name_uk": row[3],
                    "name_ru": row[4],
                    "name_en": row[5],
                    "name": _display(row[5], row[3], row[4], row[0]),
                    "lat": row[6],
                    "lon": row[7],
                    "precision": row[8],
                    "katottg": row[9],
                    "geonames_id": row[10],
                    "population": row[11],
                    "oblast": _region(row[12], row[13:16]),
                    "raion": _region(row[16], row[17:20]),
                    "hromada": _region(row[20], row[21:24]),
                }
        return found

    def _describe(self, place: dict[str, Any]) -> str:
        """``kind, raion, oblast, country``: what tells namesakes apart in a candidate list."""
        parts = [self._kind_names.get(place["kind"], place["kind"])]
        for region in ("raion", "oblast"):
            if place[region] is not None and place[region]["id"] != place["id"]:
                parts.append(place[region]["name"])
        parts.append(place["country"])
        return ", ".join(parts)

    def _kind_type(self, kind: str) -> dict[str, str]:
        return {"id": kind, "name": self._kind_names.get(kind, kind)}

    # -- manifest -------------------------------------------------------------------------------
    def manifest(self, base_url: str) -> dict[str, Any]:
        """The service manifest, its URLs made absolute on ``base_url`` (ending in ``/``)."""
        root = base_url.rstrip("/")
        settings = [
            {
                "name": "digits",
                "label": "Decimal places",
                "type": "number",
                "default": COORDINATE_DIGITS,
                "help_text": "Decimal places of latitude and longitude (5 is about a metre)",
            }
        ]
        return {
            "versions": list(VERSIONS),
            "name": "toponyms" if self._is_default else f"toponyms ({self.path.name})",
            "identifierSpace": IDENTIFIER_SPACE,
            "schemaSpace": SCHEMA_SPACE,
            "documentation": f"{root}/docs",
            "serviceVersion": _version(),
            "defaultTypes": [{"id": t["id"], "name": t["name"]} for t in self.types],
            "view": {"url": f"{root}/view?id={{{{id}}}}"},
            "preview": {"url": f"{root}/preview?id={{{{id}}}}", "width": 420, "height": 220},
            "suggest": {
                kind: {"service_url": root, "service_path": f"/suggest/{kind}"}
                for kind in ("entity", "type", "property")
            },
            "extend": {
                "propose_properties": {"service_url": root, "service_path": "/extend/propose"},
                "property_settings": settings,
            },
            "batchSize": self.limits.batch_size,
        }

    # -- reconciliation -------------------------------------------------------------------------
    def reconcile(self, batch: object) -> dict[str, Any]:
        """A reconciliation result batch for a query batch (its keys kept)."""
        if not isinstance(batch, dict):
            raise InvalidInputError("queries: a JSON object of queries, keyed by query id")
        if len(batch) > self.limits.batch_size:
            raise RequestTooLargeError(
                f"queries: {len(batch)} queries in one batch; at most {self.limits.batch_size}"
            )
        parsed = {key: self._parse_query(key, query) for key, query in batch.items()}
        resolutions = self._resolver_thread.submit(  # the Resolver's own thread: see the top
            lambda: {key: self._resolve(query) for key, query in parsed.items()}
        ).result()
        ids = [m.place.id for r, _ in resolutions.values() if r is not None for m in r.matches]
        places = self._places(ids)
        return {
            key: {"result": self._candidates(parsed[key], resolution, ignored, places)}
            for key, (resolution, ignored) in resolutions.items()
        }

    def _parse_query(self, key: str, query: object) -> dict[str, Any]:
        where = f"query {key!r}"
        if not isinstance(query, dict):
            raise InvalidInputError(f"{where}: a JSON object with a 'query' string")
        unknown = set(query) - {"query", "type", "limit", "properties", "type_strict"}
        if unknown:
            raise InvalidInputError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
        text = query.get("query")
        if text is not None and not isinstance(text, str):
            raise InvalidInputError(f"{where}: 'query' must be a string")
        if text is not None and len(text) > self.limits.max_query_chars:
            raise InvalidInputError(
                f"{where}: a name of {len(text)} characters; at most {self.limits.max_query_chars}"
            )
        limit = query.get("limit", self.limits.default_candidates)
        if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 1:
            raise InvalidInputError(f"{where}: 'limit' must be a positive integer")
        kinds = self._query_kinds(where, query.get("type"))
        context: dict[str, list[str]] = {}
        properties = query.get("properties", [])
        if not isinstance(properties, list):
            raise InvalidInputError(f"{where}: 'properties' must be a list of {{pid, v}}")
        known = {p["id"] for p in self.context_properties}
        for item in properties:
            if not isinstance(item, dict) or "pid" not in item or "v" not in item:
                raise InvalidInputError(f"{where}: each property is an object with 'pid' and 'v'")
            pid = item["pid"]
            if pid not in known:
                raise InvalidInputError(
                    f"{where}: unknown property {pid!r}; known: {', '.join(sorted(known))}"
                )
            values = item["v"] if isinstance(item["v"], list) else [item["v"]]
            for value in values:
                text_value = _property_text(where, value)
                if text_value:
                    context.setdefault("oblast" if pid == "admin1" else pid, []).append(text_value)
        return {
            "text": (text or "").strip(),
            "limit": min(int(limit), self.limits.max_candidates),
            "kinds": kinds,
            "context": context,
        }

    def _query_kinds(self, where: str, value: object) -> frozenset[str] | None:
        if value is None or value == "" or value == []:
            return None
        ids = [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not all(isinstance(v, str) for v in ids):
            raise InvalidInputError(f"{where}: 'type' is a type id or a list of them")
        kinds: set[str] = set()
        for type_id in ids:
            if type_id not in self._type_kinds:
                raise InvalidInputError(
                    f"{where}: unknown type {type_id!r}; known: {', '.join(self._type_kinds)}"
                )
            kinds |= self._type_kinds[type_id]
        return frozenset(kinds)

    def _resolve(self, query: dict[str, Any]) -> tuple[Resolution | None, int]:
        """The resolution of one parsed query and how many context values had to be dropped
        (a region or point the gazetteer cannot read is ignored rather than failing the batch)."""
        from toponyms.match import parse_point

        if not query["text"]:
            return None, 0
        context = query["context"]
        ignored = 0
        country: list[str] | None = None
        for value in context.get("country", []):
            codes = [self._country_code(part) for part in value.split(",") if part.strip()]
            ignored += codes.count(None)
            country = (country or []) + [c for c in codes if c is not None]
        near = None
        for value in context.get("point", []):
            try:
                near = parse_point(value)
                break
            except InvalidInputError:
                ignored += 1
        regions = [*context.get("raion", []), *context.get("oblast", [])]  # narrowest first
        limit = query["limit"] if query["kinds"] is None else self.limits.max_candidates
        options: dict[str, Any] = {"limit": limit, "country": country or None, "near": near}
        for within in [*regions, None]:
            try:
                return self._resolver.resolve_one(query["text"], within=within, **options), ignored
            except InvalidInputError:
                if within is None:
                    raise
                ignored += 1
        raise AssertionError("unreachable")  # pragma: no cover

    def _country_code(self, value: str) -> str | None:
        text = value.strip()
        if len(text) == 2 and text.isalpha() and text.isascii():
            return text.upper()
        return self._countries.get(text.casefold())

    def _candidates(
        self,
        query: dict[str, Any],
        resolution: Resolution | None,
        ignored: int,
        places: dict[str, dict[str, Any]],
    ) -> list[dict[str, Any]]:
        if resolution is None:
            return []
        kinds = query["kinds"]
        matches = [m for m in resolution.matches if kinds is None or m.place.kind in kinds]
        top = resolution.matches[0].place.id if resolution.matches else None
        result = []
        for position, match in enumerate(matches[: query["limit"]]):
            place = places[match.place.id]
            features: list[dict[str, Any]] = [
                {"id": name, "value": round(value, 4)} for name, value in match.score_parts
            ]
            if ignored:
                features.append({"id": "context_ignored", "value": ignored})
            result.append(
                {
                    "id": match.place.id,
                    "name": place["name"],
                    "description": self._describe(place),
                    "type": [self._kind_type(match.place.kind)],
                    "score": round(match.score * 100, 2),
                    "match": position == 0
                    and match.place.id == top
                    and not (self._match_unambiguous and resolution.ambiguous)
                    and match.score >= self._match_min_score,
                    "features": features,
                }
            )
        return result

    # -- suggest --------------------------------------------------------------------------------
    def suggest_entities(
        self,
        prefix: str,
        *,
        cursor: int = 0,
        limit: int | None = None,
        types: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Places with a name that starts with ``prefix`` (word by word), or of that id.

        A prefix search in the gazetteer's full-text index (``names_fts``, FTS5 anchored at
        the name's start), so it costs index look-ups, not a scan; places of Ukraine and
        Russia first, then by population, then the shortest name."""
        size = self._suggest_size(prefix, limit)
        kinds = self._query_kinds("suggest", list(types)) if types else None
        text = prefix.strip()
        found: list[tuple[str, str]] = []
        if _ID.fullmatch(text):
            place_id = self._canonical_id(text)
            if place_id is not None:
                found = [(place_id, "")]
        else:
            words = _WORD.findall(text)
            if words:
                phrase = '^"' + " ".join(words) + '"*'
                kind_sql = ""
                params: list[object] = [phrase]
                if kinds is not None:
                    kind_sql = f" AND p.kind IN ({','.join('?' * len(kinds))})"
                    params.extend(sorted(kinds))
                params.extend([size, max(cursor, 0)])
                found = [
                    (row[0], row[1])
                    for row in self._read(
                        "SELECT p.id, n.name, min(length(n.name)) FROM names_fts"
                        " JOIN names n ON n.id = names_fts.rowid JOIN places p ON p.id = n.place_id"
                        f" WHERE names_fts MATCH ? AND p.status = 'active'{kind_sql}"
                        " GROUP BY p.id ORDER BY p.country NOT IN ('UA', 'RU'),"
                        " p.population IS NULL, p.population DESC, min(length(n.name)), p.id"
                        " LIMIT ? OFFSET ?",
                        params,
                    )
                ]
        places = self._places(place_id for place_id, _ in found)
        result = []
        for place_id, written in found:
            place = places[place_id]
            description = self._describe(place)
            if written and written != place["name"]:
                description = f"{place['name']}; {description}"
            result.append(
                {
                    "id": place_id,
                    "name": written or place["name"],
                    "description": description,
                    "notable": [self._kind_type(place["kind"])],
                }
            )
        return {"result": result}

    def suggest_types(self, prefix: str, *, cursor: int = 0, limit: int | None = None) -> Any:
        """The types whose id or name contains ``prefix`` (any case)."""
        size = self._suggest_size(prefix, limit)
        return {"result": _filtered(self.types, prefix)[cursor : cursor + size]}

    def suggest_properties(
        self, prefix: str, *, cursor: int = 0, limit: int | None = None
    ) -> dict[str, Any]:
        """Properties: the query context (country, oblast, raion, point) and the extension's."""
        size = self._suggest_size(prefix, limit)
        merged = {p["id"]: p for p in [*self.context_properties, *self.extend_properties]}
        properties = [_property(p) for p in merged.values()]
        return {"result": _filtered(properties, prefix)[cursor : cursor + size]}

    def _suggest_size(self, prefix: str, limit: int | None) -> int:
        if len(prefix) > self.limits.max_prefix_chars:
            raise InvalidInputError(f"prefix: at most {self.limits.max_prefix_chars} characters")
        if limit is None:
            return self.limits.suggest_limit
        if limit < 1:
            raise InvalidInputError("limit: a positive integer")
        return min(limit, self.limits.max_suggest_limit)

    # -- preview and view -----------------------------------------------------------------------
    def place_record(self, place_id: str) -> dict[str, Any]:
        """The place of that id (or of the place it was merged into), with its regions."""
        canonical = self._canonical_id(place_id)
        if canonical is None:
            raise UnknownPlaceError(f"no place has id {place_id!r}")
        return self._places([canonical])[canonical]

    def preview(self, place_id: str) -> str:
        """A small HTML card: names in three languages, kind, regions, coordinates, ids."""
        return _page(self._card(self.place_record(place_id)), title=None)

    def view(self, place_id: str) -> str:
        """The place's page (the manifest's view template points here)."""
        place = self.place_record(place_id)
        return _page(self._card(place), title=place["name"])

    def _card(self, place: dict[str, Any]) -> str:
        e = html.escape
        rows: list[tuple[str, str]] = []
        for lang in ("uk", "ru", "en"):
            if place[f"name_{lang}"]:
                rows.append((lang, e(place[f"name_{lang}"])))
        regions = [place[r]["name"] for r in ("hromada", "raion", "oblast") if place[r]]
        regions = [r for r in regions if r != place["name"]]
        rows.append(("in", e(", ".join([*regions, place["country"]]))))
        if place["lat"] is not None:
            where = f"{place['lat']:.5f}, {place['lon']:.5f}"
            rows.append(
                ("at", e(where + (f" ({place['precision']})" if place["precision"] else "")))
            )
        ids = [place["id"]]
        ids += [f"katottg:{place['katottg']}"] if place["katottg"] else []
        ids += [f"geonames:{place['geonames_id']}"] if place["geonames_id"] else []
        rows.append(("id", e(" · ".join(dict.fromkeys(ids)))))
        if place["population"]:
            rows.append(("pop.", f"{place['population']:,}"))
        body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
        kind = e(self._kind_names.get(place["kind"], place["kind"]))
        return (
            f'<div class="card"><h1>{e(place["name"])} <small>{kind}</small></h1>'
            f"<table>{body}</table></div>"
        )

    # -- data extension -------------------------------------------------------------------------
    def propose_properties(self, type_id: str | None, *, limit: int | None = None) -> Any:
        """The properties data extension can fetch (the same for every type)."""
        if type_id:
            self._query_kinds("type", type_id)
        properties = [_property(p) for p in self.extend_properties]
        answer: dict[str, Any] = {"properties": properties[: limit or None]}
        answer["type"] = type_id or ""
        if limit is not None:
            answer["limit"] = limit
        return answer

    def extend(self, query: object) -> dict[str, Any]:
        """Property values of places: ``{"ids": [...], "properties": [{"id": ...}]}``.

        An id no place has gets empty values (the spec's rows hold one entry per id asked);
        a merged id gets the values of the place it was merged into."""
        if not isinstance(query, dict) or not isinstance(query.get("ids"), list):
            raise InvalidInputError("extend: a JSON object with 'ids' and 'properties' lists")
        ids, wanted = query["ids"], query.get("properties")
        if not all(isinstance(i, str) for i in ids):
            raise InvalidInputError("extend: 'ids' must be strings")
        if len(ids) > self.limits.max_extend_ids:
            raise RequestTooLargeError(
                f"extend: {len(ids)} ids in one query; at most {self.limits.max_extend_ids}"
            )
        if not isinstance(wanted, list) or not all(
            isinstance(p, dict) and isinstance(p.get("id"), str) for p in wanted
        ):
            raise InvalidInputError("extend: 'properties' must be a list of {\"id\": ...}")
        pids = [p["id"] for p in wanted]
        digits = {p["id"]: _digits(p.get("settings")) for p in wanted}
        unknown = [p for p in pids if p not in self._extend_by_id]
        if unknown:
            raise InvalidInputError(
                f"extend: unknown properties {', '.join(unknown)};"
                f" known: {', '.join(self._extend_by_id)}"
            )
        canonical = {i: self._canonical_id(i) for i in ids}
        places = self._places(c for c in canonical.values() if c is not None)
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for place_id in ids:
            target = canonical[place_id]
            place = places.get(target) if target is not None else None
            rows[place_id] = {
                pid: _values(place, self._extend_by_id[pid], digits=digits[pid]) for pid in pids
            }
        meta = []
        for pid in pids:
            entry: dict[str, Any] = {"id": pid, "name": self._extend_by_id[pid]["name"]}
            if self._extend_by_id[pid]["value"] == "entity":
                entry["type"] = self._kind_type("raion" if pid == "raion" else pid)
            meta.append(entry)
        return {"meta": meta, "rows": rows}


def _region(region_id: str | None, names: tuple[Any, ...]) -> dict[str, str] | None:
    if region_id is None:
        return None
    return {"id": region_id, "name": _display(names[0], names[1], names[2], region_id)}


def _property_text(where: str, value: object) -> str:
    """A property value as text: a string, a number, or a reconciled entity's id."""
    if isinstance(value, bool):
        raise InvalidInputError(f"{where}: a property value cannot be a boolean")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"]).strip()
    raise InvalidInputError(f"{where}: a property value is a string, a number or {{id, name}}")


def _property(entry: dict[str, str]) -> dict[str, str]:
    answer = {"id": entry["id"], "name": entry["name"]}
    if entry.get("description"):
        answer["description"] = entry["description"]
    return answer


def _filtered(items: list[dict[str, str]], prefix: str) -> list[dict[str, str]]:
    needle = prefix.strip().casefold()
    return [i for i in items if needle in i["id"].casefold() or needle in i["name"].casefold()]


def _digits(settings: object) -> int:
    """The ``digits`` setting of an extended property (OpenRefine sends it as a string)."""
    if not isinstance(settings, dict) or settings.get("digits") in (None, ""):
        return COORDINATE_DIGITS
    try:
        digits = int(settings["digits"])
    except (TypeError, ValueError):
        raise InvalidInputError("extend: the 'digits' setting is an integer") from None
    if not 0 <= digits <= 10:
        raise InvalidInputError("extend: the 'digits' setting is between 0 and 10")
    return digits


def _values(
    place: dict[str, Any] | None, prop: dict[str, str], *, digits: int
) -> list[dict[str, Any]]:
    """One property of a place in the spec's value form (``str``, ``float``, ``int``, entity)."""
    if place is None:
        return []
    value = place[prop["id"]]
    if value is None:
        return []
    if prop["value"] == "entity":
        return [{"id": value["id"], "name": value["name"]}]
    if prop["value"] == "float":
        return [{"float": round(float(value), digits)}]
    if prop["value"] == "int":
        return [{"int": int(value)}]
    return [{"str": str(value)}]


_STYLE = (
    "body{font:13px sans-serif;margin:6px}h1{font-size:15px;margin:0 0 4px}"
    "small{color:#666;font-weight:normal}th{text-align:left;color:#666;padding-right:8px;"
    "vertical-align:top}td{padding:1px 0}"
)


def _page(body: str, *, title: str | None) -> str:
    head = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}<style>{_STYLE}</style>'
        f"</head><body>{body}</body></html>"
    )


def _version() -> str:
    from toponyms import __version__

    return __version__


# -- HTTP ---------------------------------------------------------------------------------------
def create_app(db: str | Path | None = None, *, limits: Limits | None = None) -> Starlette:
    """The ASGI application of the service (Starlette, CORS for every origin)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Route

    service = Reconciler(db, limits=limits)

    async def root(request: Request) -> Response:
        if request.method == "POST":
            fields = await _posted(request, service.limits.max_body_bytes)
        else:
            fields = dict(request.query_params)
        if "queries" in fields:
            return await _json(request, service.reconcile, _loads("queries", fields["queries"]))
        if "extend" in fields:
            return await _json(request, service.extend, _loads("extend", fields["extend"]))
        if request.method == "POST":
            raise InvalidInputError("POST a form field 'queries' or 'extend' (JSON)")
        return await _json(request, service.manifest, str(request.base_url))

    async def extend(request: Request) -> Response:
        if request.method == "POST":
            fields = await _posted(request, service.limits.max_body_bytes, bare="extend")
        else:
            fields = dict(request.query_params)
        if "extend" not in fields:
            raise InvalidInputError("give the data extension query in 'extend' (JSON)")
        return await _json(request, service.extend, _loads("extend", fields["extend"]))

    def suggester(method: Callable[..., Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            params = request.query_params
            options: dict[str, Any] = {
                "cursor": _integer(params, "cursor", 0),
                "limit": _integer(params, "limit", None),
            }
            if method == service.suggest_entities and params.getlist("type"):
                options["types"] = params.getlist("type")
            return await _json(request, method, params.get("prefix", ""), **options)

        return endpoint

    async def propose(request: Request) -> Response:
        params = request.query_params
        limit = _integer(params, "limit", None)
        return await _json(request, service.propose_properties, params.get("type"), limit=limit)

    def html_page(method: Callable[[str], str]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool
            from starlette.responses import HTMLResponse

            place_id = request.query_params.get("id")
            if not place_id:
                raise InvalidInputError("give the place's id: ?id=...")
            return HTMLResponse(await run_in_threadpool(method, place_id))

        return endpoint

    async def docs(request: Request) -> Response:
        from starlette.responses import HTMLResponse

        text = _DOCS.format(root=html.escape(str(request.base_url)))
        return HTMLResponse(_page(text, title="toponyms reconciliation service"))

    async def lifespan(app: Starlette) -> Any:
        yield
        service.close()

    routes = [
        Route("/", root, methods=["GET", "POST"]),
        Route("/suggest/entity", suggester(service.suggest_entities)),
        Route("/suggest/type", suggester(service.suggest_types)),
        Route("/suggest/property", suggester(service.suggest_properties)),
        Route("/preview", html_page(service.preview)),
        Route("/view", html_page(service.view)),
        Route("/extend", extend, methods=["GET", "POST"]),
        Route("/extend/propose", propose),
        Route("/docs", docs),
    ]
    cors = Middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"]
    )
    handlers: dict[Any, Callable[..., Any]] = {
        InvalidInputError: _error_response,
        UnknownPlaceError: _error_response,
        404: _not_found,
        405: _not_allowed,
        Exception: _internal_error,
    }
    app = Starlette(
        routes=routes,
        middleware=[cors],
        exception_handlers=handlers,
        lifespan=_lifespan(lifespan),
    )
    app.state.service = service
    return app


def _lifespan(gen: Callable[[Starlette], Any]) -> Any:
    from contextlib import asynccontextmanager

    return asynccontextmanager(gen)


_DOCS = (
    "<h1>toponyms reconciliation service</h1><p>Paste <code>{root}</code> into OpenRefine"
    " (Reconcile → Start reconciling → Add standard service). Columns you may send as"
    " properties: <code>country</code> (UA, RU or a name), <code>oblast</code> (or"
    " <code>admin1</code>), <code>raion</code>, <code>point</code> (LAT,LON).</p>"
)


async def _json(
    request: Request, method: Callable[..., Any], *args: Any, **kwargs: Any
) -> Response:
    """Run ``method`` in the thread pool and answer its value as JSON (JSONP with a GET
    ``callback``, as OpenRefine 3.6 asks for the manifest)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse, Response

    value = await run_in_threadpool(method, *args, **kwargs)
    callback = request.query_params.get("callback") if request.method == "GET" else None
    if callback:
        if not _CALLBACK.fullmatch(callback):
            raise InvalidInputError("callback: a JavaScript function name")
        text = json.dumps(value, ensure_ascii=False)
        return Response(f"{callback}({text});", media_type="application/javascript")
    return JSONResponse(value)


async def _posted(request: Request, max_bytes: int, *, bare: str = "queries") -> dict[str, str]:
    """The fields of a POST body: a form (``queries=…``), or JSON, either ``{"queries": …}``
    (or ``"extend"``) or the bare batch itself (read as ``bare``). Refused past ``max_bytes``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestTooLargeError(f"request body of {declared} bytes; at most {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise RequestTooLargeError(f"request body over {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("application/x-www-form-urlencoded", ""):
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise InvalidInputError("the form is not UTF-8") from None
        return {key: values[-1] for key, values in form.items()}
    if media == "application/json" or media.endswith("+json"):
        value = _loads("body", body)
        if isinstance(value, dict) and set(value) & {"queries", "extend"}:
            return {k: json.dumps(v) if not isinstance(v, str) else v for k, v in value.items()}
        return {bare: json.dumps(value)}
    raise _Unsupported(f"a body of type {media!r}; send a form or JSON")


class _Unsupported(InvalidInputError):
    """A body in a format the service does not read (answered 415)."""


def _loads(field: str, text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise InvalidInputError(f"{field}: not valid JSON ({error})") from None


def _integer(params: Any, name: str, default: int | None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidInputError(f"{name}: an integer, not {value!r}") from None


def _error(status: int, message: str) -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse({"status": status, "message": message}, status_code=status)


async def _error_response(request: Request, error: Exception) -> Response:
    if isinstance(error, UnknownPlaceError):
        status = 404
    elif isinstance(error, RequestTooLargeError):
        status = 413
    elif isinstance(error, _Unsupported):
        status = 415
    else:
        status = 400
    return _error(status, str(error.args[0]) if error.args else str(error))


async def _not_found(request: Request, error: Exception) -> Response:
    return _error(404, f"no such endpoint: {request.url.path}")


async def _not_allowed(request: Request, error: Exception) -> Response:
    return _error(405, f"{request.method} is not allowed on {request.url.path}")


async def _internal_error(request: Request, error: Exception) -> Response:
    """A fault of ours: a JSON 500 for the client (the traceback goes to the server's log)."""
    return _error(500, f"internal error: {type(error).__name__}")


def run(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    db: str | Path | None = None,
    limits: Limits | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted: open the gazetteer, bind ``host:port``, run uvicorn.

    The gazetteer is opened and the socket bound before anything is served, so a bad
    file (:class:`GazetteerError`) or a taken port (:class:`InvalidInputError`) fails at once.
    ``ready`` is called with the service URL once the socket is bound."""
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise ToponymsError(
            "toponyms serve needs the 'serve' extra: pip install 'toponyms[serve]'"
        ) from None
    app = create_app(db, limits=limits)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every keep-alive answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InvalidInputError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    except (socket.gaierror, UnicodeError) as error:  # pragma: no cover - bind raises OSError
        sock.close()
        raise InvalidInputError(f"cannot listen on {host}:{port}: {error}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    if ready is not None:
        ready(f"http://{shown}:{bound}/")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops on Ctrl-C, then raises it
        uvicorn.Server(config).run(sockets=[sock])  # again: stopping a server is no error
