"""Stakeholders, engagement events and the links between them: the only SQL for engagement.

SQL only: the rules and the analysis (quadrants, latest contact, coverage, the shipped
reference codes as a fallback) live in ``nlf_planner.engagement`` and are applied by
``services.engagement`` to what this module returns. It imports the domain's records and
constants, never its functions.

Writes take records the engagement service has already validated and change rows and the audit
log (before and after) in one transaction, so a failed write leaves the file as it was. Inside
that transaction a write re-checks only what another session could have changed since the
service looked: that the record being edited is still the one the service (or the person)
read, and a stakeholder's name against committed rows. The name rule itself is the service's,
passed in as ``name_problem``; the store calls it on the names its transaction sees and raises
:class:`DuplicateNameError` with the rule's words. Reads return fully materialised DataFrames
of the stored rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TypeVar

import pandas as pd

from nlf_planner.engagement import EVENT_TYPES, EngagementEvent, ReferenceCodes, Stakeholder
from nlf_planner.store import dialect
from nlf_planner.store.audit import record
from nlf_planner.store.db import Cursor, Database, DriverError, StoreError

T = TypeVar("T")

STAKEHOLDER = "stakeholder"
EVENT = "engagement_event"

#: The duplicate-name rule, handed in by the service: (the name being saved, every stored
#: stakeholder as id -> (name, retired), the id being saved or None for a new one) -> the
#: problem in plain English, or None when the name is free.
NameCheck = Callable[[str, Mapping[int, tuple[str, bool]], int | None], str | None]

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


class ChangedElsewhereError(StoreError):
    """The record changed in another session between the service's read and this write.

    ``stored`` is the record as it is now, ``changed_by`` and ``changed_at`` who saved it
    last and when (from the row), so the person can be told what changed meanwhile."""

    def __init__(
        self,
        message: str,
        stored: Stakeholder | EngagementEvent | None = None,
        changed_by: str | None = None,
        changed_at: object = None,
    ) -> None:
        super().__init__(message)
        self.stored = stored
        self.changed_by = changed_by
        self.changed_at = changed_at


def _changed_elsewhere(
    cur: Cursor, table: str, key: str, record_id: int, stored: Stakeholder | EngagementEvent
) -> ChangedElsewhereError:
    """The refusal of a stale write, with the stored record and its last writer."""
    who, when = cur.execute(
        f"SELECT updated_by, updated_at FROM {table} WHERE {key} = ?", [record_id]
    ).fetchone()
    return ChangedElsewhereError(
        f"The record was changed by {who or 'someone else'} while you were editing.",
        stored=stored,
        changed_by=who,
        changed_at=when,
    )


class RefusedRecordError(StoreError):
    """Inside the write's transaction a record no longer fits what is stored (another session
    got in between the service's check and the write); ``problems`` say why, in plain
    English, so the service can show them like its own checks."""

    def __init__(self, problems: Sequence[str], subject: str = "") -> None:
        self.problems = list(problems)
        prefix = f"{subject}: " if subject else ""
        super().__init__(prefix + " ".join(self.problems))


class DuplicateNameError(RefusedRecordError):
    """Another committed stakeholder already uses the name (the service's rule said so)."""


# --- reference -----------------------------------------------------------------------------


def reference_codes(db: Database) -> ReferenceCodes:
    """Region and priority-area codes and names as stored, in display order (empty mappings
    when the reference tables have not been loaded)."""
    regions = db.rows("SELECT code, short_name FROM regions ORDER BY name")
    areas = db.rows("SELECT code, name FROM priority_areas ORDER BY sort_order, code")
    return ReferenceCodes(regions=dict(regions), areas=dict(areas))


# --- row helpers (inside a transaction) ----------------------------------------------------


def _stakeholder(cur: Cursor, stakeholder_id: int) -> Stakeholder:
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


def _event(cur: Cursor, event_id: int) -> EngagementEvent:
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


def existing_names(cur: Cursor) -> dict[int, tuple[str, bool]]:
    """Stakeholder id -> (name, retired) for every committed row: the duplicate-name check's
    input, read on the caller's cursor so it sees what its transaction sees."""
    rows = cur.execute("SELECT stakeholder_id, name, retired FROM stakeholders").fetchall()
    return {int(r[0]): (str(r[1]), bool(r[2])) for r in rows}


def stakeholder_ids(cur: Cursor) -> set[int]:
    """Every stakeholder id, retired ones included (an event may still name them)."""
    return {int(r[0]) for r in cur.execute("SELECT stakeholder_id FROM stakeholders").fetchall()}


def _ensure_unique_name(cur: Cursor, s: Stakeholder, name_problem: NameCheck) -> None:
    """Refuse a name the service's rule finds among the committed stakeholders.

    The service checked before the write; this re-check, on the names the write's own
    transaction sees, catches a second session that added the same name in between.
    """
    dialect.lock(cur, "stakeholder-names")  # two sessions adding one name: the second waits
    problem = name_problem(s.name, existing_names(cur), s.stakeholder_id)
    if problem:
        raise DuplicateNameError([problem], s.name)


def insert_stakeholder(cur: Cursor, s: Stakeholder, actor: str) -> int:
    """Insert one checked stakeholder on the caller's cursor; returns the new id."""
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


def _update_stakeholder(cur: Cursor, s: Stakeholder, actor: str) -> None:
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


def insert_event(cur: Cursor, e: EngagementEvent, actor: str) -> int:
    """Insert one checked event and its links on the caller's cursor; returns the new id."""
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
    cur: Cursor,
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


def _write(db: Database, work: Callable[[Cursor], T]) -> T:
    """Run ``work`` in one transaction; a driver failure becomes a :class:`StoreError`.

    Records arrive checked, so the driver refusing one (a constraint, a full disk) is rare;
    it still reaches the person as a sentence, never as a traceback.
    """
    try:
        return db.write(work)
    except DriverError as exc:
        raise StoreError(f"The database refused the change ({exc}).") from exc


# --- stakeholder writes --------------------------------------------------------------------


def add_stakeholder(
    db: Database,
    s: Stakeholder,
    *,
    actor: str,
    name_problem: NameCheck,
    reason: str | None = None,
) -> Stakeholder:
    """Add one validated stakeholder with its audit row; returns it with its new id.

    ``name_problem`` is re-run on the committed names inside the transaction
    (:class:`DuplicateNameError` when another session took the name meanwhile).
    """

    def work(cur: Cursor) -> Stakeholder:
        fresh = s.model_copy(update={"stakeholder_id": None})
        _ensure_unique_name(cur, fresh, name_problem)
        saved = fresh.model_copy(update={"stakeholder_id": insert_stakeholder(cur, fresh, actor)})
        record(
            cur,
            actor=actor,
            action="add",
            entity=STAKEHOLDER,
            entity_id=str(saved.stakeholder_id),
            reason=reason,
            after=saved.model_dump(mode="json"),
        )
        return saved

    return _write(db, work)


def update_stakeholder(
    db: Database,
    before: Stakeholder,
    after: Stakeholder,
    *,
    actor: str,
    name_problem: NameCheck,
    reason: str | None = None,
    action: str = "edit",
) -> Stakeholder:
    """Replace ``before`` (the record as the service or the person read it) with the
    validated ``after``.

    ``action`` names the change in the audit log (edit, retire, restore). Nothing is written
    when ``after`` equals ``before``; :class:`ChangedElsewhereError` when the stored row is no
    longer ``before``, so one person's edit never silently undoes another's; and
    :class:`DuplicateNameError` when ``name_problem`` finds the new name taken meanwhile.
    """
    sid = before.stakeholder_id
    if sid is None or after.stakeholder_id != sid:
        raise ValueError("An update needs the stored stakeholder's id on both records.")

    def work(cur: Cursor) -> Stakeholder:
        stored = _stakeholder(cur, sid)
        if stored != before:
            raise _changed_elsewhere(cur, "stakeholders", "stakeholder_id", sid, stored)
        if after == before:
            return before
        _ensure_unique_name(cur, after, name_problem)
        _update_stakeholder(cur, after, actor)
        record(
            cur,
            actor=actor,
            action=action,
            entity=STAKEHOLDER,
            entity_id=str(sid),
            reason=reason,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        return after

    return _write(db, work)


# --- event writes --------------------------------------------------------------------------


def add_event(
    db: Database, e: EngagementEvent, *, actor: str, reason: str | None = None
) -> EngagementEvent:
    """Add one validated event with its stakeholders and priority areas; returns it with id."""

    def work(cur: Cursor) -> EngagementEvent:
        fresh = e.model_copy(update={"event_id": None})
        saved = fresh.model_copy(update={"event_id": insert_event(cur, fresh, actor)})
        record(
            cur,
            actor=actor,
            action="add",
            entity=EVENT,
            entity_id=str(saved.event_id),
            reason=reason,
            after=saved.model_dump(mode="json"),
        )
        return saved

    return _write(db, work)


def update_event(
    db: Database,
    before: EngagementEvent,
    after: EngagementEvent,
    *,
    actor: str,
    reason: str | None = None,
) -> EngagementEvent:
    """Replace ``before`` with the validated ``after``; its links are replaced too.

    Same guarantees as :func:`update_stakeholder`: no write without a change, and a refusal
    when someone else changed the event since the service read it.
    """
    eid = before.event_id
    if eid is None or after.event_id != eid:
        raise ValueError("An update needs the stored event's id on both records.")

    def work(cur: Cursor) -> EngagementEvent:
        stored = _event(cur, eid)
        if stored != before:
            raise _changed_elsewhere(cur, "engagement_events", "event_id", eid, stored)
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
                actor.strip(),
                eid,
            ],
        )
        _replace_links(cur, eid, after.stakeholder_ids, after.priority_areas)
        record(
            cur,
            actor=actor,
            action="edit",
            entity=EVENT,
            entity_id=str(eid),
            reason=reason,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        return after

    return _write(db, work)


def delete_event(db: Database, event_id: int, *, actor: str, reason: str | None = None) -> None:
    """Remove an event and its links; the audit row keeps the full record to re-create it."""

    def work(cur: Cursor) -> None:
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

    _write(db, work)


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
    name_problem: NameCheck,
) -> dict[str, int]:
    """Insert seeded stakeholders and events (linked by stakeholder name) in one transaction.

    The records are checked by the caller (``services.engagement.check_seed``); each name is
    re-checked with ``name_problem`` against the rows already written. An event naming a
    stakeholder the seed does not add is refused (:class:`RefusedRecordError`) and nothing is
    written. A no-op returning zeros when seeded rows are already there, so a re-run never
    duplicates.
    """
    if has_seeded(db):
        return {"stakeholders": 0, "events": 0, "links": 0}

    def work(cur: Cursor) -> dict[str, int]:
        ids: dict[str, int] = {}
        for s in stakeholders:
            seeded = s.model_copy(update={"seeded": True, "stakeholder_id": None})
            _ensure_unique_name(cur, seeded, name_problem)
            ids[seeded.name] = insert_stakeholder(cur, seeded, actor)
        links = 0
        for e, names in events:
            missing = [n for n in names if n not in ids]
            if missing:
                raise RefusedRecordError([f"Unknown seeded stakeholders: {missing}"], e.title)
            linked = e.model_copy(
                update={"seeded": True, "stakeholder_ids": [ids[n] for n in names]}
            )
            insert_event(cur, linked, actor)
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

    return _write(db, work)


# --- reads ---------------------------------------------------------------------------------


def load_engagement_log(db: Database) -> pd.DataFrame:
    """One row per (event, stakeholder) link: the engagement log, newest event first."""
    return db.df(
        """SELECT e.event_id, e.event_date, e.end_date, e.title, e.event_type,
                  s.stakeholder_id, s.name AS stakeholder, s.stakeholder_group AS "group",
                  s.retired
           FROM event_stakeholders es
           JOIN engagement_events e ON e.event_id = es.event_id
           JOIN stakeholders s ON s.stakeholder_id = es.stakeholder_id
           ORDER BY e.event_date DESC, e.event_id DESC, lower(s.name)"""
    )


def load_stakeholders(
    db: Database,
    *,
    include_retired: bool = False,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Stored stakeholders (retired ones only when asked), by name, with how many events
    each is linked to."""
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
    df["last_contact"] = pd.to_datetime(df["last_contact"]).dt.date
    df["events"] = df["events"].astype("int64")
    return df


def existing_stakeholders(db: Database) -> dict[int, tuple[str, bool]]:
    """Stakeholder id -> (name, retired): what a new or edited name is checked against."""
    with db.cursor() as cur:
        return existing_names(cur)


def known_stakeholder_ids(db: Database) -> set[int]:
    """Every stakeholder id: what an event's links are checked against."""
    with db.cursor() as cur:
        return stakeholder_ids(cur)


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
    """Events overlapping the window with their stakeholders (names, ids) and priority
    areas, in date order."""
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
                   coalesce((SELECT array_agg(es.stakeholder_id ORDER BY es.stakeholder_id)
                             FROM event_stakeholders es WHERE es.event_id = e.event_id),
                            ARRAY[]::INTEGER[]) AS stakeholder_ids,
                   coalesce((SELECT string_agg(p.priority_area, ', ' ORDER BY p.priority_area)
                             FROM event_priority_areas p WHERE p.event_id = e.event_id), '')
                       AS priority_areas
            FROM engagement_events e {where}
            ORDER BY e.event_date, e.event_id""",
        params,
    )
    df["event_date"] = pd.to_datetime(df["event_date"]).dt.date
    df["end_date"] = pd.to_datetime(df["end_date"]).dt.date
    df["stakeholder_ids"] = df["stakeholder_ids"].map(lambda v: [int(x) for x in v])
    return df


def load_event_areas(db: Database) -> pd.DataFrame:
    """One row per (event, priority area) with the event's date and region: coverage input."""
    return db.df(
        """SELECT e.event_id, e.event_date, e.end_date, e.region_code, p.priority_area
           FROM event_priority_areas p JOIN engagement_events e ON e.event_id = p.event_id
           ORDER BY e.event_date, e.event_id, p.priority_area"""
    )


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
    and ``event_type`` (its label), in date order; ``charts.roadmap`` draws them."""
    events = load_events(db, since=since, until=until)
    out = events[["event_id", "event_date", "end_date", "title"]].copy()
    out["event_type"] = events["event_type"].map(EVENT_TYPES)
    return out.reset_index(drop=True)
