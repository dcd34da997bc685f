"""TimeML values: a partial calendar point, its value string, its interval and its arithmetic.

>>> Cal(year=2024, month=12, day=16).value
'2024-12-16'
>>> Cal(year=2024, month=12).interval
(datetime.date(2024, 12, 1), datetime.date(2024, 12, 31))
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import NamedTuple

SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}
SEASON_OF_MONTH = {
    12: "WI",
    1: "WI",
    2: "WI",
    3: "SP",
    4: "SP",
    5: "SP",
    6: "SU",
    7: "SU",
    8: "SU",
    9: "FA",
    10: "FA",
    11: "FA",
}


def _year_text(year: int) -> str:
    """Signed astronomical-free year as TimeML writes it: -490 -> 'BC0490'."""
    return f"BC{-year:04d}" if year < 0 else f"{year:04d}"


def _era_digits(number: int, width: int) -> str:
    """Decade or century digits, BC ones prefixed: -48 -> 'BC048' (the 480s BC)."""
    return f"BC{-number:0{width}d}" if number < 0 else f"{number:0{width}d}"


class Cal(NamedTuple):
    """A calendar point known down to some granularity; None fields are unknown (``X``).

    A named tuple: immutable, and several are built per mention, far cheaper than a frozen dataclass.
    """

    year: int | None = None  # negative for BC
    month: int | None = None
    day: int | None = None
    week: int | None = None
    season: str | None = None
    quarter: int | None = None
    half: int | None = None
    decade: int | None = None  # 199 for the 1990s
    century: int | None = None  # 19 for the 1900s
    part: str | None = None  # MO AF EV NI DT MI
    hour: int | None = None
    minute: int | None = None
    granularity: str = "day"
    day_unknown: bool = False  # "1940-06-XX": the day is meant but not known
    weekend: bool = False  # "2024-W50-WE": the Saturday and Sunday of that ISO week

    @property
    def value(self) -> str:
        """The TimeML value string of this point."""
        g = self.granularity
        year = "XXXX" if self.year is None else _year_text(self.year)
        if g == "century":
            return "XX" if self.century is None else _era_digits(self.century, 2)
        if g == "decade":
            return "XXX" if self.decade is None else _era_digits(self.decade, 3)
        if g == "year":
            return year
        if g == "season":
            return f"{year}-{self.season}"
        if g == "quarter":
            return f"{year}-Q{self.quarter}" if self.quarter else f"{year}-H{self.half}"
        if g == "month":
            return f"{year}-{'XX' if self.month is None else f'{self.month:02d}'}"
        if g == "week":
            week = f"{year}-W{'XX' if self.week is None else f'{self.week:02d}'}"
            return f"{week}-WE" if self.weekend else week
        month = "XX" if self.month is None else f"{self.month:02d}"
        day = "XX" if self.day is None or self.day_unknown else f"{self.day:02d}"
        base = f"{year}-{month}-{day}"
        if g == "time":
            if self.hour is not None:
                return f"{base}T{self.hour:02d}:{self.minute or 0:02d}"
            return f"{base}T{self.part or 'XX'}"
        return base

    @property
    def date(self) -> dt.date | None:
        """The day as a ``datetime.date`` when year, month and day are all known."""
        if self.year is None or self.month is None or self.day is None or self.day_unknown:
            return None
        if self.year < 1:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None

    @property
    def interval(self) -> tuple[dt.date | None, dt.date | None]:
        """``[date_start, date_end]`` the value covers, or (None, None) where unknown."""
        g = self.granularity
        try:
            if g == "century" and self.century is not None:
                return dt.date(max(1, self.century * 100), 1, 1), dt.date(self.century * 100 + 99, 12, 31)
            if g == "decade" and self.decade is not None:
                return dt.date(max(1, self.decade * 10), 1, 1), dt.date(self.decade * 10 + 9, 12, 31)
            if self.year is None or self.year < 1:
                return None, None
            y = self.year
            if g == "year":
                return dt.date(y, 1, 1), dt.date(y, 12, 31)
            if g == "season" and self.season in SEASON_MONTHS:
                first, last = SEASON_MONTHS[self.season]
                end_year = y + 1 if self.season == "WI" else y
                return dt.date(y, first, 1), _month_end(end_year, last)
            if g == "quarter":
                if self.quarter:
                    first = 3 * (self.quarter - 1) + 1
                    return dt.date(y, first, 1), _month_end(y, first + 2)
                if self.half:
                    first = 6 * (self.half - 1) + 1
                    return dt.date(y, first, 1), _month_end(y, first + 5)
                return None, None
            if g == "week" and self.week is not None:
                monday = dt.date.fromisocalendar(y, self.week, 1)
                if self.weekend:
                    return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
                return monday, monday + dt.timedelta(days=6)
            if self.month is None:
                return None, None
            if g == "month" or self.day is None or self.day_unknown:
                return dt.date(y, self.month, 1), _month_end(y, self.month)
            day = self.date
            return day, day
        except (ValueError, OverflowError):  # beyond the calendar ("the -64th century")
            return None, None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def from_date(day: dt.date, granularity: str = "day") -> Cal:
    """A day point from a ``datetime.date``: ``from_date(date(2024, 12, 17)).value == '2024-12-17'``."""
    return at_granularity(Cal(year=day.year, month=day.month, day=day.day), granularity)


def at_granularity(cal: Cal, granularity: str) -> Cal:
    """The same point seen at a coarser (or equal) granularity: day 2024-12-16 at week is 2024-W51."""
    if granularity == "week":
        d = cal.date
        if d is None:
            return cal._replace(granularity="week", week=None)
        iso = d.isocalendar()
        return cal._replace(year=iso.year, week=iso.week, granularity="week")
    if granularity == "decade":
        return cal._replace(decade=None if cal.year is None else cal.year // 10, granularity="decade")
    if granularity == "century":
        return cal._replace(century=None if cal.year is None else cal.year // 100, granularity="century")
    return cal._replace(granularity=granularity)


def shift(cal: Cal, amount: int, unit: str) -> Cal:
    """Move a point by whole units (``D W M Y DE CE``) and report it at that unit's granularity."""
    gran = {"D": "day", "W": "week", "M": "month", "Y": "year", "DE": "decade", "CE": "century"}[unit]
    if cal.year is None:
        return at_granularity(cal._replace(day_unknown=cal.day_unknown), gran)
    year = cal.year
    if unit in ("Y", "DE", "CE"):
        step = {"Y": 1, "DE": 10, "CE": 100}[unit] * amount
        new_year = year + step
        if year < 0 < new_year or new_year == 0:  # no year zero between 1 BC and AD 1
            new_year += 1 if step > 0 else -1
        return at_granularity(cal._replace(year=new_year, month=cal.month, day=cal.day), gran)
    if unit == "M":
        if cal.month is None:
            return cal._replace(granularity="month")
        index = year * 12 + (cal.month - 1) + amount
        day = cal.day
        moved = cal._replace(year=index // 12, month=index % 12 + 1)
        if day is not None and moved.month is not None and moved.year is not None and moved.year > 0:
            moved = moved._replace(day=min(day, calendar.monthrange(moved.year, moved.month)[1]))
        return at_granularity(moved, gran)
    d = cal.date
    if d is None:
        # Only the year (or month) is known: "four days later" after "in 1915" is 1915-XX-XX, and
        # a few days may cross into another month, so the month is unknown too.
        return cal._replace(
            month=None, granularity="day" if unit == "D" else "week", day_unknown=True, week=None
        )
    try:
        moved_day = d + dt.timedelta(days=amount * (7 if unit == "W" else 1))
    except OverflowError:
        return cal._replace(granularity=gran)
    return from_date(moved_day, gran)
