"""Click pieces shared by the commands.

    >>> iso_date(None, None, "2024-12-17")  # type: ignore[arg-type]
    datetime.date(2024, 12, 17)
"""

from __future__ import annotations

from datetime import date

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
