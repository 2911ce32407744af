"""Qualifier resolution: the regions a qualifier, a ``within`` option or a region glued to
a name may mean, as sets of place ids.

A qualifier is read as a region (oblast, raion, hromada; a city stands for itself and its
oblast), as a neighbourhood (*near Bakhmut*: the settlements around it), or as a raion
abolished in 2020, named after its centre (the settlements around that centre). Scoring
then counts, per candidate place, how many of a query's qualifiers it lies in.
"""

from __future__ import annotations

import math

from toponyms.errors import InvalidInputError
from toponyms.match.candidates import Candidates
from toponyms.match.lookup import Lookup
from toponyms.match.query import near_place, old_raion_centre_stems, strip_type_prefix, type_words
from toponyms.match.scoring import importance
from toponyms.match.values import (
    CENTRE_KINDS,
    FUZZY_COUNTRIES,
    OTHER_SPELLINGS,
    PLACE_ID_PREFIXES,
    REGION_KINDS,
    exact_key,
)
from toponyms.match.weights import Weights
from toponyms.text.normalize import clean

OLD_RAION_RADIUS_KM = 35.0  # how far an old raion reached from its centre, about


# The side of a cell of the grid :meth:`Qualifiers.around` files settlements in, in degrees
# (wider than the radius, so that a neighbourhood spans a few cells).
GRID_DEGREES = 0.5


class Qualifiers:
    """The places a qualifier may mean (see the module docstring)."""

    def __init__(self, lookup: Lookup, candidates: Candidates, weights: Weights) -> None:
        self.lookup = lookup
        self.candidates = candidates
        self.weights = weights
        self._nearby: dict[str, frozenset[str]] = {}
        self._grid: dict[tuple[int, int], list[tuple[str, float, float]]] | None = None

    def region_ids(self, text: str) -> frozenset[str]:
        """The places a qualifier may mean (regions first; a city stands for its region;
        a neighbourhood, *near Bakhmut*, the settlements around the place)."""
        centre = near_place(text)
        if centre is not None:
            around = self.near_ids(centre)
            if around:
                return around
        cleaned = strip_type_prefix(text.removeprefix("the ").removeprefix("The "))
        hits = self.candidates.hits_for(cleaned)
        if not hits:
            hits = self.candidates.variant_hits(cleaned)
        if hits and all(h.rule in OTHER_SPELLINGS for h in hits):
            # Only another spelling meets a region (Мар'їнський район ~ Russia's Мариинский
            # район): a pre-2020 raion read by its centre's name is the closer reading.
            old = self.old_raion_ids(text)
            if old:
                return old
        ids: set[str] = set()
        for hit in hits:
            place = self.lookup.place(hit.place_id)
            if place.kind in REGION_KINDS:
                ids.add(place.id)
            elif place.kind == "city":
                ids.add(place.id)
                if place.admin1_id:
                    ids.add(place.admin1_id)
        return frozenset(ids) or self.old_raion_ids(text) or self.region_head_ids(text)

    def region_head_ids(self, text: str) -> frozenset[str]:
        """A qualifier that no name spells as written, less its region words: *Kherson Obl.*
        and *Kharkiv reg.* are read as *Kherson* and *Kharkiv* (the city stands for its
        oblast; see :meth:`_region_ids`)."""
        words = text.split(" ")
        while len(words) > 1 and is_region_word(words[-1]):
            words.pop()
        head = " ".join(words)
        if head == text or not head:
            return frozenset()
        return self.region_ids(head)

    def near_ids(self, name: str) -> frozenset[str]:
        """The settlements within :data:`OLD_RAION_RADIUS_KM` of the Ukrainian or Russian
        town or village ``name`` (as written, or a case form: *під Бахмутом*), the most
        important of its namesakes (those within a third of the largest's prior)."""
        hits = self.candidates.hits_for(name) or self.candidates.variant_hits(name)
        places = {
            h.place_id
            for h in hits
            if self.lookup.country(h.place_id) in FUZZY_COUNTRIES
            and self.lookup.facts(h.place_id).kind not in REGION_KINDS
        }
        ids: set[str] = set()
        for place_id in self.largest(places):
            ids |= self.around(place_id)
        return frozenset(ids)

    def largest(self, places: set[str]) -> set[str]:
        """The places of ``places`` within a third of the largest one's prior: the one a
        name means, with its namesakes of like size (which all count)."""
        weight = {
            place_id: importance(self.weights, f.population, f.kind, f.katottg, f.geonames_id)
            for place_id, f in ((place_id, self.lookup.facts(place_id)) for place_id in places)
        }
        top = max(weight.values(), default=0.0)
        return {place_id for place_id, w in weight.items() if w >= top / 3}

    def old_raion_ids(self, text: str) -> frozenset[str]:
        """A raion no longer in the codifier, named after its centre as the 490 raions
        before 2020 were (*Мар'їнський район*, *Yasynuvata district*): the places within
        :data:`OLD_RAION_RADIUS_KM` of that centre. Their villages now lie in several new
        raions, so the new raion of the centre would miss many (Очеретине, once in the
        Yasynuvata raion, is now in the Pokrovsk one)."""
        ids: set[str] = set()
        for stem in old_raion_centre_stems(text):
            for centre in self.centres(stem):
                ids |= self.around(centre)
        return frozenset(ids)

    def centres(self, stem: str) -> set[str]:
        """The Ukrainian towns a raion named by ``stem`` had as its centre: their name is
        ``stem`` or starts with it and has at most a few letters more (the adjective's
        stem: Мар'їн → Мар'їнка)."""
        try:
            key = exact_key(stem)
        except InvalidInputError:
            return set()
        snapshot = self.lookup.hits_snapshot()
        if snapshot is not None:
            keys = [k[1:] for k in snapshot.keys("x" + key)]
        else:
            keys = [
                row[0]
                for row in self.lookup.conn.execute(
                    "SELECT DISTINCT key FROM name_keys WHERE kind = 'x' AND key >= ? AND key < ?",
                    (key, key + "\U0010ffff"),
                )
            ]
        pairs = [(k, "x") for k in keys if len(k) - len(key) <= 4]
        towns = {
            hit.place_id
            for hits in self.lookup.key_hits(pairs)
            for hit in hits
            if self.lookup.facts(hit.place_id).kind in CENTRE_KINDS
            and self.lookup.country(hit.place_id) == "UA"
        }
        # A raion was named after the largest town of that stem (Мар'їн: Мар'їнка, a town,
        # not Мар'їне, a settlement elsewhere); namesakes of like size all count.
        return self.largest(towns)

    def around(self, centre: str) -> frozenset[str]:
        """The settlements within :data:`OLD_RAION_RADIUS_KM` of a place (memoised)."""
        cached = self._nearby.get(centre)
        if cached is not None:
            return cached
        if not self.lookup.preloaded:
            self.lookup.preload()
        facts = self.lookup.facts(centre)
        found = {centre}
        if facts.lat is not None and facts.lon is not None:
            scale = math.cos(math.radians(facts.lat))
            limit = (OLD_RAION_RADIUS_KM / 111.2) ** 2
            # A place within the radius lies within the box of half-sides reach and
            # reach / scale (degrees) around the centre: only the cells that box touches
            # (and one more on each side, against rounding) are read.
            reach = math.sqrt(limit)
            grid = self._settlement_grid()
            rows = range(
                math.floor((facts.lat - reach) / GRID_DEGREES) - 1,
                math.floor((facts.lat + reach) / GRID_DEGREES) + 2,
            )
            columns = range(
                math.floor((facts.lon - reach / scale) / GRID_DEGREES) - 1,
                math.floor((facts.lon + reach / scale) / GRID_DEGREES) + 2,
            )
            found.update(
                place_id
                for cell in ((row, column) for row in rows for column in columns)
                for place_id, lat, lon in grid.get(cell, ())
                if (lat - facts.lat) ** 2 + ((lon - facts.lon) * scale) ** 2 <= limit
            )
        result = frozenset(found)
        self._nearby[centre] = result
        return result

    def _settlement_grid(self) -> dict[tuple[int, int], list[tuple[str, float, float]]]:
        """The Ukrainian places with coordinates that are no units (a unit's centroid
        would let in all of it), by cell of :data:`GRID_DEGREES` (made once, from the
        preloaded rows: one pass, which :meth:`around` no longer makes per centre)."""
        if self._grid is None:
            grid: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
            for place_id, row in self.lookup.rows.items():
                lat, lon = row[8], row[9]
                if (
                    row[2] == "UA"
                    and row[1] not in REGION_KINDS
                    and lat is not None
                    and lon is not None
                ):
                    cell = (math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES))
                    grid.setdefault(cell, []).append((place_id, lat, lon))
            self._grid = grid
        return self._grid

    def region_tail(self, words: list[str]) -> tuple[str, list[frozenset[str]]] | None:
        """Regions glued to the end of a name: ``Миколаївка Донецької області``; also a
        raion and its oblast (``Новомихайловка Покровского района Донецкой области``): the
        name and the places each region may mean, innermost last.

        The last tail must hold a region word (область, обл., oblast, raion …) or be, by
        itself, the name of an oblast or raion; a city at the end is not taken as a
        qualifier, or *Нової Каховки* would read as a Нова near Kakhovka. A tail before it
        must hold a region word.
        """
        found = self.one_region_tail(words, need_word=False)
        if found is None:
            return None
        base, region = found
        regions = [region]
        while " " in base:
            inner = self.one_region_tail(base.split(" "), need_word=True)
            if inner is None:
                break
            base, region = inner
            regions.append(region)
        return base, regions

    def one_region_tail(
        self, words: list[str], *, need_word: bool
    ) -> tuple[str, frozenset[str]] | None:
        """The last region glued to ``words`` (see :meth:`_region_tail`): the words before
        it and the places it may mean. ``need_word``: only a tail with a region word."""
        for cut in range(len(words) - 1, 0, -1):
            tail_words = words[cut:]
            has_region_word = any(is_region_word(w) for w in tail_words)
            if not has_region_word and (len(tail_words) > 1 or need_word):
                continue  # such a tail would not be taken: spare its look-ups
            if all(is_region_word(w) for w in tail_words):
                continue  # region words alone name no region (Kremennaya Luhansk | region)
            tail = strip_type_prefix(" ".join(tail_words))
            # A bare word is taken as a region only by its own spelling or case form
            # (Донеччини), not by a transliteration guess (a costly one, for any word).
            hits = self.candidates.hits_for(tail) or self.candidates.variant_hits(
                tail, transliterate=has_region_word
            )
            allowed = {"oblast", "raion", "hromada"} | ({"city"} if has_region_word else set())
            regions = frozenset(
                h.place_id for h in hits if self.lookup.place(h.place_id).kind in allowed
            )
            if regions and (has_region_word or len(tail_words) == 1):
                return " ".join(words[:cut]), regions
        return None

    def within(self, within: str | None) -> frozenset[str] | None:
        if within is None:
            return None
        if within.startswith(PLACE_ID_PREFIXES):
            return frozenset({self.lookup.place(within).id})
        ids = self.region_ids(clean(within))
        if not ids:
            raise InvalidInputError(f"--within: no region called {within!r}")
        return ids


def is_region_word(word: str) -> bool:
    """Whether a word of a qualifier is a region or raion word or its abbreviation
    (області, обл., oblast, Obl., р-н), a comma after it aside."""
    _, region_words = type_words()
    folded = word.casefold()
    return folded.rstrip(",") in region_words or folded.strip(".,") in region_words
