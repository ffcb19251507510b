"""The control chart each measure's SPC limits come from (``spc_chart_types``, migration 7).

A measure with no row uses the XmR chart. Choosing the XmR chart again deletes the row, so
the table holds only the measures that differ from the default; the history of every choice
(who, when, why, from what to what) is in the audit log (entity ``spc_chart_type``), written
in the same transaction as the change. The rules (which chart a measure may use, that a
reason is given) are checked by ``services.chart_types`` before it calls here.
"""

from __future__ import annotations

from nlf_planner.store import dialect
from nlf_planner.store.audit import record
from nlf_planner.store.db import Database

#: The chart a measure without a row uses.
DEFAULT_CHART_TYPE = "xmr"


def chart_types(db: Database) -> dict[str, str]:
    """Every measure whose limits come from a chart other than XmR: measure code → type."""
    rows = db.rows("SELECT measure_code, chart_type FROM spc_chart_types ORDER BY measure_code")
    return {str(code): str(kind) for code, kind in rows}


def chart_type_rows(db: Database):
    """The table as stored (measure, type, reason, author, when), for the page's caption."""
    return db.df(
        """SELECT measure_code, chart_type, reason, author, changed_at
           FROM spc_chart_types ORDER BY measure_code"""
    )


def set_chart_type(
    db: Database, *, measure_code: str, chart_type: str, reason: str, actor: str
) -> bool:
    """Set the chart a measure's limits come from, with its audit row, in one transaction.

    Returns False (and writes nothing) when the measure already uses that chart."""

    def work(cur) -> bool:
        dialect.lock(cur, f"chart_type:{measure_code}")  # two people, one measure
        row = cur.execute(
            "SELECT chart_type FROM spc_chart_types WHERE measure_code = ?", [measure_code]
        ).fetchone()
        before_type = str(row[0]) if row else DEFAULT_CHART_TYPE
        if before_type == chart_type:
            return False
        if chart_type == DEFAULT_CHART_TYPE:
            cur.execute("DELETE FROM spc_chart_types WHERE measure_code = ?", [measure_code])
        elif row is None:
            cur.execute(
                """INSERT INTO spc_chart_types (measure_code, chart_type, reason, author)
                   VALUES (?, ?, ?, ?)""",
                [measure_code, chart_type, reason, actor],
            )
        else:  # read under the lock above, so an update is safe (no upsert needed)
            cur.execute(
                """UPDATE spc_chart_types SET chart_type = ?, reason = ?, author = ?,
                       changed_at = CAST(now() AS TIMESTAMP) WHERE measure_code = ?""",
                [chart_type, reason, actor, measure_code],
            )
        record(
            cur,
            actor=actor,
            action="update",
            entity="spc_chart_type",
            entity_id=measure_code,
            reason=reason,
            before={"measure_code": measure_code, "chart_type": before_type},
            after={"measure_code": measure_code, "chart_type": chart_type, "reason": reason},
        )
        return True

    return db.write(work)
