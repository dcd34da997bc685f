"""Pairwise and B-cubed merge scores, connected groups, and the GED bench corpus reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.timeline.evaluate import Scores, bcubed_scores, connected_groups, pairwise_scores

GOLD = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 3}


@pytest.mark.parametrize(("predicted", "pairwise", "bcubed"), [
    # Perfect.
    ({"a": 0, "b": 0, "c": 0, "d": 1, "e": 2}, Scores(1.0, 1.0, 1.0), Scores(1.0, 1.0, 1.0)),
    # Everything separate: no predicted pairs, so no pairwise precision.
    ({"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}, Scores(None, 0.0, 0.0),
     Scores(1.0, (1 / 3 * 3 + 1 + 1) / 5, 2 * 1.0 * 0.6 / 1.6)),
    # Everything together: 3 right pairs out of 10.
    ({k: 0 for k in GOLD}, Scores(0.3, 1.0, 2 * 0.3 / 1.3),
     Scores((3 * 3 / 5 + 1 / 5 + 1 / 5) / 5, 1.0, None)),
])
def test_scores(predicted, pairwise, bcubed):
    got = pairwise_scores(GOLD, predicted)
    assert got.precision == pytest.approx(pairwise.precision)
    assert (got.recall, got.f1) == pytest.approx((pairwise.recall, pairwise.f1))
    cubed = bcubed_scores(GOLD, predicted)
    assert (cubed.precision, cubed.recall) == pytest.approx((bcubed.precision, bcubed.recall))
    if bcubed.f1 is not None:
        assert cubed.f1 == pytest.approx(bcubed.f1)


def test_missing_prediction_is_an_error():
    with pytest.raises(ValueError):
        pairwise_scores(GOLD, {"a": 0})


def test_extra_predicted_items_are_ignored():
    predicted = {"a": 0, "b": 0, "c": 0, "d": 1, "e": 2, "zz": 0}
    assert pairwise_scores(GOLD, predicted) == Scores(1.0, 1.0, 1.0)


labels = st.dictionaries(st.integers(0, 30), st.integers(0, 5), min_size=1)


@given(labels, st.data())
def test_scores_stay_in_range_and_perfect_is_one(gold, data):
    predicted = {k: data.draw(st.integers(0, 5)) for k in gold}
    for scores in (pairwise_scores(gold, predicted), bcubed_scores(gold, predicted)):
        assert 0.0 <= scores.recall <= 1.0 and 0.0 <= scores.f1 <= 1.0
        assert scores.precision is None or 0.0 <= scores.precision <= 1.0
    assert bcubed_scores(gold, gold).f1 == pytest.approx(1.0)


def test_connected_groups():
    labels = connected_groups([["a", "b"], ["c"], ["b", "d"]], ["a", "b", "c", "d", "e"])
    assert labels["a"] == labels["b"] == labels["d"]
    assert len({labels["a"], labels["c"], labels["e"]}) == 3


def test_ged_corpus_reader(shared_dir):
    from bench.timeline import read_corpus

    corpus = read_corpus(shared_dir / "dev" / "ucdp-ged-ukraine" / "conflict_data_ukr.csv", [2016])
    articles = corpus.articles
    assert corpus.rows > 100 and len(articles) > 100
    assert articles["article_id"].is_unique
    assert set(corpus.gold) <= set(articles["article_id"])
    # The text is the headline itself, and the reference date is the headline's source_date.
    assert (articles["text"] == articles["title"]).all()
    assert articles["published"].notna().all()
    assert (articles["published"].dt.year == 2016).mean() > 0.9  # a few reports predate the row
