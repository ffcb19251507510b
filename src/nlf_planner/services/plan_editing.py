"""The plan's use cases: read versions, compare them, save a draft, restore a version.

Every write takes the acting :class:`~nlf_planner.services.actor.Actor` and needs the editor
role; an editor with a region scope may change only their region's (and its ICBs') targets,
checked on the diff the write makes (:func:`changed_geographies`); the audit row names
``actor.display_name``. A save checks everything with the plan's
rules first and writes nothing when a rule fails (:class:`ValidationFailed` with every
:class:`~nlf_planner.plan.ValidationIssue`), when there is nothing new to save
(:class:`NothingToSave`) or when someone saved a newer version since the draft was opened
(:class:`StaleVersion` with that version's number; the caller keeps the edits and may put
them on top of it with :func:`rebase_edits`). Store failures become the services' errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import pandas as pd

from nlf_planner import plan as plan_rules
from nlf_planner.models import Condition, Measure, PriorityArea, Region
from nlf_planner.plan import Change, MergeConflict, Plan, ValidationIssue
from nlf_planner.services.access import require, require_scope
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.cache import per_data_version
from nlf_planner.services.errors import (
    NotFound,
    NothingToSave,
    ReadOnly,
    ServiceError,
    StaleVersion,
    Unavailable,
    ValidationFailed,
)
from nlf_planner.store import Database, DatabaseUnavailable, ReadOnlyError, StoreError
from nlf_planner.store import engagement as engagement_store
from nlf_planner.store import measurements as measurement_store
from nlf_planner.store import plans as plan_store
from nlf_planner.store import reference as reference_store

__all__ = [
    "Draft",
    "NothingToSave",
    "PlanEdits",
    "PlanReference",
    "build_draft",
    "changed_geographies",
    "diff_versions",
    "latest_version_id",
    "list_versions",
    "load_plan",
    "plan_audit",
    "plan_reference",
    "rebase_edits",
    "restore_version",
    "roadmap_events",
    "save_draft",
    "save_version",
    "version_exists",
]


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class PlanReference:
    """The framework content and geography a plan is edited and checked against."""

    measures: list[Measure]
    areas: list[PriorityArea]
    conditions: list[Condition]
    regions: list[Region]
    geo_names: dict[str, str]

    @cached_property
    def by_code(self) -> dict[str, Measure]:
        return {m.code: m for m in self.measures}

    @cached_property
    def area_of(self) -> dict[str, str]:
        """Measure code → its priority area."""
        return {m.code: m.area_code for m in self.measures}

    @cached_property
    def area_names(self) -> dict[str, str]:
        return {a.code: a.name for a in self.areas}

    @cached_property
    def area_labels(self) -> dict[str, str]:
        return {a.code: f"{a.code} {a.name}" for a in self.areas}

    @cached_property
    def region_names(self) -> dict[str, str]:
        return {r.code: r.name for r in self.regions}

    @cached_property
    def region_codes(self) -> dict[str, str]:
        return {r.name: r.code for r in self.regions}

    def editor_tables(self, plan: Plan, baselines: Mapping[str, float]) -> dict[str, pd.DataFrame]:
        """The plan as the three editor tables (England targets, regional, milestones)."""
        return plan_rules.editor_tables(
            plan, self.measures, baselines, self.area_labels, self.region_names
        )

    def diff(self, old: Plan, new: Plan) -> list[Change]:
        """What changed from ``old`` to ``new``, with measure and geography names."""
        return plan_rules.diff_plans(
            old, new, self.geo_names, {m.code: m.name for m in self.measures}
        )

    def validate(self, plan: Plan, today: date | None = None) -> list[ValidationIssue]:
        """Every problem the plan's rules find in a whole plan."""
        return plan_rules.validate_plan(
            plan, self.by_code, self.geo_names, [a.code for a in self.areas], today
        )


@per_data_version(maxsize=4)
def plan_reference(db: Database) -> PlanReference:
    """The measures, areas, conditions and regions the plan is edited against, read once
    per data version (issue 12). Shared between sessions: read-only."""
    return PlanReference(
        measures=reference_store.measures(db),
        areas=reference_store.priority_areas(db),
        conditions=reference_store.conditions(db),
        regions=reference_store.regions(db),
        geo_names=reference_store.geography_names(db),
    )


@per_data_version(maxsize=16)
def load_plan(db: Database, version_id: int | None = None) -> Plan | None:
    """One version, whole (the latest when ``version_id`` is None); None when there is none.

    Read once per data version (every save moves it): the same object is handed to every
    caller and session, so nobody may change it (``model_copy`` makes a draft)."""
    return plan_store.load_plan(db, version_id)


@per_data_version(maxsize=4)
def latest_version_id(db: Database) -> int | None:
    """The plan's head: the version the next save must start from (the save itself checks
    it again in its transaction, so a cached head can never let a stale save through)."""
    return plan_store.latest_version_id(db)


@per_data_version(maxsize=64)
def version_exists(db: Database, version_id: int) -> bool:
    return plan_store.version_exists(db, version_id)


def list_versions(db: Database) -> pd.DataFrame:
    """Every version, newest first: counts, author, note and which one is the latest
    (a copy of the read kept per data version)."""
    return _list_versions(db).copy()


@per_data_version(maxsize=4)
def _list_versions(db: Database) -> pd.DataFrame:
    return plan_store.list_versions(db)


def diff_versions(
    db: Database, old_version: int, new_version: int, ref: PlanReference | None = None
) -> list[Change]:
    """What changed between two stored versions, with measure and geography names (from
    ``ref`` when the caller holds it)."""
    old, new = load_plan(db, old_version), load_plan(db, new_version)
    if old is None or new is None:
        raise NotFound(f"There is no plan version {old_version if old is None else new_version}.")
    return (ref or plan_reference(db)).diff(old, new)


def plan_audit(db: Database, limit: int = 500) -> pd.DataFrame:
    """Audit rows of plan saves, imports and restores, newest first."""
    return plan_store.plan_audit(db, limit=limit)


def roadmap_events(db: Database, plan: Plan) -> pd.DataFrame:
    """Engagement events inside the plan's five years, for the roadmap's own row."""
    with _refusals():
        return engagement_store.events_for_roadmap(
            db,
            since=plan_rules.base_date(plan.base_year),
            until=plan_rules.horizon_end(plan.base_year, 5),
        )


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class PlanEdits:
    """What a person edited: the three editor tables as shown
    (:meth:`PlanReference.editor_tables`), the header choices, and the priority area open
    when they save (its rows are numbered first, as on screen)."""

    tables: Mapping[str, pd.DataFrame]
    base_year: int
    trajectory: str
    area: str | None = None


@dataclass(frozen=True)
class Draft:
    """The plan the edits describe and every problem found in them."""

    plan: Plan
    issues: list[ValidationIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[ValidationIssue]:
        return plan_rules.errors_only(self.issues)

    @property
    def warnings(self) -> list[ValidationIssue]:
        return [i for i in self.issues if i.severity == "warning"]


def build_draft(
    db: Database, started_from: Plan, edits: PlanEdits, today: date | None = None
) -> Draft:
    """Check the edited tables with the plan's rules and turn them into a draft on top of
    ``started_from`` (changed milestones stamped with today's date). Writes nothing."""
    ref = plan_reference(db)
    draft, issues = plan_rules.draft_from_tables(
        started_from,
        edits.tables,
        base_year=int(edits.base_year),
        trajectory=edits.trajectory,
        measures=ref.by_code,
        geo_names=ref.geo_names,
        region_codes=ref.region_codes,
        area_codes=[a.code for a in ref.areas],
        today=today or date.today(),
        area=edits.area,
    )
    issues += plan_rules.zero_target_warnings(
        started_from, draft, history_ranges(db), ref.by_code, ref.geo_names
    )
    return Draft(draft, issues)


@per_data_version(maxsize=2)
def history_ranges(db: Database) -> dict[tuple[str, str], tuple[float, float]]:
    """(measure, geography) → (lowest, highest) value recorded for England and the regions:
    what a new target of 0 is checked against (``plan.zero_target_warnings``)."""
    series = measurement_store.all_series(db, levels=["england", "region"])
    if series.empty:
        return {}
    grouped = series.groupby(["measure_code", "geo_code"])["value"].agg(["min", "max"])
    return {
        (str(code), str(geo)): (float(lo), float(hi))
        for (code, geo), lo, hi in zip(grouped.index, grouped["min"], grouped["max"], strict=True)
    }


def rebase_edits(original: Plan, edited: Plan, latest: Plan) -> tuple[Plan, list[MergeConflict]]:
    """Your changes (``original`` → ``edited``) on top of ``latest``, a colleague's kept where
    you both changed the same thing (listed as conflicts). Pure: nothing is read or written."""
    return plan_rules.rebase_edits(original, edited, latest)


# --------------------------------------------------------------------------- writes


def save_draft(
    db: Database,
    actor: Actor | None,
    draft: Draft | Plan,
    *,
    note: str,
    expected_version_id: int | None,
    today: date | None = None,
) -> Plan:
    """Save ``draft`` as a new version started from ``expected_version_id``.

    A :class:`Draft` carries the problems found in its tables; a bare :class:`Plan` is
    checked whole here. Refusals, each writing nothing: :class:`NotSignedIn` /
    :class:`NotAllowed` (not an editor), :class:`ValidationFailed` (rule errors, or no
    note), :class:`NothingToSave`, :class:`StaleVersion`, :class:`ReadOnly`.
    """
    actor = require(actor, Role.EDITOR, "save the plan")
    if isinstance(draft, Draft):
        plan, issues = draft.plan, draft.issues
    else:
        plan, issues = draft, plan_reference(db).validate(draft, today)
    if plan_rules.errors_only(issues):
        raise ValidationFailed(plan_rules.problems_message(issues), issues)
    changes = _changes_from(db, expected_version_id, plan)
    if changes == []:
        raise NothingToSave("Nothing to save: the tables match the version you started from.")
    require_scope(db, actor, Role.EDITOR, "save the plan", changed_geographies(changes))
    if not (note or "").strip():
        raise ValidationFailed("Nothing was saved: add a short note saying what changed and why.")
    with _refusals():
        return _write_version(
            db,
            plan,
            changes,
            author=actor.display_name,
            note=note,
            expected_version_id=expected_version_id,
            action="save",
        )


def restore_version(
    db: Database,
    actor: Actor | None,
    version_id: int,
    *,
    expected_version_id: int | None,
    note: str | None = None,
) -> Plan:
    """Make an old version the latest by saving a copy of it as a new version (history is
    never rewritten). The copy is saved as it was, without today's rules."""
    actor = require(actor, Role.EDITOR, "restore a plan version")
    old = load_plan(db, version_id)
    if old is None:
        raise NotFound(f"There is no plan version {version_id} to restore.")
    text = f"Restored version {version_id}" + (f": {note.strip()}" if note and note.strip() else "")
    with _refusals(restoring=version_id):
        changes = _changes_from(db, expected_version_id, old)
        geos = changed_geographies(changes)
        require_scope(db, actor, Role.EDITOR, "restore a plan version", geos)
        return _write_version(
            db,
            old,
            changes,
            author=actor.display_name,
            note=text,
            expected_version_id=expected_version_id,
            action="restore",
        )


def changed_geographies(changes: list[Change] | None) -> Iterator[str | None]:
    """The geography of every row a plan write changes, for the region-scope check: a
    target's own geography; None (England-level) for the plan's header, a milestone (the
    plan's milestones are national) and a first version, which writes everything."""
    if changes is None:
        yield None
        return
    for change in changes:
        yield change.key.split("|")[1] if change.entity == "target" else None


def save_version(
    db: Database,
    plan: Plan,
    *,
    author: str,
    note: str,
    expected_version_id: int | None,
    action: str = "save",
) -> Plan:
    """Write ``plan`` as a new version on top of ``expected_version_id``, with what changed
    from that version in the audit row: the one path every plan write takes (a saved draft,
    a restore, an import, the seed), so they all record the same.

    Not role-checked and not validated here: each caller has already checked its actor and
    decided which rules apply (a restore saves an old version as it was). The diff is the
    plan's own (``plan.diff_plans``, codes without names, as the audit has always recorded
    them) against the expected version, read before the store's transaction; the store
    refuses the save unless the head is still that version, so the diff is exactly what the
    write changes. The store's exceptions (stale version, read-only, a missing name or note)
    pass through for the caller to turn into its own refusals.
    """
    changes = _changes_from(db, expected_version_id, plan)
    return _write_version(
        db,
        plan,
        changes,
        author=author,
        note=note,
        expected_version_id=expected_version_id,
        action=action,
    )


def _changes_from(db: Database, expected_version_id: int | None, plan: Plan) -> list[Change] | None:
    """What ``plan`` changes from the version it starts from; None for the first version."""
    previous = load_plan(db, expected_version_id) if expected_version_id is not None else None
    return plan_rules.diff_plans(previous, plan) if previous is not None else None


def _write_version(
    db: Database,
    plan: Plan,
    changes: list[Change] | None,
    *,
    author: str,
    note: str,
    expected_version_id: int | None,
    action: str,
) -> Plan:
    """The store's write with ``changes`` (already worked out) and their summary."""
    return plan_store.save_plan(
        db,
        plan,
        author=author,
        note=note,
        expected_version_id=expected_version_id,
        changes=changes,
        summary=plan_rules.summarise_changes(changes) if changes is not None else None,
        action=action,
    )


@contextmanager
def _refusals(restoring: int | None = None) -> Iterator[None]:
    """The store's exceptions as the services' typed, readable errors."""
    try:
        yield
    except plan_store.StaleVersionError as exc:
        message = str(exc) if restoring is None else _stale_restore(exc, restoring)
        raise StaleVersion(message, exc.latest) from exc
    except ReadOnlyError as exc:
        raise ReadOnly(str(exc)) from exc
    except DatabaseUnavailable as exc:  # the server went away: nothing was saved
        raise Unavailable(str(exc)) from exc
    except StoreError as exc:
        raise ServiceError(str(exc)) from exc


def _stale_restore(exc: plan_store.StaleVersionError, version_id: int) -> str:
    who = f" by {exc.author}" if exc.author else ""
    return (
        f"Version {version_id} was not restored: the plan was changed{who} (now version "
        f"{exc.latest}) after you opened version {exc.expected}. Look at version "
        f"{exc.latest} first, then restore again if you still want to."
    )
