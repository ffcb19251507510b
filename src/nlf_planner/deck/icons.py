"""The Making Data Count icons as words and pale fills, and what makes a board exception.

The words carry the meaning; the fills only help, so a slide printed in grey still reads.
"""

from __future__ import annotations

from nlf_planner.models import Measure
from nlf_planner.regions import RegionsModel
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    VARIATION_LABEL,
    VARIATION_LETTER,
    AssuranceIcon,
    SPCResult,
    VariationIcon,
)

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


def assurance_fill(icon: str | None) -> str:
    return {
        AssuranceIcon.PASS.value: FILL["pass"],
        AssuranceIcon.FAIL.value: FILL["fail"],
        AssuranceIcon.HIT_OR_MISS.value: FILL["hit_or_miss"],
        AssuranceIcon.NOT_ASSESSABLE.value: FILL["not_assessable"],
    }.get(str(icon) if icon else "", FILL["none"])


def is_exception(result: SPCResult | None) -> bool:
    """Board exception: the latest point is special-cause concern, or the target will
    consistently fail."""
    if result is None or result.empty:
        return False
    concern = icon_kind(result.variation_icon) == "concern"
    return concern or result.assurance_icon == AssuranceIcon.FAIL


def exception_measures(model: RegionsModel, geo: str) -> list[Measure]:
    """The measures that get an exception slide for ``geo``, in the summary's order.

    The deck service asks this first, to read the notes of just these charts."""
    return [m for m in model.measures.values() if is_exception(model.results.get((m.code, geo)))]
