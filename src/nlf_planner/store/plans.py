"""Plan versions: immutable snapshots, saved whole, with optimistic concurrency and audit.

A save writes a complete new version (header, every target, every milestone) and moves the
plan's head to it, in one transaction. The caller says which version its edits started from;
if the head has moved since (someone else saved), the save is refused with
:class:`StaleVersionError` and nothing is written. A restore saves a copy of an old version
as a new one, so history is never rewritten.

The store checks no plan rules and computes no diffs: callers validate first and say what
changed (``services.plan_editing.save_version``, which every writer uses: the Plan page,
restore, imports, seeding, so they all record the same). The store only writes that list into
the audit row, in the same transaction as the version.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nlf_planner.plan.records import (
    DEFAULT_PLAN_NAME,
    MILESTONE_FIELDS,
    Milestone,
    Plan,
    PlanTarget,
)
from nlf_planner.plan.versions import Change
from nlf_planner.store import dialect
from nlf_planner.store.audit import audit_log, record
from nlf_planner.store.db import (
    ConstraintViolation,
    Cursor,
    Database,
    StoreError,
    WriteConflict,
)

AUDIT_ENTITY = "plan_version"
_MILESTONE_COLS = ("item_id", *MILESTONE_FIELDS, "seeded")


class StaleVersionError(StoreError):
    """The plan changed since the caller loaded it; their save was refused."""

    def __init__(
        self,
        expected: int | None,
        latest: int | None,
        author: str | None = None,
        created_at: object = None,
    ):
        self.expected, self.latest = expected, latest
        self.author, self.created_at = author, created_at
        who = f" by {author}" if author else ""
        when = f" at {created_at:%d %b %Y %H:%M}" if hasattr(created_at, "strftime") else ""
        started = f"version {expected}" if expected is not None else "an empty plan"
        super().__init__(
            f"Not saved: the plan was changed{who}{when} (now version {latest}) after you "
            f"opened {started}. Your edits are still on screen. Compare them with version "
            f"{latest}, then save again from the latest version."
        )


def latest_version_id(db: Database, plan_name: str = DEFAULT_PLAN_NAME) -> int | None:
    """The plan's head: the version the next save must start from."""
    head = db.scalar("SELECT version_id FROM plan_heads WHERE plan_name = ?", [plan_name])
    if head is not None:
        return int(head)
    value = db.scalar("SELECT max(version_id) FROM plan_versions WHERE plan_name = ?", [plan_name])
    return int(value) if value is not None else None


def list_versions(db: Database, plan_name: str = DEFAULT_PLAN_NAME) -> pd.DataFrame:
    """Every version of a plan, newest first, with counts and which one is current."""
    df = db.df(
        """SELECT v.version_id, v.parent_version_id, v.base_year, v.trajectory, v.author,
                  v.note, v.created_at,
                  (SELECT count(*) FROM plan_targets t WHERE t.version_id = v.version_id)
                      AS targets,
                  (SELECT count(*) FROM plan_milestones m WHERE m.version_id = v.version_id)
                      AS milestones
           FROM plan_versions v WHERE v.plan_name = ? ORDER BY v.version_id DESC""",
        [plan_name],
    )
    head = latest_version_id(db, plan_name)
    df["is_latest"] = df["version_id"] == head
    return df


def version_exists(db: Database, version_id: int) -> bool:
    return bool(
        db.scalar("SELECT count(*) FROM plan_versions WHERE version_id = ?", [int(version_id)])
    )


def load_plan(
    db: Database, version_id: int | None = None, plan_name: str = DEFAULT_PLAN_NAME
) -> Plan | None:
    """One version as a :class:`Plan` (the latest when ``version_id`` is None)."""
    if version_id is None:
        version_id = latest_version_id(db, plan_name)
        if version_id is None:
            return None
    head = db.rows(
        """SELECT version_id, plan_name, parent_version_id, base_year, trajectory, author,
                  note, created_at FROM plan_versions WHERE version_id = ?""",
        [int(version_id)],
    )
    if not head:
        return None
    vid, name, parent, base_year, traj, author, note, created = head[0]
    tdf = db.df(
        """SELECT measure_code, geo_code, horizon, target FROM plan_targets
           WHERE version_id = ? ORDER BY measure_code, geo_code, horizon""",
        [vid],
    )
    mdf = db.df(
        f"""SELECT {", ".join(_MILESTONE_COLS)} FROM plan_milestones
            WHERE version_id = ? ORDER BY priority_area, due_date, item_id""",
        [vid],
    )
    targets = [PlanTarget(**r) for r in tdf.to_dict("records")]
    milestones = [Milestone(**_clean_milestone(r)) for r in mdf.to_dict("records")]
    return Plan(
        version_id=vid,
        plan_name=name,
        parent_version_id=parent,
        base_year=base_year,
        trajectory=traj,
        author=author,
        note=note,
        created_at=created,
        targets=targets,
        milestones=milestones,
    )


def _clean_milestone(r: dict) -> dict:
    out = {}
    for k, v in r.items():
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out[k] = None
        elif k in ("due_date", "last_updated"):
            out[k] = pd.Timestamp(v).date()
        else:
            out[k] = v
    out["description"] = out.get("description") or ""
    out["owner"] = out.get("owner") or ""
    out["seeded"] = bool(out.get("seeded"))
    return out


def save_plan(
    db: Database,
    plan: Plan,
    *,
    author: str,
    note: str,
    expected_version_id: int | None,
    changes: Sequence[Change] | None,
    summary: str | None,
    action: str = "save",
) -> Plan:
    """Write ``plan`` as a new version started from ``expected_version_id``, as it is (the
    caller has validated it).

    Refused with :class:`StaleVersionError` when the plan's head is no longer that version;
    nothing is written then. The audit row (who, note, what changed) is written in the same
    transaction. Returns the saved plan with its new version number.

    ``changes`` (and its one-line ``summary``) is what changed from ``expected_version_id``
    to ``plan``, computed by the caller with the plan's rules; None (both) when there is no
    earlier version to compare with. The caller may compute it before calling, outside this
    transaction, because the save is refused unless the head still IS that version: a diff
    taken against it beforehand is exactly the diff at the moment of writing.
    """
    author = (author or "").strip()
    if not author:
        raise StoreError("Sign in before saving the plan: every change records who made it.")
    note = (note or "").strip()
    if not note:
        raise StoreError("Add a short note saying what changed and why before saving.")
    if (changes is None) != (summary is None):
        raise ValueError("save_plan needs both the changes and their summary, or neither.")
    name = plan.plan_name

    def work(cur: Cursor) -> int:
        # Two processes saving from the same version queue here, one behind the other; the
        # second then reads the head the first committed and is refused below.
        dialect.lock(cur, f"plan:{name}")
        head = _head(cur, name)
        if head != expected_version_id:
            meta = cur.execute(
                "SELECT author, created_at FROM plan_versions WHERE version_id = ?", [head]
            ).fetchone()
            raise StaleVersionError(expected_version_id, head, *(meta or (None, None)))
        new_id = cur.execute(
            """INSERT INTO plan_versions (plan_name, parent_version_id, base_year, trajectory,
                   author, note) VALUES (?, ?, ?, ?, ?, ?) RETURNING version_id""",
            [name, expected_version_id, plan.base_year, plan.trajectory, author, note],
        ).fetchone()[0]
        _insert_rows(cur, new_id, plan)
        _move_head(cur, name, new_id)
        record(
            cur,
            actor=author,
            action=action,
            entity=AUDIT_ENTITY,
            entity_id=str(new_id),
            reason=note,
            before={"version_id": expected_version_id},
            after=_audit_after(new_id, plan, changes, summary),
        )
        return int(new_id)

    try:
        new_id = db.write(work)
    except ConstraintViolation as exc:  # two first saves of a new plan at once
        raise StaleVersionError(expected_version_id, latest_version_id(db, name)) from exc
    except WriteConflict as exc:  # a concurrent save won the head row (DuckDB)
        raise StaleVersionError(expected_version_id, latest_version_id(db, name)) from exc
    return load_plan(db, new_id)


def _head(cur: Cursor, name: str) -> int | None:
    row = cur.execute("SELECT version_id FROM plan_heads WHERE plan_name = ?", [name]).fetchone()
    if row is not None:
        return int(row[0])
    row = cur.execute(
        "SELECT max(version_id) FROM plan_versions WHERE plan_name = ?", [name]
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _move_head(cur: Cursor, name: str, new_id: int) -> None:
    exists = cur.execute("SELECT count(*) FROM plan_heads WHERE plan_name = ?", [name]).fetchone()
    if exists[0]:
        cur.execute(
            """UPDATE plan_heads SET version_id = ?, updated_at = current_timestamp
               WHERE plan_name = ?""",
            [new_id, name],
        )
    else:
        cur.execute("INSERT INTO plan_heads (plan_name, version_id) VALUES (?, ?)", [name, new_id])


def _insert_rows(cur: Cursor, version_id: int, plan: Plan) -> None:
    if plan.targets:
        tdf = pd.DataFrame(
            {
                "version_id": version_id,
                "measure_code": [t.measure_code for t in plan.targets],
                "geo_code": [t.geo_code for t in plan.targets],
                "horizon": [int(t.horizon) for t in plan.targets],
                "target": [float(t.target) for t in plan.targets],
            }
        )
        dialect.bulk_insert(cur, "plan_targets", tdf, list(tdf.columns))
    if plan.milestones:
        rows = [{c: getattr(m, c) for c in _MILESTONE_COLS} for m in plan.milestones]
        mdf = pd.DataFrame(rows, columns=list(_MILESTONE_COLS))
        mdf.insert(0, "version_id", version_id)
        for c in ("due_date", "last_updated"):
            mdf[c] = pd.to_datetime(mdf[c])
        dialect.bulk_insert(
            cur,
            "plan_milestones",
            mdf,
            list(mdf.columns),
            casts={"due_date": "DATE", "last_updated": "DATE"},
        )


def _audit_after(
    new_id: int, plan: Plan, changes: Sequence[Change] | None, summary: str | None
) -> dict:
    after: dict = {
        "version_id": new_id,
        "base_year": plan.base_year,
        "trajectory": plan.trajectory,
        "targets": len(plan.targets),
        "milestones": len(plan.milestones),
    }
    if changes is not None:
        after["summary"] = summary
        after["changes"] = [c.describe() for c in changes[:200]]
        if len(changes) > 200:
            after["changes_truncated"] = len(changes) - 200
    return after


def plan_audit(db: Database, limit: int = 500) -> pd.DataFrame:
    """Audit rows of plan saves and restores, newest first."""
    return audit_log(db, entity=AUDIT_ENTITY, limit=limit)
