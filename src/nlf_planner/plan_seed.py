"""A credible seeded plan: targets for every measure and horizon, milestones for every area.

Targets close a stated share of the gap between the England baseline and a realistic
ceiling (or floor, for measures where lower is better) over five years, with 20% of the
five-year change planned by year 1 and 60% by year 3. The ceilings come from the figures in
the domain facts (e.g. 3% executive vacancies in outstanding trusts, a 24% BME workforce
share, about 7 years' chief executive tenure in outstanding trusts).

Milestones follow the framework's actions and the seed's "getting on with existing work"
(Supporting STPs, now ICSs; the Aspiring CEOs programme; board support events; the well-led
review). Dates are relative to the base year; statuses and "last updated" dates are relative
to the data's as-of month, so the same data always give the same plan. Two versions are
built (the initial plan and a first quarterly review) so history and diff have content.

Pure: measures, England's history and the as-of month in, plans out. The seeding service
(``services/seeding.py``) saves them as versions 1 and 2, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import Measure
from nlf_planner.periods import add_months
from nlf_planner.plan import (
    HORIZONS,
    Milestone,
    Plan,
    PlanTarget,
    baselines_from_history,
    financial_year_of,
    fy_label,
)

SEED_AUTHOR = "Seed data (illustrative)"

# measure → (ceiling or floor, share of the gap closed in five years)
AMBITION: dict[str, tuple[float, float]] = {
    "M01": (100.0, 0.8),  # every ICS with a system leadership programme
    "M02": (60.0, 0.5),
    "M03": (100.0, 0.75),
    "M04": (8.0, 0.5),  # Staff Survey compassionate and inclusive (7.30 in 2023)
    "M05": (24.2, 0.6),  # BME share of the workforce, WRES 2022
    "M06": (70.0, 0.5),
    "M07": (70.0, 0.4),
    "M08": (3.0, 0.5),  # vacancies in outstanding-rated trusts (King's Fund 2018)
    "M09": (7.0, 0.3),  # CEO tenure at outstanding-rated trusts (HSJ 2017)
    "M10": (50.0, 0.5),
    "M11": (75.0, 0.4),
    "M12": (100.0, 0.7),
    "M13": (7.5, 0.5),
    "M14": (6.5, 0.4),
    "M15": (85.0, 0.4),
    "M16": (90.0, 0.5),
    "M17": (60.0, 0.4),
}
PHASING = {1: 0.2, 3: 0.6, 5: 1.0}

LONDON, MIDLANDS, SOUTH_WEST = "E40000003", "E40000011", "E40000006"


def _round(value: float, unit: str) -> float:
    return round(value, 2 if unit == "score_0_10" else 1)


def seed_targets(measures: Iterable[Measure], baselines: Mapping[str, float]) -> list[PlanTarget]:
    """England targets for every measure and horizon, plus a few regional overrides."""
    out: list[PlanTarget] = []
    england: dict[str, dict[int, float]] = {}
    for m in measures:
        b = float(baselines.get(m.code, m.baseline))
        limit, share = AMBITION.get(m.code, (b, 0.0))
        if m.polarity == "lower_is_better":
            change = -max(b - limit, 0.0) * share
        else:
            change = max(limit - b, 0.0) * share
        vals = {h: _round(b + PHASING[h] * change, m.unit) for h in HORIZONS}
        england[m.code] = vals
        out += [PlanTarget(measure_code=m.code, horizon=h, target=v) for h, v in vals.items()]

    def override(code: str, geo: str, deltas: Mapping[int, float], hi: float) -> None:
        if code not in england:
            return
        for h, d in deltas.items():
            v = min(max(england[code][h] + d, 0.0), hi)
            out.append(PlanTarget(measure_code=code, geo_code=geo, horizon=h, target=round(v, 1)))

    # London's workforce is far more diverse than England's: a higher board ambition.
    override("M05", LONDON, {1: 4.0, 3: 8.0, 5: 12.0}, 100.0)
    # The Midlands start with more vacant or interim executive posts: a steeper fall.
    override("M08", MIDLANDS, {3: -0.5, 5: -1.0}, 100.0)
    # South West: well-led ratings already ahead, so a higher five-year aim.
    override("M16", SOUTH_WEST, {5: 5.0}, 100.0)
    return out


@dataclass(frozen=True)
class _Item:
    area: str
    title: str
    description: str
    horizon: int
    due: tuple[int, int, int]  # (years after base year, month, day)
    owner: str
    measure: str | None
    status: str
    days_since_update: int


ITEMS: tuple[_Item, ...] = (
    _Item(
        "P1",
        "Supporting ICSs: system leadership offer agreed with every region",
        "Continues the seed's 'Supporting STPs' work for today's integrated care systems.",
        1,
        (0, 9, 30),
        "National leadership team with regional directors",
        "M01",
        "done",
        45,
    ),
    _Item(
        "P1",
        "System leadership programme running in at least 30 of 42 ICSs",
        "Programme in place for ICB, provider and local authority leaders.",
        3,
        (2, 3, 31),
        "Regional leadership academies",
        "M01",
        "on_track",
        20,
    ),
    _Item(
        "P1",
        "Joint ICB–provider–local authority leadership cohorts in every ICS",
        "Senior leaders complete system leadership development together.",
        5,
        (4, 12, 31),
        "Regional leadership academies",
        "M02",
        "not_started",
        60,
    ),
    _Item(
        "P2",
        "Publish the leadership and talent strategy template and self-assessment",
        "Framework action: develop and implement strategies for leadership and talent.",
        1,
        (0, 12, 31),
        "NHS England People Directorate",
        "M03",
        "on_track",
        12,
    ),
    _Item(
        "P2",
        "Every trust and ICB board approves an aligned leadership and talent strategy",
        "Boards approve a strategy aligned with the national framework.",
        3,
        (2, 9, 30),
        "ICB chief people officers",
        "M03",
        "at_risk",
        150,
    ),
    _Item(
        "P2",
        "Leadership and talent strategies reviewed against outcomes in all systems",
        "Peer review of what the strategies changed.",
        5,
        (4, 9, 30),
        "NHS England People Directorate",
        "M03",
        "not_started",
        30,
    ),
    _Item(
        "P3",
        "Compassionate and inclusive leadership module in every national programme",
        "Framework action: compassionate and inclusive leadership for all staff.",
        1,
        (1, 2, 28),
        "NHS Leadership Academy",
        "M04",
        "on_track",
        25,
    ),
    _Item(
        "P3",
        "Diverse shortlists for all executive and non-executive board appointments",
        "Embed inclusion in senior recruitment and talent management.",
        3,
        (1, 12, 31),
        "Regional talent boards",
        "M05",
        "at_risk",
        35,
    ),
    _Item(
        "P3",
        "Board membership reflects the BME share of the workforce (24%)",
        "WRES 2022: BME staff are 24.2% of the workforce.",
        5,
        (5, 3, 31),
        "NHS England Equality and Inclusion team",
        "M05",
        "not_started",
        35,
    ),
    _Item(
        "P4",
        "Regional talent boards meeting in all seven regions",
        "Rebuild regional talent management functions (King's Fund 2018).",
        1,
        (0, 10, 31),
        "Regional directors of people",
        "M06",
        "on_track",
        200,
    ),
    _Item(
        "P4",
        "Scope for Growth career conversations offered to all staff at band 8d and above",
        "Outcomes recorded to inform succession planning.",
        3,
        (2, 3, 31),
        "NHS Leadership Academy",
        "M07",
        "on_track",
        18,
    ),
    _Item(
        "P4",
        "Named ready-now successor for half of executive director posts",
        "Bench strength for every executive post.",
        5,
        (4, 3, 31),
        "Regional talent boards",
        "M06",
        "not_started",
        90,
    ),
    _Item(
        "P5",
        "Aspiring Chief Executive programme: next cohort of about 14 recruited",
        "Seed's existing work; earlier cohorts saw over half of graduates appointed CEOs.",
        1,
        (0, 7, 31),
        "NHS Leadership Academy and NHS Providers",
        "M09",
        "done",
        100,
    ),
    _Item(
        "P5",
        "Board support events held in every region for new chairs and chief executives",
        "Seed's existing work: board support events.",
        1,
        (1, 3, 31),
        "NHS England regional teams",
        "M08",
        "on_track",
        8,
    ),
    _Item(
        "P5",
        "New chief executive induction and first-year support offer",
        "Improve senior-level recruitment and support across NHS-funded services.",
        3,
        (1, 10, 31),
        "NHS England Executive Suite",
        "M09",
        "on_track",
        50,
    ),
    _Item(
        "P5",
        "Executive vacancies and interim posts cut towards outstanding-trust levels",
        "About 3% of posts vacant in outstanding-rated trusts against 8% overall (2017).",
        5,
        (4, 3, 31),
        "Regional directors",
        "M08",
        "not_started",
        50,
    ),
    _Item(
        "P6",
        "Improvement training in induction at every trust",
        "NHS IMPACT baseline (2023): 41% include improvement training in induction.",
        1,
        (1, 3, 31),
        "NHS IMPACT team",
        "M10",
        "on_track",
        22,
    ),
    _Item(
        "P6",
        "NHS IMPACT self-assessment completed by every trust and ICB board",
        "Assess against the five components of NHS IMPACT.",
        3,
        (1, 9, 30),
        "NHS IMPACT team",
        "M11",
        "on_track",
        40,
    ),
    _Item(
        "P6",
        "Foundation-level improvement training reaches a quarter of staff",
        "Build improvement capability among providers, commissioners and communities.",
        5,
        (4, 3, 31),
        "Regional improvement hubs",
        "M10",
        "not_started",
        40,
    ),
    _Item(
        "P7",
        "Leadership and improvement learning outcomes agreed with royal colleges",
        "Framework action: embed improvement in curricula, revalidation and awards.",
        1,
        (1, 1, 31),
        "Workforce, Training and Education directorate",
        "M12",
        "on_track",
        130,
    ),
    _Item(
        "P7",
        "Improvement and leadership embedded in revalidation and award schemes",
        "Agreed with professional regulators.",
        3,
        (2, 12, 31),
        "Workforce, Training and Education directorate",
        "M12",
        "not_started",
        45,
    ),
    _Item(
        "P8",
        "Regional learning networks and Q community peer exchange in every region",
        "Support systems for learning at local, regional and national levels.",
        1,
        (0, 11, 30),
        "Regional improvement hubs",
        "M14",
        "on_track",
        15,
    ),
    _Item(
        "P8",
        "Staff Survey action plans co-produced with staff and patient partners",
        "Open, learning cultures that engage staff and patients.",
        3,
        (2, 6, 30),
        "ICB chief people officers",
        "M13",
        "on_track",
        60,
    ),
    _Item(
        "P8",
        "Patient leaders take part in improvement programmes in every ICS",
        "With National Voices and patient leadership networks.",
        5,
        (3, 12, 31),
        "NHS England Patient and Public Voice team",
        "M15",
        "not_started",
        60,
    ),
    _Item(
        "P9",
        "Well-led review: align CQC well-led and NHS oversight with improvement",
        "Seed's existing work: the well-led review.",
        1,
        (0, 12, 31),
        "NHS England and CQC oversight leads",
        "M16",
        "on_track",
        10,
    ),
    _Item(
        "P9",
        "National bodies publish their own leadership behaviour (360) results",
        "National bodies model the behaviours they ask of others.",
        3,
        (2, 3, 31),
        "National Improvement and Leadership Development Board",
        "M17",
        "not_started",
        75,
    ),
    _Item(
        "P9",
        "Two thirds of trusts rated good or outstanding for well-led",
        "CQC well-led key question.",
        5,
        (4, 12, 31),
        "NHS England and CQC oversight leads",
        "M16",
        "not_started",
        75,
    ),
)


def seed_milestones(base_year: int, anchor: date) -> list[Milestone]:
    """Milestones for every priority area, dated from the base year, updated before ``anchor``."""
    counters: dict[str, int] = {}
    out = []
    for it in ITEMS:
        counters[it.area] = counters.get(it.area, 0) + 1
        yo, month, day = it.due
        out.append(
            Milestone(
                item_id=f"{it.area}-{counters[it.area]:02d}",
                priority_area=it.area,
                title=it.title,
                description=it.description,
                horizon=it.horizon,
                due_date=date(base_year + yo, month, day),
                owner=it.owner,
                status=it.status,
                last_updated=anchor - timedelta(days=it.days_since_update),
                measure_code=it.measure,
                seeded=True,
            )
        )
    return out


def build_seed_plan(
    measures: Iterable[Measure], base_year: int, anchor: date, baselines: Mapping[str, float]
) -> Plan:
    """The initial seeded plan (version 1)."""
    return Plan(
        base_year=base_year,
        trajectory="linear",
        targets=seed_targets(list(measures), baselines),
        milestones=seed_milestones(base_year, anchor),
    )


def revise_seed_plan(plan: Plan, anchor: date) -> Plan:
    """A first quarterly review (version 2): a raised target, a status change, a new item."""
    targets = [
        t.model_copy(update={"target": round(t.target + 2.0, 1)})
        if (t.measure_code, t.geo_code, t.horizon) == ("M10", ENGLAND_CODE, 5)
        else t
        for t in plan.targets
    ]
    milestones = [
        m.model_copy(update={"status": "at_risk", "last_updated": anchor - timedelta(days=5)})
        if m.item_id == "P6-01"
        else m
        for m in plan.milestones
    ]
    milestones.append(
        Milestone(
            item_id="P5-05",
            priority_area="P5",
            title="Non-executive director recruitment and development offer",
            description="Messenger review (2022) recommendation on NED recruitment.",
            horizon=3,
            due_date=date(plan.base_year + 2, 3, 31),
            owner="NHS England Executive Suite",
            status="not_started",
            last_updated=anchor - timedelta(days=5),
            measure_code="M08",
            seeded=True,
        )
    )
    return plan.model_copy(update={"targets": targets, "milestones": milestones})


def seed_anchor(as_of: date, today: date | None = None) -> date:
    """The day seeded items were 'last updated' from: the month after the data's as-of month
    (normally this month), never after today."""
    return min(add_months(as_of, 1), today or date.today())


def initial_seed_plan(
    measures: Iterable[Measure], history: pd.DataFrame, as_of: date, today: date | None = None
) -> Plan:
    """Version 1 for data ending in ``as_of``: the base year is the data's financial year and
    the baselines come from England's history, so the same data always give the same plan."""
    ms = list(measures)
    base_year = financial_year_of(as_of)
    baselines = baselines_from_history(history, ms, base_year)
    return build_seed_plan(ms, base_year, seed_anchor(as_of, today), baselines)


def initial_note(base_year: int) -> str:
    """The version note of the initial seeded plan (shown in the plan's history)."""
    return (
        f"Initial plan for {fy_label(base_year)}: targets from the framework's ambitions, "
        "milestones from its actions and existing work (illustrative)."
    )


REVIEW_NOTE = (
    "First quarterly review: year-5 improvement-training target raised after the "
    "NHS IMPACT baseline; induction milestone now at risk; NED offer added."
)
