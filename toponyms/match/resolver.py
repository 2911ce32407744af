"""The resolver: wires the stages, one query at a time.

The path of a query (each stage only when the ones before found nothing convincing):

1. :mod:`~toponyms.match.query`: clean the text, split off qualifiers and type words;
   :mod:`~toponyms.match.qualifiers` reads the qualifiers as regions;
2. :mod:`~toponyms.match.candidates`: the exact and invariant keys; then the other
   spellings (case forms, uk ↔ ru counterparts, romanised Cyrillic names, from the forms
   index first);
3. a region glued to the name (``Миколаївка Донецької області``): the name before it,
   within it;
4. :mod:`~toponyms.match.typos`: names about one slip away, also in a case form;
5. :mod:`~toponyms.match.scoring` ranks each stage's hits; the best evidence decides
   whether the next stage runs, and whether there is an answer at all.

:meth:`Resolver.explain` records what each stage met and how it ranked.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazetteer import store
from toponyms import index, lexicon
from toponyms.errors import (
    GazetteerError,
    InvalidCoordinatesError,
    InvalidDateError,
    InvalidInputError,
)
from toponyms.match import weights as _weights
from toponyms.match.candidates import Candidates, direct_reading, may_be_inflected
from toponyms.match.lookup import Lookup
from toponyms.match.qualifiers import Qualifiers
from toponyms.match.query import Query, split, strip_type_suffix
from toponyms.match.scoring import Scorer
from toponyms.match.typos import Typos
from toponyms.match.values import (
    EXPLAIN_CANDIDATES,
    GUESS_RULES,
    WELL_KNOWN,
    Explanation,
    Hit,
    Options,
    Resolution,
    Stage,
    parse_countries,
    parse_date,
    parse_point,
    script_of,
)
from toponyms.match.weights import Weights
from toponyms.models import Match, Mention, Place
from toponyms.text.normalize import clean

if TYPE_CHECKING:
    from toponyms.extract import Document
    from toponyms.options import Countries


FRESHNESS_INTERVAL = 256  # names of a stream between two checks for others' edits


PRELOAD_AFTER = 300  # queries answered before all places are read into memory


RESULT_CACHE_SIZE = 50_000  # answers kept per resolver (streams repeat names a lot)


class Resolver:
    """Resolves names and extracts mentions against one gazetteer.

    ``Resolver()`` opens the default gazetteer; ``Resolver(db=path)`` a user's file (or
    the ``TOPONYMS_DB`` environment variable's). Edits made to that file by another
    process or a :class:`gazetteer.store.Gazetteer` are seen at the next call.

    Args:
        db: Path of a gazetteer file; ``None`` means ``$TOPONYMS_DB`` if set, else the
            default gazetteer shipped with the package.
        weights: The scorer's weights; ``None`` means the packaged ones.

    Raises:
        GazetteerError: The file is missing, a folder, not a toponyms gazetteer, of a
            newer schema, or indexed by another version (run ``gazetteer check --fix``).

    A resolver is a context manager (``with Resolver() as r:``) and pickles as its path.
    Its stages are public attributes (``lookup``, ``candidates``, ``typos``,
    ``qualifiers``, ``scorer``) for the extractor and for callers that compose their own
    pipeline; they are made anew when the gazetteer changes, so read them from the
    resolver, under :attr:`lock`, rather than keeping them.
    """

    def __init__(self, db: str | Path | None = None, *, weights: Weights | None = None) -> None:
        path, is_default = store.resolve_path(db)
        self.weights = weights if weights is not None else _weights.default()
        self.path = path
        self._is_default = is_default
        self._conn = store.connect(path, readonly=True)
        self._conn.row_factory = None
        if not index.is_current(self._conn):
            raise GazetteerError(
                f"{path}: its index was made by another version of toponyms; "
                "run `toponyms gazetteer check --fix` (or open it once with the Gazetteer API)"
            )
        self.data_version = self._version()
        self._caches_clear()
        #: Serialises every use of the connection and the caches, so that one resolver may
        #: be shared between threads (a web server's, a thread pool's). Re-entrant: the
        #: extractor calls the resolver while it holds it. For parallel speed use
        #: processes: a resolver pickles as its path.
        self.lock = threading.RLock()
        self._trace: list[Stage] | None = None  # set while explain() runs

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def _caches_clear(self) -> None:
        """Make the stages anew (their caches empty) over the connection."""
        self.lookup = Lookup(self._conn)
        self.candidates = Candidates(self.lookup)
        self.typos = Typos(self.lookup)
        self.scorer = Scorer(self.lookup, self.weights)
        self.qualifiers = Qualifiers(self.lookup, self.candidates, self.weights)
        self._results: dict[tuple[object, ...], Resolution] = {}
        self._answered = 0
        self._country_checker: Countries | None = None

    def refresh(self) -> None:
        """Drop every cache when another connection has committed an edit (the check is
        one cheap query; the public calls make it themselves)."""
        version = self._version()
        if version != self.data_version:
            self.data_version = version
            self._caches_clear()

    def close(self) -> None:
        """Close the gazetteer file; the resolver cannot be used afterwards."""
        self.lookup.conn.close()

    def __reduce__(self) -> tuple[Any, tuple[str | None, Weights | None]]:
        """Pickle as the gazetteer's path, reopened where it is unpickled.

        A ``Resolver`` holds an SQLite connection, which cannot cross processes; a worker
        of ``multiprocessing``, Dask or Spark opens the same file again (the default
        gazetteer as that worker's own default)."""
        weights = None if self.weights is _weights.default() else self.weights
        return (_reopen, (None if self._is_default else str(self.path), weights))

    def __enter__(self) -> Resolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def place(self, place_id: str) -> Place:
        """The place with that id (a merged id answers with the place it was merged into).

        Args:
            place_id: A place id as results give it: ``geonames:706448``,
                ``katottg:UA65100150010071596``, ``local:1``.

        Returns:
            The :class:`~toponyms.models.Place`, retired ones included.

        Raises:
            UnknownPlaceError: No place, and no redirect, has that id.
        """
        with self.lock:
            self.refresh()
            return self.lookup.place(place_id)

    def check_options(
        self,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> None:
        """Raise :class:`InvalidInputError` for options that no query can use.

        The keywords are :meth:`resolve`'s. A country must be an ISO 3166 code of a
        country in the gazetteer; a country's name is refused with its code as a hint
        (``"Ukraine"`` → ``UA``). ``within`` must name a region or place the gazetteer
        knows. A command calls this once, before a stream, so that a bad option fails
        once instead of on every line."""
        with self.lock:
            self.refresh()
            self._check_options(Options.of(limit, country, within, near, as_of, min_score))

    def _check_options(self, options: Options) -> None:
        if options.limit < 1:
            raise InvalidInputError(f"limit must be at least 1, not {options.limit}")
        if options.country is not None:
            self._countries_of_gazetteer().check(options.country)
        self.qualifiers.within(options.within)
        parse_point(options.near)
        parse_date(options.as_of)

    def _countries_of_gazetteer(self) -> Countries:
        """The gazetteer's countries, read once (codes and names, for hints)."""
        if self._country_checker is None:
            from toponyms.options import Countries

            self._country_checker = Countries.of(self.path)
        return self._country_checker

    def resolve(
        self,
        name: str,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> list[Match]:
        """The places ``name`` may mean, best first; empty when nothing is credible.

        Args:
            name: The name as written: any script, transliteration, case form, with or
                without a qualifier ("Kirovsk (Luhansk region)", "Миколаївка Донецької
                області"); at most 300 characters.
            limit: How many matches to return, at most (1 or more).
            country: Only places of these ISO 3166-1 alpha-2 countries: ``"UA"``,
                ``"UA,RU"`` or a list of codes.
            within: Only places inside this region: a name ("Kherson Oblast",
                "Херсонщина") or a place id.
            near: Prefer places near this point: ``"LAT,LON"`` or a ``(lat, lon)`` pair.
            as_of: Prefer names valid on this date (``YYYY``, ``YYYY-MM``,
                ``YYYY-MM-DD`` or a :class:`datetime.date`): a renamed place is found by
                the name it had then.
            min_score: Drop matches scoring below this (0..1).

        Returns:
            A list of :class:`~toponyms.models.Match`, best first, each with its place,
            score, the matched name, its type and the rule that matched.

        Raises:
            InvalidInputError: A name that is not text, too long or empty; a bad
                ``limit``, country code or an unknown ``within`` region.
            InvalidCoordinatesError: ``near`` is not a point or out of range.
            InvalidDateError: ``as_of`` is not a date.
        """
        return list(
            self.resolve_one(
                name,
                limit=limit,
                country=country,
                within=within,
                near=near,
                as_of=as_of,
                min_score=min_score,
            ).matches
        )

    def resolve_one(
        self,
        name: str,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> Resolution:
        """Like :meth:`resolve`, with the ``ambiguous`` flag (the CLI's JSON object).

        Args:
            name: The name as written (see :meth:`resolve`).
            limit: How many matches to keep, at most.
            country: Only these countries (``"UA,RU"`` or a list of codes).
            within: Only inside this region (a name or a place id).
            near: Prefer places near ``"LAT,LON"`` or a ``(lat, lon)`` pair.
            as_of: Prefer names valid on this date.
            min_score: Drop matches scoring below this.

        Returns:
            A :class:`Resolution`: ``query``, ``matches`` (best first), ``ambiguous``
            (true when two places are about equally likely), ``error`` (always ``None``
            here: errors raise).

        Raises:
            InvalidInputError: As :meth:`resolve`.
        """
        options = Options.of(limit, country, within, near, as_of, min_score)
        with self.lock:
            self.refresh()
            self._check_options(options)
            return self._answer(name, options)

    def explain(
        self,
        name: str,
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> Explanation:
        """Resolve ``name`` as :meth:`resolve_one` does and say why: the query as it was
        read, then each stage that ran (its candidates and the ranking after it, with
        score parts), then the answer. The keywords are :meth:`resolve`'s."""
        options = Options.of(limit, country, within, near, as_of, min_score)
        with self.lock:
            self.refresh()
            self._check_options(options)
            if not isinstance(name, str):
                raise InvalidInputError(f"a name must be text, not {type(name).__name__}")
            self._trace = []
            try:
                self.lookup.keys.clear()
                self.typos.fuzzy.cache_clear()
                resolution = self._resolve_uncached(name, options)
                stages = tuple(self._trace)
            finally:
                self._trace = None
        return Explanation(query=name, stages=stages, resolution=resolution)

    def _note(
        self,
        stage: str,
        note: str = "",
        *,
        hits: Iterable[Hit] = (),
        matches: Iterable[Match] = (),
        evidence: float | None = None,
        kept: bool = True,
    ) -> None:
        """Record a stage for :meth:`explain` (nothing when no explanation is asked for)."""
        if self._trace is None:
            return
        candidates = []
        for hit in list(dict.fromkeys(hits))[:EXPLAIN_CANDIDATES]:
            candidates.append(
                {
                    "id": hit.place_id,
                    "name": hit.name,
                    "match_type": hit.type,
                    "lang": hit.lang,
                    "rule": hit.rule,
                    "similarity": round(hit.similarity, 4),
                }
            )
        ranked = [
            {
                "id": m.place.id,
                "name": m.place.name,
                "admin1": m.place.admin1,
                "score": round(m.score, 4),
                "matched_name": m.matched_name,
                "rule": m.rule,
                "score_parts": {k: round(v, 4) for k, v in m.score_parts},
            }
            for m in matches
        ]
        self._trace.append(Stage(stage, note, tuple(candidates), tuple(ranked), evidence, kept))

    def _answer(self, name: str, options: Options) -> Resolution:
        """:meth:`resolve_one` without the check for other connections' edits."""
        if not isinstance(name, str):
            raise InvalidInputError(f"a name must be text, not {type(name).__name__}")
        if options.limit < 1:
            raise InvalidInputError(f"limit must be at least 1, not {options.limit}")
        cached = self._results.get((name, options))
        if cached is not None:
            return cached
        self._answered += 1
        if self._answered == PRELOAD_AFTER and not self.lookup.preloaded:
            self.lookup.preload()
        if self.lookup.hits_snapshot() is not None:
            # Keys seldom recur from one query to the next (3 % of a stream's look-ups do)
            # and the snapshot answers one in a few microseconds: its hits are kept for
            # one query only, so that no stream-long cache of them grows for the garbage
            # collector to walk at each full collection.
            self.lookup.keys.clear()
        # Nor does a text's typo search serve another query (3 of the mix's 4,809 did).
        self.typos.fuzzy.cache_clear()
        result = self._resolve_uncached(name, options)
        if len(self._results) >= RESULT_CACHE_SIZE:
            self._results.clear()
        self._results[name, options] = result
        return result

    def _resolve_uncached(self, name: str, options: Options) -> Resolution:
        """Read the query (:func:`~toponyms.match.query.split`) and run the stages on it."""
        query = split(clean(name, max_length=300))
        if query.bare is None:
            return self._run_stages(name, query, options)
        if not self.candidates.hits_for(query.name) and self.candidates.hits_for(query.bare):
            # "Ivanivka village", "Bakhmut city": the type word is not part of the name (it
            # is in Cape Town, some place's name as written, and in Moel Town, a typo of
            # one, whose first word alone is no name).
            return self._run_stages(name, dataclasses.replace(query, name=query.bare), options)
        resolution = self._run_stages(name, query, options)
        if not resolution.matches:
            # Nor is it when the whole text is nothing, and only another spelling of the
            # name reaches a place (Mandrykino town: the Russian romanisation of Мандрикине).
            self._note("bare", f"no place in {query.name!r}: the name before the type word")
            resolution = self._run_stages(
                name, dataclasses.replace(query, name=query.bare), options
            )
        return resolution

    def _run_stages(self, name: str, query: Query, options: Options) -> Resolution:
        """The stages of the module docstring for one read query (``name``: as written)."""
        limit, min_score = options.limit, options.min_score
        countries = parse_countries(options.country)
        within_ids = self.qualifiers.within(options.within)
        point = parse_point(options.near)
        when = parse_date(options.as_of)
        qualifiers = [self.qualifiers.region_ids(q) for q in query.qualifiers]
        qualifiers = [q for q in qualifiers if q]
        self._note(
            "query",
            f"name {query.name!r}; qualifiers {list(query.qualifiers)}"
            f" ({len(qualifiers)} known regions); kinds"
            f" {sorted(query.kinds) if query.kinds else 'any'};"
            f" after a preposition: {query.after_preposition}",
        )
        # A person's name or a common word (Zelensky, Putin) is no place by resemblance:
        # only a real name of a place (Kirov, Zhdanov the old Mariupol) may answer it.

        def non_place() -> bool:
            # Asked only on the slower paths: the dictionary look-up of a Latin word
            # transliterates it first.
            return not qualifiers and (
                lexicon.is_non_place(query.name) or lexicon.dictionary_class(query.name) is not None
            )

        # A person's, organisation's or weapon's name that no place of note bears
        # (Syrskyi, Yermak, Shahed) answers only as a well-known place's official name.
        # So is a listed common word written in lower case (война: the word, though a
        # village in Bryansk Oblast bears it).
        strict = not qualifiers and (
            lexicon.is_strict_non_place(query.name)
            or (query.name.islower() and lexicon.is_non_place(query.name))
        )
        hits = self.candidates.hits_for(query.name, romanizations=True)
        if strict:
            hits = [h for h in hits if self.scorer.well_known(h)]
        ranked = dict(
            as_of=when,
            countries=countries,
            within=within_ids,
            near=point,
            limit=limit,
            kinds=query.kinds,
        )
        matches, evidence = self.scorer.rank(hits, qualifiers=qualifiers, **ranked)  # type: ignore[arg-type]
        self._note(
            "names",
            "the text's exact and invariant keys"
            + ("; a person's or organisation's name: only well-known places" if strict else ""),
            hits=hits,
            matches=matches,
            evidence=evidence,
        )
        # The hits behind the current matches (None when a region tail re-qualified them).
        pool: list[Hit] | None = hits
        small = bool(matches) and self.scorer.prior(matches[0].place) < 5_000
        unqualified = bool(qualifiers) and not any(
            dict(m.score_parts).get("qualifier") == 1.0 for m in matches
        )
        if (
            not matches
            or evidence < 0.99
            or unqualified  # the qualifier rules out every exact namesake: try other spellings
            or (
                script_of(query.name) == "Cyrl"
                and (query.after_preposition or (small and may_be_inflected(query.name)))
            )
        ):
            # Not exactly an official name (or only a village's, which a case form of a
            # city's name may be, surely so after a preposition: Львове is a village, во
            # Львове is Lviv): an inflected form, the other language's spelling, or a
            # transliteration may fit better (Лимані is Lyman, not Lymany).
            # Latin text that is already some place's name needs no Cyrillic guesses
            # (the costliest step). A Latin name one slip away from a place's own name is
            # a typo of that name, not a spelling in another system: the typo search
            # (cheaper) then spares the Cyrillic guesses.
            transliterate = evidence < 0.95 and not (
                script_of(query.name) == "Latn" and self.typos.close_typo(query.name)
            )
            variant_hits = self.candidates.variant_hits(query.name, transliterate=transliterate)
            if variant_hits and non_place():
                # Only a well-known place may answer a person's name or a common word by
                # another spelling (Хмельницкий, the city; not Буданов, the village Буданів).
                variant_hits = [
                    h
                    for h in variant_hits
                    if (h.rule == "inflection" and not strict)
                    or (self.lookup.facts(h.place_id).population or 0) >= WELL_KNOWN
                ]
            if variant_hits:
                extra, extra_evidence = self.scorer.rank(
                    [*hits, *variant_hits],
                    qualifiers=qualifiers,
                    **ranked,  # type: ignore[arg-type]
                )
                kept = extra_evidence >= evidence
                self._note(
                    "variants",
                    "case forms, uk/ru counterparts, transliterations (forms index first)",
                    hits=variant_hits,
                    matches=extra,
                    evidence=extra_evidence,
                    kept=kept,
                )
                if kept:
                    matches, evidence = extra, extra_evidence
                    pool = [*hits, *variant_hits]
            else:
                self._note("variants", "no case form, counterpart or transliteration met a name")
        # A region glued to the name; with other qualifiers too, when nothing matched
        # (Миколаївка Донецької обл., Слов'янський р-н).
        if (not matches or (evidence < 0.9 and not qualifiers)) and " " in query.name:
            tail = self.qualifiers.region_tail(query.name.split(" "))
            if tail is not None:
                base, regions = tail
                tail_hits = self.candidates.hits_for(base) + self.candidates.variant_hits(base)
                bare = strip_type_suffix(base)
                if not tail_hits and bare is not None:
                    # A type word before the region (Novoazovsk Town Donetsk region).
                    base = bare
                    tail_hits = self.candidates.hits_for(base) + self.candidates.variant_hits(base)
                tail_matches, tail_evidence = self.scorer.rank(
                    tail_hits,
                    qualifiers=[*qualifiers, *regions],
                    **ranked,  # type: ignore[arg-type]
                )
                kept = bool(tail_matches) and tail_evidence >= evidence
                self._note(
                    "region_tail",
                    f"a region glued to the name: {base!r} within it",
                    hits=tail_hits,
                    matches=tail_matches,
                    evidence=tail_evidence,
                    kept=kept,
                )
                if kept:
                    matches, evidence = tail_matches, tail_evidence
                    pool = None
        # A word in lower case is more likely a common word than a misspelt name (вчора,
        # domani): no typo search for it.
        proper = not query.name.islower()
        # The best reading is only another spelling's coincidence (see direct_reading): a
        # slip in a home place's own name may read the text better.
        guessed = (
            pool is not None
            and bool(matches)
            and evidence < 0.99
            and matches[0].rule in GUESS_RULES
            and not direct_reading(query.name, matches[0])
        )
        weak = not matches or evidence < 0.9
        if (weak or guessed) and proper and not non_place():
            fuzzy = self.typos.fuzzy(query.name)
            slips = self.typos.home_slips(query.name, fuzzy) if guessed else []
            if guessed and not slips and script_of(query.name) == "Cyrl":
                # No name lies one slip from the text itself: one of its case forms may.
                slips = self.typos.home_slips(query.name, self.typos.case_form_typos(query.name))
            if slips and pool is not None:
                matches, evidence = self.scorer.rank(
                    [*pool, *slips],
                    qualifiers=qualifiers,
                    **ranked,  # type: ignore[arg-type]
                )
            if slips and pool is not None:
                self._note(
                    "slips",
                    "the best reading was a guess: one-slip readings of home names compete",
                    hits=slips,
                    matches=matches,
                    evidence=evidence,
                )
            if weak:
                before = evidence
                matches, evidence = self._typo_search(
                    query.name,
                    hits,
                    fuzzy,
                    matches,
                    evidence,
                    qualifiers,
                    ranked,
                    declined=query.after_preposition,
                )
                self._note(
                    "typos",
                    "names about one typo away (also in a case form)",
                    hits=fuzzy,
                    matches=matches,
                    evidence=evidence,
                    kept=evidence > before,
                )
        if evidence < self.weights.min_evidence:
            matches = []
        if query.raion_only:
            matches = [m for m in matches if m.place.kind == "raion"]
        matches = [m for m in matches if m.score >= min_score]
        ratio = self.weights.ambiguity_ratio
        ambiguous = len(matches) > 1 and matches[1].score >= ratio * matches[0].score
        self._note(
            "answer",
            f"no match below evidence {self.weights.min_evidence}; ambiguous when the"
            f" runner-up scores {ratio:.0%} of the best or more",
            matches=matches,
            evidence=evidence,
        )
        return Resolution(query=name, matches=tuple(matches), ambiguous=ambiguous)

    def _typo_search(
        self,
        text: str,
        hits: list[Hit],
        fuzzy: list[Hit],
        matches: list[Match],
        evidence: float,
        qualifiers: list[frozenset[str]],
        ranked: dict[str, Any],
        *,
        declined: bool = False,
    ) -> tuple[list[Match], float]:
        """The typo stage's matches (:meth:`Typos.search`), ranked with the query's
        ``hits``, when their evidence beats the current ``matches``'."""
        slips = self.typos.search(text, fuzzy, declined=declined)
        if slips:
            extra, extra_evidence = self.scorer.rank(
                [*hits, *slips],
                qualifiers=qualifiers,
                **ranked,
            )
            if extra_evidence > evidence:
                matches, evidence = extra, extra_evidence
        return matches, evidence

    def resolve_many(
        self,
        names: Iterable[str],
        *,
        limit: int = 5,
        country: str | Iterable[str] | None = None,
        within: str | None = None,
        near: str | tuple[float, float] | None = None,
        as_of: str | date | None = None,
        min_score: float = 0.0,
    ) -> Iterator[Resolution]:
        """Resolve a stream lazily, in input order; a bad line yields a ``Resolution`` with
        ``error`` set and the stream goes on. Memory stays constant however long the stream.

        Lines of a file can be passed as they are: a line end is stripped, and a blank
        line, or ``None`` (a missing value in a column), is a row without matches (its
        ``query`` is the text, ``""`` for ``None``), not an error. The options are
        checked once, before the first name: a bad ``country`` or ``within`` raises
        :class:`InvalidInputError` at the first ``next()``.

        Edits committed by another connection are looked for every
        :data:`FRESHNESS_INTERVAL` names (the check is a query of its own).

        Args:
            names: Any iterable of names (a list, a file's lines, a generator).
            limit: How many matches per name, at most.
            country: Only these countries (``"UA,RU"`` or a list of codes).
            within: Only inside this region (a name or a place id).
            near: Prefer places near ``"LAT,LON"`` or a ``(lat, lon)`` pair.
            as_of: Prefer names valid on this date.
            min_score: Drop matches scoring below this.

        Yields:
            One :class:`Resolution` per name, in order.

        Raises:
            InvalidInputError: A bad country, ``within``, ``near`` or ``as_of``, raised
                once at the first ``next()``, before any name (see :meth:`check_options`).
        """
        options = Options.of(limit, country, within, near, as_of, min_score)
        with self.lock:
            self._check_options(options)
        for number, name in enumerate(names):
            if name is None:
                yield Resolution(query="", matches=(), ambiguous=False)
                continue
            if isinstance(name, str):
                name = name.rstrip("\r\n")
                if _blank(name):
                    yield Resolution(query=name, matches=(), ambiguous=False)
                    continue
            try:
                with self.lock:
                    if number % FRESHNESS_INTERVAL == 0:
                        self.refresh()
                    result = self._answer(name, options)
                yield result
            except InvalidInputError as error:
                if isinstance(error, (InvalidCoordinatesError, InvalidDateError)):
                    raise
                yield Resolution(
                    query=name if isinstance(name, str) else repr(name),
                    matches=(),
                    ambiguous=False,
                    error=str(error),
                )

    def extract(
        self, text: str, *, lang: str | None = None, min_score: float = 0.5
    ) -> list[Mention]:
        """Every place mention in ``text``, resolved (see :mod:`toponyms.extract`).

        Args:
            text: The text, up to :data:`toponyms.extract.MAX_TEXT_CHARS` characters.
            lang: Its language (``en``, ``uk``, ``ru``, ``pl``, ``de``, ``fr``, ``es``,
                ``it``); ``None`` guesses it.
            min_score: Drop mentions whose match scores below this (0..1).

        Returns:
            A list of :class:`~toponyms.models.Mention` in text order: the span
            (``start``, ``end``, ``text``) and the :class:`~toponyms.models.Match`.

        Raises:
            InvalidInputError: The text is not a string or too long.
        """
        from toponyms.extract import extract

        return extract(self, text, lang=lang, min_score=min_score)

    def extract_many(
        self,
        docs: Iterable[Document],
        *,
        lang: str | None = None,
        min_score: float = 0.5,
    ) -> Iterator[tuple[Any, list[Mention] | InvalidInputError]]:
        """Documents → ``(id, mentions)`` lazily, in order; a document whose text cannot
        be read yields its :class:`InvalidInputError` and the stream goes on.

        Args:
            docs: ``{"id": ..., "text": ...}`` dicts (any mapping; other keys are
                ignored), or ``(id, text)`` pairs.
            lang: The documents' language; ``None`` detects it sentence by sentence.
            min_score: Drop mentions whose match scores below this.

        Yields:
            ``(id, mentions)``, or ``(id, error)`` for a document that cannot be read.

        Raises:
            InvalidInputError: When the stream reaches an item that is no document (not
                a mapping or a pair, no ``"id"`` or ``"text"``, a text that is not a
                ``str``); the message names the item by its index.
        """
        from toponyms.extract import extract_many

        return extract_many(self, docs, lang=lang, min_score=min_score)


def _reopen(db: str | None, weights: Weights | None) -> Resolver:
    """A pickled resolver, opened again (see :meth:`Resolver.__reduce__`)."""
    return Resolver(db=db, weights=weights)


def _blank(text: str) -> bool:
    """Whether a line holds nothing but white space and invisible characters."""
    return not text.strip().strip("\u200b\u200c\u200d\u2060\ufeff")
