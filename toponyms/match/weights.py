"""The scorer's numbers: one frozen :class:`Weights`, read from ``data/weights.json``.

Every number that decides a ranking lives in that file, with its source: the evidence of
a rule and of a name type, the prior of a kind of place, how sharply evidence counts in
the prior share, the context factors and the thresholds. ``benchmarks/fit_weights.py``
fits the continuous ones on the train split of the development set and rewrites the file
(listing what it fitted under ``fitted``); the figures we report come from the test split.

The formula that uses them is in :mod:`toponyms.match.scoring`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toponyms.errors import ToponymsError
from toponyms.text import datafile

#: The weights that :mod:`benchmarks.fit_weights` may fit (continuous, one number each).
FITTABLE = (
    "evidence_sharpness",
    "support_floor",
    "qualifier_miss",
    "home_typo_bias",
    "both_sources_factor",
    "document_factor",
    "min_evidence",
    "ambiguity_ratio",
)


@dataclass(frozen=True)
class Weights:
    """The scorer's numbers (see the module docstring for the formula)."""

    rule_weight: dict[str, float]
    type_weight: dict[str, float]
    unknown_type_weight: float
    fuzzy_weight: float
    kind_prior: dict[str, float]
    unknown_kind_prior: float
    both_sources_factor: float
    evidence_sharpness: float
    support_floor: float
    qualifier_miss: float
    qualifier_factor: float
    fewer_qualifiers_factor: float
    document_factor: float
    near_scale_km: float
    home_typo_bias: float
    type_word_mismatch: float
    min_evidence: float
    ambiguity_ratio: float
    source: str = ""
    fitted: dict[str, Any] = dataclasses.field(default_factory=dict)

    def evidence_table(self) -> dict[tuple[str, str], float]:
        """The evidence of every (rule, type) pair (looked up once per hit in ranking)."""
        return {
            (rule, type_): rule_weight * type_weight
            for rule, rule_weight in self.rule_weight.items()
            for type_, type_weight in self.type_weight.items()
        }

    def replace(self, **changes: Any) -> Weights:
        """A copy with some weights changed (the fitting script's trial values)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return {"source": data.pop("source"), "fitted": data.pop("fitted"), **data}


def parse(data: dict[str, Any], *, where: str = "weights") -> Weights:
    """Weights from a JSON object; a missing, extra or ill-typed entry is an error."""
    fields = {f.name: f for f in dataclasses.fields(Weights)}
    unknown = sorted(set(data) - set(fields))
    missing = sorted(
        name
        for name, f in fields.items()
        if name not in data
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if unknown or missing:
        raise ToponymsError(f"{where}: unknown entries {unknown}, missing entries {missing}")
    for name, value in data.items():
        if name in ("source", "fitted"):
            continue
        if isinstance(value, dict):
            if not all(isinstance(v, int | float) for v in value.values()):
                raise ToponymsError(f"{where}: {name} must map names to numbers")
        elif not isinstance(value, int | float):
            raise ToponymsError(f"{where}: {name} must be a number, not {value!r}")
    return Weights(**data)


@lru_cache(maxsize=1)
def default() -> Weights:
    """The packaged weights (``toponyms/data/weights.json``)."""
    return parse(datafile.WEIGHTS.read(), where=datafile.WEIGHTS.file)


def load(path: str | Path) -> Weights:
    """Weights from a file of the packaged file's form (for the fitting script)."""
    return parse(datafile.read_json_path(Path(path), require_source=False), where=str(path))
