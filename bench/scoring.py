"""TempEval-3 style scoring of temporal expressions: one-to-one overlap matching.

Strict span counts exact offsets, relaxed span any overlap; value counts relaxed matches whose
value strings are identical (precision over all system mentions, recall over all gold).

    >>> s = score([("a", 0, 4, "2024")], [("a", 0, 4, "2024")])
    >>> s["value"]["f1"]
    1.0
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

Span = tuple[str, int, int, str]  # document id, start, end, value


def _prf(tp: int, n_sys: int, n_gold: int) -> dict[str, float]:
    p = tp / n_sys if n_sys else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def match(system: list[Span], gold: list[Span]) -> list[tuple[Span, Span]]:
    """One-to-one overlap matching: exact spans first, then the largest overlaps."""
    pairs: list[tuple[Span, Span]] = []
    used_s: set[int] = set()
    used_g: set[int] = set()
    candidates = []
    for i, s in enumerate(system):
        for j, g in enumerate(gold):
            overlap = min(s[2], g[2]) - max(s[1], g[1])
            if overlap > 0:
                exact = s[1] == g[1] and s[2] == g[2]
                candidates.append((not exact, -overlap, i, j))
    for _, _, i, j in sorted(candidates):
        if i in used_s or j in used_g:
            continue
        used_s.add(i)
        used_g.add(j)
        pairs.append((system[i], gold[j]))
    return pairs


def score(system: Iterable[Span], gold: Iterable[Span]) -> dict[str, dict[str, float]]:
    """Strict span, relaxed span and value P/R/F1 of system spans against gold spans."""
    by_doc_s: dict[str, list[Span]] = defaultdict(list)
    by_doc_g: dict[str, list[Span]] = defaultdict(list)
    for s in system:
        by_doc_s[s[0]].append(s)
    for g in gold:
        by_doc_g[g[0]].append(g)
    n_sys = sum(len(v) for v in by_doc_s.values())
    n_gold = sum(len(v) for v in by_doc_g.values())
    strict = relaxed = value = 0
    for doc in set(by_doc_s) | set(by_doc_g):
        for s, g in match(by_doc_s[doc], by_doc_g[doc]):
            relaxed += 1
            strict += s[1] == g[1] and s[2] == g[2]
            value += s[3] == g[3]
    return {
        "strict": _prf(strict, n_sys, n_gold),
        "relaxed": _prf(relaxed, n_sys, n_gold),
        "value": _prf(value, n_sys, n_gold),
    }
