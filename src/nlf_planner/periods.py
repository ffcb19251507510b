"""Reporting periods: monthly, quarterly (financial quarters) and annual (financial years).

A period is identified by its first day: any first of month (monthly); 1 April, July,
October or January (quarterly); 1 April (annual, the financial year). The illustrative
history starts in April 2016 (:data:`HISTORY_START`), the framework's launch year; imported
real history may go further back, to the ``NLF_EARLIEST_PERIOD`` setting (April 2010 unless
set), so a before-the-framework baseline can be loaded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

HISTORY_START = date(2016, 4, 1)
#: The framework's launch: *Developing People – Improving Care* was published in December
#: 2016 (day not recorded). SPC charts mark it, and "before launch" baselines end before it.
FRAMEWORK_LAUNCH = date(2016, 12, 1)
QUARTER_START_MONTHS = (1, 4, 7, 10)


def add_months(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def latest_complete_month(today: date | None = None) -> date:
    today = today or date.today()
    return add_months(date(today.year, today.month, 1), -1)


def months_in(frequency: str) -> int:
    return {"monthly": 1, "quarterly": 3, "annual": 12}[frequency]


def period_end(start: date, frequency: str) -> date:
    return add_months(start, months_in(frequency)) - timedelta(days=1)


def fits_frequency(d: date, frequency: str) -> bool:
    """Whether a date is a valid period start for the frequency."""
    if d.day != 1:
        return False
    if frequency == "quarterly":
        return d.month in QUARTER_START_MONTHS
    if frequency == "annual":
        return d.month == 4
    return True


def period_starts(frequency: str, end_month: date, start: date = HISTORY_START) -> list[date]:
    """Complete periods from ``start`` whose last day falls within ``end_month``."""
    step = months_in(frequency)
    last_day = period_end(date(end_month.year, end_month.month, 1), "monthly")
    out, current = [], start
    while period_end(current, frequency) <= last_day:
        out.append(current)
        current = add_months(current, step)
    return out


def financial_year(d: date) -> int:
    """The financial year a date falls in, named by its starting calendar year."""
    return d.year if d.month >= 4 else d.year - 1


def label(d: date, frequency: str) -> str:
    if frequency == "annual":
        return f"{d.year}/{str(d.year + 1)[2:]}"
    if frequency == "quarterly":
        q = {4: 1, 7: 2, 10: 3, 1: 4}[d.month]
        fy = financial_year(d)
        return f"Q{q} {fy}/{str(fy + 1)[2:]}"
    return d.strftime("%b %Y")


def day_label(d: date) -> str:
    """A day as the product writes it everywhere, pages and packs alike: "1 Dec 2026"."""
    return f"{d.day} {d:%b %Y}"


def moment_label(d: datetime) -> str:
    """A moment as the product writes it: "1 Dec 2026 14:05"."""
    return f"{day_label(d)} {d:%H:%M}"
