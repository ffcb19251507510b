"""Applying a checked import: one transaction, audited, all or nothing.

The file was read and checked by the domain (:mod:`nlf_planner.imports`) and the service has
already refused a file with problems; this module re-checks only what it needs inside its
transaction (the rows stored at that moment) and turns any driver failure into a
:class:`StoreError`, so nothing above the store ever handles the database's own errors.

The store holds no import rules: the re-check inside the transaction (the measurement diff,
the engagement records' checks) is a domain function the service passes in as a parameter,
which this module calls with what it read on the transaction's own cursor. That keeps the
check and the writes in ONE transaction (so two imports at once cannot both pass a check the
other invalidates; a write conflict retries the whole of it, reads and check included) while
the rules stay in one home, the domain. Plan imports are saved by the plan-editing service
(``services.data_transfer.import_kinds``), through the plan store's own transaction.

Imported measurement series replace the illustrative series for the same measure and
geography as a whole (illustrative rows of that pair that the file does not cover are
deleted), and every imported row is stored with ``illustrative = FALSE``. Real rows already
imported for periods the file does not cover are kept; rows for the same period are replaced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pandas as pd

from nlf_planner.engagement import EngagementEvent, Stakeholder
from nlf_planner.imports import MeasurementImport, MeasurementPreview, RecordImport
from nlf_planner.models import MEASUREMENT_FIELDS
from nlf_planner.store import engagement as es
from nlf_planner.store.audit import record
from nlf_planner.store.db import Cursor, Database, DriverError, StoreError
from nlf_planner.store.measurements import bump_data_version, write_measurements

#: The measurement diff (``nlf_planner.imports.preview_measurements``): (incoming rows,
#: stored rows of the same pairs) → what applying them changes.
MeasurementDiff = Callable[[pd.DataFrame, pd.DataFrame], MeasurementPreview]
#: The stakeholder check (``nlf_planner.engagement.validate_stakeholder``), called as
#: ``check(record, existing=<id → (name, retired)>, codes=<reference codes>)``.
StakeholderCheck = Callable[..., Stakeholder]
#: The event check (``nlf_planner.engagement.validate_event``), called as
#: ``check(record, known_stakeholders=<ids>, codes=<reference codes>)``.
EventCheck = Callable[..., EngagementEvent]

#: Replaced values are listed one by one in the audit entry up to this many rows.
AUDIT_DETAIL_LIMIT = 5000

_CURRENT_SQL = """
SELECT measure_code, geo_code, period, numerator, denominator, value, illustrative
FROM measurements
WHERE measure_code || '|' || geo_code = ANY(CAST(? AS VARCHAR[]))
ORDER BY measure_code, geo_code, period
"""


class ImportRefused(ValueError):
    """The import cannot be applied (it has errors, or nothing to write)."""


def refuse_unless_ok(imp: MeasurementImport | RecordImport) -> None:
    """:class:`ImportRefused` unless the checked file has rows and no problems."""
    if not imp.ok:
        raise ImportRefused(
            f"The file has {len(imp.errors)} problems to fix before it can be imported."
            if imp.errors
            else "The file holds no rows to import."
        )


def _refuse_without_actor(actor: str) -> None:
    if not actor or not actor.strip():
        raise ImportRefused("Sign in before importing: every change records who made it.")


def _written(db: Database, work, retries: int = 3):
    """``db.write(work)``, with a driver failure (after the retries) as a readable error."""
    try:
        return db.write(work, retries=retries)
    except DriverError as exc:
        raise StoreError(f"The import could not be written ({exc}); nothing was changed.") from exc


def current_rows(db: Database, pairs: pd.DataFrame) -> pd.DataFrame:
    """Every stored row for the given (measure_code, geo_code) pairs."""
    with db.cursor() as cur:
        return _current_rows(cur, pairs)


def _pair_keys(pairs: pd.DataFrame) -> list[str]:
    return sorted(
        {f"{m}|{g}" for m, g in pairs[["measure_code", "geo_code"]].itertuples(index=False)}
    )


def _current_rows(cur: Cursor, pairs: pd.DataFrame) -> pd.DataFrame:
    df = cur.execute(_CURRENT_SQL, [_pair_keys(pairs)]).df()
    df["period"] = pd.to_datetime(df["period"]).dt.date
    return df


def _store_frame(imp: MeasurementImport) -> pd.DataFrame:
    frame = imp.rows.copy()
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    frame["illustrative"] = False
    for col in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        frame[col] = frame[col].astype(float)
    return frame.loc[:, list(MEASUREMENT_FIELDS)]


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_measurement_import(
    cur: Cursor,
    imp: MeasurementImport,
    *,
    diff: MeasurementDiff,
    actor: str,
    reason: str | None = None,
    file_sha256: str | None = None,
) -> dict[str, int]:
    """All the writes of one import, on the caller's cursor inside its transaction.

    ``diff`` is the domain's measurement diff, passed in so the store holds no rule; it is
    called here, on the rows this transaction reads, so the counts and the audit match what
    is committed even when another import landed since the preview."""
    refuse_unless_ok(imp)
    frame = _store_frame(imp)
    pairs = imp.pairs()
    # First, so a second import at the same moment waits here (PostgreSQL) or conflicts
    # and retries (DuckDB), and its diff below then reads this one's committed rows.
    bump_data_version(cur)
    change = diff(imp.rows, _current_rows(cur, pairs))
    cur.execute(
        """DELETE FROM measurements
           WHERE illustrative
             AND measure_code || '|' || geo_code = ANY(CAST(? AS VARCHAR[]))""",
        [_pair_keys(pairs)],
    )
    written = write_measurement_rows(cur, frame)
    # Real data newer than the history move the data's as-of month on (never back). An
    # UPDATE (not an upsert) so two sessions importing at once conflict and retry cleanly.
    latest = max(frame["period"]).isoformat()
    cur.execute(
        "UPDATE app_meta SET value = ? WHERE key = 'data_as_of' AND value < ?", [latest, latest]
    )
    replaced = change.changes[change.changes["change"] == "replaced"]
    detail = replaced.head(AUDIT_DETAIL_LIMIT)
    record(
        cur,
        actor=actor,
        action="import",
        entity="measurements",
        entity_id=imp.source_name,
        reason=reason,
        before={
            "rows_replaced": change.counts["replaced"],
            "illustrative_rows_removed": change.counts["illustrative_removed"],
            "replaced_values": [
                {
                    "measure_code": r.measure_code,
                    "geo_code": r.geo_code,
                    "period": r.period.isoformat(),
                    "value": r.value_before,
                    "numerator": r.numerator_before,
                    "denominator": r.denominator_before,
                    "illustrative": bool(r.was_illustrative),
                }
                for r in detail.itertuples()
            ],
            "replaced_values_complete": len(replaced) <= AUDIT_DETAIL_LIMIT,
        },
        after={
            "file": imp.source_name,
            "sha256": file_sha256,
            "rows_written": written,
            "rows_added": change.counts["added"],
            "series": [f"{m}/{g}" for m, g in pairs.itertuples(index=False)],
            "periods": [str(frame["period"].min()), str(frame["period"].max())],
            # The file's headings taken under another name ("Area Code" → geo_code).
            "columns": {u.heading: u.column for u in imp.columns.renamed} if imp.columns else {},
        },
    )
    return {**change.counts, "written": written}


def write_measurement_rows(cur: Cursor, frame: pd.DataFrame) -> int:
    """Insert or replace rows in one statement (the measurements store's bulk upsert)."""
    return write_measurements(cur, frame)


def apply_measurement_import(
    db: Database,
    imp: MeasurementImport,
    *,
    diff: MeasurementDiff,
    actor: str,
    reason: str | None = None,
    file_sha256: str | None = None,
) -> dict[str, int]:
    """Write a checked import in ONE transaction (retried whole on a write conflict, the
    ``diff`` against the stored rows retaken each time: see :func:`write_measurement_import`)."""
    _refuse_without_actor(actor)
    return _written(
        db,
        lambda cur: write_measurement_import(
            cur, imp, diff=diff, actor=actor, reason=reason, file_sha256=file_sha256
        ),
        retries=8,
    )


# --- engagement imports ------------------------------------------------------------------------


def apply_engagement_import(
    db: Database,
    imp: RecordImport,
    *,
    check_stakeholder: StakeholderCheck,
    check_event: EventCheck,
    actor: str,
    reason: str | None = None,
) -> list[int]:
    """Add imported stakeholders or events in ONE transaction, re-checked against the rows
    stored at that moment, each with its audit row.

    The checks are the domain's (``validate_stakeholder``, ``validate_event``), passed in so
    the store holds no rule; each record is checked here on the transaction's cursor, so a
    stakeholder someone added since the file was checked (a duplicate name) or removed (an
    event's link) refuses the import whole, and nothing of it is written."""
    _refuse_without_actor(actor)
    refuse_unless_ok(imp)
    codes = es.reference_codes(db)
    why = reason or f"Imported from {imp.source_name}"

    def work(cur: Cursor) -> list[int]:
        ids = []
        for rec in imp.records:
            if imp.kind == "stakeholders":
                checked = check_stakeholder(rec, existing=es.existing_names(cur), codes=codes)
                new_id = es.insert_stakeholder(cur, checked, actor)
                entity = es.STAKEHOLDER
                after = checked.model_copy(update={"stakeholder_id": new_id})
            else:
                checked = check_event(rec, known_stakeholders=es.stakeholder_ids(cur), codes=codes)
                new_id = es.insert_event(cur, checked, actor)
                entity = es.EVENT
                after = checked.model_copy(update={"event_id": new_id})
            record(
                cur,
                actor=actor,
                action="import",
                entity=entity,
                entity_id=str(new_id),
                reason=why,
                after=after.model_dump(mode="json"),
            )
            ids.append(new_id)
        return ids

    return _written(db, work)


def existing_stakeholders(db: Database) -> dict[int, tuple[str, bool]]:
    """Stakeholder id → (name, retired), for duplicate-name checks before an import."""
    rows = db.rows("SELECT stakeholder_id, name, retired FROM stakeholders")
    return {int(i): (str(n), bool(r)) for i, n, r in rows}


def stakeholder_ids_by_name(db: Database) -> dict[str, int]:
    """Name → id of current (not retired) stakeholders, to link imported events."""
    rows = db.rows("SELECT name, stakeholder_id FROM stakeholders WHERE NOT retired")
    return {str(n): int(i) for n, i in rows}
