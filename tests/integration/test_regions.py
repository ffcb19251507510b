"""Regions domain on the real generated data: one model feeds the matrix, readings, summary
tables, benchmarks, funnel and profiles, so they agree with each other and with the engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlf_planner import regions as R
from nlf_planner.compare import Comparison, wilson_interval
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.spc import SPCOptions, spc
from nlf_planner.store import open_database
from nlf_planner.store import reference as ref
from nlf_planner.store.measurements import all_series
from nlf_planner.store.plans import load_plan
from nlf_planner.units import format_value

LONDON = "E40000003"


@pytest.fixture(scope="module")
def model(seeded_db_path):
    db = open_database(seeded_db_path)
    try:
        return R.build_model(
            all_series(db),
            ref.measures(db),
            ref.priority_areas(db),
            ref.regions(db),
            ref.icbs(db),
            plan=load_plan(db),
            options=SPCOptions(7),
        )
    finally:
        db.close()


def test_every_series_has_one_result_and_one_cell(model):
    keys = set(model.series.groupby(["measure_code", "geo_code"]).size().index)
    assert set(model.results) == keys
    assert len(model.cells) == len(keys)
    assert len(keys) == len(model.measures) * 50  # 42 ICBs + 7 regions + England


def test_cells_agree_with_the_engine_and_the_statistics(model):
    s = model.series[(model.series.measure_code == "M10") & (model.series.geo_code == LONDON)]
    res = spc(
        s.period,
        s.value,
        polarity="higher_is_better",
        options=SPCOptions(7),
        target=model.result("M10", LONDON).target,
    )
    cell = model.cell("M10", LONDON)
    assert cell.variation_icon == res.variation_icon
    assert cell.upper_limit == pytest.approx(res.upl[-1])
    last = s.iloc[-1]
    lo, hi = wilson_interval(last.numerator, last.denominator)
    eng = model.cell("M10", ENGLAND_CODE).value
    expected = (
        Comparison.BETTER
        if lo * 100 > eng
        else Comparison.WORSE
        if hi * 100 < eng
        else Comparison.SIMILAR
    )
    assert cell.comparison == expected


def test_scores_are_compared_through_their_published_interval(model):
    cell = model.cell("M13", LONDON)
    assert cell.ci95_low == pytest.approx(cell.ci_low)
    assert cell.comparison in {c.value for c in Comparison}


def test_area_matrix_counts_match_the_cells(model):
    geos = R.geographies(model, None)
    assert geos[0] == ENGLAND_CODE and len(geos) == 8
    m = R.area_matrix(model, geos)
    assert m.text.shape == (8, 9)
    row = geos.index(LONDON)
    p8 = model.cells[(model.cells.area_code == "P8") & (model.cells.geo_code == LONDON)]
    n_better = int((p8.comparison == Comparison.BETTER).sum())
    assert m.text.iloc[row, 7].startswith(f"{n_better} better")
    assert m.tone.iloc[0, 0] == "england"
    assert set(m.tone.values.ravel()) <= {"better", "worse", "mixed", "similar", "england"}


def test_ics_matrix_for_one_region(model):
    geos = R.geographies(model, LONDON)
    assert geos[:2] == [ENGLAND_CODE, LONDON]
    assert len(geos) == 2 + len(model.icbs_in(LONDON)) == 7
    mm = R.measure_matrix(model, geos, "P6")
    assert list(mm.column_codes) == ["M10", "M11"]
    assert "%" in mm.text.iloc[2, 0]
    assert len(R.matrix_summary(model, mm)) > 40


def test_progress_against_plan_is_the_share_of_the_way_to_the_next_target(model):
    cells = model.cells.dropna(subset=["progress_share"])
    assert not cells.empty, "the seeded plan sets targets"
    r = cells.iloc[0]
    assert r.progress_share == pytest.approx(
        (r.value - r.plan_baseline) / (r.target - r.plan_baseline)
    )
    assert set(cells.plan_status.dropna()) <= {"on trajectory", "off trajectory"}
    # a share is only given where the target asks for improvement on the baseline
    sign = np.where(
        cells.measure_code.map(lambda c: model.measures[c].polarity) == "lower_is_better", -1, 1
    )
    assert (sign * (cells.target - cells.plan_baseline) > 0).all()
    line = R.plan_line(model, r.measure_code, r.geo_code)
    assert line is not None and line.plan.notna().all()


def test_reading_names_the_signal_and_the_limits(model):
    text = R.reading(model, "M10", LONDON)
    assert "in London" in text
    res = model.result("M10", LONDON)
    assert format_value(res.latest("upl"), "percent") in text
    assert format_value(res.latest_value, "percent") in text


def test_summary_table_has_the_mdc_columns(model):
    t = R.summary_table(model, [LONDON])
    assert len(t) == len(model.measures)
    for col in (
        "latest",
        "target",
        "mean",
        "lower_limit",
        "upper_limit",
        "variation",
        "assurance",
        "reading",
    ):
        assert col in t
    assert t.variation.str.contains(r"^\[[CHL]\] ", regex=True).all()


def test_benchmark_and_funnel_agree(model):
    table, england, period = R.benchmark(model, "M10", R.geographies(model, None))
    assert len(table) == 7 and england is not None
    assert list(table.value) == sorted(table.value, reverse=True)
    f = R.funnel(model, "M10")
    pts = f["points"]
    assert len(pts) == 42
    assert f["england"] == pytest.approx(england)
    outside = pts.position != "within 95% limits"
    icb_table, _, _ = R.benchmark(model, "M10", [i.code for i in model.icbs])
    by = icb_table.set_index("geo_code").comparison
    for code, out in zip(pts.geo_code, outside, strict=True):
        if by[code] != Comparison.NOT_COMPARED:
            assert out == (by[code] != Comparison.SIMILAR)
    assert R.funnel(model, "M13") is None
    assert "not a proportion" in R.funnel_summary(model, "M13", None)


def test_region_profile_positions_put_england_in_the_middle_and_better_right(model):
    p = R.region_profile(model, LONDON)
    assert len(p) == len(model.measures)
    assert (p.pos_worst <= p.pos_best + 1e-9).all()
    assert p.pos_value.between(-1e-9, 1 + 1e-9).all()
    m08 = p.set_index("measure_code").loc["M08"]  # lower is better
    assert m08.worst >= m08.best
    eng_pos = 0.5 + 0.5 * (m08.england - m08.england)
    assert eng_pos == 0.5
    assert "London across" in R.profile_summary(model, LONDON, p)


def test_rebases_flow_into_the_results(seeded_db_path):
    db = open_database(seeded_db_path)
    try:
        series = all_series(db, ["M08"])
        kw = dict(
            measures=ref.measures(db),
            areas=ref.priority_areas(db),
            regions=ref.regions(db),
            icbs=ref.icbs(db),
        )
    finally:
        db.close()
    when = sorted(series.period.unique())[60]
    plain = R.build_model(series, **kw)
    rebased = R.build_model(series, **kw, rebases={("M08", LONDON): [when]})
    assert plain.result("M08", LONDON).rebase_periods == ()
    assert rebased.result("M08", LONDON).rebase_periods == (when,)
    assert "recalculated" in R.reading(rebased, "M08", LONDON)


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


def test_targets_follow_the_plan_modules_fallback(model):
    plan = model.plan
    for (m, g), targets in list(model.plan_targets.items())[::37]:
        region = model.region_of(g)
        assert targets == plan.targets_for(m, g, [region] if region else [])


def test_plan_progress_text_explains_the_share(model):
    cells = model.cells
    with_share = cells.dropna(subset=["progress_share"]).iloc[0]
    text = R.plan_progress_text(with_share, model.measures[with_share.measure_code].unit)
    assert text.startswith("Plan: **") and "of the way from" in text
    met = cells[cells.plan_status.notna() & cells.progress_share.isna()]
    if not met.empty:
        row = met.iloc[0]
        assert "already met" in R.plan_progress_text(row, model.measures[row.measure_code].unit)
    no_plan = cells[cells.plan_status.isna()].iloc[0]
    assert R.plan_progress_text(no_plan, "percent") == ""
