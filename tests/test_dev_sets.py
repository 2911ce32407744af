"""Sanity checks for the development (evaluation) sets in benchmarks/data.

Standard library only: these tests validate the format of the data, not the tool.
"""

import collections
import csv
import json
import pathlib
import re

import pytest

DATA = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "data"
RESOLVE = DATA / "resolve_dev.tsv"
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
MIN_LANGS = {"en": 60, "uk": 40, "ru": 40, "de": 12, "fr": 12, "pl": 12, "es": 12, "it": 12}


def _resolve_rows():
    with RESOLVE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == ["query", "expected", "alt_id", "category", "note", "split"]
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


def test_resolve_split_is_fixed_by_place():
    """The train/test split follows its documented rule, so no row moves after tuning."""
    import hashlib

    rows = _resolve_rows()
    for r in rows:
        key = r["expected"] or "neg:" + r["query"]
        rule = "test" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10 < 4 else "train"
        assert r["split"] == rule, r
    tests = sum(r["split"] == "test" for r in rows)
    assert 0.3 < tests / len(rows) < 0.5
