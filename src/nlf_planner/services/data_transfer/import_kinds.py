"""The one registry of import kinds: for each, how its file is checked, what its preview
shows, and how it is applied.

Each kind's description (label, columns, template) is the domain's
:data:`nlf_planner.imports.IMPORT_KINDS`; this module pairs it with the three steps that need
the store, so the Data page, the tests and any tool run one switch-free path for every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from nlf_planner import imports as import_rules
from nlf_planner.engagement import validate_event, validate_stakeholder
from nlf_planner.imports import (
    CheckedImport,
    ColumnMap,
    ImportKind,
    MeasurementImport,
    MeasurementPreview,
    RecordImport,
    Table,
)
from nlf_planner.models import MEASUREMENT_VALUE_FIELDS
from nlf_planner.plan import Plan, changes_frame, default_base_year, diff_plans
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services import plan_editing
from nlf_planner.settings import SettingError, get_settings
from nlf_planner.store import Database
from nlf_planner.store import imports as import_store
from nlf_planner.store import plans as plan_store
from nlf_planner.store import reference as reference_store


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class ImportPreview:
    """What applying a checked file would change, ready to show before the person confirms.

    ``metrics`` are headline counts (label, number); ``changes`` is the row-by-row list;
    ``notice`` is a sentence to show beside it (e.g. that no plan is saved yet).
    """

    button_label: str
    rows: int
    caption: str
    changes: pd.DataFrame
    metrics: list[tuple[str, int]] = field(default_factory=list)
    notice: str | None = None
    #: Stored rows the import would remove (not replace), for the confirmation it needs.
    removes: int = 0
    #: The sentence saying what would be removed, and the table of it by measure and area.
    removal_warning: str | None = None
    removals: pd.DataFrame | None = None
    #: Which of the file's headings was taken for which column, and which were ignored.
    columns: ColumnMap = field(default_factory=ColumnMap)


@dataclass(frozen=True)
class ApplyRequest:
    """Who applies a checked file, why, and which file (its SHA-256, for the audit row)."""

    actor_name: str
    reason: str | None
    file_sha256: str | None


@dataclass(frozen=True)
class Importer:
    """One kind of import with its three steps, and the geographies its rows write (None for
    an England-level row), which the region-scope check reads before applying."""

    kind: ImportKind
    check: Callable[[Database, Table], CheckedImport]
    preview: Callable[[Database, CheckedImport], ImportPreview]
    apply: Callable[[Database, CheckedImport, ApplyRequest], str]
    geographies: Callable[[Database, CheckedImport], Iterable[str | None]]


# --- measurements ------------------------------------------------------------------------------


def _check_measurements(db: Database, table: Table) -> MeasurementImport:
    """Every row checked, periods back to the ``NLF_EARLIEST_PERIOD`` setting; a setting that
    is not a usable month is one whole-file problem (nothing can be imported until it is
    fixed), never a guess at what was meant."""
    try:
        earliest = get_settings().earliest_period
    except SettingError as exc:
        issue = import_rules.Issue(None, None, None, f"{exc} Ask whoever runs the server.")
        return MeasurementImport(
            pd.DataFrame(columns=["row", *MEASUREMENT_VALUE_FIELDS]),
            [issue],
            table.source_name,
            len(table),
        )
    return import_rules.validate_measurements(
        table,
        reference_store.measures(db),
        reference_store.regions(db),
        reference_store.icbs(db),
        earliest=earliest,
    )


def measurement_changes(db: Database, result: MeasurementImport) -> MeasurementPreview:
    """What applying ``result`` would change now, against the rows stored for its series
    (nothing is written). The apply takes the same diff again inside its transaction."""
    return import_rules.preview_measurements(
        result.rows, import_store.current_rows(db, result.pairs())
    )


def _preview_measurements(db: Database, result: MeasurementImport) -> ImportPreview:
    preview = measurement_changes(db, result)
    c = preview.counts
    changes = preview.changes.copy()
    areas = reference_store.geography_names(db)
    changes.insert(3, "area_name", changes["geo_code"].map(areas))
    removed = import_rules.removals(preview.changes)
    removed.insert(2, "area_name", removed["geo_code"].map(areas))
    names = {m.code: m.name for m in reference_store.measures(db)}
    return ImportPreview(
        button_label=f"Import {plural(c['rows'], 'row')}",
        rows=c["rows"],
        caption=preview.summary() + " Imported series replace the illustrative history for "
        "the same measure and area as a whole, and are marked as real data.",
        changes=changes,
        metrics=[
            ("Rows added", c["added"]),
            ("Values replaced", c["replaced"]),
            ("Unchanged (now real data)", c["unchanged"]),
            ("Illustrative rows removed", c["illustrative_removed"]),
        ],
        removes=c["illustrative_removed"],
        removal_warning=import_rules.removal_warning(removed, names, areas),
        removals=removed,
    )


def _apply_measurements(db: Database, result: MeasurementImport, req: ApplyRequest) -> str:
    # The store re-takes the domain's diff inside its transaction, on the rows it reads there.
    counts = import_store.apply_measurement_import(
        db,
        result,
        diff=import_rules.preview_measurements,
        actor=req.actor_name,
        reason=req.reason,
        file_sha256=req.file_sha256,
    )
    return (
        f"Imported {plural(counts['written'], 'row')} from {result.source_name}: "
        f"{counts['added']:,} added, {counts['replaced']:,} replaced, "
        f"{counts['illustrative_removed']:,} illustrative rows removed."
    )


def _measurement_geographies(db: Database, result: MeasurementImport) -> list[str | None]:
    return result.pairs()["geo_code"].tolist()


# --- plan targets and milestones ---------------------------------------------------------------


def _check_targets(db: Database, table: Table) -> RecordImport:
    return import_rules.validate_plan_targets(
        table,
        reference_store.measures(db),
        reference_store.geography_names(db),
        import_rules.england_targets(plan_store.load_plan(db)),
    )


def _check_milestones(db: Database, table: Table) -> RecordImport:
    plan = plan_store.load_plan(db)
    return import_rules.validate_plan_milestones(
        table,
        plan.base_year if plan is not None else default_base_year(),
        [a.code for a in reference_store.priority_areas(db)],
        reference_store.measures(db),
    )


def _preview_plan(db: Database, result: RecordImport) -> ImportPreview:
    what = "target" if result.kind == "plan_targets" else "milestone"
    label = f"Save {plural(len(result.records), what)} as a new plan version"
    current = plan_store.load_plan(db)
    if current is None:
        return ImportPreview(
            label,
            len(result.records),
            "",
            pd.DataFrame(),
            notice="There is no saved plan yet: the import will create version 1.",
        )
    draft = import_rules.merge_plan_import(
        current,
        targets=result.records if result.kind == "plan_targets" else (),
        milestones=result.records if result.kind == "plan_milestones" else (),
    )
    changes = changes_frame(diff_plans(current, draft))
    return ImportPreview(
        label,
        len(result.records),
        f"Saved as a new version of the plan (now version {current.version_id}); "
        f"{plural(len(changes), 'change')} before → after:",
        changes,
    )


def apply_plan_import(
    db: Database, result: RecordImport, *, actor: str, note: str | None = None
) -> Plan:
    """Save imported targets or milestones, merged into the latest plan (or a new one), as a
    new version: through :func:`plan_editing.save_version`, so the plan store's transaction,
    stale-version check and audit row (what changed) are those of every other save. A file
    with problems is refused (:class:`ImportRefused`) before anything is read or written."""
    import_store.refuse_unless_ok(result)
    head, _plan, draft = _merged_plan(db, result)
    return plan_editing.save_version(
        db,
        draft,
        author=actor,
        note=note or f"Imported {result.source_name}",
        expected_version_id=head,
        action="import",
    )


def _merged_plan(db: Database, result: RecordImport) -> tuple[int | None, Plan | None, Plan]:
    """The head version, its plan, and the plan with the imported records merged in."""
    head = plan_store.latest_version_id(db)
    plan = plan_store.load_plan(db, head) if head is not None else None
    draft = import_rules.merge_plan_import(
        plan if plan is not None else Plan(base_year=default_base_year()),
        targets=result.records if result.kind == "plan_targets" else (),
        milestones=result.records if result.kind == "plan_milestones" else (),
    )
    return head, plan, draft


def _plan_geographies(db: Database, result: RecordImport) -> Iterator[str | None]:
    """What the merged plan changes, row by row, as the plan's own saves are checked."""
    _head, plan, draft = _merged_plan(db, result)
    yield from plan_editing.changed_geographies(
        diff_plans(plan, draft) if plan is not None else None
    )


def _apply_plan(db: Database, result: RecordImport, req: ApplyRequest) -> str:
    saved = apply_plan_import(db, result, actor=req.actor_name, note=req.reason)
    return f"Saved plan version {saved.version_id} from {result.source_name}."


# --- stakeholders and events -------------------------------------------------------------------


def _check_stakeholders(db: Database, table: Table) -> RecordImport:
    return import_rules.validate_stakeholders(
        table, import_store.existing_stakeholders(db), engagement_service.reference_codes(db)
    )


def _check_events(db: Database, table: Table) -> RecordImport:
    return import_rules.validate_events(
        table, import_store.stakeholder_ids_by_name(db), engagement_service.reference_codes(db)
    )


_ENGAGEMENT_IDS = ("stakeholder_id", "event_id", "seeded", "retired")


def _preview_engagement(db: Database, result: RecordImport) -> ImportPreview:
    frame = pd.DataFrame([r.model_dump(mode="json") for r in result.records])
    frame = frame.drop(columns=[c for c in _ENGAGEMENT_IDS if c in frame.columns])
    what = "stakeholders" if result.kind == "stakeholders" else "events"
    return ImportPreview(
        f"Add {plural(len(frame), 'row')}",
        len(frame),
        f"{len(frame)} new {what} will be added:",
        frame,
    )


def _engagement_geographies(db: Database, result: RecordImport) -> list[str | None]:
    return [r.region_code for r in result.records]


def _apply_engagement(db: Database, result: RecordImport, req: ApplyRequest) -> str:
    # The store re-runs the domain's checks inside its transaction, on the rows it reads there.
    ids = import_store.apply_engagement_import(
        db,
        result,
        check_stakeholder=validate_stakeholder,
        check_event=validate_event,
        actor=req.actor_name,
        reason=req.reason,
    )
    return f"Added {plural(len(ids), 'row')} from {result.source_name}."


_STEPS: dict[str, tuple[Callable, Callable, Callable, Callable]] = {
    "measurements": (
        _check_measurements,
        _preview_measurements,
        _apply_measurements,
        _measurement_geographies,
    ),
    "plan_targets": (_check_targets, _preview_plan, _apply_plan, _plan_geographies),
    "plan_milestones": (_check_milestones, _preview_plan, _apply_plan, _plan_geographies),
    "stakeholders": (
        _check_stakeholders,
        _preview_engagement,
        _apply_engagement,
        _engagement_geographies,
    ),
    "engagement_events": (
        _check_events,
        _preview_engagement,
        _apply_engagement,
        _engagement_geographies,
    ),
}

#: Every kind the domain describes, with its steps (a kind without steps fails at import).
IMPORTERS: dict[str, Importer] = {
    key: Importer(kind, *_STEPS[key]) for key, kind in import_rules.IMPORT_KINDS.items()
}
