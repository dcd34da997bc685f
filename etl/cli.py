"""The ``etl`` command: wiring only; the work is in the pipeline and its stages.

    $ etl build data/raw data/processed
    built 1 articles from 1 files into data/processed (0 problems)
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from etl import __version__
from etl.cli_options import folder_or_url, iso_date
from etl.config import DEFAULT_OUT_DIR, DEFAULT_RAW_DIR
from etl.errors import EtlError, StrictModeError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="etl")
@click.option("-v", "--verbose", count=True, help="Log progress (-v) or details (-vv) to stderr.")
def main(verbose: int) -> None:
    """Turn news articles about armed conflict into a dated event dataset."""
    # Arrow's default pool (mimalloc) keeps freed pages: over a 100,000-article build, files read
    # and written by path left ~150 MB resident in the timeline merge. Set before pyarrow loads
    # (the commands import it); a value the user exported wins.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@click.argument("raw_dir", default=str(DEFAULT_RAW_DIR), callback=folder_or_url)
@click.argument("out_dir", default=str(DEFAULT_OUT_DIR), callback=folder_or_url)
@click.option("--default-published", callback=iso_date, metavar="DATE",
              help="Reference date (YYYY-MM-DD) for articles with none in metadata or dateline.")
@click.option("--strict", is_flag=True, help="Exit non-zero if any problem was recorded.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default and most: the usable cores).")
@click.option("--full", is_flag=True, help="Reprocess every file, not only the changed ones.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run the per-file work here or on an existing Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS",
              help="Dask scheduler address (tcp://HOST:PORT) for --engine dask.")
def build(raw_dir: Path | str, out_dir: Path | str, default_published: date | None, strict: bool,
          jobs: int | None, full: bool, engine: str, scheduler: str | None) -> None:
    """Build the tables in OUT_DIR from the articles in RAW_DIR (folders or URLs: s3://, …).

    Only files changed since the last build into OUT_DIR are processed again (--full: all).

    Exit codes: 0 built; 1 an error (e.g. the disk refused a write: permission denied, disk
    full); 2 bad arguments; 3 --strict and problems were recorded; 4 another build is writing
    OUT_DIR; 5 the Dask scheduler or the OUT_DIR URL cannot be reached.
    """
    from etl.engines import make_engine, usable_cpus
    from etl.pipeline import build as run_build

    cpus = usable_cpus()
    if engine == "local" and jobs is not None and jobs > cpus:
        click.echo(f"note: --jobs {jobs} lowered to {cpus}, the usable cores", err=True)
    progress: Any = None
    try:
        run_engine = make_engine(engine, jobs=jobs, scheduler=scheduler)
        if sys.stderr.isatty():
            from etl.ingest.source import list_sources

            progress = click.progressbar(length=len(list_sources(raw_dir)), label="files",
                                         file=sys.stderr)
        report = run_build(
            raw_dir, out_dir, default_published=default_published, full=full, engine=run_engine,
            on_file=(lambda name: progress.update(1)) if progress else None,
        )
    except EtlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # the disk or the network refused: say what, not a traceback
        logging.getLogger(__name__).debug("the build failed", exc_info=True)  # -vv shows where
        click.echo(f"error: {_os_error(exc)}", err=True)
        sys.exit(EtlError.exit_code)
    finally:
        if progress is not None:
            progress.render_finish()
    n_problems = report.problem_count
    click.echo(f"built {report.rows.get('articles', 0)} articles from {report.files} files "
               f"({report.processed} processed, {report.files - report.processed} unchanged) "
               f"into {out_dir} ({n_problems} problems)")
    if report.upload is not None:
        sent = report.upload
        click.echo(f"uploaded {len(sent.uploaded)} files ({sent.bytes / 1e6:.1f} MB), copied "
                   f"{len(sent.copied)} and deleted {len(sent.deleted)} at {out_dir}")
    if strict and report.problems:
        first = "; ".join(f"{p.input_file}:{p.line or ''} {p.code}" for p in report.problems[:3])
        more = f" and {n_problems - 3} more" if n_problems > 3 else ""
        error = StrictModeError(f"{n_problems} problems: {first}{more}")
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)


def _os_error(exc: OSError) -> str:
    """An operating-system error in one line, with the file concerned.

        >>> _os_error(PermissionError(13, "Permission denied", "out/articles.parquet"))
        'Permission denied: out/articles.parquet'
    """
    name = exc.filename
    if exc.strerror and name is not None:
        return f"{exc.strerror}: {os.fsdecode(name) if isinstance(name, (str, bytes)) else name}"
    return str(exc) or type(exc).__name__


def _register_analysis_commands() -> None:
    from etl.cli_analysis import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_analysis_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
