"""Sanity checks for the development (evaluation) sets in benchmarks/data.

These tests validate the format of the data, not the tool (one checks that every gold id
of resolve_real.tsv is a place of the default gazetteer, by reading its tables).
"""

import collections
import csv
import hashlib
import json
import pathlib
import re
import sqlite3

import pytest

DATA = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "data"
RESOLVE = DATA / "resolve_dev.tsv"
REAL = DATA / "resolve_real.tsv"
EXTRACT = DATA / "extract_dev.jsonl"

ID_RE = re.compile(r"^(katottg:UA\d{17}|geonames:\d+)$")
ALT_RE = re.compile(r"^(geonames:\d+)?$")
MIN_COUNTS = {
    "exact": 150,
    "translit": 300,
    "inflected": 150,
    "renamed": 80,
    "historical": 40,
    "exonym": 60,
    "qualified": 80,
    "typo": 300,
    "negative": 80,
}
REAL_COLUMNS = ["query", "expected", "alt_id", "category", "note", "source", "lat", "lon", "split"]
REAL_MIN_COUNTS = {
    "news_en": 60,
    "news_ru": 12,
    "news_uk": 40,
    "news_other": 40,
    "event_coder": 150,
    "renamed": 30,
    "ru_spelled_ua": 25,
    "ru_border": 60,
    "typo_real": 25,
    "negative": 50,
}
MIN_LANGS = {"en": 60, "uk": 40, "ru": 40, "de": 12, "fr": 12, "pl": 12, "es": 12, "it": 12}


def _resolve_rows():
    with RESOLVE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == ["query", "expected", "alt_id", "category", "note", "split"]
        return list(reader)


def _split_of(row):
    """The rule of benchmarks/data/README.md: SHA-1 of the expected id (neg:<query>)."""
    key = row["expected"] or "neg:" + row["query"]
    return "test" if int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 10 < 4 else "train"


def _real_rows():
    with REAL.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == REAL_COLUMNS
        return list(reader)


def _extract_docs():
    docs = []
    with EXTRACT.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            assert line.strip(), f"empty line {n}"
            docs.append(json.loads(line))
    return docs


def test_resolve_rows_well_formed():
    rows = _resolve_rows()
    assert rows
    for r in rows:
        assert r["query"] and r["query"] == r["query"].strip(), r
        assert r["category"] in MIN_COUNTS, r
        assert ALT_RE.match(r["alt_id"]), r
        if r["category"] == "negative":
            assert r["expected"] == "" and r["alt_id"] == "", r
        else:
            assert ID_RE.match(r["expected"]), r
        if r["alt_id"]:
            assert r["expected"].startswith("katottg:"), r


@pytest.mark.parametrize("category,minimum", sorted(MIN_COUNTS.items()))
def test_resolve_minimum_counts(category, minimum):
    counts = collections.Counter(r["category"] for r in _resolve_rows())
    assert counts[category] >= minimum


@pytest.mark.parametrize("rows", [_resolve_rows, _real_rows], ids=["resolve_dev", "resolve_real"])
def test_split_rule_holds(rows):
    split = [(r["query"], r["split"], _split_of(r)) for r in rows()]
    assert all(s in ("test", "train") for _, s, _ in split)
    assert [q for q, s, want in split if s != want] == []


def test_real_rows_well_formed():
    rows = _real_rows()
    for r in rows:
        assert r["query"] and r["query"] == r["query"].strip(), r
        assert r["category"] in REAL_MIN_COUNTS, r
        assert r["source"].startswith(("https://", "http://")), r
        assert ALT_RE.match(r["alt_id"]), r
        assert r["note"] in ("", "missing"), r
        if r["category"] == "negative" or r["note"] == "missing":
            assert r["expected"] == "" and r["alt_id"] == "", r
        else:
            assert ID_RE.match(r["expected"]), r
        if r["alt_id"]:
            assert r["expected"].startswith("katottg:"), r
        assert bool(r["lat"]) == bool(r["lon"]), r
        if r["lat"]:
            assert -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180, r
    queries = collections.Counter(r["query"].casefold() for r in rows)
    assert [q for q, n in queries.items() if n > 1] == []


def test_real_counts():
    rows = _real_rows()
    assert len(rows) >= 600
    counts = collections.Counter(r["category"] for r in rows)
    for category, minimum in REAL_MIN_COUNTS.items():
        assert counts[category] >= minimum, (category, counts[category])
    assert sum(r["note"] == "missing" for r in rows) >= 30  # the data gap is measured
    assert sum(bool(r["lat"]) for r in rows) >= 100  # rows with a gold point
    assert 0.3 < sum(r["split"] == "test" for r in rows) / len(rows) < 0.5


def test_real_ids_are_places_of_the_default_gazetteer(default_db):
    """Every gold id names an active place; a gold point lies near its place."""
    conn = sqlite3.connect(f"file:{default_db}?mode=ro", uri=True)
    try:
        known: dict[str, tuple[float | None, float | None]] = {}
        for pid, katottg, geonames_id, lat, lon in conn.execute(
            "SELECT id, katottg, geonames_id, lat, lon FROM places WHERE status = 'active'"
        ):
            for key in (pid, f"katottg:{katottg}" if katottg else None, f"geonames:{geonames_id}"):
                if key:
                    known[key] = (lat, lon)
    finally:
        conn.close()
    unknown = []
    far = []
    for r in _real_rows():
        for key in (r["expected"], r["alt_id"]):
            if key and key not in known:
                unknown.append((r["query"], key))
        if r["expected"] and r["lat"] and known.get(r["expected"], (None, None))[0] is not None:
            lat, lon = known[r["expected"]]
            # 0.5 degrees: a gold point of an event is in or near its settlement
            if abs(lat - float(r["lat"])) > 0.5 or abs(lon - float(r["lon"])) > 0.5:
                far.append((r["query"], r["expected"]))
    assert unknown == []
    assert far == []


def test_resolve_no_duplicate_queries_within_category():
    seen = collections.Counter((r["category"], r["query"]) for r in _resolve_rows())
    dups = [k for k, v in seen.items() if v > 1]
    assert not dups, dups


def test_resolve_typos_are_single_edits():
    def dist(a, b):
        # optimal string alignment distance (edits incl. adjacent transposition)
        d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(len(a) + 1):
            d[i][0] = i
        for j in range(len(b) + 1):
            d[0][j] = j
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                cost = a[i - 1] != b[j - 1]
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        return d[len(a)][len(b)]

    for r in _resolve_rows():
        if r["category"] != "typo":
            continue
        m = re.match(r'^one edit of "(.*)" \(\w+\)$', r["note"])
        assert m, r
        assert dist(m.group(1), r["query"]) == 1, r


def test_extract_docs_well_formed():
    docs = _extract_docs()
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids))
    for d in docs:
        assert set(d) == {"id", "lang", "text", "mentions"}, d["id"]
        assert d["lang"] in MIN_LANGS, d["id"]
        assert isinstance(d["text"], str) and d["text"].strip(), d["id"]
        last_end = -1
        for m in d["mentions"]:
            assert set(m) == {"start", "end", "text", "expected", "alt_id"}, d["id"]
            assert 0 <= m["start"] < m["end"] <= len(d["text"]), (d["id"], m)
            assert d["text"][m["start"] : m["end"]] == m["text"], (d["id"], m)
            assert m["start"] >= last_end, ("overlapping or unsorted mentions", d["id"], m)
            last_end = m["end"]
            assert ID_RE.match(m["expected"]), (d["id"], m)
            assert ALT_RE.match(m["alt_id"]), (d["id"], m)


def test_extract_minimum_counts():
    docs = _extract_docs()
    assert len(docs) >= 200
    counts = collections.Counter(d["lang"] for d in docs)
    for lang, minimum in MIN_LANGS.items():
        assert counts[lang] >= minimum, (lang, counts[lang])


def test_extract_texts_unique():
    docs = _extract_docs()
    texts = collections.Counter(d["text"] for d in docs)
    assert not [t for t, c in texts.items() if c > 1]
