"""The mention model: whether a candidate span of running text is a place mention.

A span whose text is some place's name may still be a person (*Volodymyr* Zelensky), an
organisation (*TASS*), a common word (*One*, *Media*) or a part of another name. Rules
decide what is certain (a sentence's first function word, *Dynamo Kyiv*, *Dnipro river*);
everything else is weighed here, from the span's context, what the dictionaries say of
its text, and what the gazetteer says of the place it would be:

``p = 1 / (1 + exp(-(bias + Σ weight[f] × f)))``, a mention when ``p ≥ threshold``.

The weights, the bias and the threshold are data (``toponyms/data/mention_model.json``),
fitted by ``benchmarks/fit_mentions.py`` on the train splits of the extraction dev sets;
:func:`features` is the one definition of the features, used by both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toponyms.errors import ToponymsError
from toponyms.text import datafile

#: The features, in the model file's order. Each is a number in about [0, 1].
FEATURES = (
    "person",  # the text is listed as, or the dictionary reads it as, a person's name
    "common_word",  # listed or read as a common word
    "organisation",  # listed as an organisation, unit, weapon, demonym, month...
    "preposition",  # a locative preposition stands before it (в, у, near, w, bei...)
    "region_word",  # a region word stands after or before it (oblast, області, Gebiet)
    "next_capital",  # a capitalised word follows, with one space (a first name + surname)
    "previous_capital",  # a capitalised word precedes it, with one space (a surname)
    "sentence_start",  # the first word of a sentence
    "headline",  # the text is an all-capitals or title-case headline
    "acronym",  # all capitals, at most five letters
    "importance",  # log10 of the best place's population (or kind default), / 7
    "region_kind",  # the best place is a country, oblast, raion or hromada
    "score",  # the best match's context-free score
    "inflected",  # met as a case form
    "other_spelling",  # met as another transliteration or the other language's spelling
    "words",  # the span has more than one word
    "lower_case",  # the span is not capitalised (a headline in capitals, a Cyrillic case)
    "echo",  # another span of the text, spelled otherwise, is the same place (Oleshky/Aleshki)
    "region_in_text",  # a region the place lies in is named elsewhere in the text
    "noun_capitals",  # one word in German, which capitalises every noun, × (1 − importance)
)


@dataclass(frozen=True)
class MentionModel:
    """Logistic weights over :data:`FEATURES`, a bias and a decision threshold."""

    weights: dict[str, float]
    bias: float
    threshold: float
    source: str = ""
    fitted: dict[str, Any] | None = None

    def probability(self, values: dict[str, float]) -> float:
        """The chance that a span with these feature values is a place mention."""
        z = self.bias + sum(self.weights.get(name, 0.0) * v for name, v in values.items())
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def is_mention(self, values: dict[str, float]) -> bool:
        return self.probability(values) >= self.threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "fitted": self.fitted or {},
            "features": list(FEATURES),
            "weights": {name: round(self.weights.get(name, 0.0), 6) for name in FEATURES},
            "bias": round(self.bias, 6),
            "threshold": self.threshold,
        }


def parse(data: dict[str, Any], *, where: str = "mention model") -> MentionModel:
    """A model from its JSON object; features must be exactly :data:`FEATURES`."""
    if tuple(data.get("features", ())) != FEATURES:
        raise ToponymsError(f"{where}: its features are not this toponyms' ({', '.join(FEATURES)})")
    weights = data.get("weights")
    if not isinstance(weights, dict) or set(weights) != set(FEATURES):
        raise ToponymsError(f"{where}: needs one weight per feature")
    return MentionModel(
        weights={k: float(v) for k, v in weights.items()},
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        source=str(data.get("source", "")),
        fitted=data.get("fitted") or {},
    )


@lru_cache(maxsize=1)
def default() -> MentionModel:
    """The packaged model (``toponyms/data/mention_model.json``)."""
    return parse(datafile.MENTION_MODEL.read(), where=datafile.MENTION_MODEL.file)


def load(path: str | Path) -> MentionModel:
    """A model from a file of the packaged file's form (a fitting script's output)."""
    return parse(datafile.read_json_path(Path(path), require_source=False), where=str(path))


def fit(
    rows: list[tuple[dict[str, float], bool]],
    *,
    l2: float = 0.001,
    rounds: int = 3000,
    rate: float = 1.0,
) -> tuple[dict[str, float], float]:
    """Logistic regression by batch gradient descent (a few thousand spans, seventeen
    features: no library needed): the weights and the bias."""
    weights = dict.fromkeys(FEATURES, 0.0)
    bias = 0.0
    n = max(len(rows), 1)
    for _ in range(rounds):
        grad = dict.fromkeys(FEATURES, 0.0)
        grad_bias = 0.0
        for values, label in rows:
            z = bias + sum(weights[k] * v for k, v in values.items())
            p = 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
            error = p - (1.0 if label else 0.0)
            grad_bias += error
            for k, v in values.items():
                grad[k] += error * v
        for k in FEATURES:
            weights[k] -= rate * (grad[k] / n + l2 * weights[k])
        bias -= rate * grad_bias / n
    return weights, bias
