"""Plan files: targets and milestones rows handed to the plan's own rules.

The rules live in :mod:`nlf_planner.plan` (shared with the Plan page's editor); here the
file's cells are prepared and the plan's issues are located by sheet row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import pandas as pd

from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.imports.cells import normalise_code, parse_number
from nlf_planner.imports.checks import Issue, check_columns
from nlf_planner.imports.files import Table
from nlf_planner.imports.records import RecordImport, normalise_dates
from nlf_planner.models import Measure
from nlf_planner.plan import Plan, validate_milestones, validate_targets

# The rules live in nlf_planner.plan (shared with the Plan page's editor); here the file's
# cells are handed over and the plan's issues are located by sheet row.

PLAN_TARGET_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc("measure_code", "text", True, "Measure code M01–M17.", "M08"),
    ColumnDoc(
        "geo_code",
        "text",
        False,
        "Blank or E92000001 for England; a region code (E40…) for a regional override.",
        "",
    ),
    ColumnDoc(
        "y1",
        "number",
        True,
        "Target at the end of year 1 of the plan, in the "
        "measure's unit (percent 0–100, score 0–10).",
        "7.5",
    ),
    ColumnDoc("y3", "number", True, "Target at the end of year 3.", "6.5"),
    ColumnDoc("y5", "number", True, "Target at the end of year 5.", "5.5"),
)

PLAN_MILESTONE_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc(
        "item_id",
        "text",
        False,
        "Leave blank for a new milestone; give an existing ID (e.g. MS-1A2B3C4D) to "
        "replace that milestone.",
        "",
    ),
    ColumnDoc("priority_area", "text", True, "Priority area P1–P9.", "P5"),
    ColumnDoc("title", "text", True, "What will be done.", "Aspiring CEOs cohort 3 starts"),
    ColumnDoc("description", "text", False, "More detail.", ""),
    ColumnDoc("horizon", "whole number", True, "1, 3 or 5 (years).", "1"),
    ColumnDoc(
        "due_date",
        "date",
        True,
        "Due date inside the horizon (2025-03-31 or 31/03/2025).",
        "2027-03-31",
    ),
    ColumnDoc("owner", "text", False, "Who is accountable.", "Director of Leadership"),
    ColumnDoc(
        "status", "text", True, "Not started, On track, At risk, Off track or Done.", "On track"
    ),
    ColumnDoc("last_updated", "date", False, "When the status was last checked.", ""),
    ColumnDoc("measure_code", "text", False, "A linked measure (M01–M17), if any.", "M08"),
)


_PLAN_LABEL_TO_COLUMN = {
    "Measure": "measure_code",
    "Geography": "geo_code",
    "Year 1 target": "y1",
    "Year 3 target": "y3",
    "Year 5 target": "y5",
    "ID": "item_id",
    "Priority area": "priority_area",
    "Title": "title",
    "Description": "description",
    "Horizon": "horizon",
    "Due date": "due_date",
    "Owner": "owner",
    "Status": "status",
    "Last updated": "last_updated",
}


def _plan_issue(table: Table, issue, frame: pd.DataFrame) -> Issue:
    col = _PLAN_LABEL_TO_COLUMN.get(issue.column, issue.column)
    row = value = None
    if issue.row is not None and 1 <= issue.row <= len(table.row_numbers):
        row = int(table.row_numbers[issue.row - 1])
        if col in frame.columns:
            value = str(frame.iloc[issue.row - 1][col])
    return Issue(
        row, col, value, issue.message[:1].upper() + issue.message[1:] + ".", issue.severity
    )


def validate_plan_targets(
    table: Table,
    measures: Iterable[Measure],
    geo_names: Mapping[str, str],
    england_values: Mapping[str, Mapping[int, float]] | None = None,
) -> RecordImport:
    """Targets checked by the plan's own rules (ranges, England needs all horizons, order)."""
    issues = check_columns(
        table, PLAN_TARGET_COLUMNS, {"measure": "measure_code", "geography": "geo_code"}
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("plan_targets", [], issues, table.source_name, len(table))
    frame = table.df.copy()
    if "geo_code" not in frame.columns:
        frame["geo_code"] = ""
    frame["measure_code"] = [normalise_code(c) for c in frame["measure_code"]]
    frame["geo_code"] = [normalise_code(g) or ENGLAND_CODE for g in frame["geo_code"]]
    for col in ("y1", "y3", "y5"):
        bad = [i for i, v in enumerate(frame[col]) if v and parse_number(v) is None]
        for i in bad:
            issues.append(Issue(int(table.row_numbers[i]), col, frame[col].iat[i], "Not a number."))
        frame[col] = [
            parse_number(v) if v and parse_number(v) is not None else None for v in frame[col]
        ]
    bad_rows = {i.row for i in issues if i.severity == "error"}
    keep = [int(r) not in bad_rows for r in table.row_numbers]
    targets, plan_issues = validate_targets(
        frame[keep].reset_index(drop=True),
        {m.code: m for m in measures},
        dict(geo_names),
        table="Targets",
        england_values=england_values,
    )
    kept = Table(
        frame[keep].reset_index(drop=True),
        table.row_numbers[keep],
        table.source_name,
        table.file_type,
    )
    issues += [_plan_issue(kept, i, kept.df) for i in plan_issues]
    return RecordImport("plan_targets", targets, issues, table.source_name, len(table))


def validate_plan_milestones(
    table: Table,
    base_year: int,
    area_codes: Iterable[str],
    measures: Iterable[Measure],
    today: date | None = None,
) -> RecordImport:
    """Milestones checked by the plan's own rules (area, status, horizon window, dates)."""
    issues = check_columns(
        table, PLAN_MILESTONE_COLUMNS, {"area": "priority_area", "due": "due_date"}
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("plan_milestones", [], issues, table.source_name, len(table))
    frame = normalise_dates(table.df, ["due_date", "last_updated"])
    for col in ("priority_area", "measure_code"):
        if col in frame.columns:
            frame[col] = [normalise_code(c) for c in frame[col]]
    records, plan_issues = validate_milestones(
        frame, base_year, area_codes, {m.code: m for m in measures}, today=today, table="Milestones"
    )
    issues += [_plan_issue(table, i, frame) for i in plan_issues]
    return RecordImport("plan_milestones", records, issues, table.source_name, len(table))


def england_targets(plan: Plan | None) -> dict[str, dict[int, float]]:
    """England's targets by measure and horizon: a regional override in a file is checked
    against them (the plan's rule that a region sets its own line beside England's)."""
    england: dict[str, dict[int, float]] = {}
    for t in plan.targets if plan is not None else ():
        if t.geo_code == ENGLAND_CODE:
            england.setdefault(t.measure_code, {})[t.horizon] = t.target
    return england


def merge_plan_import(plan: Plan, targets: Sequence = (), milestones: Sequence = ()) -> Plan:
    """A new draft plan: imported targets replace the same measure and geography (all
    horizons); imported milestones replace the same ID or are added."""
    pairs = {(t.measure_code, t.geo_code) for t in targets}
    kept_t = [t for t in plan.targets if (t.measure_code, t.geo_code) not in pairs]
    by_id = {m.item_id: m for m in milestones}
    kept_m = [m for m in plan.milestones if m.item_id not in by_id]
    return plan.model_copy(
        update={"targets": kept_t + list(targets), "milestones": kept_m + list(milestones)}
    )
