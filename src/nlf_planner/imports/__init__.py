"""Reading and checking a data manager's file before anything is written.

Nothing here touches the database. :mod:`.files` turns uploaded bytes (CSV or XLSX) into a
table of text cells; :mod:`.cells` parses one cell; :mod:`.measurements`,
:mod:`.plan_records` and :mod:`.engagement_records` turn a table into typed rows plus a list
of :class:`Issue` (row, column, value, reason) covering every problem at once, so a data
manager can fix the file in one pass; :mod:`.kinds` describes each kind of import and
:mod:`.templates` builds its template. Row numbers are spreadsheet row numbers: the heading is
row 1 and the first data row is row 2, as the user sees them in Excel.
"""

from nlf_planner.imports.cells import normalise_code, parse_date, parse_number, parse_period
from nlf_planner.imports.checks import Issue, Severity, check_columns, issues_frame
from nlf_planner.imports.engagement_records import (
    EVENT_COLUMNS,
    STAKEHOLDER_COLUMNS,
    validate_events,
    validate_stakeholders,
)
from nlf_planner.imports.files import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_FILE_MB,
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    ColumnMap,
    ColumnUse,
    ImportFileError,
    SheetChoiceNeeded,
    Table,
    list_sheets,
    normalise_header,
    read_table,
    size_limit_text,
)
from nlf_planner.imports.kinds import IMPORT_KINDS, ImportKind, Lookup, example_rows, import_kind
from nlf_planner.imports.measurements import (
    MEASUREMENT_ALIASES,
    MEASUREMENT_COLUMN_LABELS,
    MEASUREMENT_COLUMNS,
    UPPER_LIMIT,
    MeasurementImport,
    MeasurementPreview,
    preview_measurements,
    removal_warning,
    removals,
    validate_measurements,
)
from nlf_planner.imports.plan_records import (
    PLAN_MILESTONE_COLUMNS,
    PLAN_TARGET_COLUMNS,
    england_targets,
    merge_plan_import,
    validate_plan_milestones,
    validate_plan_targets,
)
from nlf_planner.imports.records import RecordImport
from nlf_planner.imports.templates import reference_sheets, template_files

#: What a check of any kind returns: typed rows or records, and every problem found.
CheckedImport = MeasurementImport | RecordImport

__all__ = [
    "EVENT_COLUMNS",
    "IMPORT_KINDS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_FILE_MB",
    "MAX_ROWS",
    "MAX_XLSX_UNPACKED_BYTES",
    "MEASUREMENT_ALIASES",
    "MEASUREMENT_COLUMN_LABELS",
    "MEASUREMENT_COLUMNS",
    "PLAN_MILESTONE_COLUMNS",
    "PLAN_TARGET_COLUMNS",
    "STAKEHOLDER_COLUMNS",
    "UPPER_LIMIT",
    "CheckedImport",
    "ColumnMap",
    "ColumnUse",
    "ImportFileError",
    "ImportKind",
    "Issue",
    "Lookup",
    "MeasurementImport",
    "MeasurementPreview",
    "RecordImport",
    "Severity",
    "SheetChoiceNeeded",
    "Table",
    "check_columns",
    "england_targets",
    "example_rows",
    "import_kind",
    "issues_frame",
    "list_sheets",
    "merge_plan_import",
    "normalise_code",
    "normalise_header",
    "parse_date",
    "parse_number",
    "parse_period",
    "preview_measurements",
    "read_table",
    "reference_sheets",
    "removal_warning",
    "removals",
    "size_limit_text",
    "template_files",
    "validate_events",
    "validate_measurements",
    "validate_plan_milestones",
    "validate_plan_targets",
    "validate_stakeholders",
]
