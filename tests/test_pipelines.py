"""A resolver in pipelines: pickled into worker processes, shared between threads, fed
the lines of a file as they are, and options checked once before a stream."""

from __future__ import annotations

import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from conftest import subprocess_env

from toponyms import InvalidInputError, Resolver

NAMES = ["Aleshki", "Kyiv", "Харьков", "Бахмуте", "Odesa", "Zaporizhzhia", "Херсона", "Lwów"]
TEXTS = [
    "Обстріл Херсона і Нової Каховки; evacuation from Oleshky.",
    "Russian forces shelled Kharkiv and Sumy overnight.",
    "В Бахмуте и Часовом Яре продолжаются бои.",
    "Ostrzał Charkowa i Odessy.",
]


def _best_ids(resolver: Resolver, names: list[str]) -> list[str | None]:
    return [m[0].place.id if (m := resolver.resolve(n)) else None for n in names]


def _spans(resolver: Resolver, text: str) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.match.place.id) for m in resolver.extract(text)]


def _resolve_in_worker(args: tuple[Resolver, str]) -> str | None:
    resolver, name = args
    matches = resolver.resolve(name)
    return matches[0].place.id if matches else None


def test_resolver_pickles_as_its_path(tiny_db: Path) -> None:
    with Resolver(db=tiny_db) as resolver:
        copy = pickle.loads(pickle.dumps(resolver))
        assert copy.path == resolver.path
        assert _best_ids(copy, ["Aleshki"]) == _best_ids(resolver, ["Aleshki"])
        copy.close()


def test_resolver_works_in_a_process_pool(tiny_db: Path) -> None:
    with Resolver(db=tiny_db) as resolver:
        expected = _best_ids(resolver, NAMES)
        with get_context("spawn").Pool(2) as pool:
            got = pool.map(_resolve_in_worker, [(resolver, n) for n in NAMES])
    assert got == expected
    assert expected[0] is not None


def test_one_resolver_shared_between_threads(default_db: Path) -> None:
    with Resolver(db=default_db) as alone:
        expected_ids = _best_ids(alone, NAMES)
        expected_mentions = [
            [(m.start, m.end, m.match.place.id) for m in alone.extract(t)] for t in TEXTS
        ]
    with Resolver(db=default_db) as shared:
        work = [("resolve", i) for i in range(len(NAMES))] + [
            ("extract", i) for i in range(len(TEXTS))
        ]
        work = work * 6

        def run(item: tuple[str, int]) -> object:
            kind, i = item
            if kind == "resolve":
                return _best_ids(shared, [NAMES[i]])[0]
            return _spans(shared, TEXTS[i])

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(run, work))
    for (kind, i), result in zip(work, results, strict=True):
        expected = expected_ids[i] if kind == "resolve" else expected_mentions[i]
        assert result == expected, (kind, i)


def test_resolve_many_takes_lines_as_they_are(tiny_db: Path) -> None:
    with Resolver(db=tiny_db) as resolver:
        results = list(resolver.resolve_many(["Aleshki\n", "Aleshki\r\n", "", "  \n", None, 7]))  # type: ignore[list-item]
    queries = [r.query for r in results]
    assert queries[:2] == ["Aleshki", "Aleshki"]
    assert results[0].matches and results[0].matches[0].place.id == results[1].matches[0].place.id
    for blank in results[2:5]:
        assert blank.matches == () and blank.error is None
    assert results[4].query == ""
    assert results[5].error is not None and "must be text" in results[5].error


@pytest.mark.parametrize(
    ("country", "hint"),
    [("Ukraine", "did you mean UA"), ("Україна", "did you mean UA"), ("XX", "ISO 3166-1")],
)
def test_a_bad_country_fails_once_before_the_stream(
    default_db: Path, country: str, hint: str
) -> None:
    with Resolver(db=default_db) as resolver:
        stream = resolver.resolve_many(["Kyiv", "Odesa"], country=country)
        with pytest.raises(InvalidInputError, match=hint):
            next(stream)
        with pytest.raises(InvalidInputError, match=hint):
            resolver.check_options(country=country)
        resolver.check_options(country="ua, RU")  # codes in any case, with spaces


def test_cli_bad_country_exits_2_once(tiny_db: Path, tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("Aleshki\nKyiv\nOdesa\n", encoding="utf-8")
    command = [sys.executable, "-m", "toponyms", "resolve", "--file", str(names)]
    done = subprocess.run(
        [*command, "--country", "Ukraine", "--db", str(tiny_db)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=subprocess_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("did you mean UA") == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_a_name_the_user_added_wins_on_an_exact_match(tiny_db: Path, tmp_path: Path) -> None:
    """The user's place, met exactly on the name the user gave it, is not outranked by a
    bigger place met only under another spelling (Олешкі ~ the city Олешки)."""
    from gazetteer.edits import Gazetteer

    mine = tmp_path / "mine.sqlite"
    Gazetteer.init(mine, source=tiny_db, author="tester")
    with Resolver(db=mine) as resolver:
        before = resolver.resolve("Олешкі")
        assert before and before[0].place.name_uk == "Олешки"
    gaz = Gazetteer(mine, author="tester")
    new = gaz.add_place(name="Нова Вільшанка", country="UA", kind="village", lat=47.1, lon=35.2)
    gaz.add_name(new.id, "Олешкі", lang="uk")
    with Resolver(db=mine) as resolver:
        [first, *_] = resolver.resolve("Олешкі")
    assert first.place.id == new.id
    assert (first.rule, first.matched_name) == ("exact", "Олешкі")
