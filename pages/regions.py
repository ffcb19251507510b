"""Regions: compare the 7 regions and their ICSs the Making Data Count way (thin page)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nlf_planner import regions as R
from nlf_planner.charts.compare import benchmark_bars, funnel_plot, matrix_figure, spine_chart
from nlf_planner.charts.spc import spc_figure
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.periods import label as period_label
from nlf_planner.settings import get_settings
from nlf_planner.spc import suggest_rebase
from nlf_planner.store import annotations as notes_store
from nlf_planner.ui.frame import (
    chart_with_download,
    current_user,
    footer,
    get_db,
    illustrative_notice,
    page_header,
    query_param,
    read_only_banner,
    set_query_params,
)
from nlf_planner.ui.regions_state import regions_model
from nlf_planner.ui.sidebar import selected_region
from nlf_planner.units import format_value

VIEWS = ["Matrix", "Measure", "Benchmark", "Profile"]
SUMMARY_ORDER = [
    "measure",
    "period",
    "latest",
    "vs_england",
    "variation",
    "assurance",
    "trajectory",
    "progress",
    "target",
    "mean",
    "lower_limit",
    "upper_limit",
    "reading",
]


def _drill(model: R.RegionsModel, matrix: R.Matrix) -> None:
    """Tile click: open the measure view for that geography (and measure, or area)."""
    state = st.session_state.get("rug")
    points = [p for p in (state.selection.points if state else []) if p.get("curve_number") == 1]
    if not points:
        return
    idx = int(points[0].get("point_index", points[0].get("point_number", -1)))
    n_cols = len(matrix.column_codes)
    if 0 <= idx < n_cols * len(matrix.geo_codes):
        geo, code = matrix.geo_codes[idx // n_cols], matrix.column_codes[idx % n_cols]
        _open_measure(model, geo, code, matrix.kind)


def _open_measure(model: R.RegionsModel, geo: str, code: str, kind: str) -> None:
    if kind == "area":
        ms = model.measures_in(code)
        pick = next((m for m in ms if m.headline), ms[0] if ms else None)
        code = pick.code if pick else next(iter(model.measures))
    st.session_state["view"] = "Measure"
    st.session_state["geo"] = geo
    st.session_state["measure"] = code


def _select(where, label: str, options: dict[str, str], key: str, default: str | None):
    """A selectbox mirrored in the URL (codes, not labels); unknown values fall back."""
    if st.session_state.get(key) not in options:
        fallback = default if default in options else next(iter(options))
        st.session_state[key] = query_param(key, fallback, list(options))
    value = where.selectbox(label, list(options), format_func=options.get, key=key)
    set_query_params(**{key: value or None})
    return value


def _open_selected(model: R.RegionsModel, kind: str) -> None:
    """The keyboard route into a cell: read the two choices at click time."""
    _open_measure(model, st.session_state["open_geo"], st.session_state["open_col"], kind)


def geography_choices(model: R.RegionsModel, region: str) -> dict[str, str]:
    opts = {ENGLAND_CODE: "England"}
    opts.update({r.code: r.name for r in model.regions})
    if region != ENGLAND_CODE:
        opts.update({i.code: f"{i.name} (ICS)" for i in model.icbs_in(region)})
    else:
        opts.update({i.code: f"{i.name} (ICS)" for i in model.icbs})
    return opts


def measure_choices(model: R.RegionsModel) -> dict[str, str]:
    return {c: f"{m.area_code} · {c} {m.name}" for c, m in model.measures.items()}


def _table_download(frame: pd.DataFrame, key: str, summary: str) -> None:
    st.caption(summary)
    st.download_button(
        "Download data (CSV)",
        data=frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"download_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


# --------------------------------------------------------------------------- views


def matrix_view(model: R.RegionsModel, region: str) -> None:
    geos = R.geographies(model, region)
    scope = (
        "the 7 NHS regions"
        if region == ENGLAND_CODE
        else f"{model.names[region]} and its {len(geos) - 2} ICSs"
    )
    c1, c2 = st.columns([1, 2])
    expand = c1.toggle("Show each measure", key="by_measure", bind="query-params")
    area_opts = {"": "All priority areas", **{a.code: f"{a.code} {a.name}" for a in model.areas}}
    area = _select(c2, "Priority area (when showing measures)", area_opts, "area", "")
    matrix = R.measure_matrix(model, geos, area or None) if expand else R.area_matrix(model, geos)
    what = "the nine priority areas"
    if expand:
        what = f"the measures of {area_opts[area]}" if area else "every measure"
    title = f"How {scope} compare on {what}"
    st.subheader(title)
    st.caption(
        "Each tile: the latest value against England (▲ better, ● similar, ▼ worse, "
        "○ not compared; 95% intervals), and, where the plan sets a target, how many measures "
        "are on its trajectory. Measure tiles add the SPC variation letter of the latest point "
        "(H high, L low, C common cause). Tint: blue better, orange worse, yellow mixed, grey "
        "England. Hover for the full reading; click a tile to open its SPC chart."
    )
    fig = matrix_figure(
        matrix.tile,
        matrix.tone,
        matrix.text,
        title=f"{scope[0].upper()}{scope[1:]} × {what}<br><sup>Latest values against England "
        "(95% intervals), SPC and progress against the plan</sup>",
        column_labels=(
            [f"{a.code} {a.name}" for a in model.areas]
            if matrix.kind == "area"
            else [f"{c} {model.measure(c).name}" for c in matrix.column_codes]
        ),
    )
    st.plotly_chart(
        fig,
        key="rug",
        on_select=lambda: _drill(model, matrix),
        selection_mode="points",
        config={"displaylogo": False, "displayModeBar": False},
    )
    if st.toggle("Show the matrix as a table (full text)", key="rug_table"):
        st.dataframe(matrix.text, row_height=48)
    _table_download(matrix.to_csv_frame(), "regions-matrix", R.matrix_summary(model, matrix))
    with st.expander("Open a cell without the mouse"):
        g_opts = {g: model.names[g] for g in geos}
        col_opts = dict(zip(matrix.column_codes, matrix.text.columns, strict=True))
        a, b, c = st.columns([2, 3, 1])
        a.selectbox("Geography", list(g_opts), format_func=g_opts.get, key="open_geo")
        b.selectbox("Column", list(col_opts), format_func=col_opts.get, key="open_col")
        c.button("Open chart", key="open_cell", on_click=_open_selected, args=(model, matrix.kind))


def measure_view(model: R.RegionsModel, region: str, db) -> None:
    g_opts = geography_choices(model, region)
    m_opts = measure_choices(model)
    c1, c2 = st.columns(2)
    geo = _select(c1, "Geography", g_opts, "geo", region if region in g_opts else ENGLAND_CODE)
    code = _select(c2, "Measure", m_opts, "measure", next(iter(m_opts)))
    m = model.measure(code)
    res = model.result(code, geo)
    if res is None or res.empty:
        st.info(f"No data for {m.name} in {g_opts[geo]}.")
        return
    cell = model.cell(code, geo)
    _summary_row(model, m, cell)
    notes = notes_store.annotations_for(db, code, geo)
    line = R.plan_line(model, code, geo)
    fig = spc_figure(
        res,
        title=f"{m.name} — {model.names[geo]}<br><sup>SPC chart of the {m.frequency} "
        f"{R.UNIT_TITLE.get(m.unit, m.unit_label)}: mean, process limits, plan</sup>",
        y_title=m.unit_label,
        value_format=".2f" if m.unit == "score_0_10" else ".1f",
        period_labels=[period_label(d.date(), m.frequency) for d in res.to_frame().period],
        plan_line=line,
        horizon_targets=R.horizon_targets(model, code, geo),
        annotations=notes,
        rebase_reasons=notes_store.rebase_reasons(db, code, geo),
    )
    data = res.to_frame()
    if line is not None:
        data = data.merge(line.assign(period=pd.to_datetime(line.period)), on="period", how="left")
    chart_with_download(fig, data, key=f"spc-{code}-{geo}", summary=R.reading(model, code, geo))
    if line is None:
        st.caption("No plan target applies to this measure here, so no target lines are drawn.")
    area_codes = [x.code for x in model.measures_in(m.area_code)]
    st.markdown(f"**All measures in {m.area_code} for {model.names[geo]}**")
    table = R.summary_table(model, [geo], area_codes)
    st.dataframe(table, hide_index=True, column_order=SUMMARY_ORDER)
    _notes_panel(db, model, code, geo, res, notes)


def _summary_row(model, m, cell) -> None:
    cols = st.columns([1, 1, 1, 1, 1, 1.6, 1.6])
    fmt = lambda v: format_value(v, m.unit)  # noqa: E731
    cols[0].metric("Latest", fmt(cell.value), help=period_label(cell.period, m.frequency))
    cols[1].metric("Target", fmt(cell.get("target")) if pd.notna(cell.get("target")) else "—")
    cols[2].metric("Mean", fmt(cell["mean"]))
    cols[3].metric("Lower limit", fmt(cell.lower_limit))
    cols[4].metric("Upper limit", fmt(cell.upper_limit))
    cols[5].markdown(f"**Variation**  \n{R.variation_badge(cell.variation_icon)}")
    cols[6].markdown(f"**Assurance**  \n{R.assurance_badge(cell.assurance_icon)}")
    bits = []
    if cell.geo_code != ENGLAND_CODE:
        bits.append(
            f"Against England ({fmt(cell.england_value)}): **{R.comparison_text(cell.comparison)}**"
        )
    plan_text = R.plan_progress_text(cell, m.unit)
    if plan_text:
        bits.append(plan_text)
    if bits:
        st.markdown(" · ".join(bits))


FLASH = "regions_flash"


def _flash(kind: str, text: str) -> None:
    st.session_state[FLASH] = (kind, text)


def _save(action: str, work) -> bool:
    """Run a write for the person in the sidebar; the outcome is shown on the next run.

    Writes run in widget callbacks (before the script), so a rerun can never drop a click.
    """
    user = current_user()
    if not user:
        _flash("warning", f"Enter your name in the sidebar ('Your name') to {action}.")
        return False
    try:
        work(user)
    except Exception as exc:  # noqa: BLE001 - the user sees the message, not a traceback
        _flash("error", str(exc))
        return False
    return True


def _add_note(db, code: str, geo: str) -> None:
    this_chart = st.session_state.get("note_scope") == "This chart only"
    ok = _save(
        "add a note",
        lambda user: notes_store.add_annotation(
            db,
            actor=user,
            period=st.session_state.get("note_date"),
            text=st.session_state.get("note_text", ""),
            measure_code=code if this_chart else None,
            geo_code=geo if this_chart else None,
        ),
    )
    if ok:
        st.session_state["note_text"] = ""
        _flash("success", "Note added.")


def _add_rebase(db, code: str, geo: str) -> None:
    ok = _save(
        "rebase a chart",
        lambda user: notes_store.add_rebase(
            db,
            actor=user,
            measure_code=code,
            geo_code=geo,
            period=st.session_state.get("rebase_date"),
            reason=st.session_state.get("rebase_reason", ""),
        ),
    )
    if ok:
        st.session_state["rebase_reason"] = ""
        _flash("success", "Rebased: the limits are recalculated from that date.")


def _remove_rebase(db) -> None:
    ok = _save(
        "remove a rebase",
        lambda user: notes_store.remove_rebase(
            db,
            int(st.session_state["rebase_remove"]),
            actor=user,
            reason=st.session_state.get("rebase_remove_reason", ""),
        ),
    )
    if ok:
        _flash("success", "Rebase removed.")


def _notes_panel(db, model, code: str, geo: str, res, notes: pd.DataFrame) -> None:
    suggestion = suggest_rebase(res)
    if suggestion:
        st.info(
            f"A sustained shift has run since {suggestion:%B %Y}. If the change is real and "
            "understood, a person may rebase the limits from that date (below).",
            icon=":material/lightbulb:",
        )
    flash = st.session_state.pop(FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    with st.expander("Notes on this chart (events, rebases)", expanded=bool(flash)):
        if not notes.empty:
            st.dataframe(notes[["period", "text", "author"]], hide_index=True)
        with st.form("add_note"):
            st.markdown("**Add an event note** (for example, 'programme launched')")
            a, b = st.columns([1, 3])
            a.date_input(
                "Date", value=res.latest_period, min_value=date(2016, 4, 1), key="note_date"
            )
            b.text_input("What happened", max_chars=200, key="note_text")
            st.radio(
                "Show on", ["This chart only", "Every chart"], horizontal=True, key="note_scope"
            )
            st.form_submit_button("Add note", on_click=_add_note, args=(db, code, geo))
        with st.form("add_rebase"):
            st.markdown("**Rebase the limits** (after a real, understood, sustained change)")
            a, b = st.columns([1, 3])
            a.date_input(
                "From",
                value=suggestion or res.latest_period,
                min_value=date(2016, 4, 1),
                key="rebase_date",
            )
            b.text_input("Reason (required)", max_chars=200, key="rebase_reason")
            st.form_submit_button("Rebase", on_click=_add_rebase, args=(db, code, geo))
        rebases = notes_store.rebases_for(db, code, geo)
        if not rebases.empty:
            st.dataframe(rebases[["period", "reason", "author"]], hide_index=True)
            periods = dict(zip(rebases.rebase_id, rebases.period, strict=True))
            st.selectbox(
                "Remove a rebase",
                list(periods),
                format_func=lambda i: f"{periods[i]:%d %b %Y}",
                key="rebase_remove",
            )
            st.text_input("Reason for removing", key="rebase_remove_reason")
            st.button("Remove rebase", key="rebase_remove_btn", on_click=_remove_rebase, args=(db,))


def benchmark_view(model: R.RegionsModel, region: str) -> None:
    m_opts = measure_choices(model)
    c1, c2 = st.columns([3, 1])
    code = _select(c1, "Measure", m_opts, "measure", next(iter(m_opts)))
    level = c2.radio(
        "Judge against England at",
        ["95%", "99.8%"],
        key="level",
        bind="query-params",
        horizontal=True,
    )
    m = model.measure(code)
    geos = R.geographies(model, region)
    scope = "regions" if region == ENGLAND_CODE else f"ICSs in {model.names[region]}"
    table, england, period = R.benchmark(model, code, geos, level=0.95 if level == "95%" else 0.998)
    if table.empty:
        st.info("No data for this measure.")
        return
    when = period_label(period, m.frequency)
    fig = benchmark_bars(
        table,
        england=england,
        title=f"{m.name}: {scope} against England, {when}<br><sup>{m.unit_label}, bars "
        "with 95% (thick) and 99.8% (thin) intervals, sorted by value</sup>",
        x_title=m.unit_label,
        value_format=".2f" if m.unit == "score_0_10" else ".1f",
    )
    cols = ["name", "geo_code", "value", "ci95_low", "ci95_high", "ci998_low", "ci998_high"]
    chart_with_download(
        fig,
        table[[*cols, "comparison", *[c for c in ("numerator", "denominator") if c in table]]],
        key=f"benchmark-{code}-{region}",
        summary=R.benchmark_summary(model, code, table, england),
    )
    f = R.funnel(model, code)
    if f is not None:
        fig = funnel_plot(
            f["points"],
            f["curve"],
            england=f["england"],
            title=f"{m.name}: the 42 ICSs by size against England, "
            f"{period_label(f['period'], m.frequency)}<br><sup>%, funnel of 95% and 99.8% "
            "limits around England's value</sup>",
            highlight=model.names[region] if region != ENGLAND_CODE else None,
        )
        pts = f["points"][
            ["name", "geo_code", "region", "numerator", "denominator", "value", "position"]
        ]
        chart_with_download(
            fig, pts, key=f"funnel-{code}", summary=R.funnel_summary(model, code, f)
        )
    else:
        st.caption(R.funnel_summary(model, code, None))


def profile_view(model: R.RegionsModel, region: str) -> None:
    opts = {r.code: r.name for r in model.regions}
    icbs = model.icbs_in(region) if region != ENGLAND_CODE else model.icbs
    opts.update({i.code: f"{i.name} (ICS)" for i in icbs})
    geo = _select(st, "Region or ICS", opts, "profile", region if region in opts else None)
    profile = R.region_profile(model, geo)
    if profile.empty:
        st.info("No data for this area.")
        return
    peers = "the 7 regions" if model.level_of(geo) == "region" else "the 42 ICSs"
    fig = spine_chart(
        profile,
        title=f"{model.names[geo]} profile: each measure against England<br><sup>Range of "
        f"{peers} (worst to best), England in the middle, better to the right</sup>",
    )
    chart_with_download(
        fig,
        profile.drop(columns=[c for c in profile if c.startswith("pos_")]),
        key=f"profile-{geo}",
        summary=R.profile_summary(model, geo, profile),
    )
    st.markdown(f"**SPC summary for {model.names[geo]}**")
    table = R.summary_table(model, [geo])
    st.dataframe(table, hide_index=True, column_order=SUMMARY_ORDER)


# --------------------------------------------------------------------------- page

db = get_db()
page_header(
    "Regions and integrated care systems",
    "Compare the 7 NHS England regions and their 42 ICSs against England and the plan, the "
    "Making Data Count way (SPC) and the Fingertips way (intervals).",
)
read_only_banner(db)
illustrative_notice(db)

settings = get_settings()
model = regions_model(db)
region = selected_region()
if st.session_state.get("view") not in VIEWS:
    st.session_state["view"] = query_param("view", "Matrix", VIEWS)
view = st.segmented_control("View", VIEWS, key="view", required=True) or "Matrix"
set_query_params(view=None if view == "Matrix" else view)
st.caption(
    f"SPC rules: a point beyond the limits, a run of {settings.spc_run_length} on one side of "
    f"the mean, a trend of {settings.spc_run_length}, two of three near a limit; limits from "
    "all points with outlier screening (NHSRplotthedots). Change the region in the sidebar."
)
if view == "Measure":
    measure_view(model, region, db)
elif view == "Benchmark":
    benchmark_view(model, region)
elif view == "Profile":
    profile_view(model, region)
else:
    matrix_view(model, region)
footer(db)
