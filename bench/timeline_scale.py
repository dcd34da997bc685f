"""Timeline merge at scale: full and one-article incremental merges, seconds and peak RSS.

The events of a processed corpus (default: the 10,000-article build, 211,645 events) are
replicated with shifted ids, article ids and dates into a larger table (10 copies: about 2.1 M
events). Copies are shifted by ``--shift-days`` (default: the corpus's own span, so the density
of events per day stays that of the corpus; a small shift makes a denser, harder corpus). Each
measurement runs in a fresh process, so its peak RSS is its own.

    python -m bench.timeline_scale                       # 1 and 10 copies
    python -m bench.timeline_scale --copies 1 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.timeline.build import ARTICLE_COLUMNS, write_timeline
from etl.timeline.merge import MERGE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "bench" / "out" / "processed-10000-j2"
ROW_GROUP = 50_000  # as etl.io.parquet.TableWriter writes events


def _prefixed(column: pa.ChunkedArray, prefix: str) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(prefix, column.cast(pa.string()), "")


def _shifted(column: pa.ChunkedArray, days: int) -> pa.ChunkedArray:
    """Dates or timestamps moved ``days`` later (nulls stay null)."""
    if pa.types.is_timestamp(column.type):
        per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
        moved = pc.add(column.cast(pa.int64()), days * per_day[column.type.unit])
        return moved.cast(column.type)
    return pc.add(column.cast(pa.int32()), pa.scalar(days, pa.int32())).cast(pa.date32())


def synthesize(source: Path, target: Path, copies: int, shift_days: int | None) -> int:
    """Write ``copies`` shifted copies of source's events and articles to target; returns events."""
    events = pq.read_table(source / "events.parquet", columns=MERGE_COLUMNS)
    articles = pq.read_table(source / "articles.parquet", columns=ARTICLE_COLUMNS)
    if shift_days is None:
        dates = pc.min_max(events.column("event_date")).as_py()
        shift_days = max(1, (dates["max"] - dates["min"]).days + 31)
    target.mkdir(parents=True, exist_ok=True)
    schema = events.schema
    with pq.ParquetWriter(target / "events.parquet", schema, compression="zstd") as writer:
        for r in range(copies):
            copy = events
            if r:
                prefix, days = f"x{r}-", r * shift_days
                for name in ("event_id", "article_id"):
                    copy = copy.set_column(copy.schema.get_field_index(name), name,
                                           _prefixed(copy.column(name), prefix))
                for name in ("event_date", "date_start", "date_end"):
                    copy = copy.set_column(copy.schema.get_field_index(name), name,
                                           _shifted(copy.column(name), days))
            for start in range(0, copy.num_rows, ROW_GROUP):
                writer.write_table(copy.slice(start, ROW_GROUP).cast(schema), row_group_size=ROW_GROUP)
    parts = []
    for r in range(copies):
        copy = articles
        if r:
            copy = copy.set_column(0, "article_id", _prefixed(copy.column("article_id"), f"x{r}-"))
            published = copy.column("published")
            copy = copy.set_column(3, "published", _shifted(published, r * shift_days))
        parts.append(copy.cast(articles.schema))
    pq.write_table(pa.concat_tables(parts), target / "articles.parquet", compression="zstd")
    return int(events.num_rows) * copies


def change_one_article(folder: Path) -> str:
    """Edit one article's events in place: its last event dropped, another's toll raised."""
    events = pq.read_table(folder / "events.parquet")
    ids = events.column("article_id")
    victim = pc.unique(ids)[len(pc.unique(ids)) // 2].as_py()
    mine = pc.equal(ids, victim)
    positions = [k for k, m in enumerate(mine.to_pylist()) if m]
    keep = pa.array([True] * events.num_rows)
    keep = pc.if_else(pa.array([k == positions[-1] for k in range(events.num_rows)]), False, keep)
    fatalities = events.column("fatalities").to_pylist()
    fatalities[positions[0]] = (fatalities[positions[0]] or 0) + 7
    events = events.set_column(events.schema.get_field_index("fatalities"), "fatalities",
                               pa.array(fatalities, pa.int64())).filter(keep)
    with pq.ParquetWriter(folder / "events.parquet", events.schema, compression="zstd") as writer:
        for start in range(0, events.num_rows, ROW_GROUP):
            writer.write_table(events.slice(start, ROW_GROUP), row_group_size=ROW_GROUP)
    return str(victim)


def _child(folder: Path, cache: Path) -> None:
    """One merge in this process: prints seconds and peak RSS as JSON."""
    start = time.perf_counter()
    rows = write_timeline(folder, cache)
    seconds = time.perf_counter() - start
    # VmHWM, not ru_maxrss: the latter keeps the peak of the parent this process was forked from.
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    peak_mb = int(status["VmHWM"].split()[0]) / 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_mb": peak_mb}))


def _measure(folder: Path, cache: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.timeline_scale", "--child", str(folder), str(cache)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--shift-days", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="incremental runs (medians reported)")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--change", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if args.change:
        change_one_article(args.change)
        return
    for copies in args.copies:
        work = Path(tempfile.mkdtemp(prefix="timeline-scale-"))
        try:
            subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                            "from bench.timeline_scale import synthesize; "
                            "synthesize(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), "
                            "None if sys.argv[4] == 'None' else int(sys.argv[4]))",
                            str(args.source), str(work / "processed"), str(copies), str(args.shift_days)],
                           check=True, cwd=ROOT)
            n = pq.read_metadata(work / "processed" / "events.parquet").num_rows
            cache = work / "processed" / ".cache" / "timeline"
            full = _measure(work / "processed", cache)
            original = work / "events-original.parquet"
            shutil.copy(work / "processed" / "events.parquet", original)
            # In a process of its own: it reads the whole table, which the parent need not keep.
            subprocess.run([sys.executable, "-m", "bench.timeline_scale", "--change",
                            str(work / "processed")], check=True, cwd=ROOT)
            changed = work / "events-changed.parquet"
            shutil.copy(work / "processed" / "events.parquet", changed)
            runs = []
            for _ in range(args.repeat):
                # Each incremental run starts from the cache of the unchanged corpus.
                shutil.copy(original, work / "processed" / "events.parquet")
                _measure(work / "processed", cache)
                shutil.copy(changed, work / "processed" / "events.parquet")
                runs.append(_measure(work / "processed", cache))
            print(json.dumps({
                "events": n, "copies": copies,
                "full_seconds": round(full["seconds"], 2), "full_peak_rss_mb": round(full["peak_rss_mb"]),
                "timeline_rows": full["rows"],
                "incremental_seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
                "incremental_peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
            }), flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
