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
from types import TracebackType
from typing import BinaryIO, cast

from toponyms.errors import InvalidInputError

MAX_LINE_BYTES = 1_000_000
SNIFF_BYTES = 8192  # how much of a file is looked at to tell text from binary


@dataclass(frozen=True, slots=True)
class Line:
    """One input line: its number, and either its text or why it could not be read."""

    number: int
    text: str | None
    error: str | None = None


def open_binary(path: str | Path) -> BinaryIO:
    """``-`` is standard input; anything else a file, with a clear error if it is missing,
    a folder, unreadable, or not text at all (a NUL byte in its first 8 KB: a binary file,
    or UTF-16 text, which must be saved as UTF-8 first). Refused once, before any output."""
    if str(path) == "-":
        stream = sys.stdin.buffer
        where = "standard input"
    else:
        where = str(path)
        try:
            stream = Path(path).open("rb")  # noqa: SIM115 - the caller reads and closes it
        except FileNotFoundError:
            raise InvalidInputError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise InvalidInputError(f"{path} is a folder, not a file") from None
        except PermissionError:
            raise InvalidInputError(f"cannot read {path}: permission denied") from None
        except OSError as error:
            raise InvalidInputError(f"cannot read {path}: {error.strerror or error}") from None
    peek = getattr(stream, "peek", None)
    head = cast(bytes, peek(SNIFF_BYTES))[:SNIFF_BYTES] if peek is not None else b""
    if b"\x00" in head:
        if stream is not sys.stdin.buffer:
            stream.close()
        raise InvalidInputError(
            f"{where} is not text (it has NUL bytes): give a UTF-8 text file"
            " (UTF-16 text must be saved as UTF-8 first)"
        )
    return stream


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
    """A line counter on standard error while the output goes elsewhere.

    Shown only when standard error is a terminal and standard output is not (output to a
    terminal shows its own progress, and a counter would tangle with its lines). The
    counter's line is cleared when the work ends, on Ctrl-C or an error too: use it as a
    context manager, or call :meth:`close`.
    """

    def __init__(self, label: str, *, every: int = 1000) -> None:
        self.label = label
        self.every = every
        self.count = 0
        self.shown = False
        self.enabled = _is_terminal(sys.stderr) and not _is_terminal(sys.stdout)

    def step(self) -> None:
        self.count += 1
        if self.enabled and self.count % self.every == 0:
            sys.stderr.write(f"\r{self.label}: {self.count:,}")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        """Remove the counter's line (carriage return, erase to the end of the line)."""
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False

    def close(self) -> None:
        self.clear()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False
