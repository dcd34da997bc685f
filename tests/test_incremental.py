"""Incremental builds: only changed files are reprocessed, and the result equals a full build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import build, load
from etl.io.dataset import DatasetWriter
from etl.pipeline import _parts, starts_part
from tests.tables import remove_table, table_bytes


def _article(i: int) -> str:
    return json.dumps({"id": f"a{i}", "text": f"Shelling hit Kharkiv on Monday, report {i}.",
                       "published": "2024-12-17"}) + "\n"


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(6):
        (raw / f"f{i}.jsonl").write_text(_article(i))
    return raw


def test_unchanged_tree_reprocesses_nothing(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build(raw, out)
    assert (first.files, first.processed) == (6, 6)
    before = table_bytes(out)
    again = build(raw, out)
    assert (again.files, again.processed) == (6, 0)
    assert table_bytes(out) == before


@pytest.mark.parametrize("change", ["add", "modify", "delete", "touch"])
def test_one_file_change_reprocesses_only_it(raw: Path, tmp_path: Path, change: str) -> None:
    out = tmp_path / "out"
    build(raw, out)
    if change == "add":
        (raw / "new.jsonl").write_text(_article(99))
    elif change == "modify":
        (raw / "f2.jsonl").write_text(_article(42))
    elif change == "delete":
        (raw / "f3.jsonl").unlink()
    else:  # same bytes, new mtime: re-hashed, not reprocessed
        os.utime(raw / "f1.jsonl", ns=(1, 1))
    report = build(raw, out)
    assert report.processed == {"add": 1, "modify": 1, "delete": 0, "touch": 0}[change]
    full = tmp_path / "full"
    build(raw, full, full=True)
    assert table_bytes(out) == table_bytes(full)
    ids = set(load(out)["articles"]["article_id"])
    assert ("a3" in ids) == (change != "delete")


@pytest.mark.parametrize("jobs", [1, 2])
def test_cache_entries_stored_by_the_workers_serve_the_next_build(
    raw: Path, tmp_path: Path, jobs: int
) -> None:
    out = tmp_path / "out"
    build(raw, out, jobs=jobs)
    before = table_bytes(out)
    remove_table(out / "events.parquet")  # the last tables cannot be reused: entries must be read
    again = build(raw, out, jobs=1)
    assert (again.files, again.processed) == (6, 0)
    assert table_bytes(out) == before


def test_full_flag_reprocesses_everything(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(raw, out)
    assert build(raw, out, full=True).processed == 6


def test_settings_change_invalidates_cache(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Title\nShelling hit the city.\n")
    out = tmp_path / "out"
    build(raw, out)
    report = build(raw, out, default_published=__import__("datetime").date(2024, 1, 2))
    assert report.processed == 1
    assert load(out)["articles"]["published_basis"].tolist() == ["default"]


def test_duplicate_ids_across_files_keep_the_first(raw: Path, tmp_path: Path) -> None:
    (raw / "z.jsonl").write_text(_article(0))
    out = tmp_path / "out"
    build(raw, out)
    tables = load(out)
    assert tables["articles"]["article_id"].tolist().count("a0") == 1
    dup = tables["problems"][tables["problems"]["code"] == "duplicate_article_id"]
    assert dup["input_file"].tolist() == ["z.jsonl"]


def test_raw_folder_behind_an_fsspec_url(raw: Path, tmp_path: Path) -> None:
    import fsspec

    fs = fsspec.filesystem("memory")
    for path in sorted(raw.iterdir()):
        fs.pipe(f"/etl-raw-test/{path.name}", path.read_bytes())
    fs.pipe("/etl-raw-test/.hidden.txt", b"ignored")
    remote = build("memory://etl-raw-test", tmp_path / "remote")
    assert (remote.files, remote.processed) == (6, 6)
    build(raw, tmp_path / "local")
    assert table_bytes(tmp_path / "remote") == table_bytes(tmp_path / "local")
    assert build("memory://etl-raw-test", tmp_path / "remote").processed == 0
    fs.pipe("/etl-raw-test/f0.jsonl", _article(77).encode())
    assert build("memory://etl-raw-test", tmp_path / "remote").processed == 1


def _articles_file(ids: list[int]) -> str:
    return "".join(_article(i) for i in ids)


@pytest.mark.parametrize("change", ["modify_first", "duplicate_later_id", "delete_middle",
                                    "delete_first_of_duplicates", "add_between", "none"])
def test_rows_reused_from_the_last_build_equal_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str,
) -> None:
    # small parts (about 3 files each) and row groups, so that parts are reused and rewritten
    monkeypatch.setattr("etl.pipeline.FILES_PER_PART", 3)
    monkeypatch.setattr("etl.io.parquet.ROW_GROUP_ROWS", {"articles": 3})
    monkeypatch.setattr("etl.io.parquet.DEFAULT_ROW_GROUP_ROWS", 5)
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in range(12):
        (raw / f"f{f:02d}.jsonl").write_text(_articles_file([10 * f + k for k in range(f % 3 + 1)]))
    (raw / "f05b.jsonl").write_text(_articles_file([50, 999]))  # repeats a50 of f05
    out = tmp_path / "out"
    build(raw, out)
    if change == "modify_first":
        (raw / "f00.jsonl").write_text(_articles_file([0, 1, 2]))
    elif change == "duplicate_later_id":
        (raw / "f01.jsonl").write_text(_articles_file([10, 70]))  # a70 is f07's
    elif change == "delete_middle":
        (raw / "f04.jsonl").unlink()
    elif change == "delete_first_of_duplicates":
        (raw / "f05.jsonl").unlink()  # f05b's a50 is no longer a repeat
    elif change == "add_between":
        (raw / "f03b.jsonl").write_text(_articles_file([31, 32, 33, 34]))
    linked: list[str] = []
    original_link = DatasetWriter.link_part
    monkeypatch.setattr(DatasetWriter, "link_part", lambda self, index, old, rows: (
        linked.append(self.table), original_link(self, index, old, rows))[1])
    report = build(raw, out)
    assert report.processed == (0 if change in ("none", "delete_middle", "delete_first_of_duplicates")
                                else 1)
    assert "events" in linked  # parts did come from the last build's tables
    full = tmp_path / "full"
    build(raw, full, full=True)
    assert table_bytes(out) == table_bytes(full)
    again = build(raw, out)  # and the next build reuses what this one wrote
    assert again.processed == 0
    assert table_bytes(out) == table_bytes(full)


def test_a_build_with_nothing_changed_leaves_the_table_folders_be(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(raw, out)
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.parquet")}
    again = build(raw, out)
    assert again.processed == 0
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.parquet")} == before
    (raw / "f2.jsonl").write_text(_article(42))
    build(raw, out)
    after = {p.name: p.stat().st_ino for p in out.glob("*.parquet")}
    assert after["articles.parquet"] != before["articles.parquet"][0]  # a change is published


def test_tables_changed_behind_the_manifest_are_not_reused(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(raw, out)
    part = out / "events.parquet" / "part-000000.parquet"
    data = part.read_bytes()
    part.unlink()
    part.write_bytes(data)  # a new file: not the one the manifest describes
    (raw / "f2.jsonl").write_text(_article(42))
    build(raw, out)
    full = tmp_path / "full"
    build(raw, full, full=True)
    assert table_bytes(out) == table_bytes(full)


def test_unchanged_parts_are_the_last_build_s_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("etl.pipeline.FILES_PER_PART", 3)
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in range(12):
        (raw / f"f{f:02d}.jsonl").write_text(_article(f))
    out = tmp_path / "out"
    build(raw, out)
    parts = sorted((out / "events.parquet").iterdir())
    assert len(parts) > 2
    inodes = {p.name: p.stat().st_ino for p in parts}
    (raw / "f11.jsonl").write_text(_article(111))  # in the last part only
    build(raw, out)
    after = {p.name: p.stat().st_ino for p in sorted((out / "events.parquet").iterdir())}
    assert after.keys() == inodes.keys()
    changed = [name for name in after if after[name] != inodes[name]]
    assert changed == [max(after)]  # the other parts were linked, not written again


@given(st.lists(st.text("abcdef/._", min_size=1, max_size=6), unique=True, max_size=80),
       st.text("abcdef", min_size=1, max_size=6))
def test_a_file_added_or_removed_moves_no_boundary_past_the_next_one(names: list[str], extra: str) -> None:
    def grouped(files: list[str]) -> set[tuple[str, ...]]:
        files = sorted(files)
        return {tuple(files[k] for k in part) for part in _parts(files)}

    if extra in names:
        return
    with pytest.MonkeyPatch.context() as patch:  # small parts: name-chosen and forced cuts
        patch.setattr("etl.pipeline.FILES_PER_PART", 3)
        before, after = grouped(names), grouped([*names, extra])
        # only the parts up to the next boundary chosen by a name differ
        changed = sorted({*(before - after), *(after - before)})
        later = [part for part in before if min(part) > extra]
        boundary = min((part for part in later if starts_part(part[0])), default=None)
        assert changed and all(boundary is None or max(part) < boundary[0] for part in changed)
