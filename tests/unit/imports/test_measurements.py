"""Checking measurement rows: every problem, located and explained; and the import preview."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlf_planner.exports_tables import to_xlsx_bytes
from nlf_planner.imports import (
    ImportFileError,
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
        + "M08,E92000001,2024-04-01,1,10,10\n"  # 4 England (skipped with a note)
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
        + f"M08,{ICB},2009-04-01,1,10,10\n"  # 16 before the earliest period (2010-04)
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
        (16, "period", "2009-04-01"),
        (17, "value", "9.5"),
        (18, "period", ""),
        (19, "denominator", ""),
        (20, "value", ""),
        (21, "period", "2024/25"),
    ]:
        assert expected in found, expected
    assert [(i.row, i.column, i.severity) for i in result.issues if i.row == 4] == [
        (4, "geo_code", "warning")
    ]
    reasons = {(i.row, i.column): i.reason for i in result.errors}
    assert "Duplicate of row 12" in reasons[(13, "period")]
    assert "Before April 2010" in reasons[(16, "period")]
    assert "NLF_EARLIEST_PERIOD" in reasons[(16, "period")]
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
    assert [(i.column, i.severity) for i in result.warnings] == [("Comment", "warning")]


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


def test_removal_warning_names_rows_measures_areas_and_periods():
    import pandas as pd

    from nlf_planner.imports import removal_warning, removals

    changes = pd.DataFrame(
        {
            "change": ["illustrative removed"] * 3 + ["replaced", "illustrative removed"],
            "measure_code": ["M08", "M08", "M08", "M08", "M01"],
            "geo_code": ["E54000024"] * 4 + ["E40000003"],
            "period": pd.to_datetime(
                ["2016-04-01", "2020-01-01", "2026-09-01", "2024-04-01", "2025-03-01"]
            ).date,
        }
    )
    summary = removals(changes)
    assert summary[["measure_code", "geo_code", "rows"]].values.tolist() == [
        ["M01", "E40000003", 1],
        ["M08", "E54000024", 3],
    ]
    text = removal_warning(summary, {"M08": "Sickness absence"}, {"E54000024": "BLMK"})
    assert text.startswith("This import removes 4 stored rows of history")
    assert "M08 Sickness absence for BLMK: 3 rows, Apr 2016 to Sep 2026" in text
    assert "M01 for E40000003: 1 row, Mar 2025 to Mar 2025" in text
    assert removal_warning(removals(changes.iloc[3:4]), {}, {}) is None
