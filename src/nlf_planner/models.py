"""Typed records shared by the store, the domain modules and the pages."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from nlf_planner.units import UNIT_LABELS

Unit = Literal["percent", "score_0_10", "rate_per_1000", "years", "count"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Frequency = Literal["monthly", "quarterly", "annual"]

#: One measurement row's values, in table order (imports, previews and the store share it).
MEASUREMENT_VALUE_FIELDS: tuple[str, ...] = (
    "measure_code",
    "geo_code",
    "period",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
)
#: A stored measurement row: the values plus whether the row is illustrative.
MEASUREMENT_FIELDS: tuple[str, ...] = (*MEASUREMENT_VALUE_FIELDS, "illustrative")


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
