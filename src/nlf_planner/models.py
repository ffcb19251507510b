"""Typed records shared by the store, the domain modules and the pages."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from nlf_planner.units import UNIT_LABELS

Unit = Literal["percent", "score_0_10", "rate_per_1000", "years", "count"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Frequency = Literal["monthly", "quarterly", "annual"]


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
