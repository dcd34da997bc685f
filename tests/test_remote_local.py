"""Output at a URL of a filesystem with real folders (fsspec's local://), and an output URL that
cannot be used: a clear error, not a traceback after the whole build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl import build
from etl.errors import UnreachableError
from etl.io.remote import UPLOAD_RECORD, check_output_url, upload_tables
from tests.conftest import SEED_ARTICLE
from tests.tables import table_bytes


@pytest.fixture(autouse=True)
def _own_mirrors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("etl.io.remote.cache_root", lambda: tmp_path / "cache")


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    return raw


def test_build_into_a_local_url_equals_a_local_build(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    build(raw, tmp_path / "local", jobs=1)
    url = f"local://{tmp_path}/remote"
    report = build(raw, url, jobs=1)
    assert report.upload is not None and report.upload.uploaded
    expected = table_bytes(tmp_path / "local")
    assert any("/" in rel for rel in expected)  # tables of parts: files inside folders
    assert table_bytes(tmp_path / "remote") == expected
    again = build(raw, url, jobs=1)
    assert again.upload is not None and not again.upload.changed
    assert sorted(p.name for p in (tmp_path / "remote").iterdir()) == sorted(
        {rel.split("/")[0] for rel in expected})  # no staging folder left behind


def test_upload_tables_replaces_a_table_of_another_layout_in_real_folders(tmp_path: Path) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    (local / "events.parquet").mkdir(parents=True)
    (local / "events.parquet" / "part-000000.parquet").write_bytes(b"folder")
    (local / "timeline.parquet").write_bytes(b"one file")
    (remote / "timeline.parquet").mkdir(parents=True)
    (remote / "timeline.parquet" / "part-000000.parquet").write_bytes(b"was a folder")
    (remote / "events.parquet").write_bytes(b"was one file")
    url = f"local://{remote}"
    report = upload_tables(local, url)
    assert sorted(report.uploaded) == ["events.parquet/part-000000.parquet", "timeline.parquet"]
    assert table_bytes(remote) == {"events.parquet/part-000000.parquet": b"folder",
                                   "timeline.parquet": b"one file"}
    assert not upload_tables(local, url).changed
    (local / UPLOAD_RECORD).unlink()
    assert len(upload_tables(local, url).uploaded) == 2


def test_a_usable_output_url_passes_the_check(tmp_path: Path) -> None:
    check_output_url(f"local://{tmp_path}/new/folder")
    assert (tmp_path / "new" / "folder").is_dir()
    check_output_url("memory://etl-check-output")


@pytest.mark.parametrize("url", ["nosuchprotocol://bucket/out", "local://{tmp}/a-file/out"])
def test_an_output_url_that_cannot_be_used_is_an_error(tmp_path: Path, url: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(UnreachableError, match="cannot use the output"):
        check_output_url(url.format(tmp=tmp_path))


def test_an_upload_that_fails_is_an_error_that_names_the_mirror(tmp_path: Path) -> None:
    local = tmp_path / "local"
    local.mkdir()
    (local / "events.parquet").write_bytes(b"x")
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(UnreachableError, match=re.escape(f"built in {local}")):
        upload_tables(local, f"local://{tmp_path}/a-file/out")
