"""Reading uploaded files and checking measurement rows: every problem, located and explained."""

from __future__ import annotations

import io
import random
from datetime import date

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlf_planner import imports as im
from nlf_planner.exports_tables import to_xlsx_bytes
from nlf_planner.imports import (
    ImportFileError,
    SheetChoiceNeeded,
    parse_period,
    preview_measurements,
    read_table,
    validate_measurements,
)
from nlf_planner.store.reference import icbs, measures, regions

TODAY = date(2026, 11, 30)
HEADER = "measure_code,geo_code,period,numerator,denominator,value\n"
ICB = "E54000024"  # Bedfordshire, Luton and Milton Keynes
REGION = "E40000007"  # East of England


@pytest.fixture
def ref(db):
    return measures(db), regions(db), icbs(db)


def check(ref, text: str | bytes, name: str = "file.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return validate_measurements(read_table(data, name), *ref, today=TODAY)


def problems(result) -> list[tuple]:
    return [(i.row, i.column, i.value) for i in result.errors]


# --- reading files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "label", "prefix"),
    [
        ("utf-8", "UTF-8", b""),
        ("utf-8", "UTF-8 with BOM", b"\xef\xbb\xbf"),
        ("cp1252", "Windows-1252", b""),
    ],
)
def test_reads_utf8_bom_and_windows_1252(encoding, label, prefix):
    text = "measure_code,note\nM08,Café costs £5 – “quoted”\n"
    table = read_table(prefix + text.encode(encoding), "f.csv")
    assert table.encoding == label
    assert list(table.df.columns) == ["measure_code", "note"]
    assert table.df.loc[0, "note"] == "Café costs £5 – “quoted”"


def test_semicolon_csv_and_messy_headings_are_understood():
    table = read_table(b"Measure Code;GEO-code\r\nM08;E54000024\r\n", "f.csv")
    assert list(table.df.columns) == ["measure_code", "geo_code"]
    assert table.row_numbers.tolist() == [2]


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n  "])
def test_empty_file_is_refused_with_a_message(data):
    with pytest.raises(ImportFileError, match="empty"):
        read_table(data, "empty.csv")


def test_heading_row_only_is_refused():
    with pytest.raises(ImportFileError, match="no data rows"):
        read_table(HEADER.encode(), "f.csv")


def test_file_over_the_size_limit_names_the_limit():
    data = b"x" * (im.MAX_FILE_BYTES + 1)
    with pytest.raises(ImportFileError, match=f"limit is {im.MAX_FILE_MB} MB"):
        read_table(data, "big.csv")


def test_a_million_row_csv_is_refused_with_the_limit_not_a_crash():
    line = f"M08,{ICB},2024-04-01,12,150,8.0\n".encode()
    data = HEADER.encode() + line * 1_000_000
    with pytest.raises(ImportFileError) as err:
        read_table(data, "million.csv")
    assert f"{im.MAX_FILE_MB} MB" in str(err.value)
    # A million short rows fit under the byte limit, so the row limit speaks instead.
    small = b"a\n" + b"1\n" * 1_000_000
    with pytest.raises(ImportFileError, match=f"{im.MAX_ROWS:,} rows"):
        read_table(small, "million-short.csv")


def test_garbage_bytes_named_csv_get_a_clear_message():
    garbage = random.Random(7).randbytes(4096)
    with pytest.raises(ImportFileError) as err:
        read_table(garbage, "measurements.csv")
    assert "not readable text" in str(err.value) or "binary" in str(err.value)


def test_binary_without_invalid_bytes_is_still_recognised():
    with pytest.raises(ImportFileError, match="binary"):
        read_table(b"measure_code\n\x00\x01\x02\x03M08\x00\n", "f.csv")


def test_old_xls_and_fake_xlsx_are_explained():
    with pytest.raises(ImportFileError, match=r"old-style Excel \.xls"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls")
    with pytest.raises(ImportFileError, match="not one"):
        read_table(b"measure_code\nM08\n", "book.xlsx")


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_truncated_xlsx_is_refused_as_damaged():
    data = _xlsx({"data": [["measure_code"], *[["M08"]] * 500]})
    for cut in (len(data) // 2, len(data) - 30, 200):
        with pytest.raises(ImportFileError, match="damaged or incomplete"):
            read_table(data[:cut], "cut.xlsx")


def test_zip_that_is_not_a_workbook_is_explained():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        read_table(buf.getvalue(), "data.xlsx")


def test_xlsx_with_several_sheets_asks_which_one_then_reads_it():
    data = _xlsx(
        {"2023": [["measure_code"], ["M08"]], "2024": [["measure_code"], ["M10"]], "Blank": []}
    )
    with pytest.raises(SheetChoiceNeeded) as err:
        read_table(data, "book.xlsx")
    assert err.value.sheets == ["2023", "2024"]
    table = read_table(data, "book.xlsx", sheet="2024")
    assert table.sheet == "2024" and table.sheet_names == ["2023", "2024", "Blank"]
    assert table.df["measure_code"].tolist() == ["M10"]
    with pytest.raises(ImportFileError, match="no sheet called"):
        read_table(data, "book.xlsx", sheet="2025")
    assert im.list_sheets(data) == ["2023", "2024", "Blank"]


def test_xlsx_excel_types_become_text_and_row_numbers_match_the_sheet():
    from datetime import datetime

    data = _xlsx(
        {
            "d": [
                [],
                ["measure_code", "period", "value"],
                ["M08", datetime(2024, 4, 1), 8.0],
                [],
                ["M08", datetime(2024, 5, 1), 7.25],
            ]
        }
    )
    table = read_table(data, "d.xlsx")
    assert table.df.to_dict("records") == [
        {"measure_code": "M08", "period": "2024-04-01", "value": "8"},
        {"measure_code": "M08", "period": "2024-05-01", "value": "7.25"},
    ]
    assert table.row_numbers.tolist() == [3, 5]


def test_heading_problems_are_reported():
    with pytest.raises(ImportFileError, match="more than once"):
        read_table(b"measure_code,Measure Code\nM08,M08\n", "f.csv")
    with pytest.raises(ImportFileError, match="has no heading"):
        read_table(b"measure_code,,value\nM08,x,1\n", "f.csv")


def test_unclosed_quote_is_a_clear_message():
    with pytest.raises(ImportFileError, match="well-formed"):
        read_table(b'measure_code,value\n"M08,1\nM09,"2"x\n', "f.csv")


# --- values ----------------------------------------------------------------------------------


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


# --- measurement validation ------------------------------------------------------------------


def test_a_clean_file_gives_typed_rows_and_derives_missing_values(ref):
    result = check(
        ref,
        HEADER
        + f"M08,{ICB},2024-04-01,12,150,8.0\n"
        + f"m08,{ICB.lower()},2024-05-01,12,150,\n"
        + f"M04,{REGION},2024/25,,2000,7.3\n"
        + f"M01,{ICB},Q1 2024/25,3,10,30%\n",
    )
    assert result.ok and result.errors == []
    rows = result.rows.set_index("row")
    assert rows.loc[3, "measure_code"] == "M08" and rows.loc[3, "geo_code"] == ICB
    assert rows.loc[3, "value"] == pytest.approx(8.0)  # 100 × 12 / 150
    assert rows.loc[4, "numerator"] == pytest.approx(7.3 * 2000)  # score × respondents
    assert rows.loc[5, "period"] == date(2024, 4, 1) and rows.loc[5, "value"] == 30.0


def test_every_problem_is_reported_with_row_column_value_and_reason(ref):
    result = check(
        ref,
        HEADER
        + f"M99,{ICB},2024-04-01,1,10,10\n"  # 2 unknown measure
        + "M08,E54999999,2024-04-01,1,10,10\n"  # 3 unknown geography
        + "M08,E92000001,2024-04-01,1,10,10\n"  # 4 England
        + f"M08,{ICB},2024-04-15,1,10,10\n"  # 5 not a month start
        + f"M01,{ICB},2024-05-01,1,10,10\n"  # 6 not a quarter start
        + f"M04,{ICB},2024-07-01,,10,7\n"  # 7 annual not 1 April
        + f"M08,{ICB},2024-04-01,twelve,150,\n"  # 8 wrong type
        + f"M08,{ICB},2024-06-01,200,150,\n"  # 9 numerator > denominator
        + f"M08,{ICB},2024-07-01,,150,120\n"  # 10 percent over 100
        + f"M08,{ICB},2024-08-01,-1,150,\n"  # 11 negative
        + f"M08,{ICB},2024-09-01,1,0,\n"  # 12 zero denominator
        + f"M08,{ICB},2024-09-01,1,10,10\n"  # 13 duplicate of 12
        + f"M04,{ICB},2024-04-01,,10,11\n"  # 14 score over 10
        + f"M08,{ICB},2027-01-01,1,10,10\n"  # 15 future
        + f"M08,{ICB},2015-04-01,1,10,10\n"  # 16 before history
        + f"M08,{ICB},2024-10-01,12,150,9.5\n"  # 17 value disagrees with num/den
        + f"M08,{ICB},,1,10,10\n"  # 18 blank period
        + f"M08,{ICB},2024-11-01,1,,10\n"  # 19 blank denominator
        + f"M08,{ICB},2024-12-01,,10,\n"  # 20 neither numerator nor value
        + f"M01,{ICB},2024/25,1,10,10\n",
    )  # 21 financial year for quarterly
    found = problems(result)
    for expected in [
        (2, "measure_code", "M99"),
        (3, "geo_code", "E54999999"),
        (4, "geo_code", "E92000001"),
        (5, "period", "2024-04-15"),
        (6, "period", "2024-05-01"),
        (7, "period", "2024-07-01"),
        (8, "numerator", "twelve"),
        (9, "numerator", "200"),
        (10, "value", "120"),
        (11, "numerator", "-1"),
        (12, "denominator", "0"),
        (13, "period", "2024-09-01"),
        (14, "value", "11"),
        (15, "period", "2027-01-01"),
        (16, "period", "2015-04-01"),
        (17, "value", "9.5"),
        (18, "period", ""),
        (19, "denominator", ""),
        (20, "value", ""),
        (21, "period", "2024/25"),
    ]:
        assert expected in found, expected
    reasons = {(i.row, i.column): i.reason for i in result.errors}
    assert "Duplicate of row 12" in reasons[(13, "period")]
    assert "1st of April, July, October, January" in reasons[(6, "period")]
    assert "1 April" in reasons[(7, "period")]
    assert "between 0 and 100" in reasons[(10, "value")]
    assert "between 0 and 10" in reasons[(14, "value")]
    assert "gives 8" in reasons[(17, "value")]
    assert not result.ok
    assert result.rows.empty  # every row above has a problem


def test_missing_required_columns_are_named(ref):
    result = check(ref, "measure_code,period,value\nM08,2024-04-01,8\n")
    missing = {i.column for i in result.errors}
    assert missing == {"geo_code", "denominator"}
    assert all("missing" in i.reason for i in result.errors)
    result = check(ref, "measure_code,geo_code,period,denominator\nM08,E54000024,2024-04-01,8\n")
    assert [i.column for i in result.errors] == ["numerator or value"]


def test_aliases_and_extra_columns(ref):
    result = check(
        ref,
        "Measure,ICB code,Period,Numerator,Denominator,Comment\n"
        f"M08,{ICB},2024-04-01,12,150,hello\n",
    )
    assert result.ok
    assert [(i.column, i.severity) for i in result.warnings] == [("comment", "warning")]


def test_value_rounding_tolerance_follows_the_digits_given(ref):
    ok = check(ref, HEADER + f"M08,{ICB},2024-04-01,1,3,33\n" + f"M08,{ICB},2024-05-01,1,3,33.3\n")
    assert ok.ok
    bad = check(ref, HEADER + f"M08,{ICB},2024-04-01,1,3,33.4\n")
    assert problems(bad) == [(2, "value", "33.4")]


def test_sql_and_html_in_text_fields_are_kept_literally_in_the_messages(ref):
    evil = ["Robert'); DROP TABLE measurements;--", "<script>alert(1)</script>", "=1+1"]
    text = HEADER + "".join(f'"{e}","{e}",2024-04-01,1,10,\n' for e in evil)
    result = check(ref, text)
    values = {i.value for i in result.errors}
    assert set(evil) <= values


def test_interval_columns(ref):
    header = "measure_code,geo_code,period,denominator,value,ci_low,ci_high\n"
    result = check(
        ref,
        header
        + f"M04,{ICB},2024/25,100,7.1,7.0,7.2\n"
        + f"M04,{ICB},2023/24,100,7.1,7.2,7.3\n"
        + f"M04,{ICB},2022/23,100,7.1,7.0,\n",
    )
    assert sorted(problems(result)) == [(3, "ci_low", "7.2"), (4, "ci_low", "7.0")]


@given(st.lists(st.tuples(*[st.text(max_size=12)] * 6), min_size=1, max_size=8))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_cell_text_gives_issues_never_an_exception(ref, cells):
    df = pd.DataFrame(cells, columns=HEADER.strip().split(","))
    data = df.to_csv(index=False).encode("utf-8")
    try:
        table = read_table(data, "fuzz.csv")
    except ImportFileError:
        return
    result = validate_measurements(table, *ref, today=TODAY)
    assert all(i.reason for i in result.issues)
    assert result.ok == (not result.errors and not result.rows.empty)


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_any_bytes_read_or_raise_import_file_error(data):
    try:
        read_table(data, "fuzz.csv")
    except ImportFileError as exc:
        assert str(exc)


# --- preview ---------------------------------------------------------------------------------


def test_preview_lists_added_replaced_unchanged_and_illustrative_removed():
    incoming = pd.DataFrame(
        {
            "measure_code": ["M08"] * 3,
            "geo_code": [ICB] * 3,
            "period": [date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)],
            "numerator": [12.0, 10.0, 9.0],
            "denominator": [150.0] * 3,
            "value": [8.0, 10 / 1.5, 6.0],
        }
    )
    current = pd.DataFrame(
        {
            "measure_code": ["M08"] * 4,
            "geo_code": [ICB] * 4,
            "period": [date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1), date(2023, 1, 1)],
            "numerator": [5.0, 11.0, 10.0, 1.0],
            "denominator": [150.0] * 4,
            "value": [5 / 1.5, 11 / 1.5, 10 / 1.5, 1 / 1.5],
            "illustrative": [True, True, True, False],
        }
    )
    p = preview_measurements(incoming, current)
    assert p.counts == {
        "added": 1,
        "replaced": 1,
        "unchanged": 1,
        "illustrative_removed": 1,
        "series": 1,
        "rows": 3,
    }
    replaced = p.changes[p.changes["change"] == "replaced"].iloc[0]
    assert replaced["value_before"] == pytest.approx(11 / 1.5)
    assert replaced["value_after"] == pytest.approx(8.0)
    assert p.changes.iloc[0]["change"] == "replaced"  # what matters most comes first
    assert "1 rows added, 1 values replaced" in p.summary()
    # The real (non-illustrative) 2023 row outside the file is kept, so it is not listed.
    assert date(2023, 1, 1) not in set(p.changes["period"])


def test_xlsx_measurement_file_validates_like_csv(ref):
    df = pd.DataFrame(
        {
            "measure_code": ["M08"],
            "geo_code": [ICB],
            "period": ["2024-04-01"],
            "numerator": [12],
            "denominator": [150],
            "value": [8.0],
        }
    )
    result = validate_measurements(
        read_table(to_xlsx_bytes({"data": df}), "m.xlsx"), *ref, today=TODAY
    )
    assert result.ok and result.rows.loc[0, "value"] == 8.0


def test_rows_wider_than_the_headings_are_noted_not_lost(ref):
    result = check(ref, HEADER + f"M08,{ICB},2024-04-01,12,150,8,stray\n")
    assert result.ok
    assert [(i.row, i.severity) for i in result.warnings] == [(2, "warning")]


def test_each_template_example_imports_cleanly(ref):
    measures_, regions_, icbs_ = ref
    lookups = im.reference_sheets("measurements", measures_, regions_, icbs_, {"P1": "x"})
    xlsx, csv_bytes = im.template_files("measurements", lookups)
    for data, name in ((xlsx, "t.xlsx"), (csv_bytes, "t.csv")):
        result = validate_measurements(read_table(data, name), *ref, today=TODAY)
        assert result.ok and result.errors == [] and len(result.rows) == 2
