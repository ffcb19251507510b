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


def test_control_characters_in_any_used_cell_are_errors_located_by_row_and_column():
    from nlf_planner.imports.checks import MAX_LISTED

    cols = [ColumnDoc("name", "text", True, "Name"), ColumnDoc("next_step", "text", False, "")]
    data = 'name,next_step,extra\nAcme\x1bTrust,ok\nFine,"two\nlines",\x07ignored\nDel\x7f,x\n'
    table = read_table(data.encode(), "s.csv")
    errors = [i for i in check_columns(table, cols) if i.severity == "error"]
    assert [(i.row, i.column) for i in errors] == [(2, "name"), (4, "name")]  # sheet rows
    assert errors[0].reason.startswith("Column 'name' contains a hidden control character")
    assert "U+001B" in errors[0].reason and errors[0].value == "Acme\\x1bTrust"
    import numpy as np

    from nlf_planner.imports import Table

    n = MAX_LISTED + 7
    many = Table(
        pd.DataFrame({"name": [f"n{i}\x1b" for i in range(n)]}), np.arange(2, n + 2), "m", "csv"
    )
    found = check_columns(many, cols[:1])
    assert len(found) == MAX_LISTED + 1 and found[-1].reason.startswith("7 more cells")
