"""Dates as archives hold them, the periods they fall in, and the articles that fall in none: counted and named, never dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.trends.periods import UNDATED, Date, Dating, parse_date, period_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2014", Date(2014)),
        ("2014-06", Date(2014, 6)),
        ("2014-6", Date(2014, 6)),
        ("2014-06-08", Date(2014, 6, 8)),
        ("2014-06-08T10:30:00Z", Date(2014, 6, 8)),
        ("2014-06-08 10:30:00+05:00", Date(2014, 6, 8)),
        (2014, Date(2014)),
        (dt.date(2014, 6, 8), Date(2014, 6, 8)),
        (dt.datetime(2014, 6, 8, 23, 59), Date(2014, 6, 8)),
        ("June 2014", None),
        ("2014-13", None),
        ("2014-02-30", None),
        (True, None),
    ],
)
def test_dates_in_every_form_an_archive_holds(value: object, expected: Date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("by", "label", "start"),
    [
        ("year", "2014", dt.date(2014, 1, 1)),
        ("quarter", "2014-Q2", dt.date(2014, 4, 1)),
        ("month", "2014-06", dt.date(2014, 6, 1)),
        ("week", "2014-W23", dt.date(2014, 6, 2)),
    ],
)
def test_each_period_has_a_label_and_a_first_day(by: str, label: str, start: dt.date) -> None:
    assert period_of(Date(2014, 6, 8), by) == (label, start)


def test_the_iso_week_of_new_years_day_can_belong_to_the_year_before() -> None:
    assert period_of(Date(2021, 1, 1), "week") == ("2020-W53", dt.date(2020, 12, 28))


def test_missing_unreadable_and_too_coarse_dates_are_counted_and_named_in_one_warning() -> None:
    dating = Dating("month")
    periods = [
        dating.period(article, value) for article, value in [("a", "2014-06-08"), ("b", ""), ("c", None), ("d", "soon"), ("e", "2014"), ("f", "2014-07")]
    ]
    assert periods == ["2014-06", UNDATED, UNDATED, UNDATED, UNDATED, "2014-07"]
    warning = dating.warning(6)
    assert warning is not None
    assert warning.startswith("4 of 6 articles have no period: 2 no date (first: article b); 1 a date that cannot be read (first: 'soon' in article d);")
    assert "1 a date too coarse for --by month (first: '2014' in article e)" in warning and f"`{UNDATED}`" in warning


def test_a_year_is_enough_by_year_and_every_article_is_in_the_one_period_by_all() -> None:
    by_year = Dating("year")
    assert by_year.period("a", "2014") == "2014" and by_year.warning(1) is None
    everything = Dating("all")
    assert {everything.period("a", None), everything.period("b", "soon")} == {"all"} and everything.warning(2) is None
