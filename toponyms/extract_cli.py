"""The ``toponyms extract`` command's work: read text or JSON-lines documents, extract,
render. Kept out of ``cli.py`` so that the command stays a thin wrapper.

Plain text is read whole (up to the extractor's limit) from a file or standard input;
``--docs`` reads one JSON object per line and answers one line per document, in order,
with ``{"id": ..., "error": ...}`` for a line that cannot be read, and goes on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from toponyms.errors import InvalidInputError
from toponyms.extract import MAX_TEXT_CHARS
from toponyms.inputs import Progress, iter_lines, open_binary
from toponyms.models import Mention
from toponyms.render import (
    DOCUMENTS,
    MENTION_FIELDS,
    MENTIONS,
    RenderOptions,
    check_options,
    feature,
    render,
    write_geojson,
)

CSV_COLUMNS = list(MENTION_FIELDS)  # the CSV header (kept for callers of this name)


def _read_text(path: str | None) -> str:
    stream = open_binary(path or "-")
    data = stream.read(MAX_TEXT_CHARS * 4 + 1)
    if len(data) > MAX_TEXT_CHARS * 4:
        raise InvalidInputError(
            f"the text is larger than {MAX_TEXT_CHARS * 4:,} bytes: split it, or use --docs"
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"the text is not valid UTF-8 (byte {error.start + 1})") from None


def _documents(path: str) -> Iterator[tuple[Any, str | None, str | None]]:
    """(id, text, error) for each JSON line of a --docs file (opened now, so that a file
    that cannot be read fails before any output)."""
    return _document_lines(open_binary(path))


def _document_lines(stream: BinaryIO) -> Iterator[tuple[Any, str | None, str | None]]:
    with Progress("documents") as progress:
        for line in iter_lines(stream, max_bytes=MAX_TEXT_CHARS * 4):
            progress.step()
            if line.text is None:
                yield None, None, line.error
                continue
            if not line.text.strip():
                continue
            try:
                doc = json.loads(line.text)
            except json.JSONDecodeError as error:
                yield None, None, f"line {line.number}: not JSON ({error.msg})"
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
                doc_id = doc.get("id") if isinstance(doc, dict) else None
                yield doc_id, None, f'line {line.number}: expected an object with a string "text"'
                continue
            yield doc.get("id", line.number), doc["text"], None


def _tagged(text: str, mentions: list[Mention]) -> str:
    """The text with each mention marked ``[[text|place id|name]]``."""
    parts: list[str] = []
    position = 0
    for m in sorted(mentions, key=lambda m: m.start):
        parts.append(text[position : m.start])
        parts.append(f"[[{m.text}|{m.match.place.id}|{m.match.place.name}]]")
        position = m.end
    parts.append(text[position:])
    return "".join(parts)


def _geojson_features(results: list[tuple[Any, list[Mention]]]) -> Iterator[dict[str, Any]]:
    """One feature per place: mention count, offsets and the names seen."""
    by_place: dict[str, dict[str, Any]] = {}
    names: dict[str, set[str]] = defaultdict(set)
    for doc_id, mentions in results:
        for m in mentions:
            place = m.match.place
            entry = by_place.setdefault(
                place.id,
                {"place": place, "count": 0, "mentions": [], "score": 0.0},
            )
            entry["count"] += 1
            entry["score"] = max(entry["score"], m.match.score)
            entry["mentions"].append({"doc_id": doc_id, "start": m.start, "end": m.end})
            names[place.id].add(m.text)
    for place_id, entry in by_place.items():
        place = entry["place"]
        yield feature(
            place.lat,
            place.lon,
            {
                "place_id": place_id,
                "name": place.name,
                "name_en": place.name_en,
                "kind": place.kind,
                "country": place.country,
                "admin1": place.admin1,
                "geonames_id": place.geonames_id,
                "katottg": place.katottg,
                "mention_count": entry["count"],
                "names_seen": sorted(names[place_id]),
                "mentions": entry["mentions"],
                "score": round(entry["score"], 4),
            },
        )


def run_extract(
    *,
    path: str | None,
    docs: str | None,
    fmt: str,
    lang: str | None,
    min_score: float,
    db: Path | None,
    out: TextIO,
    options: RenderOptions | None = None,
) -> int:
    """Run the extract command; returns how many documents failed.

    ``options`` are the shared output options (``--fields``, ``--bom``, the table's width);
    their format is ``fmt``. tagged and geojson output are extraction's own; the other
    formats go through :func:`toponyms.render.render`."""
    from toponyms.match import Resolver

    shown = RenderOptions(
        fmt=fmt,
        fields=options.fields if options else None,
        bom=options.bom if options else False,
        width=options.width if options else None,
    )
    if fmt not in ("tagged", "geojson"):
        check_options(DOCUMENTS, shown)  # before reading anything
    elif shown.fields is not None or shown.bom:
        raise InvalidInputError(f"--fields and --bom are for table, csv and tsv output, not {fmt}")
    resolver = Resolver(db=db)
    failed = 0
    if docs is None:
        text = _read_text(path)
        mentions = resolver.extract(text, lang=lang, min_score=min_score)
        if fmt == "tagged":
            out.write(_tagged(text, mentions))
            if not text.endswith("\n"):
                out.write("\n")
        elif fmt == "geojson":
            write_geojson(_geojson_features([(None, mentions)]), out)
        else:
            render((m.to_dict() for m in mentions), MENTIONS, shown, out)
        return 0

    documents = _documents(docs)

    def results() -> Iterator[tuple[Any, list[Mention] | None, str | None, str | None]]:
        nonlocal failed
        for doc_id, text, error in documents:
            if error is not None or text is None:
                failed += 1
                yield doc_id, None, None, error
                continue
            try:
                yield doc_id, resolver.extract(text, lang=lang, min_score=min_score), text, None
            except InvalidInputError as problem:
                failed += 1
                yield doc_id, None, None, str(problem)

    if fmt == "tagged":
        for doc_id, doc_mentions, doc_text, error in results():
            line = (
                {"id": doc_id, "error": error}
                if error
                else {"id": doc_id, "tagged": _tagged(doc_text or "", doc_mentions or [])}
            )
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    elif fmt == "geojson":  # one feature per place over every document
        collected = [(doc_id, mentions or []) for doc_id, mentions, _, _ in results()]
        write_geojson(_geojson_features(collected), out)
    else:

        def objects() -> Iterator[dict[str, Any]]:
            for doc_id, mentions, _, error in results():
                if error is not None:
                    yield {"id": doc_id, "error": error}
                else:
                    yield {"id": doc_id, "mentions": [m.to_dict() for m in mentions or []]}

        render(objects(), DOCUMENTS, shown, out)
    return failed
