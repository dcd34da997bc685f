"""A file that kills its worker process becomes a problem row; the build goes on, and the next
build processes that file again."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from etl import build, load, pipeline
from etl.pipeline import STAGES, Rows, StageResult
from tests.tables import table_bytes

TEXT = "Russian forces shelled Kharkiv on Monday, killing three people."


def _killing_on(article_id: str) -> tuple[Any, ...]:
    """The real stages; the worker that meets ``article_id`` is killed as the OOM killer would."""
    temporal = STAGES[0]

    def stage(articles: list[dict[str, Any]], tables: Rows) -> StageResult:
        if any(a["article_id"] == article_id for a in articles):
            os.kill(os.getpid(), signal.SIGKILL)
        return temporal(articles, tables)

    stage.__name__ = temporal.__name__
    return (stage, *STAGES[1:])


@pytest.mark.slow
def test_a_killed_worker_costs_its_file_and_the_next_build_mends_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in "abcdef":
        (raw / f"{name}.txt").write_text(f"---\nid: {name}\npublished: 2024-12-17\n---\nTitle\n{TEXT}\n")
    build(raw, tmp_path / "clean", jobs=1)
    # workers are forked from this process, so they run the patched stages
    monkeypatch.setattr(pipeline, "STAGES", _killing_on("c"))
    build(raw, tmp_path / "out", jobs=2)
    tables = load(tmp_path / "out")
    assert tables["articles"]["article_id"].tolist() == ["a", "b", "d", "e", "f"]
    problems = tables["problems"]
    assert problems[["input_file", "code", "severity"]].values.tolist() == [["c.txt", "worker_died", "error"]]
    monkeypatch.undo()
    report = build(raw, tmp_path / "out", jobs=2)
    assert report.processed == 1  # only the file whose worker died
    assert table_bytes(tmp_path / "out") == table_bytes(tmp_path / "clean")
