"""A killed build leaves readable tables and the next build completes; builds lock their output."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from click.testing import CliRunner
from filelock import FileLock

from etl import build
from etl.cli import main
from etl.errors import OutputLockedError
from tests.tables import table_bytes


def _corpus(raw: Path, files: int, per_file: int, salt: str = "") -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        lines = [json.dumps({"id": f"{salt}{f}-{i}", "published": "2024-12-17",
                             "text": f"Russian shelling hit Kharkiv on Monday {salt} {f} {i}. " * 20})
                 for i in range(per_file)]
        (raw / f"f{f:03d}.jsonl").write_text("\n".join(lines) + "\n")


def test_sigkill_at_any_moment(tmp_path: Path) -> None:
    raw, out, reference = tmp_path / "raw", tmp_path / "out", tmp_path / "reference"
    _corpus(raw, files=12, per_file=4, salt="old")
    build(raw, out)
    old_ids = set(pd.read_parquet(out / "articles.parquet")["article_id"])
    _corpus(raw, files=12, per_file=4, salt="new")  # same names, new content: all reprocessed
    command = [sys.executable, "-m", "etl", "build", "--jobs", "2", "--full", str(raw)]
    started = time.perf_counter()
    subprocess.run([*command, str(reference)], check=True, capture_output=True)
    duration = time.perf_counter() - started  # kill points spread over a whole build
    new_ids = set(pd.read_parquet(reference / "articles.parquet")["article_id"])
    for share in (0.15, 0.4, 0.65, 0.9):
        proc = subprocess.Popen([*command, str(out)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(duration * share)
        try:
            workers = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            workers = []
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Its worker processes do not outlive it.
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == []
        # Whatever moment it died, each table is whole: the old build's or the new one's.
        for path in out.glob("*.parquet"):
            assert pd.read_parquet(path).shape[1] > 0
        ids = set(pd.read_parquet(out / "articles.parquet")["article_id"])
        assert ids in (old_ids, new_ids)
    build(raw, out)
    assert table_bytes(out) == table_bytes(reference)
    assert not list(out.glob(".*.tmp")) and not list(out.glob(".*.old"))


def test_second_build_on_one_folder_exits_clearly(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    _corpus(raw, files=1, per_file=1)
    out.mkdir()
    with FileLock(str(out / ".etl.lock")):
        with pytest.raises(OutputLockedError, match="another build is writing"):
            build(raw, out)
        result = CliRunner().invoke(main, ["build", str(raw), str(out)])
        assert result.exit_code == 4
        assert "another build is writing" in result.output
    assert build(raw, out).files == 1  # the lock is released with its holder
