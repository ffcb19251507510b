"""The Data page's audit log: every change filtered by what, who (bound to the URL's
``entity`` and ``who``) and when, with one change's before and after in full."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from nlf_planner.exports_tables import CSV_MIME, XLSX_MIME, to_csv_bytes, to_xlsx_bytes
from nlf_planner.services import audit as audit_service
from nlf_planner.services.database import Database

LOG_COLUMNS = {
    "audit_id": st.column_config.NumberColumn("#", format="%d", width="small"),
    "changed_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
    "actor": "Who",
    "actor_email": "Email",
    "actor_id": st.column_config.TextColumn(
        "Signed-in identity",
        help="The identity provider's subject (local: in local mode, system: for the command line)",
    ),
    "action": "Action",
    "entity": "What",
    "description": st.column_config.TextColumn("Which", width="large"),
    "entity_id": "Id",
    "reason": "Reason",
    "before": "Before",
    "after": "After",
}


def render_audit(db: Database) -> None:
    log = _filtered_log(db)
    st.caption(
        f"{len(log):,} changes, newest first. Select a row to see its before and after in full."
    )
    event = st.dataframe(
        log,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="data_audit_table",
        column_config=LOG_COLUMNS,
    )
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if rows:
        _before_and_after(log.iloc[rows[0]])
    _downloads(log)


def _filtered_log(db: Database) -> pd.DataFrame:
    choices = audit_service.filter_choices(db)
    c1, c2, c3 = st.columns([1, 1, 2])
    entity = c1.selectbox(
        "What changed",
        choices.entities,
        index=None,
        key="entity",
        bind="query-params",
        placeholder="Everything",
    )
    who = c2.selectbox(
        "Who", choices.actors, index=None, key="who", bind="query-params", placeholder="Everyone"
    )
    today = date.today()
    start = choices.first_change or today
    span = c3.date_input(
        "When",
        value=(min(start, today - timedelta(days=30)), today),
        key="data_when",
        format="DD/MM/YYYY",
    )
    since, until = span if isinstance(span, (tuple, list)) and len(span) == 2 else (None, None)
    log = audit_service.audit_log(db, entity=entity, who=who, since=since, until=until)
    return log.rename(columns={"before_json": "before", "after_json": "after"})


def _before_and_after(chosen: pd.Series) -> None:
    left, right = st.columns(2)
    for col, name in ((left, "before"), (right, "after")):
        col.markdown(f"**{name.capitalize()}**")
        try:
            col.json(json.loads(chosen[name]) if chosen[name] else {}, expanded=2)
        except (TypeError, ValueError):
            col.code(str(chosen[name]))


def _downloads(log: pd.DataFrame) -> None:
    stamp = f"{date.today():%Y%m%d}"
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Download (CSV)",
        data=lambda: to_csv_bytes(log),
        file_name=f"nlf-audit-log-{stamp}.csv",
        mime=CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_audit_csv",
    )
    c2.download_button(
        "Download (Excel)",
        data=lambda: to_xlsx_bytes({"audit_log": log}),
        file_name=f"nlf-audit-log-{stamp}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_audit_xlsx",
    )
