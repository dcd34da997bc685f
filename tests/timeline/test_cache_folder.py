"""The timeline cache replaces only folders it made: OUT/.cache may be somebody's ~/.cache."""

from __future__ import annotations

import shutil
from pathlib import Path

from etl import build
from tests.conftest import SEED_ARTICLE


def test_a_new_timeline_cache_deletes_only_the_folders_of_earlier_builds(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(SEED_ARTICLE, raw / SEED_ARTICLE.name)
    build(raw, out)
    cache = out / ".cache" / "timeline"
    (ours,) = [p for p in cache.iterdir() if p.is_dir()]
    stale = cache / ("0" * 24)  # an earlier build's (another key), and one a killed build left
    shutil.copytree(ours, stale)
    shutil.copytree(ours, cache / ".tmp-abc123")
    theirs = [cache / "models", cache / ("f" * 24), cache / ".tmp-editor"]  # not made by a build
    for folder in theirs:
        folder.mkdir()
        (folder / "weights.bin").write_bytes(b"keep me")
    build(raw, out, full=True)  # the merge runs and commits its cache again
    left = sorted(p.name for p in cache.iterdir())
    assert left == sorted([ours.name, *(f.name for f in theirs)])
    assert all((f / "weights.bin").read_bytes() == b"keep me" for f in theirs)
