"""Hatch build hook: build the default gazetteer into the wheel.

``pip install .`` builds a wheel; this hook runs the gazetteer build (about a minute; the
standard library, marisa-trie and rapidfuzz, build requirements) on the source extracts kept in
``gazetteer/data/sources`` and places the result in the wheel as
``gazetteer/data/default.sqlite``, so an installed toponyms answers offline at once. The
result is cached under ``build/gazetteer`` by a digest of its inputs, so rebuilding an
unchanged tree costs nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class DefaultGazetteerHook(BuildHookInterface):  # type: ignore[misc,type-arg,unused-ignore]
    """Adds the freshly built default gazetteer to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install finds cli.py and the gazetteer in the source tree
        root = Path(self.root)
        # The typer app ships inside the package, never as a top-level module ``cli``.
        build_data["force_include"][str(root / "cli.py")] = "toponyms/_cli.py"
        sys.path.insert(0, str(root))
        try:
            from gazetteer.build import build
            from gazetteer.store import _inputs_digest
        finally:
            sys.path.remove(str(root))
        out = root / "build" / "gazetteer" / f"default-{_inputs_digest()}.sqlite"
        if not out.exists():
            print("toponyms: building the default gazetteer…", file=sys.stderr)
            stats = build(out, log=lambda message: print(f"  {message}", file=sys.stderr))
            print(f"toponyms: gazetteer built in {stats.get('seconds')} s", file=sys.stderr)
        build_data["force_include"][str(out)] = "gazetteer/data/default.sqlite"
