"""Aggregation: region and England values come from ICB numerators and denominators."""

from datetime import date

import pandas as pd
import pytest

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.store.measurements import all_series, latest_values, series, write_measurements
from nlf_planner.store.reference import icbs, regions


def _rows(measure: str, period: date, data: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure_code": measure,
                "geo_code": code,
                "period": period,
                "numerator": num,
                "denominator": den,
                "value": 100 * num / den,
                "ci_low": None,
                "ci_high": None,
                "illustrative": False,
            }
            for code, num, den in data
        ]
    )


def test_region_and_england_are_sums_of_numerators_over_denominators(db) -> None:
    region = regions(db)[0]
    members = icbs(db, region.code)[:2]
    other_region = regions(db)[1]
    other = icbs(db, other_region.code)[0]
    period = date(2024, 4, 1)
    # A big ICB at 10% and a small one at 90%: the mean of percentages would be 50%.
    frame = _rows(
        "M01",
        period,
        [(members[0].code, 100, 1000), (members[1].code, 9, 10), (other.code, 30, 100)],
    )
    db.write(lambda cur: write_measurements(cur, frame))

    df = all_series(db, ["M01"])
    reg = df[(df.geo_code == region.code) & (df.period == period)].iloc[0]
    assert reg["numerator"] == 109 and reg["denominator"] == 1010
    assert reg["value"] == pytest.approx(100 * 109 / 1010)
    assert reg["value"] != pytest.approx(50.0)
    eng = df[(df.geo_code == ENGLAND_CODE) & (df.period == period)].iloc[0]
    assert eng["value"] == pytest.approx(100 * 139 / 1110)
    assert set(df["geo_level"]) == {"icb", "region", "england"}


def test_scores_aggregate_as_weighted_means_with_pooled_interval(db) -> None:
    region = regions(db)[0]
    a, b = icbs(db, region.code)[:2]
    period = date(2023, 4, 1)
    frame = pd.DataFrame(
        [
            {
                "measure_code": "M04",
                "geo_code": a.code,
                "period": period,
                "numerator": 7.0 * 900,
                "denominator": 900,
                "value": 7.0,
                "ci_low": 6.9,
                "ci_high": 7.1,
                "illustrative": True,
            },
            {
                "measure_code": "M04",
                "geo_code": b.code,
                "period": period,
                "numerator": 8.0 * 100,
                "denominator": 100,
                "value": 8.0,
                "ci_low": 7.7,
                "ci_high": 8.3,
                "illustrative": True,
            },
        ]
    )
    db.write(lambda cur: write_measurements(cur, frame))
    reg = series(db, "M04", region.code).iloc[0]
    assert reg["value"] == pytest.approx(7.1)
    assert reg["ci_low"] < reg["value"] < reg["ci_high"]


def test_region_level_import_stands_for_the_region(db) -> None:
    region = regions(db)[0]
    member = icbs(db, region.code)[0]
    period = date(2024, 4, 1)
    frame = pd.concat(
        [
            _rows("M03", period, [(member.code, 10, 100)]),
            _rows("M03", period, [(region.code, 50, 100)]),
        ]
    )
    db.write(lambda cur: write_measurements(cur, frame))
    reg = series(db, "M03", region.code)
    assert len(reg) == 1 and reg.iloc[0]["value"] == pytest.approx(50.0)


def test_latest_values_picks_the_last_period_per_series(db) -> None:
    icb = icbs(db)[0]
    frame = pd.concat(
        [
            _rows("M01", date(2024, 4, 1), [(icb.code, 1, 10)]),
            _rows("M01", date(2024, 7, 1), [(icb.code, 2, 10)]),
        ]
    )
    db.write(lambda cur: write_measurements(cur, frame))
    latest = latest_values(all_series(db, ["M01"], levels=["icb"]))
    assert list(latest["period"]) == [date(2024, 7, 1)]
    assert latest.iloc[0]["value"] == pytest.approx(20.0)


def test_series_returns_one_geography_at_any_level(db) -> None:
    region = regions(db)[0]
    a, b = icbs(db, region.code)[:2]
    period = date(2024, 4, 1)
    frame = _rows("M01", period, [(a.code, 10, 100), (b.code, 30, 100)])
    db.write(lambda cur: write_measurements(cur, frame))
    assert series(db, "M01", a.code).iloc[0]["value"] == pytest.approx(10.0)
    assert series(db, "M01", region.code).iloc[0]["value"] == pytest.approx(20.0)
    eng = series(db, "M01", ENGLAND_CODE)
    assert list(eng["geo_level"]) == ["england"] and eng.iloc[0]["value"] == pytest.approx(20.0)
