"""Typed records shared by the store, the domain modules and the pages."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["percent", "score_0_10", "rate_per_1000", "years", "count"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Frequency = Literal["monthly", "quarterly", "annual"]
AreaLevel = Literal["icb", "region", "england"]

UNIT_LABELS: dict[str, str] = {
    "percent": "%",
    "score_0_10": "score (0–10)",
    "rate_per_1000": "per 1,000",
    "years": "years",
    "count": "count",
}


class Condition(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name: str
    seed_wording: str = ""
    sort_order: int = 0


class PriorityArea(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name: str
    condition_code: str
    actions: str = ""
    sort_order: int = 0


class Measure(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name: str
    area_code: str
    unit: Unit
    polarity: Polarity
    frequency: Frequency
    baseline: float
    definition: str = ""
    source: str = ""
    headline: bool = False

    @property
    def is_proportion(self) -> bool:
        return self.unit == "percent"

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]


class Region(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    ods_code: str
    name: str
    short_name: str


class ICB(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    ods_code: str
    name: str
    region_code: str


class Measurement(BaseModel):
    """One value for one measure, area and period. Proportions keep numerator and denominator."""

    measure_code: str
    area_code: str
    period: date
    numerator: float | None = None
    denominator: float | None = Field(default=None, gt=0)
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    illustrative: bool = True
