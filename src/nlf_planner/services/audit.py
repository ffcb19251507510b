"""Reading the audit log: who changed what, when and why (Data page, Overview)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class AuditChoices:
    """What the log can be filtered by: every entity and person it records, and the day of
    its first change (where the date filter starts)."""

    entities: list[str]
    actors: list[str]
    first_change: date | None


def filter_choices(db: Database) -> AuditChoices:
    """The Data page's audit filters, from one read of the log."""
    entities, actors, first = audit_store.filter_values(db)
    return AuditChoices(entities, actors, first)
