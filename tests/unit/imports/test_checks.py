"""The column checks every kind shares, and the problems table people download."""

from __future__ import annotations

import pandas as pd

from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.imports import Issue, check_columns, issues_frame, read_table

COLUMNS = (
    ColumnDoc("measure_code", "text", True, "Measure code."),
    ColumnDoc("value", "number", False, "The figure."),
    ColumnDoc("numerator", "number", False, "What is counted."),
)


def test_aliases_are_renamed_and_missing_and_extra_columns_reported():
    table = read_table(b"measure,note,x\nM08,hello,1,stray\n", "f.csv")
    issues = check_columns(
        table, COLUMNS, {"measure": "measure_code"}, one_of=[("numerator", "value")]
    )
    assert list(table.df.columns) == ["measure_code", "note", "x"]
    assert [(i.row, i.column, i.severity) for i in issues] == [
        (None, "numerator or value", "error"),
        (None, "note", "warning"),
        (None, "x", "warning"),
        (2, None, "warning"),  # the row wider than its headings
    ]


def test_the_problems_table_lists_errors_first_then_by_row():
    frame = issues_frame(
        [
            Issue(5, "value", "x", "Not a number."),
            Issue(2, "note", None, "Ignored.", "warning"),
            Issue(None, "period", None, "Missing."),
            Issue(3, "value", "y", "Not a number."),
        ]
    )
    rows = [None if r is pd.NA else int(r) for r in frame["row"]]
    assert list(zip(rows, frame["severity"], strict=True)) == [
        (None, "error"),  # a whole-file problem first
        (3, "error"),
        (5, "error"),
        (2, "warning"),
    ]
    assert list(frame.columns) == ["row", "column", "value", "problem", "severity"]
