"""Reading editor and import cells: empty, numbers, dates and text, the same way everywhere."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd


def isnan(v: Any) -> bool:
    """Whether a cell is empty (None, NaN, NaT or pandas NA)."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def num(v: Any) -> float | None:
    """A cell as a float, or None when empty; raises ValueError for text that is no number."""
    if isnan(v):
        return None
    if isinstance(v, str):
        v = v.strip().replace(",", "")
        if v == "":
            return None
    f = float(v)
    if math.isinf(f):
        raise ValueError("infinite")
    return f


def to_date(v: Any) -> date | None:
    """A cell as a date, or None when empty; raises ValueError for text that is no ISO date."""
    if isnan(v):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = str(v).strip()
    if not text:
        return None
    return datetime.strptime(text[:10], "%Y-%m-%d").date()


def text(v: Any) -> str:
    return "" if isnan(v) else str(v).strip()


def fmt(v: float) -> str:
    return f"{v:g}"
