"""Medians and extents across the 180° meridian (gazetteer.geo), and the region they fix."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gazetteer import geo


def test_median_and_box_across_the_antimeridian() -> None:
    points = [(64.7, 177.5), (66.3, -179.1), (64.4, -173.2), (69.7, 170.3)]
    lat, lon = geo.median_point(points)
    assert lat == pytest.approx(65.5)
    assert lon == pytest.approx(179.2)
    box = geo.box_of(points, margin=0.5)
    assert box is not None
    assert box.contains((65.0, -175.0)) and box.contains((65.0, 175.0))
    assert not box.contains((65.0, 10.0))
    assert geo.box_of([]) is None


def test_median_and_box_elsewhere_are_the_plain_ones() -> None:
    points = [(50.0, 30.0), (52.0, 32.0), (51.0, 31.0)]
    assert geo.median_point(points) == (51.0, 31.0)
    assert geo.box_of(points) == geo.Box(50.0, 30.0, 52.0, 32.0)
    assert geo.median_point([(10.0, -170.0), (12.0, -160.0)]) == (11.0, -165.0)
    with pytest.raises(ValueError):
        geo.median_point([])


def test_a_region_across_the_180th_meridian_keeps_its_point(tiny_db: Path) -> None:
    conn = sqlite3.connect(f"{tiny_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        lat, lon = conn.execute("SELECT lat, lon FROM places WHERE iso_code = 'RU-CHU'").fetchone()
    finally:
        conn.close()
    assert 63 < lat < 70
    assert abs(lon) > 170  # a plain median of ±180° longitudes lands half a world away
