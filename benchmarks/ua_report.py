"""Figures on the Ukrainian part of a gazetteer: Russian names, former names, points.

The audit of issue 12 measured how many Ukrainian settlements lack a Russian name, how
many Russian names are not Russian at all (Belarusian *Зарэчнае*, Crimean Tatar
*Къарасувбазар*), how few villages carry a former name, and how many settlements stand
on a borrowed point. This script prints those figures for one gazetteer file, so that a
build can be compared with another::

    python benchmarks/ua_report.py /tmp/before.sqlite /tmp/after.sqlite

One JSON object per file (plain SQL over ``places`` and ``names``; nothing is resolved).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

SETTLEMENTS = "('city', 'urban_settlement', 'settlement', 'village')"
# Letters Russian does not write (Ukrainian, Belarusian) and endings only Belarusian
# forms take: a Russian name holding one is not a Russian name.
NON_RUSSIAN_LETTERS = "ўіїєґ'’ʼ"
BELARUSIAN_ENDINGS = ("ае", "ая", "ічы", "аўка", "скае", "цкае")


def _not_russian(name: str) -> bool:
    lowered = name.lower()
    if any(ch in lowered for ch in NON_RUSSIAN_LETTERS) or "къ" in lowered:
        return True
    return any(word.endswith(BELARUSIAN_ENDINGS[2:]) for word in lowered.split())


def report(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:

        def scalar(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        ua = f"country = 'UA' AND katottg IS NOT NULL AND kind IN {SETTLEMENTS}"
        villages = scalar(f"SELECT COUNT(*) FROM places WHERE {ua} AND kind = 'village'")
        with_ru = scalar(
            f"SELECT COUNT(*) FROM places p WHERE {ua} AND kind = 'village' AND EXISTS"
            " (SELECT 1 FROM names n WHERE n.place_id = p.id AND n.lang = 'ru')"
        )
        ru_names = [
            r[0]
            for r in conn.execute(
                "SELECT name_ru FROM places WHERE country = 'UA' AND name_ru IS NOT NULL"
            )
        ]
        ua_places = scalar("SELECT COUNT(*) FROM places WHERE country = 'UA'")
        historical = scalar(
            f"SELECT COUNT(DISTINCT p.id) FROM places p JOIN names n ON n.place_id = p.id"
            f" WHERE {ua} AND p.kind = 'village' AND n.type IN ('historical', 'occupation')"
        )
        by_type = dict(
            conn.execute(
                "SELECT n.type, COUNT(*) FROM names n JOIN places p ON p.id = n.place_id"
                " WHERE p.country = 'UA' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        precision = dict(
            conn.execute(
                f"SELECT COALESCE(precision, 'none'), COUNT(*) FROM places WHERE {ua}"
                " GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
        )
        shared = conn.execute(
            f"SELECT COUNT(*), SUM(n) FROM (SELECT COUNT(*) AS n FROM places WHERE {ua}"
            " AND lat IS NOT NULL GROUP BY lat, lon HAVING COUNT(*) > 1)"
        ).fetchone()
        hromadas = scalar("SELECT COUNT(*) FROM places WHERE country = 'UA' AND kind = 'hromada'")
        hromadas_ru = scalar(
            "SELECT COUNT(*) FROM places WHERE country = 'UA' AND kind = 'hromada'"
            " AND name_ru IS NOT NULL"
        )
        raions_ru = scalar(
            "SELECT COUNT(*) FROM places WHERE country = 'UA' AND kind = 'raion'"
            " AND name_ru IS NOT NULL"
        )
        return {
            "file": str(path),
            "size_mb": round(path.stat().st_size / 1e6, 1),
            "ua_villages": villages,
            "ua_villages_with_a_russian_name": with_ru,
            "ua_places": ua_places,
            "ua_places_with_name_ru": len(ru_names),
            "ua_name_ru_not_russian": sum(1 for n in ru_names if _not_russian(n)),
            "ua_villages_with_a_former_name": historical,
            "ua_names_by_type": by_type,
            "ua_hromadas": hromadas,
            "ua_hromadas_with_name_ru": hromadas_ru,
            "ua_raions_with_name_ru": raions_ru,
            "ua_settlement_precision": precision,
            "ua_shared_points": shared[0],
            "ua_settlements_on_shared_points": shared[1] or 0,
        }
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("db", type=Path, nargs="+", help="gazetteer files")
    args = parser.parse_args(argv)
    for path in args.db:
        if not path.is_file():
            print(f"error: no such file: {path}", file=sys.stderr)
            return 2
        print(json.dumps(report(path), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
