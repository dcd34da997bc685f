"""A stage that fails on one article (a bug, not bad input) costs that article's rows, not the build."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import build, load, pipeline
from etl.pipeline import STAGES, Rows, StageResult, transform_batch

TEXT = "Russian forces shelled Kharkiv on Monday, killing three people."


def _articles(n: int) -> list[dict[str, Any]]:
    return [{"article_id": f"a{k}", "title": None, "text": TEXT, "published": datetime(2024, 12, 17),
             "language": "en", "input_file": "x.jsonl", "input_line": k + 1, "url": None, "source": None}
            for k in range(n)]


def _failing_on(article_id: str, stage_index: int) -> tuple[Any, ...]:
    """The real stages, with the one at ``stage_index`` raising when the batch holds ``article_id``."""
    real = STAGES[stage_index]

    def stage(articles: list[dict[str, Any]], tables: Rows) -> StageResult:
        if any(a["article_id"] == article_id for a in articles):
            raise ZeroDivisionError("a bug")
        return real(articles, tables)

    stage.__name__ = real.__name__
    return tuple(stage if k == stage_index else s for k, s in enumerate(STAGES))


@pytest.mark.parametrize(("stage_index", "name"), [(0, "temporal"), (1, "events")])
def test_the_article_a_stage_fails_on_loses_only_its_own_rows(
    monkeypatch: pytest.MonkeyPatch, stage_index: int, name: str,
) -> None:
    whole, _ = transform_batch(_articles(3))
    monkeypatch.setattr(pipeline, "STAGES", _failing_on("a1", stage_index))
    tables, problems = transform_batch(_articles(3))
    assert [(p.article_id, p.stage, p.code, p.severity) for p in problems] == [
        ("a1", name, "internal_error", "error")]
    assert "ZeroDivisionError: a bug" in problems[0].message
    assert tables["events"] == [e for e in whole["events"] if e["article_id"] != "a1"]
    kept = [m for m in whole["date_mentions"] if stage_index > 0 or m["article_id"] != "a1"]
    assert tables["date_mentions"] == kept  # a later stage's failure keeps the earlier rows


def test_a_build_with_a_failing_article_completes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(f"---\nid: good\npublished: 2024-12-17\n---\nTitle\n{TEXT}\n")
    (raw / "b.txt").write_text(f"---\nid: bad\npublished: 2024-12-17\n---\nTitle\n{TEXT}\n")
    monkeypatch.setattr(pipeline, "STAGES", _failing_on("bad", 1))
    build(raw, tmp_path / "out", jobs=1)
    tables = load(tmp_path / "out")
    assert tables["articles"]["article_id"].tolist() == ["good", "bad"]
    assert set(tables["events"]["article_id"]) == {"good"}
    assert set(tables["date_mentions"]["article_id"]) == {"good", "bad"}
    problems = tables["problems"]
    assert problems[["article_id", "stage", "code"]].values.tolist() == [["bad", "events", "internal_error"]]


_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "samples"
_SENTENCES = sorted({s.strip() for p in sorted(_SHARED.glob("*.txt")) for s in p.read_text().split(". ")
                     if s.strip()}) if _SHARED.is_dir() else ["Russian forces shelled Kharkiv on Monday"]
_PIECES = ["over the past 8000 years", "20 centuries ago", "in 300 years", "the 99th century", "10:30",
           "1,000", "Jan.", "St.", "U.S.", "week 53", "Q9", "next millennium", "\u200b", "\x00", "\u202e",
           "’", "—", "\n\n", "(", "\"", "killed", "Donetsk Oblast", "on Monday", "1945", "İ", "ﬁ", "\r"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SENTENCES), st.sampled_from(_PIECES)), min_size=1, max_size=12),
       st.sampled_from(["", " ", ". ", "\n"]),
       st.sampled_from([datetime(1600, 1, 1), datetime(2299, 12, 31), datetime(2024, 12, 17), None]))
def test_no_stage_fails_on_articles_made_of_real_sentences_and_odd_pieces(
    pieces: list[str], glue: str, published: datetime | None,
) -> None:
    article = {**_articles(1)[0], "text": glue.join(pieces), "published": published}
    _, problems = transform_batch([article])
    assert [p.message for p in problems if p.code == "internal_error"] == []
