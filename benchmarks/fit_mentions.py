"""Fit the mention model on the train splits of the extraction dev sets.

    python benchmarks/fit_mentions.py [--db PATH] [--write] [--data FILE ...]

Every candidate span the extractor finds in a train document (``extract_dev.jsonl``,
which is all train, and the ``train`` rows of every ``extract_real_*.jsonl``) becomes one
example: its features (:data:`toponyms.mentions.FEATURES`) and whether it overlaps an
annotated place mention. A logistic regression is fitted on them, and the decision
threshold that maximises span F1 on the same train examples is chosen. With ``--write``
the model replaces ``toponyms/data/mention_model.json``.

Test rows are never read here; ``benchmarks/evaluate_extract.py`` reports on them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from toponyms import Resolver  # noqa: E402
from toponyms import mentions as model_module  # noqa: E402
from toponyms.extract import candidates  # noqa: E402
from toponyms.mentions import MentionModel  # noqa: E402

DATA = HERE / "data"
MODEL_FILE = HERE.parent / "toponyms" / "data" / "mention_model.json"


def train_docs(paths: list[Path]) -> list[dict[str, object]]:
    docs: list[dict[str, object]] = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                if doc.get("split", "train") == "train":
                    docs.append(doc)
    return docs


def examples(
    resolver: Resolver, docs: list[dict[str, object]]
) -> list[tuple[dict[str, float], bool]]:
    rows: list[tuple[dict[str, float], bool]] = []
    for doc in docs:
        gold = [(m["start"], m["end"]) for m in doc["mentions"]]  # type: ignore[attr-defined]
        # The language is detected, as evaluate_extract.py and most users leave it: the
        # features fitted are the ones the extractor computes when it is not told.
        for start, end, values in candidates(resolver, str(doc["text"])):
            label = any(start < g_end and g_start < end for g_start, g_end in gold)
            rows.append((values, label))
    return rows


def best_threshold(
    model: MentionModel, rows: list[tuple[dict[str, float], bool]]
) -> tuple[float, float]:
    """The threshold with the best F1 of the span decision on ``rows``, and that F1."""
    positives = sum(label for _, label in rows)
    best = (0.5, 0.0)
    for step in range(10, 91, 5):
        threshold = step / 100
        tp = sum(1 for v, label in rows if label and model.probability(v) >= threshold)
        fp = sum(1 for v, label in rows if not label and model.probability(v) >= threshold)
        f1 = 2 * tp / (2 * tp + fp + (positives - tp)) if positives else 0.0
        if f1 > best[1]:
            best = (threshold, f1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--data", action="append", type=Path, default=None)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    paths = args.data or [DATA / "extract_dev.jsonl", *sorted(DATA.glob("extract_real_*.jsonl"))]
    docs = train_docs(paths)
    began = time.time()
    with Resolver(db=args.db) as resolver:
        rows = examples(resolver, docs)
    places = sum(label for _, label in rows)
    print(f"{len(docs)} train documents, {len(rows)} candidate spans, {places} places")
    weights, bias = model_module.fit(rows)
    model = MentionModel(weights=weights, bias=bias, threshold=0.5)
    threshold, f1 = best_threshold(model, rows)
    start = model_module.default()
    _, start_f1 = best_threshold(start, rows)
    print(
        f"span F1 on train: packaged model {start_f1:.3f}, fitted {f1:.3f} at threshold {threshold}"
    )
    for name in model_module.FEATURES:
        print(f"  {name:17} {weights[name]:+.3f}")
    print(f"  {'bias':17} {bias:+.3f}   ({time.time() - began:.0f} s)")
    if args.write:
        fitted = MentionModel(
            weights=weights,
            bias=bias,
            threshold=threshold,
            source="Logistic regression fitted by benchmarks/fit_mentions.py on the train splits of"
            " benchmarks/data/extract_dev.jsonl and extract_real_*.jsonl (never on a test split).",
            fitted={
                "documents": len(docs),
                "spans": len(rows),
                "train_span_f1": round(f1, 4),
                "files": [p.name for p in paths],
                "command": "python benchmarks/fit_mentions.py --write",
                "date": time.strftime("%Y-%m-%d"),
            },
        )
        MODEL_FILE.write_text(
            json.dumps(fitted.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"wrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
