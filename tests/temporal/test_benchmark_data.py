"""Accuracy regressions on the shared WikiWars set and our news gold (scored as bench.temporal does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scoring import match, score
from bench.temporal import NEWS_GOLD, WIKIWARS, gold_spans, ours, read_jsonl


def test_news_gold_spans_slice_their_articles() -> None:
    articles = {a["id"]: a for a in read_jsonl(NEWS_GOLD / "articles.jsonl")}
    for g in read_jsonl(NEWS_GOLD / "gold.jsonl"):
        assert articles[g["id"]]["text"][g["start"] : g["end"]] == g["text"]
        assert g["type"] in ("DATE", "TIME", "DURATION", "SET")
    assert all(a["published"] for a in articles.values())


def test_news_gold_scores() -> None:
    articles = read_jsonl(NEWS_GOLD / "articles.jsonl")
    result = score([s for a in articles for s in ours(a)], gold_spans(NEWS_GOLD / "gold.jsonl"))
    assert result["strict"]["f1"] >= 0.85
    assert result["value"]["f1"] >= 0.85


def test_wikiwars_scores(shared_dir: Path) -> None:
    if not (WIKIWARS / "gold.jsonl").is_file():
        pytest.skip("WikiWars not in ../shared/dev")
    articles = read_jsonl(WIKIWARS / "articles.jsonl")
    result = score([s for a in articles for s in ours(a)], gold_spans(WIKIWARS / "gold.jsonl"))
    assert result["strict"]["f1"] >= 0.85
    assert result["value"]["f1"] >= 0.85


def test_scoring_is_one_to_one_and_prefers_exact_spans() -> None:
    system = [("d", 0, 10, "2024"), ("d", 0, 4, "2024"), ("d", 20, 25, "P1D")]
    gold = [("d", 0, 4, "2024"), ("d", 30, 35, "PXD")]
    assert match(system, gold) == [(("d", 0, 4, "2024"), ("d", 0, 4, "2024"))]
    result = score(system, gold)
    assert result["strict"] == {"p": 1 / 3, "r": 0.5, "f1": 0.4}
    assert result["value"]["f1"] == result["strict"]["f1"]
