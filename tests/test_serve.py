"""``toponyms serve``: the Reconciliation API on a real server, through a real HTTP client.

Each server is uvicorn on a free loopback port (in a thread, or the real CLI in a
subprocess), over the tiny fixture gazetteer or the default one. The structure of every
answer is checked against the required fields and types of the Reconciliation API 0.2
schemas (manifest, reconciliation result batch, suggest responses, data extension response
and property proposal), written here from the spec's text.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import subprocess_env

OLESHKY = "geonames:691037"
KYIV = "geonames:703448"
KHARKIV = "geonames:706483"
BAKHMUT = "geonames:713174"
KHERSON_OBLAST = "geonames:706442"


# -- servers ---------------------------------------------------------------------------------
@contextmanager
def running(db: Path, **limits: int) -> Iterator[str]:
    """A real uvicorn server of ``create_app(db)`` on a free loopback port; yields its URL."""
    import uvicorn

    from toponyms.serve import Limits, create_app

    app = create_app(db, limits=Limits(**limits) if limits else None)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def tiny_url(tiny_db_template: Path) -> Iterator[str]:
    with running(tiny_db_template) as url:
        yield url


@pytest.fixture(scope="module")
def default_url(default_db: Path) -> Iterator[str]:
    with running(default_db) as url:
        yield url


@pytest.fixture
def client(tiny_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tiny_url, timeout=30) as c:
        yield c


# -- the spec's required structure -----------------------------------------------------------
def check_type(value: Any) -> None:
    assert isinstance(value, dict) and isinstance(value["id"], str) and value["id"]
    assert isinstance(value["name"], str) and value["name"]


def check_manifest(manifest: dict[str, Any]) -> None:
    """Required: versions (containing "0.2"), name, identifierSpace, schemaSpace; and the
    optional parts in their required shapes."""
    assert "0.2" in manifest["versions"] and all(isinstance(v, str) for v in manifest["versions"])
    for field in ("name", "identifierSpace", "schemaSpace"):
        assert isinstance(manifest[field], str) and manifest[field]
    assert "{{id}}" in manifest["view"]["url"]
    preview = manifest["preview"]
    assert "{{id}}" in preview["url"]
    assert isinstance(preview["width"], int) and isinstance(preview["height"], int)
    for kind in ("entity", "type", "property"):
        metadata = manifest["suggest"][kind]
        assert isinstance(metadata["service_url"], str) and isinstance(
            metadata["service_path"], str
        )
    propose = manifest["extend"]["propose_properties"]
    assert isinstance(propose["service_url"], str) and isinstance(propose["service_path"], str)
    for setting in manifest["extend"]["property_settings"]:
        assert setting["type"] in ("number", "text", "checkbox", "select")
        assert isinstance(setting["label"], str) and isinstance(setting["name"], str)
    for t in manifest["defaultTypes"]:
        check_type(t)
    ids = [t["id"] for t in manifest["defaultTypes"]]
    assert len(ids) == len(set(ids))  # uniqueItems
    assert isinstance(manifest["batchSize"], int) and manifest["batchSize"] > 0


def check_candidate(candidate: dict[str, Any]) -> None:
    assert isinstance(candidate["id"], str) and isinstance(candidate["name"], str)
    assert isinstance(candidate["score"], int | float) and 0 <= candidate["score"] <= 100
    assert isinstance(candidate["match"], bool)
    assert isinstance(candidate.get("description", ""), str)
    for t in candidate["type"]:
        check_type(t)
    for feature in candidate["features"]:
        assert isinstance(feature["id"], str)
        assert isinstance(feature["value"], bool | int | float)
    assert len({f["id"] for f in candidate["features"]}) == len(candidate["features"])


def check_result_batch(batch: dict[str, Any], keys: set[str]) -> None:
    """One ``{"result": [candidates]}`` per query key; candidates by decreasing score."""
    assert set(batch) == keys
    for answer in batch.values():
        assert isinstance(answer["result"], list)
        for candidate in answer["result"]:
            check_candidate(candidate)
        scores = [c["score"] for c in answer["result"]]
        assert scores == sorted(scores, reverse=True)
        assert sum(c["match"] for c in answer["result"]) <= 1


def check_suggest(response: dict[str, Any], *, entities: bool = False) -> None:
    for item in response["result"]:
        assert isinstance(item["id"], str) and isinstance(item["name"], str)
        assert isinstance(item.get("description", ""), str)
        if entities:
            for t in item["notable"]:
                check_type(t)


def check_extend_response(response: dict[str, Any], ids: list[str], pids: list[str]) -> None:
    """``meta`` names every property asked for; ``rows`` has every id, every property, and
    each value is an entity {id, name}, {str}, {float}, {int} or {date}."""
    assert [m["id"] for m in response["meta"]] == pids
    for m in response["meta"]:
        assert isinstance(m["name"], str)
        if "type" in m:
            assert isinstance(m["type"]["id"], str)
    assert set(response["rows"]) == set(ids)
    for row in response["rows"].values():
        assert set(row) == set(pids)
        for values in row.values():
            for value in values:
                if "id" in value:
                    assert set(value) <= {"id", "name", "description"} and "name" in value
                else:
                    ((kind, item),) = value.items()
                    assert kind in ("str", "float", "int", "date")
                    assert isinstance(item, {"str": str, "float": float, "int": int}.get(kind, str))


def reconcile(client: httpx.Client, batch: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/", data={"queries": json.dumps(batch)})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    check_result_batch(answer, set(batch))
    return answer


def top(answer: dict[str, Any], key: str) -> dict[str, Any]:
    result: list[dict[str, Any]] = answer[key]["result"]
    assert result, f"no candidate for {key}"
    return result[0]


# -- the service's data ----------------------------------------------------------------------
def test_reconcile_data_names_real_kinds_and_place_fields(tiny_db_template: Path) -> None:
    """Every type of ``data/reconcile.json`` is a kind of the schema (or a group of them),
    and every extension property is a field the service reads for a place."""
    from gazetteer.schema import KINDS
    from toponyms.serve import Reconciler, _settings

    settings = _settings()
    assert 0 < settings["match"]["min_score"] <= 1 and settings["source"]
    for entry in settings["types"]:
        assert set(entry.get("kinds", [entry["id"]])) <= set(KINDS), entry["id"]
    service = Reconciler(tiny_db_template)
    try:
        record = service.place_record(OLESHKY)
        for prop in settings["extend_properties"]:
            assert prop["id"] in record and prop["value"] in ("str", "float", "int", "entity")
    finally:
        service.close()


# -- manifest --------------------------------------------------------------------------------
def test_manifest_has_the_required_fields_and_types_from_the_gazetteer(
    client: httpx.Client, tiny_db_template: Path
) -> None:
    import sqlite3

    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    manifest = response.json()
    check_manifest(manifest)
    assert manifest["view"]["url"].startswith(str(client.base_url))
    with sqlite3.connect(tiny_db_template) as conn:
        kinds = {row[0] for row in conn.execute("SELECT DISTINCT kind FROM places")}
    documentation = client.get(manifest["documentation"])
    assert documentation.status_code == 200 and str(client.base_url) in documentation.text
    types = {t["id"] for t in manifest["defaultTypes"]}
    assert kinds <= types and {"city", "hromada", "raion", "oblast", "country"} <= types
    assert types - kinds == {"populated_place"}  # the one group type, of kinds it has


def test_manifest_as_jsonp_for_openrefine_36(client: httpx.Client) -> None:
    plain = client.get("/").json()
    response = client.get("/", params={"callback": "jQuery123_456"})
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    text = response.text
    assert text.startswith("jQuery123_456(") and text.endswith(");")
    assert json.loads(text[len("jQuery123_456(") : -2]) == plain
    bad = client.get("/", params={"callback": "alert(1)//"})
    assert bad.status_code == 400 and "callback" in bad.json()["message"]


# -- reconciliation --------------------------------------------------------------------------
BATCH = {
    "q0": {"query": "Олешки"},
    "q1": {"query": "Алешки", "properties": [{"pid": "oblast", "v": "Херсонська область"}]},
    "q2": {"query": "Kherson", "type": "city", "limit": 2},
}


def test_batch_by_get_post_form_and_json_answer_alike(client: httpx.Client) -> None:
    form = reconcile(client, BATCH)
    by_get = client.get("/", params={"queries": json.dumps(BATCH)})
    wrapped = client.post("/", json={"queries": BATCH})
    bare = client.post("/", json=BATCH)
    as_string = client.post("/", json={"queries": json.dumps(BATCH)})
    for response in (by_get, wrapped, bare, as_string):
        assert response.status_code == 200, response.text
        assert response.json() == form
    assert top(form, "q0")["id"] == OLESHKY and top(form, "q1")["id"] == OLESHKY
    assert top(form, "q2")["id"] == "geonames:706448"
    assert len(form["q2"]["result"]) <= 2
    assert all(t["id"] == "city" for c in form["q2"]["result"] for t in c["type"])


def test_candidate_fields(client: httpx.Client) -> None:
    best = top(reconcile(client, {"q": {"query": "Oleshky"}}), "q")
    assert best["name"] == "Oleshky"
    assert best["type"] == [{"id": "city", "name": "City"}]
    assert best["description"] == "City, Khersonskyi raion, Kherson Oblast, UA"
    assert best["match"] is True and best["score"] > 90
    assert {f["id"] for f in best["features"]} >= {"evidence"}


def test_match_only_when_confident_and_unambiguous(
    client: httpx.Client, tiny_db_template: Path
) -> None:
    from toponyms import Resolver
    from toponyms.serve import _settings

    rule = _settings()["match"]
    names = ["Oleshky", "Kherson", "Зелений Гай", "Новоолександрівка", "Дніпровка", "Zzzz"]
    answer = reconcile(client, {f"q{i}": {"query": n} for i, n in enumerate(names)})
    decided = {True: 0, False: 0}
    with Resolver(db=tiny_db_template) as resolver:
        for i, name in enumerate(names):
            resolution = resolver.resolve_one(name)
            result = answer[f"q{i}"]["result"]
            expected = bool(
                resolution.matches
                and not resolution.ambiguous
                and resolution.matches[0].score >= rule["min_score"]
            )
            assert bool(result and result[0]["match"]) == expected, name
            assert [c["id"] for c in result] == [m.place.id for m in resolution.matches]
            decided[expected] += 1
    # Oleshky and Kherson match; Зелений Гай's four villages are ambiguous, Zzzz has no
    # candidate (and, with this resolver, Новоолександрівка and Дніпровка score under 0.7).
    assert decided[True] >= 2 and decided[False] >= 2


def test_properties_narrow_by_oblast_raion_country_and_point(client: httpx.Client) -> None:
    batch = {
        "oblast": {"query": "Kherson", "properties": [{"pid": "admin1", "v": "Kherson Oblast"}]},
        "raion": {
            "query": "Олешки",
            "properties": [{"pid": "raion", "v": "Херсонський район"}],
        },
        "country": {"query": "Kyiv", "properties": [{"pid": "country", "v": ["Україна", "UA"]}]},
        "point": {"query": "Oleshky", "properties": [{"pid": "point", "v": "46.63,32.72"}]},
        "entity": {
            "query": "Oleshky",
            "properties": [{"pid": "oblast", "v": {"id": KHERSON_OBLAST, "name": "Kherson"}}],
        },
    }
    answer = reconcile(client, batch)
    assert top(answer, "oblast")["id"] == "geonames:706448"
    assert top(answer, "raion")["id"] == OLESHKY
    assert top(answer, "country")["id"] == KYIV
    point = top(answer, "point")
    assert point["id"] == OLESHKY
    assert any(f["id"] == "near_km" and f["value"] < 5 for f in point["features"])
    assert top(answer, "entity")["id"] == OLESHKY


def test_context_the_gazetteer_cannot_read_is_ignored_and_said(client: httpx.Client) -> None:
    answer = reconcile(
        client,
        {
            "q": {
                "query": "Oleshky",
                "properties": [
                    {"pid": "oblast", "v": "Atlantis Oblast"},
                    {"pid": "point", "v": "north of here"},
                ],
            }
        },
    )
    best = top(answer, "q")
    assert best["id"] == OLESHKY
    assert {"id": "context_ignored", "value": 2} in best["features"]


def test_type_and_limit_are_honoured(client: httpx.Client, tiny_db_template: Path) -> None:
    from toponyms import Resolver

    name = "Новоолександрівка"  # a village, a settlement and more villages of that name
    with Resolver(db=tiny_db_template) as resolver:
        every = [(m.place.id, m.place.kind) for m in resolver.resolve(name, limit=25)]
    assert {"village", "settlement"} <= {kind for _, kind in every}
    answer = reconcile(
        client,
        {
            "settlement": {"query": name, "type": "settlement"},
            "places": {"query": name, "type": ["populated_place"], "limit": 1},
            "any": {"query": name, "limit": 3},
            "hromada": {"query": "Олешківська громада", "type": "hromada"},
            "none": {"query": "Олешки", "type": "hromada"},
        },
    )
    settlements = [i for i, kind in every if kind == "settlement"]
    assert [c["id"] for c in answer["settlement"]["result"]] == settlements[:5]
    assert [c["id"] for c in answer["places"]["result"]] == [every[0][0]]
    assert [c["id"] for c in answer["any"]["result"]] == [i for i, _ in every[:3]]
    assert top(answer, "hromada")["id"] == "katottg:UA65100110000015344"
    assert answer["none"]["result"] == []  # a hard filter: the city is not a hromada


def test_a_query_without_a_name_has_no_candidates(client: httpx.Client) -> None:
    answer = reconcile(client, {"q": {"properties": [{"pid": "oblast", "v": "Kherson"}]}})
    assert answer == {"q": {"result": []}}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "a JSON object of queries"),
        ('{"q": "Kyiv"}', "a JSON object with a 'query'"),
        ('{"q": {"query": "Kyiv", "limit": 0}}', "positive integer"),
        ('{"q": {"query": "Kyiv", "type": "planet"}}', "unknown type 'planet'"),
        ('{"q": {"query": "Kyiv", "properties": [{"pid": "mayor", "v": "x"}]}}', "'mayor'"),
        ('{"q": {"query": "Kyiv", "properties": [{"pid": "oblast"}]}}', "'pid' and 'v'"),
        ('{"q": {"query": "Kyiv", "colour": "red"}}', "unknown fields colour"),
        ('{"q": {"query": "' + "x" * 501 + '"}}', "at most 500"),
    ],
)
def test_bad_queries_answer_400_with_a_message(client: httpx.Client, body: str, words: str) -> None:
    for response in (client.post("/", data={"queries": body}), client.get("/?queries=" + body)):
        assert response.status_code == 400
        error = response.json()
        assert error["status"] == 400 and words in error["message"]


def test_limits_answer_413_and_415(tiny_db_template: Path) -> None:
    with (
        running(tiny_db_template, batch_size=3, max_body_bytes=2_000) as url,
        httpx.Client(base_url=url, timeout=30) as c,
    ):
        assert c.get("/").json()["batchSize"] == 3
        batch = {f"q{i}": {"query": "Kyiv"} for i in range(4)}
        too_many = c.post("/", data={"queries": json.dumps(batch)})
        assert too_many.status_code == 413 and "at most 3" in too_many.json()["message"]
        big = c.post("/", data={"queries": json.dumps({"q": {"query": "x" * 3_000}})})
        assert big.status_code == 413 and "2000" in big.json()["message"]
        chunked = c.post("/", content=iter([b"queries=", b"x" * 3_000]))
        assert chunked.status_code == 413
        xml = c.post("/", content=b"<q/>", headers={"content-type": "application/xml"})
        assert xml.status_code == 415 and "form or JSON" in xml.json()["message"]
        assert c.post("/", data={}).status_code == 400


def test_candidates_are_clamped_to_the_maximum(tiny_db_template: Path) -> None:
    with running(tiny_db_template, max_candidates=2) as url, httpx.Client(base_url=url) as c:
        answer = reconcile(c, {"q": {"query": "Новоолександрівка", "limit": 50}})
        assert len(answer["q"]["result"]) == 2


def test_concurrent_batches_get_the_answers_of_sequential_ones(client: httpx.Client) -> None:
    names = ["Олешки", "Kherson", "Kyiv", "Алешки", "Херсоні", "Kachovka", "Oleschky", "Київ"]
    batches = [
        {f"q{j}": {"query": names[(i + j) % len(names)]} for j in range(4)} for i in range(24)
    ]
    expected = [reconcile(client, b) for b in batches]
    url = str(client.base_url)

    def post(batch: dict[str, Any]) -> dict[str, Any]:
        with httpx.Client(base_url=url, timeout=60) as c:
            return reconcile(c, batch)

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert list(pool.map(post, batches)) == expected


# -- suggest ---------------------------------------------------------------------------------
def suggest(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    check_suggest(answer, entities=path.endswith("entity"))
    return answer


@pytest.mark.parametrize("prefix", ["Олеш", "олешки", "Алешк", "Olesh", "oleshky", OLESHKY])
def test_entity_suggest_by_prefix_in_either_script_or_by_id(
    client: httpx.Client, prefix: str
) -> None:
    ids = [item["id"] for item in suggest(client, "/suggest/entity", prefix=prefix)["result"]]
    assert ids and ids[0] == OLESHKY


def test_entity_suggest_pages_filters_and_describes(client: httpx.Client) -> None:
    first = suggest(client, "/suggest/entity", prefix="Х", limit=3)["result"]
    second = suggest(client, "/suggest/entity", prefix="Х", limit=3, cursor=3)["result"]
    assert len(first) == 3 and len(second) >= 1
    assert not {i["id"] for i in first} & {i["id"] for i in second}
    hromadas = suggest(client, "/suggest/entity", prefix="Олешк", type="hromada")["result"]
    assert [i["notable"][0]["id"] for i in hromadas] == ["hromada"]
    (alias,) = suggest(client, "/suggest/entity", prefix="Алешки")["result"][:1]
    assert alias["name"] == "Алешки" and alias["description"].startswith("Oleshky; City")
    assert suggest(client, "/suggest/entity", prefix="  ")["result"] == []
    assert suggest(client, "/suggest/entity", prefix="qqqqzzzz")["result"] == []
    assert client.get("/suggest/entity", params={"prefix": "x" * 300}).status_code == 400
    assert client.get("/suggest/entity", params={"prefix": "x", "cursor": "a"}).status_code == 400


def test_entity_suggest_is_an_index_lookup(default_url: str) -> None:
    """Prefix suggest on the default gazetteer (485,000 names): every prefix from one letter
    on, through HTTP on loopback, answers in milliseconds (the FTS5 index, not a scan)."""
    prefixes = [w[:n] for w in ("Київ", "Kharkiv", "Олешки", "Bakhmut", "Одеса") for n in (1, 3, 5)]
    with httpx.Client(base_url=default_url, timeout=30) as c:
        c.get("/suggest/entity", params={"prefix": "warm"})
        took = []
        for prefix in prefixes:
            start = time.perf_counter()
            response = c.get("/suggest/entity", params={"prefix": prefix})
            took.append(time.perf_counter() - start)
            assert response.status_code == 200 and response.json()["result"]
        assert suggest(c, "/suggest/entity", prefix="Київ")["result"][0]["id"] == KYIV
        assert suggest(c, "/suggest/entity", prefix="Bakhm")["result"][0]["id"] == BAKHMUT
    took.sort()
    assert took[len(took) // 2] < 0.1, took  # median; typically 1-5 ms
    assert took[-1] < 1.0, took


def test_type_and_property_suggest(client: httpx.Client) -> None:
    types = suggest(client, "/suggest/type", prefix="hrom")["result"]
    assert [t["id"] for t in types] == ["hromada"]
    assert len(suggest(client, "/suggest/type", prefix="")["result"]) == 10  # one page
    properties = {
        p["id"] for p in suggest(client, "/suggest/property", prefix="", limit=50)["result"]
    }
    assert {"country", "oblast", "admin1", "raion", "point", "lat", "katottg"} <= properties
    assert [p["id"] for p in suggest(client, "/suggest/property", prefix="latit")["result"]] == [
        "lat"
    ]


# -- preview and view ------------------------------------------------------------------------
def test_preview_is_a_small_html_card(client: httpx.Client) -> None:
    response = client.get("/preview", params={"id": OLESHKY})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for text in ("Олешки", "Алешки", "Oleshky", "City", "Khersonskyi raion", "Kherson Oblast"):
        assert text in page
    assert "46.62553, 32.72426" in page and "katottg:UA65100110010019482" in page
    view = client.get("/view", params={"id": OLESHKY})
    assert view.status_code == 200 and "<title>Oleshky</title>" in view.text


def test_preview_escapes_html(tiny_db: Path, tmp_path: Path) -> None:
    from gazetteer.edits import Gazetteer

    mine = tmp_path / "mine.sqlite"
    Gazetteer.init(mine, source=tiny_db, author="tester")
    edit = Gazetteer(mine, author="tester").add_place(
        name="<script>alert('x')</script> & Co", country="UA", kind="village", lat=46.5, lon=32.5
    )
    with running(mine) as url:
        page = httpx.get(url + "preview", params={"id": edit.id}).text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in page


def test_unknown_ids_and_paths_answer_404(client: httpx.Client) -> None:
    for path in ("/preview", "/view"):
        response = client.get(path, params={"id": "geonames:1"})
        assert response.status_code == 404
        assert response.json() == {"status": 404, "message": "no place has id 'geonames:1'"}
        assert client.get(path).status_code == 400
    missing = client.get("/no/such/thing")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    assert client.delete("/").status_code == 405


# -- data extension --------------------------------------------------------------------------
EXTEND = ["lat", "lon", "precision", "katottg", "geonames_id", "name_uk", "name_ru", "name_en"]


def test_extend_fetches_coordinates_codes_names_and_regions(client: httpx.Client) -> None:
    pids = [*EXTEND, "oblast", "raion"]
    query = {"ids": [OLESHKY, "geonames:1"], "properties": [{"id": p} for p in pids]}
    response = client.post("/", data={"extend": json.dumps(query)})
    assert response.status_code == 200, response.text
    answer = response.json()
    check_extend_response(answer, query["ids"], pids)
    row = answer["rows"][OLESHKY]
    assert row["lat"] == [{"float": 46.62553}] and row["lon"] == [{"float": 32.72426}]
    assert row["katottg"] == [{"str": "UA65100110010019482"}]
    assert row["geonames_id"] == [{"int": 691037}]
    assert row["name_uk"] == [{"str": "Олешки"}] and row["name_ru"] == [{"str": "Алешки"}]
    assert row["oblast"] == [{"id": KHERSON_OBLAST, "name": "Kherson Oblast"}]
    assert row["raion"][0]["id"] == "katottg:UA65100000000029736"
    assert answer["rows"]["geonames:1"] == {p: [] for p in pids}  # no such place: no values
    assert {m["id"]: m.get("type") for m in answer["meta"]}["oblast"] == {
        "id": "oblast",
        "name": "Oblast",
    }
    for alternative in (
        client.get("/", params={"extend": json.dumps(query)}),
        client.post("/extend", json=query),
        client.post("/extend", data={"extend": json.dumps(query)}),
    ):
        assert alternative.status_code == 200 and alternative.json() == answer


def test_extend_digits_setting(client: httpx.Client) -> None:
    query = {"ids": [OLESHKY], "properties": [{"id": "lat", "settings": {"digits": "2"}}]}
    answer = client.post("/extend", json=query).json()
    assert answer["rows"][OLESHKY]["lat"] == [{"float": 46.63}]


def test_extend_errors(tiny_db_template: Path) -> None:
    with running(tiny_db_template, max_extend_ids=2) as url, httpx.Client(base_url=url) as c:
        unknown = c.post("/extend", json={"ids": [OLESHKY], "properties": [{"id": "mayor"}]})
        assert unknown.status_code == 400 and "mayor" in unknown.json()["message"]
        many = c.post("/extend", json={"ids": ["a", "b", "c"], "properties": [{"id": "lat"}]})
        assert many.status_code == 413
        assert c.post("/extend", json={"ids": "x"}).status_code == 400
        assert c.post("/extend", data={"extend": "{bad"}).status_code == 400


def test_propose_properties(client: httpx.Client) -> None:
    response = client.get("/extend/propose", params={"type": "city"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "city"
    for p in answer["properties"]:
        assert isinstance(p["id"], str) and isinstance(p["name"], str)
    ids = [p["id"] for p in answer["properties"]]
    assert set(EXTEND) | {"oblast", "raion"} <= set(ids)
    limited = client.get("/extend/propose", params={"type": "city", "limit": 3}).json()
    assert len(limited["properties"]) == 3 and limited["limit"] == 3
    assert client.get("/extend/propose", params={"type": "planet"}).status_code == 400


# -- CORS --------------------------------------------------------------------------------------
def test_cors_on_every_endpoint_and_on_errors(client: httpx.Client) -> None:
    origin = {"Origin": "http://127.0.0.1:3333"}
    for path in ("/", "/suggest/entity?prefix=Ол", "/preview?id=" + OLESHKY, "/preview?id=x:1"):
        response = client.get(path, headers=origin)
        assert response.headers["access-control-allow-origin"] == "*", path
    preflight = client.options(
        "/",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# -- the default gazetteer -------------------------------------------------------------------
def test_default_gazetteer_reconciles_ukrainian_russian_and_romanised_names(
    default_url: str,
) -> None:
    batch = {
        "kyiv_uk": {"query": "Київ"},
        "kharkiv_ru": {"query": "Харьков"},
        "oleshky": {"query": "Oleshky"},
        "aleshki": {"query": "Aleshki"},
        "bakhmut": {"query": "Бахмут"},
        "artemovsk": {
            "query": "Artemovsk",
            "properties": [{"pid": "oblast", "v": "Донецкая область"}],
        },
        "olesh_kherson": {"query": "Алешки", "properties": [{"pid": "country", "v": "UA"}]},
    }
    expected = {
        "kyiv_uk": KYIV,
        "kharkiv_ru": KHARKIV,
        "oleshky": OLESHKY,
        "aleshki": OLESHKY,
        "bakhmut": BAKHMUT,
        "artemovsk": BAKHMUT,
        "olesh_kherson": OLESHKY,
    }
    with httpx.Client(base_url=default_url, timeout=60) as c:
        answer = reconcile(c, batch)
        manifest = c.get("/").json()
    check_manifest(manifest)
    assert manifest["name"] == "toponyms"
    for key, place_id in expected.items():
        assert top(answer, key)["id"] == place_id, key
        assert top(answer, key)["match"] is True, key


# -- the command -------------------------------------------------------------------------------
def serve_command(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "toponyms", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )


def test_the_serve_command_prints_its_url_and_serves(tiny_db_template: Path) -> None:
    process = serve_command("--port", "0", "--db", str(tiny_db_template))
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("toponyms: reconciliation service at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split(" ")[0]
        manifest = httpx.get(url, timeout=30).json()
        check_manifest(manifest)
        assert manifest["name"] == "toponyms (tiny.sqlite)"
        process.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop, no traceback
        _, err = process.communicate(timeout=30)
        assert process.returncode == 0 and "Traceback" not in err, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def test_the_serve_command_fails_cleanly(tiny_db_template: Path, tmp_path: Path) -> None:
    missing = serve_command("--port", "0", "--db", str(tmp_path / "none.sqlite"))
    _, err = missing.communicate(timeout=60)
    assert missing.returncode == 1 and "no gazetteer at" in err and "Traceback" not in err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = serve_command("--port", port, "--db", str(tiny_db_template))
        _, err = busy.communicate(timeout=60)
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


# -- OpenRefine ------------------------------------------------------------------------------
CSV = """name,oblast
Київ,
Харьков,
Oleshky,Херсонська область
Aleshki,
Бахмут,
Artemovsk,Донецкая область
Олешки,
"""
EXPECTED_IDS = [KYIV, KHARKIV, OLESHKY, OLESHKY, BAKHMUT, BAKHMUT, OLESHKY]


@contextmanager
def openrefine(workdir: Path) -> Iterator[httpx.Client]:
    """OpenRefine 3.6, headless on a free loopback port, with its own data directory."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (workdir / "openrefine.log").open("w")
    process = subprocess.Popen(
        [
            *("openrefine", "-i", "127.0.0.1", "-p", str(port), "-d", str(workdir)),
            *("-m", "1024M", "-x", "refine.headless=true"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=workdir,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (workdir / "openrefine.log").read_text()
            assert time.monotonic() < deadline, "OpenRefine did not start in 180 s"
            try:
                if client.get("/command/core/get-version").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        yield client
    finally:
        client.close()
        import os

        os.killpg(process.pid, signal.SIGTERM)  # the launcher script and its JVM
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


def _wait_for_processes(refine: httpx.Client, project: str) -> None:
    deadline = time.monotonic() + 120
    while refine.get("/command/core/get-processes", params={"project": project}).json()[
        "processes"
    ]:
        assert time.monotonic() < deadline, "OpenRefine's long-running process did not finish"
        time.sleep(0.3)


@pytest.mark.openrefine
@pytest.mark.skipif(shutil.which("openrefine") is None, reason="openrefine is not installed")
def test_openrefine_reconciles_a_column_against_the_service(
    default_url: str, tmp_path: Path
) -> None:
    """Through OpenRefine's own HTTP API: a project from a CSV of Ukrainian, Russian and
    romanised names, its column reconciled against ``toponyms serve`` (the standard-service
    configuration OpenRefine's dialog posts, the oblast column as a property), the matched
    ids read back; then two columns fetched by data extension."""
    manifest = httpx.get(default_url, timeout=30).json()
    csv_path = tmp_path / "names.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    with openrefine(tmp_path) as refine:

        def token() -> str:
            return str(refine.get("/command/core/get-csrf-token").json()["token"])

        options = {"separator": ",", "headerLines": 1, "encoding": "UTF-8"}
        with csv_path.open("rb") as upload:
            created = refine.post(
                "/command/core/create-project-from-upload",
                params={"csrf_token": token()},
                data={
                    "project-name": "toponyms",
                    "format": "text/line-based/*sv",
                    "options": json.dumps(options),
                },
                files={"project-file": ("names.csv", upload, "text/csv")},
            )
        assert created.status_code == 302, created.text
        project = created.headers["location"].split("project=")[1]
        guessed = refine.post(  # what the reconciliation dialog asks first
            "/command/core/guess-types-of-column",
            params={"project": project, "columnName": "name", "service": default_url},
            data={"csrf_token": token()},
        ).json()
        assert guessed["code"] == "ok", guessed
        assert guessed["types"][0]["id"] == "city", guessed["types"]
        config = {
            "mode": "standard-service",
            "service": default_url,
            "identifierSpace": manifest["identifierSpace"],
            "schemaSpace": manifest["schemaSpace"],
            "type": {"id": "populated_place", "name": "Populated place"},
            "autoMatch": True,
            "columnDetails": [{"column": "oblast", "property": {"id": "oblast", "name": "Oblast"}}],
            "limit": 0,
        }
        engine = json.dumps({"facets": [], "mode": "row-based"})
        started = refine.post(
            "/command/core/reconcile",
            params={"project": project},
            data={
                "columnName": "name",
                "config": json.dumps(config),
                "engine": engine,
                "csrf_token": token(),
            },
        )
        assert started.status_code == 200 and started.json()["code"] in ("pending", "ok")
        _wait_for_processes(refine, project)
        rows = refine.get(
            "/command/core/get-rows", params={"project": project, "start": 0, "limit": 50}
        ).json()
        recons = rows["pool"]["recons"]
        matched = []
        for row in rows["rows"]:
            recon = recons[str(row["cells"][0]["r"])]
            assert recon["j"] == "matched", (row["cells"][0]["v"], recon)
            matched.append(recon["m"]["id"])
        assert matched == EXPECTED_IDS

        extension = {"properties": [{"id": "katottg"}, {"id": "oblast"}]}
        extended = refine.post(
            "/command/core/extend-data",
            params={
                "project": project,
                "baseColumnName": "name",
                "endpoint": default_url,
                "identifierSpace": manifest["identifierSpace"],
                "schemaSpace": manifest["schemaSpace"],
                "columnInsertIndex": 1,
            },
            data={"extension": json.dumps(extension), "engine": engine, "csrf_token": token()},
        )
        assert extended.status_code == 200, extended.text
        _wait_for_processes(refine, project)
        models = refine.get("/command/core/get-models", params={"project": project}).json()
        cell_of = {c["name"]: c["cellIndex"] for c in models["columnModel"]["columns"]}
        rows = refine.get(
            "/command/core/get-rows", params={"project": project, "start": 0, "limit": 50}
        ).json()["rows"]
        katottg = [row["cells"][cell_of["KATOTTG code"]]["v"] for row in rows]  # the meta's name
        assert katottg[2] == katottg[3] == katottg[6] == "UA65100110010019482"
        assert katottg[4] == katottg[5]
        oblasts = [row["cells"][cell_of["Oblast"]]["v"] for row in rows]
        assert oblasts[2] == "Kherson Oblast" and oblasts[1] == "Kharkiv Oblast"
