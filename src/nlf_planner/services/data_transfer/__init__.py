"""Data transfer: files in (imports), tables out (exports, templates, the data dictionary),
and the whole database to one file and back (backup, restore).

One module per use case: :mod:`.importing` (read, check, preview, apply; data manager),
:mod:`.exports` (reads only), :mod:`.backups` and :mod:`.restore` (admin). Each kind of
import's steps are registered once in :mod:`.import_kinds`. Every refusal is a
:class:`~nlf_planner.services.errors.ServiceError` (see :mod:`.errors`).
"""

from nlf_planner.services.data_transfer.backups import (
    automatic_backups_kept,
    backup_download,
    backup_file_name,
    backup_folder,
    create_backup,
    kept_backups,
)
from nlf_planner.services.data_transfer.errors import FileUnreadable, SheetChoiceNeeded
from nlf_planner.services.data_transfer.exports import (
    PERSONAL_TABLES,
    ExportFile,
    all_tables_workbook,
    column_dictionary,
    dictionary_workbook,
    export_role,
    import_columns,
    import_template,
    measures_frame,
    row_counts,
    table_file,
    table_names,
    table_preview,
    table_rows,
    tables_overview,
)
from nlf_planner.services.data_transfer.import_kinds import IMPORTERS, Importer, ImportPreview
from nlf_planner.services.data_transfer.importing import (
    ImportCheck,
    ImportOutcome,
    apply_import,
    check_import,
    check_upload,
    import_kind,
    import_kinds,
    preview_import,
    read_upload,
)
from nlf_planner.services.data_transfer.restore import (
    BackupCheck,
    RestoreReport,
    check_backup,
    compare_with_current,
    restore_backup,
    validate_backup,
)

__all__ = [
    "IMPORTERS",
    "PERSONAL_TABLES",
    "BackupCheck",
    "ExportFile",
    "FileUnreadable",
    "ImportCheck",
    "ImportOutcome",
    "ImportPreview",
    "Importer",
    "RestoreReport",
    "SheetChoiceNeeded",
    "all_tables_workbook",
    "automatic_backups_kept",
    "apply_import",
    "backup_download",
    "backup_file_name",
    "backup_folder",
    "check_backup",
    "check_import",
    "check_upload",
    "column_dictionary",
    "compare_with_current",
    "create_backup",
    "dictionary_workbook",
    "export_role",
    "import_columns",
    "import_kind",
    "import_kinds",
    "import_template",
    "kept_backups",
    "measures_frame",
    "preview_import",
    "read_upload",
    "restore_backup",
    "row_counts",
    "table_file",
    "table_names",
    "table_preview",
    "table_rows",
    "tables_overview",
    "validate_backup",
]
