"""Scenario charts: what each figure shows and the text alternative beside it."""

from __future__ import annotations

from nlf_planner.capacity.params import baseline_params
from nlf_planner.capacity.scenarios import (
    baseline_scenario,
    fan_data,
    run_scenario,
    sensitivity,
    waterfall,
)
from nlf_planner.charts import scenarios as charts
from nlf_planner.geography import ENGLAND_CODE


def _results():
    base = run_scenario(baseline_scenario(draws=100))
    more = baseline_scenario(draws=100).params.scale_places(2).model_copy(update={"budget": None})
    other = run_scenario(baseline_scenario(draws=100).model_copy(update={"params": more}))
    return base, other


def test_fan_chart_has_band_median_baseline_and_target():
    base, other = _results()
    fan = fan_data({"Double": other}, "improvement_coverage")
    baseline = fan_data({"Baseline": base}, "improvement_coverage")[["year", "p50"]]
    fig = charts.fan_chart(
        fan, name="improvement_coverage", baseline=baseline, targets={1: 12.0, 3: 16.0, 5: 20.0}
    )
    names = [t.name for t in fig.data]
    assert names == [
        "80% range (P10–P90)",
        "Median (P50)",
        "Baseline median (dashed)",
        "Plan target (diamonds, dotted)",
    ]
    assert fig.data[2].line.dash == "dash"
    assert list(fig.data[3].x) == [1, 3, 5]
    assert "Staff trained in improvement<br>(%)" in fig.layout.title.text
    assert "· Double" in fig.layout.title.text  # one scenario: named once, in the subtitle
    text = charts.fan_summary(fan, "improvement_coverage", 0, baseline, {5: 20.0})
    assert "10.0% now" in text and "year 5 20.0%" in text


def test_cost_fans_start_in_year_one_and_are_in_millions():
    base, _ = _results()
    fan = fan_data({"Baseline": base}, "cost_total")
    fig = charts.fan_chart(fan, name="cost_total")
    assert min(fig.data[1].x) == 1
    assert max(fig.data[1].y) < 100  # £ millions, not pounds
    assert "in year 1" in charts.fan_summary(fan, "cost_total")


def test_tornado_puts_the_biggest_swing_on_top_and_says_so():
    sens = sensitivity(baseline_params(), "vacancy_rate", 5, ENGLAND_CODE, 4)
    fig = charts.tornado_chart(sens, name="vacancy_rate", level=4, horizon=5)
    assert fig.data[0].y[-1] == "Attrition: executives (board)"  # plotly draws bottom-up
    assert "low 15%" in fig.data[0].text[-1]
    assert "Attrition: executives (board)" in charts.tornado_summary(sens, "vacancy_rate", 4, 5)


def test_waterfall_explains_places_held_back_by_the_budget():
    base = baseline_params()
    w = waterfall(
        base, base.scale_places(1.5).model_copy(update={"budget": None}), "developed_share", 5
    )
    fig = charts.waterfall_chart(w, name="developed_share", level=0, horizon=5)
    assert list(fig.data[0].x)[0] == "Baseline" and list(fig.data[0].x)[-1] == "Scenario"
    text = charts.waterfall_summary(w, "developed_share", 0, 5)
    assert "Budget +" in text and "pts" in text
    assert "baseline budget cannot pay" in text


def test_three_compared_scenarios_stay_apart_by_more_than_colour():
    """Issue 18: three scenarios' bands merged into one. Compared scenarios now show their
    80% ranges as bars side by side at each year (never at the same x), and each median has
    its own colour, line style, marker and letter (drawn at the line's end and in the
    legend), so they can be told apart without colour."""
    base, other = _results()
    half = run_scenario(
        baseline_scenario(draws=100).model_copy(
            update={"params": baseline_scenario().params.scale_places(0.5)}
        )
    )
    results = {"Baseline": base, "Double <b>places</b>": other, "Half": half}
    fig = charts.fan_chart(fan_data(results, "improvement_coverage"), name="improvement_coverage")
    ranges = [t for t in fig.data if t.error_y is not None and t.error_y.array is not None]
    medians = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(ranges) == 3 and len(medians) == 3
    xs = [tuple(t.x) for t in ranges]
    for a, b in zip(xs, xs[1:], strict=False):
        assert all(x1 < x2 for x1, x2 in zip(a, b, strict=True))  # side by side, every year
    assert len({t.line.dash for t in medians}) == 3
    assert len({t.marker.symbol for t in medians}) == 3
    assert [t.name[0] for t in medians] == ["A", "B", "C"]
    assert sorted(a.text for a in fig.layout.annotations) == ["<b>A</b>", "<b>B</b>", "<b>C</b>"]
    # A scenario's name is people's text (also from imported files): shown, never markup.
    assert "Double &lt;b&gt;places&lt;/b&gt;" in medians[1].name
    assert not any("<b>places" in (t.name or "") for t in fig.data)
    assert "range" in charts.fan_alt("improvement_coverage")


def test_one_scenario_keeps_its_band():
    base, _ = _results()
    fig = charts.fan_chart(
        fan_data({"Baseline": base}, "vacancy_rate", level=4), name="vacancy_rate", level=4
    )
    assert fig.data[0].fill == "toself" and not fig.layout.annotations


def test_a_long_fan_title_is_wrapped_to_fit_a_half_width_chart():
    base, _ = _results()
    fan = fan_data({"Baseline": base}, "successor_ready")
    title = charts.fan_chart(fan, name="successor_ready").layout.title.text
    lines = title.split("<sup>")[0].split("<br>")
    assert len(lines) >= 2 and all(len(line) <= 34 for line in lines)
