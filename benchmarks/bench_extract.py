"""Extract benchmark: MB/s and accuracy of ``Resolver.extract`` against an exact scan.

Run by ``benchmarks/run.py``. The pieces:

Corpus
    Distinct documents: no sentence occurs twice in a group's corpus, so nothing cached
    by sentence or by document helps more than it would on fresh news. The repository
    holds only the ~80 English and ~95 Ukrainian/Russian dev snippets of
    ``data/extract_dev.jsonl`` as real text; each is used once, and the rest of the
    ``--mb`` megabytes (10^6 bytes of UTF-8) is made of generated sentences
    (:data:`TEMPLATES`): a news-like frame around names of places sampled from the
    gazetteer (villages, towns, oblasts; world cities in English) and random numbers and
    days, drawn again when a sentence repeats. About one sentence in four names no
    place. Sentences are joined into documents of about :data:`DOC_CHARS` characters.
    Names are in the nominative (the frames are written so), which favours the exact scan
    over real Ukrainian and Russian text; the same names do recur across sentences, as
    they do in news. Cyrillic letters take two bytes in UTF-8, so the same text speed in
    characters gives about twice the MB/s in Ukrainian and Russian; chars/s are reported.

Speed
    ``Resolver.extract(document)`` on every document of the corpus, in a fresh interpreter
    per run. Start-up (opening the gazetteer and the first call on one short sentence;
    the bare import is in the cold-start figure of the resolve benchmark) is timed
    separately (``startup_s``) and not counted in the MB/s; when a run exceeds its
    time budget it stops and the MB/s of the part done is reported (``partial``).

Baseline
    one pyahocorasick automaton over every name of the gazetteer of at least
    :data:`MIN_NAME_CHARS` characters, lower-cased; the text is lower-cased, scanned once,
    and a hit counts only at word boundaries (no letter or digit on either side), keeping
    the longest leftmost hits; each name maps to its most populous place. The variant
    ``aho_capitalized`` also requires the hit to start with a capital letter in the text.
    It scans the same documents in the same run; building the automaton is timed apart.

Accuracy
    on every snippet of ``extract_dev.jsonl``: a found mention is right when its span
    overlaps a gold span not yet taken and its place is the gold place (same id, KATOTTG
    code or GeoNames id); precision = right / found, recall = right / gold, F1.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from benchlib import DATA, NameTable, default_db, median, run_child

DOC_CHARS = 4000
MIN_NAME_CHARS = 3
GROUPS: dict[str, frozenset[str]] = {"en": frozenset({"en"}), "uk_ru": frozenset({"uk", "ru"})}
Span = tuple[int, int, Sequence[str]]  # start, end, ids of the place
WARM_UP = {
    "en": "Russian forces shelled Kharkiv overnight.",
    "uk_ru": "Ворог атакував Харків уночі.",
}


def load_dev() -> list[dict[str, Any]]:
    """The annotated snippets of ``extract_dev.jsonl``."""
    path = DATA / "extract_dev.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


#: News-like frames, by language. ``{p}``/``{q}``: settlement names, ``{r}``: an oblast,
#: ``{w}``/``{v}``: world cities (English only), ``{n}``/``{m}``: numbers, ``{d}``: a day.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "Russian forces shelled {p} in {r} overnight, injuring {n} people, officials said on {d}.",
        "A drone strike on {p} damaged {n} houses and a school, local authorities reported.",
        "Officials in {p} said power had been restored to {n} households after the attack.",
        "The convoy travelled from {p} to {q}, a distance of about {n} kilometres.",
        "Residents of {p} were evacuated on {d}, {n} of them children, according to {r} officials.",
        "Talks took place in {w}, {n} days after the delegations first met in {v}.",
        "The governor of {r} reported {n} attacks on {m} settlements over the past day.",
        "Emergency crews worked for {n} hours to put out the fire, the service said on {d}.",
        "The ministry did not comment on the figure of {n} casualties reported on {d}.",
        "Aid workers delivered {n} tonnes of food to {p} and {q} this week.",
    ),
    "uk": (
        "Ворог атакував населений пункт {p}, поранено {n} людей, повідомили в ОВА у {d}.",
        "Унаслідок обстрілу в селі {p} пошкоджено {n} будинків і школу.",
        "Під ворожим вогнем минулої доби були {p}, {q} та ще {n} населених пунктів.",
        "Область: {r}. Зафіксовано {n} вибухів, постраждалих немає.",
        "Рятувальники працювали {n} годин, щоб загасити пожежу, повідомили у {d}.",
        "Евакуйовано {n} мешканців, серед них {m} дітей, повідомила військова адміністрація.",
    ),
    "ru": (
        "В результате обстрела населённого пункта {p} пострадали {n} человек, сообщил губернатор.",
        "Губернатор сообщил, что село {p} подверглось {n} атакам беспилотников за сутки.",
        "Регион: {r}. Повреждены {n} частных домов и линия электропередачи.",
        "Из посёлка {p} в {q} вывезли {n} жителей, сообщили власти в {d}.",
        "Пожарные расчёты работали {n} часов, пострадавших нет, уточнили в ведомстве.",
        "По данным ведомства, за сутки зафиксировано {n} прилётов, {m} из них ночью.",
    ),
}
_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "uk": ("понеділок", "вівторок", "середу", "четвер", "п'ятницю", "суботу", "неділю"),
    "ru": ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"),
}


def _name_pools(db: str) -> dict[str, dict[str, list[str]]]:
    """Names to fill the frames: settlements and oblasts per language, world cities."""
    from benchlib import connect

    conn = connect(db)

    def column(sql: str) -> list[str]:
        return sorted({row[0] for row in conn.execute(sql) if row[0]})

    settle = "kind IN ('city', 'settlement', 'village', 'place') AND status = 'active'"
    ua_ru = "country IN ('UA', 'RU')"
    oblast = f"kind = 'oblast' AND {ua_ru}"
    pools = {
        "en": {
            "p": column(f"SELECT name_en FROM places WHERE {ua_ru} AND {settle}"),
            "r": column(f"SELECT name_en FROM places WHERE {oblast}"),
            "w": column(f"SELECT name_en FROM places WHERE kind = 'city' AND NOT {ua_ru}"),
        },
        "uk": {
            "p": column(f"SELECT name_uk FROM places WHERE country = 'UA' AND {settle}"),
            "r": column("SELECT name_uk FROM places WHERE kind = 'oblast' AND country = 'UA'"),
        },
        "ru": {
            "p": column(f"SELECT name_ru FROM places WHERE {ua_ru} AND {settle}"),
            "r": column(f"SELECT name_ru FROM places WHERE {oblast}"),
        },
    }
    conn.close()
    return pools


def generated_sentences(db: str, langs: Sequence[str], seed: int) -> Iterable[str]:
    """An endless stream of distinct generated sentences in ``langs`` (taken in turn)."""
    rng = random.Random(f"{seed}:sentences:{','.join(langs)}")
    pools = _name_pools(db)
    seen: set[str] = set()
    turn = 0
    while True:
        lang = langs[turn % len(langs)]
        turn += 1
        pool = pools[lang]
        fill = {
            "p": rng.choice(pool["p"]),
            "q": rng.choice(pool["p"]),
            "r": rng.choice(pool["r"]),
            "w": rng.choice(pool.get("w") or pool["p"]),
            "v": rng.choice(pool.get("w") or pool["p"]),
            "n": str(rng.randint(2, 999)),
            "m": str(rng.randint(2, 99)),
            "d": rng.choice(_DAYS[lang]),
        }
        sentence = rng.choice(TEMPLATES[lang]).format(**fill)
        if sentence not in seen:
            seen.add(sentence)
            yield sentence


def build_corpus(group: str, megabytes: float, seed: int, db: str) -> list[str]:
    """Distinct documents of one language group, ``megabytes`` in all: every dev snippet of
    the group once, then distinct generated sentences (see the module docstring)."""
    snippets = [row["text"] for row in load_dev() if row["lang"] in GROUPS[group]]
    rng = random.Random(f"{seed}:{group}")
    rng.shuffle(snippets)
    sentences = generated_sentences(db, sorted(GROUPS[group]), seed)
    target = int(megabytes * 1_000_000)
    documents: list[str] = []
    size = 0
    while size < target:
        parts: list[str] = []
        length = 0
        while length < DOC_CHARS:
            parts.append(snippets.pop() if snippets else next(sentences))
            length += len(parts[-1]) + 1
        document = " ".join(parts)
        documents.append(document)
        size += len(document.encode("utf-8"))
    return documents


# -- scoring ----------------------------------------------------------------------------------
def score(dev: Sequence[dict[str, Any]], found: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """Precision, recall and F1 overall and by language group (en, uk_ru, other)."""
    counts: dict[str, list[int]] = {}
    for row, spans in zip(dev, found, strict=True):
        group = next((g for g, langs in GROUPS.items() if row["lang"] in langs), "other")
        gold = [
            (m["start"], m["end"], {v for v in (m["expected"], m.get("alt_id", "")) if v})
            for m in row["mentions"]
        ]
        taken: set[int] = set()
        right = 0
        for start, end, ids in spans:
            for i, (g_start, g_end, g_ids) in enumerate(gold):
                if i not in taken and start < g_end and g_start < end and set(ids) & g_ids:
                    taken.add(i)
                    right += 1
                    break
        for key in ("all", group):
            c = counts.setdefault(key, [0, 0, 0])
            c[0] += right
            c[1] += len(spans)
            c[2] += len(gold)
    out: dict[str, Any] = {}
    for key, (right, n_found, n_gold) in counts.items():
        precision = right / n_found if n_found else 0.0
        recall = right / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[key] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "found": n_found,
            "gold": n_gold,
        }
    return out


# -- the toponyms side (child process) ---------------------------------------------------------
def child_speed(
    db: str | None, group: str, megabytes: float, seed: int, budget: float
) -> dict[str, Any]:
    """Time ``Resolver.extract`` over the corpus of one group, within ``budget`` seconds;
    start-up (open, first call on one short sentence) is timed apart."""
    from benchlib import default_db

    documents = build_corpus(group, megabytes, seed, db or default_db())
    started = time.perf_counter()
    from toponyms import Resolver

    resolver = Resolver(db=db)
    try:
        resolver.extract(WARM_UP[group])
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    startup_s = time.perf_counter() - started
    done_bytes = done_chars = mentions = docs = 0
    started = time.perf_counter()
    elapsed = 0.0
    for document in documents:
        mentions += len(resolver.extract(document))
        done_bytes += len(document.encode("utf-8"))
        done_chars += len(document)
        docs += 1
        elapsed = time.perf_counter() - started
        if elapsed > budget:
            break
    return {
        "bytes": done_bytes,
        "chars": done_chars,
        "docs": docs,
        "elapsed": elapsed,
        "mentions": mentions,
        "partial": docs < len(documents),
        "startup_s": startup_s,
    }


def child_accuracy(db: str | None) -> dict[str, Any]:
    """Run ``Resolver.extract`` on every dev snippet; return the spans found."""
    from benchlib import match_ids

    from toponyms import Resolver

    resolver = Resolver(db=db)
    found: list[list[Span]] = []
    started = time.perf_counter()
    try:
        for row in load_dev():
            found.append(
                [(m.start, m.end, match_ids(m.match)) for m in resolver.extract(row["text"])]
            )
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"found": found, "elapsed": time.perf_counter() - started}


def _speed_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs if "elapsed" in r and r["elapsed"] > 0]
    if not good:
        return {"error": (runs[0].get("error") if runs else None) or "failed"}
    mbs = [r["bytes"] / r["elapsed"] / 1e6 for r in good]
    cps = [r["chars"] / r["elapsed"] for r in good]
    return {
        "mb_s": round(median(mbs) or 0.0, 3),
        "mb_s_runs": [round(v, 3) for v in mbs],
        "chars_s": round(median(cps) or 0.0),
        "mb": round(good[0]["bytes"] / 1e6, 3),
        "runs": len(good),
        "partial": any(r["partial"] for r in good),
        "mentions_per_kb": round(good[0]["mentions"] / (good[0]["bytes"] / 1000), 2),
        "startup_s": round(median(r["startup_s"] for r in good) or 0.0, 3),
    }


def measure_toponyms(
    db: str, megabytes: float, seed: int, repeat: int, budget: float
) -> dict[str, Any]:
    """Speed (per group, median of ``repeat`` fresh processes) and dev accuracy of extract."""
    script = str(Path(__file__))
    accuracy_run = run_child([script, "--child-accuracy", "--db", db], db, timeout=budget * 4 + 120)
    if "error" in accuracy_run:
        return {"error": accuracy_run["error"]}
    out: dict[str, Any] = {"accuracy": score(load_dev(), accuracy_run["found"])}
    for group in GROUPS:
        runs = []
        for i in range(repeat):
            result = run_child(
                [
                    script,
                    "--child-speed",
                    group,
                    "--db",
                    db,
                    "--mb",
                    str(megabytes),
                    "--seed",
                    str(seed),
                    "--budget",
                    str(budget),
                ],
                db,
                timeout=budget * 3 + 120,
            )
            runs.append(result)
            if "error" in result:
                break
            print(
                f"  extract {group} run {i + 1}: "
                f"{result['bytes'] / result['elapsed'] / 1e6:.3f} MB/s"
                + (" (partial)" if result["partial"] else ""),
                file=sys.stderr,
            )
        out[group] = _speed_summary(runs)
    return out


# -- the baseline --------------------------------------------------------------------------------
def _lower_aligned(text: str) -> str:
    """``text.lower()`` with the same length (a letter whose lower case is longer is kept)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


class AhoBaseline:
    """Exact multi-pattern scan over every name; see the module docstring."""

    def __init__(self, table: NameTable) -> None:
        import ahocorasick

        started = time.perf_counter()
        self.answers: list[Sequence[str]] = []
        automaton = ahocorasick.Automaton()
        for name, ids in table.best.items():
            key = _lower_aligned(name)
            if len(key) >= MIN_NAME_CHARS and not automaton.exists(key):
                automaton.add_word(key, (len(key), len(self.answers)))
                self.answers.append(sorted(ids))
        automaton.make_automaton()
        self.automaton = automaton
        self.build_s = time.perf_counter() - started

    def scan(self, text: str, capitalized: bool = False) -> list[Span]:
        """The longest leftmost word-bounded name hits of ``text``."""
        lowered = _lower_aligned(text)
        n = len(text)
        hits: list[tuple[int, int, int]] = []
        for end_index, (length, answer) in self.automaton.iter(lowered):
            start = end_index - length + 1
            end = end_index + 1
            if start > 0 and lowered[start - 1].isalnum():
                continue
            if end < n and lowered[end].isalnum():
                continue
            if capitalized and not text[start].isupper():
                continue
            hits.append((start, end, answer))
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        spans: list[Span] = []
        last_end = -1
        for start, end, answer in hits:
            if start >= last_end:
                spans.append((start, end, self.answers[answer]))
                last_end = end
        return spans


def _time_scan(
    scan: Callable[[str], list[Span]], documents: Iterable[str]
) -> tuple[int, int, float]:
    size = chars = 0
    started = time.perf_counter()
    for document in documents:
        scan(document)
        size += len(document.encode("utf-8"))
        chars += len(document)
    return size, chars, time.perf_counter() - started


def measure_baseline(
    table: NameTable, megabytes: float, seed: int, repeat: int, db: str
) -> dict[str, Any]:
    """Build time, MB/s per group (median of ``repeat`` passes over the same documents as
    the toponyms runs) and dev accuracy of the scan."""
    baseline = AhoBaseline(table)
    out: dict[str, Any] = {"build_s": round(baseline.build_s, 2), "patterns": len(baseline.answers)}
    for group in GROUPS:
        documents = build_corpus(group, megabytes, seed, db)
        runs = [_time_scan(baseline.scan, documents) for _ in range(repeat)]
        mbs = [b / e / 1e6 for b, _, e in runs]
        out[group] = {
            "mb_s": round(median(mbs) or 0.0, 3),
            "mb_s_runs": [round(v, 3) for v in mbs],
            "chars_s": round(median(c / e for _, c, e in runs) or 0.0),
            "mb": round(runs[0][0] / 1e6, 3),
        }
    dev = load_dev()
    out["accuracy"] = score(dev, [baseline.scan(row["text"]) for row in dev])
    out["accuracy_capitalized"] = score(dev, [baseline.scan(row["text"], True) for row in dev])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default=None, help="gazetteer (default: $TOPONYMS_DB, else the default one)"
    )
    parser.add_argument("--child-speed", choices=sorted(GROUPS), default=None)
    parser.add_argument("--child-accuracy", action="store_true")
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--budget", type=float, default=60.0)
    args = parser.parse_args()
    args.db = args.db or default_db()
    if args.child_speed:
        print(json.dumps(child_speed(args.db, args.child_speed, args.mb, args.seed, args.budget)))
    elif args.child_accuracy:
        print(json.dumps(child_accuracy(args.db)))
    else:
        parser.error("use benchmarks/run.py for the benchmark")


if __name__ == "__main__":
    main()
