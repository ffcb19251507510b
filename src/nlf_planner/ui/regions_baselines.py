"""Fixed baselines on one SPC chart: the trial-limit warnings, the suggested fix, the list
of fixes with their removal, the "Fix the baseline" form and the one-click "Baseline =
before launch, compare after".

Nothing is fixed silently: every way in (the form, the before-launch button) first shows a
preview of what the limits would become, computed only when the person presses Preview,
and only **Confirm** saves (through the annotations service, which checks the person and
the rules again). Writes run in widget callbacks, so a rerun never drops a click. The panel
draws its contents only while it is open (a closed panel costs a rerun of the measure view
almost nothing, issue 12); opening or closing it reruns the view's fragment, and it stays
open after a press inside it, to show the preview or the outcome.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from nlf_planner import baselines as baseline_rules
from nlf_planner.annotations import MAX_TEXT, AnnotationIssue
from nlf_planner.periods import label as period_label
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services.access import region_scope
from nlf_planner.services.actor import Role
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError, ValidationFailed
from nlf_planner.services.regions_view import MeasureView
from nlf_planner.ui.frame import current_actor, format_date, require_actor, show_outcome
from nlf_planner.ui.text import escape_markdown

FLASH = "baseline_flash"
PREVIEW = "baseline_preview"
BY_POINTS = "After a number of points"
UP_TO = "Up to a period"
THIS_CHART = "This chart"
EVERY_CHART = "Every chart of this measure"
#: The panel's open state (a widget: opening or closing it reruns the measure view).
PANEL = "baseline_panel"
PANEL_LABEL = "Fixed baseline (freeze a segment's limits)"


def _key(view: MeasureView, name: str) -> str:
    """Widget keys per chart, so a choice made on one chart never lands on another."""
    return f"{name}_{view.measure.code}_{view.geo_code}"


def _choice_key(view: MeasureView, name: str) -> str:
    """Keys of the pickers whose options are the chart's segments and periods: new when
    those change (a rebase, a new month), so a kept choice is never one no longer offered."""
    n = sum(s.points for s in view.segments)
    return f"{_key(view, name)}_{len(view.segments)}_{n}"


def _label(view: MeasureView, d: date) -> str:
    return period_label(d, view.measure.frequency)


def _refusal(issues: list[AnnotationIssue]) -> ValidationFailed:
    return ValidationFailed(" ".join(i.message for i in issues), issues)


# --------------------------------------------------------------------------- callbacks


def _show_preview(
    view: MeasureView, fix: baseline_rules.FixedBaseline, wide: bool, reason: str
) -> None:
    """Work out the preview (the engine on this chart's series) and keep it for the next
    runs, with the reason to prefill."""
    fixes = view.fixes
    taken = []
    if fixes is not None and not fixes.empty:
        scope = fixes.geo_code.isna() if wide else fixes.geo_code == view.geo_code
        taken = fixes[scope].segment_start.tolist()
    issues = [
        i
        for i in baseline_rules.fix_issues(
            fix,
            reason="preview",
            chart_segments=view.segments,
            measure_wide=wide,
            taken=taken,
            frequency=view.measure.frequency,
        )
        if i.field != "reason"
    ]
    if issues:
        st.session_state.pop(PREVIEW, None)
        st.session_state[FLASH] = _refusal(issues)
        return
    shown = view.preview(fix, measure_wide=wide)
    st.session_state[PREVIEW] = {
        "chart": (view.measure.code, view.geo_code),
        "fix": fix,
        "wide": wide,
        "lines": shown.lines(view.measure.frequency),
    }
    st.session_state[_key(view, "fix_reason")] = reason


def _preview_form(view: MeasureView) -> None:
    state = st.session_state
    segment = view.segments[int(state.get(_choice_key(view, "fix_segment"), 0))]
    by_points = state.get(_key(view, "fix_mode"), BY_POINTS) == BY_POINTS
    fix, issues = baseline_rules.fix_from(
        segment.rebase,
        int(state.get(_key(view, "fix_points"), 12)) if by_points else None,
        None if by_points else state.get(_choice_key(view, "fix_until")),
    )
    if fix is None:
        st.session_state.pop(PREVIEW, None)
        st.session_state[FLASH] = _refusal(issues)
        return
    wide = state.get(_key(view, "fix_scope"), THIS_CHART) == EVERY_CHART
    _show_preview(view, fix, wide, state.get(_key(view, "fix_reason"), ""))


def _preview_before_launch(view: MeasureView) -> None:
    suggestion = view.before_launch
    if suggestion is not None and suggestion.fix is not None:
        _show_preview(view, suggestion.fix, False, suggestion.reason)


def _preview_suggested(view: MeasureView) -> None:
    suggestion = view.suggested_fix
    if suggestion is not None and suggestion.fix is not None:
        _show_preview(view, suggestion.fix, False, suggestion.reason)


def _confirm(db: Database, view: MeasureView) -> None:
    pending = st.session_state.get(PREVIEW)
    if not pending or pending["chart"] != (view.measure.code, view.geo_code):
        return
    try:
        annotation_service.add_baseline(
            db,
            current_actor(),
            view.measure.code,
            None if pending["wide"] else view.geo_code,
            pending["fix"],
            st.session_state.get(_key(view, "fix_reason"), ""),
        )
    except ServiceError as exc:
        st.session_state[FLASH] = exc  # the preview stays, so the reason can be corrected
        return
    st.session_state.pop(PREVIEW, None)
    st.session_state[_key(view, "fix_reason")] = ""
    st.session_state[FLASH] = "Baseline fixed: the limits are recalculated on those points."


def _cancel() -> None:
    st.session_state.pop(PREVIEW, None)


def _remove(db: Database, view: MeasureView) -> None:
    try:
        annotation_service.remove_baseline(
            db,
            current_actor(),
            int(st.session_state[_key(view, "fix_remove")]),
            st.session_state.get(_key(view, "fix_remove_reason"), ""),
        )
    except ServiceError as exc:
        st.session_state[FLASH] = exc
        return
    st.session_state[_key(view, "fix_remove_reason")] = ""
    st.session_state[FLASH] = "Fixed baseline removed."


# --------------------------------------------------------------------------- drawing


def render_trial_warnings(view: MeasureView) -> None:
    """Trial limits, one warning per segment, drawn under the chart (visible whether or not
    the panel is open)."""
    for text in view.trial_warnings:
        st.warning(text, icon=":material/warning:")


def _suggestion(view: MeasureView) -> None:
    s = view.suggested_fix
    if s is None or s.fix is None:
        return
    seg = baseline_rules.segment_named(view.segments, s.fix.segment_start)
    where = seg.label if seg else ""
    st.info(
        f"Suggestion: fix the limits of the segment {where} "
        f"{baseline_rules.describe_fix(s.fix, view.measure.frequency)} ({s.reason}). "
        "Nothing changes until a data manager previews and confirms it below.",
        icon=":material/lightbulb:",
    )


def _fix_rows(view: MeasureView) -> list[dict]:
    """The fixes that bear on this chart, in words (the id kept for the removal picker)."""
    segs = {s.rebase: s.label for s in view.segments}
    freq = view.measure.frequency
    rows = []
    for r in view.fixes.itertuples():
        if r.segment_start is None:
            segment = segs.get(None, "first segment")
        else:
            segment = segs.get(
                r.segment_start, f"from the rebase of {_label(view, r.segment_start)}"
            )
        fix = baseline_rules.FixedBaseline(r.segment_start, r.n_points, r.until_period)
        rows.append(
            {
                "id": int(r.baseline_id),
                "Segment": segment,
                "Fixed": baseline_rules.describe_fix(fix, freq),
                "Applies to": THIS_CHART if r.geo_code == view.geo_code else EVERY_CHART,
                # Who and when before the long reason, so both stay in view at 1024 px.
                "By": r.author,
                "On": format_date(r.created_at),
                "Reason": r.reason,
            }
        )
    return rows


def _fix_list(db: Database, view: MeasureView, can_write: bool) -> None:
    if view.fixes is None or view.fixes.empty:
        st.caption("No fixed baseline: each segment's limits come from all its points.")
        return
    rows = _fix_rows(view)
    st.dataframe([{k: v for k, v in r.items() if k != "id"} for r in rows], hide_index=True)
    if not can_write:
        return
    names = {r["id"]: f"{r['Segment']}, {r['Fixed']} ({r['Applies to'].lower()})" for r in rows}
    st.selectbox(
        "Remove a fixed baseline",
        list(names),
        format_func=lambda i: names[i],
        key=_key(view, "fix_remove"),
    )
    st.text_input("Reason for removing", max_chars=MAX_TEXT, key=_key(view, "fix_remove_reason"))
    st.button(
        "Remove fixed baseline", key=_key(view, "fix_remove_btn"), on_click=_remove, args=(db, view)
    )


def _default_until(view: MeasureView) -> int:
    """The form's first end period: the last before launch when there is one, else the
    12th point (or the last)."""
    periods = view.segments[0].periods if view.segments else ()
    launch = view.before_launch.fix if view.before_launch else None
    if launch is not None and launch.until in periods:
        return periods.index(launch.until)
    return max(0, min(len(periods), baseline_rules.TRIAL_POINTS) - 1)


def _form(view: MeasureView, national: bool) -> None:
    """The form; ``national`` (a person for all England) may also fix every chart of the
    measure, an England-level change a region-scoped person could not save."""
    all_periods = [p for s in view.segments for p in s.periods]
    scopes = [THIS_CHART, EVERY_CHART] if national else [THIS_CHART]
    with st.form(_key(view, "fix_form")):
        st.markdown("**Fix the baseline** (freeze a segment's limits on its first points)")
        a, b = st.columns(2)
        a.selectbox(
            "Segment",
            list(range(len(view.segments))),
            format_func=lambda i: view.segments[i].label,
            key=_choice_key(view, "fix_segment"),
        )
        b.radio("Applies to", scopes, horizontal=True, key=_key(view, "fix_scope"))
        st.radio("Fix the limits", [BY_POINTS, UP_TO], horizontal=True, key=_key(view, "fix_mode"))
        c, d = st.columns(2)
        c.number_input(
            "Number of points", min_value=2, value=12, step=1, key=_key(view, "fix_points")
        )
        d.selectbox(
            "Up to and including",
            all_periods,
            index=_default_until(view),
            format_func=lambda p: _label(view, p),
            key=_choice_key(view, "fix_until"),
        )
        st.form_submit_button("Preview", on_click=_preview_form, args=(view,))


def _one_clicks(view: MeasureView) -> None:
    """'Baseline = before launch, compare after' (and the suggested fix, when there is one):
    each fills the preview; only Confirm saves."""
    launch = view.before_launch
    possible = launch is not None and launch.fix is not None
    st.button(
        "Baseline = before launch, compare after",
        key=_key(view, "fix_launch"),
        on_click=_preview_before_launch,
        args=(view,),
        disabled=not possible,
        help=None if possible else (launch.reason if launch else None),
    )
    if not possible and launch is not None:
        st.caption(escape_markdown(launch.reason))
    if view.suggested_fix is not None and view.suggested_fix.fix is not None:
        st.button(
            "Preview the suggested fix",
            key=_key(view, "fix_suggested"),
            on_click=_preview_suggested,
            args=(view,),
        )


def _pending(view: MeasureView) -> dict | None:
    pending = st.session_state.get(PREVIEW)
    if pending and pending["chart"] == (view.measure.code, view.geo_code):
        return pending
    return None


def _preview_panel(db: Database, view: MeasureView) -> None:
    pending = _pending(view)
    if pending is None:
        return
    with st.container(border=True):
        scope = EVERY_CHART.lower() if pending["wide"] else "this chart"
        st.markdown(f"**Preview: the fixed baseline on {scope}** (not saved yet)")
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in pending["lines"]))
        st.text_input("Reason (required)", max_chars=MAX_TEXT, key=_key(view, "fix_reason"))
        a, b = st.columns(2)
        a.button(
            "Confirm", type="primary", key=_key(view, "fix_confirm"), on_click=_confirm,
            args=(db, view),
        )  # fmt: skip
        b.button("Cancel", key=_key(view, "fix_cancel"), on_click=_cancel)


def render_baselines(db: Database, view: MeasureView) -> None:
    """The suggested fix and the outcome of the last press, then the fixed-baseline panel,
    its contents drawn only while it is open. The trial-limit warnings are
    :func:`render_trial_warnings`."""
    _suggestion(view)
    show_outcome(FLASH)
    panel = st.expander(PANEL_LABEL, key=PANEL, on_change="rerun")
    with panel:
        if not panel.open:
            return
        actor = require_actor("fix this chart's baseline", Role.DATA_MANAGER)
        _fix_list(db, view, actor is not None)
        if actor is None:
            return
        _one_clicks(view)
        _preview_panel(db, view)
        _form(view, region_scope(actor) is None)
