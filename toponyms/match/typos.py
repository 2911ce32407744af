"""Typo search: the names about one slip from a text that no key met well.

Retrieval is from the typo index, a deletion neighbourhood of every name's invariant and
exact keys (``fuzzy`` snapshot, :mod:`toponyms.index`), with a second deletion on the
query's side; scoring is the edit distance to the name as written. A slip in a declined
name (*під Бахмутлм*) is looked for among the case forms of the names near the text's
stems. The stage returns hits (rule ``fuzzy``, with their similarity); ranking them is
the scorer's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import OSA

from toponyms import index
from toponyms.errors import InvalidInputError
from toponyms.match.candidates import lemma_forms
from toponyms.match.lookup import Facts, Lookup, strongest_first
from toponyms.match.values import (
    FUZZY_COUNTRIES,
    STRONG_TYPES,
    Hit,
    exact_key,
    invariant_key,
    script_of,
)
from toponyms.models import Place

MAX_FUZZY_CANDIDATES = 5000


# A typo found in a case form of a name (an edit and an ending) is a little weaker evidence
# than one in the name itself.
CASE_TYPO_WEIGHT = 0.97


SHORT_CASE_FORM = 7  # letters


# Edits between a word's case form and its nominative, at most (Київ, Києві; Малий, Малому).
CASE_FORM_EDITS = 3


# A case form the text may be in though the declension rules give another ending for the
# name (Фряновым, Фряновом): the stems are compared, and the swap of one valid ending for
# another counts this many edits. Stems shorter than SHORT_STEM letters are not compared.
ENDING_SWAP_COST = 0.5


SHORT_STEM = 4


SLIP_SIMILARITY = 0.968


# A slip that is the text's only reading (see Resolver._sole_slip): the similarity whose
# evidence clears min_evidence (weights.json) for any of a place's own names
# (0.93 × 0.681 × 0.98 ≈ 0.621).
SOLE_SLIP_SIMILARITY = 0.681


SOLE_SLIP_MIN_LENGTH = 5  # letters of the text


class Typos:
    """Names about one typo from a text (see the module docstring)."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        #: :meth:`fuzzy_hits`, memoised for one query (its steps ask again).
        self.fuzzy = lru_cache(maxsize=10_000)(self.fuzzy_hits)

    def fuzzy_hits(self, text: str) -> list[Hit]:
        """Names about one typo away.

        Retrieval is broad: invariant keys within two deletions of the query's (the index
        holds one-deletion neighbourhoods, the query side adds a second), because one typo
        in the written text can be two in the key (*Bakpmut*: kh broken up). Scoring is
        strict: the edit distance between the query and the name *as written* (when both
        are in one script), so that a slip of one letter counts as one.
        """
        script = script_of(text)
        if script not in ("Latn", "Cyrl", "mixed"):
            return []
        key = invariant_key(text)
        written = exact_key(text)
        if len(key) < index.FUZZY_MIN_LENGTH and len(written) < index.FUZZY_MIN_LENGTH:
            return []  # the key may be shorter than the text (Khuts: huz), the written form counts
        loose = two_deletions(key)
        strict = index.deletions(written) if len(written) >= index.FUZZY_MIN_LENGTH else set()
        limit = 1 if len(written) < 9 else 2
        short = len(written) < 6
        seen: set[tuple[str, str]] = set()
        # Namesakes share their names: each name's similarity is worked out once.
        similarities: dict[tuple[str, str], float | None] = {}
        hits: list[Hit] = []
        fallbacks: list[Hit] = []
        for world in (False, True):
            if world and (hits or short):
                break  # the largest cities' other names count only when nothing else is near
            near = [
                (candidate, kind)
                for candidate, kind in self.fuzzy_candidates(loose, strict, world=world)
                if (
                    kind == "i"
                    and candidate != key
                    and OSA.distance(key, candidate, score_cutoff=2) <= 2
                )
                or (
                    kind == "x"
                    and candidate != written
                    and OSA.distance(written, candidate, score_cutoff=limit) <= limit
                )
            ]
            for (candidate, _), names in zip(near, self.lookup.near_names(near), strict=True):
                for place_id, name, lang, type_, valid_from, valid_to in names:
                    if (place_id, name) in seen:
                        continue
                    seen.add((place_id, name))
                    fallback = False
                    if (short or type_ not in STRONG_TYPES) and self.lookup.country(
                        place_id
                    ) not in FUZZY_COUNTRIES:
                        # Abroad, a typo counts only against official names and exonyms; and,
                        # when no name at all is near, against the other names of the largest
                        # cities (GeoNames keeps their exonyms as plain alternate names:
                        # Varsovia, Warschau), which must not outvote a smaller place's own
                        # name (Cordovga is Cordova's typo, not Córdoba's).
                        if short or not world_famous(self.lookup.facts(place_id)):
                            continue
                        fallback = True
                    pair = (name, candidate)
                    if pair not in similarities:
                        similarities[pair] = _typo_similarity(
                            written, key, script, name, candidate, limit
                        )
                    similarity = similarities[pair]
                    if similarity is None:
                        continue
                    (fallbacks if fallback else hits).append(
                        Hit(
                            place_id,
                            name,
                            lang,
                            type_,
                            valid_from or None,
                            valid_to or None,
                            "fuzzy",
                            similarity,
                        )
                    )
        return hits or fallbacks

    def search(self, text: str, fuzzy: list[Hit], *, declined: bool = False) -> list[Hit]:
        """The typo stage's hits for ``text``: ``fuzzy`` (the plain search's, see
        :meth:`fuzzy_hits`) and, when no name lies one edit from the text as written,
        slips in a case form (:meth:`case_form_typos`; for Polish text, the plain search
        of its nominative guesses), a sole slip raised to count (:meth:`sole_slip`).

        ``declined``: the text follows a preposition, so it is most likely a case form: a
        slip in one is looked for even when a name lies one edit away, and the two
        readings compete (*з Грбеінки* is one slip from the village Гребінки and from
        Гребінки, the genitive of the town Гребінка)."""
        if declined or not self.one_edit(text, fuzzy):
            # No name lies one slip from the text as written: it may be a case form
            # with a slip in it (Маріупюлі), Cyrillic, or Polish (z Pokrowskma),
            # whose nominative guesses' neighbours are looked for.
            inflected = self.case_form_typos(text)
            for form in [] if inflected else lemma_forms(text)[:2]:
                inflected = [
                    h._replace(similarity=h.similarity * CASE_TYPO_WEIGHT) for h in self.fuzzy(form)
                ]
                if inflected:
                    break
            fuzzy = [*fuzzy, *inflected]
        return self.sole_slip(text, fuzzy)

    def fuzzy_candidates(
        self, loose: set[str], strict: set[str], *, world: bool = False
    ) -> list[tuple[str, str]]:
        """Keys whose deletion neighbourhood meets ``loose`` (invariant keys) or ``strict``
        (exact keys): ``(key, kind)`` pairs, sorted, at most :data:`MAX_FUZZY_CANDIDATES`.
        ``world``: the invariant keys of the largest world cities' other names instead.

        The typo index's snapshot answers, with the table's rows beside it when it has
        any (the keys of names added since the snapshot); a file without a snapshot is
        answered by the table alone."""
        snapshot = self.lookup.fuzzy_snapshot()
        found: set[tuple[str, str]] = set()
        if snapshot is not None:
            kinds = (("w", loose),) if world else (("i", loose), ("x", strict))
            # Each kind's keys are a set, and the kinds' pairs differ in their second
            # field: a list holds no pair twice, and costs no hashing of pairs.
            pairs: list[tuple[str, str]] = []
            for kind, dels in kinds:
                keys, _ = index.fuzzy_candidates(snapshot, kind, dels)
                tag = "i" if kind == "w" else kind
                pairs.extend([(key, tag) for key in keys])
            if not self.lookup.fuzzy_table_rows():
                pairs.sort()
                return pairs[:MAX_FUZZY_CANDIDATES]
            found.update(pairs)
        # The table: the whole neighbourhood in a file without a snapshot, else the keys
        # of names added since the snapshot was written.
        if world:
            rows = self.lookup.conn.execute(
                "SELECT key FROM fuzzy_keys WHERE kind = 'w' AND del IN ({}) LIMIT {}".format(
                    ",".join("?" * len(loose)), MAX_FUZZY_CANDIDATES
                ),
                sorted(loose),
            ).fetchall()
            found.update((row[0], "i") for row in rows)
            return sorted(found)[:MAX_FUZZY_CANDIDATES]
        # An empty IN list would make SQLite scan the table: only the kinds asked for.
        wanted = [(kind, sorted(dels)) for kind, dels in (("i", loose), ("x", strict)) if dels]
        if wanted:
            rows = self.lookup.conn.execute(
                "SELECT key, kind FROM fuzzy_keys WHERE {} LIMIT {}".format(
                    " OR ".join(
                        f"(kind = '{kind}' AND del IN ({','.join('?' * len(dels))}))"
                        for kind, dels in wanted
                    ),
                    MAX_FUZZY_CANDIDATES,
                ),
                [d for _, dels in wanted for d in dels],
            ).fetchall()
            found.update(rows)
        return sorted(found)[:MAX_FUZZY_CANDIDATES]

    def case_form_typos(self, text: str) -> list[Hit]:
        """Names one typo away from the text read as one of their case forms.

        A slip in a declined name (*Маріупюлі*, *у Києвкі*, *під Покровпком*) is one edit
        from a case form of the name but two or more from its nominative, which is all the
        plain typo search compares with. Candidates are retrieved as there, from the text
        and from its stems (the text less a possible case ending) and nominative guesses
        (:func:`lemma_forms`), so that a short name whose ending changed is still met;
        each Cyrillic name of a Ukrainian or Russian place among them is then declined
        (:func:`case_forms`), and the text's distance is to the nearest form.
        """
        if script_of(text) != "Cyrl":
            return []
        written = exact_key(text)
        if len(written) < index.FUZZY_MIN_LENGTH:
            return []
        probes = {written, *_stems(written), *(exact_key(f) for f in lemma_forms(text))}
        adjective_probes: set[str] = set()
        first, _, rest = written.partition(" ")
        if rest:
            # The first word's ending lies in the indexed prefix too (Жовтими Водами).
            # The slip may touch that ending: any one to three last letters are cut.
            probes.update(f"{first[:-k]} {rest}" for k in (1, 2, 3) if len(first) - k >= 3)
            # Or the slip lies before it, in a declined adjective (Гусиого Озера, Дудовом
            # Умёте): the prefix then differs from the name's in the slip and the ending,
            # more than its deletions bridge, and a slip hides the word from the nominative
            # guesses. Every nominative ending an adjective's case ending may stand for
            # is tried on the first word (Гусиое Озера meets Гусиное Озеро).
            # (Asked only when the other probes meet nothing: see collect below.)
            adjective_probes = {f"{word} {rest}" for word in _adjective_nominatives(first)}
            adjective_probes -= probes
        limit = 1 if len(written) < 9 else 2
        own_stems = [s for s in _stems(written) if len(s) >= SHORT_STEM]
        key = invariant_key(text)
        seen: set[tuple[str, str]] = set()
        hits: list[Hit] = []
        fallbacks: list[Hit] = []

        def collect(candidates: list[tuple[str, str]]) -> None:
            # A case form differs from its nominative in the last letters (and, for a
            # few names, one vowel before them: Київ, Києві), of every word that declines
            # (Малий Затишок, Малому Затишкові: five edits): a cheap bound first.
            near = []
            for candidate, kind in candidates:
                bound = limit + CASE_FORM_EDITS * (candidate.count(" ") + 1)
                if (
                    OSA.distance(written if kind == "x" else key, candidate, score_cutoff=bound)
                    <= bound
                ):
                    near.append((candidate, kind))
            found = dict(zip(near, self.lookup.key_hits(near), strict=True))
            for candidate, kind in near:
                for hit in strongest_first(found[candidate, kind]):
                    if (hit.place_id, hit.name) in seen or script_of(hit.name) != "Cyrl":
                        continue
                    seen.add((hit.place_id, hit.name))
                    place = self.lookup.facts(hit.place_id)
                    abroad = place.country not in FUZZY_COUNTRIES
                    if abroad and not world_famous(place):
                        continue  # abroad, only the largest cities' names (в Стамбуле)
                    forms = case_forms(hit.name, hit.lang)
                    distance = _case_distance(written, own_stems, hit.name, hit.lang, limit)
                    if distance == 0 or distance > limit:
                        continue  # an exact case form is the inflection rule's, not a typo
                    length = max(len(written), min(len(f) for f in forms))
                    similarity = _slip_similarity(distance, length) * CASE_TYPO_WEIGHT
                    (fallbacks if abroad else hits).append(
                        hit._replace(rule="fuzzy", similarity=similarity)
                    )

        loose, strict = _probe_deletions(probes)
        collect(self.fuzzy_candidates(loose, strict))
        if not hits and adjective_probes:
            collect(self.fuzzy_candidates(*_probe_deletions(adjective_probes)))
        if not hits:
            # The largest world cities' other names, when nothing else is near.
            collect(self.fuzzy_candidates(loose, set(), world=True))
        return hits or fallbacks

    @staticmethod
    def one_edit(text: str, hits: list[Hit]) -> bool:
        """Whether one of the typo search's hits is a same-script name one edit from the text."""
        script = script_of(text)
        written = exact_key(text)
        return any(
            script_of(h.name) == script
            and OSA.distance(written, exact_key(h.name), score_cutoff=1) <= 1
            for h in hits
        )

    def close_typo(self, text: str) -> bool:
        """Whether a place's own name (official, romanised or exonym: not one of GeoNames'
        stray alternate spellings) in the text's script lies one edit from the text
        (memoised per text). Kleshcheyevka is one edit from an alternate spelling of
        another village (Pleshcheyevka), and yet the Russian romanisation of Кліщіївка."""
        return any(
            h.similarity >= 0.8 and h.type in STRONG_TYPES and script_of(h.name) == script_of(text)
            for h in self.fuzzy(text)
        )

    def home_slips(self, text: str, hits: list[Hit]) -> list[Hit]:
        """The typo search's hits that are one slip from the text as written, in its script,
        on a Ukrainian or Russian place's own name (official, romanised or exonym), with
        their similarity raised to :data:`SLIP_SIMILARITY` to compete with a guessed
        spelling's hit (see :data:`GUESS_RULES`). A slip in one of the name's case forms
        (*под Зёрском*: Озёрском) counts too, a little weaker (:data:`CASE_TYPO_WEIGHT`)."""
        script = script_of(text)
        written = exact_key(text)
        slips = []
        for h in hits:
            if (
                h.type not in STRONG_TYPES
                or self.lookup.country(h.place_id) not in FUZZY_COUNTRIES
                or not self.one_slip(written, script, h)
            ):
                continue
            plain = OSA.distance(written, exact_key(h.name), score_cutoff=1) <= 1
            floor = SLIP_SIMILARITY if plain else SLIP_SIMILARITY * CASE_TYPO_WEIGHT
            slips.append(h._replace(similarity=max(h.similarity, floor)))
        return slips

    def sole_slip(self, text: str, hits: list[Hit]) -> list[Hit]:
        """``hits`` with a sole slip's similarity raised to :data:`SOLE_SLIP_SIMILARITY`.

        One edit in a name of five letters leaves a similarity (0.68) whose evidence is
        about the cut-off, below it for an exonym (Мьвов: Львов). When every name one edit
        from the text (as written, or from one of the name's case forms) is one place's,
        and one of them is that Ukrainian or Russian place's own name in the text's
        script, the slip is the reading: it clears the cut-off (barely, so any better
        evidence still wins). Two places one edit away (Ацрыз: Агрыз, Арцыз) stay a guess
        that the cut-off may refuse.
        """
        script = script_of(text)
        written = exact_key(text)
        if len(written) < SOLE_SLIP_MIN_LENGTH:
            return hits  # one edit in four letters is a different word as often as a slip
        near = [h for h in hits if self.one_slip(written, script, h)]
        if not near or len({h.place_id for h in near}) > 1:
            return hits
        if (
            not any(h.type in STRONG_TYPES and script_of(h.name) == script for h in near)
            or self.lookup.country(near[0].place_id) not in FUZZY_COUNTRIES
        ):
            return hits
        return [
            h._replace(similarity=max(h.similarity, SOLE_SLIP_SIMILARITY))
            if h in near and h.type in STRONG_TYPES and script_of(h.name) == script
            else h
            for h in hits
        ]

    @staticmethod
    def one_slip(written: str, script: str, hit: Hit) -> bool:
        """Whether a typo hit's name, or one of its case forms, is one edit from the text
        (``written``: its exact key; ``script``: its script)."""
        if script_of(hit.name) != script:
            return False
        if OSA.distance(written, exact_key(hit.name), score_cutoff=1) <= 1:
            return True
        return script == "Cyrl" and any(
            OSA.distance(written, f, score_cutoff=1) <= 1 for f in case_forms(hit.name, hit.lang)
        )


def _typo_similarity(
    written: str, key: str, script: str, name: str, candidate: str, limit: int
) -> float | None:
    """How close a query (``written``: its exact key; ``key``: its invariant key) is to a
    name met under the invariant or exact key ``candidate``; None beyond ``limit`` edits.

    The edit distance is counted on the text as written when both are in one script.
    Across scripts the evidence is weaker (the key folds much away): an edit there counts
    a quarter more, so short names need the same script. One edit in a short name says
    less than one edit in a long one.
    """
    distance: float
    if script_of(name) == script:
        folded = exact_key(name)
        distance = OSA.distance(written, folded, score_cutoff=limit + 1)
        length = max(len(written), len(folded))
    else:
        distance = OSA.distance(key, candidate, score_cutoff=limit + 1) * 1.25
        length = max(len(key), len(candidate))
    if distance > limit:
        return None
    return _slip_similarity(distance, length)


def _slip_similarity(distance: float, length: int) -> float:
    """The similarity of a text ``distance`` edits from a name of ``length`` letters: one
    edit in a short name says less than one edit in a long one."""
    return max(1.0 - distance / length * 1.6, 0.0)


@lru_cache(maxsize=1)
def _case_endings() -> frozenset[str]:
    """The oblique endings of one to three letters in the declension table of
    :mod:`toponyms.text.morph` (``text/data/endings.tsv``)."""
    from toponyms.text import morph

    return frozenset(r.oblique for r in morph.load_rules() if 0 < len(r.oblique) <= 3)


def _probe_deletions(probes: Iterable[str]) -> tuple[set[str], set[str]]:
    """The case-form typo search's deletions of its probes (exact keys): of their invariant
    keys, and of the probes as written (see :meth:`Resolver._fuzzy_candidates`)."""
    loose: set[str] = set()
    strict: set[str] = set()
    for probe in probes:
        loose |= two_deletions(invariant_key(probe))
        # A short name's slip and ending can both fall in the indexed prefix (у Києвкі):
        # its written form gets a second deletion too.
        strict |= two_deletions(probe) if len(probe) <= SHORT_CASE_FORM else index.deletions(probe)
    return loose, strict


@lru_cache(maxsize=1)
def _adjective_endings() -> dict[str, frozenset[str]]:
    """Oblique adjective endings of the declension table (``text/data/endings.tsv``), each
    with the nominative endings it may stand for, in either language (ого: ий, ый, ое, е …)."""
    from toponyms.text import morph

    endings: dict[str, set[str]] = {}
    for rule in morph.load_rules():
        if rule.pos == "a" and rule.oblique:
            endings.setdefault(rule.oblique, set()).add(rule.nominative)
    return {oblique: frozenset(nominatives) for oblique, nominatives in endings.items()}


def _adjective_nominatives(word: str) -> set[str]:
    """``word`` (an exact key) with a final adjective case ending swapped for each nominative
    ending it may stand for, whatever the stem (a slip may have changed its last letter);
    at least three letters of stem are kept."""
    forms: set[str] = set()
    for oblique, nominatives in _adjective_endings().items():
        stem = word[: -len(oblique)]
        if word.endswith(oblique) and len(stem) >= 3:
            forms.update(stem + nominative for nominative in nominatives)
    forms.discard(word)
    return forms


def _stems(written: str) -> list[str]:
    """The text less a final case ending of one to three letters (at least three left)."""
    endings = _case_endings()
    return [written[:-k] for k in (1, 2, 3) if len(written) - k >= 3 and written[-k:] in endings]


@lru_cache(maxsize=50_000)
def case_forms(name: str, lang: str) -> tuple[str, ...]:
    """Exact keys of a Cyrillic place name and its case forms (:func:`morph.inflections`),
    in its own language, or in both when the name's letters do not tell."""
    from toponyms.text import morph

    text = morph.normalize(name)
    if lang not in morph.LANGS:
        guessed = morph.guess_lang(text)
        langs: tuple[str, ...] = (guessed,) if guessed else morph.LANGS
    else:
        langs = (lang,)
    forms = {exact_key(name)}
    for one in langs:
        try:
            forms.update(exact_key(f) for f in morph.inflections(text, one))
        except InvalidInputError:
            continue
    return tuple(sorted(forms))


def _case_distance(written: str, stems: list[str], name: str, lang: str, limit: int) -> float:
    """Edits from the text (``written``: its exact key; ``stems``: it less a case ending)
    to the nearest case form of ``name``; more than ``limit`` when none is that near.

    The text's ending may be another valid one than the declension rules give the name
    (Фряновым, Фряновом): when no form is within one edit, the stems are compared too,
    and the swap of one ending for another costs :data:`ENDING_SWAP_COST`."""
    distance: float = min(
        OSA.distance(written, f, score_cutoff=limit + 1) for f in case_forms(name, lang)
    )
    form_stems = _form_stems(name, lang) if distance > 1 and stems else frozenset()
    if form_stems:
        swapped = min(OSA.distance(s, f, score_cutoff=limit) for s in stems for f in form_stems)
        distance = min(distance, ENDING_SWAP_COST + swapped)
    return distance


@lru_cache(maxsize=50_000)
def _form_stems(name: str, lang: str) -> frozenset[str]:
    """The stems of a name's case forms (:func:`case_forms` less a case ending)."""
    return frozenset(s for f in case_forms(name, lang) for s in _stems(f) if len(s) >= SHORT_STEM)


def world_famous(place: Place | Facts) -> bool:
    """A country or one of the largest cities, whose every name the typo index holds."""
    return place.kind == "country" or (place.population or 0) >= index.WORLD_FUZZY_POPULATION


def two_deletions(key: str) -> set[str]:
    """The prefix's one- and two-deletion neighbourhood (query side of the typo search):
    the prefix and every string made by deleting one or two of its letters, of at least
    ``FUZZY_MIN_LENGTH - 1`` letters (each made once, by the positions deleted, rather
    than as the deletions of each deletion)."""
    prefix = key[: index.PREFIX]
    size = len(prefix)
    shortest = index.FUZZY_MIN_LENGTH - 1
    result: set[str] = set()
    if size >= shortest:
        result.add(prefix)
    if size - 1 >= shortest:
        result.update(prefix[:i] + prefix[i + 1 :] for i in range(size))
    if size - 2 >= shortest:
        result.update(
            prefix[:i] + prefix[i + 1 : j] + prefix[j + 1 :]
            for i in range(size)
            for j in range(i + 1, size)
        )
    return result
