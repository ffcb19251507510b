"""Reading the audit log: who changed what, when and why (Data page, Overview)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nlf_planner.store import Database
from nlf_planner.store import audit as audit_store


def audit_log(
    db: Database,
    *,
    entity: str | None = None,
    who: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """The audit log, newest first, filtered by entity, person and date range."""
    return audit_store.audit_log(
        db, entity=entity, actor=who, since=since, until=until, limit=limit
    )


def recent_changes(db: Database, limit: int = 8) -> pd.DataFrame:
    """The latest changes, newest first, for the Overview's 'recent changes' list."""
    return audit_store.audit_log(db, limit=limit)


def entities(db: Database) -> list[str]:
    """Every entity the log has rows for (the Data page's filter)."""
    log = audit_store.audit_log(db, limit=100_000)
    return sorted(log["entity"].dropna().unique().tolist())


def actors(db: Database) -> list[str]:
    """Everyone the log records as having made a change."""
    log = audit_store.audit_log(db, limit=100_000)
    return sorted(log["actor"].dropna().unique().tolist())
