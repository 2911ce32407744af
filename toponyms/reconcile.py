"""Reconcile the place names of a table against the gazetteer, row by row, and learn from
a reviewer's choices.

One :class:`Reconciler` turns a name cell and the row's context cells (oblast, raion,
hromada, country) into one :class:`Reconciled` result: the best place's columns
(:data:`COLUMNS`), a status (matched, ambiguous, no match), a note saying how the context
was used, and the runner-up candidates a reviewer may pick from. The command
``toponyms reconcile``, :mod:`toponyms.pandas`, :mod:`toponyms.dask` and
:mod:`toponyms.spark` all reconcile through it, so that every way gives the same answers.

How context cells are read, each distinct value of a column once:

- a value that names a country (``UA``, ``Україна``, ``Russia``) filters by country (in a
  column whose header names a region type, values are read as regions only; in one whose
  header says country, as countries only);
- a value that names a region the resolver knows (an oblast, raion, hromada, a city, an
  old raion) restricts the match to inside it (``within=``). It is tried with the type
  word its column's header names first (the bare ``Бериславська`` of a hromada column
  reads as ``Бериславська громада``), then as written, then with the other type words of
  ``toponyms/data/spreadsheet.json``; two readings are kept;
- with several region columns the narrowest is tried first, and its match must also lie
  inside every broader one (a hromada name that several oblasts share counts only in the
  oblast the row gives); when it has none, the next broader column decides, and ``note``
  says so. No match outside every known region of the row is taken: the sheet said where
  the place is;
- any other value is ignored, and ``note`` says so; spreadsheet errors and no-data marks
  (``#REF!``, ``н/д``) are blank cells.

The review loop: :func:`review_rows` lists the names below :attr:`Settings.review_below`
(and every ambiguous or unmatched one) with their candidates and an empty ``accept``
column; :func:`apply_review` stores each accepted choice as a colloquial name of that
place in the user's gazetteer, so that the next run matches the team's spelling at once.
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toponyms.errors import InvalidInputError, UnknownPlaceError
from toponyms.models import Match, Place
from toponyms.text import datafile

if TYPE_CHECKING:
    from gazetteer.api import Gazetteer
    from toponyms.match import Resolution, Resolver

#: The columns a reconciled row gets, in order.
COLUMNS = (
    "place_id",
    "name",
    "name_uk",
    "name_ru",
    "name_en",
    "kind",
    "admin1",
    "raion",
    "lat",
    "lon",
    "precision",
    "score",
    "status",
    "note",
)
FLOAT_COLUMNS = frozenset({"lat", "lon", "score"})
MATCHED, AMBIGUOUS, NO_MATCH = "matched", "ambiguous", "no match"
#: Added columns whose name an input column already has get this prefix.
PREFIX = "toponyms_"
REVIEW_NAME_TYPE = "colloquial"
REVIEW_SOURCE = "review"
#: How far up the parent chain a raion is looked for (village → hromada → raion).
MAX_CHAIN = 6
#: How many matches inside a broader region are looked at to confirm a narrower match.
WIDE_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Settings:
    """The knobs of reconciliation, read from ``toponyms/data/spreadsheet.json``."""

    review_below: float
    review_candidates: int
    country_min_score: float
    region_suffixes: tuple[str, ...]
    column_words: tuple[tuple[str, tuple[str, ...]], ...]  # (type word, header words)
    blank_values: frozenset[str]  # casefolded cell values that stand for no value
    country_words: tuple[str, ...]  # header words of a country column
    region_forms: int  # readings of a region value kept, best first

    def is_country_column(self, column: str) -> bool:
        header = column.casefold()
        return any(word in header for word in self.country_words)

    def is_placeholder(self, value: str) -> bool:
        """Whether a cell holds a spreadsheet error or a no-data mark, not a name."""
        return value.casefold() in self.blank_values

    def type_word(self, column: str) -> str | None:
        """The type word the header of ``column`` names (a *hromada* column's
        ``громада``), or ``None``."""
        header = column.casefold()
        return next(
            (word for word, keys in self.column_words if any(k in header for k in keys)), None
        )


@cache
def settings() -> Settings:
    """The reconciliation settings (one reader of the data file)."""
    data = datafile.SPREADSHEET.read()
    return Settings(
        review_below=float(data["review_below"]),
        review_candidates=int(data["review_candidates"]),
        country_min_score=float(data["country_min_score"]),
        region_suffixes=tuple(data["region_suffixes"]),
        column_words=tuple((k, tuple(v)) for k, v in data["column_words"].items()),
        blank_values=frozenset(v.casefold() for v in data["blank_values"]),
        country_words=tuple(data["country_words"]),
        region_forms=int(data["region_forms"]),
    )


# -- one resolver per process ----------------------------------------------------------------
_RESOLVERS: dict[str, Resolver] = {}
_RESOLVERS_LOCK = threading.Lock()


def shared_resolver(db: str | os.PathLike[str] | None = None) -> Resolver:
    """This process's :class:`Resolver` of gazetteer ``db`` (``None``: the default),
    opened at the first call and kept: a Dask or Spark worker opens it once, not once per
    partition. Threads of one process share it; :func:`resolver_lock` serialises their
    calls (the work holds the GIL, so threads would not run it side by side anyway: give
    a worker one thread per process)."""
    from toponyms.match import Resolver

    key = "" if db is None else str(Path(db).expanduser().resolve())
    with _RESOLVERS_LOCK:
        resolver = _RESOLVERS.get(key)
        if resolver is None:
            resolver = _RESOLVERS[key] = Resolver(db=None if db is None else key)
        return resolver


_LOCKS: weakref.WeakKeyDictionary[Resolver, threading.Lock] = weakref.WeakKeyDictionary()


def resolver_lock(resolver: Resolver) -> threading.Lock:
    """The lock that callers sharing ``resolver`` between threads hold while they use it
    (its caches are not made for concurrent calls)."""
    with _RESOLVERS_LOCK:
        lock = _LOCKS.get(resolver)
        if lock is None:
            lock = _LOCKS[resolver] = threading.Lock()
        return lock


def opened() -> tuple[str, ...]:
    """The gazetteers this process's :func:`shared_resolver` has open ('' the default):
    what a Dask or Spark worker holds."""
    with _RESOLVERS_LOCK:
        return tuple(_RESOLVERS)


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Candidate:
    """One place a reviewer may choose."""

    id: str
    name: str
    admin1: str | None
    raion: str | None
    score: float


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The answer for one row: the best place (or none), its status and the candidates."""

    query: str
    status: str
    place: Place | None = None
    raion: str | None = None
    score: float | None = None
    note: str | None = None
    candidates: tuple[Candidate, ...] = field(default=())

    def row(self) -> dict[str, Any]:
        """The :data:`COLUMNS` of the row, ``None`` where there is no value."""
        p = self.place
        values: dict[str, Any] = dict.fromkeys(COLUMNS)
        if p is not None:
            values.update(
                place_id=p.id,
                name=p.name,
                name_uk=p.name_uk,
                name_ru=p.name_ru,
                name_en=p.name_en,
                kind=p.kind,
                admin1=p.admin1,
                raion=self.raion,
                lat=p.lat,
                lon=p.lon,
                precision=p.precision,
                score=None if self.score is None else round(self.score, 4),
            )
        values["status"] = self.status
        values["note"] = self.note
        return values

    def needs_review(self, threshold: float | None = None) -> bool:
        """Whether a person should look at it: a name that is unmatched, ambiguous, or
        scored below ``threshold`` (default: :attr:`Settings.review_below`)."""
        if not self.query or settings().is_placeholder(self.query):
            return False
        below = settings().review_below if threshold is None else threshold
        return self.status != MATCHED or (self.score or 0.0) < below


@dataclass(frozen=True, slots=True)
class _Context:
    """What a row's context cells say: countries, regions (broad to narrow), notes."""

    countries: tuple[str, ...]
    regions: tuple[tuple[str, tuple[str, ...]], ...]  # (column, forms the resolver knows)
    notes: tuple[str, ...]


def is_blank(value: object) -> bool:
    """An empty cell: ``None``, NaN, pandas' NA or whitespace."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    try:  # pandas.NA, NaT: "is missing" without importing pandas
        return bool(value != value)
    except TypeError:
        return True


def cell_name(value: object) -> str:
    """A cell as the text to resolve ('' for a blank cell; a whole number read from a
    workbook as ``1.0`` is ``1``)."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class Reconciler:
    """Reconciles names with their rows' context against one :class:`Resolver`.

    ``context_columns`` names the context cells a row will be given, broadest first
    (``oblast``, ``raion``, ``hromada``); ``options`` are :meth:`Resolver.resolve_one`'s
    (``country``, ``within``, ``near``, ``as_of``, ``min_score``), checked here at once.
    Answers are cached by name and context, so a sheet that names the same village a
    thousand times resolves it once.
    """

    CACHE_SIZE = 100_000

    def __init__(
        self,
        resolver: Resolver,
        *,
        context_columns: Sequence[str] = (),
        **options: Any,
    ) -> None:
        self.resolver = resolver
        self.context_columns = tuple(context_columns)
        self.options = {k: v for k, v in options.items() if v is not None}
        self.options.pop("limit", None)
        self.limit = max(int(options.get("limit") or 0), settings().review_candidates)
        resolver.resolve_one("Київ", limit=1, **self.options)  # bad options fail here, once
        self._values: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
        self._raions: dict[str, str | None] = {}
        self._answers: dict[tuple[str, tuple[str, ...]], Reconciled] = {}

    # -- context ---------------------------------------------------------------------------
    def _classify(self, column: str, value: str) -> tuple[str, tuple[str, ...]]:
        """('country', (code,)), ('region', forms the resolver knows as regions, best
        first) or ('unknown', ()).

        The value with the type word its column's header names (``громада`` for a
        hromada column) comes before the value alone: the bare ``Скадовська`` reads as the
        town of Skadovsk, and so as its whole oblast, where ``Скадовська громада`` is the
        hromada the sheet means. The other forms are kept for when the first finds
        nothing (``м. Київ`` in an oblast column is the city, not ``м. Київ область``)."""
        known = self._values.get((column, value))
        if known is not None:
            return known
        kind: tuple[str, tuple[str, ...]] = ("unknown", ())
        word = settings().type_word(column)
        if len(value) == 2 and value.isascii() and value.isalpha():
            kind = ("country", (value.upper(),))
        elif word is None and (code := self._country(value)) is not None:
            kind = ("country", (code,))  # a column of countries, or of anything
        elif not settings().is_country_column(column):
            others = [f"{value} {s}" for s in settings().region_suffixes if s != word]
            forms = [*([f"{value} {word}"] if word else []), value, *others]
            known_forms: list[str] = []
            for form in forms:
                if self._is_region(form):
                    known_forms.append(form)
                    if len(known_forms) == settings().region_forms:
                        break
            if known_forms:
                kind = ("region", tuple(known_forms))
        self._values[column, value] = kind
        return kind

    def _country(self, value: str) -> str | None:
        """The code of the country ``value`` names (``Україна``, ``Russia``), or ``None``."""
        try:
            top = self.resolver.resolve(value, limit=1)
        except InvalidInputError:
            return None
        best = top[0] if top else None
        if best and best.place.kind == "country" and best.score >= settings().country_min_score:
            return best.place.country
        return None

    def _is_region(self, text: str) -> bool:
        try:
            self.resolver.resolve_one(text, limit=1, within=text)
        except InvalidInputError:
            return False
        return True

    def _context(self, cells: Sequence[object]) -> _Context:
        countries: list[str] = []
        regions: list[tuple[str, tuple[str, ...]]] = []
        notes: list[str] = []
        for column, cell in zip(self.context_columns, cells, strict=False):
            value = cell_name(cell)
            if not value or settings().is_placeholder(value):
                continue
            kind, read = self._classify(column, value)
            if kind == "country":
                countries.extend(read)
            elif kind == "region":
                regions.append((column, read))
            else:
                notes.append(f"{column} {value!r} is no known region or country: ignored")
        return _Context(tuple(dict.fromkeys(countries)), tuple(regions), tuple(notes))

    # -- one row ---------------------------------------------------------------------------
    def reconcile(self, name: object, context: Sequence[object] = ()) -> Reconciled:
        """The answer for one name cell and its row's context cells (in the order of
        ``context_columns``)."""
        query = cell_name(name)
        key = (query, tuple(cell_name(c) for c in context))
        answer = self._answers.get(key)
        if answer is None:
            answer = self._reconcile(query, context)
            if len(self._answers) >= self.CACHE_SIZE:
                self._answers.clear()
            self._answers[key] = answer
        return answer

    def reconcile_many(
        self, rows: Iterable[tuple[object, Sequence[object]]]
    ) -> Iterator[Reconciled]:
        """:meth:`reconcile` over ``(name, context)`` pairs, lazily, in order."""
        for name, context in rows:
            yield self.reconcile(name, context)

    def _reconcile(self, query: str, cells: Sequence[object]) -> Reconciled:
        if not query:
            return Reconciled(query, NO_MATCH, note="empty name")
        if settings().is_placeholder(query):
            return Reconciled(query, NO_MATCH, note=f"{query!r} stands for no name")
        context = self._context(cells)
        notes = list(context.notes)
        options = dict(self.options)
        if context.countries:
            options["country"] = ",".join(context.countries)
        regions = list(context.regions)
        if "within" in options:  # the caller's region is the broadest of the row's
            regions.insert(0, ("within", (options.pop("within"),)))
        resolution: Resolution | None = None
        try:
            if not regions:
                resolution = self.resolver.resolve_one(query, limit=self.limit, **options)
            elif len(regions) == 1 and regions[0][0] == "within":
                resolution = self.resolver.resolve_one(
                    query, limit=self.limit, within=regions[0][1][0], **options
                )
            else:
                resolution = self._within_ladder(query, regions, options, notes)
        except InvalidInputError as error:
            notes.append(str(error))
        note = "; ".join(notes) or None
        if resolution is None or not resolution.matches:
            return Reconciled(query, NO_MATCH, note=note)
        best = resolution.matches[0]
        return Reconciled(
            query,
            AMBIGUOUS if resolution.ambiguous else MATCHED,
            place=best.place,
            raion=self.raion_of(best.place),
            score=best.score,
            note=note,
            candidates=tuple(
                self._candidate(m) for m in resolution.matches[: settings().review_candidates]
            ),
        )

    def _within_ladder(
        self,
        query: str,
        regions: Sequence[tuple[str, tuple[str, ...]]],
        options: dict[str, Any],
        notes: list[str],
    ) -> Resolution | None:
        """The first answer with matches inside the regions of the row: the narrowest
        column first, each match also inside every broader column (a hromada name that
        several oblasts have counts only in the oblast the row gives); each column's best
        reading first, then its other one; ``None`` when no column has a match."""
        levels = list(reversed(regions))  # narrowest first
        attempts = [(i, forms[0]) for i, (_, forms) in enumerate(levels)]
        attempts += [(i, f) for i, (_, forms) in enumerate(levels) for f in forms[1:]]
        inside: dict[int, frozenset[str]] = {}

        def within_level(j: int) -> frozenset[str]:
            if j not in inside:
                inside[j] = self._inside(query, levels[j][1], options)
            return inside[j]

        tried: list[str] = []
        for i, region in attempts:
            column = levels[i][0]
            found = self.resolver.resolve_one(
                query, limit=self.limit, **{**options, "within": region}
            )
            kept = [
                m
                for m in found.matches
                if all(m.place.id in within_level(j) for j in range(i + 1, len(levels)))
            ]
            if kept:
                if column in tried:
                    tried.remove(column)  # another reading of the same column matched
                if tried:
                    notes.append(f"no match within {', '.join(tried)}; matched within {column}")
                return _narrowed(found, kept)
            if column not in tried:
                tried.append(column)
        notes.append(f"no match within {', '.join(tried)}")
        return None

    def _inside(
        self, query: str, forms: tuple[str, ...], options: dict[str, Any]
    ) -> frozenset[str]:
        """The ids of the places ``query`` may mean inside one region: in its first
        reading that has any."""
        for form in forms:
            found = self.resolver.resolve_one(
                query, limit=WIDE_LIMIT, **{**options, "within": form}
            )
            if found.matches:
                return frozenset(m.place.id for m in found.matches)
        return frozenset()

    def _candidate(self, match: Match) -> Candidate:
        p = match.place
        return Candidate(p.id, p.name, p.admin1, self.raion_of(p), round(match.score, 4))

    def raion_of(self, place: Place) -> str | None:
        """The name of the raion a place lies in (itself, for a raion), or ``None``.

        Every place met on the way up is remembered with the answer, so a sheet's
        villages of one hromada cost one walk up the chain between them."""
        walked: list[str] = []
        found: str | None = None
        current: Place | None = place
        for _ in range(MAX_CHAIN):
            if current is None:
                break
            if current.id in self._raions:
                found = self._raions[current.id]
                break
            walked.append(current.id)
            if current.kind == "raion":
                found = current.name
                break
            if current.parent_id is None:
                break
            try:
                current = self.resolver.place(current.parent_id)
            except LookupError:
                break
        for place_id in walked:
            self._raions[place_id] = found
        return found


# -- tables ----------------------------------------------------------------------------------
def added_columns(header: Sequence[str]) -> tuple[str, ...]:
    """The names the :data:`COLUMNS` get beside ``header``: their own, or with
    :data:`PREFIX` when the input has a column of that name already."""
    taken = set(header)
    return tuple(PREFIX + c if c in taken else c for c in COLUMNS)


def reconcile_rows(
    reconciler: Reconciler,
    rows: Iterable[Sequence[Any]],
    *,
    column: int,
    context: Sequence[int] = (),
) -> Iterator[tuple[Sequence[Any], Reconciled]]:
    """Each row with its answer; ``column`` and ``context`` are cell indexes."""
    for row in rows:
        yield row, reconciler.reconcile(row[column], [row[i] for i in context])


def output_row(row: Sequence[Any], answer: Reconciled) -> list[Any]:
    """The input cells unchanged, then the :data:`COLUMNS` ('' for no value)."""
    values = answer.row()
    return [*row, *("" if values[c] is None else values[c] for c in COLUMNS)]


# -- review ----------------------------------------------------------------------------------
def review_header(context_columns: Sequence[str]) -> list[str]:
    """The columns of a review file."""
    header = ["rows", "query", *context_columns, "status", "score", "note"]
    for n in range(1, settings().review_candidates + 1):
        header += [f"candidate{n}_{part}" for part in ("id", "name", "admin1", "raion", "score")]
    return [*header, "accept"]


def review_rows(
    answers: Iterable[tuple[int, Sequence[str], Reconciled]],
    *,
    threshold: float | None = None,
) -> list[list[Any]]:
    """The review file's rows for ``(row number, context values, answer)`` triples: one
    per distinct name and context that needs review, listing the rows it stands for."""
    grouped: dict[tuple[str, tuple[str, ...]], tuple[list[int], Reconciled]] = {}
    for number, context, answer in answers:
        if not answer.needs_review(threshold):
            continue
        key = (answer.query, tuple(context))
        grouped.setdefault(key, ([], answer))[0].append(number)
    rows = []
    for (query, context), (numbers, answer) in grouped.items():
        row: list[Any] = [
            ", ".join(map(str, numbers)),
            query,
            *context,
            answer.status,
            "" if answer.score is None else round(answer.score, 4),
            answer.note or "",
        ]
        for n in range(settings().review_candidates):
            if n < len(answer.candidates):
                c = answer.candidates[n]
                row += [c.id, c.name, c.admin1 or "", c.raion or "", c.score]
            else:
                row += [""] * 5
        rows.append([*row, ""])
    return rows


@dataclass(frozen=True, slots=True)
class Accepted:
    """One accepted review row: the name as the sheet wrote it and the chosen place."""

    line: int
    name: str
    place_id: str


def accepted(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, source: str
) -> list[Accepted]:
    """The accepted choices of a review table: ``accept`` is a candidate's number (1, 2,
    3) or any place id; an empty cell (or ``-``, ``no``) skips the row."""
    columns = {name: i for i, name in enumerate(header)}
    for needed in ("query", "accept"):
        if needed not in columns:
            raise InvalidInputError(
                f"{source}: no {needed!r} column; is it a review file of `toponyms reconcile`?"
            )
    chosen: list[Accepted] = []
    for line, row in enumerate(rows, start=2):
        choice = cell_name(row[columns["accept"]])
        if not choice or choice.lower() in {"-", "no", "skip", "ні", "нет"}:
            continue
        name = cell_name(row[columns["query"]])
        if not name:
            raise InvalidInputError(f"{source}: line {line} accepts a place for an empty query")
        if choice.isdigit():
            column = columns.get(f"candidate{choice}_id")
            place_id = cell_name(row[column]) if column is not None else ""
            if not place_id:
                raise InvalidInputError(
                    f"{source}: line {line}: accept {choice} names no candidate of that row"
                )
        else:
            place_id = choice
        chosen.append(Accepted(line, name, place_id))
    return chosen


def apply_review(
    choices: Sequence[Accepted],
    gazetteer: Gazetteer,
    resolver: Resolver,
    *,
    source: str,
    author: str | None = None,
) -> dict[str, Any]:
    """Store each accepted choice as a colloquial name of its place (source ``review``).

    Every place id is checked before anything is written, so a mistyped id changes
    nothing; a name the place has already counts as ``known``. Returns counts and the
    names added."""
    for choice in choices:
        try:
            resolver.place(choice.place_id)
        except UnknownPlaceError:
            raise InvalidInputError(
                f"{source}: line {choice.line}: no place with id {choice.place_id!r}"
            ) from None
    added: list[dict[str, Any]] = []
    known = 0
    seen: set[tuple[str, str]] = set()
    for choice in choices:
        if (choice.place_id, choice.name) in seen:
            continue
        seen.add((choice.place_id, choice.name))
        if _spelled(resolver, choice):
            # The place has that name already (a namesake's too, or the row would not
            # have needed review): another name would change nothing. Namesakes are told
            # apart by the row's context columns, not by names.
            known += 1
            continue
        try:
            edit = gazetteer.add_name(
                choice.place_id,
                choice.name,
                type=REVIEW_NAME_TYPE,
                source=REVIEW_SOURCE,
                author=author,
                reason=f"accepted in review {source}, line {choice.line}",
            )
        except InvalidInputError as error:
            if "already has" not in str(error):
                raise
            known += 1
            continue
        added.append({"id": edit.id, "name": choice.name, "line": choice.line})
    return {"added": len(added), "known": known, "accepted": len(choices), "names": added}


def _spelled(resolver: Resolver, choice: Accepted) -> bool:
    """Whether ``choice.name`` is already a name of the chosen place, as written."""
    try:
        matches = resolver.resolve(choice.name, limit=20)
    except InvalidInputError:
        return False
    wanted = choice.name.casefold()
    return any(
        m.place.id == choice.place_id and m.matched_name.casefold() == wanted for m in matches
    )


def _narrowed(found: Resolution, kept: list[Match]) -> Resolution:
    """``found`` with only the ``kept`` matches; ambiguous again by the resolver's rule
    (the runner-up within the scorer's ``ambiguity_ratio`` of the best)."""
    if len(kept) == len(found.matches):
        return found
    from toponyms.match import Resolution, weights

    ratio = weights.default().ambiguity_ratio
    ambiguous = len(kept) > 1 and kept[1].score >= ratio * kept[0].score
    return Resolution(query=found.query, matches=tuple(kept), ambiguous=ambiguous)
