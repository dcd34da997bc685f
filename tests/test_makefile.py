"""`make data` uses real file dependencies: with nothing changed it runs nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-C", str(REPO), *args], capture_output=True, text=True,
                          check=False)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.skipif(not (REPO / ".venv" / ".installed").exists(), reason="no make-built .venv")
def test_make_data_twice_does_nothing_the_second_time(tmp_path: Path) -> None:
    out = f"OUT={tmp_path / 'processed'}"
    first = _make("data", out)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "processed" / "articles.parquet").exists()
    assert _make("-q", "data", out).returncode == 0  # -q: exit 0 only when up to date
    second = _make("data", out)
    assert "etl build" not in second.stdout


def test_help_is_the_default_target() -> None:
    result = _make()
    assert result.returncode == 0
    for target in ("data", "test", "lint", "bench", "bench-temporal", "bench-events",
                   "bench-timeline", "bench-corpus"):
        assert f"  {target} " in result.stdout
