"""Base years and horizons: when each horizon of a plan starts and ends.

Horizon *h* ends on 31 March of ``base_year + h``: year 1 is the base financial year itself,
years 3 and 5 the third and fifth years of the plan. The baseline sits at the start of the
base year (1 April).
"""

from __future__ import annotations

from datetime import date, timedelta

from nlf_planner.plan.records import HORIZONS, Plan


def financial_year_of(d: date) -> int:
    """Financial year named by its starting calendar year (1 April start)."""
    return d.year if d.month >= 4 else d.year - 1


def default_base_year(today: date | None = None) -> int:
    return financial_year_of(today or date.today())


def base_date(base_year: int) -> date:
    return date(base_year, 4, 1)


def horizon_end(base_year: int, horizon: int) -> date:
    """Last day of horizon ``horizon``: 31 March of ``base_year + horizon``."""
    return date(base_year + horizon, 3, 31)


def horizon_window(base_year: int, horizon: int) -> tuple[date, date]:
    """Due dates a milestone of this horizon may take: after the previous horizon's end
    (or from the base date) up to and including this horizon's end."""
    idx = HORIZONS.index(horizon)
    if idx == 0:
        start = base_date(base_year)
    else:
        start = horizon_end(base_year, HORIZONS[idx - 1]) + timedelta(days=1)
    return start, horizon_end(base_year, horizon)


def horizon_for_date(base_year: int, d: date) -> int | None:
    for h in HORIZONS:
        lo, hi = horizon_window(base_year, h)
        if lo <= d <= hi:
            return h
    return None


def fy_label(base_year: int) -> str:
    return f"{base_year}/{str(base_year + 1)[2:]}"


def shift_years(d: date | None, years: int) -> date | None:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    if d is None or years == 0:
        return d
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def rebase_plan(plan: Plan, new_base_year: int, shift_dates: bool = True) -> Plan:
    """Move a plan to another base year; milestone dates move by the same number of years
    when ``shift_dates`` (so the 2016 launch preset keeps each item in its horizon)."""
    delta = new_base_year - plan.base_year if shift_dates else 0
    ms = [
        m.model_copy(update={"due_date": shift_years(m.due_date, delta)}) for m in plan.milestones
    ]
    return plan.model_copy(update={"base_year": new_base_year, "milestones": ms})
