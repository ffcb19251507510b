"""The summary matrix: one row per measure with latest value, target, plan status, mean and
limits and the variation and assurance icons in words, as integrated performance reports
open."""

from __future__ import annotations

import pandas as pd

from nlf_planner.deck.icons import (
    EXCEPTION_RULE,
    FILL,
    assurance_fill,
    assurance_text,
    icon_kind,
    icon_ref,
    red_red_areas,
    variation_text,
)
from nlf_planner.deck.records import DeckInputs, Slide, SlideTable
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.periods import label as period_label
from nlf_planner.regions import trajectory_text
from nlf_planner.spc import AssuranceIcon, ChartType, SPCResult
from nlf_planner.spc_reading import assurance_reason
from nlf_planner.units import format_value

COLUMNS = [
    "Area", "Measure", "Latest", "Target", "Plan", "Mean", "Limits", "Variation", "Assurance",
]  # fmt: skip


def limits_from(res: SPCResult) -> str:
    """' (Laney p′-chart)' after the limits of a measure not on an XmR chart (the notes say
    limits are XmR unless marked), '' for XmR."""
    return "" if res.chart_type == ChartType.XMR else f" ({res.chart_label})"


def summary_frame(inputs: DeckInputs) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The matrix, its fills and its icons (same shape), measures in priority-area order."""
    rows, fills, icons = [], [], []
    for m in inputs.model.measures.values():
        res = inputs.model.results.get((m.code, inputs.geo))
        if res is None or res.empty:
            rows.append({"Area": m.area_code, "Measure": f"{m.code} {m.name}", "Latest": "No data"})
            fills.append({})
            icons.append({})
            continue
        fmt = lambda v, m=m: format_value(v, m.unit)  # noqa: E731
        limits = (
            f"{fmt(res.latest('lpl'))} – {fmt(res.latest('upl'))}"
            if res.latest("lpl") is not None
            else "—"
        )
        rows.append(
            {
                "Area": m.area_code,
                "Measure": f"{m.code} {m.name}",
                "Latest": f"{fmt(res.latest_value)} "
                f"({period_label(res.latest_period, m.frequency)})",
                "Target": fmt(res.target) if res.target is not None else "—",
                "Plan": trajectory_text(inputs.model.cell(m.code, inputs.geo)),
                "Mean": fmt(res.latest("mean")),
                "Limits": limits + (" (trial)" if res.trial_limits else "") + limits_from(res),
                "Variation": variation_text(res.variation_icon, short=True),
                "Assurance": assurance_text(
                    res.assurance_icon, short=True, reason=assurance_reason(res, m)
                ),
            }
        )
        fills.append(
            {
                "Variation": FILL[icon_kind(res.variation_icon)],
                "Assurance": assurance_fill(res.assurance_icon),
            }
        )
        icons.append(
            {
                "Variation": icon_ref("variation", res.variation_icon),
                "Assurance": icon_ref("assurance", res.assurance_icon),
            }
        )
    data = pd.DataFrame(rows, columns=COLUMNS).fillna("—")
    fill = pd.DataFrame(fills, columns=COLUMNS).fillna("")
    icon = pd.DataFrame(icons, columns=COLUMNS).fillna("")
    return data, fill, icon


def summary_bullets(results: list[SPCResult]) -> list[str]:
    """Counts of each variation kind and of assurance outcomes, in words."""
    kinds = pd.Series([icon_kind(r.variation_icon) for r in results])
    fails = sum(r.assurance_icon == AssuranceIcon.FAIL for r in results)
    passes = sum(r.assurance_icon == AssuranceIcon.PASS for r in results)
    unread = sum(r.assurance_icon == AssuranceIcon.NOT_ASSESSABLE for r in results)
    with_target = sum(r.assurance_icon is not None for r in results)
    return [
        f"{len(results)} measures: {int((kinds == 'improvement').sum())} special-cause "
        f"improvement, {int((kinds == 'concern').sum())} special-cause concern, "
        f"{int((kinds == 'neutral').sum())} special-cause (no direction), "
        f"{int((kinds == 'common').sum())} common-cause variation.",
        (
            f"Against plan targets: {passes} will consistently pass, {fails} will consistently "
            f"fail, {with_target - passes - fails - unread} hit or miss"
            + (
                f", {unread} not assessable until the limits describe the latest points "
                "(a shift or trend still running, or a point beyond a limit)."
                if unread
                else "."
            )
            if with_target
            else "No plan targets apply yet, so there are no assurance icons."
        ),
    ]


def red_red_bullet(inputs: DeckInputs) -> str | None:
    """'Worse than England and getting worse (!!): 3 results on 2 measures (M07 in 2 areas,
    M10 in 1); each is an exception slide.' None when there are none."""
    counts = {
        m.code: len(red_red_areas(inputs.model, m.code, inputs.geo))
        for m in inputs.model.measures.values()
    }
    counts = {c: n for c, n in counts.items() if n}
    if not counts:
        return None
    total = sum(counts.values())
    where = "the regions" if inputs.geo == ENGLAND_CODE else f"{inputs.geo_name} and its ICSs"
    each = ", ".join(f"{c} in {n} area{'' if n == 1 else 's'}" for c, n in counts.items())
    return (
        f"Worse than England and getting worse (!!), across {where}: {total} result"
        f"{'' if total == 1 else 's'} on {len(counts)} measure{'' if len(counts) == 1 else 's'} "
        f"({each}); each such measure is an exception."
    )


def summary_slides(inputs: DeckInputs) -> list[Slide]:
    data, fills, icons = summary_frame(inputs)
    found = [inputs.model.results.get((m.code, inputs.geo)) for m in inputs.model.measures.values()]
    bullets = summary_bullets([r for r in found if r is not None and not r.empty])
    red = red_red_bullet(inputs)
    if red:
        bullets.append(red)
    narrative = (
        "Summary matrix: for each measure, the latest value, the plan target, the SPC mean and "
        "process limits, and the Making Data Count icons (variation: C common cause, H/L "
        "high/low special cause; assurance: P pass, F fail, ? hit or miss, N not assessable); "
        "limits are from an XmR chart unless the table names a p- or p′-chart. " + " ".join(bullets)
    )
    return [
        Slide(
            kind="summary",
            key="summary",
            title=f"Summary matrix: {inputs.geo_name}",
            subtitle="Latest value, target and plan trajectory, mean and limits, variation and "
            "assurance",
            bullets=tuple(bullets),
            narrative=narrative,
            tables=(SlideTable(data, "Measures grouped by priority area (P1–P9)", fills, icons),),
            notes=narrative + " Exception slides follow. " + EXCEPTION_RULE,
        )
    ]
