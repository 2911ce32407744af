"""Sanity checks for the development (evaluation) sets in benchmarks/data.

These tests validate the format of the data, not the tool (one checks that every gold id
of resolve_real.tsv is a place of the default gazetteer, by reading its tables).
"""

import collections
import csv
import hashlib
import itertools
import json
import pathlib
import re
import sqlite3
import urllib.parse

import pytest

DATA = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "data"
RESOLVE = DATA / "resolve_dev.tsv"
REAL = DATA / "resolve_real.tsv"
EXTRACT = DATA / "extract_dev.jsonl"

ID_RE = re.compile(r"^(katottg:UA\d{17}|geonames:\d+)$")
ALT_RE = re.compile(r"^(geonames:\d+)?$")
# the real-text corpora also name Russian KLADR units and villages and curated regions and
# features (Donbas, Kinburn Spit), which the gazetteer holds under their own ids
REAL_GOLD_ID_RE = re.compile(
    r"^(katottg:UA\d{17}|geonames:\d+|kladr:\d{11}|curated:[a-z0-9]+(-[a-z0-9]+)*)$"
)
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
        assert r["split"] in {"train", "test"}, r
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


# ---- real-text snippets (docs/annotation.md): extract_real_*.jsonl ----

REAL_FILES = sorted(DATA.glob("extract_real_*.jsonl"))
REAL_KEYS = {"id", "lang", "site", "url", "split", "text", "mentions", "negatives"}
REAL_ID_RE = re.compile(r"^r[a-z]-[a-z]{2}-\d{3}$")
NEG_TYPES = {"person", "org", "unit", "other"}
# per file: minimum snippets per language (they hold for the files as committed)
REAL_MIN_LANGS = {"extract_real_a.jsonl": {"en": 75, "uk": 75, "ru": 75, "de": 75}}
REAL_MIN_SITES = {"extract_real_a.jsonl": 80}


def _real_docs(path):
    docs = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            assert line.strip(), f"{path.name}: empty line {n}"
            docs.append(json.loads(line))
    return docs


def _site_split_of(site):
    # fixed before the extractor was run on any snippet: the same rule in every real file
    return "test" if int(hashlib.sha1(site.encode()).hexdigest(), 16) % 2 == 0 else "train"


def test_real_files_exist():
    assert any(p.name == "extract_real_a.jsonl" for p in REAL_FILES)


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_docs_well_formed(path):
    for d in _real_docs(path):
        assert set(d) == REAL_KEYS, d.get("id")
        assert REAL_ID_RE.match(d["id"]) and d["id"].split("-")[1] == d["lang"], d["id"]
        assert isinstance(d["text"], str) and d["text"].strip() == d["text"] != "", d["id"]
        host = urllib.parse.urlsplit(d["url"]).hostname or ""
        assert d["url"].startswith(("http://", "https://")), d["id"]
        site = d["site"]
        assert site == site.lower() and not site.startswith("www."), d["id"]
        assert host == site or host.endswith("." + site), (d["id"], host, site)
        assert d["split"] == _site_split_of(site), (d["id"], site)
        last_end = -1
        for m in d["mentions"]:
            assert set(m) - {"note"} == {"start", "end", "text", "expected", "alt_id"}, d["id"]
            assert 0 <= m["start"] < m["end"] <= len(d["text"]), (d["id"], m)
            assert d["text"][m["start"] : m["end"]] == m["text"], (d["id"], m)
            assert m["text"] == m["text"].strip(), (d["id"], m)
            assert m["start"] >= last_end, ("overlapping or unsorted mentions", d["id"], m)
            last_end = m["end"]
            if m["expected"]:
                assert REAL_GOLD_ID_RE.match(m["expected"]), (d["id"], m)
                assert ALT_RE.match(m["alt_id"]), (d["id"], m)
                if m["alt_id"]:
                    assert m["expected"].startswith("katottg:"), (d["id"], m)
            else:
                # a place the gazetteer lacks, or namesakes the text does not decide
                assert m["alt_id"] == "", (d["id"], m)
                assert m.get("note", "").startswith(("not in gazetteer", "ambiguous")), d["id"]
        for n in d["negatives"]:
            assert set(n) == {"start", "end", "text", "type"}, d["id"]
            assert n["type"] in NEG_TYPES, (d["id"], n)
            assert d["text"][n["start"] : n["end"]] == n["text"], (d["id"], n)
            clash = [m for m in d["mentions"] if m["start"] < n["end"] and n["start"] < m["end"]]
            assert not clash, ("a negative overlaps a mention", d["id"], n)
        spans = sorted((n["start"], n["end"]) for n in d["negatives"])
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, ("overlapping negatives", d["id"], spans)


def test_real_ids_and_texts_unique():
    docs = [d for p in REAL_FILES for d in _real_docs(p)]
    ids = collections.Counter(d["id"] for d in docs)
    assert not [k for k, v in ids.items() if v > 1]
    texts = collections.Counter(d["text"] for d in docs)
    assert not [t for t, c in texts.items() if c > 1]


@pytest.mark.parametrize("name", sorted(REAL_MIN_LANGS))
def test_real_minimum_counts(name):
    docs = _real_docs(DATA / name)
    counts = collections.Counter(d["lang"] for d in docs)
    for lang, minimum in REAL_MIN_LANGS[name].items():
        assert counts[lang] >= minimum, (lang, counts[lang])
    assert len({d["site"] for d in docs}) >= REAL_MIN_SITES[name]
    splits = collections.Counter(d["split"] for d in docs)
    assert splits["test"] >= len(docs) // 4 and splits["train"] >= len(docs) // 4, splits
    # about one snippet in ten has no place at all (a control for false positives)
    empty = sum(1 for d in docs if not d["mentions"])
    assert len(docs) // 20 <= empty <= len(docs) // 5, empty


def test_real_gold_ids_exist_in_default_gazetteer(default_db):
    # every gold id and alt_id names a place of the shipped gazetteer (a rebuilt gazetteer
    # that drops or renumbers a place breaks the gold, not the score)
    import sqlite3

    con = sqlite3.connect(f"file:{default_db}?mode=ro", uri=True)

    def rows(gid):
        if gid.startswith("katottg:"):
            q = "SELECT id FROM places WHERE katottg = ? OR id = ?"
            return {r[0] for r in con.execute(q, (gid[8:], gid))}
        if gid.startswith("geonames:"):
            q = "SELECT id FROM places WHERE id = ? OR geonames_id = ?"
            return {r[0] for r in con.execute(q, (gid, int(gid.split(":")[1])))}
        # kladr: and curated: ids are the places' own ids
        return {r[0] for r in con.execute("SELECT id FROM places WHERE id = ?", (gid,))}

    missing = []
    for path in REAL_FILES:
        for d in _real_docs(path):
            for m in d["mentions"]:
                for gid in filter(None, (m["expected"], m["alt_id"])):
                    if not rows(gid):
                        missing.append((d["id"], m["text"], gid))
    con.close()
    assert not missing, missing[:20]


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


# --- extract_real_b.jsonl: real (quoted) fr/pl/es/it snippets -----------------------------

REAL_B = DATA / "extract_real_b.jsonl"
REAL_B_MIN_LANGS = {"fr": 60, "pl": 60, "es": 60, "it": 60}
REAL_B_ID_RE = re.compile(r"^rb-(fr|pl|es|it)-\d{3}$")
SITE_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def _real_b_split(site):
    """The split rule fixed before any output of the extractor was looked at."""
    return "test" if int(hashlib.sha1(site.encode()).hexdigest(), 16) % 2 == 0 else "train"


def test_extract_real_b_well_formed():
    docs = [json.loads(line) for line in REAL_B.read_text(encoding="utf-8").splitlines()]
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    texts = collections.Counter(d["text"] for d in docs)
    assert not [t for t, c in texts.items() if c > 1], "duplicate texts"
    keys = {"id", "lang", "site", "url", "split", "text", "mentions", "negatives"}
    for d in docs:
        assert set(d) == keys, d["id"]
        assert REAL_B_ID_RE.match(d["id"]) and d["id"].split("-")[1] == d["lang"], d["id"]
        assert SITE_RE.match(d["site"]) and not d["site"].startswith("www."), d["id"]
        host = urllib.parse.urlsplit(d["url"]).hostname or ""
        assert d["url"].startswith(("http://", "https://")), d["id"]
        assert host.lower() == d["site"] or host.lower().endswith("." + d["site"]), d["id"]
        assert d["split"] == _real_b_split(d["site"]), d["id"]
        text = d["text"]
        assert text.strip() == text and text, d["id"]
        last_end = -1
        for m in d["mentions"]:
            assert set(m) in (
                {"start", "end", "text", "expected", "alt_id"},
                {"start", "end", "text", "expected", "alt_id", "note"},
            ), d["id"]
            assert 0 <= m["start"] < m["end"] <= len(text), (d["id"], m)
            assert text[m["start"] : m["end"]] == m["text"], (d["id"], m)
            assert m["start"] >= last_end, ("overlapping or unsorted mentions", d["id"], m)
            last_end = m["end"]
            if m["expected"]:
                assert REAL_GOLD_ID_RE.match(m["expected"]), (d["id"], m)
            else:
                assert "not in gazetteer" in m.get("note", ""), (d["id"], m)
            assert ALT_RE.match(m["alt_id"]), (d["id"], m)
            if m["alt_id"]:
                assert m["expected"].startswith("katottg:"), (d["id"], m)
        for n in d["negatives"]:
            assert set(n) == {"start", "end", "text", "type"}, d["id"]
            assert n["type"] in {"person", "org", "unit", "other"}, (d["id"], n)
            assert text[n["start"] : n["end"]] == n["text"], (d["id"], n)
            for m in d["mentions"]:
                assert n["end"] <= m["start"] or n["start"] >= m["end"], (d["id"], n, m)


def test_extract_real_b_minimum_counts():
    docs = [json.loads(line) for line in REAL_B.read_text(encoding="utf-8").splitlines()]
    assert len(docs) >= 280
    counts = collections.Counter(d["lang"] for d in docs)
    for lang, minimum in REAL_B_MIN_LANGS.items():
        assert counts[lang] >= minimum, (lang, counts[lang])
    assert len({d["site"] for d in docs}) >= 70
    assert {d["split"] for d in docs} == {"train", "test"}
    no_place = sum(1 for d in docs if not d["mentions"])
    assert 0.03 * len(docs) <= no_place <= 0.25 * len(docs), no_place
