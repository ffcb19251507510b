"""The Plan page's status widgets: the roll-up per priority area and per condition, and the
milestones that need attention (past due or not updated for a number of days)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nlf_planner import plan as P
from nlf_planner.services.plan_editing import PlanReference
from nlf_planner.settings import get_settings
from nlf_planner.ui.frame import query_param, set_query_params
from nlf_planner.ui.text import escape_markdown

HEADLINE_SYMBOLS = {
    "off_track": "✖",
    "at_risk": "▲",
    "on_track": "●",
    "not_started": "○",
    "done": "✔",
    "none": "–",
}


def _with_symbols(df: pd.DataFrame) -> pd.DataFrame:
    """Headline with a shape as well as words (never colour alone), and code + name."""
    return df.assign(
        headline_label=[
            f"{HEADLINE_SYMBOLS[h]} {label}"
            for h, label in zip(df["headline"], df["headline_label"], strict=True)
        ],
        name=df["code"] + " " + df["name"],
    )


def _headline_sentence(df: pd.DataFrame) -> str:
    """The roll-up in one line a board can read: which codes sit under each headline."""
    parts = []
    for head in ("off_track", "at_risk", "on_track", "not_started", "done", "none"):
        codes = df.loc[df["headline"] == head, "code"].tolist()
        if codes:
            parts.append(f"**{P.HEADLINE_LABELS[head]}**: {escape_markdown(', '.join(codes))}")
    return " · ".join(parts)


def rollup(plan: P.Plan, ref: PlanReference, today: date) -> None:
    by_area, by_condition = P.rollup(plan, ref.areas, ref.conditions, today)
    # Narrow enough for 1024 px (issue 18): the name, its headline and the past-due count
    # come first, so nothing a board looks for sits off to the right.
    counts_cfg = {
        "name": st.column_config.TextColumn("Priority area", width=190),
        "headline_label": st.column_config.TextColumn("Headline", width=105),
        "past_due": st.column_config.NumberColumn("Past due", width=75),
        "total": st.column_config.NumberColumn("All", width=45, help="Milestones in all"),
        **{s: st.column_config.NumberColumn(P.STATUS_LABELS[s], width=80) for s in P.STATUSES},
    }
    cols = ["name", "headline_label", "past_due", "total", *P.STATUSES]
    st.subheader("By priority area")
    st.caption(
        "Headline = the worst open milestone (past-due items count as off track); "
        "Complete when every milestone is done."
    )
    st.markdown(_headline_sentence(by_area))
    st.dataframe(_with_symbols(by_area)[cols], hide_index=True, column_config=counts_cfg)
    st.subheader("By condition")
    st.markdown(_headline_sentence(by_condition))
    st.dataframe(
        _with_symbols(by_condition)[[*cols, "areas"]],
        hide_index=True,
        column_config={
            **counts_cfg,
            "name": st.column_config.TextColumn("Condition", width=190),
            "areas": st.column_config.TextColumn("Priority areas"),
        },
    )


@st.fragment
def attention(plan: P.Plan, today: date, area: str | None) -> None:
    """Past-due and stale milestones; the number of days is kept in the URL as ``stale``.
    A fragment: changing the number of days reruns only this list (issue 12)."""
    st.subheader("Needs attention: past due or not updated")
    default_days = get_settings().stale_days
    stale_param = query_param("stale", str(default_days))
    stale_days = st.number_input(
        "Not updated for more than (days)",
        min_value=7,
        max_value=730,
        step=7,
        value=int(stale_param) if str(stale_param).isdigit() else default_days,
        key="plan_stale_days",
    )
    set_query_params(stale=None if stale_days == default_days else int(stale_days))
    items = P.attention_list(plan, today, int(stale_days), area)
    if items.empty:
        st.success("Nothing past due, and every open milestone was updated recently.")
        return
    late, stale = int(items["past_due"].sum()), int(items["stale"].sum())
    st.caption(f"{late} past due and {stale} not updated in {int(stale_days)} days.")
    st.dataframe(
        items.drop(columns=["past_due", "stale"]),
        hide_index=True,
        column_config={
            "item_id": "ID",
            "priority_area": "Area",
            "title": st.column_config.TextColumn("Milestone", width="large"),
            "owner": "Owner",
            "status": "Status",
            "due_date": st.column_config.DateColumn("Due", format="D MMM YYYY"),
            "last_updated": st.column_config.DateColumn("Last updated", format="D MMM YYYY"),
            "why": st.column_config.TextColumn("Why it is listed", width="medium"),
        },
    )
