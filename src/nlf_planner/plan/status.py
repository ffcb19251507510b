"""Status: the roll-up per priority area and condition, and the milestones needing attention.

A past-due open milestone counts as off track whatever its recorded status; a group's
headline is its worst open item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from nlf_planner.models import Condition, PriorityArea
from nlf_planner.plan.records import STATUS_LABELS, STATUSES, Milestone, Plan

HEADLINE_LABELS: dict[str, str] = {
    "none": "No milestones",
    "done": "Complete",
    "off_track": "Off track",
    "at_risk": "At risk",
    "on_track": "On track",
    "not_started": "Not started",
}
# Worst first: the headline of a group is its worst open item.
# Not-started items due later are normal, so they only set the headline when nothing has
# started at all.
_SEVERITY = {"off_track": 0, "at_risk": 1, "on_track": 2, "not_started": 3, "done": 4}

ATTENTION_COLUMNS = [
    "item_id",
    "priority_area",
    "title",
    "owner",
    "status",
    "due_date",
    "last_updated",
    "past_due",
    "stale",
    "why",
]


def is_past_due(m: Milestone, today: date) -> bool:
    return m.status != "done" and m.due_date is not None and m.due_date < today


def is_stale(m: Milestone, today: date, days: int) -> bool:
    if m.status == "done":
        return False
    return m.last_updated is None or (today - m.last_updated).days > days


def effective_status(m: Milestone, today: date) -> str:
    """Past-due open items count as off track, whatever their recorded status."""
    return "off_track" if is_past_due(m, today) else m.status


def headline_status(items: Sequence[Milestone], today: date) -> str:
    """A board-readable headline: the worst open item, or complete, or no milestones."""
    if not items:
        return "none"
    open_items = [m for m in items if m.status != "done"]
    if not open_items:
        return "done"
    return min((effective_status(m, today) for m in open_items), key=_SEVERITY.__getitem__)


def _summary(items: Sequence[Milestone], today: date) -> str:
    if not items:
        return "No milestones yet"
    counts = Counter(m.status for m in items)
    parts = [f"{counts[s]} {STATUS_LABELS[s].lower()}" for s in STATUSES if counts[s]]
    late = sum(is_past_due(m, today) for m in items)
    text = f"{len(items)} milestone{'s' if len(items) != 1 else ''}: " + ", ".join(parts)
    if late:
        text += f"; {late} past due"
    return text


def rollup(
    plan: Plan, areas: Sequence[PriorityArea], conditions: Sequence[Condition], today: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Status counts and headline per priority area and per condition.

    Returns two frames with columns ``code, name, total, <status counts>, past_due,
    headline, headline_label, summary`` (the second also has ``areas``).
    """
    by_area: dict[str, list[Milestone]] = {a.code: [] for a in areas}
    for m in plan.milestones:
        by_area.setdefault(m.priority_area, []).append(m)

    def row(code: str, name: str, items: list[Milestone]) -> dict[str, Any]:
        counts = Counter(m.status for m in items)
        head = headline_status(items, today)
        return {
            "code": code,
            "name": name,
            "total": len(items),
            **{s: counts.get(s, 0) for s in STATUSES},
            "past_due": sum(is_past_due(m, today) for m in items),
            "headline": head,
            "headline_label": HEADLINE_LABELS[head],
            "summary": _summary(items, today),
        }

    area_rows = [row(a.code, a.name, by_area.get(a.code, [])) for a in areas]
    cond_rows = []
    for c in conditions:
        codes = [a.code for a in areas if a.condition_code == c.code]
        items = [m for code in codes for m in by_area.get(code, [])]
        cond_rows.append({**row(c.code, c.name, items), "areas": ", ".join(codes)})
    return pd.DataFrame(area_rows), pd.DataFrame(cond_rows)


def attention_list(
    plan: Plan, today: date, stale_days: int, area: str | None = None
) -> pd.DataFrame:
    """Open milestones that are past due or not updated in ``stale_days`` days, worst first."""
    rows = []
    for m in plan.milestones:
        if area and m.priority_area != area:
            continue
        late, stale = is_past_due(m, today), is_stale(m, today, stale_days)
        if not (late or stale):
            continue
        reasons = []
        if late:
            reasons.append(f"past due by {(today - m.due_date).days} days")
        if stale:
            reasons.append(
                "never updated"
                if m.last_updated is None
                else f"not updated for {(today - m.last_updated).days} days"
            )
        rows.append(
            {
                "item_id": m.item_id,
                "priority_area": m.priority_area,
                "title": m.title,
                "owner": m.owner,
                "status": STATUS_LABELS[m.status],
                "due_date": m.due_date,
                "last_updated": m.last_updated,
                "past_due": late,
                "stale": stale,
                "why": "; ".join(reasons),
            }
        )
    df = pd.DataFrame(rows, columns=ATTENTION_COLUMNS)
    if df.empty:
        return df
    return df.sort_values(
        ["past_due", "due_date"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
