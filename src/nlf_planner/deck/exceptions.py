"""Exception slides: one per measure that meets the deck's exception rule
(:data:`~nlf_planner.deck.icons.EXCEPTION_RULE`), each saying which part of it the measure
meets, with its SPC chart, the one plain-English reading (the words the Regions page shows
for the same chart), the areas worse than England and getting worse with the reason for
each, people's notes (the why) and the plan's open milestones for the measure (what
follows)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from nlf_planner import regions
from nlf_planner.charts.spc import spc_figure
from nlf_planner.deck.icons import (
    EXCEPTION_RULE,
    FILL,
    assurance_fill,
    assurance_text,
    exception_measures,
    exception_reasons,
    icon_kind,
    icon_ref,
    red_red_areas,
    variation_text,
)
from nlf_planner.deck.records import DeckInputs, Slide, SlideTable
from nlf_planner.models import Measure
from nlf_planner.periods import label as period_label
from nlf_planner.plan import STATUS_LABELS, Milestone, Plan
from nlf_planner.spc import SPCResult
from nlf_planner.spc_reading import assurance_reason, reading, short_reading
from nlf_planner.units import format_value

NOTES_SHOWN = 2  # the latest notes on the chart quoted on the slide
ACTIONS_SHOWN = 2  # the soonest open milestones quoted on the slide
RED_RED_SHOWN = 4  # areas named on a slide's line of one reason (all in the notes)
RED_RED_GROUPS = 2  # lines of distinct reasons on a slide (the rest counted)


def _notes(inputs: DeckInputs, code: str) -> pd.DataFrame | None:
    notes = inputs.chart_notes.get(code)
    return notes if notes is not None and not notes.empty else None


def spc_chart(inputs: DeckInputs, m: Measure, res: SPCResult) -> go.Figure:
    """The Regions page's SPC chart of the measure for the deck's geography, with the plan
    line, horizon targets, notes and rebase reasons."""
    kwargs: dict[str, Any] = {
        "plan_line": regions.plan_line(inputs.model, m.code, inputs.geo),
        "horizon_targets": regions.horizon_targets(inputs.model, m.code, inputs.geo),
    }
    notes = _notes(inputs, m.code)
    if notes is not None:
        kwargs["annotations"] = notes
    if res.rebase_periods and inputs.rebase_reasons.get(m.code):
        kwargs["rebase_reasons"] = dict(inputs.rebase_reasons[m.code])
    unit_title = regions.UNIT_TITLE.get(m.unit, m.unit_label)
    return spc_figure(
        res,
        title=f"{m.name} — {inputs.geo_name}<br><sup>SPC chart of the {m.frequency} "
        f"{unit_title}: mean, process limits, plan</sup>",
        y_title=m.unit_label,
        value_format=".2f" if m.unit == "score_0_10" else ".1f",
        period_labels=[period_label(d.date(), m.frequency) for d in res.to_frame().period],
        height=500,
        **kwargs,
    )


def open_milestones(plan: Plan | None, measure_code: str) -> list[Milestone]:
    """The plan's milestones linked to a measure that are not done, soonest due first."""
    if plan is None:
        return []
    linked = [x for x in plan.milestones if x.measure_code == measure_code and x.status != "done"]
    return sorted(linked, key=lambda x: x.due_date or date.max)


def why_and_what_follows(inputs: DeckInputs, m: Measure) -> tuple[list[str], list[str]]:
    """Context a reading cannot compute: people's notes on this chart (the why) and the
    plan's open milestones linked to this measure (what follows)."""
    why = []
    notes = _notes(inputs, m.code)
    for r in notes.tail(NOTES_SHOWN).itertuples() if notes is not None else ():
        when = r.period.strftime("%b %Y") if r.period else ""
        why.append(f"Note on the chart ({when}): {r.text} ({r.author}).")
    follows: list[str] = []
    if inputs.plan is None:
        return why, follows
    linked = open_milestones(inputs.plan, m.code)
    for x in linked[:ACTIONS_SHOWN]:
        due = f", due {x.due_date:%b %Y}" if x.due_date else ""
        status = STATUS_LABELS.get(x.status, x.status).lower()
        follows.append(f"Plan action: {x.title} ({status}; {x.owner or 'no owner'}{due}).")
    if not linked:
        follows.append(
            "No open plan milestone is linked to this measure: the board may ask for an action."
        )
    return why, follows


def red_red_lines(inputs: DeckInputs, m: Measure) -> tuple[list[str], list[str]]:
    """The areas worse than England and getting worse on ``m``: for the slide, one line per
    distinct reason, naming the areas it applies to with their values ("!! London (50.6%)
    and North West London (49.7%), against England's 55.0%: a shift of concern since Mar
    2025."; at most :data:`RED_RED_SHOWN` names a line and :data:`RED_RED_GROUPS` lines, the
    rest counted); for the notes, every area with its full reason."""
    areas = red_red_areas(inputs.model, m.code, inputs.geo)
    fmt = lambda v: format_value(v, m.unit)  # noqa: E731
    groups: dict[str, list] = {}
    for r in areas.itertuples():
        groups.setdefault(r.getting_worse_reason, []).append(r)
    shown = []
    for signals, rows in list(groups.items())[:RED_RED_GROUPS]:
        named = [f"{r.name} ({fmt(r.value)})" for r in rows[:RED_RED_SHOWN]]
        if len(rows) > RED_RED_SHOWN:
            named.append(f"{len(rows) - RED_RED_SHOWN} more (in the notes)")
        who = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        shown.append(f"!! {who}, against England's {fmt(rows[0].england_value)}: {signals}.")
    rest = sum(len(rows) for rows in list(groups.values())[RED_RED_GROUPS:])
    if rest:
        shown.append(
            f"!! {rest} more area{'' if rest == 1 else 's'} worse and getting worse for other "
            "reasons (in the notes)."
        )
    full = [f"!! {r.name}: {r.red_red_reason}." for r in areas.itertuples()]
    return shown, full


def _facts(m: Measure, res: SPCResult) -> SlideTable:
    sig = res.signal
    facts = pd.DataFrame(
        [
            {
                "Latest": format_value(res.latest_value, m.unit),
                "Target": format_value(res.target, m.unit) if res.target is not None else "—",
                "Mean": format_value(res.latest("mean"), m.unit),
                "Variation": variation_text(res.variation_icon),
                "Assurance": assurance_text(res.assurance_icon, reason=assurance_reason(res, m)),
                "Since": period_label(sig.start, m.frequency) if sig and sig.start else "—",
                "Limits from": res.chart_label,
            }
        ]
    )
    fills = pd.DataFrame(
        [
            {
                "Variation": FILL[icon_kind(res.variation_icon)],
                "Assurance": assurance_fill(res.assurance_icon),
            }
        ],
        columns=facts.columns,
    ).fillna("")
    icons = pd.DataFrame(
        [
            {
                "Variation": icon_ref("variation", res.variation_icon),
                "Assurance": icon_ref("assurance", res.assurance_icon),
            }
        ],
        columns=facts.columns,
    ).fillna("")
    return SlideTable(facts, "", fills, icons)


def _none_slide(inputs: DeckInputs) -> Slide:
    text = f"No measure in {inputs.geo_name} meets the exception rule this period. {EXCEPTION_RULE}"
    return Slide(
        kind="exception",
        key="exceptions-none",
        title="Exceptions: none this period",
        bullets=(text,),
        narrative=text,
        notes=text,
    )


def exception_slides(inputs: DeckInputs) -> list[Slide]:
    found = exception_measures(inputs.model, inputs.geo)
    if not found:
        return [_none_slide(inputs)]
    slides = []
    for i, m in enumerate(found, start=1):
        res = inputs.model.results[(m.code, inputs.geo)]
        # The same call, with the same measure and geography name, as regions.reading().
        r = reading(res, m, inputs.geo_name)
        because = (
            "Why this is an exception: "
            + "; ".join(exception_reasons(inputs.model, m.code, inputs.geo))
            + "."
        )
        why, follows = why_and_what_follows(inputs, m)
        reds, all_reds = red_red_lines(inputs, m)
        slides.append(
            Slide(
                kind="exception",
                key=f"exception-{m.code}",
                title=f"Exception {i} of {len(found)}: {m.code} {m.name}",
                subtitle=short_reading(res, m),
                bullets=(because, *reds, *r.sentences, *why, *follows),
                narrative=r.text,
                tables=(_facts(m, res),),
                figures=(spc_chart(inputs, m, res),),
                notes=" ".join(
                    [
                        because,
                        *all_reds,
                        r.text,
                        *why,
                        *follows,
                        "Questions for the board: what is driving this, and what action "
                        f"follows? Priority area {m.area_code}. Definition: {m.definition}",
                    ]
                ),
            )
        )
    return slides
