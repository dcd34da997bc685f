"""Click pieces shared by the commands.

    >>> iso_date(None, None, "2024-12-17")  # type: ignore[arg-type]
    datetime.date(2024, 12, 17)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from etl.config import OUTSIDE_PUBLISHED_YEARS, in_published_years


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A click callback: an ISO date (YYYY-MM-DD) or a usage error (exit code 2)."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None
    if not in_published_years(day.year):
        raise click.BadParameter(f"{value!r} {OUTSIDE_PUBLISHED_YEARS} of publication dates")
    return day


def folder_or_url(ctx: click.Context, param: click.Parameter, value: str) -> Path | str:
    """A click callback: an fsspec URL kept as text (``Path`` would fold its ``//``), or a
    local folder (for RAW_DIR one that exists).

        >>> folder_or_url(None, None, "s3://bucket/raw")  # type: ignore[arg-type]
        's3://bucket/raw'
    """
    from etl.ingest.source import is_url

    if value.startswith("local://"):  # fsspec's other name for the disk: checked as a folder
        folder_or_url(ctx, param, value.replace("local://", "file://", 1))
        return value
    if is_url(value) and not value.startswith("file://"):
        return value
    path = Path(value.removeprefix("file://"))
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{value!r} is a file, not a folder")
    if param is not None and param.name == "raw_dir" and not path.is_dir():
        raise click.BadParameter(f"folder {value!r} does not exist")
    return path
