"""Plan status and roadmap: milestones by priority area with the worst open one as the
headline, the past-due list, and the 1/3/5-year roadmap chart."""

from __future__ import annotations

import pandas as pd

from nlf_planner.charts.roadmap import roadmap_data, roadmap_figure, roadmap_summary
from nlf_planner.deck.icons import FILL
from nlf_planner.deck.labels import plan_label
from nlf_planner.deck.records import DeckInputs, SectionUnavailable, Slide, SlideTable
from nlf_planner.plan import (
    DIRECTION_RULE,
    STATUS_LABELS,
    STATUSES,
    Plan,
    attention_list,
    fy_label,
    rollup,
)

STALE_DAYS = 90
PAST_DUE_SHOWN = 4
HEADLINE_FILL = {
    "off_track": FILL["concern"],
    "at_risk": "#FFF1C6",
    "on_track": FILL["improvement"],
    "done": FILL["improvement"],
}


def status_table(by_area: pd.DataFrame) -> SlideTable:
    """Counts by status per priority area, coloured by the area's headline status."""
    table = pd.DataFrame(
        {
            "Priority area": [f"{r.code} {r.name}" for r in by_area.itertuples()],
            "Milestones": by_area["total"],
            **{STATUS_LABELS[s]: by_area[s] for s in STATUSES},
            "Past due": by_area["past_due"],
            "Headline": by_area["headline_label"],
        }
    )
    fills = pd.DataFrame("", index=table.index, columns=table.columns)
    fills["Headline"] = [HEADLINE_FILL.get(h, "") for h in by_area["headline"]]
    return SlideTable(table, "Headline = the worst open milestone", fills)


def status_bullets(inputs: DeckInputs, plan: Plan, by_area: pd.DataFrame) -> list[str]:
    attention = attention_list(plan, inputs.today, STALE_DAYS)
    late = attention[attention["past_due"]] if not attention.empty else attention
    bullets = [
        f"{int(by_area['total'].sum())} milestones across {len(inputs.model.areas)} priority "
        f"areas; {int(by_area['past_due'].sum())} past due; "
        f"{int((by_area['headline'] == 'off_track').sum())} areas off track, "
        f"{int((by_area['headline'] == 'at_risk').sum())} at risk."
    ]
    for r in late.head(PAST_DUE_SHOWN).itertuples():
        bullets.append(f"Past due: {r.title} ({r.priority_area}, {r.owner or 'no owner'}).")
    return bullets


def _roadmap_slide(inputs: DeckInputs, plan: Plan) -> Slide:
    names = {a.code: a.name for a in inputs.model.areas}
    fig = roadmap_figure(plan.milestones, names, plan.base_year, inputs.today)
    text = roadmap_summary(
        roadmap_data(plan.milestones, names, inputs.today), plan.base_year, inputs.today
    )
    return Slide(
        kind="roadmap",
        key="plan-roadmap",
        title="Roadmap: milestones over the 1, 3 and 5-year horizons",
        subtitle=plan_label(plan),
        narrative=text,
        figures=(fig,),
        notes=text,
    )


def plan_slides(inputs: DeckInputs) -> list[Slide]:
    plan = inputs.plan
    if plan is None:
        raise SectionUnavailable("no plan has been saved yet")
    by_area, _ = rollup(plan, inputs.model.areas, inputs.conditions, inputs.today)
    bullets = status_bullets(inputs, plan, by_area)
    narrative = " ".join(bullets)
    return [
        Slide(
            kind="plan",
            key="plan-status",
            title="Plan status: milestones by priority area",
            subtitle=f"{plan_label(plan)}; base year {fy_label(plan.base_year)}",
            bullets=tuple(bullets),
            narrative=narrative,
            tables=(status_table(by_area),),
            notes=narrative
            + " Past-due open milestones count as off track. Plan lines for regions and ICSs: "
            + DIRECTION_RULE,
        ),
        _roadmap_slide(inputs, plan),
    ]
