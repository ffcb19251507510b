"""Reading uploaded files: CSV and XLSX bytes into text cells, or a message that says why not."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlf_planner import imports as im
from nlf_planner.imports import ImportFileError, SheetChoiceNeeded, read_table

ICB = "E54000024"  # Bedfordshire, Luton and Milton Keynes
HEADER = "measure_code,geo_code,period,numerator,denominator,value\n"


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


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_any_bytes_read_or_raise_import_file_error(data):
    try:
        read_table(data, "fuzz.csv")
    except ImportFileError as exc:
        assert str(exc)


# --- files that would stall the server (issue 15) ----------------------------------------


def test_declared_size_beyond_the_limits_is_refused_before_a_row_is_read():
    from tests.hostile_files import declared_dimension_xlsx

    data = declared_dimension_xlsx(10_000)  # A1:XFD10000: 164 million padded cells
    assert len(data) < 10_000
    with pytest.raises(ImportFileError, match="10,000 rows by 16,384 columns; the limit is"):
        read_table(data, "wide.xlsx")


@pytest.mark.parametrize("ref", ["", "A1:D200000"])
def test_rows_and_columns_iterated_are_bounded_however_far_the_stray_cell(ref):
    """One cell at XFD1048576 with no dimension (or a narrow one): the reader walks at
    most MAX_ROWS + 2 rows of at most MAX_COLUMNS cells, and the heading and data row read."""
    from nlf_planner.imports.files import MAX_COLUMNS, _open_workbook, sheet_rows
    from tests.hostile_files import declared_dimension_xlsx

    data = declared_dimension_xlsx(1_048_576, ref)
    wb = _open_workbook(data, "far.xlsx")
    try:
        rows = widest = 0
        for values in sheet_rows(wb["data"]):
            rows += 1
            widest = max(widest, len(values))
    finally:
        wb.close()
    assert rows <= im.MAX_ROWS + 2
    assert widest <= MAX_COLUMNS
    table = read_table(data, "far.xlsx")
    assert table.df.to_dict("records") == [
        {"measure_code": "M08", "geo_code": "E92000001", "period": "2024-04", "value": "5"}
    ]


def test_declared_unpacked_size_is_checked_before_anything_is_inflated():
    from tests.hostile_files import declared_size_xlsx

    with pytest.raises(ImportFileError, match="unpacks to 1,024 MB; the limit is 400 MB"):
        read_table(declared_size_xlsx(1 << 30), "bomb.xlsx")


def test_a_part_that_inflates_a_thousand_fold_is_refused_unread():
    from tests.hostile_files import zip_bomb_xlsx

    with pytest.raises(ImportFileError, match="times larger than it is stored"):
        read_table(zip_bomb_xlsx(8), "bomb.xlsx")


def test_a_bomb_that_lies_about_its_size_reads_as_damaged():
    from tests.hostile_files import lying_bomb_xlsx

    with pytest.raises(ImportFileError, match="damaged or incomplete"):
        read_table(lying_bomb_xlsx(8), "bomb.xlsx")


def test_a_csv_row_of_a_million_cells_is_refused_but_trailing_empty_cells_are_dropped():
    wide = b"measure_code,geo_code\nM08," + b"x," * 1_000_000 + b"\n"
    with pytest.raises(ImportFileError, match="Line 2 of the file has 1,000,002 cells"):
        read_table(wide, "wide.csv")
    padded = read_table(b"measure_code,geo_code" + b"," * 5000 + b"\nM08,E1\n", "pad.csv")
    assert list(padded.df.columns) == ["measure_code", "geo_code"]
