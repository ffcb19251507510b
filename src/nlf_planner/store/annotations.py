"""Chart annotations and SPC rebases: soft-deleted, audited, written in one transaction.

A rebase changes how limits are drawn, so MDC guidance asks for a person and a reason every
time. The rules are checked by the annotations service (``nlf_planner.annotations``) before
it calls here; this module keeps the SQL and writes the audit row in the same transaction as
the change, so a change is never saved without its record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

import pandas as pd

from nlf_planner.store import dialect
from nlf_planner.store.audit import record
from nlf_planner.store.db import Database, StoreError


class AnnotationNotFound(StoreError):
    """The note or rebase does not exist, or was already removed."""


class RebaseExists(StoreError):
    """Another rebase was saved on the same chart and date first (checked in the transaction).

    Carries the date; the service words the refusal with the annotation rules' message."""

    def __init__(self, period: date) -> None:
        super().__init__(f"A rebase already exists on this chart at {period:%Y-%m-%d}.")
        self.period = period


class RebaseHasBaseline(StoreError):
    """The rebase starts a segment whose limits are fixed: the fix goes first (checked in the
    transaction), so no fix is left naming a segment that no longer exists."""

    def __init__(self, period: date) -> None:
        super().__init__(f"The segment from the rebase at {period:%Y-%m-%d} has a fixed baseline.")
        self.period = period


def add_annotation(
    db: Database,
    *,
    actor: str,
    period: date,
    text: str,
    measure_code: str | None = None,
    geo_code: str | None = None,
) -> int:
    """Store an event note for a chart; an empty measure or geography applies to all of them."""

    def work(cur) -> int:
        new_id = cur.execute(
            """INSERT INTO annotations (measure_code, geo_code, period, text, author)
               VALUES (?, ?, ?, ?, ?) RETURNING annotation_id""",
            [measure_code, geo_code, period, text, actor],
        ).fetchone()[0]
        after = {"measure_code": measure_code, "geo_code": geo_code, "period": period, "text": text}
        record(
            cur, actor=actor, action="add", entity="annotation", entity_id=str(new_id), after=after
        )
        return int(new_id)

    return db.write(work)


def delete_annotation(
    db: Database,
    annotation_id: int,
    *,
    actor: str,
    reason: str | None = None,
    allowed: Callable[[str | None], object] | None = None,
) -> None:
    """Hide a note (kept in the table and the audit log). ``allowed`` (the service's region
    check) is called with the note's geography inside the transaction and may raise."""

    def work(cur) -> None:
        row = cur.execute(
            """SELECT measure_code, geo_code, period, text FROM annotations
               WHERE annotation_id = ? AND NOT deleted""",
            [annotation_id],
        ).fetchone()
        if row is None:
            raise AnnotationNotFound(f"Note {annotation_id} does not exist or is already removed.")
        if allowed is not None:
            allowed(row[1])
        cur.execute(
            "UPDATE annotations SET deleted = TRUE WHERE annotation_id = ?", [annotation_id]
        )
        before = dict(zip(("measure_code", "geo_code", "period", "text"), row, strict=True))
        record(
            cur,
            actor=actor,
            action="delete",
            entity="annotation",
            entity_id=str(annotation_id),
            reason=reason,
            before=before,
        )

    db.write(work)


def annotations_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    """Notes that belong on one chart: its own plus those that apply to every measure/area."""
    df = db.df(
        """SELECT annotation_id, measure_code, geo_code, period, text, author, created_at
           FROM annotations
           WHERE NOT deleted AND (measure_code IS NULL OR measure_code = ?)
             AND (geo_code IS NULL OR geo_code = ?)
           ORDER BY period, annotation_id""",
        [measure_code, geo_code],
    )
    df["period"] = pd.to_datetime(df["period"]).dt.date
    return df


def add_rebase(
    db: Database, *, actor: str, measure_code: str, geo_code: str, period: date, reason: str
) -> int:
    """Record a rebase: limits are recomputed from this date for this measure and area."""

    def work(cur) -> int:
        dialect.lock(cur, f"rebase:{measure_code}:{geo_code}")  # two people, one chart
        exists = cur.execute(
            """SELECT count(*) FROM spc_rebases WHERE NOT deleted AND measure_code = ?
               AND geo_code = ? AND period = ?""",
            [measure_code, geo_code, period],
        ).fetchone()[0]
        if exists:
            raise RebaseExists(period)
        new_id = cur.execute(
            """INSERT INTO spc_rebases (measure_code, geo_code, period, reason, author)
               VALUES (?, ?, ?, ?, ?) RETURNING rebase_id""",
            [measure_code, geo_code, period, reason, actor],
        ).fetchone()[0]
        after = {"measure_code": measure_code, "geo_code": geo_code, "period": period}
        record(
            cur,
            actor=actor,
            action="add",
            entity="spc_rebase",
            entity_id=str(new_id),
            reason=reason,
            after=after,
        )
        return int(new_id)

    return db.write(work)


def remove_rebase(
    db: Database,
    rebase_id: int,
    *,
    actor: str,
    reason: str,
    allowed: Callable[[str | None], object] | None = None,
) -> None:
    """Withdraw a rebase (soft delete, with a reason, audited). ``allowed`` (the service's
    region check) is called with the chart's geography inside the transaction and may raise."""

    def work(cur) -> None:
        row = cur.execute(
            """SELECT measure_code, geo_code, period, reason FROM spc_rebases
               WHERE rebase_id = ? AND NOT deleted""",
            [rebase_id],
        ).fetchone()
        if row is None:
            raise AnnotationNotFound(f"Rebase {rebase_id} does not exist or is already removed.")
        if allowed is not None:
            allowed(row[1])
        dialect.lock(cur, f"rebase:{row[0]}:{row[1]}")  # the chart's lock, as fixes take it
        fixed = cur.execute(
            """SELECT count(*) FROM spc_baselines WHERE NOT deleted AND measure_code = ?
               AND geo_code = ? AND segment_start = ?""",
            [row[0], row[1], row[2]],
        ).fetchone()[0]
        if fixed:
            raise RebaseHasBaseline(row[2])
        cur.execute("UPDATE spc_rebases SET deleted = TRUE WHERE rebase_id = ?", [rebase_id])
        before = dict(zip(("measure_code", "geo_code", "period", "reason"), row, strict=True))
        record(
            cur,
            actor=actor,
            action="delete",
            entity="spc_rebase",
            entity_id=str(rebase_id),
            reason=reason,
            before=before,
        )

    db.write(work)


def rebases_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    """Active rebases for one chart, with who entered them and why."""
    df = db.df(
        """SELECT rebase_id, period, reason, author, created_at FROM spc_rebases
           WHERE NOT deleted AND measure_code = ? AND geo_code = ? ORDER BY period""",
        [measure_code, geo_code],
    )
    df["period"] = pd.to_datetime(df["period"]).dt.date
    return df


def all_rebases(db: Database) -> dict[tuple[str, str], list[date]]:
    """Every active rebase date keyed by (measure, geography), for computing all series."""
    out: dict[tuple[str, str], list[date]] = defaultdict(list)
    for m, g, p in db.rows(
        "SELECT measure_code, geo_code, period FROM spc_rebases WHERE NOT deleted ORDER BY period"
    ):
        out[(m, g)].append(p)
    return dict(out)


def rebases_version(db: Database) -> str:
    """Changes whenever a rebase is added or removed, so cached SPC results never go stale."""
    row = db.rows("SELECT count(*), max(rebase_id) FROM spc_rebases WHERE NOT deleted")[0]
    return f"{row[0]}:{row[1]}"


def rebase_reasons(db: Database, measure_code: str, geo_code: str) -> dict[date, str]:
    """Rebase date → 'reason (who)', for chart hover text."""
    df = rebases_for(db, measure_code, geo_code)
    return {r.period: f"{r.reason} ({r.author})" for r in df.itertuples()}


# --------------------------------------------------------------------------- fixed baselines


class BaselineExists(StoreError):
    """Another fixed baseline was saved on the same chart and segment first (checked in the
    transaction). Carries the segment; the service words the refusal with the rules'."""

    def __init__(self, segment_start: date | None) -> None:
        where = "the first segment" if segment_start is None else f"the segment {segment_start}"
        super().__init__(f"A fixed baseline already exists on this chart for {where}.")
        self.segment_start = segment_start


class RebaseGone(StoreError):
    """The rebase that starts the chosen segment was removed before the fix was saved."""

    def __init__(self, segment_start: date) -> None:
        super().__init__(f"There is no longer a rebase at {segment_start:%Y-%m-%d}.")
        self.segment_start = segment_start


_BASELINE_FIELDS = (
    "measure_code",
    "geo_code",
    "segment_start",
    "n_points",
    "until_period",
    "reason",
)


def _chart_lock(cur, measure_code: str, geo_code: str | None) -> None:
    """The rebases' per-chart lock, so a fix and a rebase on one chart never interleave."""
    dialect.lock(cur, f"rebase:{measure_code}:{geo_code}")


def add_baseline(
    db: Database,
    *,
    actor: str,
    measure_code: str,
    geo_code: str | None,
    segment_start: date | None,
    n_points: int | None,
    until_period: date | None,
    reason: str,
) -> int:
    """Record a fixed baseline (one per chart and segment; geo None = every chart of the
    measure), re-checking inside the transaction that the segment is still free and its
    rebase still there."""

    def work(cur) -> int:
        _chart_lock(cur, measure_code, geo_code)
        taken = cur.execute(
            """SELECT count(*) FROM spc_baselines WHERE NOT deleted AND measure_code = ?
               AND geo_code IS NOT DISTINCT FROM ? AND segment_start IS NOT DISTINCT FROM ?""",
            [measure_code, geo_code, segment_start],
        ).fetchone()[0]
        if taken:
            raise BaselineExists(segment_start)
        if segment_start is not None and geo_code is not None:
            rebased = cur.execute(
                """SELECT count(*) FROM spc_rebases WHERE NOT deleted AND measure_code = ?
                   AND geo_code = ? AND period = ?""",
                [measure_code, geo_code, segment_start],
            ).fetchone()[0]
            if not rebased:
                raise RebaseGone(segment_start)
        new_id = cur.execute(
            """INSERT INTO spc_baselines (measure_code, geo_code, segment_start, n_points,
                   until_period, reason, author)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING baseline_id""",
            [measure_code, geo_code, segment_start, n_points, until_period, reason, actor],
        ).fetchone()[0]
        values = (measure_code, geo_code, segment_start, n_points, until_period, reason)
        record(
            cur,
            actor=actor,
            action="add",
            entity="spc_baseline",
            entity_id=str(new_id),
            reason=reason,
            after=dict(zip(_BASELINE_FIELDS, values, strict=True)),
        )
        return int(new_id)

    return db.write(work)


def remove_baseline(
    db: Database,
    baseline_id: int,
    *,
    actor: str,
    reason: str,
    allowed: Callable[[str | None], object] | None = None,
) -> None:
    """Withdraw a fixed baseline (soft delete, the reason kept in ``removed_reason``,
    audited). ``allowed`` (the service's region check) is called with the chart's geography
    (None for a fix on every chart of the measure) inside the transaction and may raise."""

    def work(cur) -> None:
        row = cur.execute(
            """SELECT measure_code, geo_code, segment_start, n_points, until_period, reason
               FROM spc_baselines WHERE baseline_id = ? AND NOT deleted""",
            [baseline_id],
        ).fetchone()
        if row is None:
            raise AnnotationNotFound(
                f"Fixed baseline {baseline_id} does not exist or is already removed."
            )
        if allowed is not None:
            allowed(row[1])
        _chart_lock(cur, row[0], row[1])
        cur.execute(
            """UPDATE spc_baselines SET deleted = TRUE, removed_reason = ?
               WHERE baseline_id = ? AND NOT deleted""",
            [reason, baseline_id],
        )
        record(
            cur,
            actor=actor,
            action="delete",
            entity="spc_baseline",
            entity_id=str(baseline_id),
            reason=reason,
            before=dict(zip(_BASELINE_FIELDS, row, strict=True)),
        )

    db.write(work)


_BASELINE_COLUMNS = """baseline_id, measure_code, geo_code, segment_start, n_points,
    until_period, reason, author, created_at"""


def _baseline_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as dates, the point count as an int, a missing value as None (not NaN/NaT)."""

    def column(values, convert) -> pd.Series:
        return pd.Series(
            [None if pd.isna(v) else convert(v) for v in values], index=df.index, dtype=object
        )

    for name in ("segment_start", "until_period"):
        df[name] = column(df[name], lambda v: pd.Timestamp(v).date())
    df["n_points"] = column(df["n_points"], int)
    df["geo_code"] = column(df["geo_code"], str)
    return df


def baselines_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    """Active fixed baselines that bear on one chart: its own and the measure-wide ones
    (geo_code None), first segment first, with who fixed them and why."""
    df = db.df(
        f"""SELECT {_BASELINE_COLUMNS} FROM spc_baselines
            WHERE NOT deleted AND measure_code = ? AND (geo_code IS NULL OR geo_code = ?)
            ORDER BY segment_start NULLS FIRST, geo_code NULLS FIRST, baseline_id""",
        [measure_code, geo_code],
    )
    return _baseline_frame(df)


def all_baselines(db: Database) -> pd.DataFrame:
    """Every active fixed baseline, for computing every series."""
    df = db.df(
        f"""SELECT {_BASELINE_COLUMNS} FROM spc_baselines WHERE NOT deleted
            ORDER BY measure_code, geo_code NULLS FIRST, segment_start NULLS FIRST"""
    )
    return _baseline_frame(df)
