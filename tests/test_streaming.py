"""One large raw file is processed in bounded memory: the reader gives articles in batches, the
worker writes each batch's rows to the cache entry as it goes, and the build reads them back a
piece at a time. Memory is measured, not timed: Python's allocations (tracemalloc) and Arrow's
(a pool of its own) must stay a small fraction of the file, where holding the file's articles or
its tables whole costs several times its size."""

from __future__ import annotations

import gzip
import json
import random
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pytest

from etl import build, ingest, load, pipeline
from etl.ingest import FileReader, read_file
from etl.ingest.source import LocalSource
from etl.io import cache as cache_module
from etl.io import parquet as parquet_module
from etl.io import spool as spool_module
from etl.io.cache import EntryWriter, entry_frames

WORDS = ("shelling", "hit", "the", "city", "on", "monday", "rebels", "attacked", "an", "army",
         "post", "killing", "four", "soldiers", "near", "border", "while", "talks", "in", "capital")


def _big_jsonl(path: Path, megabytes: int) -> int:
    """A JSONL file of distinct ~4 KB articles, about ``megabytes`` long; its size in bytes."""
    rng = random.Random(6)
    with open(path, "w", encoding="utf-8") as out:
        k = 0
        while out.tell() < megabytes << 20:
            text = " ".join(rng.choice(WORDS) for _ in range(700))
            out.write(json.dumps({"id": f"a{k}", "published": f"2024-03-{1 + k % 28:02d}",
                                  "text": text}) + "\n")
            k += 1
    return path.stat().st_size


def _no_stages(articles: list[pipeline.Row], tables: pipeline.Rows) -> pipeline.StageResult:
    # the stages hold one batch at a time; leaving them out keeps the test fast
    return {"date_mentions": [], "events": []}, []


def test_a_large_file_is_built_in_memory_bounded_by_a_batch_not_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    size = _big_jsonl(raw / "big.jsonl", 12)
    monkeypatch.setattr(pipeline, "STAGES", (_no_stages,))
    monkeypatch.setattr(pipeline, "_write_timeline", lambda *args: None)  # its own memory
    # small frames and row groups: what stays is then what grows with the file
    monkeypatch.setattr(cache_module, "FRAME_BYTES", 256 << 10)
    monkeypatch.setattr(parquet_module, "ROW_GROUP_ROWS", {"articles": 64})
    pool = pa.proxy_memory_pool(pa.system_memory_pool())  # counts its own peak
    monkeypatch.setattr(pipeline, "bounded_allocations", lambda: pa.set_memory_pool(pool))
    before = pa.default_memory_pool()
    tracemalloc.start()
    try:
        report = build(raw, tmp_path / "out", jobs=1, full=True)  # worker and writer, in this process
        python_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        pa.set_memory_pool(before)
    assert report.rows["articles"] > 2500
    # before streaming: Python 3.2x the file (every article's dict), Arrow 1.5x (its tables
    # whole); now a constant (the hashing's 2 MB buffer) and the ids (0.19x and 0.08x here)
    assert python_peak < (2 << 20) + size / 8, (python_peak, size)
    assert pool.max_memory() < size / 4, (pool.max_memory(), size)


def test_the_reader_gives_what_read_file_gives_in_batches(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"a{k % 150}", "text": f"Shelling hit Kharkiv, report {k}.",
                         "published": "2024-12-17"}) for k in range(200)]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join([*lines[:90], "{not json", *lines[90:]]) + "\n")
    whole = read_file(path, tmp_path)
    reader = FileReader(LocalSource(path, "a.jsonl"))
    batches = list(reader.batches(64))
    assert [len(b) for b in batches] == [64, 64, 22]  # 150 ids; 50 repeats skipped
    assert [a for b in batches for a in b] == whole.articles
    assert reader.problems == whole.problems and not reader.discarded
    assert [p.code for p in whole.problems].count("duplicate_article_id") == 50


def test_a_corrupt_archive_drops_the_articles_already_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "STAGES", (_no_stages,))
    monkeypatch.setattr(pipeline, "_write_timeline", lambda *args: None)
    raw = tmp_path / "raw"
    raw.mkdir()
    body = "".join(json.dumps({"id": f"a{k}", "text": "Rebels attacked Goma on Monday.",
                               "published": "2024-12-17"}) + "\n" for k in range(300))
    (raw / "a.jsonl.gz").write_bytes(gzip.compress(body.encode())[:-12])  # torn: no trailer
    writer_rows: list[str] = []

    class Sink:
        def write(self, table: str, rows: pa.Table) -> None:
            writer_rows.append(table)

        def reset(self) -> None:
            writer_rows.clear()

    problems = pipeline.write_source(LocalSource(raw / "a.jsonl.gz", "a.jsonl.gz"), None, Sink())
    assert writer_rows == ["problems"]
    assert {"bad_gzip", "untrusted_archive"} <= set(problems.codes)
    build(raw, tmp_path / "out", jobs=1)
    assert load(tmp_path / "out")["articles"].empty


def test_an_entry_written_in_frames_reads_back_in_order(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "FRAME_BYTES", 1)  # a frame for every write
    rows = [pa.table({"article_id": [f"a{k}", f"b{k}"]}) for k in range(3)]
    path = tmp_path / "entry"
    with open(path, "wb") as stream:
        writer = EntryWriter(stream)
        writer.write("articles", rows[0])
        writer.reset()  # forgotten
        for piece in rows:
            writer.write("articles", piece)
            writer.write("events", piece.slice(1))
        writer.finish()
    frames = [(name, table["article_id"].to_pylist()) for name, table in entry_frames(path)]
    assert frames == [("articles", ["a0", "b0"]), ("events", ["b0"]), ("articles", ["a1", "b1"]),
                      ("events", ["b1"]), ("articles", ["a2", "b2"]), ("events", ["b2"])]
    data = path.read_bytes()
    path.write_bytes(data[:-20] + bytes([data[-20] ^ 1]) + data[-19:])  # one bit in the last frame
    with pytest.raises(ValueError, match="checksum"):
        entry_frames(path)  # before any frame is read


def _bad_lines(path: Path, bad: int, every: int) -> None:
    """A JSONL file of ``bad`` lines that are not JSON, with an article after every ``every``."""
    with open(path, "w", encoding="utf-8") as out:
        for k in range(bad):
            out.write(f"not json {k}\n")
            if k % every == 0:
                out.write(json.dumps({"id": f"a{k}", "text": f"Report {k}: talks resumed.",
                                      "published": "2024-03-01"}) + "\n")


def test_a_file_of_many_bad_lines_keeps_every_problem_in_memory_bounded_by_a_spool(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "STAGES", (_no_stages,))
    monkeypatch.setattr(ingest, "PROBLEMS_HELD", 256)
    monkeypatch.setattr(spool_module, "HELD_ROWS", 256)
    path = tmp_path / "bad.jsonl"
    _bad_lines(path, 30_000, 1000)
    whole = read_file(path, tmp_path)  # every record held: the reference
    written = pipeline.process_source(LocalSource(path, "bad.jsonl"), None)  # through the spools

    class Counting:  # keeps nothing, as the cache entry on disk does
        rows = 0

        def write(self, table: str, rows: pa.Table) -> None:
            Counting.rows += rows.num_rows if table == "problems" else 0

        def reset(self) -> None:
            pass

    tracemalloc.start()
    try:
        result = pipeline.write_source(LocalSource(path, "bad.jsonl"), None, Counting())
        python_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert written["problems"].to_pylist() == [p.as_row() for p in whole.problems]
    assert len(whole.problems) == 30_000 and Counting.rows == 30_000
    assert result.codes == {"bad_json": 30_000} and not result.environmental
    # 30,000 problem records held whole cost ~15 MB of Python objects; spooled, a few hundred
    assert python_peak < 3 << 20, python_peak


def test_a_build_counts_every_problem_but_keeps_a_bounded_head_of_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "STAGES", (_no_stages,))
    monkeypatch.setattr(pipeline, "_write_timeline", lambda *args: None)
    monkeypatch.setattr(pipeline, "REPORTED_PROBLEMS", 100)
    raw = tmp_path / "raw"
    raw.mkdir()
    _bad_lines(raw / "bad.jsonl", 5000, 500)
    (raw / "ok.txt").write_text("Rebels attacked Goma on Monday.")
    report = build(raw, tmp_path / "out", jobs=1)
    assert report.problem_count == 5000 and len(report.problems) == 100
    assert [p.line for p in report.problems][:3] == [1, 3, 4]  # the head, in file order
    assert len(load(tmp_path / "out")["problems"]) == 5000
    again = build(raw, tmp_path / "out", jobs=1)  # unchanged: its part is taken whole
    assert again.processed == 0 and again.problem_count == 5000 and len(again.problems) == 100
