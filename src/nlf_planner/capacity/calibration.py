"""Where the capacity model starts: its base state calibrated from observed values.

The model reports against three of the plan's measures (executive vacancies M08, ready-now
successors M06, staff trained in improvement M10) and M02 is evidence for how many senior
leaders are developed. Starting from illustrative defaults instead of what was measured made
even "carry on as now" miss targets from year 0 and had goal seek answer from the wrong
place, so each run takes these four quantities from the latest observed value at or before
the plan's base year (the plan's own baseline rule, so the model's year 0 and the plan line
start at the same period), at the geography being looked at.

Pure: observed values in, base-state parameters and a statement of what was mapped out. The
service reads the measurements; the page shows :func:`mapping_table` and :func:`gaps`.
Everything the data do not cover (posts, headcounts, the other levels' developed shares,
practitioners and experts) keeps the scenario's own value; a measure with no usable value
keeps the scenario's figure for that quantity, labelled "default — no data".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from nlf_planner import periods
from nlf_planner.capacity.params import BaseState, CapacityParams
from nlf_planner.plan import baseline_observation

NO_DATA = "default — no data"
TABLE_COLUMNS = ["Model quantity", "Measure", "Period", "Observed value", "Used value"]


@dataclass(frozen=True)
class Observation:
    """One measured value (percent, as the measure reports it) and the period it is for."""

    measure_code: str
    period: date
    value: float
    frequency: str = "monthly"

    @property
    def period_label(self) -> str:
        return periods.label(self.period, self.frequency)

    @property
    def usable(self) -> bool:
        """A percentage the model can start from (0–100, finite)."""
        return math.isfinite(self.value) and 0.0 <= self.value <= 100.0


@dataclass(frozen=True)
class QuantityMapping:
    """How one measure sets one base-state quantity: read it (percent) and set it."""

    measure_code: str
    quantity: str
    read: Callable[[BaseState], float]
    write: Callable[[BaseState, float], BaseState]


def _set_exec_vacancy(base: BaseState, pct: float) -> BaseState:
    in_post = list(base.in_post)
    in_post[3] = base.posts[3] * (1.0 - pct / 100.0)
    return base.model_copy(update={"in_post": tuple(in_post)})


def _exec_vacancy(base: BaseState) -> float:
    posts = base.posts[3]
    return 100.0 * (posts - base.in_post[3]) / posts if posts else 0.0


def _set_item(name: str, index: int) -> Callable[[BaseState, float], BaseState]:
    def write(base: BaseState, pct: float) -> BaseState:
        values = list(getattr(base, name))
        values[index] = pct / 100.0
        return base.model_copy(update={name: tuple(values)})

    return write


MAPPINGS: tuple[QuantityMapping, ...] = (
    QuantityMapping(
        "M08",
        "Executive posts vacant or interim (vacancy rate, executives)",
        _exec_vacancy,
        _set_exec_vacancy,
    ),
    QuantityMapping(
        "M06",
        "Executive posts with a ready-now successor",
        lambda b: 100.0 * b.successor_ready,
        lambda b, pct: b.model_copy(update={"successor_ready": pct / 100.0}),
    ),
    QuantityMapping(
        "M10",
        "Staff trained in improvement (foundation or above)",
        lambda b: 100.0 * b.qi_share[0],
        _set_item("qi_share", 0),
    ),
    QuantityMapping(
        "M02",
        "Developed share of senior leaders",
        lambda b: 100.0 * b.developed_share[2],
        _set_item("developed_share", 2),
    ),
)
MEASURES: tuple[str, ...] = tuple(m.measure_code for m in MAPPINGS)


@dataclass(frozen=True)
class StartingPoint:
    """The observed values a run starts from, for one geography and base year
    (``base_year`` None = the latest value held)."""

    geo_code: str
    geo_name: str
    base_year: int | None
    observed: Mapping[str, Observation] = field(default_factory=dict)

    def baselines(self) -> dict[str, float]:
        """Measure code → the observed value the run starts from (usable ones only): the
        baselines the plan's direction rule holds an area to."""
        return {code: obs.value for code, obs in self.observed.items() if obs.usable}

    def usable(self, measure_code: str) -> Observation | None:
        found = self.observed.get(measure_code)
        return found if found is not None and found.usable else None


def observation_at_base(
    history: pd.DataFrame, measure_code: str, frequency: str, base_year: int | None
) -> Observation | None:
    """The value a run starts from: the plan's baseline rule (the base period, else the
    latest before it, else the first inside the base year), or the latest value when there
    is no plan (``base_year`` None). ``history`` has ``measure_code, period, value``."""
    if base_year is not None:
        found = baseline_observation(history, measure_code, base_year)
    else:
        h = history[history["measure_code"] == measure_code] if not history.empty else history
        if h.empty:
            found = None
        else:
            idx = pd.to_datetime(h["period"]).idxmax()
            found = (pd.Timestamp(h.loc[idx, "period"]).date(), float(h.loc[idx, "value"]))
    if found is None:
        return None
    return Observation(measure_code, found[0], float(found[1]), frequency)


def apply(params: CapacityParams, point: StartingPoint) -> CapacityParams:
    """``params`` with every quantity that has a usable observation set to it; the rest of
    the base state is the scenario's own."""
    base = params.base
    for m in MAPPINGS:
        obs = point.usable(m.measure_code)
        if obs is not None:
            base = m.write(base, obs.value)
    if base == params.base:
        return params
    return params.model_copy(update={"base": BaseState.model_validate(base.model_dump())})


def gaps(point: StartingPoint, params: CapacityParams) -> list[str]:
    """One sentence per quantity the data could not set, naming the figure used instead."""
    lines = []
    for m in MAPPINGS:
        obs = point.observed.get(m.measure_code)
        used = f"{m.read(params.base):.1f}%"
        if obs is None:
            lines.append(
                f"No observed value for {m.measure_code} at {point.geo_name}: "
                f"the default {used} is used."
            )
        elif not obs.usable:
            lines.append(
                f"The observed value for {m.measure_code} at {point.geo_name} "
                f"({obs.value:.1f}%, {obs.period_label}) is not a percentage between 0 and "
                f"100: the default {used} is used."
            )
    return lines


def mapping_table(point: StartingPoint, params: CapacityParams) -> pd.DataFrame:
    """ "Where the starting point comes from": model quantity, measure, period, observed
    value and the value the run uses (defaults labelled)."""
    started = apply(params, point).base
    rows = []
    for m in MAPPINGS:
        obs = point.observed.get(m.measure_code)
        ok = obs is not None and obs.usable
        rows.append(
            {
                "Model quantity": m.quantity,
                "Measure": m.measure_code,
                "Period": obs.period_label if ok else NO_DATA,
                "Observed value": f"{obs.value:.1f}%" if obs is not None else "–",
                "Used value": f"{m.read(started):.1f}%",
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)
