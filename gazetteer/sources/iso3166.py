"""ISO 3166 country and subdivision names in many languages, from the ``pycountry`` package.

pycountry carries the ISO 3166-1 and 3166-2 lists with the Debian ``iso-codes`` project's
translations (gettext catalogues). We keep Ukraine's and Russia's subdivisions and every
country, each name in the languages our users' texts come in.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazetteer.tsv import read_rows, write_rows

LICENSE = "LGPL-2.1+ (pycountry, Debian iso-codes); names are facts of ISO 3166"
LANGUAGES = ("uk", "ru", "en", "de", "fr", "pl", "es", "it", "cs", "be", "ro", "hu", "tr")
SUBDIVISION_COUNTRIES = ("UA", "RU")
COLUMNS = ("code", "country", "level", "type", "lang", "name")


@dataclass(frozen=True, slots=True)
class IsoName:
    """One name of a country (level 1) or a subdivision (level 2) in one language."""

    code: str
    country: str
    level: int
    type: str
    lang: str
    name: str


def _translator(domain: str, lang: str, locales: str) -> Any:
    return gettext.translation(domain, locales, languages=[lang], fallback=True)


def parse_pycountry() -> Iterator[IsoName]:
    """Read countries and UA/RU subdivisions with their translations from pycountry."""
    import pycountry  # only needed to re-read the upstream data

    locales = pycountry.LOCALES_DIR
    for lang in LANGUAGES:
        countries = _translator("iso3166-1", lang, locales)
        for country in pycountry.countries:
            names = {country.name, getattr(country, "common_name", country.name)}
            if lang == "en":
                names.add(getattr(country, "official_name", country.name))
            for english in sorted(names):
                translated = countries.gettext(english)
                if lang != "en" and translated == english:
                    continue
                yield IsoName(country.alpha_2, country.alpha_2, 1, "Country", lang, translated)
        subdivisions = _translator("iso3166-2", lang, locales)
        for code in SUBDIVISION_COUNTRIES:
            for sub in pycountry.subdivisions.get(country_code=code):  # type: ignore[no-untyped-call]
                translated = subdivisions.gettext(sub.name)
                if lang != "en" and translated == sub.name:
                    continue
                yield IsoName(sub.code, code, 2, sub.type, lang, translated)


def write_names(path: Path, names: Iterable[IsoName], *, comments: list[str]) -> int:
    unique = sorted(set(names), key=lambda n: (n.level, n.code, n.lang, n.name))
    rows = ((n.code, n.country, n.level, n.type, n.lang, n.name) for n in unique)
    return write_rows(path, COLUMNS, rows, comments=comments)


def read_names(path: Path) -> Iterator[IsoName]:
    for row in read_rows(path, COLUMNS):
        yield IsoName(
            row["code"], row["country"], int(row["level"]), row["type"], row["lang"], row["name"]
        )
