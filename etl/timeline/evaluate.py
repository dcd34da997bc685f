"""Score a merge against gold clusters: pairwise and B-cubed precision, recall and F1.

Items are articles; a gold label is the real-world event an article reports, a predicted label
the group the merge put it in. Pairwise scores count article pairs placed together; B-cubed
(Bagga and Baldwin 1998) averages, per article, how much of its predicted group is right
(precision) and how much of its gold group it found (recall).

    >>> pairwise_scores({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "x", "c": "x"}).recall
    1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1; precision is None when nothing was predicted (no pairs)."""

    precision: float | None
    recall: float
    f1: float


def _f1(precision: float | None, recall: float) -> float:
    if not precision or not recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _contingency(gold: Mapping[Item, Hashable],
                 predicted: Mapping[Item, Hashable]) -> tuple[Counter[Hashable], Counter[Hashable],
                                                                  Counter[tuple[Hashable, Hashable]]]:
    items = gold.keys()
    missing = [i for i in items if i not in predicted]
    if missing:
        raise ValueError(f"{len(missing)} gold items have no predicted label, e.g. {missing[:3]}")
    gold_sizes = Counter(gold[i] for i in items)
    predicted_sizes = Counter(predicted[i] for i in items)
    both = Counter((gold[i], predicted[i]) for i in items)
    return gold_sizes, predicted_sizes, both


def pairwise_scores(gold: Mapping[Item, Hashable], predicted: Mapping[Item, Hashable]) -> Scores:
    """Pairs of gold items placed together: right ones over predicted pairs and over gold pairs.

        >>> pairwise_scores({1: "a", 2: "a", 3: "b"}, {1: 0, 2: 1, 3: 2})
        Scores(precision=None, recall=0.0, f1=0.0)
    """
    gold_sizes, predicted_sizes, both = _contingency(gold, predicted)
    right = sum(_pairs(n) for n in both.values())
    predicted_pairs = sum(_pairs(n) for n in predicted_sizes.values())
    gold_pairs = sum(_pairs(n) for n in gold_sizes.values())
    precision = right / predicted_pairs if predicted_pairs else None
    recall = right / gold_pairs if gold_pairs else 0.0
    return Scores(precision, recall, _f1(precision, recall))


def bcubed_scores(gold: Mapping[Item, Hashable], predicted: Mapping[Item, Hashable]) -> Scores:
    """B-cubed precision and recall, averaged over gold items.

        >>> bcubed_scores({1: "a", 2: "a"}, {1: 0, 2: 1})
        Scores(precision=1.0, recall=0.5, f1=0.6666666666666666)
    """
    gold_sizes, predicted_sizes, both = _contingency(gold, predicted)
    n = sum(gold_sizes.values())
    if n == 0:
        return Scores(None, 0.0, 0.0)
    # Each item of a (gold, predicted) cell of size c has c right neighbours, itself included.
    precision = sum(c * c / predicted_sizes[p] for (_, p), c in both.items()) / n
    recall = sum(c * c / gold_sizes[g] for (g, _), c in both.items()) / n
    return Scores(precision, recall, _f1(precision, recall))


def connected_groups(groups: Iterable[Iterable[Item]], items: Iterable[Item]) -> dict[Item, int]:
    """A label per item: items that share any group are connected; others stand alone.

    An article may report several events, so it can sit in several timeline rows; for scoring,
    articles linked through any row form one predicted group.

        >>> connected_groups([["a", "b"], ["b", "c"]], ["a", "b", "c", "d"])
        {'a': 0, 'b': 0, 'c': 0, 'd': 1}
    """
    parent: dict[Item, Item] = {}

    def find(x: Item) -> Item:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving keeps the trees flat
            x = parent[x]
        return x

    for group in groups:
        members = list(group)
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    labels: dict[Item, int] = {}
    roots: dict[Item, int] = {}
    for item in items:
        root = find(item)
        labels[item] = roots.setdefault(root, len(roots))
    return labels
