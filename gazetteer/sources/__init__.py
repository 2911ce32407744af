"""One reader per upstream source, and the extracts of them kept in ``gazetteer/data/sources``.

:data:`FILES` declares each packaged extract with the columns its reader checks (the
same constants its writer uses), for the test that reads every data file.
"""

from __future__ import annotations

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
from toponyms.text.datafile import TsvFile


def _extract(name: str, columns: tuple[str, ...]) -> TsvFile:
    return TsvFile("gazetteer", f"data/sources/{name}", columns)


#: Every packaged source extract, by name.
FILES: dict[str, TsvFile] = {
    file.name.rsplit("/", 1)[-1]: file
    for file in (
        _extract("geonames_admin1.tsv", geonames.ADMIN1_COLUMNS),
        _extract("geonames_cities.tsv", geonames.CITY_COLUMNS),
        _extract("geonames_countries.tsv", geonames.COUNTRY_COLUMNS),
        _extract("iso3166.tsv", iso3166.COLUMNS),
        _extract("katottg.tsv", katottg.COLUMNS),
        _extract("kladr_ru.tsv", kladr.COLUMNS),
        _extract("koatuu_raions.tsv", koatuu.RAION_COLUMNS),
        _extract("koatuu_ru.tsv", koatuu.SETTLEMENT_COLUMNS),
        _extract("postal_ru.tsv", postal_ru.COLUMNS),
        _extract("postal_ua.tsv", postal.COLUMNS),
        _extract("ua_renamings.tsv", renamings.COLUMNS),
        _extract("wof_ua.tsv", wof.COLUMNS),
    )
}
