"""Build stage: the Russian and former names of Ukrainian places.

Run by :func:`gazetteer.build.build` in two steps:

:func:`add_names` (after the curated names, before the generated ones)
    - every KATOTTG settlement's Russian name from KOATUU 2019 (``koatuu_ru.tsv``), in
      sentence case, typed ``official``; the press spelling where ``ru_spellings.tsv``
      has a rule (Клещиевка → Клещеевка), typed ``alternate``. A KOATUU name of a place
      renamed since 2019 is the Russian of its *former* name (ЖЕЛАННОЕ for today's
      Благодатне) and is stored as ``historical``;
    - the renamings the classifier editions show (``ua_renamings.tsv``): the old Ukrainian
      name (and the old Russian one where KOATUU gives it) as ``historical`` names;
    - the 490 raions of before the 2020 reform (``koatuu_raions.tsv``): a raion that kept
      its name gives the new one its Russian name; one that did not leaves its Ukrainian
      and Russian names as ``historical`` names of its successor (the raion that holds
      most of its settlements), valid until the reform of 2020-07-17;
    - Russian names of the other raions and of the hromadas, from their adjective, and
      the forms of a hromada's name news write (``hromada_forms.tsv``: Часовоярська
      міська громада, Часовоярская община, Часовоярская ОТГ);
    - GeoNames alternates tagged Russian by their letters that are no Russian
      (Belarusian Зарэчнае, Crimean Tatar Къарасувбазар) lose the tag.

:func:`choose_russian_names` (after :meth:`Builder.fill_russian_names`)
    a Ukrainian place still without a Russian name (or with one that is not Russian) gets
    the spelling our uk → ru rules rank first (:mod:`toponyms.text.ukru`), typed
    ``generated``: a weaker name than any a source gives.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gazetteer import curated
from gazetteer.russian import (
    generated_russian,
    is_russian,
    press_variants,
    sentence_case,
)
from gazetteer.sources import koatuu, renamings
from toponyms.text.normalize import fold
from toponyms.text.translit import romanize

if TYPE_CHECKING:
    from gazetteer.build import Builder, Place

KOATUU_SOURCE = "KOATUU 2019"
GENERATED_SOURCE = "generated: uk→ru rules (toponyms/text/data/uk_ru.tsv)"
# The Verkhovna Rada's resolution No. 807-IX of 2020-07-17 formed the 136 new raions and
# abolished the 490 old ones.
RAION_REFORM = "2020-07-17"
RAION_REFORM_SOURCE = "Verkhovna Rada resolution No. 807-IX of 2020-07-17"
# When a renaming found by comparing editions took effect (the year: the editions only
# bracket it). The decommunisation renamings were adopted in 2016 (resolutions 984-VIII
# to 1468-VIII); a spelling correction is known only to predate the later edition.
RENAMING_YEAR = {
    ("koatuu2015-2019", True): "2016",
    ("koatuu2015-2019", False): "2019",
    ("katottg2020-2024", True): "2024",
    ("katottg2020-2024", False): "2024",
}
EDITION_LABEL = {
    "koatuu2015-2019": "KOATUU 2015-07-15 → 2019-05-30",
    "katottg2020-2024": "KATOTTG 2020 → 2024",
}
REAL_RENAMING = 0.7  # name similarity below which a change is a new name, not a spelling fix
SETTLEMENT_KINDS = frozenset({"city", "urban_settlement", "settlement", "village"})
_SAME_LETTERS = str.maketrans({"є": "е", "і": "и", "ї": "и", "ґ": "г", "ё": "е"})


def same_name(a: str, b: str) -> bool:
    """Whether two Ukrainian names are one name, spelt by two editions (case, apostrophe,
    є/е, і/и, soft sign and doubled letters aside: Підгородне and Підгороднє, Юр'ївка and
    Юріївка)."""

    def key(text: str) -> str:
        lowered = text.lower().translate(_SAME_LETTERS)
        letters = [ch for ch in lowered if ch.isalpha() and ch != "ь"]
        return "".join(ch for i, ch in enumerate(letters) if i == 0 or letters[i - 1] != ch)

    return key(a) == key(b)


@dataclass(frozen=True, slots=True)
class HromadaForm:
    """A form of a hromada's name (``{adj} міська громада``, ``{adj} ОТГ``)."""

    lang: str
    pattern: str
    centre_kinds: frozenset[str]  # empty: any centre
    source: str


def read_hromada_forms(data_dir: Path) -> list[HromadaForm]:
    if not curated.exists("hromada_forms.tsv", data_dir):
        return []
    return [
        HromadaForm(
            row["lang"], row["pattern"], frozenset(row["centre_kinds"].split()), row["source"]
        )
        for row in curated.read("hromada_forms.tsv", data_dir)
    ]


def add_names(builder: Builder) -> None:
    """Russian, former and old-raion names of Ukrainian places (see the module's doc)."""
    sources = builder.sources_dir
    dates = _renaming_years(builder, sources / "ua_renamings.tsv")
    _koatuu_names(builder, sources / "koatuu_ru.tsv", dates)
    _renamings(builder, sources / "ua_renamings.tsv")
    _old_raions(builder, sources / "koatuu_raions.tsv")
    _unit_names(builder)
    _untag_non_russian(builder)


def _year(row: renamings.Renaming) -> str:
    return RENAMING_YEAR[row.edition, row.similarity < REAL_RENAMING]


def _renaming_years(builder: Builder, path: Path) -> dict[str, str]:
    """The year each renamed place took its present name, by place id."""
    if not path.exists():
        return {}
    years = {}
    for row in renamings.read(path):
        place = builder.by_katottg.get(row.katottg)
        if place is not None and row.similarity < REAL_RENAMING:
            years[place.id] = _year(row)
    return years


def _renamings(builder: Builder, path: Path) -> None:
    """Former names from the edition comparisons (the Russian one where KOATUU has it)."""
    if not path.exists():
        return
    added = 0
    for row in renamings.read(path):
        place = builder.by_katottg.get(row.katottg)
        if place is None or not place.name_uk:
            continue
        suffix = _unit_suffix(row.category)
        old_uk = _as_name(row.old_uk, None) + suffix
        year = _year(row)
        source = f"{EDITION_LABEL[row.edition]}: renamed"
        if fold(old_uk) != fold(place.name_uk):
            place.add_name(old_uk, "uk", "historical", source, valid_to=year)
            added += 1
        if row.old_ru and not same_name(old_uk, place.name_uk):
            # (a spelling fix leaves the Russian name as it was: the current one)
            old_ru = sentence_case(row.old_ru, old_uk if not suffix else None) + suffix
            if is_russian(old_ru):
                source = f"{source} (Russian: KOATUU 2019)"
                place.add_name(old_ru, "ru", "historical", source, valid_to=year)
                added += 1
    builder.stats["ua_renaming_names"] = added


def _unit_suffix(category: str) -> str:
    """The word KATOTTG leaves off a hromada's or raion's adjective (same in Russian)."""
    return {"H": " громада", "P": " район"}.get(category, "")


def _as_name(text: str, template: str | None) -> str:
    """A classifier's name as a name: capitals (KOATUU) brought to sentence case."""
    if text.isupper() or not any(ch.islower() for ch in text):
        return sentence_case(text, template)
    return text


def _koatuu_names(builder: Builder, path: Path, dates: dict[str, str]) -> None:
    if not path.exists():
        return
    official = historical = variants = 0
    for row in koatuu.read_settlements(path):
        place = builder.by_katottg.get(row.katottg)
        if place is None or not place.name_uk:
            continue
        current = same_name(row.name_uk, place.name_uk)
        name_uk = place.name_uk if current else _as_name(row.name_uk, None)
        russian = sentence_case(row.name_ru, name_uk)
        if not is_russian(russian):
            continue  # the edition repeats the Ukrainian name (КАМ'ЯНЕ)
        if current and dates.get(place.id) == "2016" and _letter_for_letter(russian, name_uk):
            # Renamed in 2016, the place often got a letter-for-letter "Russian" name
            # (ОЛЕШКИ for Олешки, whose Russian name is Алешки): kept, not preferred.
            place.add_name(russian, "ru", "alternate", f"{KOATUU_SOURCE} (renamed in 2016)")
            continue
        if current:
            # GeoNames' copy of the same spelling (untagged, or tagged by its letters)
            # gives way to the classifier's.
            place.names = [
                n
                for n in place.names
                if not (n[0] == russian and n[1] in ("und", "ru") and n[2] == "alternate")
            ]
            place.add_name(russian, "ru", "official", KOATUU_SOURCE)
            place.name_ru = russian
            official += 1
            for variant in press_variants(russian):
                place.add_name(variant, "ru", "alternate", f"{KOATUU_SOURCE}, press spelling")
                variants += 1
        else:
            valid_to = dates.get(place.id)
            source = f"{KOATUU_SOURCE}: the name before the renaming"
            place.add_name(russian, "ru", "historical", source, valid_to=valid_to)
            if fold(name_uk) != fold(place.name_uk):
                place.add_name(name_uk, "uk", "historical", source, valid_to=valid_to)
            historical += 1
    builder.stats["koatuu_ru_official"] = official
    builder.stats["koatuu_ru_former"] = historical
    builder.stats["koatuu_ru_press_variants"] = variants


def _letter_for_letter(russian: str, name_uk: str) -> bool:
    """Whether a Russian name only spells the Ukrainian one in Russian letters, when our
    rules would translate it otherwise (ОЛЕШКИ, not АЛЕШКИ, for Олешки)."""
    generated = generated_russian(name_uk)
    return (
        same_name(russian, name_uk) and generated is not None and fold(generated) != fold(russian)
    )


def _old_raions(builder: Builder, path: Path) -> None:
    if not path.exists():
        return
    kept = former = 0
    # The towns of each oblast, largest first: an old raion's centre is among them.
    towns: dict[str, list[Place]] = defaultdict(list)
    for place in builder.places.values():
        if place.country == "UA" and place.kind in CENTRE_KINDS and place.admin1_id:
            towns[place.admin1_id].append(place)
    for places in towns.values():
        places.sort(key=lambda p: (-(p.population or 0), CENTRE_KINDS.index(p.kind), p.id))
    for raion in koatuu.read_raions(path):
        successor = builder.by_katottg.get(raion.successor)
        if successor is None or not successor.name_uk:
            continue
        name_uk = _raion_name(raion.name_uk, None)
        name_ru = _raion_name(raion.name_ru, name_uk)
        source = (
            f"KOATUU 2019: raion {raion.koatuu} before the 2020 reform; successor by the"
            f" KOATUU-KATOTTG transition table ({raion.share:.0%} of its settlements)"
        )
        if same_name(name_uk, successor.name_uk):
            if is_russian(name_ru) and not successor.name_ru:
                successor.name_ru = name_ru
                successor.add_name(
                    name_ru, "ru", "official", f"{KOATUU_SOURCE} (the raion of that name)"
                )
            kept += 1
        else:
            successor.add_name(name_uk, "uk", "historical", source, valid_to=RAION_REFORM)
            if is_russian(name_ru):
                successor.add_name(name_ru, "ru", "historical", source, valid_to=RAION_REFORM)
            for english in _english_raion_names(name_uk, towns.get(successor.admin1_id or "", [])):
                successor.add_name(english, "en", "historical", source, valid_to=RAION_REFORM)
            former += 1
        old = _raion_name(raion.name_uk_2015, None) if raion.name_uk_2015 else ""
        if old and not same_name(old, name_uk):
            renamed = f"KOATUU 2015-07-15: raion {raion.koatuu}, renamed by 2019"
            successor.add_name(old, "uk", "historical", renamed, valid_to="2016")
            russian = generated_russian(old)
            if russian:
                successor.add_name(
                    russian, "ru", "generated", f"{GENERATED_SOURCE}; {renamed}", valid_to="2016"
                )
    builder.stats["old_raions_same_name"] = kept
    builder.stats["old_raions_as_former_names"] = former
    _occupation_units(builder, list(koatuu.read_raions(path)))


#: Kinds of place a raion was named after, the likelier first.
CENTRE_KINDS = ("city", "urban_settlement", "settlement")
#: Letters a raion's adjective shares with its centre's name, at least (Ясинуватський,
#: Ясинувата; Запорізький, Запоріжжя).
CENTRE_PREFIX = 5


def common_prefix(a: str, b: str) -> int:
    """How many first letters ``a`` and ``b`` share."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _english_raion_names(name_uk: str, towns: list[Place]) -> list[str]:
    """The English names news give a raion abolished in 2020: its adjective romanised
    (*Yasynuvatskyi raion*) and its centre's name (*Yasynuvata district*, the oblast's
    largest town whose name shares the adjective's first letters)."""
    adjective = name_uk.removesuffix(" район")
    if adjective == name_uk:
        return []
    translit = romanize(adjective, "kmu2010")
    names = [f"{translit} raion", f"{translit} district"]
    stem = fold(adjective)
    for town in towns:
        name = fold(town.name_uk or "")
        if common_prefix(name, stem) >= CENTRE_PREFIX and town.name_en:
            names += [f"{town.name_en} district", f"{town.name_en} raion"]
            break
    return names


def _occupation_units(builder: Builder, raions: list[koatuu.OldRaion]) -> None:
    """Units of the Russian occupation administrations (``occupation_units.tsv``), each
    formed in the borders of a pre-2020 raion: names of that raion's successor."""
    if not curated.exists("occupation_units.tsv", builder.data_dir):
        return
    unresolved = []
    for row in curated.read("occupation_units.tsv", builder.data_dir):
        matches = []
        for raion in raions:
            successor = builder.by_katottg.get(raion.successor)
            if successor is None or not same_name(
                _raion_name(raion.name_uk, None), row["old_raion_uk"]
            ):
                continue
            region = builder.places.get(successor.admin1_id or "")
            if region is not None and (region.name_uk or "").startswith(row["oblast_uk"]):
                matches.append(successor)
        if len(matches) != 1:
            unresolved.append(f"occupation_units: {row['old_raion_uk']} ({row['oblast_uk']})")
            continue
        source = f"{row['authority']}: {row['source']} ({row['old_raion_uk']})"
        matches[0].add_name(row["name"], row["lang"], row["type"], source)
    if unresolved:
        stats = builder.stats.setdefault("curated_unresolved", [])
        if isinstance(stats, list):
            stats.extend(unresolved)


def _raion_name(upper: str, template: str | None) -> str:
    """``БАХМУТСЬКИЙ РАЙОН`` → ``Бахмутський район`` (the generic word in lower case)."""
    words = upper.split()
    if words and words[-1].lower() == "район":
        adjective = " ".join(words[:-1])
        shape = template.removesuffix(" район") if template else None
        return f"{sentence_case(adjective, shape)} район"
    return sentence_case(upper, template)


RANK = {"city": 0, "urban_settlement": 1, "settlement": 2, "village": 3}


def hromada_centres(builder: Builder) -> dict[str, Place]:
    """The settlement each hromada is named after: the member whose name shares the longest
    beginning (three letters at least) with the hromada's adjective, the larger kind on a
    tie (Часовоярська ← Часів Яр, Покровська ← Покровськ); else the member of the largest
    kind, which the hromada's centre nearly always is."""
    members: dict[str, list[Place]] = defaultdict(list)
    for place in builder.places.values():
        if place.kind in SETTLEMENT_KINDS and place.katottg and place.hromada_id:
            members[place.hromada_id].append(place)
    centres: dict[str, Place] = {}
    for hromada_id, places in members.items():
        hromada = builder.places.get(hromada_id)
        if hromada is None or not hromada.name_uk:
            continue
        adjective = _letters(hromada.name_uk.removesuffix(" громада"))
        centres[hromada_id] = max(places, key=lambda p: _centre_score(p, adjective))
    return centres


def _centre_score(place: Place, adjective: str) -> tuple[int, int, str]:
    name = _letters(place.name_uk or "")
    common = 0
    for a, b in zip(name, adjective, strict=False):
        if a != b:
            break
        common += 1
    return (common if common >= 3 else 0, -RANK.get(place.kind, 9), place.id)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def _unit_names(builder: Builder) -> None:
    """Russian names of raions and hromadas from their adjective, and the hromada forms."""
    forms = read_hromada_forms(builder.data_dir)
    centres = hromada_centres(builder)
    for place in builder.places.values():
        if place.country != "UA" or place.kind not in ("raion", "hromada") or not place.name_uk:
            continue
        word = " район" if place.kind == "raion" else " громада"
        if not place.name_uk.endswith(word):
            continue
        adjective = place.name_uk.removesuffix(word)
        russian = generated_russian(adjective)
        if place.kind == "raion":
            if not place.name_ru and russian:
                place.name_ru = f"{russian} район"
                place.add_name(place.name_ru, "ru", "generated", GENERATED_SOURCE)
            continue
        if russian and not place.name_ru:
            place.name_ru = f"{russian} громада"
        centre = centres.get(place.id)
        kind = centre.kind if centre is not None else ""
        if centre is not None and centre.name_uk:
            # The English name news use: the centre's and "hromada" (Chasiv Yar hromada).
            english = f"{romanize(centre.name_uk, 'kmu2010')} hromada"
            place.add_name(english, "en", "alternate", "the centre's name and 'hromada'")
        for form in forms:
            if form.centre_kinds and kind not in form.centre_kinds:
                continue
            stem = adjective if form.lang == "uk" else russian
            if not stem:
                continue
            type_ = "alternate" if form.lang == "uk" else "generated"
            place.add_name(
                form.pattern.replace("{adj}", stem),
                form.lang,
                type_,
                f"hromada_forms.tsv: {form.source}",
            )


def _untag_non_russian(builder: Builder) -> None:
    """A Ukrainian place's GeoNames alternate tagged Russian by its letters but spelt in
    another language (Зарэчнае, Къарасувбазар) is kept untagged (``und``)."""
    changed = 0
    for place in builder.places.values():
        if place.country != "UA":
            continue
        names = []
        for name, lang, type_, vf, vt, source in place.names:
            if lang == "ru" and source == "GeoNames" and not is_russian(name):
                lang = "und"
                changed += 1
            names.append((name, lang, type_, vf, vt, source))
        place.names = names
    builder.stats["ua_names_untagged_not_russian"] = changed


def choose_russian_names(builder: Builder) -> None:
    """A generated Russian name for every Ukrainian place a source gives none."""
    generated = replaced = 0
    for place in builder.places.values():
        if place.country != "UA" or not place.name_uk or place.kind == "country":
            continue
        if place.name_ru and is_russian(place.name_ru):
            continue
        if place.name_ru:
            replaced += 1
            place.name_ru = None
        _generate(place)
        if place.name_ru:
            generated += 1
    builder.stats["ua_name_ru_generated"] = generated
    builder.stats["ua_name_ru_not_russian_replaced"] = replaced
    builder.stats["ua_settlement_name_ru_by_source"] = russian_name_counts(builder)


def _generate(place: Place) -> None:
    russian = generated_russian(place.name_uk or "")
    if russian is None:
        return
    place.name_ru = russian
    existing = {(fold(n), lang) for n, lang, *_ in place.names}
    if (fold(russian), "ru") not in existing:
        place.add_name(russian, "ru", "generated", GENERATED_SOURCE)


TYPE_ORDER = {"official": 0, "exonym": 1, "alternate": 2, "generated": 3}


def russian_name_counts(builder: Builder) -> dict[str, int]:
    """How many Ukrainian settlements have their Russian name from which source."""
    counts: dict[str, int] = defaultdict(int)
    for place in builder.places.values():
        if place.country == "UA" and place.kind in SETTLEMENT_KINDS and place.katottg:
            # The source of the strongest row of that spelling (an official one first).
            rows = sorted(
                (TYPE_ORDER.get(t, 9), src)
                for n, lang, t, _, _, src in place.names
                if lang == "ru" and n == place.name_ru
            )
            counts[rows[0][1] if rows else "none"] += 1
    return dict(counts)
