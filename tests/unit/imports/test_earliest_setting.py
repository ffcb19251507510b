"""NLF_EARLIEST_PERIOD: the first month a measurement import accepts (default April 2010),
refused with a clear message when it is not a usable month."""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner.settings import SettingError, get_settings, parse_earliest_period


def test_unset_or_blank_gives_april_2010(monkeypatch):
    monkeypatch.delenv("NLF_EARLIEST_PERIOD", raising=False)
    assert get_settings().earliest_period == date(2010, 4, 1)
    monkeypatch.setenv("NLF_EARLIEST_PERIOD", "  ")
    assert get_settings().earliest_period == date(2010, 4, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2005-04", date(2005, 4, 1)), ("1948-07", date(1948, 7, 1)), ("2016-04", date(2016, 4, 1))],
)
def test_a_month_is_read_as_its_first_day(monkeypatch, text, expected):
    monkeypatch.setenv("NLF_EARLIEST_PERIOD", text)
    assert get_settings().earliest_period == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("April 2010", "write a month as YYYY-MM"),
        ("2010-4", "write a month as YYYY-MM"),
        ("2010-13", "write a month as YYYY-MM"),
        ("2010-04-01", "write a month as YYYY-MM"),
        ("1948-06", "between 1948-07"),
        ("2016-05", "and 2016-04"),
    ],
)
def test_anything_else_is_refused_naming_the_setting(text, says):
    with pytest.raises(SettingError) as caught:
        parse_earliest_period(text)
    assert "NLF_EARLIEST_PERIOD" in str(caught.value) and says in str(caught.value)


def test_reading_the_other_settings_does_not_fail_on_a_bad_value(monkeypatch):
    monkeypatch.setenv("NLF_EARLIEST_PERIOD", "soon")
    settings = get_settings()  # every page reads settings; only imports need this one
    assert settings.stale_days > 0
    with pytest.raises(SettingError):
        _ = settings.earliest_period
