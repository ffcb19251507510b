"""Scenarios: the leadership-capacity model's use cases (docs/MODEL.md).

Reading saved scenarios and their versions; running the model; the headline table against
the plan's targets for a geography (by the plan's one rule, so the page and the board deck
agree); compare, sensitivity, goal seek and waterfall; and the writes — save a version,
import, clone, delete — each checked for an editor and validated by the capacity rules before
anything is written. Every refusal is a :class:`ServiceError` a person can read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Literal

import pandas as pd
from pydantic import ValidationError

from nlf_planner import textcheck
from nlf_planner.capacity import calibration, editor_tables
from nlf_planner.capacity import result_tables as tables
from nlf_planner.capacity import scenarios as domain
from nlf_planner.capacity.calibration import StartingPoint
from nlf_planner.capacity.editor_tables import EditorInputs, EditorTablesInvalid
from nlf_planner.capacity.model import ModelResult
from nlf_planner.capacity.params import CapacityParams, Range, validation_message
from nlf_planner.capacity.scenarios import GoalSeekResult, Scenario, ScenarioError
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import Plan
from nlf_planner.services import reference as reference_service
from nlf_planner.services.access import NATIONAL, require_scope
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.cache import per_data_version
from nlf_planner.services.errors import NotFound, ReadOnly, ServiceError, ValidationFailed
from nlf_planner.store import Database, ReadOnlyError, StoreError
from nlf_planner.store import measurements as measurement_store
from nlf_planner.store import scenarios as store

MAX_COMPARE = domain.MAX_COMPARE
HEADLINE_YEARS = domain.HEADLINE_YEARS


@contextmanager
def _readable_errors(action: str) -> Iterator[None]:
    """The store's and the domain's exceptions as refusals a person can read."""
    try:
        yield
    except store.ScenarioNotFound as exc:
        raise NotFound(str(exc)) from exc
    except ReadOnlyError as exc:
        raise ReadOnly(str(exc)) from exc
    except StoreError as exc:
        raise ServiceError(f"Not {action}: {exc}") from exc
    except ValidationError as exc:  # before ValueError: it is a subclass
        raise ValidationFailed(
            f"Not {action}: the scenario is not valid: {validation_message(exc)}", exc.errors()
        ) from exc
    except ScenarioError as exc:
        raise ValidationFailed(str(exc)) from exc


# --- reading saved scenarios ------------------------------------------------------------------


# Reads are kept per data version (every scenario write bumps it), so a rerun with no new
# data reads nothing; frames are copied out, scenarios are pydantic models nobody mutates.


def list_scenarios(db: Database) -> pd.DataFrame:
    """The latest version of each saved scenario, baseline first, then newest first."""
    return _list_scenarios(db).copy()


@per_data_version(maxsize=4)
def _list_scenarios(db: Database) -> pd.DataFrame:
    return store.list_scenarios(db)


def list_versions(db: Database, scenario_id: str) -> pd.DataFrame:
    """Every version of one scenario, newest first (empty for an unknown id)."""
    return _list_versions(db, scenario_id).copy()


@per_data_version(maxsize=16)
def _list_versions(db: Database, scenario_id: str) -> pd.DataFrame:
    return store.list_versions(db, scenario_id)


@per_data_version(maxsize=4)
def baseline_id(db: Database) -> str | None:
    """The saved baseline's id, or None before one is saved."""
    return store.baseline_id(db)


@per_data_version(maxsize=32)
def _stored(db: Database, scenario_id: str, version: int | None) -> Scenario | None:
    return store.load_scenario(db, scenario_id, version)


def load(db: Database, scenario_id: str, version: int | None = None) -> Scenario:
    """One version of a scenario (the latest when ``version`` is None).

    A version that is not there falls back to the latest, so an old link still opens the
    scenario; :class:`NotFound` when the scenario itself is missing or deleted."""
    scenario = _stored(db, scenario_id, int(version)) if version else None
    scenario = scenario or _stored(db, scenario_id, None)
    if scenario is None:
        raise NotFound(f"Scenario {scenario_id} does not exist or was deleted.")
    return scenario


def load_many(db: Database, scenario_ids: Sequence[str]) -> list[Scenario]:
    """The latest version of each id that still exists, in the order given."""
    found = (_stored(db, sid, None) for sid in scenario_ids)
    return [s for s in found if s is not None]


def builtin_baseline() -> Scenario:
    """The baseline before any is saved: today's places and budget carried forward."""
    return domain.baseline_scenario()


def baseline(db: Database) -> Scenario:
    """The saved baseline, or the built-in one (carry on as now) before any is saved."""
    sid = baseline_id(db)
    saved = _stored(db, sid, None) if sid else None
    return saved or domain.baseline_scenario()


def region_names(db: Database) -> dict[str, str]:
    """Region code → name, for the inputs' regional differences and the region table."""
    return dict(_region_names(db))


@per_data_version(maxsize=4)
def _region_names(db: Database) -> dict[str, str]:
    return {r.code: r.name for r in reference_service.regions(db)}


# --- where a run starts ----------------------------------------------------------------------


def starting_point(db: Database, geo: str, plan: Plan | None) -> StartingPoint:
    """The observed values a run at ``geo`` (England, a region or an ICB) starts from: for
    M08, M06, M10 and M02, the value at the plan's base period (else the latest before it,
    else the first inside the base year: the plan's baseline rule), or the latest value
    when there is no plan. Measures with no value are left out (the page says so).
    Worked out once per data version, geography and base year."""
    return _starting_point(db, geo, plan.base_year if plan is not None else None)


@per_data_version(maxsize=16)
def _starting_point(db: Database, geo: str, base_year: int | None) -> StartingPoint:
    frequency = {m.code: m.frequency for m in reference_service.measures(db)}
    observed = {}
    for code in calibration.MEASURES:
        history = measurement_store.series(db, code, geo)
        found = calibration.observation_at_base(
            history, code, frequency.get(code, "monthly"), base_year
        )
        if found is not None:
            observed[code] = found
    return StartingPoint(geo, reference_service.region_name(db, geo), base_year, observed)


def from_data(params: CapacityParams, point: StartingPoint) -> CapacityParams:
    """The parameters a run uses: the scenario's own, with the observed quantities of its
    starting point in place of the stored ones (re-calibrated on every run, so saved
    scenarios and the baseline start from the same, current data)."""
    return calibration.apply(params, point)


def starting_point_table(point: StartingPoint, params: CapacityParams) -> pd.DataFrame:
    """ "Where the starting point comes from": quantity, measure, period, observed, used."""
    return calibration.mapping_table(point, params)


def starting_point_gaps(point: StartingPoint, params: CapacityParams) -> list[str]:
    """What the data could not set, and the default used instead, one sentence each."""
    return calibration.gaps(point, params)


# --- running the model ------------------------------------------------------------------------


def result_key(params: CapacityParams, draws: int, seed: int) -> str:
    """Equal keys give equal results, so callers may cache runs on it."""
    return domain.params_hash(params, draws, seed)


def run(
    params: CapacityParams,
    draws: int,
    seed: int,
    label: str = "run",
    progress: Callable[[float], None] | None = None,
) -> ModelResult:
    """The model's Monte-Carlo run (``progress(fraction)`` after each chunk of draws)."""
    with _readable_errors("run"):
        scenario = Scenario(name=label[:120] or "run", params=params, draws=draws, seed=seed)
        return domain.run_scenario(scenario, progress=progress)


def plan_targets(plan: Plan | None, geo: str, start: StartingPoint | None = None) -> pd.DataFrame:
    """The plan's targets for the model's measures (M06, M08, M10) at ``geo``: its own row,
    else England's, held at the observed level where ``start`` (the run's starting point at
    ``geo``) already beats an inherited target (the plan's rules, shared with the board deck
    and the Regions page)."""
    baselines = start.baselines() if start is not None and start.geo_code == geo else None
    return tables.model_targets(plan, geo, baselines)


def headline(
    results: Mapping[str, ModelResult],
    baseline_result: ModelResult,
    plan: Plan | None,
    geo: str = ENGLAND_CODE,
    start: StartingPoint | None = None,
) -> pd.DataFrame:
    """Headline outputs at years 1/3/5 per scenario with the change vs baseline, the plan's
    target for ``geo`` (see :func:`plan_targets`) and the chance of meeting it."""
    return domain.headline_table(
        dict(results), baseline_result, plan_targets(plan, geo, start), geo
    )


def headline_view(head: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One scenario's headline table in words."""
    return domain.headline_view(head, scenario)


def compare_view(head: pd.DataFrame) -> pd.DataFrame:
    """Scenarios side by side: one column of median (range), change and chance each."""
    return tables.compare_view(head)


def changes(base: CapacityParams, params: CapacityParams) -> list[str]:
    """Plain-English lines naming every assumption that differs from the baseline's."""
    return domain.changes_vs(base, params)


def consequences(base: CapacityParams, params: CapacityParams) -> list[str]:
    """What the model did to the inputs (the budget cap scaling places down), in words."""
    return domain.consequences_vs(base, params)


def run_label(scenario: Scenario, params: CapacityParams) -> str:
    """The scenario's name, or "Your scenario (unsaved)" once its inputs are edited."""
    return domain.run_label(scenario, params)


def fan(
    results: Mapping[str, ModelResult],
    baseline_result: ModelResult,
    name: str,
    level: int,
    geo: str,
    targets: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, float] | None]:
    """The data behind a fan chart: P10/P50/P90 by year per scenario, the baseline's median
    and the plan's targets for that output (None when the plan sets none)."""
    frame = domain.fan_data(dict(results), name, geo, level)
    base = domain.fan_data({"Baseline": baseline_result}, name, geo, level)[["year", "p50"]]
    return frame, base, tables.output_targets(name, level, targets)


def output_targets(name: str, level: int, targets: pd.DataFrame) -> dict[int, float] | None:
    """Year → the plan's target for one output, when the plan sets one."""
    return tables.output_targets(name, level, targets)


def region_table(
    result: ModelResult,
    baseline_result: ModelResult,
    name: str,
    level: int,
    year: int,
    names: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Every region and England in one year: the numbers, the same in words, and whether
    every region reads the same (they share the national assumptions)."""
    data = tables.region_frame(result, baseline_result, name, level, year, names)
    return data, tables.region_view(data, name), tables.regions_identical(data)


def sensitivity(
    params: CapacityParams, name: str, horizon: int, geo: str, level: int
) -> pd.DataFrame:
    """Each uncertain assumption at its low then high value, the rest central (tornado)."""
    with _readable_errors("run"):
        return domain.sensitivity(params, name, horizon, geo, level)


def goal_seek(
    params: CapacityParams,
    name: str,
    target: float,
    horizon: int,
    *,
    confidence: float,
    lever: Literal["places", "budget"],
    geo: str,
    level: int,
    draws: int,
    seed: int,
    progress: Callable[[float], None] | None = None,
) -> GoalSeekResult:
    """The smallest places multiplier (or annual budget) meeting the target with the
    confidence asked, or 'not reachable' with the best value found."""
    with _readable_errors("run"):
        return domain.goal_seek(
            params,
            name,
            float(target),
            int(horizon),
            confidence=confidence,
            lever=lever,
            geo=geo,
            level=level,
            draws=draws,
            seed=seed,
            progress=progress,
        )


def waterfall(
    base: CapacityParams, params: CapacityParams, name: str, horizon: int, geo: str, level: int
) -> pd.DataFrame:
    """The change from baseline to scenario, one group of assumptions at a time."""
    with _readable_errors("run"):
        return domain.waterfall(base, params, name, horizon, geo, level)


# --- the input form ---------------------------------------------------------------------------


def editor_frames(params: CapacityParams, names: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """The input tables for ``params``: places, improvement places, budget, overrides."""
    return {
        "places": editor_tables.places_frame(params),
        "qi_places": editor_tables.places_frame(params, improvement=True),
        "budget": editor_tables.budget_frame(params),
        "overrides": editor_tables.overrides_frame(params, names),
    }


def slider_range(field_name: str, previous: Range, low: float, high: float) -> Range:
    """The range a slider gives (display units in), keeping the reason."""
    return editor_tables.range_from_display(field_name, previous, low, high)


def params_from_editor(
    params: CapacityParams, inputs: EditorInputs, names: Mapping[str, str]
) -> CapacityParams:
    """New parameters from the submitted input form; :class:`ValidationFailed` naming each
    table, row and column to fix (its ``issues``) when they are not valid."""
    try:
        return editor_tables.params_from_tables(params, inputs, names)
    except EditorTablesInvalid as exc:
        raise ValidationFailed(str(exc), exc.issues) from exc


# --- writes -----------------------------------------------------------------------------------


def _valid_params(params: CapacityParams) -> CapacityParams:
    """Validated again: a copy made with ``model_copy(update=...)`` skips pydantic's checks."""
    try:
        return CapacityParams.model_validate(params.model_dump())
    except ValidationError as exc:
        raise ValidationFailed(
            "Not saved: the inputs are not valid: " + validation_message(exc), exc.errors()
        ) from exc


def _refuse_control_characters(action: str, values: Mapping[str, object]) -> None:
    """Hidden control characters in a scenario's name, description or reason are refused by
    the one rule (:mod:`nlf_planner.textcheck`), naming the field; descriptions and reasons
    may hold line breaks."""
    refused = textcheck.problems(values, multiline={"Description", "Why"})
    if refused:
        raise ValidationFailed(f"Not {action}: " + " ".join(refused), refused)


def _scenario(
    name: str, description: str, params: CapacityParams, draws: int, seed: int, is_baseline: bool
) -> Scenario:
    if not (name or "").strip():
        raise ValidationFailed("Not saved: give the scenario a name.")
    _refuse_control_characters("saved", {"Name": name, "Description": description})
    with _readable_errors("saved"):
        return Scenario(
            name=name.strip(),
            description=description or "",
            params=_valid_params(params),
            draws=int(draws),
            seed=int(seed),
            is_baseline=is_baseline,
        )


def save(
    db: Database,
    actor: Actor | None,
    *,
    name: str,
    description: str,
    params: CapacityParams,
    draws: int,
    seed: int,
    version_of: Scenario | None = None,
    reason: str | None = None,
) -> Scenario:
    """Save as a new scenario, or (``version_of``) as the next version of that one; a
    version of the baseline stays the baseline. The audit records the actor's name."""
    who = require_scope(db, actor, Role.EDITOR, "save a scenario", NATIONAL)
    scenario_id = version_of.scenario_id if version_of is not None else None
    is_baseline = bool(version_of is not None and version_of.is_baseline)
    _refuse_control_characters("saved", {"Why": reason})
    draft = _scenario(name, description, params, draws, seed, is_baseline)
    with _readable_errors("saved"):
        return store.save_scenario(
            db, draft, actor=who.display_name, scenario_id=scenario_id, reason=reason or None
        )


def save_goal_seek_answer(
    db: Database,
    actor: Actor | None,
    answer: GoalSeekResult,
    *,
    question: str,
    draws: int,
    seed: int,
) -> Scenario:
    """Save goal seek's answer (its inputs with the lever set to the value found) as a new
    scenario in one step, named after the question, with the answer as its description and
    in the audit's reason. The same role check and audit as any save; refused when there is
    no answer to keep (the target is out of reach, or already met without any change)."""
    require_scope(db, actor, Role.EDITOR, "save a scenario", NATIONAL)
    if answer.params is None or not answer.reachable or answer.already_met:
        raise ValidationFailed(
            "Not saved: goal seek found no change to save (the target is out of reach or "
            "already met). Change the question and find the answer again."
        )
    return save(
        db,
        actor,
        name=f"Goal seek: {question}"[:120],
        description=answer.message,
        params=answer.params,
        draws=draws,
        seed=seed,
        reason=f"Goal seek answer: {answer.message}"[:500],
    )


def parse_import(text: str | bytes) -> Scenario:
    """A scenario read from an exported JSON file, fully validated; nothing is written."""
    try:
        scenario = domain.import_json(text)
    except ScenarioError as exc:
        raise ValidationFailed(f"Not imported: {exc}") from exc
    _refuse_control_characters(
        "imported", {"Name": scenario.name, "Description": scenario.description}
    )
    return scenario.model_copy(update={"params": _valid_params(scenario.params)})


def import_scenario(db: Database, actor: Actor | None, text: str | bytes) -> Scenario:
    """Save an exported scenario as a new one; a bad file is refused and writes nothing."""
    who = require_scope(db, actor, Role.EDITOR, "import a scenario", NATIONAL)
    scenario = parse_import(text)
    with _readable_errors("imported"):
        return store.save_scenario(db, scenario, actor=who.display_name, reason="Imported")


def export_json(scenario: Scenario, params: CapacityParams | None = None) -> str:
    """The scenario (with ``params`` in place of its own, when given) as portable JSON."""
    if params is not None:
        scenario = scenario.model_copy(update={"params": params})
    return domain.export_json(scenario)


def clone(db: Database, actor: Actor | None, scenario_id: str, name: str | None = None) -> Scenario:
    """A new scenario (version 1) with the latest parameters of another; never a baseline."""
    who = require_scope(db, actor, Role.EDITOR, "clone a scenario", NATIONAL)
    source = load(db, scenario_id)
    copy = domain.copy_of(source, name)
    with _readable_errors("cloned"):
        return store.save_scenario(
            db,
            copy,
            actor=who.display_name,
            reason=f"Cloned from {source.scenario_id}/v{source.version}",
        )


def delete(
    db: Database, actor: Actor | None, scenario_id: str, reason: str | None = None
) -> Scenario:
    """Soft-delete a scenario (every version kept, hidden); the baseline is refused.
    Returns what was deleted, for the page's message."""
    who = require_scope(db, actor, Role.EDITOR, "delete a scenario", NATIONAL)
    current = load(db, scenario_id)
    try:
        domain.ensure_deletable(current)
    except ScenarioError as exc:
        raise ServiceError(str(exc)) from exc
    with _readable_errors("deleted"):
        store.delete_scenario(db, scenario_id, actor=who.display_name, reason=reason)
    return current
