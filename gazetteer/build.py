"""Build the gazetteer database from the source extracts and the curated data.

The steps, in order (each a function below):

1. countries (GeoNames + ISO 3166-1 names in many languages);
2. first-level regions of Ukraine and Russia (GeoNames admin1 ↔ ISO 3166-2 ↔ KATOTTG);
3. every KATOTTG unit: raions, hromadas, cities, settlements, villages, city districts;
4. GeoNames populated places: Ukrainian ones linked to their KATOTTG settlement (one real
   place, one record), Russian and world ones added as places of their own;
5. coordinates (:mod:`gazetteer.coordinates`): links whose GeoNames point lies far from
   the settlement's hromada undone; postal points for the settlements GeoNames lacks, each
   checked against its old raion and its hromada's trusted points; the rest approximated
   from the hromada; GeoNames places inside a large city made its districts;
6. curated renamings, occupation and historical names, exonyms, region forms;
7. the matching index (:mod:`toponyms.index`), the FTS5 table and the R*Tree of points
   (filled by the triggers of :data:`gazetteer.schema.RTREE_DDL` as places are written).

Same inputs give the same content: rows are inserted in a fixed order, and
``meta.content_version`` is a hash of the content (not of the build date).
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz

from gazetteer import coordinates, curated, features, geo, russia, schema, ukraine
from gazetteer.russian import is_russian
from gazetteer.sources import geonames, iso3166, katottg, kladr, postal
from gazetteer.tsv import read_comments
from gazetteer.ukraine import CENTRE_PREFIX, common_prefix
from toponyms.errors import GazetteerError, InvalidInputError
from toponyms.text.keys import invariant_key
from toponyms.text.normalize import clean, script_of
from toponyms.text.normalize import fold as _strict_fold
from toponyms.text.translit import romanize

SOURCES_DIR = Path(__file__).parent / "data" / "sources"

KATOTTG_KINDS = {
    "O": "oblast",
    "K": "city",
    "P": "raion",
    "H": "hromada",
    "M": "city",
    "T": "urban_settlement",
    "X": "settlement",
    "C": "village",
    "B": "city_district",
}
SETTLEMENT_CATEGORIES = frozenset("KMTXC")
# How alike (0-100, on romanisation-invariant keys) a settlement's name and a GeoNames
# record's main name must be for the two to count as one name spelled two ways.
MAIN_NAME_SIMILARITY = 85.0


def _unshared_translations(rows: list[iso3166.IsoName]) -> list[iso3166.IsoName]:
    """pycountry's subdivision names, each translation kept for one subdivision only.

    A translation pycountry gives two subdivisions is a slip in one of them (its Ukrainian
    catalogue calls Krasnoyarsk Krai "Краснодарський край" too): it stays with the one
    whose code name it resembles most once romanised, and with neither on a tie.
    """
    from difflib import SequenceMatcher

    english = {r.code: r.name for r in rows if r.level == 2 and r.lang == "en"}
    codes_of: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in rows:
        if row.level == 2:
            codes_of[row.country, row.lang, fold(row.name)].append(row.code)

    def words(text: str) -> str:
        return " ".join(sorted(fold(text).replace(",", " ").split()))

    kept = []
    for row in rows:
        if row.level != 2:
            continue
        codes = codes_of[row.country, row.lang, fold(row.name)]
        if len(codes) > 1:
            latin = words(
                romanize(row.name, "kmu2010") if script_of(row.name) == "Cyrl" else row.name
            )
            likeness = {
                code: SequenceMatcher(None, latin, words(english.get(code, ""))).ratio()
                for code in codes
            }
            best = max(likeness.values())
            if likeness[row.code] < best or list(likeness.values()).count(best) > 1:
                continue
        kept.append(row)
    return kept


@cache
def fold(text: str) -> str:
    """The exact-match key, memoised for the build, and empty (not an error) for no text."""
    try:
        return _strict_fold(text)
    except InvalidInputError:
        return ""


@cache
def _invariant(text: str) -> str:
    try:
        return invariant_key(text)
    except InvalidInputError:
        return ""


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine); accurate enough for linking checks."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _fits_population(kind: str, population: int) -> bool:
    """Whether a settlement kind agrees with a GeoNames population (for telling namesakes apart)."""
    if population >= 10000:
        return kind == "city"
    if population >= 3000:
        return kind in ("city", "urban_settlement", "settlement")
    return kind in ("village", "settlement")


def _village_for_town(place: Place, city: geonames.City) -> bool:
    """Whether linking a GeoNames town to this KATOTTG village would be a namesake's mistake.

    GeoNames lists a renamed town's old names among its alternates (Chystyakove, once
    Torez, also carries Олексіївка), and a village bearing one of them may be the only
    settlement of that name in the oblast, or lie nearer than the town's centre point.
    A place of 10,000 people is a town unless the village bears the record's main name,
    however romanised (Sofiivska Borschahivka is a village of 25,000).
    """
    if place.kind != "village" or city.population < 10000:
        return False
    similarity = fuzz.ratio(_invariant(place.name_uk or ""), _invariant(city.name))
    return similarity < MAIN_NAME_SIMILARITY


# Letters no Russian word has: Serbian and Macedonian (Јејск), Belarusian ў and і.
NOT_RUSSIAN_LETTERS = frozenset("јћђљњџѓќѕўі")
STRESS_MARK = "\u0301"  # dictionary-style spellings among the alternates: Кури́льск


def _russian_name(city: geonames.City) -> str | None:
    """A Russian GeoNames place's Russian name: the Cyrillic alternate its main (romanised)
    name spells, not the first in alphabetical order.

    GeoNames gives no language for its alternates, and a Russian city's Cyrillic ones are
    also its names in Tatar, Chuvash or Belarusian and its Soviet names (Маскав, Куйбышев,
    Ставрополь for Tolyatti): taken as the official Russian name, an old name of one city
    would outrank another city that bears it today.
    """
    main = _invariant(city.name)
    cyrillic = sorted(
        n
        for n in city.names
        if script_of(n) == "Cyrl"
        and _lang_of(n) != "uk"
        and not _is_code(n)
        and not NOT_RUSSIAN_LETTERS.intersection(n.lower())
    )
    best = max(cyrillic, key=lambda n: fuzz.ratio(_invariant(n), main), default=None)
    return best.replace(STRESS_MARK, "") if best else None


def _is_code(name: str) -> bool:
    """GeoNames lists airport and station codes (IEV, KHE) among alternate names: not names."""
    return len(name) <= 4 and name.isascii() and name.isupper()


def _lang_of(name: str) -> str:
    """A language guess for a GeoNames alternate name, from its letters alone."""
    script = script_of(name)
    if script != "Cyrl":
        return "und"
    lowered = name.lower()
    if any(ch in lowered for ch in "іїєґ'ʼ"):
        return "uk"
    if any(ch in lowered for ch in "ыэъё"):
        return "ru"
    return "und"


@dataclass
class Place:
    """A place being assembled; written to ``places`` at the end."""

    id: str
    kind: str
    country: str
    name_uk: str | None = None
    name_ru: str | None = None
    name_en: str | None = None
    parent_id: str | None = None
    admin1_id: str | None = None
    raion_id: str | None = None
    hromada_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None
    population: int | None = None
    geonames_id: int | None = None
    katottg: str | None = None
    iso_code: str | None = None
    capital: str = ""  # countries: the capital's name, to take its point
    stem_en: str | None = None  # regions: the English stem of their names (Kherson)
    names: list[tuple[str, str, str, str | None, str | None, str]] = field(default_factory=list)

    def add_name(
        self,
        name: str,
        lang: str,
        type_: str,
        source: str,
        *,
        valid_from: str | None = None,
        valid_to: str | None = None,
    ) -> None:
        try:
            name = clean(name)
        except InvalidInputError:
            return  # a source's stray control or invisible characters: not a usable name
        self.names.append((name, lang, type_, valid_from or None, valid_to or None, source))

    @property
    def point(self) -> tuple[float, float] | None:
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


class Builder:
    """Assembles places from the sources; :func:`build` drives it and writes the file."""

    def __init__(self, sources_dir: Path, data_dir: Path, log: Callable[[str], None]) -> None:
        self.sources_dir = sources_dir
        self.data_dir = data_dir
        self.log = log
        self.places: dict[str, Place] = {}
        self.by_katottg: dict[str, Place] = {}
        self.admin1_by_geonames: dict[str, Place] = {}  # "UA.08" -> oblast place
        self.admin1_by_iso: dict[str, Place] = {}
        self.admin1_names: dict[str, str] = {}  # "UA.08" -> "Kherson Oblast"
        self.stats: dict[str, object] = {}
        self.renamed: dict[str, str] = {}
        self._postal_cache: dict[tuple[str, str], list[tuple[float, float]]] | None = None
        self.linked_count = 0
        self.kladr_rows: list[kladr.Row] = []  # set by russia.add_regions_and_districts
        self.kladr_regions: dict[str, Place] = {}  # KLADR region code -> region place

    # -- helpers -----------------------------------------------------------------------------
    def _add(self, place: Place) -> Place:
        if place.id in self.places:
            raise GazetteerError(f"duplicate place id {place.id}")
        self.places[place.id] = place
        if place.katottg:
            self.by_katottg[place.katottg] = place
        return place

    def _rekey(self, place: Place, new_id: str) -> None:
        """Give a place its canonical id; references to the old id are mapped at the end."""
        del self.places[place.id]
        self.renamed[place.id] = new_id
        place.id = new_id
        self.places[new_id] = place

    def remap_references(self) -> None:
        """Point parent and region references at ids changed by :meth:`_rekey`."""
        for place in self.places.values():
            for attr in ("parent_id", "admin1_id", "raion_id", "hromada_id"):
                value = getattr(place, attr)
                if value in self.renamed:
                    setattr(place, attr, self.renamed[value])

    # -- 1. countries --------------------------------------------------------------------------
    def countries(self) -> None:
        iso_names: dict[str, list[iso3166.IsoName]] = defaultdict(list)
        self.iso_rows = list(iso3166.read_names(self.sources_dir / "iso3166.tsv"))
        for row in self.iso_rows:
            iso_names[row.code].append(row)
        for country in geonames.read_countries(self.sources_dir / "geonames_countries.tsv"):
            place = self._add(
                Place(
                    id=f"geonames:{country.geonameid}",
                    kind="country",
                    country=country.iso,
                    name_en=country.name,
                    population=country.population or None,
                    geonames_id=country.geonameid,
                    iso_code=country.iso,
                )
            )
            place.add_name(country.name, "en", "official", "GeoNames")
            for row in iso_names.get(country.iso, []):
                place.add_name(row.name, row.lang, "official", "ISO 3166-1 (pycountry)")
                if row.lang == "uk" and place.name_uk is None:
                    place.name_uk = row.name
                if row.lang == "ru" and place.name_ru is None:
                    place.name_ru = row.name
            place.capital = country.capital

    # -- 2. first-level regions -----------------------------------------------------------------
    def regions(self) -> None:
        admin1 = {
            a.code: a for a in geonames.parse_admin1_codes(self.sources_dir / "geonames_admin1.tsv")
        }
        self.admin1_names = {code: a.name for code, a in admin1.items()}
        iso_by_code: dict[str, list[iso3166.IsoName]] = defaultdict(list)
        for row in _unshared_translations(self.iso_rows):
            iso_by_code[row.code].append(row)
        units = list(katottg.read_units(self.sources_dir / "katottg.tsv"))
        self.units = units
        unit_by_code = {u.code: u for u in units}
        self.region_links = list(curated.read_admin1_links(self.data_dir))
        for link in self.region_links:
            code = f"{link.country}.{link.geonames_admin1}"
            if code not in admin1:
                raise GazetteerError(f"admin1_crosswalk: {code} is not a GeoNames admin1 code")
            a1 = admin1[code]
            unit = unit_by_code.get(link.katottg) if link.katottg else None
            kind = "city" if unit is not None and unit.category == "K" else "oblast"
            place = self._add(
                Place(
                    id=f"geonames:{a1.geonameid}",
                    kind=kind,
                    country=link.country,
                    name_en=link.name_en,
                    geonames_id=a1.geonameid,
                    katottg=link.katottg or None,
                    iso_code=link.iso,
                )
            )
            place.stem_en = link.stem_en
            place.add_name(link.name_en, "en", "official", "GeoNames admin1 / crosswalk")
            if a1.name != link.name_en and " " in a1.name:
                # "Belgorod Oblast" is a region's name; a bare "Kharkiv" is its centre's.
                place.add_name(a1.name, "en", "alternate", "GeoNames admin1")
            if unit is not None:
                if unit.category == "O" and not unit.name.startswith("Автономна"):
                    place.name_uk = f"{unit.name} область"
                    place.add_name(unit.name, "uk", "alternate", "KATOTTG")
                else:
                    place.name_uk = unit.name
                place.add_name(place.name_uk, "uk", "official", "KATOTTG")
            for row in iso_by_code.get(link.iso, []):
                place.add_name(row.name, row.lang, "official", "ISO 3166-2 (pycountry)")
                if row.lang == "ru":
                    place.name_ru = place.name_ru or row.name
                if row.lang == "uk":
                    place.name_uk = place.name_uk or row.name
            country_place = self.places.get(self._country_id(link.country))
            place.parent_id = country_place.id if country_place else None
            place.admin1_id = place.id
            self.admin1_by_geonames[code] = place
            self.admin1_by_iso[link.iso] = place
        self.stats["regions"] = len(self.region_links)

    def _country_id(self, iso: str) -> str:
        if not hasattr(self, "_country_ids"):
            self._country_ids = {
                p.iso_code: p.id for p in self.places.values() if p.kind == "country" and p.iso_code
            }
        return self._country_ids.get(iso, "")

    # -- 3. KATOTTG units ---------------------------------------------------------------------
    def katottg_units(self) -> None:
        ua_country = self._country_id("UA")
        # Parents come before children in code order only per branch; resolve chains after.
        unit_by_code = {u.code: u for u in self.units}
        for unit in self.units:
            if unit.code in self.by_katottg:  # oblasts and special cities are in already
                continue
            kind = KATOTTG_KINDS[unit.category]
            place = self._add(
                Place(
                    id=f"katottg:{unit.code}",
                    kind=kind,
                    country="UA",
                    name_uk=self._full_uk_name(unit),
                    katottg=unit.code,
                )
            )
            place.add_name(place.name_uk or unit.name, "uk", "official", "KATOTTG")
            # A hromada's or raion's bare adjective (Покровська, Бахмутський) is not kept as
            # a name: in text it is nearly always a case form of the town's name.
        for unit in self.units:
            place = self.by_katottg[unit.code]
            parent = self.by_katottg.get(unit.parent) if unit.parent else None
            place.parent_id = parent.id if parent else ua_country
            chain = []
            code = unit.code
            while code:
                chain.append(unit_by_code[code])
                code = unit_by_code[code].parent
            for ancestor in chain:
                target = self.by_katottg[ancestor.code]
                if ancestor.category in "OK":
                    place.admin1_id = target.id
                elif ancestor.category == "P":
                    place.raion_id = target.id
                elif ancestor.category == "H":
                    place.hromada_id = target.id
        self.stats["katottg_units"] = len(self.units)

    @staticmethod
    def _full_uk_name(unit: katottg.Unit) -> str:
        if unit.category == "P":
            return f"{unit.name} район"
        if unit.category == "H":
            return f"{unit.name} громада"
        if unit.category == "B":
            return f"{unit.name} район" if not unit.name.endswith("район") else unit.name
        return unit.name

    # -- 4. GeoNames places ---------------------------------------------------------------------
    def geonames_places(self) -> None:
        cities = list(geonames.read_cities(self.sources_dir / "geonames_cities.tsv"))
        postal_points = self._postal_points()
        settlements_by_oblast_name: dict[tuple[str, str], list[Place]] = defaultdict(list)
        for place in self.by_katottg.values():
            if place.katottg and place.kind in (
                "city",
                "urban_settlement",
                "settlement",
                "village",
            ):
                unit_name = place.name_uk or ""
                settlements_by_oblast_name[(place.admin1_id or "", fold(unit_name))].append(place)
        self._settlements_by_oblast_name = settlements_by_oblast_name
        by_inv: dict[tuple[str, str], list[Place]] = defaultdict(list)
        for (region_id, _), places in settlements_by_oblast_name.items():
            for place in places:
                by_inv[(region_id, _invariant(place.name_uk or ""))].append(place)
        self._settlements_by_oblast_inv = by_inv
        linked: dict[str, tuple[float, geonames.City]] = {}
        unlinked_ua: list[geonames.City] = []
        for city in cities:
            if city.country != "UA":
                continue
            region = self.admin1_by_geonames.get(f"UA.{city.admin1}")
            if region is None:
                unlinked_ua.append(city)
                continue
            target = self._link_city(city, region, postal_points)
            if target is None:
                unlinked_ua.append(city)
                continue
            place, distance = target
            previous = linked.get(place.id)
            if previous is None or distance < previous[0]:
                if previous is not None:
                    unlinked_ua.append(previous[1])
                linked[place.id] = (distance, city)
            else:
                unlinked_ua.append(city)
        for place_id, (_, city) in sorted(linked.items()):
            place = self.places[place_id]
            self._merge_geonames(place, city)
        self.remap_references()
        ua_links = len(linked)
        self.stats["geonames_ua"] = sum(1 for c in cities if c.country == "UA")
        self.stats["geonames_ua_linked"] = ua_links
        self.linked_count = ua_links
        self.stats["geonames_ua_unlinked_sample"] = [
            f"{c.geonameid} {c.name} UA.{c.admin1}" for c in unlinked_ua[:40]
        ]
        self.unlinked_ua = unlinked_ua
        # Unlinked Ukrainian, Russian and world places are places of their own.
        region_ids = {p.geonames_id for p in self.admin1_by_geonames.values()}
        unlinked_ids = {c.geonameid for c in unlinked_ua}
        for city in cities:
            if f"geonames:{city.geonameid}" in self.places or city.geonameid in region_ids:
                continue
            if city.country == "UA" and city.geonameid not in unlinked_ids:
                continue
            self._add_city(city)

    def _link_city(
        self,
        city: geonames.City,
        region: Place,
        postal_points: dict[tuple[str, str], list[tuple[float, float]]],
    ) -> tuple[Place, float] | None:
        """The KATOTTG settlement a GeoNames place is, or ``None`` when no candidate fits."""
        names = {fold(n) for n in (city.name, *city.names)}
        if region.kind == "city" and fold(region.name_uk or "") in names:
            return region, 0.0  # Kyiv and Sevastopol: the city itself
        keys = {fold(n) for n in (city.name, *city.names) if script_of(n) == "Cyrl"}
        keys.add(fold(city.name))
        candidates: list[Place] = []
        for key in sorted(keys):
            candidates.extend(self._settlements_by_oblast_name.get((region.id, key), []))
        if not candidates:
            # No Cyrillic name in common: compare romanisation-invariant keys instead.
            latin = {_invariant(n) for n in (city.name, *city.names) if script_of(n) == "Latn"}
            for key in sorted(latin - {""}):
                candidates.extend(self._settlements_by_oblast_inv.get((region.id, key), []))
        if not candidates:
            return None
        unique = {p.id: p for p in candidates}
        if len(unique) == 1 and not _village_for_town(next(iter(unique.values())), city):
            # The only settlement of that name in the oblast: it is this one, whatever a
            # postal point (often a namesake's) says.
            return next(iter(unique.values())), 0.0
        fitting = [p for p in unique.values() if _fits_population(p.kind, city.population)]
        if len(fitting) == 1 and city.population >= 10000:
            return fitting[0], 0.0  # the one town among villages of that name
        # Namesakes in one oblast cannot be told apart yet (postal points are found by
        # name, so every namesake would claim the same ones): :meth:`late_links` decides
        # once each settlement has a point of its own.
        return None

    def _merge_geonames(self, place: Place, city: geonames.City) -> None:
        new_id = f"geonames:{city.geonameid}"
        if place.kind != "oblast" and (place.geonames_id is None or place.katottg):
            self._rekey(place, new_id)
            place.geonames_id = None
        place.geonames_id = place.geonames_id or city.geonameid
        place.lat, place.lon, place.precision = city.lat, city.lon, "geonames"
        place.population = city.population or place.population
        place.name_en = place.name_en or city.name
        place.add_name(city.name, "en", "official", "GeoNames")
        for name in city.names:
            if not _is_code(name):
                place.add_name(name, _lang_of(name), "alternate", "GeoNames")

    def _add_city(self, city: geonames.City) -> None:
        region = self.admin1_by_geonames.get(f"{city.country}.{city.admin1}")
        country_id = self._country_id(city.country)
        place = self._add(
            Place(
                id=f"geonames:{city.geonameid}",
                kind="city" if city.population >= 15000 or city.country != "UA" else "place",
                country=city.country,
                name_en=city.name,
                parent_id=region.id if region else (country_id or None),
                admin1_id=region.id if region else None,
                lat=city.lat,
                lon=city.lon,
                precision="geonames",
                population=city.population or None,
                geonames_id=city.geonameid,
            )
        )
        if city.country in ("RU", "UA") and city.population < 15000:
            place.kind = "place"
        place.add_name(city.name, "en", "official", "GeoNames")
        for name in city.names:
            if _is_code(name):
                continue
            place.add_name(name, _lang_of(name), "alternate", "GeoNames")
        if city.country == "RU":
            place.name_ru = _russian_name(city)
        if city.country == "RU" and place.name_ru:
            place.add_name(place.name_ru, "ru", "official", "GeoNames")

    # -- 5. coordinates ------------------------------------------------------------------------
    def _postal_points(self) -> dict[tuple[str, str], list[tuple[float, float]]]:
        """Postal points by (oblast place id, folded name)."""
        if self._postal_cache is not None:
            return self._postal_cache
        by_translit: dict[str, Place] = {}
        for link in self.region_links:
            if link.country == "UA":
                region = self.admin1_by_iso[link.iso]
                by_translit[
                    fold(romanize((region.name_uk or "").replace(" область", ""), "kmu2010"))
                ] = region
        points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        missing: set[str] = set()
        for row in postal.read_places(self.sources_dir / "postal_ua.tsv"):
            oblast = by_translit.get(fold(row.oblast))
            if oblast is None:
                missing.add(row.oblast)
                continue
            key = (oblast.id, fold(row.name))
            point = (row.lat, row.lon)
            if all(_distance_km(point, other) > 1.0 for other in points[key]):
                points[key].append(point)
        if missing:
            self.log(f"postal oblasts without a region: {sorted(missing)}")
        self._postal_cache = dict(points)
        return self._postal_cache

    def late_links(self) -> None:
        """Second chance for GeoNames places left unlinked: now that every KATOTTG settlement
        has a point, a namesake (or a Russian-spelled counterpart) within a few kilometres in
        the same oblast is the same place, and the two records become one."""
        from toponyms.text.ukru import counterparts

        linked_before = self.linked_count
        merged = rejected_far = 0
        cities = {c.geonameid: c for c in self.unlinked_ua}
        for geonameid in sorted(cities):
            city = cities[geonameid]
            standalone = self.places.get(f"geonames:{geonameid}")
            if standalone is None or standalone.katottg:
                continue
            region = self.admin1_by_geonames.get(f"UA.{city.admin1}")
            keys = set()
            for name in (city.name, *city.names):
                if script_of(name) == "Cyrl":
                    keys.add(fold(name))
                    keys.update(fold(c) for c in counterparts(name)[:4])
            candidates: list[Place] = []
            for region_id in {region.id} if region else set():
                for key in sorted(keys - {""}):
                    candidates.extend(self._settlements_by_oblast_name.get((region_id, key), []))
                latin = {_invariant(n) for n in (city.name, *city.names) if script_of(n) == "Latn"}
                for key in sorted(latin - {""}):
                    candidates.extend(self._settlements_by_oblast_inv.get((region_id, key), []))
            if region is None or region.kind == "city":
                # Sevastopol and Kyiv: GeoNames may file the city under a neighbouring region.
                candidates.extend(
                    special
                    for special in self.admin1_by_geonames.values()
                    if special.kind == "city"
                    and special.country == "UA"
                    and special.katottg
                    and fold(special.name_uk or "") in keys
                    and special.point is None
                )
            best: tuple[float, Place] | None = None
            free = [p for p in candidates if p.geonames_id is None or p.kind == "city"]
            free = [p for p in free if not _village_for_town(p, city)] or free
            for place in {p.id: p for p in free}.values():
                if place.katottg is None or (place.geonames_id and place.precision == "geonames"):
                    continue
                distance = (
                    0.0 if place.point is None else _distance_km(place.point, (city.lat, city.lon))
                )
                if best is None or distance < best[0]:
                    best = (distance, place)
            if best is None:
                continue
            limit = 8.0 if best[1].precision == "postal" else 15.0
            if best[0] > limit:
                rejected_far += 1  # a namesake too far off to be this place
                continue
            target = best[1]
            del self.places[standalone.id]
            self.renamed[standalone.id] = standalone.id  # no references to it exist yet
            self._merge_geonames(target, city)
            merged += 1
        self.remap_references()
        self.stats["geonames_ua_linked"] = linked_before + merged
        self.stats["geonames_ua_late_links"] = merged
        self.stats["geonames_ua_late_links_rejected_far"] = rejected_far

    def country_points(self) -> None:
        """Countries take their capital's point; RU regions the median of their places."""
        # Capitals are found by any of a city's names, in the romanisation-invariant
        # form (GeoNames writes "Brasilia" for the country, "Brasília" for the city).
        capitals: dict[tuple[str, str], Place] = {}
        for place in self.places.values():
            if place.kind in ("city", "place") and place.geonames_id:
                for name in {place.name_en or "", *(n[0] for n in place.names if n[0].isascii())}:
                    key = (place.country, _invariant(name))
                    best = capitals.get(key)
                    if best is None or (place.population or 0) > (best.population or 0):
                        capitals[key] = place
        for place in self.places.values():
            if place.kind == "country" and place.point is None and place.capital:
                capital = capitals.get((place.country, _invariant(place.capital)))
                if capital is not None and capital.point is not None:
                    place.lat, place.lon, place.precision = capital.lat, capital.lon, "capital"
        groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for place in self.places.values():
            if place.admin1_id and place.point is not None and place.admin1_id != place.id:
                groups[place.admin1_id].append(place.point)
        for region in self.admin1_by_geonames.values():
            pts = groups.get(region.id)
            if region.point is None and pts:
                lat, lon = geo.median_point(pts)  # Chukotka lies across the 180° meridian
                region.lat, region.lon = round(lat, 5), round(lon, 5)
                region.precision = "centroid"

    # -- 6. curated names ------------------------------------------------------------------
    def curated_names(self) -> None:
        """Renamings, exonyms and region forms; rows that name no place are reported."""
        unresolved: list[str] = []
        by_oblast_name = self._settlements_by_oblast_name
        oblast_by_uk: dict[str, Place] = {}
        for region in self.admin1_by_geonames.values():
            for label in {region.name_uk or "", (region.name_uk or "").replace(" область", "")}:
                oblast_by_uk[fold(label)] = region
            for name, lang, *_ in region.names:
                if lang in ("uk", "ru"):
                    oblast_by_uk.setdefault(fold(name), region)
        renamed_to: dict[str, str] = {}
        for row in curated.read_renamings(self.data_dir):
            place = self._find_curated(
                row.country,
                row.current_uk,
                row.oblast_uk,
                row.raion_uk,
                row.kind,
                oblast_by_uk,
                by_oblast_name,
            )
            if place is None and row.katottg_has == "old":
                old_uk = renamed_to.get(row.current_uk)
                place = (
                    None
                    if old_uk is None
                    else self._find_curated(
                        row.country,
                        old_uk,
                        row.oblast_uk,
                        row.raion_uk,
                        row.kind,
                        oblast_by_uk,
                        by_oblast_name,
                    )
                )
            if place is None:
                unresolved.append(f"renamings: {row.current_uk} ({row.oblast_uk}) ← {row.name}")
                continue
            if (
                row.katottg_has == "old"
                and row.lang == "uk"
                and row.type in ("historical", "official_former")
            ):
                self._apply_new_official(place, row, renamed_to)
            self._take_russian_name(place, row.country, row.current_uk)
            type_ = "historical" if row.type == "official_former" else row.type
            place.add_name(
                row.name,
                row.lang,
                type_,
                row.source,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
            )
        for ex in curated.read_exonyms(self.data_dir):
            place = self._find_curated(
                ex.country, ex.current_uk, ex.oblast_uk, "", ex.kind, oblast_by_uk, by_oblast_name
            )
            if place is None:
                unresolved.append(f"exonyms: {ex.current_uk} ({ex.oblast_uk}) ← {ex.name}")
                continue
            self._take_russian_name(place, ex.country, ex.current_uk)
            place.add_name(ex.name, ex.lang, "exonym", ex.source)
        countries = {p.iso_code: p for p in self.places.values() if p.kind == "country"}
        short_named: set[tuple[str, str]] = set()
        for entry in curated.read_country_names(self.data_dir):
            country = countries.get(entry.iso)
            if country is None:
                unresolved.append(f"country_names: {entry.iso} ← {entry.name}")
                continue
            country.add_name(entry.name, entry.lang, "official", entry.source)
            # The first short name in a language is the canonical one (Росія, not the
            # formal Російська Федерація of ISO).
            if (entry.iso, entry.lang) not in short_named:
                short_named.add((entry.iso, entry.lang))
                if entry.lang == "uk":
                    country.name_uk = entry.name
                elif entry.lang == "ru":
                    country.name_ru = entry.name
                elif entry.lang == "en":
                    country.name_en = entry.name
        for form in curated.read_region_forms(self.data_dir):
            target = self.admin1_by_iso.get(form.iso)
            if target is None:
                unresolved.append(f"region_forms: {form.iso} ← {form.name}")
                continue
            target.add_name(form.name, form.lang, form.type, form.source)
            if form.country == "RU" and not target.name_ru:
                # The file names a Russian federal subject by its Russian official name,
                # which GeoNames and pycountry leave out for most (Краснодарский край).
                target.name_ru = form.region_uk
                target.add_name(form.region_uk, "ru", "official", "region_forms.tsv: region_uk")
        self.stats["curated_unresolved"] = unresolved
        if unresolved:
            self.log(f"{len(unresolved)} curated rows name no place (see `gazetteer info`)")

    @staticmethod
    def _take_russian_name(place: Place, country: str, name: str) -> None:
        """A Russian city a curated row names is named there by its Russian official name
        (the ``current_uk`` column): it replaces the name GeoNames' alternates suggested
        (Москова for Moscow, see :func:`_russian_name`), which stays an alternate."""
        if country != "RU" or place.kind not in ("city", "place") or place.name_ru == name:
            return
        guess = place.name_ru
        place.names = [
            (n, "und", "alternate", start, end, source)
            if n == guess and lang == "ru" and type_ == "official"
            else (n, lang, type_, start, end, source)
            for n, lang, type_, start, end, source in place.names
        ]
        place.name_ru = name
        place.add_name(name, "ru", "official", "curated data: the Russian official name")

    def _find_curated(
        self,
        country: str,
        current: str,
        oblast: str,
        raion: str,
        kind: str,
        oblast_by_uk: dict[str, Place],
        by_oblast_name: dict[tuple[str, str], list[Place]],
    ) -> Place | None:
        """The place a curated row means: by name within its oblast (and raion)."""
        if country not in ("", "UA"):
            candidates = [
                p
                for p in self._foreign_by_name().get((country, fold(current)), [])
                if p.kind in ("city", "place", "oblast", "country")
            ]
            region = oblast_by_uk.get(fold(oblast)) if oblast else None
            if region is not None:
                inside = [p for p in candidates if p.admin1_id == region.id or p is region]
                candidates = inside or candidates
            return max(candidates, key=lambda p: (p.population or 0, p.id), default=None)
        if kind == "oblast" or (not oblast and kind in ("", "city")):
            region = oblast_by_uk.get(fold(current))
            if region is not None and (kind == "oblast" or region.kind == "city"):
                return region
        region = oblast_by_uk.get(fold(oblast))
        if region is None:
            return None
        if region.kind == "city" and fold(current) == fold(region.name_uk or ""):
            return region
        if kind in ("raion", "hromada"):
            wanted = fold(f"{current} {'район' if kind == 'raion' else 'громада'}")
            for place in self.places.values():
                if (
                    place.kind == kind
                    and place.admin1_id == region.id
                    and fold(place.name_uk or "") in (wanted, fold(current))
                ):
                    return place
            return None
        candidates = by_oblast_name.get((region.id, fold(current)), [])
        if raion:
            wanted_raion = fold(f"{raion} район") if not raion.endswith("район") else fold(raion)
            candidates = [
                p
                for p in candidates
                if p.raion_id and fold(self.places[p.raion_id].name_uk or "") == wanted_raion
            ]
        if len(candidates) > 1:
            rank = {"city": 0, "urban_settlement": 1, "settlement": 2, "village": 3}
            preferred = [p for p in candidates if p.kind == kind] or candidates
            candidates = sorted(
                preferred, key=lambda p: (rank.get(p.kind, 9), -(p.population or 0))
            )
            if len(preferred) > 1 and kind in ("village", "settlement"):
                return None  # ambiguous namesakes: the row needs its raion
        return candidates[0] if candidates else None

    def _foreign_by_name(self) -> dict[tuple[str, str], list[Place]]:
        """Places outside Ukraine by (country, folded name), built once for curated rows."""
        if not hasattr(self, "_foreign_index"):
            found: dict[tuple[str, str], list[Place]] = defaultdict(list)
            for place in self.places.values():
                if place.country != "UA":
                    for key in sorted({fold(n[0]) for n in place.names}):
                        found[(place.country, key)].append(place)
            self._foreign_index = found
        return self._foreign_index

    def _apply_new_official(
        self, place: Place, row: curated.Renaming, renamed_to: dict[str, str]
    ) -> None:
        """The codifier edition carries the old name: make the new one official."""
        if fold(place.name_uk or "") == fold(row.current_uk):
            return
        old = place.name_uk or ""
        renamed_to[row.current_uk] = old
        place.names = [
            (
                n,
                lang,
                "historical" if (lang == "uk" and t == "official" and fold(n) == fold(old)) else t,
                vf,
                vt if not (lang == "uk" and fold(n) == fold(old)) else (vt or row.valid_to),
                src,
            )
            for n, lang, t, vf, vt, src in place.names
        ]
        place.name_uk = row.current_uk
        place.add_name(row.current_uk, "uk", "official", row.source, valid_from=row.valid_to)

    # -- generated names: English names and region patterns ---------------------------------
    def generated_names(self) -> None:
        patterns = list(curated.read_patterns(self.data_dir))
        centres = self._raion_centres()
        for place in self.places.values():
            if place.country == "UA" and place.name_uk and place.name_en is None:
                place.name_en = romanize(place.name_uk, "kmu2010")
            if place.country == "UA" and place.katottg and place.name_uk and place.name_en:
                self._settle_english_name(place)
            if (
                place.country == "UA"
                and place.name_en
                and place.kind != "country"
                and not any(
                    lang == "en" and fold(name) == fold(place.name_en)
                    for name, lang, *_ in place.names
                )
            ):
                place.add_name(place.name_en, "en", "romanized", "KMU 2010 romanisation")
            if place.kind not in ("oblast", "raion", "hromada"):
                continue
            adjective_uk = (place.name_uk or "").replace(" область", "").replace(" район", "")
            adjective_uk = adjective_uk.replace(" громада", "")
            adjective_ru = (place.name_ru or "").replace(" область", "")
            stem = place.stem_en
            stems = {stem or ""}
            if place.kind in ("raion", "hromada"):
                # The centre's English name and its official romanisation, which differ
                # when GeoNames keeps an older one (Syeverodonets'k, Sievierodonetsk).
                centre = centres.get(place.id)
                stems = (
                    {
                        centre.name_en or "",
                        romanize(centre.name_uk, "kmu2010") if centre and centre.name_uk else "",
                    }
                    if centre
                    else {""}
                )
            translit = romanize(adjective_uk, "kmu2010") if adjective_uk else ""
            if place.kind == "raion" and not place.name_en:
                place.name_en = f"{translit} raion"
            for one_stem in sorted(stems):
                values = {
                    "{uk}": adjective_uk,
                    "{ru}": adjective_ru,
                    "{translit}": translit,
                    "{stem}": one_stem,
                }
                for pattern in patterns:
                    if pattern.applies_to != place.kind:
                        continue
                    text = pattern.pattern
                    if any(token in text and not value for token, value in values.items()):
                        continue
                    for token, value in values.items():
                        text = text.replace(token, value)
                    place.add_name(text, pattern.lang, "alternate", f"pattern: {pattern.pattern}")
            if place.kind in ("raion", "hromada") and place.name_en is not None:
                if place.country != "UA":
                    continue  # a KLADR district keeps its English name
                place.name_en = f"{translit} {place.kind}"

    def land_names(self) -> None:
        """The land names of Ukrainian oblasts and raions (Запоріжчина, Нікопольщина).

        People name a region by a noun formed from its adjective (``land_endings.tsv``):
        *на Нікопольщині* is the Nikopol raion. An oblast keeps the noun its raion of the
        same adjective would also form (Харківщина is the oblast, not the Kharkiv raion).
        """
        endings = sorted(
            (e for e in curated.read_land_endings(self.data_dir) if e.lang == "uk"),
            key=lambda e: -len(e.adjective),
        )

        taken: set[str] = set()
        for kind, word in (("oblast", " область"), ("raion", " район")):
            found: list[tuple[Place, str]] = []
            for place in self.places.values():
                if place.kind != kind or place.country != "UA" or not place.name_uk:
                    continue
                if not place.name_uk.endswith(word):
                    continue
                name = curated.land_name(place.name_uk.removesuffix(word), endings)
                if name is not None and fold(name) not in taken:
                    found.append((place, name))
            if kind == "oblast":
                taken.update(
                    fold(n) for p in self.places.values() if p.kind == "oblast" for n, *_ in p.names
                )
            for place, name in found:
                if any(fold(n) == fold(name) for n, *_ in place.names):
                    continue  # a curated region form already (Донеччина)
                place.add_name(name, "uk", "colloquial", "land name: land_endings.tsv")
                taken.add(fold(name))

    SETTLEMENT_KINDS = frozenset({"city", "urban_settlement", "settlement", "village"})

    def _settle_english_name(self, place: Place) -> None:
        """A Ukrainian settlement's English name is the official romanisation of its
        codifier name when GeoNames' English name spells another name.

        GeoNames keeps, for about 300 linked settlements, a name from before the 2016
        renamings or a Russian form (Bilmak for Кам'янка, Zorya for Камчик, Voykovo for
        Айбар): those stay as alternate names, and the place is shown and found by its
        current name in the national romanisation (Kamianka).
        """
        if place.kind not in self.SETTLEMENT_KINDS or place.name_en is None:
            return
        if _invariant(place.name_en) == _invariant(place.name_uk or ""):
            return
        stale = fold(place.name_en)
        place.names = [
            (n, lang, "alternate" if (t == "official" and fold(n) == stale) else t, vf, vt, src)
            for n, lang, t, vf, vt, src in place.names
        ]
        place.name_en = romanize(place.name_uk or "", "kmu2010")

    def _raion_centres(self) -> dict[str, Place]:
        """The settlement a raion or hromada is named after (Покровський район → Покровськ)."""
        members: dict[str, list[Place]] = defaultdict(list)
        for place in self.places.values():
            if (
                place.kind in ("city", "urban_settlement", "settlement", "village")
                and place.katottg
            ):
                for group in (place.raion_id, place.hromada_id):
                    if group:
                        members[group].append(place)
        result: dict[str, Place] = {}
        rank = {"city": 0, "urban_settlement": 1, "settlement": 2, "village": 3}
        for group_id, places in members.items():
            unit = self.places[group_id]
            adjective = fold((unit.name_uk or "").rsplit(" ", 1)[0])
            best: tuple[int, int, str, Place] | None = None
            if unit.kind == "raion":
                # A raion is named after its largest city when one shares the adjective's
                # first letters (Запорізький ← Запоріжжя, not the village Запорізьке).
                cities = [
                    p
                    for p in places
                    if p.kind == "city"
                    and common_prefix(fold(p.name_uk or ""), adjective) >= CENTRE_PREFIX
                ]
                if cities:
                    result[group_id] = max(cities, key=lambda p: (p.population or 0, p.id))
                    continue
            for place in places:
                name = fold(place.name_uk or "")
                common = common_prefix(name, adjective)
                if common < max(4, len(name) - 2):
                    continue
                key = (rank.get(place.kind, 9), -common, place.id, place)
                if best is None or key[:3] < best[:3]:
                    best = key
            if best is None and unit.kind == "raion":
                # Криворізький ← Кривий Ріг: the raion's largest city sharing its first letters.
                cities = [
                    p
                    for p in places
                    if p.kind == "city" and fold(p.name_uk or "")[:4] == adjective[:4]
                ]
                if cities:
                    best = (0, 0, "", max(cities, key=lambda p: (p.population or 0, p.id)))
            if best is not None:
                result[group_id] = best[3]
        return result

    # -- names: deduplicate ----------------------------------------------------------------
    def _drop_centre_names_of_regions(self) -> None:
        """A region keeps no one-word name that is its centre's in any spelling: ISO's
        Romanian ``Harkov`` or GeoNames' admin1 ``Kharkiv`` mean the city to every reader.
        Spellings are compared by their romanisation-invariant keys."""
        city_keys: dict[str, set[str]] = defaultdict(set)
        by_english: dict[str, set[str]] = defaultdict(set)
        for place in self.places.values():
            if place.kind == "city" and place.admin1_id:
                keys = {_invariant(n[0]) for n in place.names}
                city_keys[place.admin1_id].update(keys)
                if place.name_en:
                    by_english[place.name_en].update(keys)
        for region in self.admin1_by_geonames.values():
            if region.kind != "oblast":
                continue
            stem = region.stem_en
            keys = city_keys.get(region.id, set()) | by_english.get(stem or "", set())
            region.names = [n for n in region.names if _invariant(n[0]) not in keys]

    def fill_russian_names(self) -> None:
        """A Ukrainian place's Russian name: a curated Russian name, else the GeoNames
        Cyrillic name that is the Ukrainian one's Russian counterpart (Алешки for Олешки)."""
        from toponyms.text.ukru import counterparts

        preference = {"official": 0, "exonym": 1, "alternate": 2, "colloquial": 3}
        for place in self.places.values():
            if place.country != "UA" or place.name_ru or not place.name_uk:
                continue
            russian = sorted(
                (preference.get(t, 9), n)
                for n, lang, t, *_ in place.names
                if lang == "ru" and t in preference and is_russian(n)
            )
            if russian:
                place.name_ru = russian[0][1]
            elif place.kind in ("city", "settlement", "village", "oblast"):
                cyrillic = {
                    fold(n): n
                    for n, lang, t, *_ in place.names
                    if lang == "und"
                    and t == "alternate"
                    and script_of(n) == "Cyrl"
                    and is_russian(n)
                }
                for candidate in counterparts(place.name_uk):
                    if fold(candidate) in cyrillic and fold(candidate) != fold(place.name_uk):
                        place.name_ru = cyrillic[fold(candidate)]
                        break
            self._russian_exonym(place)

    @staticmethod
    def _russian_exonym(place: Place) -> None:
        """A Ukrainian place's Russian name is its name in another language, an exonym, not
        a stray alternate spelling: Волчанск is Вовчанськ's Russian name and must weigh as
        much as a Russian town's official Волчанск (then size decides)."""
        if place.name_ru is None:
            return
        folded = fold(place.name_ru)
        if any(
            lang == "ru" and t in ("official", "exonym") and fold(n) == folded
            for n, lang, t, *_ in place.names
        ):
            return
        place.add_name(place.name_ru, "ru", "exonym", "Russian name of the place (GeoNames)")

    def finish_names(self) -> None:
        """One row per (name, language, type) and no alternate that repeats an official name."""
        self._drop_centre_names_of_regions()
        type_rank = {t: i for i, t in enumerate(schema.NAME_TYPES)}
        for place in self.places.values():
            seen: dict[tuple[str, str], tuple[str, str, str, str | None, str | None, str]] = {}
            for entry in place.names:
                name, lang, type_, *_ = entry
                key = (name, lang)
                current = seen.get(key)
                if current is None:
                    seen[key] = entry
                    continue
                # A curated type (historical, occupation, exonym) beats a GeoNames "alternate".
                if (current[2] == "alternate" and type_ != "alternate") or (
                    type_rank.get(type_, 99) < type_rank.get(current[2], 99)
                    and current[2] != "historical"
                ):
                    seen[key] = entry
            # A curated historical name also recasts the same spelling kept as 'alternate' by
            # GeoNames under another language tag.
            curated_types = {
                fold(n): (t, vf, vt, src)
                for (n, _), (_, _, t, vf, vt, src) in seen.items()
                if t in ("historical", "occupation")
            }
            final = []
            for (name, lang), entry in sorted(seen.items()):
                _, _, type_, vf, vt, src = entry
                if type_ == "alternate" and fold(name) in curated_types:
                    type_, vf, vt, src = curated_types[fold(name)]
                final.append((name, lang, type_, vf, vt, src))
            place.names = final


def _content_hash(conn: sqlite3.Connection) -> str:
    digest = hashlib.sha256()
    for table, order in (("places", "id"), ("names", "id"), ("redirects", "old_id")):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order}"):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]


def _write(builder: Builder, conn: sqlite3.Connection) -> None:
    place_rows = []
    name_rows = []
    for place_id in sorted(builder.places):
        p = builder.places[place_id]
        place_rows.append(
            (
                p.id,
                p.kind,
                p.country,
                p.name_uk,
                p.name_ru,
                p.name_en,
                p.parent_id,
                p.admin1_id,
                p.raion_id,
                p.hromada_id,
                p.lat,
                p.lon,
                p.precision,
                p.population,
                p.geonames_id,
                p.katottg,
                p.iso_code,
                "active",
                None,
            )
        )
        for name, lang, type_, valid_from, valid_to, source in p.names:
            name_rows.append(
                (p.id, name, lang, script_of(name), type_, valid_from, valid_to, source)
            )
    conn.executemany(
        "INSERT INTO places (id, kind, country, name_uk, name_ru, name_en, parent_id, admin1_id,"
        " raion_id, hromada_id, lat, lon, precision, population, geonames_id, katottg, iso_code,"
        " status, status_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        place_rows,
    )
    conn.executemany(
        "INSERT OR IGNORE INTO names (place_id, name, lang, script, type, valid_from, valid_to,"
        " source) VALUES (?,?,?,?,?,?,?,?)",
        name_rows,
    )


def source_manifest(sources_dir: Path) -> list[dict[str, str]]:
    """Name, version and licence of each source, for ``meta`` and ``gazetteer info``.

    Read from each extract's header comments: ``source: ...`` and ``license: ...`` (on
    lines of their own or one line joined by ``;``), or a bare ``CC-BY ...`` line.
    """
    result = []
    for path in sorted(sources_dir.glob("*.tsv")):
        fields: dict[str, str] = {}
        for comment in read_comments(path):
            for part in comment.split("; "):
                key, sep, value = part.partition(": ")
                if sep and key.strip().lower() in ("source", "license"):
                    fields[key.strip().lower()] = value.strip()
                elif part.startswith("CC-BY"):
                    fields.setdefault("license", part.strip())
        result.append(
            {
                "file": path.name,
                "name": fields.get("source", ""),
                "license": fields.get("license", ""),
            }
        )
    return result


def build(
    out: Path,
    *,
    sources_dir: Path | None = None,
    data_dir: Path | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, object]:
    """Build a fresh gazetteer at ``out`` and return build statistics.

    The database is written to a temporary file beside ``out`` and renamed over it only
    when complete, so a failed or killed build never leaves a half-written gazetteer.
    """
    import json

    from toponyms import index

    started = time.monotonic()
    sources_dir = sources_dir or SOURCES_DIR
    data_dir = data_dir or curated.DATA_DIR
    builder = Builder(sources_dir, data_dir, log)
    steps: Iterable[tuple[str, Callable[[], None]]] = (
        ("countries", builder.countries),
        ("regions", builder.regions),
        ("Russian regions and districts", lambda: russia.add_regions_and_districts(builder)),
        ("KATOTTG units", builder.katottg_units),
        ("GeoNames places and links", builder.geonames_places),
        ("GeoNames links far from their hromada", lambda: coordinates.check_links(builder)),
        ("coordinates", lambda: coordinates.assign(builder)),
        ("late links", builder.late_links),
        ("city districts", lambda: coordinates.city_districts(builder)),
        ("points of approximate places and units", lambda: coordinates.finish(builder)),
        ("Russian places (KLADR, postal)", lambda: russia.add_places(builder)),
        ("country and region points", builder.country_points),
        ("curated names", builder.curated_names),
        ("Ukrainian places' Russian and former names", lambda: ukraine.add_names(builder)),
        ("generated names", builder.generated_names),
        ("land names", builder.land_names),
        ("regions and features", lambda: features.add_features(builder)),
        ("names", builder.finish_names),
        ("Russian names", builder.fill_russian_names),
        ("generated Russian names", lambda: ukraine.choose_russian_names(builder)),
        ("references", builder.remap_references),
    )
    for label, step in steps:
        log(f"{label}…")
        step()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Per process, so that two processes building the same file (two test runs filling
    # the same cache) never write into one another's half-built database.
    tmp = out.with_name(f"{out.name}.building-{os.getpid()}")
    for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        schema.create(conn)
        log("writing…")
        _write(builder, conn)
        log("index…")
        index.build(conn)
        schema.rebuild_fts(conn)
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        built = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
        meta = {
            "build_date": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sources": json.dumps(source_manifest(sources_dir), ensure_ascii=False),
            "content_version": _content_hash(conn),
            "origin": "default",
            "build_stats": json.dumps({k: v for k, v in builder.stats.items()}, ensure_ascii=False),
        }
        conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", meta.items())
        conn.commit()
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("ANALYZE")
        conn.execute("VACUUM")
    finally:
        conn.close()
    tmp.replace(out)
    builder.stats["seconds"] = round(time.monotonic() - started, 1)
    return builder.stats
