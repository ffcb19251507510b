"""Plan rules: each validation rule fails where it should, trajectories, roll-up and diff."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlf_planner import plan as P
from nlf_planner.store.reference import load_content_records

CONTENT = load_content_records()
MEASURES = {m.code: m for m in CONTENT["measures"]}
AREAS = CONTENT["priority_areas"]
AREA_CODES = [a.code for a in AREAS]
CONDITIONS = CONTENT["conditions"]
LONDON = "E40000003"
GEO = {P.ENGLAND_CODE: "England", LONDON: "London"}
TODAY = date(2026, 11, 30)


def trow(code: str, y1, y3, y5, geo: str = P.ENGLAND_CODE) -> dict:
    return {"measure_code": code, "geo_code": geo, "y1": y1, "y3": y3, "y5": y5}


def targets_df(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def ms_row(**kw) -> dict:
    base = {
        "item_id": "MS-1",
        "priority_area": "P1",
        "title": "Regional system leadership offer live",
        "description": "",
        "horizon": 1,
        "due_date": date(2026, 12, 31),
        "owner": "NHS Leadership Academy",
        "status": "On track",
        "last_updated": date(2026, 11, 1),
        "measure_code": "M01",
    }
    base.update(kw)
    return base


def vt(*rows: dict):
    return P.validate_targets(targets_df(*rows), MEASURES, GEO)


def vm(*rows: dict, base_year: int = 2026):
    return P.validate_milestones(pd.DataFrame(list(rows)), base_year, AREA_CODES, MEASURES, TODAY)


def errors(issues):
    return [i for i in issues if i.severity == "error"]


# ----------------------------------------------------------------- target validation


def test_valid_targets_become_records():
    recs, issues = vt(trow("M01", 40, 60, 80), trow("M08", 7.5, 6, 5))
    assert errors(issues) == []
    assert {(t.measure_code, t.horizon): t.target for t in recs}[("M08", 5)] == 5


def test_percent_outside_0_100_names_row_and_column():
    _, issues = vt(trow("M01", 40, 60, 80), trow("M03", 40, 60, 120))
    (issue,) = errors(issues)
    assert issue.row == 2 and issue.column == "Year 5 target"
    assert "0–100" in issue.message and "M03" in str(issue)


def test_negative_percent_is_refused():
    _, issues = vt(trow("M01", -1, 60, 80))
    assert [(i.row, i.column) for i in errors(issues)] == [(1, "Year 1 target")]


def test_score_outside_0_10_is_refused():
    _, issues = vt(trow("M04", 7.3, 7.5, 11))
    (issue,) = errors(issues)
    assert issue.column == "Year 5 target" and "0–10" in issue.message


def test_score_inside_range_passes():
    _, issues = vt(trow("M04", 7.3, 7.5, 10))
    assert errors(issues) == []


def test_years_may_not_be_negative():
    _, issues = vt(trow("M09", -0.5, 3.5, 4))
    assert errors(issues)[0].column == "Year 1 target"


def test_higher_is_better_year1_past_year3_is_refused():
    _, issues = vt(trow("M01", 70, 60, 80))
    (issue,) = errors(issues)
    assert issue.column == "Year 1 target"
    assert "past the year-3" in issue.message and "higher" in issue.message


def test_lower_is_better_year1_below_year3_is_refused():
    # M08 vacancy rate: lower is better, so year 1 of 5% before year 3 of 6% goes backwards.
    _, issues = vt(trow("M08", 5, 6, 4))
    (issue,) = errors(issues)
    assert issue.column == "Year 1 target" and "lower" in issue.message


def test_lower_is_better_decreasing_targets_pass():
    _, issues = vt(trow("M08", 7.5, 6, 4))
    assert errors(issues) == []


def test_year3_past_year5_is_refused():
    _, issues = vt(trow("M10", 15, 30, 25))
    (issue,) = errors(issues)
    assert issue.column == "Year 3 target" and "year-5" in issue.message


def test_england_needs_all_horizons():
    _, issues = vt(trow("M01", 40, None, 80))
    (issue,) = errors(issues)
    assert issue.column == "Year 3 target" and "enter a target" in issue.message


def test_text_that_is_not_a_number_is_refused():
    _, issues = vt(trow("M01", "forty", 60, 80))
    (issue,) = errors(issues)
    assert issue.column == "Year 1 target" and "not a number" in issue.message


def test_unknown_measure_and_geography_are_refused():
    _, issues = vt(trow("M99", 1, 2, 3), trow("M01", 1, 2, 3, geo="E40000999"))
    cols = [(i.row, i.column) for i in errors(issues)]
    assert cols == [(1, "Measure"), (2, "Geography")]


def test_duplicate_measure_row_is_refused():
    _, issues = vt(trow("M01", 40, 60, 80), trow("M01", 41, 60, 80))
    (issue,) = errors(issues)
    assert issue.row == 2 and "duplicate" in issue.message


def test_regional_blank_means_no_override():
    recs, issues = vt(trow("M05", 12, 16, 20), trow("M05", None, 18, None, geo=LONDON))
    assert errors(issues) == []
    assert [(t.geo_code, t.horizon) for t in recs if t.geo_code == LONDON] == [(LONDON, 3)]


def test_regional_override_checked_against_england_values():
    # London year 3 of 10 is below England's year 1 of 12: backwards for higher-is-better.
    _, issues = vt(trow("M05", 12, 16, 20), trow("M05", None, 10, None, geo=LONDON))
    (issue,) = errors(issues)
    assert issue.row == 2 and "London" in str(issue)
    assert issue.column == "Year 3 target" and "England's year-1 target 12" in issue.message


# ----------------------------------------------------------------- milestone validation


def test_valid_milestone_becomes_record():
    recs, issues = vm(ms_row())
    assert errors(issues) == [] and recs[0].status == "on_track"


def test_empty_title_is_refused():
    recs, issues = vm(ms_row(), ms_row(item_id="MS-2", title="  "))
    (issue,) = errors(issues)
    assert (issue.row, issue.column) == (2, "Title") and "empty" in issue.message
    assert len(recs) == 1


def test_unknown_status_is_refused():
    _, issues = vm(ms_row(status="Green"))
    (issue,) = errors(issues)
    assert issue.column == "Status" and "Green" in issue.message


@pytest.mark.parametrize("given_status", ["on_track", "ON TRACK", "On track", "on-track"])
def test_status_accepts_code_or_label(given_status):
    recs, issues = vm(ms_row(status=given_status))
    assert errors(issues) == [] and recs[0].status == "on_track"


def test_unknown_priority_area_is_refused():
    _, issues = vm(ms_row(priority_area="P10"))
    assert errors(issues)[0].column == "Priority area"


def test_horizon_must_be_1_3_or_5():
    _, issues = vm(ms_row(horizon=2))
    assert errors(issues)[0].column == "Horizon"


def test_due_date_outside_horizon_is_refused():
    # Year-1 horizon of a 2026/27 plan ends on 31 March 2027.
    _, issues = vm(ms_row(due_date=date(2027, 6, 30)))
    (issue,) = errors(issues)
    assert issue.column == "Due date" and "year-1 horizon" in issue.message


def test_due_date_before_base_year_is_refused():
    _, issues = vm(ms_row(due_date=date(2026, 3, 31)))
    assert errors(issues)[0].column == "Due date"


def test_year3_milestone_due_in_year1_is_refused():
    _, issues = vm(ms_row(horizon=3, due_date=date(2026, 12, 31)))
    assert errors(issues)[0].column == "Due date"


def test_year3_milestone_inside_window_passes():
    _, issues = vm(ms_row(horizon=3, due_date=date(2029, 3, 31)))
    assert errors(issues) == []


def test_missing_due_date_is_refused():
    _, issues = vm(ms_row(due_date=None))
    assert errors(issues)[0].message == "enter a due date"


def test_future_last_updated_is_refused():
    _, issues = vm(ms_row(last_updated=date(2027, 1, 1)))
    assert errors(issues)[0].column == "Last updated"


def test_unknown_linked_measure_is_refused_and_other_area_warns():
    _, issues = vm(ms_row(measure_code="M99"))
    assert errors(issues)[0].column == "Measure"
    _, issues = vm(ms_row(measure_code="M08"))
    assert errors(issues) == []
    assert [i.severity for i in issues if i.column == "Measure"] == ["warning"]


def test_duplicate_ids_are_refused_and_new_rows_get_ids():
    _, issues = vm(ms_row(), ms_row())
    assert errors(issues)[0].column == "ID"
    recs, issues = vm(ms_row(item_id=None), ms_row(item_id=""))
    assert errors(issues) == [] and len({r.item_id for r in recs}) == 2


def test_missing_owner_is_only_a_warning():
    recs, issues = vm(ms_row(owner=""))
    assert errors(issues) == [] and recs and issues[0].severity == "warning"


def test_validation_error_message_lists_problems():
    _, issues = vm(ms_row(title=""))
    exc = P.PlanValidationError(issues)
    assert "row 1" in str(exc) and "Title" in str(exc)


# ----------------------------------------------------------------- horizons and trajectories


def test_horizon_windows_do_not_overlap_and_cover_five_years():
    windows = [P.horizon_window(2016, h) for h in P.HORIZONS]
    assert windows[0] == (date(2016, 4, 1), date(2017, 3, 31))
    assert windows[1] == (date(2017, 4, 1), date(2019, 3, 31))
    assert windows[2] == (date(2019, 4, 1), date(2021, 3, 31))
    assert P.horizon_for_date(2016, date(2018, 1, 1)) == 3
    assert P.horizon_for_date(2016, date(2021, 4, 1)) is None


def test_default_base_year_is_current_financial_year():
    assert P.default_base_year(date(2026, 11, 30)) == 2026
    assert P.default_base_year(date(2027, 3, 31)) == 2026
    assert P.default_base_year(date(2027, 4, 1)) == 2027


def test_linear_trajectory_hits_knots_and_interpolates():
    tg = {1: 20.0, 3: 40.0, 5: 60.0}
    assert P.trajectory_value(10, tg, 2016, date(2016, 4, 1)) == 10
    assert P.trajectory_value(10, tg, 2016, date(2017, 3, 31)) == pytest.approx(20)
    assert P.trajectory_value(10, tg, 2016, date(2021, 3, 31)) == pytest.approx(60)
    # Half way (in days) between the year-1 and year-3 knots.
    mid = date(2018, 3, 31)
    expected = (
        20 + 20 * (mid - date(2017, 3, 31)).days / (date(2019, 3, 31) - date(2017, 3, 31)).days
    )
    assert P.trajectory_value(10, tg, 2016, mid) == pytest.approx(expected)
    assert P.trajectory_value(10, tg, 2016, date(2016, 3, 1)) is None
    assert P.trajectory_value(10, tg, 2016, date(2030, 1, 1)) == 60


def test_stepwise_trajectory_holds_then_jumps():
    tg = {1: 20.0, 3: 40.0, 5: 60.0}
    f = lambda d: P.trajectory_value(10, tg, 2016, d, "stepwise")  # noqa: E731
    assert f(date(2017, 3, 30)) == 10
    assert f(date(2017, 3, 31)) == 20
    assert f(date(2019, 1, 1)) == 20
    assert f(date(2019, 4, 1)) == 40
    assert f(date(2025, 1, 1)) == 60


@given(
    b=st.floats(0, 100),
    t1=st.floats(0, 100),
    t3=st.floats(0, 100),
    t5=st.floats(0, 100),
    days=st.integers(0, 5 * 366),
)
def test_linear_trajectory_stays_between_neighbouring_knots(b, t1, t3, t5, days):
    d = date(2020, 4, 1) + pd.Timedelta(days=days).to_pytimedelta()
    v = P.trajectory_value(b, {1: t1, 3: t3, 5: t5}, 2020, d)
    knots = [b, t1, t3, t5]
    assert min(knots) - 1e-9 <= v <= max(knots) + 1e-9


def test_trajectory_with_missing_horizon_skips_it():
    v = P.trajectory_value(0, {5: 50.0}, 2016, date(2018, 10, 1))
    total = (date(2021, 3, 31) - date(2016, 4, 1)).days
    assert v == pytest.approx(50 * (date(2018, 10, 1) - date(2016, 4, 1)).days / total)


def test_plan_line_uses_regional_override_then_england():
    plan = P.Plan(
        base_year=2016,
        targets=[
            P.PlanTarget(measure_code="M05", horizon=h, target=v)
            for h, v in ((1, 10), (3, 14), (5, 18))
        ]
        + [P.PlanTarget(measure_code="M05", geo_code=LONDON, horizon=5, target=30)],
    )
    assert plan.targets_for("M05", LONDON) == {1: 10, 3: 14, 5: 30}
    icb = "E54000027"
    assert plan.targets_for("M05", icb, fallbacks=[LONDON])[5] == 30
    df = P.plan_line(plan, "M05", 8, [date(2016, 4, 1), date(2021, 3, 31)], LONDON)
    assert df["plan"].tolist() == pytest.approx([8, 30])


def test_progress_against_plan_is_polarity_aware():
    tg = {1: 6.0, 3: 5.0, 5: 4.0}
    when = date(2017, 3, 31)
    ahead = P.progress_against_plan(5.5, when, 8, tg, 2016, "lower_is_better")
    behind = P.progress_against_plan(7.0, when, 8, tg, 2016, "lower_is_better")
    assert ahead.status == "ahead" and ahead.gap == pytest.approx(0.5)
    assert behind.status == "behind" and behind.share_of_planned_change == pytest.approx(0.5)
    assert (
        P.progress_against_plan(6.05, when, 8, tg, 2016, "lower_is_better", tolerance=0.1).status
        == "on_plan"
    )
    assert P.progress_against_plan(5, date(2015, 1, 1), 8, tg, 2016, "lower_is_better").status == (
        "no_plan"
    )


def test_baseline_prefers_history_at_base_period():
    m = MEASURES["M08"]
    hist = pd.DataFrame(
        {
            "measure_code": ["M08"] * 3,
            "period": [date(2026, 2, 1), date(2026, 4, 1), date(2026, 5, 1)],
            "value": [9.0, 7.7, 7.1],
        }
    )
    assert P.baseline_from_history(hist, m, 2026) == 7.7
    assert P.baseline_from_history(hist, m, 2025) == 9.0  # first value inside 2025/26
    assert P.baseline_from_history(hist, m, 2024) == m.baseline  # no history near 2024/25
    assert P.baseline_from_history(hist.iloc[2:], m, 2026) == 7.1  # first inside the year
    assert P.baseline_from_history(pd.DataFrame(), m, 2026) == m.baseline


# ----------------------------------------------------------------- roll-up and lists


def _ms(item: str, area: str, status: str, due: date, updated: date | None) -> P.Milestone:
    return P.Milestone(
        item_id=item,
        priority_area=area,
        title=item,
        horizon=1,
        due_date=due,
        status=status,
        last_updated=updated,
        owner="x",
    )


def test_rollup_headlines_per_area_and_condition():
    plan = P.Plan(
        base_year=2026,
        milestones=[
            _ms("a", "P1", "on_track", date(2027, 1, 1), TODAY),
            _ms("b", "P1", "at_risk", date(2027, 1, 1), TODAY),
            _ms("c", "P2", "done", date(2026, 6, 1), TODAY),
            _ms("d", "P3", "on_track", date(2026, 10, 1), TODAY),  # past due
            _ms("e", "P5", "on_track", date(2027, 2, 1), TODAY),
        ],
    )
    areas, conds = P.rollup(plan, AREAS, CONDITIONS, TODAY)
    head = dict(zip(areas["code"], areas["headline"], strict=True))
    assert head["P1"] == "at_risk" and head["P2"] == "done" and head["P3"] == "off_track"
    assert head["P4"] == "none" and head["P5"] == "on_track"
    chead = dict(zip(conds["code"], conds["headline"], strict=True))
    assert chead["C1"] == "at_risk" and chead["C2"] == "off_track" and chead["C3"] == "none"
    p1 = areas.set_index("code").loc["P1"]
    assert (p1["total"], p1["on_track"], p1["at_risk"]) == (2, 1, 1)
    assert "1 past due" in areas.set_index("code").loc["P3", "summary"]


def test_stale_and_past_due_lists():
    plan = P.Plan(
        base_year=2026,
        milestones=[
            _ms("fresh", "P1", "on_track", date(2027, 1, 1), date(2026, 11, 1)),
            _ms("stale", "P1", "on_track", date(2027, 1, 1), date(2026, 6, 1)),
            _ms("late", "P2", "at_risk", date(2026, 9, 1), date(2026, 11, 20)),
            _ms("done-late", "P2", "done", date(2026, 9, 1), date(2026, 5, 1)),
            _ms("never", "P3", "not_started", date(2027, 1, 1), None),
        ],
    )
    df = P.attention_list(plan, TODAY, stale_days=90)
    assert df["item_id"].tolist() == ["late", "stale", "never"]
    assert df.set_index("item_id").loc["late", "why"].startswith("past due by 90 days")
    assert P.attention_list(plan, TODAY, stale_days=365)["item_id"].tolist() == ["late", "never"]
    assert P.attention_list(plan, TODAY, 90, area="P1")["item_id"].tolist() == ["stale"]


def test_stamp_updates_touches_only_changed_rows():
    old = [
        _ms("a", "P1", "on_track", date(2027, 1, 1), date(2026, 5, 1)),
        _ms("b", "P1", "on_track", date(2027, 1, 1), date(2026, 5, 1)),
    ]
    new = [
        old[0].model_copy(update={"status": "at_risk"}),
        old[1],
        _ms("c", "P1", "on_track", date(2027, 1, 1), None),
    ]
    out = {m.item_id: m.last_updated for m in P.stamp_updates(new, old, TODAY)}
    assert out == {"a": TODAY, "b": date(2026, 5, 1), "c": TODAY}


def test_rebase_plan_shifts_due_dates_with_base_year():
    plan = P.Plan(base_year=2026, milestones=[_ms("a", "P1", "on_track", date(2027, 2, 28), None)])
    moved = P.rebase_plan(plan, 2016)
    assert moved.base_year == 2016 and moved.milestones[0].due_date == date(2017, 2, 28)
    kept = P.rebase_plan(plan, 2016, shift_dates=False)
    assert kept.milestones[0].due_date == date(2027, 2, 28)


# ----------------------------------------------------------------- diff


def test_diff_reports_added_removed_and_changed_fields():
    old = P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code="M01", horizon=1, target=40),
            P.PlanTarget(measure_code="M02", horizon=1, target=10),
        ],
        milestones=[
            _ms("a", "P1", "on_track", date(2027, 1, 1), TODAY),
            _ms("b", "P1", "on_track", date(2027, 1, 1), TODAY),
        ],
    )
    new = P.Plan(
        base_year=2026,
        trajectory="stepwise",
        targets=[
            P.PlanTarget(measure_code="M01", horizon=1, target=45),
            P.PlanTarget(measure_code="M03", horizon=1, target=30),
        ],
        milestones=[
            old.milestones[0].model_copy(update={"status": "at_risk", "owner": "y"}),
            _ms("c", "P2", "not_started", date(2027, 1, 1), TODAY),
        ],
    )
    changes = P.diff_plans(old, new, measure_names={"M01": "ICSs"})
    got = {(c.kind, c.entity, c.key, c.field): (c.before, c.after) for c in changes}
    assert got[("changed", "plan", "trajectory", "Trajectory")] == ("linear", "stepwise")
    assert got[("changed", "target", "M01|E92000001|1", "Target")] == (40, 45)
    assert ("removed", "target", "M02|E92000001|1", "Target") in got
    assert ("added", "target", "M03|E92000001|1", "Target") in got
    assert got[("changed", "milestone", "a", "Status")] == ("On track", "At risk")
    assert got[("changed", "milestone", "a", "Owner")] == ("x", "y")
    assert ("removed", "milestone", "b", "") in got and ("added", "milestone", "c", "") in got
    assert len(changes) == 8
    frame = P.changes_frame(changes)
    assert list(frame.columns) == ["change", "what", "item", "field", "before", "after"]
    assert "1 milestone changed" in P.summarise_changes(changes)
    assert P.diff_plans(old, old) == []


def test_tables_round_trip_through_validation():
    plan = P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code="M01", horizon=h, target=v)
            for h, v in ((1, 40), (3, 60), (5, 80))
        ],
        milestones=[_ms("a", "P1", "on_track", date(2027, 1, 1), TODAY)],
    )
    tdf = P.targets_table(plan, [MEASURES["M01"]], {"M01": 35})
    assert tdf.loc[0, ["baseline", "y1", "y3", "y5"]].tolist() == [35, 40, 60, 80]
    recs, issues = P.validate_targets(tdf, MEASURES, GEO)
    assert errors(issues) == [] and set(recs) == set(plan.targets)
    mrecs, missues = P.validate_milestones(
        P.milestones_table(plan), 2026, AREA_CODES, MEASURES, TODAY
    )
    assert errors(missues) == [] and mrecs == plan.milestones


def test_future_not_started_items_do_not_set_the_headline():
    started = [
        _ms("a", "P1", "on_track", date(2027, 1, 1), TODAY),
        _ms("b", "P1", "not_started", date(2030, 1, 1), TODAY),
    ]
    assert P.headline_status(started, TODAY) == "on_track"
    assert P.headline_status(started[1:], TODAY) == "not_started"
    assert P.headline_status([], TODAY) == "none"


def test_plan_line_for_series_starts_from_that_series_and_reaches_the_targets():
    plan = P.Plan(
        base_year=2020,
        targets=[
            P.PlanTarget(measure_code="M05", horizon=h, target=v)
            for h, v in ((1, 12), (3, 16), (5, 20))
        ]
        + [P.PlanTarget(measure_code="M05", geo_code=LONDON, horizon=5, target=30)],
    )
    series = pd.DataFrame(
        {
            "period": [date(2019, 4, 1), date(2020, 4, 1), date(2021, 4, 1)],
            "value": [9.0, 10.0, 11.5],
        }
    )
    df = P.plan_line_for_series(plan, MEASURES["M05"], series, LONDON)
    assert df["period"].tolist() == [
        date(2020, 4, 1), date(2021, 3, 31), date(2021, 4, 1), date(2023, 3, 31),
        date(2025, 3, 31),
    ]  # fmt: skip
    assert df["plan"].iloc[0] == 10.0 and df["baseline"].iloc[0] == 10.0  # London's own start
    assert df["plan"].iloc[-1] == 30.0  # London's override
    assert df.set_index("period").loc[date(2023, 3, 31), "plan"] == 16.0  # England's year 3
    short = P.plan_line_for_series(plan, MEASURES["M05"], series, extend_to_horizons=False)
    assert short["period"].tolist() == [date(2020, 4, 1), date(2021, 4, 1)]


def _tplan(values: dict, milestones=(), base_year: int = 2026, **kw) -> P.Plan:
    return P.Plan(
        base_year=base_year,
        targets=[P.PlanTarget(measure_code=c, horizon=h, target=v) for (c, h), v in values.items()],
        milestones=list(milestones),
        **kw,
    )


def test_rebase_edits_applies_mine_keeps_theirs_and_reports_conflicts():
    a = _ms("a", "P1", "on_track", date(2027, 1, 1), TODAY)
    b = _ms("b", "P1", "on_track", date(2027, 1, 1), TODAY)
    original = _tplan({("M01", 1): 40, ("M01", 3): 60, ("M02", 1): 10}, [a, b])
    mine = _tplan(
        {("M01", 1): 45, ("M01", 3): 65, ("M02", 1): 10},
        [
            a.model_copy(update={"status": "at_risk"}),
            _ms("new", "P2", "not_started", date(2027, 2, 1), TODAY),
        ],
        trajectory="stepwise",
    )
    theirs = _tplan(
        {("M01", 1): 40, ("M01", 3): 70, ("M02", 1): 12},
        [a.model_copy(update={"owner": "Sam"}), b],
        version_id=7,
    )
    merged, conflicts = P.rebase_edits(original, mine, theirs)
    tm = merged.target_map()
    assert tm[("M01", P.ENGLAND_CODE, 1)] == 45  # mine, they did not touch it
    assert tm[("M02", P.ENGLAND_CODE, 1)] == 12  # theirs, I did not touch it
    assert tm[("M01", P.ENGLAND_CODE, 3)] == 70  # both changed: theirs kept, reported
    assert [(c.entity, c.key, c.yours, c.theirs) for c in conflicts] == [
        ("target", "M01|E92000001|3", 65, 70)
    ]
    ms = {m.item_id: m for m in merged.milestones}
    assert ms["a"].status == "at_risk" and ms["a"].owner == "Sam"  # both edits, different fields
    assert "b" not in ms and "new" in ms  # my removal and my addition
    assert merged.trajectory == "stepwise" and merged.version_id == 7


def test_rebase_edits_without_a_colleagues_change_is_just_my_plan():
    original = _tplan({("M01", 1): 40})
    mine = _tplan({("M01", 1): 44})
    merged, conflicts = P.rebase_edits(original, mine, original)
    assert conflicts == [] and P.diff_plans(mine, merged) == []


def test_shift_years_handles_leap_days():
    assert P.shift_years(date(2024, 2, 29), -8) == date(2016, 2, 29)
    assert P.shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert P.shift_years(None, 3) is None


def test_an_empty_regional_row_only_warns():
    recs, issues = vt(trow("M05", 12, 16, 20), trow("M05", None, None, None, geo=LONDON))
    assert errors(issues) == [] and len(recs) == 3
    assert [i.message for i in issues] == ["no target entered, so this row overrides nothing"]
