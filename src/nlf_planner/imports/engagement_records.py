"""Engagement files: stakeholders and events rows checked by the engagement rules, with
stakeholders named (not numbered) and duplicate names caught in the file as well as the store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from nlf_planner.engagement import (
    FIELD_LABELS,
    EngagementValidationError,
    ReferenceCodes,
    normalise_name,
    validate_event,
    validate_stakeholder,
)
from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.imports.cells import normalise_code
from nlf_planner.imports.checks import Issue, check_columns
from nlf_planner.imports.files import Table
from nlf_planner.imports.records import RecordImport, date_range_issues, normalise_dates

STAKEHOLDER_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc("name", "text", True, "Person or organisation (must be new).", "NHS Providers"),
    ColumnDoc(
        "group",
        "text",
        True,
        "National body, Provider, System / ICS, Royal college, Patient organisation, "
        "Academic / think tank, Network or Devolved nation.",
        "National body",
    ),
    ColumnDoc("region_code", "text", False, "Region code (E40…), blank for national.", ""),
    ColumnDoc("interest", "whole number", True, "Interest 1 (low) to 5 (high).", "4"),
    ColumnDoc("influence", "whole number", True, "Influence 1 (low) to 5 (high).", "5"),
    ColumnDoc("owner", "text", False, "Who in the team holds the relationship.", ""),
    ColumnDoc("last_contact", "date", False, "Date of last contact (not in the future).", ""),
    ColumnDoc("next_step", "text", False, "The next planned contact or action.", ""),
)

EVENT_COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc("event_date", "date", True, "Date of the event (or start of a phase).", "2026-06-14"),
    ColumnDoc("end_date", "date", False, "End date for a phase lasting several days.", ""),
    ColumnDoc("title", "text", True, "Name of the event.", "Talent event"),
    ColumnDoc(
        "event_type",
        "text",
        True,
        "Visit, Workshop, Roundtable, Event, Meeting or Survey.",
        "Workshop",
    ),
    ColumnDoc("audience", "text", False, "Who it was for.", "Regional talent leads"),
    ColumnDoc("region_code", "text", False, "Region code (E40…), blank for national.", ""),
    ColumnDoc("outcome", "text", False, "What came out of it.", ""),
    ColumnDoc("actions", "text", False, "Follow-up actions.", ""),
    ColumnDoc("priority_areas", "text", False, "Priority areas covered, e.g. P3, P4.", "P4"),
    ColumnDoc(
        "stakeholders",
        "text",
        False,
        "Names of stakeholders who took part, separated by semicolons (they must "
        "already exist or be imported first).",
        "",
    ),
)


def _engagement_issue(row: int, problem: str, raw: Mapping[str, object]) -> Issue:
    column = None
    for field_name, label in sorted(FIELD_LABELS.items(), key=lambda kv: -len(kv[1])):
        if problem.startswith(label):
            column = {"group": "group", "stakeholder_ids": "stakeholders"}.get(
                field_name, field_name
            )
            break
    value = raw.get(column) if column else None
    return Issue(row, column, None if value is None else str(value), problem)


def validate_stakeholders(
    table: Table,
    existing: Mapping[int, tuple[str, bool]],
    codes: ReferenceCodes,
    today: date | None = None,
) -> RecordImport:
    """Each row checked by the engagement rules, including duplicate names (in the file too)."""
    issues = check_columns(
        table, STAKEHOLDER_COLUMNS, {"stakeholder_group": "group", "stakeholder": "name"}
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("stakeholders", [], issues, table.source_name, len(table))
    frame = normalise_dates(table.df, ["last_contact"])
    issues += date_range_issues(frame, table.row_numbers, ["last_contact"], today)
    out_of_range = {i.row for i in issues if i.severity == "error"}
    known = dict(existing)
    records = []
    for i, raw in enumerate(frame.to_dict("records")):
        row = int(table.row_numbers[i])
        if row in out_of_range:
            continue
        raw = {k: v for k, v in raw.items() if k in {c.column for c in STAKEHOLDER_COLUMNS}}
        if raw.get("region_code"):
            raw["region_code"] = normalise_code(raw["region_code"])
        try:
            s = validate_stakeholder(raw, existing=known, codes=codes, today=today)
        except EngagementValidationError as exc:
            issues += [_engagement_issue(row, p, raw) for p in exc.problems]
            continue
        known[-(i + 1)] = (s.name, False)  # later rows may not repeat this name
        records.append(s)
    return RecordImport("stakeholders", records, issues, table.source_name, len(table))


def validate_events(
    table: Table,
    stakeholder_ids_by_name: Mapping[str, int],
    codes: ReferenceCodes,
) -> RecordImport:
    """Each row checked by the engagement rules; stakeholders are named, not numbered."""
    issues = check_columns(
        table,
        EVENT_COLUMNS,
        {"date": "event_date", "type": "event_type", "start_date": "event_date"},
    )
    if any(i.severity == "error" for i in issues):
        return RecordImport("engagement_events", [], issues, table.source_name, len(table))
    frame = normalise_dates(table.df, ["event_date", "end_date"])
    issues += date_range_issues(frame, table.row_numbers, ["event_date", "end_date"])
    out_of_range = {i.row for i in issues if i.severity == "error"}
    by_name = {normalise_name(n): i for n, i in stakeholder_ids_by_name.items()}
    records = []
    for i, raw in enumerate(frame.to_dict("records")):
        row = int(table.row_numbers[i])
        if row in out_of_range:
            continue
        raw = {k: v for k, v in raw.items() if k in {c.column for c in EVENT_COLUMNS}}
        names = [n.strip() for n in str(raw.pop("stakeholders", "") or "").split(";") if n.strip()]
        unknown = [n for n in names if normalise_name(n) not in by_name]
        for n in unknown:
            issues.append(
                Issue(
                    row,
                    "stakeholders",
                    n,
                    f"No stakeholder called {n!r}; add them first (stakeholders "
                    "import or the Engagement page).",
                )
            )
        raw["stakeholder_ids"] = [
            by_name[normalise_name(n)] for n in names if normalise_name(n) in by_name
        ]
        if raw.get("region_code"):
            raw["region_code"] = normalise_code(raw["region_code"])
        if raw.get("priority_areas"):
            raw["priority_areas"] = normalise_code(raw["priority_areas"])
        try:
            e = validate_event(raw, known_stakeholders=set(by_name.values()), codes=codes)
        except EngagementValidationError as exc:
            issues += [_engagement_issue(row, p, raw) for p in exc.problems]
            continue
        if not unknown:
            records.append(e)
    return RecordImport("engagement_events", records, issues, table.source_name, len(table))
