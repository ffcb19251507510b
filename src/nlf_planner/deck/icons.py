"""The Making Data Count icons as words and pale fills, and what makes a board exception
(:data:`EXCEPTION_RULE`: concern, an assessable fail, clearly off trajectory, or areas that
are worse than England and getting worse).

The words carry the meaning; the fills only help, so a slide printed in grey still reads.
"""

from __future__ import annotations

import pandas as pd

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Measure
from nlf_planner.regions import RegionsModel, geographies, red_red_cells
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    VARIATION_LABEL,
    VARIATION_LETTER,
    AssuranceIcon,
    VariationIcon,
)
from nlf_planner.units import format_value

# Pale fills behind icon text (the words carry the meaning; colour only helps).
FILL = {
    "improvement": "#D5ECFA",
    "concern": "#FCE1C4",
    "neutral": "#E7DDF2",
    "common": "#F0F4F5",
    "pass": "#D5ECFA",
    "fail": "#FCE1C4",
    "hit_or_miss": "#F0F4F5",
    "not_assessable": "#E8EDEE",
    "none": "#FFFFFF",
}

SHORT_VARIATION = {
    VariationIcon.COMMON: "Common cause",
    VariationIcon.IMPROVEMENT_HIGH: "Improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "Improvement (low)",
    VariationIcon.CONCERN_HIGH: "Concern (high)",
    VariationIcon.CONCERN_LOW: "Concern (low)",
    VariationIcon.NEUTRAL_HIGH: "Special cause (high)",
    VariationIcon.NEUTRAL_LOW: "Special cause (low)",
}
SHORT_ASSURANCE = {
    AssuranceIcon.PASS: "Consistently passes target",
    AssuranceIcon.FAIL: "Consistently fails target",
    AssuranceIcon.HIT_OR_MISS: "Hit or miss",
    AssuranceIcon.NOT_ASSESSABLE: "Not assessable",
}


def icon_kind(icon: str | None) -> str:
    """improvement / concern / neutral / common, from a variation icon value."""
    if not icon:
        return "none"
    return str(icon).split("_")[0]


def variation_text(icon: str | None, short: bool = False) -> str:
    """The icon as text: letter and words, e.g. "L – Special-cause concern (low)"."""
    if not icon:
        return "—"
    v = VariationIcon(icon)
    return f"{VARIATION_LETTER[v]} – {(SHORT_VARIATION if short else VARIATION_LABEL)[v]}"


def assurance_text(icon: str | None, short: bool = False, reason: str | None = None) -> str:
    """The assurance icon as letter and words; "No target" when no target applies. A
    ``reason`` (``spc_reading.assurance_reason``: why it is not assessable) replaces the
    words, so a board reads why, not just that."""
    if not icon:
        return "No target"
    a = AssuranceIcon(icon)
    words = reason or (SHORT_ASSURANCE if short else ASSURANCE_LABEL)[a]
    return f"{ASSURANCE_LETTER[a]} – {words}"


def icon_ref(kind: str, icon: str | None) -> str:
    """What a table's ``icons`` cell holds: "variation:<icon>" or "assurance:<icon>" ("" when
    the measure has no icon, e.g. no target). Renderers draw it with ``charts.mdc_icons``."""
    return f"{kind}:{icon}" if icon else ""


def parse_icon_ref(ref: str) -> tuple[str, str] | None:
    """("variation" | "assurance", icon value) from :func:`icon_ref`, or None."""
    kind, _, value = (ref or "").partition(":")
    return (kind, value) if kind in ("variation", "assurance") and value else None


def assurance_fill(icon: str | None) -> str:
    return {
        AssuranceIcon.PASS.value: FILL["pass"],
        AssuranceIcon.FAIL.value: FILL["fail"],
        AssuranceIcon.HIT_OR_MISS.value: FILL["hit_or_miss"],
        AssuranceIcon.NOT_ASSESSABLE.value: FILL["not_assessable"],
    }.get(str(icon) if icon else "", FILL["none"])


#: How far behind its plan line a measure may be before it is a board exception: more than
#: 10% of the plan line's value for the same period (49.5% against a plan line of 55.1% is
#: 10.1% behind). NHS integrated performance reports commonly use a tolerance of this size
#: around a trajectory, and it is large against these measures' period-to-period noise, so a
#: measure just short of its line is not called out but one clearly adrift is.
OFF_TRAJECTORY_MARGIN = 0.10

#: The rule in words, on the method slide, the summary's notes and the "no exceptions" slide.
EXCEPTION_RULE = (
    "A measure is an exception when its latest point shows special-cause concern, when its "
    "target will consistently fail on limits that describe the latest points (an assessable "
    "F), or when it is off its plan trajectory by more than "
    f"{OFF_TRAJECTORY_MARGIN:.0%} of the plan line's value for the same period, or when an "
    "area the deck covers (a region, or the region and its ICSs) is significantly worse than "
    "England and getting worse (special-cause concern, or a significant worsening trend over "
    "its last 5 periods). Improvement, hit or miss and a not-assessable assurance are not "
    "exceptions on their own."
)


def behind_plan(cell: pd.Series | None, polarity: str) -> float | None:
    """How far the latest value is behind the plan line, as a share of the line's value
    (0.19 = 19% behind); None when the measure is not off trajectory or has no plan line."""
    if cell is None or cell.get("plan_status") != "off trajectory":
        return None
    plan_value, value = cell.get("plan_value"), cell.get("value")
    if pd.isna(plan_value) or pd.isna(value) or abs(float(plan_value)) < 1e-12:
        return None
    sign = -1.0 if polarity == "lower_is_better" else 1.0
    return sign * (float(plan_value) - float(value)) / abs(float(plan_value))


def red_red_areas(model: RegionsModel, measure_code: str, geo: str) -> pd.DataFrame:
    """The areas the deck for ``geo`` covers (England's deck: the 7 regions; a region's:
    the region and its ICSs) that are worse than England and getting worse on the measure,
    with ``name`` and ``red_red_reason``, in the matrix's order."""
    scope = [g for g in geographies(model, geo) if g != ENGLAND_CODE]
    cells = red_red_cells(model, scope, [measure_code])
    return cells.assign(name=[model.names.get(g, g) for g in cells.geo_code])


def red_red_reason(areas: pd.DataFrame) -> str | None:
    """'2 areas are worse than England and getting worse' (None when there are none); the
    slide names them, with their values and reasons, on the lines that follow."""
    if areas.empty:
        return None
    one = len(areas) == 1
    return (
        f"{len(areas)} area{'' if one else 's'} {'is' if one else 'are'} worse than England "
        "and getting worse"
    )


def exception_reasons(model: RegionsModel, measure_code: str, geo: str) -> list[str]:
    """Which parts of :data:`EXCEPTION_RULE` a measure meets in ``geo``, in words (empty: it
    is not an exception). The one home of the rule; the slides quote these words."""
    res = model.results.get((measure_code, geo))
    if res is None or res.empty:
        return []
    m = model.measures[measure_code]
    reasons = []
    if icon_kind(res.variation_icon) == "concern":
        reasons.append("special-cause concern in the latest point")
    if res.assurance_icon == AssuranceIcon.FAIL:
        reasons.append("the target will consistently fail on the current limits")
    cell = model.cell(measure_code, geo)
    behind = behind_plan(cell, m.polarity)
    if behind is not None and behind > OFF_TRAJECTORY_MARGIN:
        reasons.append(
            f"{behind:.1%} behind the plan line ({format_value(cell.value, m.unit)} against "
            f"{format_value(cell.plan_value, m.unit)} planned for now)"
        )
    red = red_red_reason(red_red_areas(model, measure_code, geo))
    if red:
        reasons.append(red)
    return reasons


def is_exception(model: RegionsModel, measure_code: str, geo: str) -> bool:
    """Whether the measure gets an exception slide for ``geo`` (:data:`EXCEPTION_RULE`)."""
    return bool(exception_reasons(model, measure_code, geo))


def exception_measures(model: RegionsModel, geo: str) -> list[Measure]:
    """The measures that get an exception slide for ``geo``, in the summary's order.

    The deck service asks this first, to read the notes of just these charts."""
    return [m for m in model.measures.values() if is_exception(model, m.code, geo)]
