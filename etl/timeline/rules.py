"""The merge rule's numbers and ranks, read once from ``etl/resources/timeline/*.toml``.

    >>> merge_settings().max_distance_km
    25.0
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from etl.config import RESOURCES_DIR

TIMELINE_RESOURCES = RESOURCES_DIR / "timeline"


def _read_toml(name: str) -> dict[str, Any]:
    with open(TIMELINE_RESOURCES / name, "rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class MergeSettings:
    """Thresholds and pair-score weights of the cross-article merge."""

    date_slack_days: int
    coarse_end_slack_days: int
    publication_match_days: int
    max_match_window_days: int
    max_block_span_days: int
    max_distance_km: float
    coarse_geo_precision: int
    score: dict[str, float]
    date_precision_rank: dict[str, int]
    date_basis_rank: dict[str, int]
    sector_group: dict[str, str]  # actor sector -> the group of sectors that may be one side


@cache
def merge_settings() -> MergeSettings:
    """The settings from ``merge.toml`` and ``families.toml`` (cached: read once per process)."""
    merge = _read_toml("merge.toml")
    ranks = _read_toml("families.toml")
    return MergeSettings(
        date_slack_days=int(merge["date_slack_days"]),
        coarse_end_slack_days=int(merge["coarse_end_slack_days"]),
        publication_match_days=int(merge["publication_match_days"]),
        max_match_window_days=int(merge["max_match_window_days"]),

        max_block_span_days=int(merge["max_block_span_days"]),
        max_distance_km=float(merge["max_distance_km"]),
        coarse_geo_precision=int(merge["coarse_geo_precision"]),
        score={k: float(v) for k, v in merge["score"].items()},
        date_precision_rank={k: int(v) for k, v in ranks["date_precision"].items()},
        date_basis_rank={k: int(v) for k, v in ranks["date_basis"].items()},
        sector_group={sector.casefold(): group
                      for group, sectors in ranks["actor_sector_groups"].items() for sector in sectors},
    )
