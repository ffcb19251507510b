"""Columns under the names analysts' files already use (Fingertips, NHS extracts), and
Fingertips' period labels: which forms map exactly onto our periods and which are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nlf_planner.imports import read_table, validate_measurements
from nlf_planner.imports.cells import parse_period, period_problem
from nlf_planner.imports.checks import map_columns, squash
from nlf_planner.imports.measurements import (
    MEASUREMENT_ALIAS_PATTERNS,
    MEASUREMENT_ALIASES,
    MEASUREMENT_COLUMNS,
)
from nlf_planner.store.reference import icbs, measures, regions

OURS = [c.column for c in MEASUREMENT_COLUMNS]
FINGERTIPS_CSV = Path(__file__).with_name("fingertips_export.csv")
TODAY = date(2026, 11, 30)


def taken(headings: list[str]) -> dict[str, str]:
    """Our column → the heading taken for it."""
    cmap = map_columns(headings, OURS, MEASUREMENT_ALIASES, MEASUREMENT_ALIAS_PATTERNS)
    return {u.column: u.heading for u in cmap.taken}


@pytest.mark.parametrize(
    ("heading", "column"),
    [
        ("Area Code", "geo_code"),
        ("area_code", "geo_code"),
        ("AreaCode", "geo_code"),  # fingertipsR's renamed columns
        ("  AREA   code ", "geo_code"),
        ("ICB code", "geo_code"),
        ("Org code", "geo_code"),
        ("ODS code", "geo_code"),
        ("ICB23CD", "geo_code"),  # ONS-style
        ("NHSER22CD", "geo_code"),
        ("Indicator ID", "measure_code"),
        ("Measure code", "measure_code"),
        ("Time period", "period"),
        ("Timeperiod", "period"),
        ("Period", "period"),
        ("Month", "period"),
        ("Count", "numerator"),
        ("Numerator", "numerator"),
        ("Denominator", "denominator"),
        ("Value", "value"),
        ("Lower CI 95.0 limit", "ci_low"),
        ("LowerCI95.0limit", "ci_low"),
        ("Upper CI 95.0 limit", "ci_high"),
    ],
)
def test_each_common_heading_is_taken_for_its_column_in_any_case_and_spacing(heading, column):
    assert taken([heading]) == {column: heading}


def test_unrelated_headings_are_not_taken():
    assert taken(["Area Name", "Lower CI 99.8 limit", "Parent Code", "Time period Sortable"]) == {}
    assert squash("Lower CI 95.0 limit") == "lowerci950limit"


def test_our_own_name_wins_over_an_alias_and_the_first_alias_wins_over_a_later_one():
    cmap = map_columns(
        ["Area Code", "ODS code", "geo_code"], OURS, MEASUREMENT_ALIASES, MEASUREMENT_ALIAS_PATTERNS
    )
    assert [(u.heading, u.column, u.why) for u in cmap.uses] == [
        ("Area Code", None, "'geo_code' is already taken for geo_code"),
        ("ODS code", None, "'geo_code' is already taken for geo_code"),
        ("geo_code", "geo_code", ""),
    ]
    assert taken(["ODS code", "Area Code"]) == {"geo_code": "ODS code"}


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("2019/20", date(2019, 4, 1), "fy"),  # Fingertips financial year
        ("2019/20 Q1", date(2019, 4, 1), "q"),  # Fingertips financial quarter
        ("2019/20 Q2", date(2019, 7, 1), "q"),
        ("2019/20 Q3", date(2019, 10, 1), "q"),
        ("2019/20 Q4", date(2020, 1, 1), "q"),  # January of the second year
        ("2019/2020 q4", date(2020, 1, 1), "q"),
        ("Q4 2019/20", date(2020, 1, 1), "q"),
        ("Apr 2019", date(2019, 4, 1), "date"),  # Fingertips month
        ("March 2010", date(2010, 3, 1), "date"),
    ],
)
def test_fingertips_period_labels_that_are_one_of_our_periods(text, expected, kind):
    assert parse_period(text) == (expected, kind)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2019", "2019 is a calendar year"),
        ("2019 Q1", "calendar quarter"),
        ("Q1 2019", "calendar quarter"),
        ("2017 - 19", "covers more than one period"),  # Fingertips 3-year pools
        ("2016/17 - 18/19", "covers more than one period"),
        ("2019/21", "covers more than one period"),
        ("2019/20 Q5", "Not a date this import understands"),
        ("soon", "Not a date this import understands"),
    ],
)
def test_other_fingertips_labels_are_refused_saying_why(text, says):
    assert parse_period(text) == (None, None)
    assert says in period_problem(text)


def test_a_calendar_year_is_never_guessed_onto_a_financial_year():
    reason = period_problem("2019")
    assert "2019/20" in reason and "only if that is what the figure covers" in reason


@pytest.fixture
def ref(db):
    return measures(db), regions(db), icbs(db)


def check(ref, data: bytes, earliest: date = date(2010, 4, 1)):
    return validate_measurements(read_table(data, "ft.csv"), *ref, today=TODAY, earliest=earliest)


def test_a_fingertips_export_is_read_with_its_own_headings(ref):
    result = check(ref, FINGERTIPS_CSV.read_bytes())
    assert result.errors == []
    rows = result.rows
    assert len(rows) == 15  # 21 data rows less the 6 England rows
    icb = rows[(rows.measure_code == "M07") & (rows.geo_code == "E54000024")]
    assert icb["period"].tolist() == [date(y, 4, 1) for y in range(2012, 2018)]
    first = icb.iloc[0]
    assert (first.numerator, first.denominator, first.value) == (1830, 3050, 60.0)
    assert (first.ci_low, first.ci_high) == (58.25, 61.72)
    quarter = rows[rows.measure_code == "M01"].iloc[0]
    assert quarter.period == date(2015, 4, 1) and quarter.value == 30.0
    months = rows[rows.measure_code == "M08"]
    assert months["period"].tolist() == [date(2015, 4, 1), date(2015, 5, 1)]
    skipped = [i for i in result.warnings if i.column == "geo_code"]
    assert [i.row for i in skipped] == [2, 3, 4, 5, 6, 7]
    assert all(i.value == "E92000001" and "England row skipped" in i.reason for i in skipped)
    ignored = {i.column for i in result.warnings if i.row is None}
    assert {"Indicator Name", "Area Name", "Lower CI 99.8 limit", "Compared to goal"} <= ignored


def test_fingertips_indicator_numbers_are_refused_naming_the_column(ref):
    text = FINGERTIPS_CSV.read_text()
    data = text.replace("\nM07,", "\n90362,").replace("\nM08,", "\n92443,")
    result = check(ref, data.replace("\nM01,", "\n93014,").encode())
    assert result.rows.empty
    assert [(i.row, i.column, i.value) for i in result.errors] == [
        (None, "Indicator ID", "90362, 92443, 93014")
    ]
    reason = result.errors[0].reason
    assert "'Indicator ID'" in reason and "Fingertips indicator numbers" in reason
    assert "M01–M17" in reason


def test_an_indicator_id_column_with_some_of_our_codes_is_checked_row_by_row(ref):
    text = FINGERTIPS_CSV.read_text().replace("\nM08,", "\n92443,")
    result = check(ref, text.encode())
    bad = [i for i in result.errors if i.column == "measure_code"]
    assert [(i.row, i.value) for i in bad] == [(20, "92443"), (21, "92443")]
    assert "'Indicator ID' must hold this app's measure codes" in bad[0].reason
    assert {i.row for i in result.errors} == {20, 21}
    assert len(result.rows) == 13


def test_periods_before_the_framework_are_accepted_back_to_the_limit_only(ref):
    header = "Indicator ID,Area Code,Time period,Count,Denominator\n"
    data = (
        header
        + "M07,E54000024,2010/11,5,10\n"  # 2: the limit's own year: accepted
        + "M07,E54000024,2009/10,5,10\n"  # 3: before the limit
        + "M08,E54000024,Mar 2010,1,10\n"  # 4: the month before the limit
        + "M08,E54000024,Apr 2010,1,10\n"  # 5: the limit
        + "M07,E54000024,2019,5,10\n"  # 6: a calendar year
    ).encode()
    result = check(ref, data)
    assert [i.row for i in result.errors] == [6, 3, 4]
    assert {i.column for i in result.errors} == {"period"}
    early = {i.row: i.reason for i in result.errors}
    assert early[3].startswith("Before April 2010, the earliest period")
    assert "2019 is a calendar year" in early[6]
    assert result.rows["period"].tolist() == [date(2010, 4, 1), date(2010, 4, 1)]
    later = check(ref, data, earliest=date(2012, 4, 1))
    assert {i.row for i in later.errors} == {2, 3, 4, 5, 6}
    assert "Before April 2012" in {i.row: i.reason for i in later.errors}[2]


def test_headings_are_shown_without_control_characters_and_cut_to_a_readable_length():
    long = "Compared to " + "x" * 200
    table = read_table(f"Area\x1b Code,{long}\nE54000024,1\n".encode(), "h.csv")
    assert table.heading("area_code") == "Area Code"
    shown = table.headings[list(table.df.columns)[1]]
    assert len(shown) == 80 and shown.endswith("…") and shown.startswith("Compared to xx")
