"""Shared fixtures: paths to the repository, the shared dev data and the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_ARTICLE = REPO / "data" / "raw" / "ukraine-2024-12-17.txt"


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the repository (CI lays it there); skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture
def seed_raw(tmp_path: Path) -> Path:
    """A raw folder holding only the seed article."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())
    return raw
