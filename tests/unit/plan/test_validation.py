"""Plan rules: each validation rule fails where it should, with the row and column shown."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from nlf_planner import plan as P
from tests.unit.plan.common import AREA_CODES, GEO, LONDON, MEASURES, TODAY, errors


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
    message = P.problems_message(issues)
    assert "row 1" in message and "Title" in message


def test_an_empty_regional_row_only_warns():
    recs, issues = vt(trow("M05", 12, 16, 20), trow("M05", None, None, None, geo=LONDON))
    assert errors(issues) == [] and len(recs) == 3
    assert [i.message for i in issues] == ["no target entered, so this row overrides nothing"]


def test_problems_message_names_the_first_errors_and_counts_the_rest():
    _, issues = vm(*[ms_row(item_id=f"MS-{i}", title="", owner="") for i in range(7)])
    message = P.problems_message(issues, shown=2)  # the 7 missing owners only warn
    assert message.startswith("Nothing was saved: the plan has 7 problems to fix first: ")
    assert message.count("the title is empty") == 2 and message.endswith("; and 5 more.")


def test_validate_plan_checks_a_whole_plan():
    plan = P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code="M01", horizon=h, target=v)
            for h, v in ((1, 40), (3, 60), (5, 140))
        ]
        + [P.PlanTarget(measure_code="M99", horizon=1, target=1)],
        milestones=[
            P.Milestone(
                item_id="a", priority_area="P1", title="Late", horizon=1, due_date=date(2030, 1, 1)
            )
        ],
    )
    found = {(i.table, i.column) for i in errors(P.validate_plan(plan, MEASURES, GEO, AREA_CODES))}
    assert found == {
        ("Targets", "Measure"),
        ("Targets", "Year 5 target"),
        ("Milestones", "Due date"),
    }


def _editor_tables(plan: P.Plan) -> dict:
    return P.editor_tables(
        plan, list(MEASURES.values()), {}, {"P1": "P1 One", "P5": "P5 Five"}, {LONDON: "London"}
    )


def _draft(plan: P.Plan, tables: dict, area: str | None = None):
    return P.draft_from_tables(
        plan,
        tables,
        base_year=plan.base_year,
        trajectory=plan.trajectory,
        measures=MEASURES,
        geo_names=GEO,
        region_codes={"London": LONDON},
        area_codes=AREA_CODES,
        today=TODAY,
        area=area,
    )


def _full_plan() -> P.Plan:
    return P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code=code, horizon=h, target=v)
            for code, values in (("M01", (40, 60, 80)), ("M08", (7.5, 6.5, 5.5)))
            for h, v in zip(P.HORIZONS, values, strict=True)
        ]
        + [P.PlanTarget(measure_code="M01", geo_code=LONDON, horizon=5, target=85)],
        milestones=[
            P.Milestone(
                item_id="MS-1",
                priority_area="P5",
                title="Vacancy review",
                horizon=1,
                due_date=date(2026, 12, 31),
                owner="Team",
                status="on_track",
                last_updated=date(2026, 11, 1),
            )
        ],
    )


def test_draft_from_untouched_tables_is_the_plan_itself():
    plan = _full_plan()
    tables = _editor_tables(plan)
    tables["targets"] = tables["targets"][tables["targets"]["measure_code"].isin(["M01", "M08"])]
    draft, issues = _draft(plan, tables)
    assert errors(issues) == [] and P.diff_plans(plan, draft) == []


def test_draft_numbers_rows_as_shown_for_the_open_area_and_stamps_changes():
    plan = _full_plan()
    tables = _editor_tables(plan)
    t = tables["targets"]
    t = t[t["measure_code"].isin(["M01", "M08"])].reset_index(drop=True)
    t.loc[t["measure_code"] == "M01", "y5"] = 120.0  # P1 row
    t.loc[t["measure_code"] == "M08", "y1"] = 5.0  # P5 row, now backwards
    tables["targets"] = t
    tables["milestones"].loc[0, "status"] = "At risk"
    draft, issues = _draft(plan, tables, area="P5")
    where = {(i.table, i.row, i.column) for i in errors(issues)}
    assert where == {("Targets", 1, "Year 1 target"), ("Targets (P1)", 1, "Year 5 target")}
    (ms,) = draft.milestones
    assert ms.status == "at_risk" and ms.last_updated == TODAY


def test_draft_checks_regional_rows_against_the_edited_england_values():
    plan = _full_plan()
    tables = _editor_tables(plan)
    tables["targets"] = tables["targets"][tables["targets"]["measure_code"].isin(["M01", "M08"])]
    tables["targets"].loc[tables["targets"]["measure_code"] == "M01", "y3"] = 90.0
    _, issues = _draft(plan, tables)
    regional = [i for i in errors(issues) if i.table == "Regional targets"]
    assert [(i.row, i.column) for i in regional] == [(1, "Year 5 target")]
    assert "England's year-3 target 90" in regional[0].message


# --------------------------------------------------------------------------- zero targets


def _zero_warnings(before: dict, after: dict, low: float, high: float):
    from tests.unit.plan.common import tplan

    ranges = {("M08", P.ENGLAND_CODE): (low, high)}
    return P.zero_target_warnings(tplan(before), tplan(after), ranges, MEASURES, GEO)


def test_a_new_zero_target_far_from_the_history_is_warned_about() -> None:
    (issue,) = _zero_warnings({("M08", 5): 4.7}, {("M08", 5): 0.0}, low=6.2, high=11.8)
    assert issue.severity == "warning" and issue.column == "Year 5 target"
    assert issue.row_label.startswith("M08 ")
    assert "never came near it" in issue.message and "lowest 6.2" in issue.message
    assert not errors([issue])  # a warning: it never blocks a save on its own


def test_a_zero_near_the_history_or_already_there_is_not_warned_about() -> None:
    assert _zero_warnings({("M08", 5): 4.7}, {("M08", 5): 0.0}, low=1.0, high=20.0) == []
    assert _zero_warnings({("M08", 5): 0.0}, {("M08", 5): 0.0}, low=6.2, high=11.8) == []
    assert _zero_warnings({("M08", 5): 4.7}, {("M08", 5): 3.0}, low=6.2, high=11.8) == []


def test_a_zero_for_a_measure_with_no_history_is_not_warned_about() -> None:
    from tests.unit.plan.common import tplan

    assert (
        P.zero_target_warnings(
            tplan({("M08", 5): 4.7}), tplan({("M08", 5): 0.0}), {}, MEASURES, GEO
        )
        == []
    )
