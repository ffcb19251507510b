"""Validation: the plan's rules, applied to the tables people edit or import.

Every function returns records plus :class:`ValidationIssue`s naming the table, the 1-based
row as the user sees it, the column label and the problem in plain words, so the Plan page,
the importer and the services report the same problems in the same words. Errors block a
save; warnings (no owner, a measure linked from another area, an empty regional row) do not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Measure
from nlf_planner.periods import day_label
from nlf_planner.plan import _cells as cell
from nlf_planner.plan.horizons import fy_label, horizon_window
from nlf_planner.plan.records import (
    COLUMN_LABELS,
    HORIZONS,
    STATUS_LABELS,
    TARGET_COLUMNS,
    Milestone,
    Plan,
    PlanTarget,
)
from nlf_planner.plan.tables import first_token, milestones_table, row_areas, targets_table
from nlf_planner.plan.trajectories import better
from nlf_planner.plan.versions import stamp_updates

UNIT_RANGES: dict[str, tuple[float, float | None]] = {
    "percent": (0.0, 100.0),
    "score_0_10": (0.0, 10.0),
    "rate_per_1000": (0.0, 1000.0),
    "years": (0.0, 60.0),
    "count": (0.0, None),
}


class ValidationIssue(BaseModel):
    """One problem in a table, located by 1-based row and the column the user sees."""

    model_config = ConfigDict(frozen=True)
    table: str
    row: int | None
    column: str
    message: str
    severity: Literal["error", "warning"] = "error"
    row_label: str = ""

    def __str__(self) -> str:
        where = f"{self.table}, row {self.row}" if self.row is not None else self.table
        if self.row_label:
            where += f" ({self.row_label})"
        return f"{where}, column “{self.column}”: {self.message}"


def parse_status(v: Any) -> str | None:
    """Accept a status code or its label (any case); None if unknown."""
    text = cell.text(v).lower().replace("-", " ").replace("_", " ")
    for code, label in STATUS_LABELS.items():
        if text in (code.replace("_", " "), label.lower()):
            return code
    return None


def validate_targets(
    df: pd.DataFrame,
    measures: Mapping[str, Measure],
    geo_names: Mapping[str, str],
    table: str = "Targets",
    england_required: bool = True,
    england_values: Mapping[str, Mapping[int, float]] | None = None,
) -> tuple[list[PlanTarget], list[ValidationIssue]]:
    """Check a wide targets table and turn it into records.

    Rules: known measure and geography; one row per measure and geography; numbers only;
    percent within 0–100, scores within 0–10, others not negative; England rows need all
    three horizons; later horizons may not move backwards for the measure's polarity
    (year 1 past year 3, or year 3 past year 5). Regional blanks mean "no override".
    """
    issues: list[ValidationIssue] = []
    targets: list[PlanTarget] = []
    seen: dict[tuple[str, str], int] = {}

    def add(row: int, col: str, msg: str, label: str, severity: str = "error") -> None:
        issues.append(
            ValidationIssue(
                table=table,
                row=row,
                column=COLUMN_LABELS.get(col, col),
                message=msg,
                severity=severity,
                row_label=label,
            )
        )

    england: dict[str, dict[int, float]] = {k: dict(v) for k, v in (england_values or {}).items()}
    for _, r in df.iterrows():
        if (cell.text(r.get("geo_code")) or ENGLAND_CODE) == ENGLAND_CODE:
            vals = {}
            for h in HORIZONS:
                try:
                    v = cell.num(r.get(TARGET_COLUMNS[h]))
                except (TypeError, ValueError):
                    v = None
                if v is not None:
                    vals[h] = v
            england[cell.text(r.get("measure_code"))] = vals

    for pos, (_, r) in enumerate(df.reset_index(drop=True).iterrows(), start=1):
        code = cell.text(r.get("measure_code"))
        geo = cell.text(r.get("geo_code")) or ENGLAND_CODE
        m = measures.get(code)
        label = f"{code} {m.name}" if m else code
        if geo != ENGLAND_CODE:
            label += f", {geo_names.get(geo, geo)}"
        if m is None:
            add(pos, "measure_code", f"unknown measure “{code or '(empty)'}”", label)
            continue
        if geo not in geo_names:
            add(pos, "geo_code", f"unknown geography “{geo}”", label)
            continue
        if (code, geo) in seen:
            add(
                pos,
                "geo_code",
                f"duplicate of row {seen[(code, geo)]}: one row per measure and geography",
                label,
            )
            continue
        seen[(code, geo)] = pos
        lo, hi = UNIT_RANGES.get(m.unit, (None, None))
        values: dict[int, float] = {}
        for h in HORIZONS:
            col = TARGET_COLUMNS[h]
            try:
                v = cell.num(r.get(col))
            except (TypeError, ValueError):
                add(pos, col, f"“{r.get(col)}” is not a number", label)
                continue
            if v is None:
                if geo == ENGLAND_CODE and england_required:
                    add(pos, col, "enter a target (England needs all three horizons)", label)
                continue
            if lo is not None and v < lo or hi is not None and v > hi:
                rng = (
                    f"{cell.fmt(lo)}–{cell.fmt(hi)}"
                    if hi is not None
                    else f"at least {cell.fmt(lo)}"
                )
                what = {"percent": "a percentage", "score_0_10": "a score"}.get(m.unit, m.unit)
                add(pos, col, f"{cell.fmt(v)} is outside {rng} for {what}", label)
                continue
            values[h] = v
            targets.append(PlanTarget(measure_code=code, geo_code=geo, horizon=h, target=v))
        own = set(values)
        blank = all(cell.isnan(r.get(TARGET_COLUMNS[h])) for h in HORIZONS)
        if geo != ENGLAND_CODE and blank:
            add(pos, "y1", "no target entered, so this row overrides nothing", label, "warning")
        if geo != ENGLAND_CODE:
            values = {**england.get(code, {}), **values}
        issues.extend(_order_issues(values, m, pos, label, table, own))
    return targets, issues


def _order_issues(
    values: Mapping[int, float], m: Measure, row: int, label: str, table: str, own: set[int]
) -> list[ValidationIssue]:
    """Later horizons must not be worse than earlier ones for the measure's polarity.

    A regional row is checked on its effective values (its overrides over England's) but
    only blamed for pairs that include one of its own cells."""
    if m.polarity == "neutral":
        return []
    word = "higher" if m.polarity == "higher_is_better" else "lower"
    opposite = "lower" if word == "higher" else "higher"
    out = []
    present = [h for h in HORIZONS if h in values]
    for a, b in zip(present, present[1:], strict=False):
        if a not in own and b not in own:
            continue
        if better(values[b], values[a], m.polarity):
            continue
        rule = f"{word} is better for this measure, so later targets should not be {opposite}"
        if a in own:
            blamed = a
            whose_b = "the " if b in own else "England's "
            message = (
                f"year-{a} target {cell.fmt(values[a])} is already past {whose_b}year-{b} "
                f"target {cell.fmt(values[b])}; {rule}"
            )
        else:  # only the later cell is this row's own: blame it, against England's value
            blamed = b
            message = (
                f"year-{b} target {cell.fmt(values[b])} falls back past England's year-{a} "
                f"target {cell.fmt(values[a])}; {rule}"
            )
        out.append(
            ValidationIssue(
                table=table,
                row=row,
                column=COLUMN_LABELS[TARGET_COLUMNS[blamed]],
                row_label=label,
                message=message,
            )
        )
    return out


def validate_milestones(
    df: pd.DataFrame,
    base_year: int,
    area_codes: Iterable[str],
    measures: Mapping[str, Measure],
    today: date | None = None,
    table: str = "Milestones",
) -> tuple[list[Milestone], list[ValidationIssue]]:
    """Check a milestones table and turn it into records.

    Rules: a title; a known priority area and status; horizon 1, 3 or 5; a due date inside
    its horizon; a last-updated date not in the future; a known linked measure; unique IDs.
    Warnings (not blocking): no owner; a linked measure from another priority area.
    """
    today = today or date.today()
    areas = set(area_codes)
    issues: list[ValidationIssue] = []
    out: list[Milestone] = []
    seen_ids: dict[str, int] = {}
    for pos, (_, r) in enumerate(df.reset_index(drop=True).iterrows(), start=1):
        title = cell.text(r.get("title"))
        label = title[:40] if title else ""
        n_before = len([i for i in issues if i.severity == "error"])

        def add(
            col: str, msg: str, severity: str = "error", _pos: int = pos, _label: str = label
        ) -> None:
            issues.append(
                ValidationIssue(
                    table=table,
                    row=_pos,
                    column=COLUMN_LABELS.get(col, col),
                    message=msg,
                    severity=severity,
                    row_label=_label,
                )
            )

        if not title:
            add("title", "the title is empty")
        area = cell.text(r.get("priority_area"))
        if area not in areas:
            add("priority_area", f"unknown priority area “{area or '(empty)'}”")
        status = parse_status(r.get("status"))
        if status is None:
            choices = ", ".join(STATUS_LABELS.values())
            add("status", f"unknown status “{cell.text(r.get('status'))}” (choose {choices})")
        horizon = None
        try:
            hv = cell.num(r.get("horizon"))
            horizon = int(hv) if hv is not None and hv == int(hv) else None
        except (TypeError, ValueError):
            horizon = None
        if horizon not in HORIZONS:
            add(
                "horizon", f"horizon must be 1, 3 or 5 (years), not “{cell.text(r.get('horizon'))}”"
            )
            horizon = None
        due = last = None
        try:
            due = cell.to_date(r.get("due_date"))
        except (TypeError, ValueError):
            add("due_date", f"“{cell.text(r.get('due_date'))}” is not a date (use YYYY-MM-DD)")
        else:
            if due is None:
                add("due_date", "enter a due date")
            elif horizon is not None:
                lo, hi = horizon_window(base_year, horizon)
                if not lo <= due <= hi:
                    add(
                        "due_date",
                        f"{day_label(due)} is outside the year-{horizon} horizon "
                        f"({day_label(lo)} – {day_label(hi)}) for a plan based in "
                        f"{fy_label(base_year)}",
                    )
        try:
            last = cell.to_date(r.get("last_updated"))
        except (TypeError, ValueError):
            add("last_updated", f"“{cell.text(r.get('last_updated'))}” is not a date")
        else:
            if last is not None and last > today:
                add("last_updated", f"{day_label(last)} is in the future")
        mcode = cell.text(r.get("measure_code")) or None
        if mcode is not None:
            if mcode not in measures:
                add("measure_code", f"unknown measure “{mcode}”")
            elif area in areas and measures[mcode].area_code != area:
                add(
                    "measure_code",
                    f"{mcode} belongs to {measures[mcode].area_code}, not {area}",
                    severity="warning",
                )
        owner = cell.text(r.get("owner"))
        if not owner:
            add("owner", "no owner named", severity="warning")
        item_id = cell.text(r.get("item_id"))
        if item_id:
            if item_id in seen_ids:
                add("item_id", f"duplicate ID (also row {seen_ids[item_id]})")
            seen_ids.setdefault(item_id, pos)
        n_after = len([i for i in issues if i.severity == "error"])
        if n_after == n_before:
            out.append(
                Milestone(
                    item_id=item_id or new_item_id(),
                    priority_area=area,
                    title=title,
                    description=cell.text(r.get("description")),
                    horizon=horizon,
                    due_date=due,
                    owner=owner,
                    status=status,
                    last_updated=last,
                    measure_code=mcode,
                    seeded=bool(r.get("seeded"))
                    if "seeded" in r and not cell.isnan(r.get("seeded"))
                    else False,
                )
            )
    return out, issues


def new_item_id() -> str:
    return "MS-" + uuid.uuid4().hex[:8].upper()


def validate_plan(
    plan: Plan,
    measures: Mapping[str, Measure],
    geo_names: Mapping[str, str],
    area_codes: Iterable[str],
    today: date | None = None,
) -> list[ValidationIssue]:
    """Validate a whole plan (the services check every plan with it before saving)."""
    issues: list[ValidationIssue] = []
    geos = sorted({t.geo_code for t in plan.targets}, key=lambda g: (g != ENGLAND_CODE, g))
    used = {t.measure_code for t in plan.targets}
    tdf = targets_table(plan, [m for m in measures.values() if m.code in used], {}, geos)
    unknown = sorted(used - set(measures))
    for code in unknown:
        issues.append(
            ValidationIssue(
                table="Targets", row=None, column="Measure", message=f"unknown measure “{code}”"
            )
        )
    _, ti = validate_targets(tdf, measures, geo_names)
    issues += ti
    _, mi = validate_milestones(milestones_table(plan), plan.base_year, area_codes, measures, today)
    issues += mi
    return issues


def errors_only(issues: Iterable[ValidationIssue]) -> list[ValidationIssue]:
    return [i for i in issues if i.severity == "error"]


def problems_message(issues: Iterable[ValidationIssue], shown: int = 5) -> str:
    """One sentence naming the errors (the first ``shown`` of them) for a refused save."""
    errors = errors_only(issues)
    n = len(errors)
    text = f"Nothing was saved: the plan has {n} problem{'s' if n != 1 else ''} to fix first"
    if not errors:
        return text + "."
    more = f"; and {n - shown} more" if n > shown else ""
    return text + ": " + "; ".join(str(i) for i in errors[:shown]) + more + "."


def _group_validate(
    df: pd.DataFrame,
    areas: pd.Series,
    current: str | None,
    table: str,
    check: Callable[[pd.DataFrame, str], tuple[list, list]],
) -> tuple[list, list]:
    """Validate rows numbered as the user sees them: the current area's table first, then
    every other area's rows as their own table (named after the area)."""
    if current is None:
        return check(df.reset_index(drop=True), table)
    recs, issues = [], []
    for code in [current, *sorted(set(areas) - {current})]:
        part = df[areas == code]
        if part.empty:
            continue
        r, i = check(
            part.reset_index(drop=True),
            table if code == current else f"{table} ({code or 'no area'})",
        )
        recs += r
        issues += i
    return recs, issues


def draft_from_tables(
    plan: Plan,
    tables: Mapping[str, pd.DataFrame],
    *,
    base_year: int,
    trajectory: str,
    measures: Mapping[str, Measure],
    geo_names: Mapping[str, str],
    region_codes: Mapping[str, str],
    area_codes: Sequence[str],
    today: date,
    area: str | None = None,
) -> tuple[Plan, list[ValidationIssue]]:
    """The plan the editor tables (:func:`~nlf_planner.plan.tables.editor_tables`) describe,
    on top of ``plan``, and every problem found.

    Rows are numbered per table as shown with ``area`` open (other areas' rows under their
    own table name); changed and new milestones get today's ``last_updated``.
    """
    area_of = {c: m.area_code for c, m in measures.items()}
    eng = tables["targets"].copy()
    eng["geo_code"] = ENGLAND_CODE
    eng_targets, issues = _group_validate(
        eng,
        eng["area"],
        area,
        "Targets",
        lambda d, name: validate_targets(d, measures, geo_names, table=name),
    )
    england_values: dict[str, dict[int, float]] = {}
    for tg in eng_targets:
        england_values.setdefault(tg.measure_code, {})[tg.horizon] = tg.target

    reg = tables["regional"]
    reg_df = pd.DataFrame(
        {
            "measure_code": reg["measure"].map(first_token),
            "geo_code": reg["region"].map(lambda n: region_codes.get(n, n)),
            "y1": reg["y1"],
            "y3": reg["y3"],
            "y5": reg["y5"],
        }
    )
    reg_targets, reg_issues = _group_validate(
        reg_df,
        row_areas("regional", reg, area_of),
        area,
        "Regional targets",
        lambda d, name: validate_targets(
            d, measures, geo_names, table=name, england_values=england_values
        ),
    )
    issues += reg_issues

    ms = tables["milestones"]
    ms_df = ms.assign(
        priority_area=ms["priority_area"].map(first_token),
        measure_code=ms["measure_code"].map(first_token),
    )
    milestones, ms_issues = _group_validate(
        ms_df,
        ms_df["priority_area"].fillna(""),
        area,
        "Milestones",
        lambda d, name: validate_milestones(d, base_year, area_codes, measures, today, name),
    )
    issues += ms_issues
    draft = plan.model_copy(
        update={
            "base_year": base_year,
            "trajectory": trajectory,
            "targets": eng_targets + reg_targets,
            "milestones": stamp_updates(milestones, plan.milestones, today),
        }
    )
    return draft, issues


#: A target of 0 is "near" a measure's history when the lowest value recorded is at most
#: this share of the highest (a count that has touched 1 of 20, say). Further away, a 0 is
#: more likely a lost keystroke than a plan (issue 18: typing onto a grid cell stored 0).
NEAR_ZERO_SHARE = 0.1
_NEVER_NEAR = "never came near it"


def zero_target_issues(issues: Iterable[ValidationIssue]) -> list[ValidationIssue]:
    """The warnings :func:`zero_target_warnings` made, among ``issues``."""
    return [i for i in issues if i.severity == "warning" and _NEVER_NEAR in i.message]


def zero_target_warnings(
    started_from: Plan,
    draft: Plan,
    history_ranges: Mapping[tuple[str, str], tuple[float, float]],
    measures: Mapping[str, Measure],
    geo_names: Mapping[str, str],
) -> list[ValidationIssue]:
    """A warning for each target the edits set to 0 where the geography's recorded history
    (lowest, highest) never came near 0. A target already 0 before the edits is left alone:
    the warning is about what was just typed. Warnings never block a save; the page asks
    for a second look before saving."""
    before = started_from.target_map()
    issues = []
    for (code, geo, horizon), value in sorted(draft.target_map().items()):
        if value != 0 or before.get((code, geo, horizon)) == 0:
            continue
        low, high = history_ranges.get((code, geo), (None, None))
        if low is None or high is None or low <= NEAR_ZERO_SHARE * high:
            continue
        m = measures.get(code)
        label = f"{code} {m.name}" if m else code
        where = geo_names.get(geo, geo)
        issues.append(
            ValidationIssue(
                table="Targets",
                row=None,
                column=COLUMN_LABELS[TARGET_COLUMNS[horizon]],
                message=(
                    f"a target of 0 for {where}, whose recorded values {_NEVER_NEAR} "
                    f"(lowest {low:g}, highest {high:g}): check it is meant and not a lost "
                    "keystroke"
                ),
                severity="warning",
                row_label=label,
            )
        )
    return issues
