"""Base years and horizons: windows, the current financial year, moving a plan's base year."""

from __future__ import annotations

from datetime import date

from nlf_planner import plan as P
from tests.unit.plan.common import milestone


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


def test_rebase_plan_shifts_due_dates_with_base_year():
    plan = P.Plan(
        base_year=2026, milestones=[milestone("a", "P1", "on_track", date(2027, 2, 28), None)]
    )
    moved = P.rebase_plan(plan, 2016)
    assert moved.base_year == 2016 and moved.milestones[0].due_date == date(2017, 2, 28)
    kept = P.rebase_plan(plan, 2016, shift_dates=False)
    assert kept.milestones[0].due_date == date(2027, 2, 28)


def test_shift_years_handles_leap_days():
    assert P.shift_years(date(2024, 2, 29), -8) == date(2016, 2, 29)
    assert P.shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert P.shift_years(None, 3) is None
