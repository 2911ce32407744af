"""Nearest places (`toponyms near`, :mod:`toponyms.near`): the R*Tree in the gazetteer file,
kept current by edits, checked and rebuilt by `gazetteer check`, and its answers against a
brute-force scan of every place."""

from __future__ import annotations

import json
import math
import random
import sqlite3
import statistics
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gazetteer import schema
from gazetteer.edits import Gazetteer
from toponyms.errors import InvalidCoordinatesError, InvalidInputError
from toponyms.near import Nearest, boxes, haversine_km, nearest

try:
    from toponyms._cli import app
except ImportError:
    from cli import app

KHERSON = (46.6354, 32.6169)  # the city centre
KHERSON_ID = "geonames:706448"
runner = CliRunner()


def _brute_force(db: Path, point: tuple[float, float], kinds: set[str] | None = None) -> list:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT id, kind, lat, lon FROM places WHERE status = 'active' AND lat IS NOT NULL"
        ).fetchall()
    finally:
        conn.close()
    scored = [
        (haversine_km(point, (lat, lon)), place_id)
        for place_id, kind, lat, lon in rows
        if kinds is None or kind in kinds
    ]
    return sorted(scored)


# -- the index in the file -------------------------------------------------------------------------


def test_build_writes_the_rtree_with_every_point(tiny_db: Path) -> None:
    conn = sqlite3.connect(tiny_db)
    try:
        assert schema.has_rtree(conn)
        points = conn.execute("SELECT COUNT(*) FROM places WHERE lat IS NOT NULL").fetchone()[0]
        indexed = conn.execute("SELECT COUNT(*) FROM places_rtree").fetchone()[0]
        mismatched = conn.execute(
            "SELECT COUNT(*) FROM places p JOIN places_rtree t ON t.id = p.rowid"
            " WHERE abs(t.min_lat - p.lat) > 1e-4 OR abs(t.min_lon - p.lon) > 1e-4"
        ).fetchone()[0]
    finally:
        conn.close()
    assert points > 500
    assert indexed == points  # the build's VACUUM kept the rowids the R*Tree points at
    assert mismatched == 0


def test_check_is_clean_on_a_fresh_build(tiny_db: Path) -> None:
    report = Gazetteer(tiny_db).check()
    assert report["counts"]["spatial"] == 0
    assert report["warning_counts"]["no_spatial_index"] == 0


# -- answers ---------------------------------------------------------------------------------------


def test_khersons_point_gives_kherson_first(tiny_db: Path) -> None:
    found = nearest(*KHERSON, limit=5, db=tiny_db)
    assert found[0].place.id == KHERSON_ID
    first = found[0].to_dict()
    assert (first["name"], first["kind"], first["country"]) == ("Kherson", "city", "UA")
    assert first["admin1"] == "Kherson Oblast"
    assert first["raion"] == "Khersonskyi raion"
    assert first["country_name"] == "Ukraine"
    assert 0 <= first["distance_km"] < 1
    distances = [n.distance_km for n in found]
    assert distances == sorted(distances)


@pytest.mark.parametrize(
    "point",
    [KHERSON, (46.62, 32.72), (50.45, 30.52), (47.0, 34.0), (0.0, 0.0), (89.9, 179.9), (-60, -179)],
)
@pytest.mark.parametrize("kind", [None, "village", "country"])
def test_same_answers_as_a_scan_of_every_place(
    tiny_db: Path, point: tuple[float, float], kind: str | None
) -> None:
    expected = _brute_force(tiny_db, point, {kind} if kind else None)[:7]
    with Nearest(tiny_db) as index:
        got = index.nearest(*point, limit=7, kind=kind)
    assert [round(n.distance_km, 6) for n in got] == [round(d, 6) for d, _ in expected]
    assert {n.place.id for n in got} <= {i for d, i in expected} | {
        i for d, i in _brute_force(tiny_db, point) if d <= expected[-1][0] + 1e-9
    }


def test_kind_filters_and_takes_a_list(tiny_db: Path) -> None:
    villages = nearest(*KHERSON, limit=8, kind="village", db=tiny_db)
    assert len(villages) == 8
    assert {n.place.kind for n in villages} == {"village"}
    assert KHERSON_ID not in {n.place.id for n in villages}
    mixed = nearest(*KHERSON, limit=20, kind=["city", "village"], db=tiny_db)
    assert {n.place.kind for n in mixed} == {"city", "village"}
    with pytest.raises(InvalidInputError, match="village"):  # the message lists the kinds
        nearest(*KHERSON, kind="town", db=tiny_db)


def test_bad_points_and_limits_raise(tiny_db: Path) -> None:
    with pytest.raises(InvalidCoordinatesError, match="latitude"):
        nearest(91, 0, db=tiny_db)
    with pytest.raises(InvalidCoordinatesError, match="longitude"):
        nearest(0, 181, db=tiny_db)
    with pytest.raises(InvalidInputError, match="limit"):
        nearest(*KHERSON, limit=0, db=tiny_db)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    km=st.floats(0.01, 25_000),
    bearing=st.floats(0, 2 * math.pi),
    share=st.floats(0, 1),
)
def test_boxes_hold_every_point_within_the_radius(
    lat: float, lon: float, km: float, bearing: float, share: float
) -> None:
    """A point ``share * km`` away in any direction lies in one of the boxes."""
    d = share * km / 6371.0
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(
        max(
            -1.0,
            min(1.0, math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing)),
        )
    )
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    lat2 = math.degrees(p2)
    lon2 = (math.degrees(l2) + 540) % 360 - 180
    if haversine_km((lat, lon), (lat2, lon2)) > km:
        return  # rounding took it just outside the circle
    eps = 1e-7
    assert any(
        a - eps <= lat2 <= b + eps and c - eps <= lon2 <= e + eps
        for a, b, c, e in boxes(lat, lon, km)
    ), (lat2, lon2, boxes(lat, lon, km))


# -- edits keep it current -------------------------------------------------------------------------


def _own_copy(tiny_db: Path, tmp_path: Path) -> Gazetteer:
    mine = tmp_path / "mine.sqlite"
    Gazetteer.init(mine, source=tiny_db, author="test", reason="near tests")
    return Gazetteer(mine, author="test")


def test_edits_keep_the_index_current(tiny_db: Path, tmp_path: Path) -> None:
    g = _own_copy(tiny_db, tmp_path)
    far = (47.9, 35.9)  # open steppe, far from the fixture's places
    new = g.add_place(name="Тестове", country="UA", kind="village", lat=far[0], lon=far[1]).id
    assert nearest(*far, limit=1, db=g.path)[0].place.id == new

    g.set(new, lat=46.7, lon=32.9)
    assert nearest(*far, limit=1, db=g.path)[0].place.id != new
    assert nearest(46.7, 32.9, limit=1, db=g.path)[0].place.id == new

    twin = g.add_place(name="Тестове", country="UA", kind="village", lat=46.7001, lon=32.9).id
    g.merge(twin, new)
    ids = [n.place.id for n in nearest(46.7, 32.9, limit=3, db=g.path)]
    assert new in ids and twin not in ids

    g.retire(new, reason="test")
    assert new not in [n.place.id for n in nearest(46.7, 32.9, limit=3, db=g.path)]
    report = g.check()
    assert report["counts"]["spatial"] == 0, report["problems"]["spatial"]


def test_a_file_without_the_index_still_answers_and_check_fix_writes_it(
    tiny_db: Path, tmp_path: Path
) -> None:
    g = _own_copy(tiny_db, tmp_path)
    conn = sqlite3.connect(g.path)
    for name in schema.RTREE_OBJECTS[1:]:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE places_rtree")
    conn.commit()
    conn.close()
    assert nearest(*KHERSON, limit=1, db=g.path)[0].place.id == KHERSON_ID  # a temporary index
    report = g.check()
    assert report["warning_counts"]["no_spatial_index"] == 1
    fixed = g.check(fix=True)
    assert fixed["warning_counts"]["no_spatial_index"] == 0
    assert fixed["counts"]["spatial"] == 0
    conn = sqlite3.connect(g.path)
    try:
        assert schema.has_rtree(conn)
    finally:
        conn.close()
    new = g.add_place(name="Друге", country="UA", kind="village", lat=47.9, lon=35.9).id
    assert nearest(47.9, 35.9, limit=1, db=g.path)[0].place.id == new  # triggers are back


def test_check_finds_a_stale_index_and_fix_mends_it(tiny_db: Path, tmp_path: Path) -> None:
    g = _own_copy(tiny_db, tmp_path)
    conn = sqlite3.connect(g.path)
    conn.execute(  # as a program that wrote to the R*Tree itself would leave it
        "UPDATE places_rtree SET min_lat = 47.5, max_lat = 47.5"
        " WHERE id = (SELECT rowid FROM places WHERE id = ?)",
        (KHERSON_ID,),
    )
    conn.commit()
    conn.close()
    report = g.check()
    assert report["counts"]["spatial"] >= 1
    assert any(isinstance(p, dict) and p["id"] == KHERSON_ID for p in report["problems"]["spatial"])
    assert not report["ok"]
    assert nearest(*KHERSON, limit=1, db=g.path)[0].place.id != KHERSON_ID  # as it was
    fixed = g.check(fix=True)
    assert fixed["counts"]["spatial"] == 0
    assert nearest(*KHERSON, limit=1, db=g.path)[0].place.id == KHERSON_ID


# -- the command -----------------------------------------------------------------------------------


def test_cli_near_json(tiny_db: Path) -> None:
    result = runner.invoke(
        app, ["near", "46.6354,32.6169", "--format", "json", "--db", str(tiny_db)]
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 10
    assert rows[0]["id"] == KHERSON_ID
    assert {"raion", "admin1", "country_name", "distance_km"} <= set(rows[0])


def test_cli_near_kind_and_limit(tiny_db: Path) -> None:
    result = runner.invoke(
        app,
        [
            "near",
            "46.6354,32.6169",
            "--kind",
            "village",
            "--limit",
            "3",
            "--format",
            "jsonl",
            "--db",
            str(tiny_db),
        ],
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and {r["kind"] for r in rows} == {"village"}


@pytest.mark.parametrize(
    ("point", "message"),
    [("nonsense", "LAT,LON"), ("46.6", "LAT,LON"), ("95,30", "latitude"), ("46,200", "longitude")],
)
def test_cli_near_bad_point_exits_2(tiny_db: Path, point: str, message: str) -> None:
    result = runner.invoke(app, ["near", point, "--db", str(tiny_db)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_cli_near_unknown_kind_exits_2(tiny_db: Path) -> None:
    result = runner.invoke(app, ["near", "46.6,32.6", "--kind", "town", "--db", str(tiny_db)])
    assert result.exit_code == 2
    assert "village" in result.stderr and result.stdout == ""


# -- the default gazetteer -------------------------------------------------------------------------


def test_default_gazetteer_kherson_first_and_fast(default_db: Path) -> None:
    with Nearest(default_db) as index:
        assert index.nearest(*KHERSON, limit=1)[0].place.id == KHERSON_ID
        cities = index.nearest(50.4501, 30.5234, limit=3, kind="city")
        # GeoNames files some of Kyiv's neighbourhoods (Stare Misto, Pechersk) as cities.
        assert "geonames:703448" in [c.place.id for c in cities]
        rng = random.Random(13)
        points = [(rng.uniform(44.5, 52.0), rng.uniform(22.5, 40.0)) for _ in range(200)]
        timings = []
        for lat, lon in points:
            started = time.perf_counter()
            found = index.nearest(lat, lon, limit=10)
            timings.append(time.perf_counter() - started)
            assert len(found) == 10
        rare = time.perf_counter()
        index.nearest(*KHERSON, limit=5, kind="country")
        rare = time.perf_counter() - rare
    median_ms = statistics.median(timings) * 1000
    print(
        f"near: median {median_ms:.2f} ms, max {max(timings) * 1000:.2f} ms,"
        f" countries {rare * 1000:.1f} ms"
    )
    assert median_ms < 20  # about 1 ms on the development machine; a scan takes ~100 ms
