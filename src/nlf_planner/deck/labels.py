"""Words the deck repeats on several slides: its title, the ambition, how a plan is named."""

from __future__ import annotations

from nlf_planner.periods import day_label
from nlf_planner.plan import Plan

DECK_TITLE = "Developing People – Improving Care"
AMBITION = (
    "An NHS committed to continual learning and improvement, with an engaged workforce and "
    "capable, compassionate leaders at all levels, delivered through a practical, adaptive "
    "plan over 1, 3 and 5 years with a focus on local leadership in each system."
)


def deck_title(geo_name: str) -> str:
    return f"{DECK_TITLE}: board report for {geo_name}"


def plan_label(plan: Plan | None) -> str:
    """The plan version as the title slide, the plan slides and the stamp name it."""
    if plan is None:
        return "no plan saved"
    when = f", {day_label(plan.created_at)}" if plan.created_at else ""
    who = f" by {plan.author}" if plan.author else ""
    return f"plan version {plan.version_id}{when}{who}"
