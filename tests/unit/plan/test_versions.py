"""Versions: the diff between plans, the three-way merge of edits, update stamps."""

from __future__ import annotations

from datetime import date

from nlf_planner import plan as P
from tests.unit.plan.common import TODAY, milestone, tplan


def test_diff_reports_added_removed_and_changed_fields():
    old = P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code="M01", horizon=1, target=40),
            P.PlanTarget(measure_code="M02", horizon=1, target=10),
        ],
        milestones=[
            milestone("a", "P1", "on_track", date(2027, 1, 1), TODAY),
            milestone("b", "P1", "on_track", date(2027, 1, 1), TODAY),
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
            milestone("c", "P2", "not_started", date(2027, 1, 1), TODAY),
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


def test_rebase_edits_applies_mine_keeps_theirs_and_reports_conflicts():
    a = milestone("a", "P1", "on_track", date(2027, 1, 1), TODAY)
    b = milestone("b", "P1", "on_track", date(2027, 1, 1), TODAY)
    original = tplan({("M01", 1): 40, ("M01", 3): 60, ("M02", 1): 10}, [a, b])
    mine = tplan(
        {("M01", 1): 45, ("M01", 3): 65, ("M02", 1): 10},
        [
            a.model_copy(update={"status": "at_risk"}),
            milestone("new", "P2", "not_started", date(2027, 2, 1), TODAY),
        ],
        trajectory="stepwise",
    )
    theirs = tplan(
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
    original = tplan({("M01", 1): 40})
    mine = tplan({("M01", 1): 44})
    merged, conflicts = P.rebase_edits(original, mine, original)
    assert conflicts == [] and P.diff_plans(mine, merged) == []


def test_stamp_updates_touches_only_changed_rows():
    old = [
        milestone("a", "P1", "on_track", date(2027, 1, 1), date(2026, 5, 1)),
        milestone("b", "P1", "on_track", date(2027, 1, 1), date(2026, 5, 1)),
    ]
    new = [
        old[0].model_copy(update={"status": "at_risk"}),
        old[1],
        milestone("c", "P1", "on_track", date(2027, 1, 1), None),
    ]
    out = {m.item_id: m.last_updated for m in P.stamp_updates(new, old, TODAY)}
    assert out == {"a": TODAY, "b": date(2026, 5, 1), "c": TODAY}
