"""Seeding a database: the illustrative history, then the plan, scenarios and engagement seeds.

One use case, run by ``make db`` / ``make run`` (through ``python -m nlf_planner.cli.generate``)
and by the test fixtures, so a test database is built exactly as a real one is. It writes
everything, so it needs the admin role. Order and once-only rules:

1. reference content, when the file has none yet;
2. the history (``generate.generate_measurements``) with the as-of month and the generator's
   seed in ``app_meta`` and one audit row naming the actor, all in one transaction;
   skipped when the file already holds measurements, unless ``force`` is given;
3. every seeder in :data:`SEEDERS` (plan versions 1 and 2, the baseline and one illustrative
   scenario, the June 2016 engagement programme), each writing only when its kind of record
   is missing, so a forced regeneration of the history never duplicates or replaces them.

The seed content itself is pure domain (``generate``, ``plan_seed``, ``engagement_seed``);
this module only decides what to write, when, and as whom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from nlf_planner.capacity.params import CapacityParams
from nlf_planner.capacity.scenarios import Scenario, baseline_scenario
from nlf_planner.engagement_seed import seed_events, seed_stakeholders
from nlf_planner.generate import DEFAULT_SEED, generate_measurements
from nlf_planner.models import ICB
from nlf_planner.periods import latest_complete_month
from nlf_planner.plan import Plan, errors_only
from nlf_planner.plan_seed import (
    REVIEW_NOTE,
    SEED_AUTHOR,
    initial_note,
    initial_seed_plan,
    revise_seed_plan,
    seed_anchor,
)
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services import plan_editing
from nlf_planner.services.access import require
from nlf_planner.services.actor import SYSTEM, Actor, Role
from nlf_planner.services.errors import ReadOnly, ServiceError, ValidationFailed
from nlf_planner.store import Database, StoreError
from nlf_planner.store import measurements as measurement_store
from nlf_planner.store import plans as plan_store
from nlf_planner.store import reference as reference_store
from nlf_planner.store import scenarios as scenario_store
from nlf_planner.store.audit import record
from nlf_planner.store.scale import MAX_SCALE, add_scale_copies

__all__ = [
    "DEFAULT_SEED",
    "SEEDERS",
    "SeedResult",
    "seed_database",
    "seed_engagement",
    "seed_plan",
    "seed_scenario_records",
    "seed_scenarios",
]

ACTION = "seed or regenerate the illustrative data"
HISTORY_ENTITY = "measurements"


@dataclass(frozen=True)
class SeedResult:
    """What one run wrote: ``rows`` is 0 (and ``seeded`` empty) when the file was seeded."""

    rows: int
    data_as_of: date | None = None
    seed: int = DEFAULT_SEED
    scale: int = 1
    seeded: dict[str, Any] = field(default_factory=dict)


Seeder = Callable[[Database, Actor], Any]


def _allowed(db: Database, actor: Actor | None) -> Actor:
    """The admin actor, on a writable file; refuse before anything is written."""
    who = require(actor, Role.ADMIN, ACTION)
    if db.read_only:
        raise ReadOnly(
            f"{db.path} is open read-only, so nothing was seeded. {db.read_only_reason}".strip()
        )
    return who


# --- the seeders -------------------------------------------------------------------------


def _checked(db: Database, plan: Plan) -> Plan:
    """The plan, when the plan's rules find no error in it (the store saves as given)."""
    issues = errors_only(plan_editing.plan_reference(db).validate(plan, today=date.today()))
    if issues:
        raise ValidationFailed("The seeded plan breaks the plan's rules; it was not saved.", issues)
    return plan


def seed_plan(db: Database, actor: Actor = SYSTEM) -> int | None:
    """Versions 1 and 2 of the seeded plan, once; the head version id, or None if a plan exists.

    Both are checked with the plan's rules first, as every save is. The versions carry
    :data:`~nlf_planner.plan_seed.SEED_AUTHOR` as author, so the plan's history says the
    content is illustrative seed data.
    """
    _allowed(db, actor)
    if plan_store.latest_version_id(db) is not None:
        return None
    as_of = measurement_store.data_as_of(db) or date.today()
    history = measurement_store.all_series(db, levels=["england"])
    first = initial_seed_plan(reference_store.measures(db), history, as_of)
    v1 = plan_editing.save_version(
        db,
        _checked(db, first),
        author=SEED_AUTHOR,
        note=initial_note(first.base_year),
        expected_version_id=None,
    )
    v2 = plan_editing.save_version(
        db,
        _checked(db, revise_seed_plan(v1, seed_anchor(as_of))),
        author=SEED_AUTHOR,
        note=REVIEW_NOTE,
        expected_version_id=v1.version_id,
    )
    return v2.version_id


def seed_engagement(db: Database, actor: Actor = SYSTEM) -> dict[str, int]:
    """The June 2016 engagement programme, once; later calls write nothing and return zeros."""
    who = _allowed(db, actor)
    # The engagement service checks every seeded record by the rules a typed-in one meets.
    return engagement_service.seed(db, who, seed_stakeholders(), seed_events())


def _expanded(p: CapacityParams) -> CapacityParams:
    """The baseline with half as many places again from year 2, and the budget to match."""
    data = p.model_dump(mode="json")
    data["places"] = [[s[0], s[0] * 1.5] for s in p.places]
    data["qi_places"] = [[s[0], s[0] * 1.5] for s in p.qi_places]
    tmp = CapacityParams.model_validate(data)
    data["budget"] = [tmp.planned_cost(1), tmp.planned_cost(2)]
    return CapacityParams.model_validate(data)


def seed_scenario_records() -> list[tuple[Scenario, str]]:
    """The seeded scenarios with their audit reasons: the baseline, then one alternative."""
    base = baseline_scenario()
    expand = base.model_copy(
        update={
            "name": "Expand programmes by half",
            "description": (
                "Illustrative: 50% more leadership and improvement places from year 2, "
                "budget raised to match."
            ),
            "is_baseline": False,
            "params": _expanded(base.params),
        }
    )
    return [(base, "Seeded baseline"), (expand, "Seeded illustrative scenario")]


def seed_scenarios(db: Database, actor: Actor = SYSTEM) -> int:
    """A saved baseline and one illustrative alternative when the file has no scenarios at all
    (deleted ones count, so a team's clean-up is never undone); the number saved."""
    who = _allowed(db, actor)
    if not scenario_store.list_scenarios(db, include_deleted=True).empty:
        return 0
    records = seed_scenario_records()
    for scenario, reason in records:
        scenario_store.save_scenario(db, scenario, actor=who.display_name, reason=reason)
    return len(records)


#: Other features' seed data, run in this order after the history is written.
SEEDERS: dict[str, Seeder] = {
    "plan": seed_plan,
    "engagement": seed_engagement,
    "scenarios": seed_scenarios,
}


# --- the history -------------------------------------------------------------------------


def _check_scale(scale: int) -> None:
    if not 1 <= scale <= MAX_SCALE:
        raise ValidationFailed(f"--scale must be between 1 and {MAX_SCALE}; nothing was written.")


def _areas(db: Database, scale: int) -> list[ICB]:
    """The ICBs to generate for: the real 42, plus synthetic copies for scale tests."""
    icb_list = reference_store.icbs(db)
    return add_scale_copies(db, icb_list, scale) if scale > 1 else icb_list


def _write_history(db: Database, actor: Actor, end_month: date, seed: int, scale: int) -> int:
    """Replace every measurement with generated history; meta and audit in the same commit."""
    icb_list = _areas(db, scale)
    frame = generate_measurements(
        reference_store.measures(db),
        [i.code for i in icb_list],
        [i.region_code for i in icb_list],
        end_month,
        seed,
        scale,
    )

    def work(cur) -> None:
        measurement_store.delete_all_measurements(cur)
        measurement_store.write_measurements(cur, frame)
        measurement_store.set_meta(cur, "data_as_of", end_month.isoformat())
        measurement_store.set_meta(cur, "generator_seed", str(seed))
        measurement_store.set_meta(
            cur, "generated_at", datetime.now().isoformat(timespec="seconds")
        )
        record(
            cur,
            actor=actor.display_name,
            action="generate",
            entity=HISTORY_ENTITY,
            reason=f"Illustrative history to {end_month:%Y-%m} generated (seed {seed})",
            after={
                "rows": len(frame),
                "data_as_of": end_month,
                "seed": seed,
                "scale": scale,
                "icbs": len(icb_list),
            },
        )

    db.write(work)
    return len(frame)


def seed_database(
    db: Database,
    actor: Actor | None = SYSTEM,
    end_month: date | None = None,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    scale: int = 1,
) -> SeedResult:
    """Seed a file: reference content, history, then every seeder, each once.

    A file that already holds measurements is left alone unless ``force`` is given; then
    only the history (and its meta) is regenerated. ``end_month`` defaults to the latest
    complete month. Raises :class:`NotAllowed` / :class:`NotSignedIn` without the admin role,
    :class:`ReadOnly` on a read-only file and :class:`ValidationFailed` for a scale outside
    1–100, before anything is written.
    """
    who = _allowed(db, actor)
    _check_scale(scale)
    try:
        reference_store.ensure_reference(db)
        if not force and measurement_store.data_as_of(db) is not None:
            return SeedResult(rows=0, seed=seed, scale=scale)
        month = (end_month or latest_complete_month()).replace(day=1)
        rows = _write_history(db, who, month, seed, scale)
        seeded = {name: seeder(db, who) for name, seeder in SEEDERS.items()}
    except StoreError as exc:
        raise ServiceError(f"Seeding stopped: {exc}") from exc
    return SeedResult(rows=rows, data_as_of=month, seed=seed, scale=scale, seeded=seeded)
