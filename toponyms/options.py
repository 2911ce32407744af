"""Check a query's options once, before a stream starts, with a hint when one is wrong.

:meth:`Resolver.check_options` (which every stream runs before its first name) checks a
country here, against the gazetteer itself: ``--country Ukraine`` fails at once with "did
you mean UA?", and nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from gazetteer import store
from toponyms.errors import InvalidInputError
from toponyms.text.normalize import fold

if TYPE_CHECKING:
    pass

SUGGEST_SCORE = 85  # how alike (0-100) a misspelt country name must be to be suggested


def _folded(text: str) -> str:
    try:
        return fold(text)
    except InvalidInputError:
        return text.casefold()


class Countries:
    """A gazetteer's countries: their ISO 3166-1 alpha-2 codes, English names, and every
    name its country places have (all languages), folded, for suggestions."""

    def __init__(self, codes: dict[str, str], names: dict[str, str]) -> None:
        self.codes = codes  # code -> English name
        self.names = names  # folded name -> code

    @classmethod
    def of(cls, db: str | os.PathLike[str] | None = None) -> Countries:
        """The countries of gazetteer ``db`` (``None``: ``$TOPONYMS_DB`` or the default)."""
        path, _ = store.resolve_path(db)
        conn = store.connect(path, readonly=True)
        try:
            codes: dict[str, str] = {}
            for code, name_en, name_uk in conn.execute(
                "SELECT country, name_en, name_uk FROM places WHERE kind = 'country'"
                " ORDER BY status = 'active', id"
            ):
                codes[code] = name_en or name_uk or code
            for (code,) in conn.execute("SELECT DISTINCT country FROM places"):
                codes.setdefault(code, code)
            names: dict[str, str] = {}
            for code, name in conn.execute(
                "SELECT p.country, n.name FROM names n JOIN places p ON p.id = n.place_id"
                " WHERE p.kind = 'country' ORDER BY n.id"
            ):
                names.setdefault(_folded(name), code)
        finally:
            conn.close()
        return cls(codes, names)

    def suggest(self, text: str) -> str | None:
        """The code a country name (or a near misspelling of one) stands for."""
        key = _folded(text)
        if key in self.names:
            return self.names[key]
        if len(key) < 4 or not self.names:
            return None
        found = process.extractOne(
            key, list(self.names), scorer=fuzz.ratio, score_cutoff=SUGGEST_SCORE
        )
        return self.names[found[0]] if found else None

    def check(self, country: str | Iterable[str] | None) -> tuple[str, ...] | None:
        """``"UA,RU"`` (or a list) as a tuple of codes, each one a country of this
        gazetteer; raises :class:`~toponyms.errors.InvalidInputError` with a hint for a
        country name ("Ukraine" → UA) or a code the gazetteer does not have."""
        if country is None:
            return None
        items = country.split(",") if isinstance(country, str) else list(country)
        result: list[str] = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            code = item.upper()
            if len(code) == 2 and code.isalpha() and code in self.codes:
                result.append(code)
                continue
            hint = self.suggest(item)
            if hint is not None:
                raise InvalidInputError(
                    f"--country {item!r} is not a country code: did you mean {hint}"
                    f" ({self.codes.get(hint, hint)})?"
                )
            raise InvalidInputError(
                f"--country {item!r}: no such country code in this gazetteer"
                " (ISO 3166-1 alpha-2 codes, e.g. UA,RU)"
            )
        if not result:
            raise InvalidInputError("--country: no country code given (e.g. UA,RU)")
        return tuple(result)
