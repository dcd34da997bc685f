"""Whole-pipeline benchmark: throughput, peak memory, incremental rebuild, naive baseline.

Runs ``etl build`` as a user would (a subprocess), on generated corpora (bench.corpus), at
``--jobs 1`` and all cores, and measures wall time, articles/s, MB/s and the peak RSS of the
whole process tree. Then the one-file incremental rebuild of a 10,000-file tree, and the naive
baseline — dateparser ``search_dates`` over each article's text, written to Parquet — on the
first ``--baseline-articles`` of the same articles (all of them with ``--baseline-articles 0``).

    python -m bench.pipeline --sizes 10000 100000

Sizes above ``--single-core-max`` (default 10,000) run at all cores only: at one core a
100,000-article build takes most of an hour and says nothing the 10,000 run does not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psutil

from bench.corpus import write_corpus

OUT = Path(__file__).resolve().parent / "out"


def run_measured(cmd: list[str]) -> tuple[float, int]:
    """Run a command; return wall seconds and peak RSS (bytes) summed over its process tree."""
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    return elapsed, peak


def corpus(n: int, txt_share: float = 0.3) -> Path:
    """The generated corpus of N articles (made once, reused)."""
    path = OUT / f"corpus-{n}-{int(txt_share * 100)}"
    if not (path / ".done").exists():
        shutil.rmtree(path, ignore_errors=True)
        write_corpus(n, path, txt_share=txt_share)
        (path / ".done").write_text("")
    return path


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def etl_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "etl", "build", *args]


def bench_build(n: int, jobs: int) -> dict[str, float]:
    raw = corpus(n)
    out = OUT / f"processed-{n}-j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    seconds, peak = run_measured(etl_cmd("--jobs", str(jobs), "--full", str(raw), str(out)))
    tables = sum(size_mb(p) if p.is_dir() else p.stat().st_size / 1e6 for p in out.glob("*.parquet"))
    return {"articles": n, "jobs": jobs, "seconds": seconds, "articles_per_s": n / seconds,
            "mb_per_s": size_mb(raw) / seconds, "peak_rss_mb": peak / 2**20,
            "raw_mb": size_mb(raw), "tables_mb": tables, "cache_mb": size_mb(out / ".cache")}


def change_one_file(raw: Path, out: Path, jobs: int) -> dict[str, float]:
    """Rebuild ``out`` with the middle text file of ``raw`` changed, then with the change undone:
    seconds and peak RSS of each rebuild."""
    texts = sorted(raw.rglob("*.txt"))
    target = texts[len(texts) // 2]
    original = target.read_text(encoding="utf-8")
    target.write_text(original + "\nShelling resumed on Tuesday, officials said.\n", encoding="utf-8")
    try:
        changed_seconds, changed_peak = run_measured(etl_cmd("--jobs", str(jobs), str(raw), str(out)))
    finally:
        target.write_text(original, encoding="utf-8")
    undone_seconds, undone_peak = run_measured(etl_cmd("--jobs", str(jobs), str(raw), str(out)))
    return {"one_file_changed_s": changed_seconds, "one_file_changed_peak_rss_mb": changed_peak / 2**20,
            "restore_one_file_s": undone_seconds, "restore_one_file_peak_rss_mb": undone_peak / 2**20}


def bench_incremental(n: int, jobs: int) -> dict[str, float]:
    """A tree of N one-article text files: the first build, then one file changed and undone."""
    raw = corpus(n, txt_share=1.0)
    out = OUT / f"processed-incremental-{n}"
    shutil.rmtree(out, ignore_errors=True)
    full_seconds, full_peak = run_measured(etl_cmd("--jobs", str(jobs), str(raw), str(out)))
    return {"files": n, "full_build_s": full_seconds, "full_build_peak_rss_mb": full_peak / 2**20,
            **change_one_file(raw, out, jobs)}


def bench_rebuild(n: int, jobs: int) -> dict[str, float]:
    """The full-size build's tree (after ``bench_build(n, jobs)``) with one file changed and the
    change undone, rebuilt in place: a daily incremental rebuild at scale."""
    return {"articles": n, **change_one_file(corpus(n), OUT / f"processed-{n}-j{jobs}", jobs)}


def bench_baseline(n: int, limit: int) -> dict[str, float]:
    """dateparser.search_dates over each article, written to Parquet: the naive pipeline."""
    import pandas as pd
    from dateparser.search import search_dates

    from etl.ingest import discover, read_file

    raw = corpus(n)
    articles = [a for path in discover(raw) for a in read_file(path, raw).articles]
    if limit:
        articles = articles[:limit]
    rows = []
    start = time.perf_counter()
    for article in articles:
        settings = {"RELATIVE_BASE": article["published"], "TIMEZONE": "UTC",
                    "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": False,
                    "PREFER_DATES_FROM": "past"}
        for surface, value in search_dates(article["text"], languages=["en"], settings=settings) or []:
            rows.append({"article_id": article["article_id"], "text": surface, "value": value})
    pd.DataFrame(rows).to_parquet(OUT / "baseline.parquet")
    seconds = time.perf_counter() - start
    return {"articles": len(articles), "seconds": seconds, "articles_per_s": len(articles) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--incremental-files", type=int, default=10_000)
    parser.add_argument("--single-core-max", type=int, default=10_000,
                        help="largest size also built at --jobs 1")
    parser.add_argument("--baseline-articles", type=int, default=1000,
                        help="articles for the search_dates baseline (0: all of the first size)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    print(f"machine: {platform.machine()}, {cores} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
          f"{datetime.now().date()}")
    results: dict[str, object] = {"builds": []}
    print(f"{'articles':>9} {'jobs':>4} {'seconds':>8} {'art/s':>8} {'MB/s':>6} {'peak RSS MB':>11}"
          f" {'raw MB':>7} {'tables MB':>9} {'cache MB':>8}")
    for n in args.sizes:
        for jobs in sorted({1, cores} if n <= args.single_core_max else {cores}):
            r = bench_build(n, jobs)
            results["builds"].append(r)  # type: ignore[attr-defined]
            print(f"{n:>9} {jobs:>4} {r['seconds']:>8.1f} {r['articles_per_s']:>8.1f} "
                  f"{r['mb_per_s']:>6.2f} {r['peak_rss_mb']:>11.0f} {r['raw_mb']:>7.0f} "
                  f"{r['tables_mb']:>9.0f} {r['cache_mb']:>8.0f}", flush=True)
    big = max(args.sizes)
    again = bench_rebuild(big, cores)
    results["rebuild"] = again
    print(f"{big} articles, one file changed and rebuilt: {again['one_file_changed_s']:.1f} s "
          f"(peak RSS {again['one_file_changed_peak_rss_mb']:.0f} MB), change undone "
          f"{again['restore_one_file_s']:.1f} s ({again['restore_one_file_peak_rss_mb']:.0f} MB)",
          flush=True)
    inc = bench_incremental(args.incremental_files, cores)
    results["incremental"] = inc
    print(f"incremental, {inc['files']} files: full build {inc['full_build_s']:.1f} s "
          f"(peak RSS {inc['full_build_peak_rss_mb']:.0f} MB), "
          f"one file changed {inc['one_file_changed_s']:.2f} s, "
          f"change undone {inc['restore_one_file_s']:.2f} s", flush=True)
    base = bench_baseline(args.sizes[0], args.baseline_articles)
    results["baseline"] = base
    ours = next((r for r in results["builds"] if r["jobs"] == 1), None)  # type: ignore[attr-defined]
    compared = "" if ours is None else (
        f"; ours at --jobs 1: {ours['articles_per_s']:.1f} articles/s = "
        f"{ours['articles_per_s'] / base['articles_per_s']:.1f}x per core")
    print(f"baseline search_dates + Parquet, {base['articles']} articles, 1 core: "
          f"{base['articles_per_s']:.1f} articles/s{compared}")
    (OUT / "pipeline.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
