"""A build collects garbage less often while it runs, and leaves the collector as it found it."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from etl import build
from etl.io.memory import YOUNG_COLLECTION_ALLOCATIONS


def test_build_raises_the_collection_threshold_only_while_it_runs(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text(json.dumps({"id": "a", "text": "Shelling hit Kharkiv on Monday."}))
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    build(raw, tmp_path / "out", jobs=1, on_file=lambda name: seen.append(gc.get_threshold()))
    assert seen and seen[0][0] == YOUNG_COLLECTION_ALLOCATIONS
    assert gc.get_threshold() == before
