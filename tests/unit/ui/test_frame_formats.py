"""One way the UI writes dates, moments, months and financial years (issue 18)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from nlf_planner.plan import fy_label
from nlf_planner.ui.frame import format_as_of, format_date, format_datetime, format_month


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 12, 1), "1 Dec 2026"),
        (date(2026, 4, 30), "30 Apr 2026"),
        (datetime(2026, 12, 1, 14, 5), "1 Dec 2026"),
        (pd.Timestamp("2027-01-09 23:59"), "9 Jan 2027"),
        (None, "—"),
        (pd.NaT, "—"),
    ],
)
def test_a_day_is_day_month_year_without_a_leading_zero(value, expected) -> None:
    assert format_date(value) == expected


def test_a_moment_adds_a_24_hour_time_and_a_bare_day_gets_none() -> None:
    assert format_datetime(datetime(2026, 12, 1, 14, 5)) == "1 Dec 2026 14:05"
    assert format_datetime(pd.Timestamp("2026-12-01 09:07:59")) == "1 Dec 2026 09:07"
    assert format_datetime(date(2026, 12, 1)) == "1 Dec 2026"
    assert format_datetime(None) == "—"


def test_a_month_and_the_stored_as_of_month_read_the_same() -> None:
    assert format_month(date(2026, 10, 1)) == "Oct 2026"
    assert format_as_of("2026-10") == format_as_of("2026-10-01") == "Oct 2026"
    assert format_as_of(None) == format_as_of("") == "—"
    assert format_as_of("not *a* date") == "not \\*a\\* date"  # shown as stored, inert


def test_a_financial_year_is_written_one_way() -> None:
    assert fy_label(2026) == "2026/27"
    assert fy_label(1999) == "1999/00"
