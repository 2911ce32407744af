"""The mention model: its packaged weights, its fitting, and its decisions on real
sentences (the seed article's Oleshky/Aleshki, a president's first name, an agency)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toponyms import Resolver, ToponymsError, mentions
from toponyms.extract import candidates


def test_packaged_model_has_every_feature_and_says_how_it_was_fitted() -> None:
    model = mentions.default()
    assert set(model.weights) == set(mentions.FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert "fit_mentions.py" in model.source


def test_a_model_file_of_other_features_is_refused(tmp_path: Path) -> None:
    data = mentions.default().to_json()
    data["features"] = data["features"][:-1]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ToponymsError, match="features"):
        mentions.load(path)


def test_fit_learns_a_rule_from_examples() -> None:
    rows = []
    for i in range(200):
        person = i % 2 == 0
        preposition = i % 3 == 0
        rows.append(({"person": float(person), "preposition": float(preposition)}, not person))
    weights, bias = mentions.fit(rows)
    model = mentions.MentionModel(weights=weights, bias=bias, threshold=0.5)
    assert weights["person"] < -1.0
    assert not model.is_mention({"person": 1.0, "preposition": 0.0})
    assert model.is_mention({"person": 0.0, "preposition": 0.0})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a special-needs orphanage in Oleshky/Aleshki", ["Oleshky", "Aleshki"]),
        ("Volodymyr Zelensky said the front held.", []),
        ("TASS reported the strike.", []),
        ("Shelling hit Sumy and Kharkiv.", ["Sumy", "Kharkiv"]),
        ("He travelled to Volodymyr in Volyn.", ["Volodymyr", "Volyn"]),
    ],
)
def test_mentions_on_real_sentences(resolver: Resolver, text: str, expected: list[str]) -> None:
    assert [m.text for m in resolver.extract(text)] == expected


def test_candidates_keep_every_span_with_its_features(resolver: Resolver) -> None:
    text = "Volodymyr Zelensky visited Kharkiv."
    spans = candidates(resolver, text)
    assert [text[start:end] for start, end, _ in spans] == ["Volodymyr", "Kharkiv"]
    first = spans[0][2]
    assert first["next_capital"] == 1.0 and set(first) <= set(mentions.FEATURES)
