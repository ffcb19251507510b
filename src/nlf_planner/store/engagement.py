"""Stakeholders, engagement events and the links between them: the only SQL for engagement.

Every write validates first (``nlf_planner.engagement``), then changes rows and writes the audit
log (before and after) in the same transaction, so a failed check or a failed write leaves the
file as it was. Reads return fully materialised DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from nlf_planner.engagement import (
    EVENT_TYPES,
    GROUPS,
    NATIONAL_LABEL,
    EngagementEvent,
    EngagementValidationError,
    ReferenceCodes,
    Stakeholder,
    add_latest_contact,
    add_quadrants,
    contact_date,
    coverage_counts,
    default_reference,
    not_contacted,
    validate_event,
    validate_stakeholder,
)
from nlf_planner.store.audit import record
from nlf_planner.store.db import Database

STAKEHOLDER = "stakeholder"
EVENT = "engagement_event"

_STAKEHOLDER_COLS = (
    "stakeholder_id, name, stakeholder_group, region_code, interest, influence, owner, "
    "last_contact, next_step, seeded, retired"
)
_EVENT_COLS = (
    "event_id, event_date, end_date, title, event_type, audience, region_code, outcome, "
    "actions, seeded"
)


class NotFoundError(LookupError):
    """The stakeholder or event asked for does not exist (perhaps deleted elsewhere)."""


# --- reference -----------------------------------------------------------------------------


def reference_codes(db: Database) -> ReferenceCodes:
    """Region and priority-area codes from the database, or the shipped CSVs if not loaded."""
    regions = db.rows("SELECT code, short_name FROM regions ORDER BY name")
    areas = db.rows("SELECT code, name FROM priority_areas ORDER BY sort_order, code")
    fallback = default_reference()
    return ReferenceCodes(
        regions=dict(regions) if regions else fallback.regions,
        areas=dict(areas) if areas else fallback.areas,
    )


# --- row helpers (inside a transaction) ----------------------------------------------------


def _stakeholder(cur: duckdb.DuckDBPyConnection, stakeholder_id: int) -> Stakeholder:
    row = cur.execute(
        f"SELECT {_STAKEHOLDER_COLS} FROM stakeholders WHERE stakeholder_id = ?",
        [stakeholder_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Stakeholder {stakeholder_id} does not exist.")
    keys = [c.strip() for c in _STAKEHOLDER_COLS.split(",")]
    data = dict(zip(keys, row, strict=True))
    data["group"] = data.pop("stakeholder_group")
    return Stakeholder.model_validate(data)


def _event(cur: duckdb.DuckDBPyConnection, event_id: int) -> EngagementEvent:
    row = cur.execute(
        f"SELECT {_EVENT_COLS} FROM engagement_events WHERE event_id = ?", [event_id]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Event {event_id} does not exist.")
    keys = [c.strip() for c in _EVENT_COLS.split(",")]
    data = dict(zip(keys, row, strict=True))
    data["stakeholder_ids"] = [
        r[0]
        for r in cur.execute(
            "SELECT stakeholder_id FROM event_stakeholders WHERE event_id = ? "
            "ORDER BY stakeholder_id",
            [event_id],
        ).fetchall()
    ]
    data["priority_areas"] = [
        r[0]
        for r in cur.execute(
            "SELECT priority_area FROM event_priority_areas WHERE event_id = ? "
            "ORDER BY priority_area",
            [event_id],
        ).fetchall()
    ]
    return EngagementEvent.model_validate(data)


def _existing(cur: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, bool]]:
    rows = cur.execute("SELECT stakeholder_id, name, retired FROM stakeholders").fetchall()
    return {r[0]: (r[1], bool(r[2])) for r in rows}


def _stakeholder_ids(cur: duckdb.DuckDBPyConnection) -> set[int]:
    return {r[0] for r in cur.execute("SELECT stakeholder_id FROM stakeholders").fetchall()}


def _insert_stakeholder(cur: duckdb.DuckDBPyConnection, s: Stakeholder, actor: str) -> int:
    row = cur.execute(
        """INSERT INTO stakeholders (name, stakeholder_group, region_code, interest, influence,
               owner, last_contact, next_step, seeded, retired, updated_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING stakeholder_id""",
        [
            s.name,
            s.group,
            s.region_code,
            s.interest,
            s.influence,
            s.owner,
            s.last_contact,
            s.next_step,
            s.seeded,
            s.retired,
            actor.strip(),
        ],
    ).fetchone()
    return int(row[0])


def _update_stakeholder(cur: duckdb.DuckDBPyConnection, s: Stakeholder, actor: str) -> None:
    cur.execute(
        """UPDATE stakeholders SET name = ?, stakeholder_group = ?, region_code = ?,
               interest = ?, influence = ?, owner = ?, last_contact = ?, next_step = ?,
               retired = ?, updated_at = current_timestamp, updated_by = ?
           WHERE stakeholder_id = ?""",
        [
            s.name,
            s.group,
            s.region_code,
            s.interest,
            s.influence,
            s.owner,
            s.last_contact,
            s.next_step,
            s.retired,
            actor.strip(),
            s.stakeholder_id,
        ],
    )


def _insert_event(cur: duckdb.DuckDBPyConnection, e: EngagementEvent, actor: str) -> int:
    row = cur.execute(
        """INSERT INTO engagement_events (event_date, end_date, title, event_type, audience,
               region_code, outcome, actions, seeded, updated_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING event_id""",
        [
            e.event_date,
            e.end_date,
            e.title,
            e.event_type,
            e.audience,
            e.region_code,
            e.outcome,
            e.actions,
            e.seeded,
            actor.strip(),
        ],
    ).fetchone()
    event_id = int(row[0])
    _replace_links(cur, event_id, e.stakeholder_ids, e.priority_areas)
    return event_id


def _replace_links(
    cur: duckdb.DuckDBPyConnection,
    event_id: int,
    stakeholder_ids: Sequence[int],
    areas: Sequence[str],
) -> None:
    cur.execute("DELETE FROM event_stakeholders WHERE event_id = ?", [event_id])
    cur.execute("DELETE FROM event_priority_areas WHERE event_id = ?", [event_id])
    if stakeholder_ids:
        cur.executemany(
            "INSERT INTO event_stakeholders (event_id, stakeholder_id) VALUES (?, ?)",
            [[event_id, s] for s in stakeholder_ids],
        )
    if areas:
        cur.executemany(
            "INSERT INTO event_priority_areas (event_id, priority_area) VALUES (?, ?)",
            [[event_id, a] for a in areas],
        )


def _require_actor(actor: str | None) -> str:
    if not actor or not str(actor).strip():
        raise EngagementValidationError(["Enter your name in the sidebar before saving changes."])
    return str(actor).strip()


# --- stakeholder writes --------------------------------------------------------------------


def add_stakeholder(
    db: Database,
    data: Mapping[str, Any] | Stakeholder,
    *,
    actor: str,
    reason: str | None = None,
    today: date | None = None,
) -> int:
    """Validate and add one stakeholder; returns the new id."""
    actor = _require_actor(actor)
    codes = reference_codes(db)
    raw = data.model_dump() if isinstance(data, Stakeholder) else dict(data)
    raw.pop("stakeholder_id", None)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        s = validate_stakeholder(raw, existing=_existing(cur), codes=codes, today=today)
        new_id = _insert_stakeholder(cur, s, actor)
        after = s.model_copy(update={"stakeholder_id": new_id}).model_dump(mode="json")
        record(
            cur,
            actor=actor,
            action="add",
            entity=STAKEHOLDER,
            entity_id=str(new_id),
            reason=reason,
            after=after,
        )
        return new_id

    return db.write(work)


def edit_stakeholder(
    db: Database,
    stakeholder_id: int,
    changes: Mapping[str, Any],
    *,
    actor: str,
    reason: str | None = None,
    today: date | None = None,
) -> Stakeholder:
    """Apply ``changes`` (field -> value) to one stakeholder; returns the saved record."""
    actor = _require_actor(actor)
    codes = reference_codes(db)
    allowed = set(Stakeholder.model_fields) - {"stakeholder_id", "seeded"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise EngagementValidationError([f"Unknown fields: {', '.join(unknown)}."])

    def work(cur: duckdb.DuckDBPyConnection) -> Stakeholder:
        before = _stakeholder(cur, stakeholder_id)
        merged = {**before.model_dump(), **dict(changes), "stakeholder_id": stakeholder_id}
        after = validate_stakeholder(merged, existing=_existing(cur), codes=codes, today=today)
        if after == before:
            return before
        _update_stakeholder(cur, after, actor)
        record(
            cur,
            actor=actor,
            action="edit",
            entity=STAKEHOLDER,
            entity_id=str(stakeholder_id),
            reason=reason,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        return after

    return db.write(work)


def _set_retired(db: Database, stakeholder_id: int, retired: bool, actor: str, reason: str | None):
    actor = _require_actor(actor)

    def work(cur: duckdb.DuckDBPyConnection) -> Stakeholder:
        before = _stakeholder(cur, stakeholder_id)
        if before.retired == retired:
            return before
        after = before.model_copy(update={"retired": retired})
        _update_stakeholder(cur, after, actor)
        record(
            cur,
            actor=actor,
            action="retire" if retired else "restore",
            entity=STAKEHOLDER,
            entity_id=str(stakeholder_id),
            reason=reason,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        return after

    return db.write(work)


def retire_stakeholder(
    db: Database, stakeholder_id: int, *, actor: str, reason: str | None = None
) -> Stakeholder:
    """Retire (soft-delete) a stakeholder: hidden from the map, kept in the log and history."""
    return _set_retired(db, stakeholder_id, True, actor, reason)


def restore_stakeholder(
    db: Database, stakeholder_id: int, *, actor: str, reason: str | None = None
) -> Stakeholder:
    return _set_retired(db, stakeholder_id, False, actor, reason)


# --- event writes --------------------------------------------------------------------------


def add_event(
    db: Database,
    data: Mapping[str, Any] | EngagementEvent,
    *,
    actor: str,
    reason: str | None = None,
) -> int:
    """Validate and add one event with its stakeholders and priority areas; returns its id."""
    actor = _require_actor(actor)
    codes = reference_codes(db)
    raw = data.model_dump() if isinstance(data, EngagementEvent) else dict(data)
    raw.pop("event_id", None)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        e = validate_event(raw, known_stakeholders=_stakeholder_ids(cur), codes=codes)
        new_id = _insert_event(cur, e, actor)
        after = e.model_copy(update={"event_id": new_id}).model_dump(mode="json")
        record(
            cur,
            actor=actor,
            action="add",
            entity=EVENT,
            entity_id=str(new_id),
            reason=reason,
            after=after,
        )
        return new_id

    return db.write(work)


def edit_event(
    db: Database,
    event_id: int,
    changes: Mapping[str, Any],
    *,
    actor: str,
    reason: str | None = None,
) -> EngagementEvent:
    """Apply ``changes`` to one event; ``stakeholder_ids``/``priority_areas`` replace the links."""
    actor = _require_actor(actor)
    codes = reference_codes(db)
    allowed = set(EngagementEvent.model_fields) - {"event_id", "seeded"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise EngagementValidationError([f"Unknown fields: {', '.join(unknown)}."])

    def work(cur: duckdb.DuckDBPyConnection) -> EngagementEvent:
        before = _event(cur, event_id)
        merged = {**before.model_dump(), **dict(changes), "event_id": event_id}
        after = validate_event(merged, known_stakeholders=_stakeholder_ids(cur), codes=codes)
        if after == before:
            return before
        cur.execute(
            """UPDATE engagement_events SET event_date = ?, end_date = ?, title = ?,
                   event_type = ?, audience = ?, region_code = ?, outcome = ?, actions = ?,
                   updated_at = current_timestamp, updated_by = ?
               WHERE event_id = ?""",
            [
                after.event_date,
                after.end_date,
                after.title,
                after.event_type,
                after.audience,
                after.region_code,
                after.outcome,
                after.actions,
                actor,
                event_id,
            ],
        )
        _replace_links(cur, event_id, after.stakeholder_ids, after.priority_areas)
        record(
            cur,
            actor=actor,
            action="edit",
            entity=EVENT,
            entity_id=str(event_id),
            reason=reason,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        return after

    return db.write(work)


def log_contact(
    db: Database,
    event_id: int,
    stakeholder_ids: Iterable[int],
    *,
    actor: str,
    reason: str | None = None,
) -> EngagementEvent:
    """Add stakeholders to an event's log (keeping those already linked)."""
    with db.cursor() as cur:
        current = _event(cur, event_id).stakeholder_ids
    merged = list(dict.fromkeys([*current, *stakeholder_ids]))
    return edit_event(db, event_id, {"stakeholder_ids": merged}, actor=actor, reason=reason)


def delete_event(db: Database, event_id: int, *, actor: str, reason: str | None = None) -> None:
    """Remove an event and its links; the audit row keeps the full record to re-create it."""
    actor = _require_actor(actor)

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        before = _event(cur, event_id)
        _replace_links(cur, event_id, [], [])
        cur.execute("DELETE FROM engagement_events WHERE event_id = ?", [event_id])
        record(
            cur,
            actor=actor,
            action="delete",
            entity=EVENT,
            entity_id=str(event_id),
            reason=reason,
            before=before.model_dump(mode="json"),
        )

    db.write(work)


# --- seeding -------------------------------------------------------------------------------


def has_seeded(db: Database) -> bool:
    n = db.scalar("SELECT count(*) FROM stakeholders WHERE seeded")
    m = db.scalar("SELECT count(*) FROM engagement_events WHERE seeded")
    return bool(n or m)


def write_seed(
    db: Database,
    stakeholders: Sequence[Stakeholder],
    events: Sequence[tuple[EngagementEvent, Sequence[str]]],
    *,
    actor: str,
) -> dict[str, int]:
    """Insert seeded stakeholders and events (linked by stakeholder name) in one transaction.

    A no-op returning zeros when seeded rows are already there, so a re-run never duplicates.
    """
    if has_seeded(db):
        return {"stakeholders": 0, "events": 0, "links": 0}
    actor = _require_actor(actor)
    codes = reference_codes(db)

    def work(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
        ids: dict[str, int] = {}
        for s in stakeholders:
            checked = validate_stakeholder(
                s.model_copy(update={"seeded": True}), existing=_existing(cur), codes=codes
            )
            ids[checked.name] = _insert_stakeholder(cur, checked, actor)
        links = 0
        for e, names in events:
            missing = [n for n in names if n not in ids]
            if missing:
                raise EngagementValidationError([f"Unknown seeded stakeholders: {missing}"])
            linked = e.model_copy(
                update={"seeded": True, "stakeholder_ids": [ids[n] for n in names]}
            )
            checked = validate_event(linked, known_stakeholders=ids.values(), codes=codes)
            _insert_event(cur, checked, actor)
            links += len(names)
        record(
            cur,
            actor=actor,
            action="seed",
            entity="engagement",
            reason="Seeded from the June 2016 draft framework's engagement section",
            after={"stakeholders": len(ids), "events": len(events), "links": links},
        )
        return {"stakeholders": len(ids), "events": len(events), "links": links}

    return db.write(work)


# --- reads ---------------------------------------------------------------------------------


def _region_names(codes: ReferenceCodes) -> dict[str, str]:
    return dict(codes.regions)


def load_engagement_log(db: Database) -> pd.DataFrame:
    """One row per (event, stakeholder) link: the engagement log, newest event first."""
    df = db.df(
        """SELECT e.event_id, e.event_date, e.end_date, e.title, e.event_type,
                  s.stakeholder_id, s.name AS stakeholder, s.stakeholder_group AS "group",
                  s.retired
           FROM event_stakeholders es
           JOIN engagement_events e ON e.event_id = es.event_id
           JOIN stakeholders s ON s.stakeholder_id = es.stakeholder_id
           ORDER BY e.event_date DESC, e.event_id DESC, lower(s.name)"""
    )
    df["event_type_label"] = df["event_type"].map(EVENT_TYPES)
    df["group_label"] = df["group"].map(GROUPS)
    return df


def _last_event_dates(log: pd.DataFrame, as_of: date) -> dict[int, date]:
    latest: dict[int, date] = {}
    for sid, start, end in zip(
        log["stakeholder_id"], log["event_date"], log["end_date"], strict=True
    ):
        end_d = None if pd.isna(end) else pd.Timestamp(end).date()
        d = contact_date(pd.Timestamp(start).date(), end_d, as_of)
        if d is not None and (sid not in latest or d > latest[sid]):
            latest[int(sid)] = d
    return latest


def load_stakeholders(
    db: Database,
    *,
    include_retired: bool = False,
    groups: Sequence[str] | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Stakeholders with labels, quadrant, number of events and the latest linked contact."""
    as_of = as_of or date.today()
    clauses, params = [], []
    if not include_retired:
        clauses.append("NOT s.retired")
    if groups:
        clauses.append(f"s.stakeholder_group IN ({', '.join('?' for _ in groups)})")
        params.extend(groups)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    df = db.df(
        f"""SELECT s.stakeholder_id, s.name, s.stakeholder_group AS "group", s.region_code,
                   s.interest, s.influence, s.owner, s.last_contact, s.next_step, s.seeded,
                   s.retired, s.updated_at, s.updated_by,
                   (SELECT count(*) FROM event_stakeholders es
                    WHERE es.stakeholder_id = s.stakeholder_id) AS events
            FROM stakeholders s {where}
            ORDER BY lower(s.name)""",
        params,
    )
    codes = reference_codes(db)
    df["group_label"] = df["group"].map(GROUPS)
    df["region_name"] = df["region_code"].map(_region_names(codes)).fillna(NATIONAL_LABEL)
    df["last_contact"] = pd.to_datetime(df["last_contact"]).dt.date
    latest = _last_event_dates(load_engagement_log(db), as_of)
    df["last_event"] = df["stakeholder_id"].map(latest)
    df["events"] = df["events"].astype("int64")
    df = add_latest_contact(df, as_of)
    return add_quadrants(df) if len(df) else df.assign(quadrant=pd.Series(dtype="object"))


def stakeholder(db: Database, stakeholder_id: int) -> Stakeholder:
    with db.cursor() as cur:
        return _stakeholder(cur, stakeholder_id)


def event(db: Database, event_id: int) -> EngagementEvent:
    with db.cursor() as cur:
        return _event(cur, event_id)


def load_events(
    db: Database,
    *,
    since: date | None = None,
    until: date | None = None,
    types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Events with their stakeholders (names, ids) and priority areas, in date order."""
    clauses, params = [], []
    if since is not None:
        clauses.append("coalesce(e.end_date, e.event_date) >= ?")
        params.append(since)
    if until is not None:
        clauses.append("e.event_date <= ?")
        params.append(until)
    if types:
        clauses.append(f"e.event_type IN ({', '.join('?' for _ in types)})")
        params.extend(types)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    df = db.df(
        f"""SELECT e.event_id, e.event_date, e.end_date, e.title, e.event_type, e.audience,
                   e.region_code, e.outcome, e.actions, e.seeded, e.updated_at, e.updated_by,
                   coalesce((SELECT string_agg(s.name, '; ' ORDER BY lower(s.name))
                             FROM event_stakeholders es
                             JOIN stakeholders s ON s.stakeholder_id = es.stakeholder_id
                             WHERE es.event_id = e.event_id), '') AS stakeholders,
                   coalesce((SELECT list(es.stakeholder_id ORDER BY es.stakeholder_id)
                             FROM event_stakeholders es WHERE es.event_id = e.event_id),
                            []::INTEGER[]) AS stakeholder_ids,
                   coalesce((SELECT string_agg(p.priority_area, ', ' ORDER BY p.priority_area)
                             FROM event_priority_areas p WHERE p.event_id = e.event_id), '')
                       AS priority_areas
            FROM engagement_events e {where}
            ORDER BY e.event_date, e.event_id""",
        params,
    )
    codes = reference_codes(db)
    df["event_date"] = pd.to_datetime(df["event_date"]).dt.date
    df["end_date"] = pd.to_datetime(df["end_date"]).dt.date
    df["event_type_label"] = df["event_type"].map(EVENT_TYPES)
    df["region_name"] = df["region_code"].map(_region_names(codes)).fillna(NATIONAL_LABEL)
    df["stakeholder_ids"] = df["stakeholder_ids"].map(lambda v: [int(x) for x in v])
    return df


def load_event_areas(db: Database) -> pd.DataFrame:
    """One row per (event, priority area) with the event's date and region: coverage input."""
    return db.df(
        """SELECT e.event_id, e.event_date, e.end_date, e.region_code, p.priority_area
           FROM event_priority_areas p JOIN engagement_events e ON e.event_id = p.event_id
           ORDER BY e.event_date, e.event_id, p.priority_area"""
    )


def coverage(db: Database, *, since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """Events per priority area × region (see ``engagement.coverage_counts``)."""
    return coverage_counts(load_event_areas(db), reference_codes(db), since=since, until=until)


def load_not_contacted(db: Database, days: int, *, as_of: date | None = None) -> pd.DataFrame:
    """Active stakeholders not contacted for more than ``days`` days (see the domain rule)."""
    as_of = as_of or date.today()
    return not_contacted(load_stakeholders(db, as_of=as_of), days, as_of)


def stakeholder_history(db: Database, stakeholder_id: int) -> pd.DataFrame:
    """The audit trail of one stakeholder, newest first."""
    return db.df(
        """SELECT changed_at, actor, action, reason, before_json, after_json FROM audit_log
           WHERE entity = ? AND entity_id = ? ORDER BY audit_id DESC""",
        [STAKEHOLDER, str(stakeholder_id)],
    )


def events_for_roadmap(
    db: Database, *, since: date | None = None, until: date | None = None
) -> pd.DataFrame:
    """Events for the Plan roadmap's events row: ``event_date`` (a phase's start), ``title``
    and ``event_type`` (a plain label), in date order; ``charts.roadmap`` draws them."""
    events = load_events(db, since=since, until=until)
    out = events[["event_id", "event_date", "end_date", "title"]].copy()
    out["event_type"] = events["event_type_label"]
    return out.reset_index(drop=True)
