"""A stage that fails on one article (a bug, not bad input) costs that article's rows, not the build."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import build, load, pipeline
from etl.pipeline import STAGES, Rows, StageResult, transform_batch

TEXTS = {  # file order is not id order, and the articles differ (their rows, their warnings)
    "b": ("Russian forces shelled Kharkiv on Monday, killing three people.", datetime(2024, 12, 17)),
    "a": ("Troops attacked Odesa yesterday. Rebels took the town of Goma on Friday.", None),
    "c": ("Police fired on protesters in Dhaka on 3 August, killing 12.", datetime(2024, 8, 5)),
    "d": ("Israeli strikes on Gaza killed 20 people on Tuesday, officials said.", None),
}


def _articles(ids: str = "bacd") -> list[dict[str, Any]]:
    return [{"article_id": i, "title": None, "text": TEXTS[i][0], "published": TEXTS[i][1],
             "language": "en", "input_file": "x.jsonl", "input_line": "bacd".index(i) + 1, "url": None,
             "source": None} for i in ids]


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
@pytest.mark.parametrize("failing", ["b", "c", "d"])
def test_the_others_rows_are_as_if_the_failing_article_were_not_there(
    monkeypatch: pytest.MonkeyPatch, stage_index: int, name: str, failing: str,
) -> None:
    without = transform_batch(_articles("bacd".replace(failing, "")))
    monkeypatch.setattr(pipeline, "STAGES", _failing_on(failing, stage_index))
    tables, problems = transform_batch(_articles())
    assert tables == without[0]  # same rows in the same order
    assert problems[:-1] == without[1]  # same problems in the same order, then the failure's
    assert (problems[-1].article_id, problems[-1].stage, problems[-1].code, problems[-1].severity) == (
        failing, name, "internal_error", "error")
    assert "ZeroDivisionError: a bug" in problems[-1].message


def test_a_row_arrow_cannot_hold_is_contained_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    events = STAGES[1]

    def overflowing(articles: list[dict[str, Any]], tables: Rows) -> StageResult:
        produced, problems = events(articles, tables)
        for row in produced["events"]:
            if row["article_id"] == "c":
                row["fatalities"] = 2**70
        return produced, problems

    overflowing.__name__ = events.__name__
    without = pipeline._stage_tables(_articles("bad"))
    monkeypatch.setattr(pipeline, "STAGES", (STAGES[0], overflowing))
    tables, problems = pipeline._stage_tables(_articles())
    assert all(tables[name].equals(without[0][name]) for name in tables)
    assert [(p.article_id, p.stage, p.code) for p in problems[len(without[1]):]] == [
        ("c", "events", "internal_error")]


def test_a_build_with_a_failing_article_completes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(f"---\nid: good\npublished: 2024-12-17\n---\nTitle\n{TEXTS['b'][0]}\n")
    (raw / "b.txt").write_text(f"---\nid: bad\npublished: 2024-12-17\n---\nTitle\n{TEXTS['b'][0]}\n")
    monkeypatch.setattr(pipeline, "STAGES", _failing_on("bad", 1))
    build(raw, tmp_path / "out", jobs=1)
    tables = load(tmp_path / "out")
    assert tables["articles"]["article_id"].tolist() == ["good", "bad"]
    assert set(tables["events"]["article_id"]) == set(tables["date_mentions"]["article_id"]) == {"good"}
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
    if not _SHARED.is_dir():
        pytest.skip("../shared/samples is not beside the repository")
    article = {**_articles("b")[0], "text": glue.join(pieces), "published": published}
    _, problems = transform_batch([article])
    assert [p.message for p in problems if p.code == "internal_error"] == []


def test_the_api_refuses_a_default_date_outside_the_years_of_news(tmp_path: Path) -> None:
    from etl.errors import ConfigError

    with pytest.raises(ConfigError, match="outside the years 1600-2299"):
        build(tmp_path, tmp_path / "out", default_published=date(9999, 12, 31))
