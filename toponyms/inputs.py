"""Read input files line by line, safely: bad bytes and huge lines become per-line errors.

A stream of a million lines is read in constant memory; a line that is not UTF-8, or is
longer than ``max_bytes``, is reported as an error for that line and the stream goes on,
so one bad record never costs the rest of a batch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from toponyms.errors import InvalidInputError

MAX_LINE_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Line:
    """One input line: its number, and either its text or why it could not be read."""

    number: int
    text: str | None
    error: str | None = None


def open_binary(path: str | Path) -> BinaryIO:
    """``-`` is standard input; anything else a file, with a clear error if it is missing."""
    if str(path) == "-":
        return sys.stdin.buffer
    try:
        return Path(path).open("rb")
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise InvalidInputError(f"cannot read {path}: permission denied") from None


def iter_lines(stream: BinaryIO, *, max_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Yield every line of a binary stream, decoded, without its line ending."""
    number = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while True:  # skip the rest of the over-long line
                rest = stream.readline(max_bytes)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Line(number, None, f"line {number} is longer than {max_bytes} bytes")
            continue
        raw = raw.rstrip(b"\r\n")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield Line(number, None, f"line {number} is not valid UTF-8 (byte {error.start + 1})")
            continue
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        yield Line(number, text)


class Progress:
    """A line counter on standard error, shown only when it is a terminal."""

    def __init__(self, label: str, *, every: int = 1000) -> None:
        self.label = label
        self.every = every
        self.count = 0
        self.enabled = sys.stderr.isatty()

    def step(self) -> None:
        self.count += 1
        if self.enabled and self.count % self.every == 0:
            sys.stderr.write(f"\r{self.label}: {self.count:,}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.count >= self.every:
            sys.stderr.write(f"\r{self.label}: {self.count:,} done\n")
            sys.stderr.flush()
