"""The append-only audit trail: every change records who, what, why, before and after."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pandas as pd

from nlf_planner.store.db import Cursor, Database


def _to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=_default, sort_keys=True, ensure_ascii=False)


def _default(obj: Any) -> Any:
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return str(obj)


def record(
    cur: Cursor,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None = None,
    reason: str | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Write one audit row on the caller's cursor, inside the caller's transaction.

    The row also moves the data version (``store.data_version`` counts the trail), so
    every audited change makes cached reads stale when, and only when, it commits."""
    if not actor or not actor.strip():
        raise ValueError("Every change needs a person: sign in first.")
    cur.execute(
        """INSERT INTO audit_log (actor, actor_id, actor_email, action, entity, entity_id,
           reason, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            actor.strip(),
            # The services pass the acting person's name as an ``ActorName`` carrying the
            # signed-in identity; a plain string (older callers, tests) records none.
            getattr(actor, "subject", None) or None,
            getattr(actor, "email", None) or None,
            action,
            entity,
            entity_id,
            reason,
            _to_json(before),
            _to_json(after),
        ],
    )


def audit_log(
    db: Database,
    *,
    entity: str | None = None,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """The audit log, newest first, filtered by entity, person and date range."""
    clauses, params = [], []
    if entity:
        clauses.append("entity = ?")
        params.append(entity)
    if actor:
        clauses.append("actor = ?")
        params.append(actor)
    if since:
        clauses.append("CAST(changed_at AS DATE) >= ?")
        params.append(since)
    if until:
        clauses.append("CAST(changed_at AS DATE) <= ?")
        params.append(until)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    params.append(limit)
    return db.df(
        f"""SELECT audit_id, changed_at, actor, actor_email, actor_id, action, entity,
                   entity_id, reason, before_json, after_json
            FROM audit_log {where} ORDER BY audit_id DESC LIMIT ?""",
        params,
    )


def filter_values(db: Database) -> tuple[list[str], list[str], date | None]:
    """Every entity and person the log records, and the day of its first change: the audit
    filters' choices, read as aggregates rather than by loading the log's rows."""
    entities = [
        r[0]
        for r in db.rows(
            "SELECT DISTINCT entity FROM audit_log WHERE entity IS NOT NULL ORDER BY entity"
        )
    ]
    actors = [
        r[0]
        for r in db.rows(
            "SELECT DISTINCT actor FROM audit_log WHERE actor IS NOT NULL ORDER BY actor"
        )
    ]
    first = db.scalar("SELECT CAST(min(changed_at) AS DATE) FROM audit_log")
    return entities, actors, first
