"""Parameters of the leadership-capacity model (``MODEL.md``), validated before any run.

Every uncertain assumption is a :class:`Range` (low, central, high) with the reason for it, so a
strategy lead can see and challenge each number. Policy levers (programme places, prices,
budget, allocation rule) are plain numbers: they are decisions, not uncertainties.

Choices where ``MODEL.md`` leaves room (also in ``docs/MODEL.md``):

- The (low, high) of a range bound the triangular distribution (they are its minimum and
  maximum), so a drawn rate can never leave 0–1. ``MODEL.md`` calls the range an 80% interval;
  read literally that would need tails beyond the range, which for rates near 0 or 1 would
  have to be clipped. The draws' own 10th–90th percentile is therefore a little narrower
  than (low, high).
- Programme places and budgets are given per year; a list shorter than the horizon carries
  its last value forward, which is what "carried forward flat" means for the baseline.
- Prices (``cost_per_place``, ``qi_cost``) are contract prices, not uncertain. The budget
  limits leadership-programme places only; improvement training has its own places.
- Regional workforce shares (``region_shares``) split every national stock across the seven
  regions; the default is the illustrative table ``content/region_workforce_share.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlf_planner.settings import CONTENT_DIR

MAX_HORIZON = 10
LEVELS: tuple[int, ...] = (1, 2, 3, 4)
LEVEL_NAMES: dict[int, str] = {
    0: "All levels",
    1: "First-line leaders",
    2: "Middle managers",
    3: "Senior leaders",
    4: "Executives (board)",
}
TIERS: tuple[int, ...] = (1, 2, 3)
TIER_NAMES: dict[int, str] = {1: "Foundation", 2: "Practitioner", 3: "Expert"}
Allocation = Literal["pro_rata_posts", "need", "vacancy"]
ALLOCATION_LABELS: dict[str, str] = {
    "pro_rata_posts": "In proportion to established posts",
    "need": "By need (leaders not yet developed)",
    "vacancy": "By vacant posts",
}

# Bounds per kind of uncertain parameter: (min, max, plain-English description).
BOUNDS: dict[str, tuple[float, float, str]] = {
    "rate": (0.0, 1.0, "between 0 and 1"),
    "growth": (-0.5, 0.5, "between -0.5 and 0.5 (−50% to +50% a year)"),
    "weight": (0.0, 10.0, "between 0 and 10"),
}


class Range(BaseModel):
    """An uncertain value: low and high bound a triangular distribution peaked at central."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float
    central: float
    high: float
    rationale: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        for name in ("low", "central", "high"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number")
        if not self.low <= self.central <= self.high:
            raise ValueError(
                f"low ({self.low:g}) must not exceed central ({self.central:g}), "
                f"and central must not exceed high ({self.high:g})"
            )
        return self

    @classmethod
    def point(cls, value: float, rationale: str = "") -> Range:
        """A zero-width range: the same value in every draw."""
        return cls(low=value, central=value, high=value, rationale=rationale)

    def scaled(self, factor: float) -> Range:
        return Range(
            low=self.low * factor,
            central=self.central * factor,
            high=self.high * factor,
            rationale=self.rationale,
        )


def _check_range(label: str, r: Range, kind: str) -> None:
    lo, hi, text = BOUNDS[kind]
    for name in ("low", "central", "high"):
        value = getattr(r, name)
        if not lo <= value <= hi:
            raise ValueError(f"{label}: {name} = {value:g} must be {text}")


def _non_negative(label: str, values: Iterable[float]) -> None:
    for i, v in enumerate(values):
        if v is None:
            continue
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"{label}, year {i + 1}: {v:g} must be zero or more")


@dataclass(frozen=True)
class ParamSpec:
    """One uncertain parameter: where it lives in :class:`CapacityParams` and how to name it."""

    key: str  # e.g. "attrition.4"
    field: str  # CapacityParams field name
    index: int | None  # position in the per-level/per-tier tuple, or None for a scalar
    kind: str  # bounds kind
    label: str  # plain English
    group: str  # input group on the page


def _level_specs(field: str, kind: str, text: str, group: str, levels=LEVELS) -> list[ParamSpec]:
    return [
        ParamSpec(f"{field}.{lv}", field, i, kind, f"{text}: {LEVEL_NAMES[lv].lower()}", group)
        for i, lv in enumerate(levels)
    ]


GROUPS: dict[str, str] = {
    "places": "Places and funding",
    "attrition": "Attrition and retention",
    "promotion": "Promotion and external recruitment",
    "improvement": "Improvement training",
}

UNCERTAIN: tuple[ParamSpec, ...] = tuple(
    _level_specs("attrition", "rate", "Attrition", "attrition")
    + [
        ParamSpec(
            "retention_gain",
            "retention_gain",
            None,
            "rate",
            "Retention gain of developed leaders",
            "attrition",
        )
    ]
    + _level_specs("promotion", "rate", "Promotion rate", "promotion", levels=(1, 2, 3))
    + [
        ParamSpec(
            "promotion_preference",
            "promotion_preference",
            None,
            "weight",
            "Promotion preference for developed leaders",
            "promotion",
        )
    ]
    + _level_specs("external_fill", "rate", "External fill of vacancies", "promotion")
    + _level_specs("external_developed", "rate", "External hires already developed", "promotion")
    + [ParamSpec("post_growth", "post_growth", None, "growth", "Growth of posts", "promotion")]
    + _level_specs("completion", "rate", "Programme completion", "places")
    + [
        ParamSpec(
            "workforce_growth",
            "workforce_growth",
            None,
            "growth",
            "Workforce growth",
            "improvement",
        ),
        ParamSpec(
            "workforce_attrition",
            "workforce_attrition",
            None,
            "rate",
            "Workforce attrition",
            "improvement",
        ),
    ]
    + [
        ParamSpec(
            f"qi_completion.{k}",
            "qi_completion",
            i,
            "rate",
            f"Improvement training completion: {TIER_NAMES[k].lower()}",
            "improvement",
        )
        for i, k in enumerate(TIERS)
    ]
)
SPEC_BY_KEY: dict[str, ParamSpec] = {s.key: s for s in UNCERTAIN}

# Waterfall groups, switched from baseline to scenario in this fixed order (MODEL.md).
WATERFALL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Places", ("places", "qi_places")),
    ("Budget", ("budget",)),
    ("Attrition", ("attrition", "retention_gain")),
    ("Promotion", ("promotion", "promotion_preference")),
    ("External fill", ("external_fill", "external_developed")),
)


@cache
def default_region_shares() -> dict[str, float]:
    """Illustrative regional workforce shares shipped with the app (see docs/MODEL.md)."""
    frame = pd.read_csv(CONTENT_DIR / "region_workforce_share.csv", dtype={"region_code": str})
    return {str(r.region_code): float(r.workforce_share) for r in frame.itertuples()}


@cache
def region_codes() -> tuple[str, ...]:
    """The seven NHS England regions in a fixed order (the order of the shares file)."""
    return tuple(default_region_shares())


class BaseState(BaseModel):
    """National stocks at the start (year 0), split across regions by workforce share."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    posts: tuple[float, float, float, float] = (95_000, 27_000, 14_500, 2_300)
    in_post: tuple[float, float, float, float] = (90_000, 25_500, 13_500, 2_116)
    developed_share: tuple[float, float, float, float] = (0.12, 0.15, 0.25, 0.35)
    workforce: float = Field(1_500_000, gt=0)
    qi_share: tuple[float, float, float] = (0.10, 0.01, 0.001)
    # M06 at year 0 (share of executive posts with a ready-now successor): not a model stock,
    # the anchor that ``successor_ready`` moves from in proportion to succession cover.
    # 25% is the measure's published baseline; a run from the data takes the observed value.
    successor_ready: float = Field(0.25, ge=0, le=1)

    @field_validator("posts", "in_post")
    @classmethod
    def _heads(cls, v, info):
        for lv, x in zip(LEVELS, v, strict=True):
            if not math.isfinite(x) or x < 0:
                raise ValueError(f"{LEVEL_NAMES[lv]}: {x:g} must be zero or more")
        return v

    @field_validator("developed_share", "qi_share")
    @classmethod
    def _shares(cls, v, info):
        for i, x in enumerate(v):
            if not 0 <= x <= 1:
                raise ValueError(f"item {i + 1}: {x:g} must be between 0 and 1")
        return v


def _r(low: float, central: float, high: float, why: str) -> Range:
    return Range(low=low, central=central, high=high, rationale=why)


class CapacityParams(BaseModel):
    """The full parameter set of one scenario (saved as JSON; any change is a new version)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    horizon: int = Field(5, ge=1, le=MAX_HORIZON, description="years to project (1–10)")
    base: BaseState = BaseState()
    region_shares: dict[str, float] = Field(default_factory=lambda: dict(default_region_shares()))

    attrition: tuple[Range, Range, Range, Range] = (
        _r(0.07, 0.09, 0.11, "First-line leaders leave at about the all-staff rate (9%)."),
        _r(0.08, 0.10, 0.12, "Middle managers: slightly above all-staff turnover."),
        _r(0.09, 0.11, 0.14, "Senior leaders: higher churn, restructures and retirements."),
        _r(
            0.15,
            0.20,
            0.28,
            "Executives: a median chief executive tenure of about 3 years (King's Fund / "
            "NHS Providers 2018) implies roughly a fifth leaving each year.",
        ),
    )
    retention_gain: Range = _r(
        0.05,
        0.15,
        0.25,
        "Developed leaders are assumed to leave 15% less often; evaluations of leadership "
        "programmes report better retention but the size is uncertain.",
    )
    promotion: tuple[Range, Range, Range] = (
        _r(0.02, 0.03, 0.04, "About 3% of first-line leaders step up each year."),
        _r(0.02, 0.03, 0.04, "About 3% of middle managers step up each year."),
        _r(0.015, 0.02, 0.03, "About 2% of senior leaders step up to board level each year."),
    )
    promotion_preference: Range = _r(
        0.2,
        0.5,
        1.0,
        "Developed leaders are 50% more likely to be among those promoted (assumption).",
    )
    external_fill: tuple[Range, Range, Range, Range] = (
        _r(0.50, 0.60, 0.70, "Most first-line vacancies are filled from outside within a year."),
        _r(0.40, 0.50, 0.60, "Half of middle-manager vacancies filled from outside in a year."),
        _r(0.40, 0.50, 0.60, "Half of senior vacancies filled from outside in a year."),
        _r(
            0.40,
            0.50,
            0.60,
            "Half of executive vacancies filled from outside in a year; the rest stay vacant "
            "or interim (8% vacant or interim, NHS Improvement 2017).",
        ),
    )
    external_developed: tuple[Range, Range, Range, Range] = (
        _r(0.02, 0.05, 0.10, "Few first-line recruits arrive with a leadership programme."),
        _r(0.05, 0.10, 0.15, "Some middle-manager recruits are already developed."),
        _r(0.10, 0.20, 0.30, "A fifth of senior recruits are already developed."),
        _r(0.20, 0.30, 0.40, "Executive recruits more often have a senior programme behind them."),
    )
    post_growth: Range = _r(
        0.0, 0.01, 0.02, "Established leadership posts grow about 1% a year (assumption)."
    )
    places: tuple[list[float], list[float], list[float], list[float]] = (
        [3000.0],
        [800.0],
        [300.0],
        [40.0],
    )
    completion: tuple[Range, Range, Range, Range] = (
        _r(0.80, 0.85, 0.90, "Most participants complete; some drop out with workload."),
        _r(0.80, 0.85, 0.90, "Most participants complete; some drop out with workload."),
        _r(0.85, 0.90, 0.95, "Senior programmes have higher completion."),
        _r(0.85, 0.90, 0.95, "Executive programmes have higher completion."),
    )
    cost_per_place: tuple[float, float, float, float] = (3000.0, 6000.0, 12000.0, 25000.0)
    budget: list[float | None] | None = None
    allocation: Allocation = "pro_rata_posts"
    workforce_growth: Range = _r(
        0.005, 0.015, 0.025, "NHS workforce has grown 1–2% a year (NHS workforce statistics)."
    )
    workforce_attrition: Range = _r(
        0.08, 0.09, 0.10, "About 9% of staff leave each year (assumption from turnover data)."
    )
    qi_places: tuple[list[float], list[float], list[float]] = ([40000.0], [4000.0], [300.0])
    qi_completion: tuple[Range, Range, Range] = (
        _r(0.85, 0.90, 0.95, "Foundation courses are short; most complete."),
        _r(0.80, 0.85, 0.90, "Practitioner courses (e.g. QSIR) need a project; some drop out."),
        _r(0.80, 0.85, 0.90, "Expert programmes are long; some drop out."),
    )
    qi_cost: tuple[float, float, float] = (50.0, 1500.0, 8000.0)
    overrides: list[RegionalOverride] = Field(default_factory=list)

    # --- validation -----------------------------------------------------------------------
    @field_validator(
        "attrition",
        "promotion",
        "external_fill",
        "external_developed",
        "completion",
        "qi_completion",
    )
    @classmethod
    def _rate_tuple(cls, v, info):
        for spec in UNCERTAIN:
            if spec.field == info.field_name:
                _check_range(spec.label, v[spec.index], spec.kind)
        return v

    @field_validator(
        "retention_gain",
        "promotion_preference",
        "post_growth",
        "workforce_growth",
        "workforce_attrition",
    )
    @classmethod
    def _scalar_range(cls, v, info):
        spec = SPEC_BY_KEY[info.field_name]
        _check_range(spec.label, v, spec.kind)
        return v

    @field_validator("places", "qi_places")
    @classmethod
    def _places(cls, v, info):
        names = LEVEL_NAMES if info.field_name == "places" else TIER_NAMES
        for i, series in enumerate(v):
            name = names[i + 1]
            if not series:
                raise ValueError(f"{name}: give places for at least year 1")
            if len(series) > MAX_HORIZON:
                raise ValueError(f"{name}: at most {MAX_HORIZON} years of places")
            _non_negative(f"{name} places", series)
        return v

    @field_validator("cost_per_place", "qi_cost")
    @classmethod
    def _prices(cls, v, info):
        _non_negative("price", v)
        return v

    @field_validator("budget")
    @classmethod
    def _budget(cls, v):
        if v is None:
            return v
        if not v:
            raise ValueError("give a budget for at least year 1, or none for unlimited")
        if len(v) > MAX_HORIZON:
            raise ValueError(f"at most {MAX_HORIZON} years of budget")
        _non_negative("budget (£)", v)
        return v

    @field_validator("region_shares")
    @classmethod
    def _shares(cls, v):
        expected = set(region_codes())
        if set(v) != expected:
            missing = sorted(expected - set(v))
            extra = sorted(set(v) - expected)
            raise ValueError(
                f"shares must cover exactly the 7 NHS regions (missing {missing}, unknown {extra})"
            )
        if any(not math.isfinite(x) or x < 0 for x in v.values()):
            raise ValueError("every regional share must be zero or more")
        if abs(sum(v.values()) - 1.0) > 1e-6:
            raise ValueError(
                f"regional shares must add up to 1 (they add up to {sum(v.values()):g})"
            )
        return {code: float(v[code]) for code in region_codes()}

    @model_validator(mode="after")
    def _overrides(self) -> CapacityParams:
        seen: set[tuple[str, str]] = set()
        for i, o in enumerate(self.overrides):
            key = (o.region_code, o.parameter)
            if key in seen:
                raise ValueError(
                    f"overrides[{i}]: {o.parameter} is overridden twice for {o.region_code}"
                )
            seen.add(key)
        return self

    # --- helpers ----------------------------------------------------------------------------
    def range_of(self, key: str) -> Range:
        spec = SPEC_BY_KEY[key]
        value = getattr(self, spec.field)
        return value if spec.index is None else value[spec.index]

    def with_range(self, key: str, new: Range) -> CapacityParams:
        """A copy with one uncertain parameter replaced (validated again)."""
        spec = SPEC_BY_KEY[key]
        data = self.model_dump()
        if spec.index is None:
            data[spec.field] = new.model_dump()
        else:
            items = list(data[spec.field])
            items[spec.index] = new.model_dump()
            data[spec.field] = items
        return CapacityParams.model_validate(data)

    def places_for_year(self, t: int) -> list[float]:
        """National places per level in year t (1-based); the last given year carries on."""
        return [series[min(t, len(series)) - 1] for series in self.places]

    def qi_places_for_year(self, t: int) -> list[float]:
        return [series[min(t, len(series)) - 1] for series in self.qi_places]

    def budget_for_year(self, t: int) -> float | None:
        if self.budget is None:
            return None
        return self.budget[min(t, len(self.budget)) - 1]

    def planned_cost(self, t: int) -> float:
        """£ the year's leadership places would cost before any budget limit."""
        return sum(p * c for p, c in zip(self.places_for_year(t), self.cost_per_place, strict=True))

    def funding_scale(self, t: int) -> float:
        """The share of year t's leadership places the budget pays for (1 = all of them):
        ``min(1, budget / Σ places · cost_per_place)``, the same for every level (step 5).
        The model and the "what changed" statement both read it from here."""
        planned = float(np.asarray(self.places_for_year(t)) @ np.asarray(self.cost_per_place))
        budget = self.budget_for_year(t)
        return 1.0 if budget is None or planned <= budget else budget / planned

    def scale_places(self, factor: float, *, improvement: bool = True) -> CapacityParams:
        """All programme places multiplied by ``factor`` (goal seek's lever)."""
        data = self.model_dump()
        data["places"] = [[p * factor for p in s] for s in self.places]
        if improvement:
            data["qi_places"] = [[p * factor for p in s] for s in self.qi_places]
        return CapacityParams.model_validate(data)


class RegionalOverride(BaseModel):
    """A region whose assumption differs from the national range (e.g. London attrition)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region_code: str
    parameter: str
    range: Range

    @model_validator(mode="after")
    def _known(self) -> RegionalOverride:
        if self.region_code not in region_codes():
            raise ValueError(f"region_code {self.region_code!r} is not one of the 7 NHS regions")
        spec = SPEC_BY_KEY.get(self.parameter)
        if spec is None:
            raise ValueError(
                f"parameter {self.parameter!r} is not an uncertain parameter "
                f"(one of {', '.join(SPEC_BY_KEY)})"
            )
        _check_range(f"{spec.label} ({self.region_code})", self.range, spec.kind)
        return self


CapacityParams.model_rebuild()


def validation_message(exc: ValidationError) -> str:
    """A plain-English list of what is wrong, naming each field, for the page to show."""
    lines = []
    for err in exc.errors():
        where = " → ".join(str(p) for p in err["loc"]) or "parameters"
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {msg}")
    return "; ".join(lines)


def baseline_params(horizon: int = 5) -> CapacityParams:
    """Today's places and budget carried forward flat: every scenario is compared with it."""
    p = CapacityParams(horizon=horizon)
    return p.model_copy(update={"budget": [p.planned_cost(1)]})
