"""The regions view service on the real generated data: one model feeds the matrix,
readings, summary tables, benchmarks, funnel and profiles, so they agree with each other and
with the engine; each view's result carries what the page draws."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner import plan as P
from nlf_planner import regions as R
from nlf_planner.compare import Comparison, wilson_interval
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services import regions_view
from nlf_planner.services.actor import local_actor
from nlf_planner.services.database import open_store
from nlf_planner.services.measurements import all_series
from nlf_planner.spc import VARIATION_LETTER, SPCOptions, VariationIcon, spc, suggest_rebase
from nlf_planner.store.plans import load_plan
from nlf_planner.units import format_value

LONDON = "E40000003"


@pytest.fixture(scope="module")
def model(seeded_db_path):
    db = open_store(seeded_db_path)
    try:
        built = regions_view.build_regions_model(db, load_plan(db))
    finally:
        db.close()
    assert built.options == SPCOptions(7)  # the installation's default run length
    return built


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
    # The funnel allows for overdispersion, so it flags fewer ICSs than the bars; each one it
    # does flag, the 99.8% bars read the same way.
    icb_table, _, _ = R.benchmark(model, "M10", [i.code for i in model.icbs], level=0.998)
    by = icb_table.set_index("geo_code").comparison
    flagged = pts[pts.comparison != Comparison.SIMILAR]
    assert len(flagged) < (by != Comparison.SIMILAR).sum()
    for code, comparison in zip(flagged.geo_code, flagged.comparison, strict=True):
        assert by[code] == comparison
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
    db = open_store(seeded_db_path)
    try:
        series = all_series(db, ["M08"])
        kw = dict(
            measures=reference_service.measures(db),
            areas=reference_service.priority_areas(db),
            regions=reference_service.regions(db),
            icbs=reference_service.icbs(db),
        )
    finally:
        db.close()
    when = sorted(series.period.unique())[60]
    plain = R.build_model(series, **kw)
    rebased = R.build_model(series, **kw, rebases={("M08", LONDON): [when]})
    assert plain.result("M08", LONDON).rebase_periods == ()
    assert rebased.result("M08", LONDON).rebase_periods == (when,)
    assert "recalculated" in R.reading(rebased, "M08", LONDON)


def test_targets_follow_the_plan_modules_fallback(model):
    plan = model.plan
    for (m, g), targets in list(model.plan_targets.items())[::37]:
        region = model.region_of(g)
        assert targets == P.geography_targets(
            plan,
            m,
            g,
            [region] if region else [],
            baseline=model.baselines[(m, g)],
            polarity=model.measures[m].polarity,
        )


def test_plan_progress_text_explains_the_share(model):
    cells = model.cells
    with_share = cells.dropna(subset=["progress_share"]).iloc[0]
    text = R.plan_progress_text(with_share, model.measures[with_share.measure_code].unit)
    assert text.startswith("Plan: **") and "of the way from" in text
    met = cells[cells.plan_status.notna() & cells.progress_share.isna()]
    assert not met.empty, "some areas start past England's year-1 target"
    for _, row in met.iterrows():
        text = R.plan_progress_text(row, model.measures[row.measure_code].unit)
        assert ("holds its baseline level" if row.target_held else "already met") in text
    pending = cells[cells.plan_status.isna() & cells.target.notna()].iloc[0]
    assert "no point on the trajectory" in R.plan_progress_text(pending, "percent")
    no_plan = pending.copy()
    no_plan[["plan_status", "plan_note", "target", "target_horizon"]] = None
    assert R.plan_progress_text(no_plan, "percent") == ""


# --------------------------------------------------------------------------- per-view results


@pytest.fixture(scope="module")
def seeded(seeded_db_path):
    db = open_store(seeded_db_path)
    yield db
    db.close()


def test_choices_follow_the_sidebar_region(model):
    everywhere = regions_view.geography_choices(model, ENGLAND_CODE)
    assert list(everywhere)[:1] == [ENGLAND_CODE] and len(everywhere) == 1 + 7 + 42
    london = regions_view.geography_choices(model, LONDON)
    assert len(london) == 1 + 7 + 5 and london[model.icbs_in(LONDON)[0].code].endswith("(ICS)")
    assert ENGLAND_CODE not in regions_view.profile_choices(model, LONDON)
    assert len(regions_view.profile_choices(model, LONDON)) == 7 + 5
    assert regions_view.measure_choices(model)["M10"].startswith(
        "P6 · M10 Staff trained in improvement"
    )
    assert list(regions_view.area_choices(model))[:2] == ["", "P1"]


def test_matrix_view_carries_the_heading_figure_text_and_cell_pickers(model):
    view = regions_view.matrix_view(model, ENGLAND_CODE)
    assert view.heading == "How the 7 NHS regions compare on the nine priority areas"
    assert len(view.figure.data[1].text) == 8 * 9
    assert list(view.geo_options) == R.geographies(model, ENGLAND_CODE)
    assert list(view.column_options) == [a.code for a in model.areas]
    assert view.summary == R.matrix_summary(model, view.matrix)
    assert list(view.csv.columns[:2]) == ["geography", "geo_code"] and len(view.csv) == 8
    by_area = regions_view.matrix_view(model, LONDON, by_measure=True, area="P6")
    assert by_area.heading.startswith("How London and its 5 ICSs compare on the measures of P6")
    assert by_area.matrix.column_codes == ["M10", "M11"]
    every = regions_view.matrix_view(model, LONDON, by_measure=True)
    assert every.heading.endswith("every measure") and len(every.column_options) == 17


def test_a_clicked_tile_opens_its_measure(model):
    matrix = regions_view.matrix_view(model, ENGLAND_CODE).matrix
    assert regions_view.cell_at(matrix, 2 * 9 + 5) == (LONDON, "P6")  # row by row
    assert regions_view.cell_at(matrix, 8 * 9) is None
    assert regions_view.cell_at(matrix, -1) is None
    assert regions_view.drill_target(model, "P6", "area") == "M10"  # the headline measure
    assert regions_view.drill_target(model, "M11", "measure") == "M11"


def test_measure_view_has_the_chart_its_data_reading_and_notes(seeded, model):
    view = regions_view.measure_view(seeded, model, "M10", LONDON)
    assert view.has_data and view.geo_name == "London"
    # The title wraps to fit a 1024-pixel screen: read it as one line.
    title = view.figure.layout.title.text.replace("<br>", " ")
    assert title.startswith(f"{model.measure('M10').name} — London ")
    names = [d.name for d in view.figure.data]
    assert "Mean" in names and "Plan trajectory" in names and view.has_plan_line
    assert "plan" in view.data and len(view.data) == view.result.n
    assert view.reading == R.reading(model, "M10", LONDON)
    assert [m.label for m in view.metrics] == [
        "Latest",
        "Target",
        "Mean",
        "Lower limit",
        "Upper limit",
    ]
    cell = model.cell("M10", LONDON)
    assert view.metrics[0].value == format_value(cell.value, "percent")
    assert view.variation == R.variation_badge(cell.variation_icon)
    assert "Against England" in view.context and "Plan: **" in view.context
    assert view.area_table.measure_code.tolist() == ["M10", "M11"]
    assert view.notes.empty and view.rebases.empty
    assert view.suggested_rebase == suggest_rebase(view.result)


def test_the_measure_views_csv_carries_each_points_rule_flags_and_why(seeded, model):
    view = regions_view.measure_view(seeded, model, "M10", LONDON)
    data, res = view.data, view.result
    flagged = data[data.beyond_limit | data.trend | data.two_of_three | data["shift"]]
    assert len(flagged) == int((res.flags != 0).sum()) > 0
    assert flagged.special_cause_since.notna().all()
    assert (flagged.special_cause_since <= flagged.period).all()
    assert flagged.why.str.startswith("Special cause").all()
    common = data[res.flags == 0]
    assert common.special_cause_since.isna().all()
    assert (common.why == "Common cause variation").all()


def test_measure_view_without_data_says_so(seeded, model):
    view = regions_view.measure_view(seeded, model, "M10", "E99999999")
    assert not view.has_data and view.figure is None


def test_benchmark_view_bars_funnel_and_level(model):
    view = regions_view.benchmark_view(model, "M10", ENGLAND_CODE)
    assert len(view.bars.data) == 7 and "against England" in view.bars.figure.layout.title.text
    assert len(view.funnel.data) == 42 and "42 ICSs" in view.funnel.figure.layout.title.text
    assert "additive random effects (φ = " in view.funnel.figure.layout.title.text
    assert {"value", "denominator", "z", "lower998", "upper998", "comparison", "phi", "tau"} <= set(
        view.funnel.data.columns
    )
    assert view.funnel_note == ""
    scaled = regions_view.benchmark_view(model, "M10", ENGLAND_CODE, "95%", "Multiplicative")
    assert "multiplicative (φ = " in scaled.funnel.figure.layout.title.text
    assert (scaled.funnel.data.adjustment == "multiplicative").all()
    strict = regions_view.benchmark_view(model, "M10", ENGLAND_CODE, "99.8%")
    similar = lambda v: int((v.bars.data.comparison == Comparison.SIMILAR).sum())  # noqa: E731
    assert similar(strict) >= similar(view)
    scores = regions_view.benchmark_view(model, "M13", LONDON)
    assert len(scores.bars.data) == 1 + 5 and scores.funnel is None  # London and its ICSs
    assert "not a proportion" in scores.funnel_note


def test_profile_view_for_a_region(model):
    view = regions_view.profile_view(model, LONDON)
    assert view.chart.figure.layout.title.text.startswith("London profile")
    assert not any(c.startswith("pos_") for c in view.chart.data)
    assert view.chart.summary.startswith("London across 17 measures")
    assert len(view.table) == 17


def test_a_rebase_saved_through_the_service_reaches_the_measure_view(fresh_seeded_db):
    plan = load_plan(fresh_seeded_db)
    series = all_series(fresh_seeded_db, ["M08"])
    before = regions_view.model_key(fresh_seeded_db, plan)
    when = date(2021, 4, 1)
    annotation_service.add_rebase(
        fresh_seeded_db,
        local_actor("Ada"),
        measure_code="M08",
        geo_code=LONDON,
        period=when,
        reason="New recruitment standard",
    )
    assert regions_view.model_key(fresh_seeded_db, plan) != before
    model = regions_view.build_regions_model(fresh_seeded_db, plan, series)
    view = regions_view.measure_view(fresh_seeded_db, model, "M08", LONDON)
    assert view.result.rebase_periods == (when,)
    assert view.rebases.reason.tolist() == ["New recruitment standard"]
    assert "recalculated" in view.reading
    texts = [a.text or "" for a in view.figure.layout.annotations]
    assert any(t.startswith("Rebased Apr 2021") for t in texts)


# --- the vectorised matrices give exactly the cell-by-cell results -----------------------------
# The reference below is the per-cell computation the matrices used before they were
# vectorised (issue 12), kept here only to prove the new one says the same, cell for cell.


def _reference_measure_cell(row, unit: str, compact: bool = False) -> tuple[str, str]:
    parts = [format_value(row.value, unit)]
    tile = [format_value(row.value, unit)]
    if row.geo_code != ENGLAND_CODE and isinstance(row.comparison, str):
        parts.append(R.comparison_text(row.comparison))
        tile.append(R.COMPARISON_SHORT[Comparison(row.comparison)])
    parts.append(R.variation_short(row.variation_icon))
    if isinstance(row.get("assurance_icon"), str):
        parts.append(
            "assurance " + R.assurance_badge(row.assurance_icon, row.get("assurance_reason"))
        )
    if isinstance(row.variation_icon, str):
        v = VariationIcon(row.variation_icon)
        tile.append(
            f"SPC {VARIATION_LETTER[v]} {R.VARIATION_WORD[row.variation_icon.split('_')[0]]}"
        )
    if pd.notna(row.get("progress_share")):
        parts.append(f"{row.progress_share * 100:.0f}% of the way to target")
    if isinstance(row.get("plan_status"), str):
        parts.append(row.plan_status)
        word = "on plan" if row.plan_status == "on trajectory" else "off plan"
        if pd.notna(row.get("progress_share")):
            word = f"{row.progress_share * 100:.0f}% of way · {word}"
        tile.append(word)
    elif isinstance(row.get("plan_note"), str):
        parts.append("no trajectory point yet (the latest value is the plan's baseline)")
        tile.append("plan baseline")
    if compact:
        arrow = (
            R.COMPARISON_EMOJI[Comparison(row.comparison)]
            if isinstance(row.comparison, str)
            else ""
        )
        letter = (
            VARIATION_LETTER[VariationIcon(row.variation_icon)]
            if isinstance(row.variation_icon, str)
            else ""
        )
        tile = [format_value(row.value, unit).replace(" years", "y"), f"{arrow} {letter}".strip()]
    if bool(row.get("red_red", False)):
        if compact:
            tile[1] = f"{tile[1]} !!".strip()
        else:
            tile[0] = f"!! {tile[0]}"
        parts.append(f"!! worse than England and getting worse: {row.getting_worse_reason}")
    return " · ".join(parts), "<br>".join(tile)


def _reference_area_cell(rows) -> tuple[str, str, str]:
    if rows.empty:
        return "No data", "No data", "none"
    comp = rows.comparison.fillna("")
    better = int(comp.isin([Comparison.BETTER, Comparison.HIGHER]).sum())
    worse = int(comp.isin([Comparison.WORSE, Comparison.LOWER]).sum())
    similar = int((comp == Comparison.SIMILAR).sum())
    not_compared = int((comp == Comparison.NOT_COMPARED).sum())
    is_england = rows.geo_code.iloc[0] == ENGLAND_CODE
    parts, tile = [], []
    if not is_england:
        bits = [f"{better} better", f"{similar} similar", f"{worse} worse"]
        if not_compared:
            bits.append(f"{not_compared} not compared")
        parts.append(", ".join(bits))
        tile.append(
            f"▲{better} ●{similar} ▼{worse}" + (f" ○{not_compared}" if not_compared else "")
        )
    status = rows.get("plan_status", pd.Series(dtype=object))
    on = int((status == "on trajectory").sum())
    off = int((status == "off trajectory").sum())
    if on or off:
        parts.append(f"{on} on, {off} off trajectory")
        tile.append(f"{on} of {on + off} on plan")
    parts.append(R.variation_counts(rows.variation_icon))
    red_red = int(rows.red_red.sum())
    if red_red:
        parts.append(f"!! {red_red} worse than England and getting worse")
        tile.append(f"!!{red_red} worse")
    if is_england:
        tone = "england"
    elif worse and not better:
        tone = "worse"
    elif better and not worse:
        tone = "better"
    elif better and worse:
        tone = "mixed"
    else:
        tone = "similar"
    return " · ".join(parts), "<br>".join(tile) or "England", tone


def _reference_frames(model, geo_codes, columns, cell_fn):
    text, tile, tone = {}, {}, {}
    for code, label in columns:
        cols = [cell_fn(code, g) for g in geo_codes]
        text[label] = [c[0] for c in cols]
        tile[label] = [c[1] for c in cols]
        tone[label] = [c[2] for c in cols]
    index = [model.names.get(g, g) for g in geo_codes]
    return (
        pd.DataFrame(text, index=index),
        pd.DataFrame(tile, index=index),
        pd.DataFrame(tone, index=index),
    )


def _reference_area_matrix(model, geo_codes):
    cells = model.cells
    by = {k: g for k, g in cells.groupby(["area_code", "geo_code"])}
    empty = cells.iloc[0:0]
    columns = [(a.code, f"{a.code} {a.name}") for a in model.areas]
    return _reference_frames(
        model, geo_codes, columns, lambda code, g: _reference_area_cell(by.get((code, g), empty))
    )


def _reference_measure_matrix(model, geo_codes, area_code):
    ms = model.measures_in(area_code) if area_code else list(model.measures.values())
    cells = model.cells.set_index(["measure_code", "geo_code"])

    def cell(code, g):
        if (code, g) not in cells.index:
            return "No data", "No data", "none"
        row = cells.loc[(code, g)].copy()
        row["geo_code"] = g
        full, tile = _reference_measure_cell(row, model.measures[code].unit, len(ms) > 9)
        return full, tile, R.measure_tone(row.comparison, row.variation_icon, g)

    return _reference_frames(model, geo_codes, [(m.code, f"{m.code} {m.name}") for m in ms], cell)


def _scopes(model):
    return [None, *[r.code for r in model.regions]]


def _assert_same(matrix, reference) -> None:
    for got, want in zip((matrix.text, matrix.tile, matrix.tone), reference, strict=True):
        pd.testing.assert_frame_equal(got, want)


def test_the_area_matrix_is_the_cell_by_cell_result_for_every_scope(model):
    for scope in _scopes(model):
        geos = R.geographies(model, scope)
        _assert_same(R.area_matrix(model, geos), _reference_area_matrix(model, geos))


def test_the_measure_matrix_is_the_cell_by_cell_result_for_every_scope_and_area(model):
    for scope in _scopes(model):
        geos = R.geographies(model, scope)
        for area in [None, *[a.code for a in model.areas]]:
            _assert_same(
                R.measure_matrix(model, geos, area), _reference_measure_matrix(model, geos, area)
            )


def test_the_matrices_say_no_data_where_a_geography_has_none(model):
    """A geography with no rows (an unknown code) gets "No data" tiles in both matrices,
    as the cell-by-cell version gave."""
    geos = [ENGLAND_CODE, "E40009999"]
    _assert_same(R.area_matrix(model, geos), _reference_area_matrix(model, geos))
    _assert_same(R.measure_matrix(model, geos, "P6"), _reference_measure_matrix(model, geos, "P6"))
    assert R.area_matrix(model, geos).tone.iloc[1].eq("none").all()


def test_a_model_without_a_plan_gives_the_same_matrices(seeded_db_path):
    """No plan: no trajectory counts, and still the cell-by-cell words."""
    db = open_store(seeded_db_path)
    try:
        bare = regions_view.build_regions_model(db, None)
    finally:
        db.close()
    geos = R.geographies(bare, LONDON)
    _assert_same(R.area_matrix(bare, geos), _reference_area_matrix(bare, geos))
    _assert_same(R.measure_matrix(bare, geos, None), _reference_measure_matrix(bare, geos, None))
