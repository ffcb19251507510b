"""Saved capacity-model scenarios: every save is a new version, delete is soft, all audited.

SQL only: the rules (valid parameters, who may save, the baseline is never deleted, what a
clone is called) live in ``capacity.scenarios`` and ``services.scenarios``.

A scenario is identified by ``scenario_id``; ``(scenario_id, version)`` rows are never
updated except to mark the whole scenario deleted. Parameters are stored as validated JSON
(``CapacityParams``) with the Monte-Carlo seed and number of draws, so a saved version always
reproduces the same results.
"""

from __future__ import annotations

import uuid

import pandas as pd

from nlf_planner.capacity.params import CapacityParams
from nlf_planner.capacity.scenarios import Scenario
from nlf_planner.store.audit import record
from nlf_planner.store.db import (
    ConstraintViolation,
    Cursor,
    Database,
    StoreError,
    WriteConflict,
)

AUDIT_ENTITY = "scenario"
_COLS = (
    "scenario_id, version, name, description, params_json, seed, draws, is_baseline, "
    "author, created_at"
)


class ScenarioNotFound(StoreError):
    """The scenario does not exist or was deleted."""


def _summary(s: Scenario) -> dict:
    return {
        "name": s.name,
        "description": s.description,
        "seed": s.seed,
        "draws": s.draws,
        "is_baseline": s.is_baseline,
        "params": s.params.model_dump(mode="json"),
    }


def _from_row(row: tuple) -> Scenario:
    sid, version, name, desc, params_json, seed, draws, is_base, author, created = row
    return Scenario(
        scenario_id=sid,
        version=int(version),
        name=name,
        description=desc or "",
        params=CapacityParams.model_validate_json(params_json),
        seed=int(seed),
        draws=int(draws),
        is_baseline=bool(is_base),
        author=author,
        created_at=created,
    )


def save_scenario(
    db: Database,
    scenario: Scenario,
    *,
    actor: str,
    scenario_id: str | None = None,
    reason: str | None = None,
) -> Scenario:
    """Save as a new scenario (``scenario_id`` None) or as the next version of one.

    Never overwrites: the new row gets ``max(version) + 1``. Returns the saved scenario with
    its id, version, author and time.
    """
    if not actor or not actor.strip():
        raise ValueError("Every change needs a person: sign in first.")
    params_json = scenario.params.model_dump_json()

    def work(cur: Cursor) -> tuple[str, int]:
        sid = scenario_id
        before = None
        if sid is None:
            sid = uuid.uuid4().hex[:12]
            version = 1
        else:
            row = cur.execute(
                """SELECT max(version), bool_or(deleted) FROM scenarios
                   WHERE scenario_id = ?""",
                [sid],
            ).fetchone()
            if row is None or row[0] is None:
                raise ScenarioNotFound(f"Scenario {sid} does not exist.")
            if row[1]:
                raise ScenarioNotFound(f"Scenario {sid} was deleted; clone a saved one instead.")
            version = int(row[0]) + 1
            prev = cur.execute(
                f"SELECT {_COLS} FROM scenarios WHERE scenario_id = ? AND version = ?",
                [sid, version - 1],
            ).fetchone()
            before = _summary(_from_row(prev))
        cur.execute(
            f"""INSERT INTO scenarios ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,
                current_timestamp)""",
            [
                sid,
                version,
                scenario.name,
                scenario.description,
                params_json,
                scenario.seed,
                scenario.draws,
                scenario.is_baseline,
                actor.strip(),
            ],
        )
        record(
            cur,
            actor=actor,
            action="create" if version == 1 else "new_version",
            entity=AUDIT_ENTITY,
            entity_id=f"{sid}/v{version}",
            reason=reason,
            before=before,
            after=_summary(scenario),
        )
        return sid, version

    for attempt in range(3):
        try:
            sid, version = db.write(work)
            break
        except (ConstraintViolation, WriteConflict) as exc:
            # Someone took that version number first (DuckDB reports it at COMMIT).
            if attempt == 2:
                raise StoreError(
                    "Not saved: someone else saved this scenario at the same moment. "
                    "Save again to make the next version."
                ) from exc
    saved = load_scenario(db, sid, version)
    assert saved is not None
    return saved


def load_scenario(db: Database, scenario_id: str, version: int | None = None) -> Scenario | None:
    """One version (the latest when ``version`` is None); None when missing or deleted."""
    params: list = [scenario_id]
    clause = ""
    if version is not None:
        clause = "AND version = ?"
        params.append(int(version))
    rows = db.rows(
        f"""SELECT {_COLS} FROM scenarios WHERE scenario_id = ? AND NOT deleted {clause}
            ORDER BY version DESC LIMIT 1""",
        params,
    )
    return _from_row(rows[0]) if rows else None


def list_scenarios(db: Database, include_deleted: bool = False) -> pd.DataFrame:
    """Latest version of each scenario, baseline first, then newest first."""
    where = "" if include_deleted else "WHERE NOT deleted"
    return db.df(
        f"""WITH ranked AS (
                SELECT *, row_number() OVER (PARTITION BY scenario_id ORDER BY version DESC)
                    AS rn,
                    count(*) OVER (PARTITION BY scenario_id) AS versions
                FROM scenarios {where})
            SELECT scenario_id, version, name, description, is_baseline, draws, seed, author,
                   created_at, versions, deleted
            FROM ranked WHERE rn = 1
            ORDER BY is_baseline DESC, created_at DESC, scenario_id"""
    )


def list_versions(db: Database, scenario_id: str) -> pd.DataFrame:
    """Every version of one scenario, newest first."""
    return db.df(
        """SELECT version, name, description, author, created_at, draws, seed, deleted
           FROM scenarios WHERE scenario_id = ? ORDER BY version DESC""",
        [scenario_id],
    )


def baseline_id(db: Database) -> str | None:
    """The saved baseline scenario (the oldest one marked baseline and not deleted)."""
    value = db.scalar(
        """SELECT scenario_id FROM scenarios WHERE is_baseline AND NOT deleted
           ORDER BY created_at, scenario_id LIMIT 1"""
    )
    return str(value) if value is not None else None


def delete_scenario(
    db: Database, scenario_id: str, *, actor: str, reason: str | None = None
) -> None:
    """Soft delete: every version is kept but hidden; the audit log says who and why.

    Whether a scenario may be deleted (never the baseline) is the domain's rule, checked by
    the scenarios service before it calls this."""
    current = load_scenario(db, scenario_id)
    if current is None:
        raise ScenarioNotFound(f"Scenario {scenario_id} does not exist or was already deleted.")

    def work(cur: Cursor) -> None:
        cur.execute(
            """UPDATE scenarios SET deleted = TRUE, deleted_at = current_timestamp,
               deleted_by = ? WHERE scenario_id = ? AND NOT deleted""",
            [actor.strip() if actor else actor, scenario_id],
        )
        record(
            cur,
            actor=actor,
            action="delete",
            entity=AUDIT_ENTITY,
            entity_id=scenario_id,
            reason=reason,
            before=_summary(current),
            after={"deleted": True},
        )

    db.write(work)


def scenario_audit(db: Database, limit: int = 200) -> pd.DataFrame:
    """Audit rows about scenarios, newest first."""
    return db.df(
        """SELECT changed_at, actor, action, entity_id, reason FROM audit_log
           WHERE entity = ? ORDER BY audit_id DESC LIMIT ?""",
        [AUDIT_ENTITY, limit],
    )
