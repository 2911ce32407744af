"""Russia from KLADR: federal subjects' Russian names, districts, and the border regions'
inhabited places, placed by their post offices.

Two build steps (called from :mod:`gazetteer.build`):

- :func:`add_regions_and_districts`, after the first-level regions: each federal
  subject takes its official Russian name from its KLADR row (``обл Курская`` → Курская
  область; ``kladr_regions.tsv`` ties KLADR's region codes to ISO 3166-2), and every
  KLADR district becomes a ``raion`` place ``kladr:<code>`` under its subject.
- :func:`add_places`, once GeoNames' places are in: each district takes the median of
  its villages' post-office points, each KLADR town or village that GeoNames already has
  is linked to that record (which takes KLADR's Russian name and district), and
  the inhabited places of the border regions GeoNames lacks become places
  ``kladr:<code>``, at their own post office when it has a trusted point, else at their
  district's point (precision ``raion``: approximate).

A post-office point is trusted when GeoNames matched it to a place (accuracy 4) and it
lies within its region's extent, the box of the region's GeoNames places (a quarter of
the border oblasts' accuracy-4 points lie in other regions: GeoNames matched the office
to a namesake), and no farther than :data:`DISTRICT_RADIUS_KM` from the median of its
district's points.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from gazetteer import curated, geo
from gazetteer.sources import kladr, postal_ru
from toponyms.errors import GazetteerError, InvalidInputError
from toponyms.text.normalize import fold, script_of
from toponyms.text.translit import romanize

if TYPE_CHECKING:
    from gazetteer.build import Builder, Place

SOURCE = "KLADR (FNS, 2016)"
# Degrees around a region's GeoNames places within which its post offices may lie.
REGION_MARGIN_DEG = 0.5
# How far a district's post offices may lie from their median (beyond: a stray point).
DISTRICT_RADIUS_KM = 80.0
# How near a GeoNames place must lie to a KLADR place's post office to be that place.
LINK_KM = 10.0
# How near to the district's point, when the KLADR place has no point of its own.
LINK_DISTRICT_KM = 40.0
TRUSTED_ACCURACY = 4


def _fold(text: str) -> str:
    try:
        return fold(text)
    except InvalidInputError:
        return ""


def _english(name_ru: str) -> str:
    return romanize(name_ru, "wikipedia_ru")


def read_region_codes(builder: Builder) -> dict[str, str]:
    """KLADR region code → ISO 3166-2 code (``kladr_regions.tsv``)."""
    return {
        row["kladr_region"]: row["iso"]
        for row in curated.read("kladr_regions.tsv", builder.data_dir)
    }


def add_regions_and_districts(builder: Builder) -> None:
    """Russian names of the federal subjects and a ``raion`` place per KLADR district."""
    from gazetteer.build import Place

    codes = read_region_codes(builder)
    rows = list(kladr.read(builder.sources_dir / "kladr_ru.tsv"))
    builder.kladr_rows = rows
    regions: dict[str, Place] = {}
    for code, iso in sorted(codes.items()):
        region = builder.admin1_by_iso.get(iso)
        if region is None:
            raise GazetteerError(f"kladr_regions.tsv: {iso} is not a region of the gazetteer")
        regions[code] = region
    builder.kladr_regions = regions
    named = 0
    districts = 0
    for row in rows:
        region = regions.get(row.region)
        if region is None:
            continue  # Crimea and Sevastopol (Ukraine's units), Baikonur (Kazakhstan)
        if row.level == 1:
            name = kladr.region_name(row.type, row.name)
            region.name_ru = name
            region.add_name(name, "ru", "official", SOURCE)
            named += 1
        elif row.level == 2:
            name = kladr.district_name(row.type, row.name)
            english = _english(row.name)
            place = builder._add(
                Place(
                    id=f"kladr:{row.code}",
                    kind="raion",
                    country="RU",
                    name_ru=name,
                    name_en=f"{english} District",
                    parent_id=region.id,
                    admin1_id=region.id,
                    raion_id=f"kladr:{row.code}",
                )
            )
            place.add_name(name, "ru", "official", SOURCE)
            word = "District" if row.type == "р-н" else "Ulus"
            for variant in {english, english.removesuffix("iy") + "y"}:
                place.add_name(f"{variant} {word}", "en", "alternate", f"romanised: {SOURCE}")
                if row.type == "р-н":
                    place.add_name(f"{variant} rayon", "en", "alternate", f"romanised: {SOURCE}")
            districts += 1
    builder.stats["kladr_regions_named"] = named
    builder.stats["kladr_districts"] = districts


def _region_boxes(builder: Builder) -> dict[str, geo.Box]:
    """Each Russian region's extent: the box of its GeoNames places, with a margin."""
    points: dict[str, list[geo.Point]] = defaultdict(list)
    for place in builder.places.values():
        if place.country != "RU" or not place.geonames_id or place.point is None:
            continue
        if place.admin1_id and place.admin1_id != place.id:
            points[place.admin1_id].append(place.point)
    boxes = {}
    for region_id, pts in points.items():
        box = geo.box_of(pts, margin=REGION_MARGIN_DEG)
        if box is not None:
            boxes[region_id] = box
    return boxes


def _trusted_offices(
    builder: Builder, offices: list[postal_ru.PostOffice], boxes: dict[str, geo.Box]
) -> tuple[dict[str, geo.Point], int]:
    """KLADR code → its post office's point, for trusted points; and how many were rejected."""
    found: dict[str, list[geo.Point]] = defaultdict(list)
    rejected = 0
    for office in offices:
        region = builder.kladr_regions.get(office.kladr_code[:2])
        if region is None or office.accuracy < TRUSTED_ACCURACY:
            continue
        box = boxes.get(region.id)
        point = (office.lat, office.lon)
        if box is None or not box.contains(point):
            rejected += 1
            continue
        found[office.kladr_code].append(point)
    return {code: geo.median_point(pts) for code, pts in found.items()}, rejected


def _district_points(offices: dict[str, geo.Point]) -> dict[str, geo.Point]:
    """A district's point: the median of its places' post offices, strays dropped."""
    by_district: dict[str, list[geo.Point]] = defaultdict(list)
    for code, point in sorted(offices.items()):
        if code[2:5] != "000":
            by_district[code[:5] + "000000"].append(point)
    result = {}
    for district, pts in by_district.items():
        middle = geo.median_point(pts)
        near = [p for p in pts if geo.distance_km(p, middle) <= DISTRICT_RADIUS_KM]
        result[district] = geo.median_point(near) if near else middle
    return result


def _geonames_by_name(builder: Builder) -> dict[tuple[str, str], list[Place]]:
    """Russia's GeoNames places by (region id, folded Cyrillic name)."""
    found: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for place_id in sorted(builder.places):
        place = builder.places[place_id]
        if place.country != "RU" or not place.geonames_id or place.kind not in ("city", "place"):
            continue
        if not place.admin1_id or place.admin1_id == place.id:
            continue
        keys = {_fold(n) for n, *_ in place.names if script_of(n) == "Cyrl"}
        for key in sorted(keys - {""}):
            found[(place.admin1_id, key)].append(place)
    return found


def add_places(builder: Builder) -> None:
    """District points; KLADR places linked to GeoNames or added (border regions)."""
    from gazetteer.build import Place

    all_offices = list(postal_ru.read(builder.sources_dir / "postal_ru.tsv"))
    boxes = _region_boxes(builder)
    offices, rejected = _trusted_offices(builder, all_offices, boxes)
    district_points = _district_points(offices)
    for code in sorted(offices):
        centre = district_points.get(code[:5] + "000000")
        if centre is not None and geo.distance_km(offices[code], centre) > DISTRICT_RADIUS_KM:
            del offices[code]  # a stray: the point of a namesake elsewhere in the region
            rejected += 1
    region_points = {
        region_id: geo.median_point(
            p.point
            for p in builder.places.values()
            if p.admin1_id == region_id and p.geonames_id and p.point and p.id != region_id
        )
        for region_id in boxes
    }
    approximate = 0
    for row in builder.kladr_rows:
        if row.level != 2 or f"kladr:{row.code}" not in builder.places:
            continue
        district = builder.places[f"kladr:{row.code}"]
        point = district_points.get(row.code)
        precision = "centroid"
        if point is None:
            point, precision = region_points.get(district.admin1_id or ""), "oblast"
            approximate += 1
        if point is not None:
            district.lat, district.lon = round(point[0], 5), round(point[1], 5)
            district.precision = precision

    by_name = _geonames_by_name(builder)
    # Each KLADR place meets the GeoNames places of its name in its region, nearest first.
    pairs: list[tuple[float, str, str]] = []
    candidates_of: dict[str, kladr.Row] = {}
    for row in builder.kladr_rows:
        if row.level not in (3, 4) or row.type not in kladr.PLACE_KINDS:
            continue
        region = builder.kladr_regions.get(row.region)
        if region is None:
            continue
        candidates_of[row.code] = row
        found = by_name.get((region.id, _fold(row.name)), [])
        own = offices.get(row.code)
        for place in found:
            assert place.point is not None
            if own is not None:
                distance = geo.distance_km(own, place.point)
                if distance <= LINK_KM:
                    pairs.append((distance, row.code, place.id))
                continue
            centre = district_points.get(row.district)
            if centre is not None:
                distance = geo.distance_km(centre, place.point)
                if distance <= LINK_DISTRICT_KM:
                    pairs.append((LINK_KM + distance, row.code, place.id))
            elif row.type in kladr.URBAN_TYPES and place is max(
                found, key=lambda p: (p.population or 0, p.id)
            ):
                # A town under its region directly, without a post office point: the
                # largest of its namesakes in the region.
                pairs.append((LINK_KM + LINK_DISTRICT_KM, row.code, place.id))
    linked: dict[str, str] = {}
    taken: set[str] = set()
    for _, code, place_id in sorted(pairs):
        if code in linked or place_id in taken:
            continue
        linked[code] = place_id
        taken.add(place_id)
    renamed = 0
    for code, place_id in sorted(linked.items()):
        renamed += _take_kladr(builder, builder.places[place_id], candidates_of[code])

    added = postal = 0
    for code, row in sorted(candidates_of.items()):
        if code in linked or row.region not in kladr.BORDER_REGIONS:
            continue
        region = builder.kladr_regions[row.region]
        district_id = f"kladr:{row.district}" if row.district else None
        if district_id not in builder.places:
            district_id = None
        place = builder._add(
            Place(
                id=f"kladr:{code}",
                kind=kladr.PLACE_KINDS[row.type],
                country="RU",
                name_ru=row.name,
                name_en=_english(row.name),
                parent_id=district_id or region.id,
                admin1_id=region.id,
                raion_id=district_id,
            )
        )
        place.add_name(row.name, "ru", "official", SOURCE)
        # No English name row: the resolver reads romanisations of the Russian name itself,
        # and a village's romanisation row would compete with a town's own English names.
        own = offices.get(code)
        if own is not None:
            place.lat, place.lon, place.precision = own[0], own[1], "postal"
            postal += 1
        else:
            # Approximate: the district's point, else the region's (the precision says so).
            home = builder.places.get(district_id or "")
            if home is not None and home.point is not None:
                place.lat, place.lon, place.precision = home.lat, home.lon, "raion"
            elif region.id in region_points:
                place.lat, place.lon = region_points[region.id]
                place.precision = "oblast"
        added += 1
    builder.stats["kladr_district_points_approximate"] = approximate
    builder.stats["kladr_postal_points_rejected"] = rejected
    builder.stats["kladr_linked_to_geonames"] = len(linked)
    builder.stats["kladr_russian_names_corrected"] = renamed
    builder.stats["kladr_places_added"] = added
    builder.stats["kladr_places_at_post_office"] = postal


def _take_kladr(builder: Builder, place: Place, row: kladr.Row) -> int:
    """A GeoNames place that is a KLADR place takes its Russian name and district;
    returns 1 when the Russian name changed (the letter-guessed one was misspelt)."""
    # KLADR writes е for ё: a GeoNames spelling that differs only by ё is the better one.
    name = row.name
    for other, *_ in place.names:
        if "ё" in other.lower() and _fold(other) == _fold(name) and other.replace("ё", "е") == name:
            name = other
            break
    changed = int(place.name_ru != name)
    if changed and place.name_ru:
        guess = place.name_ru
        place.names = [
            (n, "und", "alternate", vf, vt, src)
            if n == guess and lang == "ru" and type_ == "official"
            else (n, lang, type_, vf, vt, src)
            for n, lang, type_, vf, vt, src in place.names
        ]
    place.name_ru = name
    place.add_name(name, "ru", "official", SOURCE)
    # The kind stays GeoNames' (``place`` below 15,000 people): a kind's prior would make
    # a Russian town of 2,000 outrank the Ukrainian city whose old name it bears.
    district_id = f"kladr:{row.district}" if row.district else ""
    if district_id in builder.places:
        place.raion_id = district_id
        place.parent_id = district_id
    return changed
