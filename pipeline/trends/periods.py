"""Dates as archives hold them (a year, a month, a day, an ISO datetime) and the period each falls in.

A date too coarse for the period asked for (a year alone, by month) cannot be
placed; like a missing or unreadable one it is counted and its article goes to
the `undated` period, so nothing drops out unsaid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

PERIODS = ("week", "month", "quarter", "year", "all")
UNDATED = "undated"
ALL_TIME = "all"  # --by all: one period, the whole archive; dates are not read
# Why an article has no period, in the order the warning names them.
REASONS = ("missing", "unreadable", "too coarse")
YEAR = re.compile(r"^(\d{4})$")
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# What each period needs to know of a date: 1 the year, 2 the month, 3 the day.
NEEDS = {"year": 1, "quarter": 2, "month": 2, "week": 3, "all": 0}


@dataclass(frozen=True)
class Date:
    """A date known to the year (month 0, day 0), to the month (day 0) or to the day."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> int:
        return 3 if self.day else 2 if self.month else 1


def parse_date(value: Any) -> Date | None:
    """The date a value holds; None if it holds none that can be read. Empty values are not passed here."""
    if isinstance(value, dt.datetime | dt.date):
        return Date(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if match := YEAR.match(text):
        return Date(int(match.group(1)))
    if match := YEAR_MONTH.match(text):
        month = int(match.group(2))
        return Date(int(match.group(1)), month) if 1 <= month <= 12 else None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return Date(parsed.year, parsed.month, parsed.day)


def period_of(date: Date, by: str) -> tuple[str, dt.date]:
    """The period's label and its first day (where plots place it). The date must be precise enough for `by`."""
    if by == "year":
        return f"{date.year}", dt.date(date.year, 1, 1)
    if by == "quarter":
        quarter = (date.month - 1) // 3 + 1
        return f"{date.year}-Q{quarter}", dt.date(date.year, 3 * quarter - 2, 1)
    if by == "month":
        return f"{date.year}-{date.month:02d}", dt.date(date.year, date.month, 1)
    year, week, _ = dt.date(date.year, date.month, date.day).isocalendar()
    return f"{year}-W{week:02d}", dt.date.fromisocalendar(year, week, 1)


def empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Dating:
    """Places articles' dates in periods, counting those it cannot place and keeping the first example of each reason."""

    by: str
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    starts: dict[str, dt.date] = field(default_factory=dict)

    def period(self, article: str, value: Any) -> str:
        if self.by == ALL_TIME:
            return ALL_TIME
        date = None if empty(value) else parse_date(value)
        reason = "missing" if empty(value) else "unreadable" if date is None else "too coarse" if date.precision < NEEDS[self.by] else ""
        if reason:
            self.counts[reason] += 1
            self.examples.setdefault(reason, f"{value!r} in article {article}" if reason != "missing" else f"article {article}")
            return UNDATED
        assert date is not None
        label, start = period_of(date, self.by)
        self.starts[label] = start
        return label

    def warning(self, articles: int) -> str | None:
        """One line on the articles without a period, or None when every article has one."""
        if not self.counts:
            return None
        parts = []
        for reason in REASONS:
            if self.counts[reason]:
                what = {"missing": "no date", "unreadable": "a date that cannot be read", "too coarse": f"a date too coarse for --by {self.by}"}[reason]
                parts.append(f"{self.counts[reason]} {what} (first: {self.examples[reason]})")
        return f"{sum(self.counts.values())} of {articles} articles have no period: {'; '.join(parts)}; they are counted in the rows of period `{UNDATED}`."
