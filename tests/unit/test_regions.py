"""Regions domain rules that need only small inputs: formatting, badges, an empty model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlf_planner import regions as R
from nlf_planner.units import format_value


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (58.34, "percent", "58.3%"),
        (7.214, "score_0_10", "7.21"),
        (3.44, "years", "3.4 years"),
        (None, "percent", "—"),
        (np.nan, "percent", "—"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_badges_carry_letters_and_words():
    assert R.variation_badge("improvement_high") == "[H] Special-cause improvement (high)"
    assert R.variation_badge("concern_low").startswith("[L] Special-cause concern")
    assert R.assurance_badge("consistent_fail").startswith("[F] Will consistently fail")
    assert R.variation_short("common_cause") == "SPC [C] common cause"
    assert R.variation_counts(["improvement_high", "concern_low", "improvement_low"]) == (
        "SPC: 2 improvement, 1 concern"
    )
    assert R.assurance_badge(None) == "No target"
    assert R.comparison_text("worse") == "▼ Worse than England"


def test_empty_model_does_not_fail():
    empty = pd.DataFrame(
        columns=[
            "measure_code",
            "geo_code",
            "geo_level",
            "period",
            "numerator",
            "denominator",
            "value",
            "ci_low",
            "ci_high",
            "illustrative",
        ]
    )
    m = R.build_model(empty, [], [], [], [])
    assert m.cells.empty and m.results == {}


# ------------------------------------------------------------------ worse and getting worse

from datetime import date  # noqa: E402

from nlf_planner.geography import ENGLAND_CODE  # noqa: E402
from nlf_planner.models import ICB, Measure, PriorityArea, Region  # noqa: E402
from nlf_planner.periods import add_months  # noqa: E402

_LONDON, _A, _B = "E40000003", "E54000027", "E54000028"
_START = date(2024, 1, 1)


def _red_red_model() -> R.RegionsModel:
    """England steady at 60% (10,000 a month). ICS A (1,000 a month) sits near 55% and then
    falls 55, 53, 51, 49, 47% over its last five months: by hand χ² = 200² / (0.51 × 0.49 ×
    10,000) = 16.0, p = 6e-5, and 47% is well below England's 60%, so it is worse and
    getting worse. ICS B sits at England's level; London (2,000 a month) steady at 57%, worse
    than England but not getting worse. A score (M13) where ICS A drops from 7.0 to 6.5 for
    its last nine months, intervals ±0.1 against England's 7.0 ± 0.05: worse, with
    special-cause concern, read on the SPC signal alone."""
    rows = []

    def add(code, geo, level, values, den=None, ci=None):
        for i, v in enumerate(values):
            rows.append(
                {
                    "measure_code": code, "geo_code": geo, "geo_level": level,
                    "period": add_months(_START, i),
                    "numerator": v * den / 100 if den else v, "denominator": den or 1.0,
                    "value": float(v),
                    "ci_low": v - ci if ci else None, "ci_high": v + ci if ci else None,
                    "illustrative": True,
                }
            )  # fmt: skip

    wobble = [1 if i % 2 else -1 for i in range(24)]
    add("M10", ENGLAND_CODE, "england", [60.0] * 24, 10000)
    add("M10", _A, "icb", [55 + w for w in wobble[:19]] + [55, 53, 51, 49, 47], 1000)
    add("M10", _B, "icb", [60 + w for w in wobble], 1000)
    add("M10", _LONDON, "region", [57 + w * 0.5 for w in wobble], 2000)
    add("M13", ENGLAND_CODE, "england", [7.0] * 24, ci=0.05)
    add("M13", _A, "icb", [7 + w * 0.05 for w in wobble[:15]] + [6.5] * 9, ci=0.1)
    add("M13", _B, "icb", [7 + w * 0.05 for w in wobble], ci=0.1)
    add("M13", _LONDON, "region", [7 + w * 0.05 for w in wobble], ci=0.1)
    measures = [
        Measure(code="M10", name="Staff trained", area_code="P6", unit="percent",
                polarity="higher_is_better", frequency="monthly", baseline=50, source="t"),
        Measure(code="M13", name="Engagement score", area_code="P6", unit="score_0_10",
                polarity="higher_is_better", frequency="monthly", baseline=7, source="t"),
    ]  # fmt: skip
    return R.build_model(
        pd.DataFrame(rows),
        measures,
        [PriorityArea(code="P6", name="Improvement", condition_code="C1", sort_order=6)],
        [Region(code=_LONDON, ods_code="Y56", name="London", short_name="London")],
        [
            ICB(code=_A, ods_code="QMJ", name="North Central London ICB", region_code=_LONDON),
            ICB(code=_B, ods_code="QMF", name="North East London ICB", region_code=_LONDON),
        ],
    )


def test_cells_carry_worse_and_getting_worse() -> None:
    model = _red_red_model()
    a = model.cell("M10", _A)
    assert a.comparison == "worse" and a.red_red and a.getting_worse
    assert a.red_red_reason.startswith("significantly worse than England (47.0% vs 60.0%) and")
    assert "a significant worsening trend over the last 5 months" in a.red_red_reason
    london = model.cell("M10", _LONDON)
    assert london.comparison == "worse" and not london.red_red and not london.getting_worse
    assert london.red_red_reason == ""
    assert not model.cell("M10", _B).red_red
    assert not model.cell("M10", ENGLAND_CODE).red_red  # the comparator
    score = model.cell("M13", _A)
    assert score.red_red and score.variation_icon.startswith("concern")
    assert score.red_red_reason.startswith(
        "significantly worse than England (6.50 vs 7.00) and getting worse: "
    )
    assert "trend over the last" not in score.red_red_reason  # SPC signal alone
    assert R.red_red_cells(model, [_LONDON, _A, _B]).measure_code.tolist() == ["M10", "M13"]


def test_the_matrices_mark_red_red_cells_with_a_symbol_and_words() -> None:
    model = _red_red_model()
    geos = R.geographies(model, _LONDON)
    mm = R.measure_matrix(model, geos)
    tile = mm.tile.loc["North Central London ICB", "M10 Staff trained"]
    assert tile.startswith("!! 47.0%")
    full = mm.text.loc["North Central London ICB", "M10 Staff trained"]
    assert "▼ Worse than England" in full
    assert full.endswith(
        "!! worse than England and getting worse: a point beyond the worse process limit in "
        "Dec 2025 and a significant worsening trend over the last 5 months"
    )
    assert not mm.tile.loc["London", "M10 Staff trained"].startswith("!!")
    am = R.area_matrix(model, geos)
    assert "!!2 worse" in am.tile.loc["North Central London ICB", "P6 Improvement"]
    assert "!! 2 worse than England and getting worse" in am.text.iloc[2, 0]
    assert "!!" not in am.tile.loc["London", "P6 Improvement"]
    summary = R.matrix_summary(model, mm)
    assert "2 results are worse than England and getting worse (!!): " in summary
    assert "North Central London ICB on M10; North Central London ICB on M13" in summary
    only = R.measure_matrix(model, geos, measure_codes=["M13"])
    assert only.column_codes == ["M13"]
    # Many columns: compact tiles carry the mark beside the arrow and letter.
    many = R._measure_cell(model.cell("M10", _A).to_dict(), "percent", compact=True)
    assert many[1].split("<br>")[1].endswith(" !!") and "!! worse than England and" in many[0]


def test_profile_and_summary_table_say_which_are_worse_and_getting_worse() -> None:
    model = _red_red_model()
    profile = R.region_profile(model, _A)
    assert profile.set_index("measure_code").red_red.to_dict() == {"M10": True, "M13": True}
    text = R.profile_summary(model, _A, profile)
    assert "2 measures are worse than England and getting worse (!!): Staff trained (" in text
    table = R.summary_table(model, [_A, _LONDON]).set_index(["measure_code", "geo_code"])
    assert table.loc[("M10", _A), "vs_england"] == ("▼ Worse than England · !! and getting worse")
    assert table.loc[("M10", _LONDON), "vs_england"] == "▼ Worse than England"
    assert table.loc[("M10", _A), "worse_and_getting_worse"] == model.cell("M10", _A).red_red_reason
    assert table.loc[("M10", _LONDON), "worse_and_getting_worse"] == ""
    assert set(table.chart_type) == {"XmR chart"}


def test_the_matrix_filter_keeps_the_red_red_areas_or_says_there_are_none() -> None:
    from nlf_planner.services import regions_view

    model = _red_red_model()
    view = regions_view.matrix_view(model, _LONDON, by_measure=True, red_red_only=True)
    assert view.matrix.geo_codes == [ENGLAND_CODE, _A]
    assert view.matrix.column_codes == ["M10", "M13"]
    assert view.red_red == 2 and view.figure is not None
    assert view.heading.startswith("Where London and its 2 ICSs are worse than England")
    assert view.notice == (
        "Showing the 1 area worse than England and getting worse (!!) on at least one "
        "measure: 2 results in all, with England for reference."
    )
    areas = regions_view.matrix_view(model, _LONDON, red_red_only=True)
    assert areas.matrix.column_codes == ["P6"] and areas.matrix.geo_codes == [ENGLAND_CODE, _A]
    unfiltered = regions_view.matrix_view(model, _LONDON, by_measure=True)
    assert unfiltered.red_red == 2 and unfiltered.notice == ""
    assert len(unfiltered.matrix.geo_codes) == 4
    none = regions_view.matrix_view(model, ENGLAND_CODE, red_red_only=True)
    assert none.figure is None and none.matrix.column_codes == []
    assert none.notice == (
        "No area in the 7 NHS regions is both worse than England and getting worse on the "
        "nine priority areas, so there is nothing to show with this filter."
    )
    assert none.summary == none.notice
