"""Build stage: honest points for Ukrainian places.

A point is only as good as its source, and ``places.precision`` says which it is:

``geonames``
    the point of the GeoNames record linked to the settlement (a *trusted* point);
``postal``
    a GeoNames postal point of the settlement's name that lies in the settlement's own
    pre-2020 raion (the postal extract names it; KOATUU gives the settlement's) and near
    its hromada: within :data:`HROMADA_RADIUS_KM` of the hromada's trusted points' median,
    or, in a hromada without any, within :data:`RAION_MARGIN_KM` of a trusted point of its
    raion (an *own* point too);
``wof``
    for a settlement neither has: a Who's On First locality (GeoNames' full populated
    places layer) of its Ukrainian or Russian name, in any romanisation, in the same
    oblast and old raion, near its hromada as a postal point must be (an *own* point);
``hromada``, ``raion``, ``oblast``
    *approximate*: the settlement has no point of its own and stands at the median of the
    own points of its hromada (else its raion, else its oblast). A postal point of its
    name that lies farther than :data:`HROMADA_RADIUS_KM` from the hromada is a namesake's
    and is not used (counted as ``postal_rejected_far_from_hromada``);
``centroid``
    hromadas, raions and oblasts: the median of their settlements' own points only (an
    approximation never moves a centre).

Before points are given, :func:`check_links` undoes KATOTTG ↔ GeoNames links whose point
lies far from the settlement's hromada (Терни, a village of the Юріївська hromada, had the
point of Veseli Terny, a quarter of Kryvyi Rih 190 km away): the village keeps its KATOTTG
record and gets a point as any other, the GeoNames record becomes a place of its own.
After the late links, :func:`city_districts` makes the unlinked GeoNames places that lie
inside a large city its districts (Saltivka, Pechersk, Borshchahivka), not cities, and so
any unlinked record of a town's size: KATOTTG lists every city, so it is a quarter of the
nearest one (Terny in Kryvyi Rih).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gazetteer.sources import koatuu, postal, wof
from gazetteer.sources.geonames import City
from toponyms.errors import InvalidInputError
from toponyms.text.keys import invariant_key
from toponyms.text.normalize import fold
from toponyms.text.translit import romanize

if TYPE_CHECKING:
    from gazetteer.build import Builder, Place

SETTLEMENT_KINDS = frozenset({"city", "urban_settlement", "settlement", "village"})
# A GeoNames point farther than this from the median of the other trusted points of its
# hromada (two at least), or than RAION_LINK_LIMIT_KM from its raion's (three at least),
# is a namesake's, and the link is undone. Hromadas measure 10-40 km across.
LINK_LIMIT_KM = 40.0
RAION_LINK_LIMIT_KM = 120.0
# A postal point must lie this near its hromada's trusted centre.
HROMADA_RADIUS_KM = 25.0
# ... or, in a hromada without trusted points, this near a trusted point of its raion.
RAION_MARGIN_KM = 20.0
# Unlinked GeoNames places within this distance of a city of CITY_MIN_POPULATION or more
# are the city's districts: 3 km plus 6 km per square root of a million inhabitants (Kyiv
# 13 km, Kharkiv 10 km, Poltava 6 km).
CITY_MIN_POPULATION = 150_000
# KATOTTG lists every Ukrainian city: a GeoNames record of a town's size (15,000 people or
# more) that links to none is a quarter of a city within this distance, the one that
# draws it most (population over distance squared: Terny is Kryvyi Rih's, not nearer
# Zhovti Vody's; Khanzhonkove Makiivka's, not larger Donetsk's).
TOWN_SIZED = 15_000
QUARTER_OF_NEAREST_CITY_KM = 35.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def median_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)


def _key(text: str) -> str:
    try:
        return invariant_key(text)
    except InvalidInputError:
        return ""


def unit_key(name_uk: str) -> str:
    """The key of an old raion or city council as the postal extract romanises it:
    ``БАХМУТСЬКИЙ РАЙОН`` and ``Bahmutskiy`` give the same key."""
    adjective = name_uk.replace(" РАЙОН", "").replace(" район", "").strip()
    if not adjective:
        return ""
    return _key(romanize(adjective.title(), "kmu2010"))


def _settlements(builder: Builder) -> list[Place]:
    return sorted(
        (
            p
            for p in builder.places.values()
            if p.katottg and p.country == "UA" and p.kind in SETTLEMENT_KINDS
        ),
        key=lambda p: p.id,
    )


# -- link check -------------------------------------------------------------------------------


def check_links(builder: Builder) -> None:
    """Undo the KATOTTG ↔ GeoNames links whose point lies far from the settlement's own
    hromada or raion (see the module's doc); cities keep theirs (districts hang on them)."""
    seeds = [p for p in _settlements(builder) if p.precision == "geonames" and p.point]
    by_hromada: dict[str, list[Place]] = defaultdict(list)
    by_raion: dict[str, list[Place]] = defaultdict(list)
    for place in seeds:
        by_hromada[place.hromada_id or ""].append(place)
        by_raion[place.raion_id or ""].append(place)
    wrong: list[Place] = []
    for place in seeds:
        point = place.point
        assert point is not None
        mates = [p.point for p in by_hromada[place.hromada_id or ""] if p is not place and p.point]
        neighbours = [p.point for p in by_raion[place.raion_id or ""] if p is not place and p.point]
        if place.hromada_id and len(mates) >= 2:
            far = distance_km(point, median_point(mates)) > LINK_LIMIT_KM
        elif place.raion_id and len(neighbours) >= 3:
            far = distance_km(point, median_point(neighbours)) > RAION_LINK_LIMIT_KM
        else:
            far = False
        if far:
            wrong.append(place)
    unlinked = []
    for place in wrong:
        if place.kind == "city":
            continue
        unlinked.append(f"{place.katottg} {place.name_uk} ≠ geonames:{place.geonames_id}")
        _unlink(builder, place)
    builder.stats["geonames_links_undone_far"] = len(unlinked)
    builder.stats["geonames_links_undone_sample"] = unlinked[:40]
    builder.stats["geonames_links_far_cities_kept"] = len(wrong) - len(unlinked)


def _unlink(builder: Builder, place: Place) -> None:
    """Split a merged record: the KATOTTG settlement loses GeoNames' point, id and names;
    the GeoNames record becomes a place of its own (as an unlinked one would be)."""
    from gazetteer.build import Place as PlaceClass

    assert place.katottg is not None
    own_id = f"katottg:{place.katottg}"
    settlement = PlaceClass(
        id=own_id,
        kind=place.kind,
        country="UA",
        name_uk=place.name_uk,
        parent_id=place.parent_id,
        admin1_id=place.admin1_id,
        raion_id=place.raion_id,
        hromada_id=place.hromada_id,
        katottg=place.katottg,
    )
    settlement.names = [n for n in place.names if not n[5].startswith("GeoNames")]
    place.names = [n for n in place.names if n[5].startswith("GeoNames")]
    place.katottg = None
    place.name_uk = None
    place.kind = "city" if (place.population or 0) >= 15000 else "place"
    place.parent_id = place.admin1_id
    place.raion_id = place.hromada_id = None
    builder.places[own_id] = settlement
    builder.by_katottg[settlement.katottg or ""] = settlement
    builder.renamed.pop(own_id, None)
    for index in (builder._settlements_by_oblast_name, builder._settlements_by_oblast_inv):
        for group in index.values():
            for i, member in enumerate(group):
                if member is place:
                    group[i] = settlement
    builder.unlinked_ua.append(_city_of(builder, place))


def _city_of(builder: Builder, place: Place) -> City:
    """The GeoNames record of a place, for the late links' second chance."""
    admin1 = next(
        (
            code.split(".", 1)[1]
            for code, r in builder.admin1_by_geonames.items()
            if r.id == place.admin1_id
        ),
        "",
    )
    return City(
        geonameid=place.geonames_id or 0,
        name=place.name_en or "",
        lat=place.lat or 0.0,
        lon=place.lon or 0.0,
        country="UA",
        admin1=admin1,
        population=place.population or 0,
        names=tuple(n[0] for n in place.names if n[2] == "alternate"),
    )


# -- points -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    point: tuple[float, float]
    unit: str  # the key of the postal row's old raion or city council


def _postal_candidates(builder: Builder) -> dict[tuple[str, str], list[_Candidate]]:
    """Postal points by (oblast place id, folded name), each with its old unit's key."""
    by_translit: dict[str, str] = {}
    for link in builder.region_links:
        if link.country == "UA":
            region = builder.admin1_by_iso[link.iso]
            label = (region.name_uk or "").replace(" область", "")
            by_translit[fold(romanize(label, "kmu2010"))] = region.id
    found: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    path = builder.sources_dir / "postal_ua.tsv"
    for row in postal.read_places(path):
        oblast = by_translit.get(fold(row.oblast))
        if oblast is None:
            continue
        key = (oblast, fold(row.name))
        point = (row.lat, row.lon)
        if all(distance_km(point, c.point) > 1.0 for c in found[key]):
            found[key].append(_Candidate(point, _key(row.raion)))
    return found


@dataclass(frozen=True, slots=True)
class _Koatuu:
    """What KOATUU tells of a settlement for placing it: oblast code, old unit, names."""

    oblast: str
    units: frozenset[str]  # keys of the old raion (2019 and 2015 names) or city council
    names: frozenset[str]  # invariant keys of its 2019 Ukrainian and Russian names


def _koatuu_facts(path: Path, raions_path: Path) -> dict[str, _Koatuu]:
    if not path.exists():
        return {}
    names_2015 = (
        {r.koatuu: r.name_uk_2015 for r in koatuu.read_raions(raions_path)}
        if raions_path.exists()
        else {}
    )
    facts: dict[str, _Koatuu] = {}
    for row in koatuu.read_settlements(path):
        units = {unit_key(row.old_unit), unit_key(names_2015.get(row.koatuu[:5] + "00000", ""))}
        names = {_key(row.name_uk.title()), _key(row.name_ru.title())}
        facts[row.katottg] = _Koatuu(
            row.koatuu[:2], frozenset(units - {""}), frozenset(names - {""})
        )
    return facts


def _wof_points(
    builder: Builder,
) -> dict[tuple[str, str, str], list[tuple[float, float]]]:
    """WOF points by (KOATUU oblast code, old raion key, name key), leaving out the GeoNames
    records the gazetteer holds already (linked or standalone)."""
    path = builder.sources_dir / "wof_ua.tsv"
    if not path.exists():
        return {}
    held = {p.geonames_id for p in builder.places.values() if p.geonames_id}
    found: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in wof.read(path):
        if row.geonames_id in held:
            continue
        county = _key(row.county)
        for name in {_key(n) for n in row.names} - {""}:
            found[(row.oblast, county, name)].append((row.lat, row.lon))
    return found


def assign(builder: Builder) -> None:
    """Points for the KATOTTG settlements and units (see the module's doc)."""
    settlements = _settlements(builder)
    candidates = _postal_candidates(builder)
    facts = _koatuu_facts(
        builder.sources_dir / "koatuu_ru.tsv", builder.sources_dir / "koatuu_raions.tsv"
    )
    units = {code: set(fact.units) for code, fact in facts.items()}
    known_units: dict[str, set[str]] = defaultdict(set)
    for place in settlements:
        known_units[place.admin1_id or ""].update(units.get(place.katottg or "", ()))
    trusted_hromada = _centres(settlements, "hromada_id", ("geonames",))
    trusted_raion: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for place in settlements:
        if place.precision == "geonames" and place.point and place.raion_id:
            trusted_raion[place.raion_id].append(place.point)
    taken = {p.point for p in settlements if p.point is not None}
    accepted = far = other_unit = 0
    for place in settlements:
        if place.point is not None:
            continue
        key = (place.admin1_id or "", fold(place.name_uk or ""))
        own_units = units.get(place.katottg or "", set())
        options = [c for c in candidates.get(key, []) if c.point not in taken]
        if own_units:
            # A point of another old raion of the oblast is a namesake's; one of a raion
            # the postal extract names otherwise (a city's own name) may still be it.
            inside = [
                c for c in options if c.unit in own_units or c.unit not in known_units[key[0]]
            ]
            other_unit += len(options) != len(inside)
            options = inside
        if not options:
            continue
        centre = trusted_hromada.get(place.hromada_id or "")
        best: _Candidate | None
        if centre is not None:
            best = min(options, key=lambda c: (distance_km(c.point, centre), c.point))
            ok = distance_km(best.point, centre) <= HROMADA_RADIUS_KM
        else:
            raion_points = trusted_raion.get(place.raion_id or "", [])
            best = options[0] if len(options) == 1 else None
            if raion_points:
                best = min(
                    options,
                    key=lambda c: (min(distance_km(c.point, p) for p in raion_points), c.point),
                )
                ok = min(distance_km(best.point, p) for p in raion_points) <= RAION_MARGIN_KM
            else:
                ok = best is not None and bool(own_units) and best.unit in own_units
        if best is None or not ok:
            far += 1
            continue
        place.lat, place.lon, place.precision = best.point[0], best.point[1], "postal"
        taken.add(best.point)
        accepted += 1
    from_wof = _wof_pass(builder, settlements, facts, trusted_hromada, trusted_raion, taken)
    _approximate(settlements)
    builder.stats["wof_accepted"] = from_wof
    builder.stats["postal_accepted"] = accepted
    builder.stats["postal_rejected_far_from_hromada"] = far
    builder.stats["postal_rejected_other_old_raion"] = other_unit


def _centres(
    settlements: list[Place], attr: str, precisions: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for place in settlements:
        group = getattr(place, attr)
        if group and place.point is not None and place.precision in precisions:
            groups[group].append(place.point)
    return {g: median_point(points) for g, points in groups.items()}


OWN = ("geonames", "postal", "wof")


def _wof_pass(
    builder: Builder,
    settlements: list[Place],
    facts: dict[str, _Koatuu],
    trusted_hromada: dict[str, tuple[float, float]],
    trusted_raion: dict[str, list[tuple[float, float]]],
    taken: set[tuple[float, float]],
) -> int:
    """WOF points for settlements still without one: a locality of the settlement's name
    (Ukrainian or Russian, any romanisation) in its oblast and old raion, near its hromada."""
    points = _wof_points(builder)
    accepted = 0
    for place in settlements:
        fact = facts.get(place.katottg or "")
        if place.point is not None or fact is None:
            continue
        names = set(fact.names) | {_key(place.name_uk or "")}
        options = sorted(
            {
                point
                for unit in fact.units
                for name in names - {""}
                for point in points.get((fact.oblast, unit, name), [])
                if point not in taken
            }
        )
        if not options:
            continue
        centre = trusted_hromada.get(place.hromada_id or "")
        raion_points = trusted_raion.get(place.raion_id or "", [])
        if centre is not None:
            best = min(options, key=lambda p: distance_km(p, centre))
            ok = distance_km(best, centre) <= HROMADA_RADIUS_KM
        elif raion_points:
            best = min(options, key=lambda p: min(distance_km(p, r) for r in raion_points))
            ok = min(distance_km(best, r) for r in raion_points) <= RAION_MARGIN_KM
        else:
            best, ok = options[0], len(options) == 1
        if ok:
            place.lat, place.lon, place.precision = best[0], best[1], "wof"
            taken.add(best)
            accepted += 1
    return accepted


def finish(builder: Builder) -> None:
    """After the late links (which bring more trusted points): a postal point now farther
    than :data:`HROMADA_RADIUS_KM` from its hromada's trusted centre is dropped, the
    approximations are made again from the final own points, and the units' centres are
    set."""
    settlements = _settlements(builder)
    trusted = _centres(settlements, "hromada_id", ("geonames",))
    dropped = 0
    for place in settlements:
        centre = trusted.get(place.hromada_id or "")
        point = place.point
        if (
            place.precision in ("postal", "wof")
            and centre is not None
            and point is not None
            and distance_km(point, centre) > HROMADA_RADIUS_KM
        ):
            place.lat = place.lon = place.precision = None
            dropped += 1
        if place.precision in APPROXIMATE:
            place.lat = place.lon = place.precision = None
    _approximate(settlements)
    _unit_centres(builder, settlements)
    builder.stats["postal_dropped_after_late_links"] = dropped
    counts: dict[str, int] = defaultdict(int)
    for place in settlements:
        counts[place.precision or "none"] += 1
    builder.stats["ua_settlement_precision"] = dict(sorted(counts.items()))


APPROXIMATE = frozenset({"hromada", "raion", "oblast"})


def _approximate(settlements: list[Place]) -> None:
    """A settlement without a point of its own stands at its hromada's (raion's, oblast's)
    median of own points, and says so in its precision."""
    levels = [
        ("hromada_id", "hromada", _centres(settlements, "hromada_id", OWN)),
        ("raion_id", "raion", _centres(settlements, "raion_id", OWN)),
        ("admin1_id", "oblast", _centres(settlements, "admin1_id", OWN)),
    ]
    for place in settlements:
        if place.point is not None:
            continue
        for attr, precision, centres in levels:
            centre = centres.get(getattr(place, attr) or "")
            if centre is not None:
                place.lat, place.lon = round(centre[0], 5), round(centre[1], 5)
                place.precision = precision
                break


def _unit_centres(builder: Builder, settlements: list[Place]) -> None:
    """Hromadas, raions and oblasts at the median of their settlements' own points (of all
    their points when none is their own)."""
    for attr, kind in (("hromada_id", "hromada"), ("raion_id", "raion"), ("admin1_id", "oblast")):
        own = _centres(settlements, attr, OWN)
        rough = _centres(settlements, attr, ("hromada", "raion", "oblast"))
        for group_id in sorted(set(own) | set(rough)):
            unit = builder.places[group_id]
            if unit.point is None and unit.kind == kind:
                centre = own.get(group_id) or rough[group_id]
                unit.lat, unit.lon = round(centre[0], 5), round(centre[1], 5)
                unit.precision = "centroid"
    for place in builder.places.values():
        if place.kind == "city_district" and place.point is None and place.parent_id:
            parent = builder.places.get(place.parent_id)
            if parent is not None and parent.point is not None:
                place.lat, place.lon, place.precision = parent.lat, parent.lon, "centroid"


# -- city districts ---------------------------------------------------------------------------


def city_districts(builder: Builder) -> None:
    """Unlinked Ukrainian GeoNames places inside a large city are its districts."""
    cities = sorted(
        (
            p
            for p in builder.places.values()
            if p.country == "UA"
            and p.kind == "city"
            and p.katottg
            and p.point
            and (p.population or 0) >= CITY_MIN_POPULATION
        ),
        key=lambda p: -(p.population or 0),
    )
    all_cities = [
        p
        for p in builder.places.values()
        if p.country == "UA" and p.kind == "city" and p.katottg and p.point
    ]
    moved = []
    for place in sorted(builder.places.values(), key=lambda p: p.id):
        if place.country != "UA" or place.katottg or place.kind not in ("city", "place"):
            continue
        point = place.point
        if point is None:
            continue
        target = next(
            (
                city
                for city in cities
                if city.point
                and distance_km(point, city.point)
                <= 3.0 + 6.0 * math.sqrt((city.population or 0) / 1e6)
            ),
            None,
        )
        if target is None and (place.population or 0) >= TOWN_SIZED:
            near = [
                (distance_km(point, c.point), c)
                for c in all_cities
                if c.point and distance_km(point, c.point) <= QUARTER_OF_NEAREST_CITY_KM
            ]
            if near:
                _, target = max(
                    near, key=lambda dc: ((dc[1].population or 0) / max(dc[0], 1.0) ** 2, dc[1].id)
                )
        if target is not None:
            place.kind = "city_district"
            place.parent_id = target.id
            place.admin1_id = target.admin1_id
            place.raion_id = target.raion_id
            place.hromada_id = target.hromada_id
            moved.append(f"{place.name_en} → {target.name_uk}")
    builder.stats["geonames_places_made_city_districts"] = len(moved)
    builder.stats["geonames_places_made_city_districts_sample"] = moved[:40]
