"""Data: import with validation and preview, export every table, data dictionary, audit log,
backup and restore. The rules live in nlf_planner.imports / exports_tables / store; this page
reads choices, calls them and shows the result."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta

import duckdb
import pandas as pd
import streamlit as st

from nlf_planner import imports as im
from nlf_planner.engagement import EngagementValidationError
from nlf_planner.exports_tables import (
    TABLE_DESCRIPTIONS,
    XLSX_MIME,
    dictionary_frame,
    table_dictionary,
    table_export,
    to_csv_bytes,
    to_xlsx_bytes,
)
from nlf_planner.plan import PlanError, changes_frame, diff_plans
from nlf_planner.store import StoreError
from nlf_planner.store import backup as backup_store
from nlf_planner.store import engagement as engagement_store
from nlf_planner.store import imports as import_store
from nlf_planner.store import plans as plan_store
from nlf_planner.store import reference as reference_store
from nlf_planner.store.audit import audit_log
from nlf_planner.ui.frame import (
    footer,
    get_db,
    illustrative_notice,
    page_header,
    read_only_banner,
    require_user,
)

SECTIONS = ["Import", "Export", "Data dictionary", "Audit log", "Backup and restore"]
FLASH = "data_flash"
EXCEL_MAX_ROWS = 1_048_575
PREVIEW_ROWS = 2000
TOP_PROBLEMS = 10  # listed in full above the table, which truncates long text


def md(text: object) -> str:
    """User-supplied text shown literally: Markdown characters are escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def uploader_key(name: str) -> str:
    """A fresh key after a successful import clears the uploaded file."""
    return f"data_{name}_{st.session_state.get('data_upload_round', 0)}"


def done(message: str, *, restored: bool = False) -> None:
    st.session_state[FLASH] = message
    st.session_state["data_upload_round"] = st.session_state.get("data_upload_round", 0) + 1
    st.cache_data.clear()
    if restored:
        # A restore can bring back the same plan and data version numbers with other
        # contents, so models cached under those keys are dropped too (the database handle
        # is reopened on the same, already swapped, file).
        st.cache_resource.clear()
    st.rerun()


db = get_db()
page_header(
    "Data",
    "Bring in real data safely, take any table out, see every change, and back up or restore "
    "the whole database.",
)
read_only_banner(db)
illustrative_notice(db)
if FLASH in st.session_state:
    # Kept until the next upload: other parts of the frame may rerun the script once more
    # after a change (e.g. the plan-version selector), which must not swallow the message.
    st.success(st.session_state[FLASH], icon=":material/check_circle:")

tab_import, tab_export, tab_dictionary, tab_audit, tab_backup = st.tabs(
    SECTIONS, key="section", bind="query-params", on_change="rerun"
)

measures = reference_store.measures(db)
regions = reference_store.regions(db)
icbs = reference_store.icbs(db)
areas = {a.code: a.name for a in reference_store.priority_areas(db)}


# --- import --------------------------------------------------------------------------------


def _check(kind: str, table: im.Table):
    """Validate a table for the chosen kind, with the reference data held now."""
    if kind == "measurements":
        return im.validate_measurements(table, measures, regions, icbs)
    if kind == "plan_targets":
        plan = plan_store.load_plan(db)
        england = {}
        if plan is not None:
            for t in plan.targets:
                if t.geo_code == reference_store.ENGLAND_CODE:
                    england.setdefault(t.measure_code, {})[t.horizon] = t.target
        return im.validate_plan_targets(
            table, measures, reference_store.geography_names(db), england
        )
    if kind == "plan_milestones":
        plan = plan_store.load_plan(db)
        base = plan.base_year if plan else date.today().year - (date.today().month < 4)
        return im.validate_plan_milestones(table, base, list(areas), measures)
    codes = engagement_store.reference_codes(db)
    if kind == "stakeholders":
        return im.validate_stakeholders(table, import_store.existing_stakeholders(db), codes)
    return im.validate_events(table, import_store.stakeholder_ids_by_name(db), codes)


def _show_issues(result) -> None:
    frame = im.issues_frame(result.issues)
    if result.errors:
        st.error(
            f"{len(result.errors):,} problem{'s' if len(result.errors) != 1 else ''} to fix "
            f"in {md(result.source_name)} before anything can be imported. Nothing has been "
            "written. Each problem names the spreadsheet row (the heading is row 1), the "
            "column, the value found and what is wrong.",
            icon=":material/error:",
        )
    elif result.warnings:
        st.warning(
            f"{len(result.warnings)} note{'s' if len(result.warnings) != 1 else ''} "
            "(these do not stop the import).",
            icon=":material/warning:",
        )
    if len(frame):
        first = frame.head(TOP_PROBLEMS)
        lines = [
            f"- **{'Row ' + str(r.row) if pd.notna(r.row) else 'Whole file'}**"
            + (f", {md(r.column)}" if r.column else "")
            + (f" = “{md(r.value)}”" if r.value else "")
            + f": {md(r.problem)}"
            for r in first.itertuples()
        ]
        more = len(frame) - len(first)
        st.markdown(
            "\n".join(lines) + (f"\n\n…and {more:,} more in the table below." if more else "")
        )
        st.dataframe(
            frame,
            hide_index=True,
            column_config={
                "severity": st.column_config.TextColumn("Severity", width="small"),
                "row": st.column_config.NumberColumn("Row", format="%d", width="small"),
                "column": "Column",
                "value": "Value found",
                "problem": st.column_config.TextColumn("Problem", width=600),
            },
            key="data_issues",
        )
        st.download_button(
            "Download the list of problems (CSV)",
            data=lambda: to_csv_bytes(frame),
            file_name=f"problems-{result.source_name}.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="data_issues_download",
        )


def _preview(kind: str, result) -> tuple[str, int]:
    """Show what will change; returns (button label, number of rows)."""
    if kind == "measurements":
        preview = import_store.preview(db, result)
        c = preview.counts
        cols = st.columns(4)
        cols[0].metric("Rows added", f"{c['added']:,}")
        cols[1].metric("Values replaced", f"{c['replaced']:,}")
        cols[2].metric("Unchanged (now real data)", f"{c['unchanged']:,}")
        cols[3].metric("Illustrative rows removed", f"{c['illustrative_removed']:,}")
        st.caption(
            preview.summary() + " Imported series replace the illustrative history for the "
            "same measure and area as a whole, and are marked as real data."
        )
        changes = preview.changes
        names = reference_store.geography_names(db)
        changes.insert(3, "area_name", changes["geo_code"].map(names))
        shown = changes.head(PREVIEW_ROWS)
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                "change": "Change",
                "measure_code": "Measure",
                "geo_code": "Area code",
                "area_name": "Area",
                "numerator_before": "Numerator before",
                "numerator_after": "Numerator after",
                "denominator_before": "Denominator before",
                "denominator_after": "Denominator after",
                "period": st.column_config.DateColumn("Period", format="YYYY-MM-DD"),
                "value_before": st.column_config.NumberColumn("Value before", format="%.2f"),
                "value_after": st.column_config.NumberColumn("Value after", format="%.2f"),
                "was_illustrative": st.column_config.CheckboxColumn("Was illustrative"),
            },
            key="data_preview",
        )
        if len(changes) > PREVIEW_ROWS:
            st.caption(
                f"Showing the first {PREVIEW_ROWS:,} of {len(changes):,} changes; "
                "download the full list below."
            )
        st.download_button(
            "Download the full preview (CSV)",
            data=lambda: to_csv_bytes(changes),
            file_name=f"preview-{result.source_name}.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="data_preview_download",
        )
        return f"Import {plural(c['rows'], 'row')}", c["rows"]
    if kind in ("plan_targets", "plan_milestones"):
        current = plan_store.load_plan(db)
        if current is None:
            st.info("There is no saved plan yet: the import will create version 1.")
        else:
            draft = im.merge_plan_import(
                current,
                targets=result.records if kind == "plan_targets" else (),
                milestones=result.records if kind == "plan_milestones" else (),
            )
            changes = changes_frame(diff_plans(current, draft))
            st.caption(
                f"Saved as a new version of the plan (now version {current.version_id}); "
                f"{len(changes)} change{'s' if len(changes) != 1 else ''} before → after:"
            )
            st.dataframe(changes, hide_index=True, key="data_plan_preview")
        what = "target" if kind == "plan_targets" else "milestone"
        return f"Save {plural(len(result.records), what)} as a new plan version", len(
            result.records
        )
    frame = pd.DataFrame([r.model_dump(mode="json") for r in result.records])
    frame = frame.drop(
        columns=[
            c for c in ("stakeholder_id", "event_id", "seeded", "retired") if c in frame.columns
        ]
    )
    st.caption(
        f"{len(frame)} new {'stakeholders' if kind == 'stakeholders' else 'events'} will be added:"
    )
    st.dataframe(frame, hide_index=True, key="data_records_preview")
    return f"Add {plural(len(frame), 'row')}", len(frame)


def _apply(kind: str, result, user: str, reason: str, sha: str) -> str:
    if kind == "measurements":
        counts = import_store.apply_measurement_import(
            db, result, actor=user, reason=reason or None, file_sha256=sha
        )
        return (
            f"Imported {plural(counts['written'], 'row')} from {md(result.source_name)}: "
            f"{counts['added']:,} added, {counts['replaced']:,} replaced, "
            f"{counts['illustrative_removed']:,} illustrative rows removed."
        )
    if kind in ("plan_targets", "plan_milestones"):
        saved = import_store.apply_plan_import(db, result, actor=user, note=reason or None)
        return f"Saved plan version {saved.version_id} from {md(result.source_name)}."
    ids = import_store.apply_engagement_import(db, result, actor=user, reason=reason or None)
    return f"Added {plural(len(ids), 'row')} from {md(result.source_name)}."


def render_import() -> None:
    kinds = list(im.IMPORT_KINDS)
    kind = st.selectbox(
        "What are you importing?",
        kinds,
        format_func=lambda k: im.IMPORT_KINDS[k].label,
        key="kind",
        bind="query-params",
    )
    spec = im.IMPORT_KINDS[kind]
    st.markdown(spec.help)
    st.caption(
        f"CSV (UTF-8 or Windows-1252, comma or semicolon) or Excel .xlsx; up to "
        f"{im.size_limit_text()}. Nothing is written until you have seen the preview and "
        "pressed the import button; then everything is written at once or not at all."
    )

    def template(i: int) -> bytes:  # built on click, not on every rerun
        return im.template_files(kind, im.reference_sheets(kind, measures, regions, icbs, areas))[i]

    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Excel template",
        data=lambda: template(0),
        file_name=f"nlf-template-{kind}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=f"data_tpl_xlsx_{kind}",
        help="With a Data dictionary sheet and the lists of valid codes.",
    )
    c2.download_button(
        "CSV template",
        data=lambda: template(1),
        file_name=f"nlf-template-{kind}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"data_tpl_csv_{kind}",
    )
    with st.expander("Columns of this file (data dictionary)"):
        st.dataframe(dictionary_frame(spec.columns), hide_index=True, key=f"data_cols_{kind}")

    upload = st.file_uploader(
        "Upload a CSV or Excel file",
        type=["csv", "txt", "xlsx", "xlsm", "xls"],
        key=uploader_key(f"upload_{kind}"),
        max_upload_size=im.MAX_FILE_MB,
    )
    if upload is None:
        return
    st.session_state.pop(FLASH, None)
    data = upload.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    sheet_key = f"data_sheet_{sha[:12]}"
    try:
        table = im.read_table(data, upload.name, st.session_state.get(sheet_key))
    except im.SheetChoiceNeeded as exc:
        st.info(md(str(exc)), icon=":material/tab:")
        st.selectbox(
            "Sheet to import", exc.sheets, index=None, key=sheet_key, placeholder="Choose a sheet"
        )
        return
    except im.ImportFileError as exc:
        st.error(md(str(exc)), icon=":material/error:")
        return
    if table.sheet_names and len(table.sheet_names) > 1:
        st.selectbox(
            "Sheet to import",
            table.sheet_names,
            index=table.sheet_names.index(table.sheet),
            key=sheet_key,
        )
    where = f", sheet “{md(table.sheet)}”" if table.sheet else ""
    enc = f", {table.encoding}" if table.encoding else ""
    st.caption(f"Read {len(table):,} rows from {md(table.source_name)}{where}{enc}.")
    cache_key = f"data_checked_{kind}_{sha[:16]}_{table.sheet}"
    if cache_key not in st.session_state:
        for old in [k for k in st.session_state if str(k).startswith("data_checked_")]:
            del st.session_state[old]  # keep one checked file per session, not every upload
        with st.spinner("Checking every row…"):
            st.session_state[cache_key] = _check(kind, table)
    result = st.session_state[cache_key]
    _show_issues(result)
    if not result.ok:
        if not result.errors:
            st.error("The file holds no rows to import.")
        return
    st.subheader("Preview: what will change")
    label, _ = _preview(kind, result)
    reason = st.text_input(
        "Source and reason (recorded in the audit log)",
        key=f"data_reason_{sha[:12]}",
        placeholder="e.g. NHS Staff Survey 2025 results, published March 2026",
    )
    keep_copy = st.checkbox(
        "Back up the current data first (so this import can be undone by a restore)",
        value=True,
        key=f"data_backup_first_{sha[:12]}",
    )
    user = require_user("import data")
    if st.button(
        label,
        type="primary",
        disabled=not user or db.read_only,
        key=f"data_apply_{sha[:12]}",
        icon=":material/upload:",
    ):
        try:
            saved = None
            if keep_copy:
                saved = backup_store.create_backup(
                    db,
                    created_by=f"automatic backup before an import by {user}",
                    prefix="nlf-before-import",
                )
            message = _apply(kind, result, user, reason.strip(), sha)
            if saved is not None:
                message += f" The data as they were are kept in {md(saved.name)}."
        except EngagementValidationError as exc:
            st.error("Nothing was imported. " + md(" ".join(exc.problems)))
            return
        except (StoreError, PlanError, ValueError, duckdb.Error, OSError) as exc:
            st.error(f"Nothing was imported: {md(exc)}")
            return
        st.session_state.pop(cache_key, None)
        done(message)


# --- export --------------------------------------------------------------------------------


def render_export() -> None:
    names = backup_store.table_names(db)
    counts = backup_store.table_row_counts(db)
    table = st.selectbox(
        "Table",
        names,
        index=names.index("measurements") if "measurements" in names else 0,
        key="table",
        bind="query-params",
    )
    if table is None:
        return
    st.caption(f"{counts.get(table, 0):,} rows. {TABLE_DESCRIPTIONS.get(table, '')}")
    st.caption(
        "Cells that begin with =, +, - or @ are exported so a spreadsheet shows them as text "
        "and never runs them as formulas."
    )
    rows = counts.get(table, 0)
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.download_button(
        "Download CSV",
        data=lambda: table_export(backup_store.read_table(db, table), table, "csv")[0],
        file_name=f"nlf-{table}-{date.today():%Y%m%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"data_export_csv_{table}",
    )
    too_big = rows > EXCEL_MAX_ROWS
    c2.download_button(
        "Download Excel",
        data=lambda: table_export(backup_store.read_table(db, table), table, "xlsx")[0],
        file_name=f"nlf-{table}-{date.today():%Y%m%d}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=f"data_export_xlsx_{table}",
        disabled=too_big,
        help="Excel holds at most 1,048,575 rows; use CSV." if too_big else None,
    )
    st.dataframe(
        backup_store.read_table(db, table, limit=200), hide_index=True, key="data_export_preview"
    )
    if rows > 200:
        st.caption(f"Showing the first 200 of {rows:,} rows.")
    st.download_button(
        "Download every table in one Excel workbook",
        data=lambda: to_xlsx_bytes({n: backup_store.read_table(db, n) for n in names}),
        file_name=f"nlf-all-tables-{date.today():%Y%m%d}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_export_all",
        disabled=sum(counts.values()) > EXCEL_MAX_ROWS,
    )


# --- data dictionary -----------------------------------------------------------------------


def render_dictionary() -> None:
    st.markdown("**Tables** in this database: what each holds, its size and its columns.")
    columns = backup_store.table_columns(db)
    dictionary = table_dictionary(columns)
    counts = backup_store.table_row_counts(db)
    overview = pd.DataFrame(
        [
            {
                "table": t,
                "what it holds": TABLE_DESCRIPTIONS.get(t, ""),
                "rows": counts.get(t, 0),
                "columns": ", ".join(c for c, _ in cols),
            }
            for t, cols in columns.items()
        ]
    )
    st.dataframe(
        overview,
        hide_index=True,
        key="data_dictionary",
        column_config={"what it holds": st.column_config.TextColumn(width="large")},
    )
    with st.expander("Every column with its type"):
        st.dataframe(
            dictionary.drop(columns=["table_description"]),
            hide_index=True,
            key="data_dictionary_columns",
        )
    st.download_button(
        "Download the data dictionary (Excel)",
        data=lambda: to_xlsx_bytes(
            {
                "Tables": dictionary,
                "Measures": pd.DataFrame([m.model_dump() for m in measures]),
                **{
                    f"Import {k.label}": dictionary_frame(k.columns)
                    for k in im.IMPORT_KINDS.values()
                },
            }
        ),
        file_name="nlf-data-dictionary.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_dictionary_download",
    )
    st.markdown("**Measures**: unit, direction, how often they are reported, and source.")
    st.dataframe(
        pd.DataFrame([m.model_dump() for m in measures])[
            [
                "code",
                "name",
                "area_code",
                "unit",
                "polarity",
                "frequency",
                "baseline",
                "definition",
                "source",
            ]
        ],
        hide_index=True,
        key="data_measures",
    )
    st.markdown(
        "**Periods**: monthly = the 1st of the month; quarterly = 1 April, 1 July, "
        "1 October or 1 January (financial quarters); annual = 1 April of the financial year. "
        "**Values**: percent 0–100; scores 0–10. Region and England figures are totals of "
        "ICB numerators over denominators, never averages of percentages."
    )


# --- audit log -----------------------------------------------------------------------------


def render_audit() -> None:
    everything = audit_log(db, limit=100_000)
    entities = sorted(everything["entity"].dropna().unique().tolist())
    people = sorted(everything["actor"].dropna().unique().tolist())
    c1, c2, c3 = st.columns([1, 1, 2])
    entity = c1.selectbox(
        "What changed",
        entities,
        index=None,
        key="entity",
        bind="query-params",
        placeholder="Everything",
    )
    actor = c2.selectbox(
        "Who", people, index=None, key="who", bind="query-params", placeholder="Everyone"
    )
    today = date.today()
    first = everything["changed_at"].min() if len(everything) else None
    start = first.date() if first is not None and not pd.isna(first) else today
    span = c3.date_input(
        "When",
        value=(min(start, today - timedelta(days=30)), today),
        key="data_when",
        format="DD/MM/YYYY",
    )
    since, until = span if isinstance(span, (tuple, list)) and len(span) == 2 else (None, None)
    log = audit_log(db, entity=entity, actor=actor, since=since, until=until)
    log = log.rename(columns={"before_json": "before", "after_json": "after"})
    st.caption(
        f"{len(log):,} changes, newest first. Select a row to see its before and after in full."
    )
    event = st.dataframe(
        log,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="data_audit_table",
        column_config={
            "audit_id": st.column_config.NumberColumn("#", format="%d", width="small"),
            "changed_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
            "actor": "Who",
            "action": "Action",
            "entity": "What",
            "entity_id": "Which",
            "reason": "Reason",
            "before": "Before",
            "after": "After",
        },
    )
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if rows:
        chosen = log.iloc[rows[0]]
        left, right = st.columns(2)
        for col, name in ((left, "before"), (right, "after")):
            col.markdown(f"**{name.capitalize()}**")
            try:
                col.json(json.loads(chosen[name]) if chosen[name] else {}, expanded=2)
            except (TypeError, ValueError):
                col.code(str(chosen[name]))
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Download (CSV)",
        data=lambda: to_csv_bytes(log),
        file_name=f"nlf-audit-log-{today:%Y%m%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="data_audit_csv",
    )
    c2.download_button(
        "Download (Excel)",
        data=lambda: to_xlsx_bytes({"audit_log": log}),
        file_name=f"nlf-audit-log-{today:%Y%m%d}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="data_audit_xlsx",
    )


# --- backup and restore --------------------------------------------------------------------


def render_backup() -> None:
    st.markdown(
        "**Back up** the whole database to one file: a zip with every table (Parquet), a "
        "manifest with row counts and checksums. From the shell: `make backup`."
    )
    st.download_button(
        "Download a backup now",
        data=lambda: backup_store.backup_bytes(db, created_by="Data page download"),
        file_name=backup_store.backup_file_name(),
        mime="application/zip",
        on_click="ignore",
        icon=":material/backup:",
        type="primary",
        key="data_backup_download",
    )
    st.divider()
    st.markdown(
        "**Restore** replaces ALL current data with a backup. The file is checked first "
        "(checksums, schema version, row counts); the current state is backed up "
        f"automatically to {md(backup_store.default_backup_dir(db))}; then the restored "
        "database is swapped in at once. From the shell: `make restore FILE=…`."
    )
    source = st.radio(
        "Restore from",
        ["An uploaded file", "A backup kept on this server"],
        horizontal=True,
        key="data_restore_source",
        help="Files over 50 MB: use a backup kept on the server, or `make restore FILE=…`.",
    )
    if source == "An uploaded file":
        upload = st.file_uploader("Backup file (.zip)", type=["zip"], key=uploader_key("restore"))
        if upload is None:
            return
        _restore(upload.getvalue(), upload.name)
        return
    kept = backup_store.list_backups(backup_store.default_backup_dir(db))
    if not kept:
        st.info("No backups are kept on this server yet.")
        return
    names = [b["file"] for b in kept]
    st.dataframe(
        pd.DataFrame(kept).drop(columns=["path"]),
        hide_index=True,
        key="data_kept_backups",
        column_config={"modified": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")},
    )
    chosen = st.selectbox(
        "Backup to restore",
        names,
        index=None,
        key=uploader_key("kept"),
        placeholder="Choose a backup",
    )
    if chosen is not None:
        _restore(kept[names.index(chosen)]["path"], chosen)


def _restore(source, label: str) -> None:
    """Check a backup, show how it differs from now, and restore it after confirmation."""
    st.session_state.pop(FLASH, None)
    try:
        manifest = backup_store.validate_backup(source)
    except StoreError as exc:
        st.error(
            f"This file cannot be restored: {md(exc)} The current data are unchanged.",
            icon=":material/error:",
        )
        return
    current = backup_store.table_row_counts(db)
    compare = pd.DataFrame(
        [
            {
                "table": n,
                "rows now": current.get(n),
                "rows in backup": t["rows"],
                "difference": t["rows"] - (current.get(n) or 0),
            }
            for n, t in sorted(manifest["tables"].items())
        ]
    )
    st.success(
        f"Valid backup made {md(manifest.get('created_at'))} "
        f"{'by ' + md(manifest['created_by']) if manifest.get('created_by') else ''} "
        f"(schema version {manifest['schema_version']}); every checksum matches.",
        icon=":material/verified:",
    )
    st.dataframe(compare, hide_index=True, key="data_restore_compare")
    reason = st.text_input("Reason (recorded in the audit log)", key="data_restore_reason")
    sure = st.checkbox("I understand this replaces all current data", key="data_restore_sure")
    user = require_user("restore a backup")
    if st.button(
        "Restore this backup",
        type="primary",
        key="data_restore_go",
        disabled=not (user and sure) or db.read_only,
        icon=":material/restore:",
    ):
        try:
            report = backup_store.restore_backup(
                db, source, actor=user, reason=reason or None, label=label
            )
        except (StoreError, duckdb.Error, OSError) as exc:
            st.error(f"Nothing was restored: {md(exc)}")
            return
        done(
            f"Restored {sum(report.tables.values()):,} rows from {md(label)}. The "
            f"previous state was saved to {md(report.safety_backup)}.",
            restored=True,
        )


for tab, render in (
    (tab_import, render_import),
    (tab_export, render_export),
    (tab_dictionary, render_dictionary),
    (tab_audit, render_audit),
    (tab_backup, render_backup),
):
    if tab.open:
        with tab:
            render()

footer(db)
