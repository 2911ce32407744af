"""The benchmark's query mix and brute-force baseline, on the tiny gazetteer.

The scripts live in ``benchmarks/`` (not a package); they are imported by path, as
``benchmarks/run.py`` imports them.
"""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench_modules():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_resolve
        import benchlib
        import querymix

        yield querymix, bench_resolve, benchlib
    finally:
        sys.path.remove(str(BENCH))


def test_mix_has_no_repeated_query_and_keeps_every_real_string(tiny_db, bench_modules):
    querymix, _, benchlib = bench_modules
    real = querymix.load_real()
    table = benchlib.load_name_table(str(tiny_db))
    mix = querymix.build_mix(str(tiny_db), len(real) + 400, 7, table, real=real)
    texts = [q.text.casefold() for q in mix]
    assert len(texts) == len(set(texts))
    assert {q.text for q in real} <= {q.text for q in mix if q.category == "real"}
    generated = {q.category for q in mix if q.category != "real"}
    assert {"exact", "romanised", "typo"} <= generated
    assert {q.split for q in mix} == {"test", "train"}
    for q in mix:
        if q.category != "real":
            assert q.gold, q
            assert q.split == querymix.split_of(
                next((g for g in sorted(q.gold) if g.startswith("katottg:")), None)
                or next((g for g in sorted(q.gold) if g.startswith("geonames:")), None)
                or sorted(q.gold)[0]
            ), q


def test_dedupe_keeps_the_first_of_casefolded_repeats(bench_modules):
    querymix, _, _ = bench_modules
    a = querymix.Query("Kyiv", "real", "news_en", frozenset({"x"}), False, "u")
    b = querymix.Query("KYIV", "exact", "ua_city", frozenset({"y"}), True, "Kyiv")
    assert querymix.dedupe([a, b]) == [a]


def test_brute_force_exact_lookup_then_best_ratio(tiny_db, bench_modules):
    _, bench_resolve, benchlib = bench_modules
    table = benchlib.load_name_table(str(tiny_db))
    brute = bench_resolve.BruteForce(table)
    name = max(table.best, key=len)  # a long name, so one slip keeps it the best key
    slipped = name[:3] + name[4:]
    (exact_ids, exact_score), (typo_ids, typo_score) = brute.answer([name.upper(), slipped])
    assert exact_score == 100 and exact_ids == table.best[name]
    assert typo_score < 100 and typo_ids == table.best[name]
