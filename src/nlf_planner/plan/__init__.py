"""The 1/3/5-year plan: records, horizons, trajectories, targets, validation, status and
versions. Everything here is pure (no store, no Streamlit), so pages, services, the deck and
tests share it.

=================  ==============================================================
``records``        Plan, PlanTarget, Milestone, PlanError and the shared constants
``horizons``       base years, horizon windows and ends, moving a plan's base year
``trajectories``   the plan line, its value at a date, progress against it, baselines
``targets``        which targets apply to a geography (fallback and direction rules)
``tables``         the plan as the tables people edit
``validation``     the rules, ValidationIssue, and editor tables back into a draft
``status``         roll-up per area and condition, the attention list
``versions``       diff between versions, the three-way merge of edits, update stamps
=================  ==============================================================

Callers import from ``nlf_planner.plan``; the names below are its public surface.
"""

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan.horizons import (
    base_date,
    default_base_year,
    financial_year_of,
    fy_label,
    horizon_end,
    horizon_for_date,
    horizon_window,
    rebase_plan,
    shift_years,
)
from nlf_planner.plan.records import (
    COLUMN_LABELS,
    DEFAULT_PLAN_NAME,
    HORIZONS,
    LAUNCH_BASE_YEAR,
    MILESTONE_FIELDS,
    STATUS_LABELS,
    STATUSES,
    TARGET_COLUMNS,
    Horizon,
    Milestone,
    Plan,
    PlanError,
    PlanTarget,
    Trajectory,
)
from nlf_planner.plan.status import (
    HEADLINE_LABELS,
    attention_list,
    effective_status,
    headline_status,
    is_past_due,
    is_stale,
    rollup,
)
from nlf_planner.plan.tables import (
    EDITOR_TABLES,
    editor_tables,
    first_token,
    measure_label,
    milestones_table,
    row_areas,
    targets_table,
)
from nlf_planner.plan.targets import (
    DIRECTION_RULE,
    TARGET_FRAME_COLUMNS,
    AppliedTarget,
    applied_targets,
    geography_targets,
    targets_for_geography,
)
from nlf_planner.plan.trajectories import (
    PlanProgress,
    baseline_from_history,
    baseline_observation,
    baselines_from_history,
    better,
    plan_line,
    plan_line_for_series,
    progress_against_plan,
    trajectory,
    trajectory_points,
    trajectory_value,
)
from nlf_planner.plan.validation import (
    UNIT_RANGES,
    ValidationIssue,
    draft_from_tables,
    errors_only,
    new_item_id,
    parse_status,
    problems_message,
    validate_milestones,
    validate_plan,
    validate_targets,
    zero_target_issues,
    zero_target_warnings,
)
from nlf_planner.plan.versions import (
    Change,
    MergeConflict,
    changes_frame,
    diff_plans,
    rebase_edits,
    stamp_updates,
    summarise_changes,
)

__all__ = [
    "COLUMN_LABELS",
    "DEFAULT_PLAN_NAME",
    "DIRECTION_RULE",
    "EDITOR_TABLES",
    "ENGLAND_CODE",
    "HEADLINE_LABELS",
    "HORIZONS",
    "LAUNCH_BASE_YEAR",
    "MILESTONE_FIELDS",
    "STATUSES",
    "STATUS_LABELS",
    "TARGET_COLUMNS",
    "TARGET_FRAME_COLUMNS",
    "UNIT_RANGES",
    "Change",
    "Horizon",
    "MergeConflict",
    "Milestone",
    "Plan",
    "PlanError",
    "PlanProgress",
    "AppliedTarget",
    "PlanTarget",
    "Trajectory",
    "ValidationIssue",
    "applied_targets",
    "attention_list",
    "base_date",
    "baseline_from_history",
    "baseline_observation",
    "baselines_from_history",
    "better",
    "changes_frame",
    "default_base_year",
    "diff_plans",
    "draft_from_tables",
    "editor_tables",
    "effective_status",
    "errors_only",
    "financial_year_of",
    "first_token",
    "fy_label",
    "geography_targets",
    "headline_status",
    "horizon_end",
    "horizon_for_date",
    "horizon_window",
    "is_past_due",
    "is_stale",
    "measure_label",
    "milestones_table",
    "new_item_id",
    "parse_status",
    "plan_line",
    "plan_line_for_series",
    "problems_message",
    "progress_against_plan",
    "rebase_edits",
    "rebase_plan",
    "rollup",
    "row_areas",
    "shift_years",
    "stamp_updates",
    "summarise_changes",
    "targets_for_geography",
    "targets_table",
    "trajectory",
    "trajectory_points",
    "trajectory_value",
    "validate_milestones",
    "validate_plan",
    "validate_targets",
    "zero_target_issues",
    "zero_target_warnings",
]
