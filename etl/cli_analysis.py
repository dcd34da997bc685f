"""The analysis commands ``etl timeline``, ``etl report`` and ``etl validate``: wiring only.

``etl/cli.py`` registers them with ``main.add_command``; the work is in ``etl.timeline``,
``etl.report`` and ``etl.validate``.

    $ etl timeline data/processed --country UKR --min-sources 2 --order chronological
    $ etl report data/processed --charts reports/figures
    $ etl validate data/processed
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # loaded by the commands that use it, not by ``etl --help`` or ``etl build``
    import pandas as pd

from etl.cli_options import iso_date
from etl.config import DEFAULT_OUT_DIR

DEFAULT_CHARTS_DIR = Path("reports/figures")

out_dir_argument = click.argument(
    "out_dir", default=str(DEFAULT_OUT_DIR),
    type=click.Path(exists=True, file_okay=False, path_type=Path))


def _load(out_dir: Path) -> dict[str, pd.DataFrame]:
    from etl.timeline import load_tables

    return load_tables(out_dir)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.command("timeline")
@out_dir_argument
@click.option("--since", callback=iso_date, metavar="DATE", help="Events on or after DATE (YYYY-MM-DD).")
@click.option("--until", callback=iso_date, metavar="DATE", help="Events on or before DATE.")
@click.option("--country", multiple=True, metavar="ISO3",
              help="ISO 3166 alpha-3 code; repeat or comma-separate for several.")
@click.option("--admin1", multiple=True, metavar="NAME", help="First-level region, e.g. 'Kharkiv Oblast'.")
@click.option("--actor", metavar="TEXT", help="Part of an actor name, e.g. 'Russia'.")
@click.option("--type", "event_type", multiple=True, metavar="TYPE",
              help="PLOVER type (ASSAULT) or ACLED event type (Battles).")
@click.option("--min-sources", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only events reported by at least this many outlets.")
@click.option("--order", type=click.Choice(["newest", "chronological"]), default="newest",
              show_default=True)
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
def timeline(out_dir: Path, since: date | None, until: date | None, country: tuple[str, ...],
             admin1: tuple[str, ...], actor: str | None, event_type: tuple[str, ...],
             min_sources: int, order: str, output_format: str, output: Path | None) -> None:
    """List the merged events of OUT_DIR (default data/processed), filtered."""
    from etl.timeline import format_table, query_timeline, to_csv, to_json

    tables = _load(out_dir)
    if "timeline" not in tables:
        _fail(f"{out_dir / 'timeline.parquet'} does not exist; run `etl build` first")
    rows = query_timeline(tables["timeline"], since=since, until=until, country=country,
                          admin1=admin1, actor=actor, event_type=event_type,
                          min_sources=min_sources, order="newest" if order == "newest" else "chronological")
    if output_format == "csv":
        text = to_csv(rows)
    elif output_format == "json":
        text = to_json(rows)
    else:
        text = format_table(rows) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(rows)} events to {output}", err=True)


@click.command("report")
@out_dir_argument
@click.option("--charts", "charts_dir", type=click.Path(file_okay=False, path_type=Path),
              default=str(DEFAULT_CHARTS_DIR), show_default=True, help="Folder for the PNG charts.")
@click.option("--no-charts", is_flag=True, help="Print the summary only.")
def report(out_dir: Path, charts_dir: Path, no_charts: bool) -> None:
    """Summarize OUT_DIR and draw its charts."""
    from etl.report import format_summary, summarize, write_charts

    tables = _load(out_dir)
    if not tables:
        _fail(f"no tables in {out_dir}; run `etl build` first")
    click.echo(format_summary(summarize(tables)))
    if no_charts:
        return
    if "events" not in tables:  # an early or partial build: the summary still stands
        click.echo(f"warning: {out_dir / 'events.parquet'} does not exist: no charts", err=True)
        return
    for path in write_charts(tables, charts_dir):
        click.echo(f"chart: {path}")


@click.command("validate")
@out_dir_argument
def validate(out_dir: Path) -> None:
    """Check OUT_DIR against the data contract; exit 1 and list failures if any."""
    from etl.validate import validate as run_validate

    failures = run_validate(out_dir)
    if failures:
        for failure in failures:
            click.echo(str(failure))
        _fail(f"{len(failures)} check{'s' if len(failures) != 1 else ''} failed in {out_dir}")
    click.echo(f"ok: {out_dir} keeps the data contract")


COMMANDS = (timeline, report, validate)
