"""Parsing one cell: numbers, periods and codes in the spellings data managers use."""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner import imports as im
from nlf_planner.imports import parse_period
from nlf_planner.imports.cells import decimal_places, normalise_code, unescape_formula


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-01", (date(2024, 4, 1), "date")),
        ("01/04/2024", (date(2024, 4, 1), "date")),
        ("2024-04", (date(2024, 4, 1), "date")),
        ("Apr 2024", (date(2024, 4, 1), "date")),
        ("April 2024", (date(2024, 4, 1), "date")),
        ("2024/25", (date(2024, 4, 1), "fy")),
        ("2024-25", (date(2024, 4, 1), "fy")),
        ("Q4 2024/25", (date(2025, 1, 1), "q")),
        ("Q2 2024/25", (date(2024, 7, 1), "q")),
        ("2024-04-01 00:00:00", (date(2024, 4, 1), "date")),
        ("2024/26", (None, None)),
        ("31/02/2024", (None, None)),
        ("soon", (None, None)),
        ("2024-04-01 10:30:00", (None, None)),
    ],
)
def test_parse_period(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12.0),
        ("1,234.5", 1234.5),
        (" 7.3 ", 7.3),
        ("1e3", 1000.0),
        ("abc", None),
        ("nan", None),
        ("inf", None),
        ("1,23", None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    assert im.parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [("e40000007 ", "E40000007"), ("p3, P4", "P3, P4"), ("", ""), (None, "")],
)
def test_codes_are_read_in_any_case(text, code):
    assert normalise_code(text) == code


@pytest.mark.parametrize(("text", "places"), [("8", 0), ("33.3", 1), ("45.25%", 2), ("1e3", 6)])
def test_decimal_places_follow_the_digits_given(text, places):
    assert decimal_places(text) == places


def test_the_export_apostrophe_is_removed_only_before_formula_text():
    assert unescape_formula("'=1+1") == "=1+1"
    assert unescape_formula("'quoted") == "'quoted"
