"""The exceptions toponyms raises.

One root, :class:`ToponymsError`; every subclass also inherits the built-in
that fits (``ValueError`` for bad input, ``LookupError`` for unknown ids), so
callers can catch either the toponyms error or the built-in they expect.
"""

from __future__ import annotations


class ToponymsError(Exception):
    """Root of every error toponyms raises on purpose."""


class InvalidInputError(ToponymsError, ValueError):
    """A query, name, coordinate, date or file that cannot be used as given."""


class InvalidCoordinatesError(InvalidInputError):
    """Latitude outside -90..90 or longitude outside -180..180, or not a number."""


class InvalidDateError(InvalidInputError):
    """A date that is not an ISO calendar date (YYYY, YYYY-MM or YYYY-MM-DD)."""


class UnknownPlaceError(ToponymsError, LookupError):
    """No place has the given id."""


class UnknownNameError(ToponymsError, LookupError):
    """The place has no such name."""


class GazetteerError(ToponymsError):
    """The gazetteer file is missing, unreadable, of an unknown schema, or fails a check."""


class DataFileError(GazetteerError, ValueError):
    """A data file (TSV or JSON rules, curated lists, source extracts, weights) breaks its
    format: a missing source line, a header other than its columns, a row of the wrong
    width, JSON that does not parse. The message names the file and the line.

    A :class:`GazetteerError` because the gazetteer and the resolver are made from these
    files: when one is broken, the installation cannot be used (exit code 1), whatever the
    user asked."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line


class ReadOnlyGazetteerError(GazetteerError, PermissionError):
    """An edit was attempted on the shipped default gazetteer (use ``gazetteer init``)."""


class ImportFileError(InvalidInputError):
    """A place file for ``gazetteer import`` is malformed; the message names the line."""


class RequestTooLargeError(InvalidInputError):
    """A request over a service's limits: too large a body or batch (HTTP 413)."""
