"""Saved peer groups: every save a new version with its members, delete soft, all audited.

SQL only: the rules (a valid group, who may save it, where its home lies) live in
``nlf_planner.peers`` and ``services.peers``. A group is ``peer_group_id``; its
``(peer_group_id, version)`` rows and their members are never changed except to mark the
whole group deleted. The newest version not deleted is the group.
"""

from __future__ import annotations

import pandas as pd

from nlf_planner.peers import PeerGroup
from nlf_planner.store.audit import record
from nlf_planner.store.db import ConstraintViolation, Cursor, Database, StoreError, WriteConflict

AUDIT_ENTITY = "peer_group"
_COLS = (
    "peer_group_id, version, name, home_geo, level, method, basis_measure, description, "
    "author, created_at"
)


class PeerGroupNotFound(StoreError):
    """The group does not exist or was deleted."""


class StalePeerGroup(StoreError):
    """Someone saved a newer version than the one the edit started from."""

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


def _from_row(row: tuple, members: tuple[str, ...]) -> PeerGroup:
    gid, version, name, home, level, method, basis, desc, author, created = row
    return PeerGroup(
        name=name,
        home_geo=home,
        level=level,
        members=members,
        method=method,
        basis_measure=basis or None,
        description=desc or "",
        peer_group_id=int(gid),
        version=int(version),
        author=author,
        created_at=created,
    )


def _members(db_or_cur, keys: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, ...]]:
    if not keys:
        return {}
    ids = sorted({k[0] for k in keys})
    marks = ", ".join("?" for _ in ids)
    sql = f"""SELECT peer_group_id, version, geo_code FROM peer_group_members
              WHERE peer_group_id IN ({marks}) ORDER BY geo_code"""
    rows = db_or_cur.rows(sql, ids) if isinstance(db_or_cur, Database) else (
        db_or_cur.execute(sql, ids).fetchall()
    )  # fmt: skip
    out: dict[tuple[int, int], list[str]] = {}
    for gid, version, geo in rows:
        out.setdefault((int(gid), int(version)), []).append(str(geo))
    return {k: tuple(out.get(k, [])) for k in keys}


def _head(cur: Cursor, gid: int) -> tuple[int | None, bool]:
    row = cur.execute(
        "SELECT max(version), bool_or(deleted) FROM peer_groups WHERE peer_group_id = ?", [gid]
    ).fetchone()
    if row is None or row[0] is None:
        return None, False
    return int(row[0]), bool(row[1])


def _new_id(cur: Cursor) -> int:
    """The sequence's next value, moved past any id already held (a database restored
    from a backup that did not carry the sequence must not hand out a taken id)."""
    drawn = int(cur.execute("SELECT nextval('peer_group_seq')").fetchone()[0])
    held = cur.execute("SELECT max(peer_group_id) FROM peer_groups").fetchone()[0]
    return max(drawn, int(held or 0) + 1)


def save_group(
    db: Database,
    group: PeerGroup,
    *,
    actor: str,
    expected_version: int | None = None,
    reason: str | None = None,
) -> PeerGroup:
    """Save ``group`` as a new group (``peer_group_id`` None) or the next version of it.

    ``expected_version`` is the version the edit started from: when a newer one exists the
    save raises :class:`StalePeerGroup` and writes nothing. Returns the saved version."""
    if not actor or not actor.strip():
        raise ValueError("Every change needs a person: sign in first.")

    def work(cur: Cursor) -> tuple[int, int]:
        before = None
        if group.peer_group_id is None:
            gid, version = _new_id(cur), 1
        else:
            gid = int(group.peer_group_id)
            head, deleted = _head(cur, gid)
            if head is None or deleted:
                raise PeerGroupNotFound(f"Peer group {gid} does not exist or was deleted.")
            if expected_version is not None and head != int(expected_version):
                raise StalePeerGroup(
                    f"Someone saved version {head} of this peer group after you opened "
                    f"version {expected_version}.",
                    head,
                )
            prev = _load(cur, gid, head)
            before = prev.summary() if prev else None
            version = head + 1
        cur.execute(
            f"""INSERT INTO peer_groups ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,
                current_timestamp)""",
            [gid, version, group.name, group.home_geo, group.level, group.method,
             group.basis_measure, group.description, actor.strip()],
        )  # fmt: skip
        for geo in group.members:
            cur.execute(
                "INSERT INTO peer_group_members (peer_group_id, version, geo_code) "
                "VALUES (?, ?, ?)",
                [gid, version, geo],
            )
        after = {**group.summary(), "version": version}
        record(
            cur,
            actor=actor,
            action="create" if version == 1 else "new_version",
            entity=AUDIT_ENTITY,
            entity_id=f"{gid}/v{version}",
            reason=reason,
            before=before,
            after=after,
        )
        return gid, version

    try:
        gid, version = db.write(work)
    except (ConstraintViolation, WriteConflict) as exc:
        # Someone took that version number at the same moment (DuckDB says so at COMMIT).
        current = load_group(db, group.peer_group_id) if group.peer_group_id else None
        raise StalePeerGroup(
            "Someone else saved this peer group at the same moment.",
            current.version if current else 0,
        ) from exc
    saved = load_group(db, gid, version)
    assert saved is not None
    return saved


def _load(cur: Cursor, gid: int, version: int) -> PeerGroup | None:
    row = cur.execute(
        f"SELECT {_COLS} FROM peer_groups WHERE peer_group_id = ? AND version = ?",
        [gid, version],
    ).fetchone()
    if row is None:
        return None
    return _from_row(row, _members(cur, [(gid, version)])[(gid, version)])


def load_group(db: Database, peer_group_id: int, version: int | None = None) -> PeerGroup | None:
    """One version (the newest when ``version`` is None); None when missing or deleted."""
    params: list = [int(peer_group_id)]
    clause = ""
    if version is not None:
        clause = "AND version = ?"
        params.append(int(version))
    rows = db.rows(
        f"""SELECT {_COLS} FROM peer_groups WHERE peer_group_id = ? AND NOT deleted {clause}
            ORDER BY version DESC LIMIT 1""",
        params,
    )
    if not rows:
        return None
    key = (int(rows[0][0]), int(rows[0][1]))
    return _from_row(rows[0], _members(db, [key])[key])


def list_groups(db: Database) -> list[PeerGroup]:
    """The newest version of each group not deleted, by name then id."""
    rows = db.rows(
        f"""WITH ranked AS (
                SELECT {_COLS}, row_number() OVER (
                    PARTITION BY peer_group_id ORDER BY version DESC) AS rn
                FROM peer_groups WHERE NOT deleted)
            SELECT {_COLS} FROM ranked WHERE rn = 1 ORDER BY lower(name), peer_group_id"""
    )
    members = _members(db, [(int(r[0]), int(r[1])) for r in rows])
    return [_from_row(r, members[(int(r[0]), int(r[1]))]) for r in rows]


def list_versions(db: Database, peer_group_id: int) -> pd.DataFrame:
    """Every version of one group, newest first, with its member count."""
    return db.df(
        """SELECT g.version, g.name, g.home_geo, g.level, g.method, g.basis_measure,
                  g.description, g.author, g.created_at, g.deleted,
                  (SELECT count(*) FROM peer_group_members m
                    WHERE m.peer_group_id = g.peer_group_id AND m.version = g.version)
                    AS members
           FROM peer_groups g WHERE g.peer_group_id = ? ORDER BY g.version DESC""",
        [int(peer_group_id)],
    )


def delete_group(
    db: Database, peer_group_id: int, *, actor: str, reason: str | None = None
) -> None:
    """Soft delete: every version kept but hidden; the audit row says who and why."""
    current = load_group(db, peer_group_id)
    if current is None:
        raise PeerGroupNotFound(
            f"Peer group {peer_group_id} does not exist or was already deleted."
        )

    def work(cur: Cursor) -> None:
        cur.execute(
            "UPDATE peer_groups SET deleted = TRUE WHERE peer_group_id = ? AND NOT deleted",
            [int(peer_group_id)],
        )
        record(
            cur,
            actor=actor,
            action="delete",
            entity=AUDIT_ENTITY,
            entity_id=str(peer_group_id),
            reason=reason,
            before=current.summary(),
            after={"deleted": True},
        )

    db.write(work)
