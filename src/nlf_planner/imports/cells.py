"""Parsing one cell's text: numbers, periods, dates and codes, in the spellings data managers
use (1,234.5; 45%; 01/04/2024; Apr 2024; Q1 2024/25; 2024/25), and undoing the apostrophe our
own CSV export puts in front of formula-like text."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from nlf_planner.exports_tables import unescape_formula

__all__ = [
    "normalise_code",
    "parse_date",
    "parse_number",
    "parse_period",
    "period_problem",
    "unescape_formula",
]

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str, *, allow_percent: bool = False) -> float | None:
    """A finite number from text ('1,234.5' and, for percentages, '45%' accepted)."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if allow_percent and t.endswith("%"):
        t = t[:-1]
    if _THOUSANDS_RE.match(t):
        t = t.replace(",", "")
    if not _NUMBER_RE.match(t):
        return None
    value = float(t)
    return value if math.isfinite(value) else None


def decimal_places(text: str) -> int:
    """Digits after the point as written (6 for exponent notation): the rounding a figure
    was given to, so a value is checked against its numerator/denominator only that far."""
    t = text.strip().rstrip("%")
    if "e" in t.lower():
        return 6
    return len(t.split(".", 1)[1]) if "." in t else 0


_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_FY_RE = re.compile(r"^(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.I)
_Q_RE = re.compile(r"^q([1-4])\s*(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.I)
_MONTH_NAME_RE = re.compile(r"^([a-z]{3})[a-z]*\.?[\s-]+(\d{4})$", re.I)
#: Fingertips writes a financial quarter year first: "2019/20 Q1".
_FY_Q_RE = re.compile(r"^(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*q([1-4])$", re.I)
_CALENDAR_YEAR_RE = re.compile(r"^\d{4}$")
_CALENDAR_QUARTER_RE = re.compile(r"^(?:(\d{4})\s*q[1-4]|q[1-4]\s*(\d{4}))$", re.I)
_RANGE_RE = re.compile(r"^\d{4}(?:\s*/\s*\d{2,4})?\s*[-–]\s*\d{2,4}(?:\s*/\s*\d{2,4})?$")


def parse_period(text: str) -> tuple[date | None, str | None]:
    """A period start from common spellings; returns (date, kind) or (None, None).

    Accepted: 2024-04-01, 2024-04, 01/04/2024 (UK day first), Apr 2024, Q1 2024/25 and
    Fingertips' 2024/25 Q1 (financial quarters: Q1 = April), 2024/25 (financial year, starts
    1 April). ``kind`` is 'fy' for a financial-year label and 'q' for a quarter label, else
    'date'. Labels that do not map exactly onto one period (a calendar year, a calendar
    quarter, a range of years) give (None, None); :func:`period_problem` says why.
    """
    t = text.strip()
    if not t:
        return None, None
    m = _Q_RE.match(t)
    if m and _fy_ok(m.group(2), m.group(3)):
        return _fy_quarter(int(m.group(2)), int(m.group(1))), "q"
    m = _FY_Q_RE.match(t)
    if m and _fy_ok(m.group(1), m.group(2)):
        return _fy_quarter(int(m.group(1)), int(m.group(3))), "q"
    m = _FY_RE.match(t)
    if m and _fy_ok(m.group(1), m.group(2)):
        return date(int(m.group(1)), 4, 1), "fy"
    m = _MONTH_NAME_RE.match(t)
    if m and m.group(1).lower() in _MONTHS:
        return date(int(m.group(2)), _MONTHS[m.group(1).lower()], 1), "date"
    for fmt in (
        "%Y-%m-%d",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%m/%Y",
        "%Y-%m",
        "%Y/%m/%d",
        "%d-%m-%Y",
        "%d.%m.%Y",
    ):
        try:
            parsed = datetime.strptime(t, fmt)
        except ValueError:
            continue
        if fmt.endswith("%H:%M:%S") and parsed.time() != datetime.min.time():
            return None, None
        return parsed.date(), "date"
    return None, None


def _fy_quarter(fy: int, quarter: int) -> date:
    """The first day of financial quarter ``quarter`` (1 = April) of the year starting ``fy``."""
    month = {1: 4, 2: 7, 3: 10, 4: 1}[quarter]
    return date(fy + (1 if month == 1 else 0), month, 1)


def period_problem(text: str) -> str:
    """Why a period label was not understood, in a sentence that says what to write instead.

    Fingertips labels that cover something other than one of our periods are named for
    what they are (a calendar year, a calendar quarter, a range of years): each would have
    to be guessed onto a financial year or quarter, so none is converted.
    """
    t = text.strip()
    if _CALENDAR_YEAR_RE.match(t):
        y = int(t)
        return (
            f"{t} is a calendar year (January to December); annual measures here run over "
            f"financial years from 1 April. Give the financial year (e.g. {y}/{str(y + 1)[2:]} "
            "for April to March) only if that is what the figure covers."
        )
    m = _CALENDAR_QUARTER_RE.match(t)
    if m:
        return (
            f"{t} is a calendar quarter; quarters here are financial quarters (Q1 = April to "
            "June), written Q1 2024/25 or 2024/25 Q1, or the quarter's first day (2024-04-01)."
        )
    if _RANGE_RE.match(t) or _FY_RE.match(t) or _Q_RE.match(t) or _FY_Q_RE.match(t):
        return (
            f"{t} covers more than one period (a range of years, or a financial year whose "
            "two years do not follow on); import one row per period, e.g. 2024/25 for a "
            "financial year."
        )
    return (
        "Not a date this import understands; write it as 2024-04-01 (year-month-day), "
        "Apr 2024, Q1 2024/25 or 2024/25."
    )


def _fy_ok(start: str, end: str) -> bool:
    s = int(start)
    return int(end) in ((s + 1) % 100, s + 1)


def parse_date(text: str) -> date | None:
    """A calendar date (ISO or UK day-first)."""
    value, kind = parse_period(text)
    return value if kind == "date" else None


def normalise_code(text: object) -> str:
    """'e40000007 ' → 'E40000007': codes (measures, geographies, priority areas) in any case."""
    return str(text or "").strip().upper()
