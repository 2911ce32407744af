"""Resolve a written place name to its place, in stages with one job each.

``query`` (name, qualifiers, type words) → ``candidates`` (exact and invariant keys,
other spellings from the forms index) → ``typos`` (names one slip away) →
``qualifiers`` (the regions a qualifier means) → ``scoring`` (the one scorer; its
numbers in ``weights``) → ``resolver`` (wires the stages, explains them). ``lookup``
is the stages' one reader of the gazetteer; ``values`` the plain values they pass.
"""

from toponyms.match.resolver import Resolver
from toponyms.match.values import Explanation, Resolution, Stage, parse_date, parse_point

__all__ = ["Explanation", "Resolution", "Resolver", "Stage", "parse_date", "parse_point"]
