"""Worse and getting worse in the deck: a measure with an area in the deck's scope that is
significantly worse than England and getting worse is an exception, its slide lists those
areas with the reason, and the summary counts them. Hand-made data: North Central London's
engaged staff falls 10, 9, 8, 7, 6% over its last five months (1,000 a month; by hand
χ² = 100² / (0.08 × 0.92 × 10,000) = 13.6, p = 0.0002) against England's steady 10%."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from nlf_planner.deck import DeckInputs, exception_measures
from nlf_planner.deck.exceptions import exception_slides
from nlf_planner.deck.icons import EXCEPTION_RULE, exception_reasons, red_red_areas
from nlf_planner.deck.summary_matrix import summary_slides
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.periods import add_months
from nlf_planner.regions import build_model
from nlf_planner.regions import summary_table as regions_summary
from tests.unit.deck.inputs import AREAS, CONDITIONS, ICB_LIST, ICBS, LONDON, MEASURES, REGIONS

NCL = ICBS[0]
START = date(2024, 1, 1)


def _series() -> pd.DataFrame:
    wobble = [10.5 if i % 2 else 9.5 for i in range(28)]
    falling = [10.5 if i % 2 else 9.5 for i in range(23)] + [10.0, 9.0, 8.0, 7.0, 6.0]
    rows = []
    for geo, level, values, den in (
        (ENGLAND_CODE, "england", [10.0] * 28, 20000),
        (LONDON, "region", wobble, 2000),
        (NCL, "icb", falling, 1000),
        (ICBS[1], "icb", wobble, 1000),
    ):
        for i, v in enumerate(values):
            rows.append(
                {
                    "measure_code": "M10", "geo_code": geo, "geo_level": level,
                    "period": add_months(START, i), "numerator": v * den / 100,
                    "denominator": float(den), "value": v, "ci_low": None, "ci_high": None,
                    "illustrative": True,
                }
            )  # fmt: skip
    return pd.DataFrame(rows)


def _inputs(geo: str, chart_types: dict[str, str] | None = None) -> DeckInputs:
    return DeckInputs(
        model=build_model(_series(), MEASURES, AREAS, REGIONS, ICB_LIST, chart_types=chart_types),
        geo=geo,
        plan=None,
        conditions=CONDITIONS,
        today=date(2026, 11, 15),
        as_of=date(2026, 4, 1),
        illustrative=True,
        generated_at=datetime(2026, 11, 15, 9, 30),
    )


def test_an_ics_worse_and_getting_worse_makes_the_regions_deck_exception() -> None:
    data = _inputs(LONDON)
    model = data.model
    assert model.cell("M10", NCL).red_red
    assert not model.cell("M10", LONDON).red_red  # similar to England and steady
    areas = red_red_areas(model, "M10", LONDON)
    assert areas.name.tolist() == ["North Central London ICB"]
    reasons = exception_reasons(model, "M10", LONDON)
    assert reasons[-1] == "1 area is worse than England and getting worse"
    assert [m.code for m in exception_measures(model, LONDON)] == ["M10"]
    [slide] = exception_slides(data)
    assert slide.key == "exception-M10"
    assert (
        slide.bullets[0]
        == "Why this is an exception: 1 area is worse than England and getting worse."
    )
    listed = slide.bullets[1]
    assert listed.startswith("!! North Central London ICB (6.0%), against England's 10.0%: ")
    assert listed.endswith("a significant worsening trend over the last 5 months.")
    reason = model.cell("M10", NCL).red_red_reason
    assert reason.startswith("significantly worse than England (6.0% vs 10.0%) and getting worse: ")
    assert f"!! North Central London ICB: {reason}." in slide.notes
    assert slide.tables[0].data.loc[0, "Limits from"] == "XmR chart"
    assert "worse than England and getting worse" in EXCEPTION_RULE


def test_the_england_deck_covers_the_regions_only() -> None:
    data = _inputs(ENGLAND_CODE)
    assert red_red_areas(data.model, "M10", ENGLAND_CODE).empty  # London is not red-red
    assert exception_measures(data.model, ENGLAND_CODE) == []
    assert not any("getting worse" in b for b in summary_slides(data)[0].bullets)


def test_the_summary_counts_them() -> None:
    [slide] = summary_slides(_inputs(LONDON))
    assert slide.bullets[-1] == (
        "Worse than England and getting worse (!!), across London and its ICSs: 1 result on "
        "1 measure (M10 in 1 area); each such measure is an exception."
    )


def test_limits_say_which_chart_they_came_from() -> None:
    """XmR limits stay as they were; a measure on a Laney p′-chart says so in the summary
    matrix's limits and in the exception slide's facts."""
    [xmr] = summary_slides(_inputs(LONDON))
    assert xmr.tables[0].data.iloc[1]["Limits"].endswith("%")  # M10, no chart named
    data = _inputs(LONDON, chart_types={"M10": "pp"})
    assert data.model.result("M10", LONDON).chart_type == "pp"
    [slide] = summary_slides(data)
    assert slide.tables[0].data.iloc[1]["Limits"].endswith(" (Laney p′-chart)")
    assert "limits are from an XmR chart unless the table names" in slide.narrative
    [exception] = exception_slides(data)
    assert exception.tables[0].data.loc[0, "Limits from"] == "Laney p′-chart"
    table = regions_summary(data.model, [LONDON]).set_index("measure_code")
    assert table.loc["M10", "chart_type"] == "Laney p′-chart"
