"""Problems found in a file, located as the user sees them, and the column checks every kind
of import shares (required columns, aliases, ignored extras, over-wide rows)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from nlf_planner import textcheck
from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.imports.files import Table

Severity = Literal["error", "warning"]

#: Imported columns that may hold several lines (a quoted CSV cell, Alt+Enter in Excel).
MULTILINE_COLUMNS = frozenset({"description", "outcome", "actions", "next_step", "notes"})
#: Cells with a control character listed one by one; beyond this a count says how many more.
MAX_LISTED = 50


@dataclass(frozen=True)
class Issue:
    """One problem in an uploaded file, located as the user sees it in a spreadsheet."""

    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: Severity = "error"


def issues_frame(issues: Sequence[Issue]) -> pd.DataFrame:
    """Issues as a table for display and download (errors first, then by row)."""
    df = pd.DataFrame(
        [
            {
                "severity": i.severity,
                "row": i.row,
                "column": i.column or "",
                "value": "" if i.value is None else i.value,
                "problem": i.reason,
            }
            for i in issues
        ],
        columns=["row", "column", "value", "problem", "severity"],
    )
    if not df.empty:
        df["row"] = df["row"].astype("Int64")
        df = df.sort_values(["severity", "row"], kind="stable", na_position="first")
    return df.reset_index(drop=True)


def check_columns(
    table: Table,
    columns: Sequence[ColumnDoc],
    aliases: Mapping[str, str] | None = None,
    one_of: Sequence[tuple[str, ...]] = (),
) -> list[Issue]:
    """Rename known aliases in place; report missing required and ignored extra columns."""
    aliases = aliases or {}
    rename = {
        c: aliases[c]
        for c in table.df.columns
        if c in aliases and aliases[c] not in table.df.columns
    }
    table.df = table.df.rename(columns=rename)
    present = set(table.df.columns)
    issues = []
    for col in columns:
        if col.required and col.column not in present:
            issues.append(
                Issue(
                    None,
                    col.column,
                    None,
                    f"Required column '{col.column}' is missing ({col.description}).",
                )
            )
    for group in one_of:
        if not present.intersection(group):
            issues.append(
                Issue(
                    None,
                    " or ".join(group),
                    None,
                    f"The file needs at least one of the columns {', '.join(group)}.",
                )
            )
    known = {c.column for c in columns}
    for col in table.df.columns:
        if col not in known:
            issues.append(
                Issue(
                    None, col, None, f"Column '{col}' is not used and will be ignored.", "warning"
                )
            )
    issues += control_character_issues(table, known)
    for row_no in table.extra_cell_rows[:50]:
        issues.append(
            Issue(
                int(row_no),
                None,
                None,
                "This row has more cells than there are headings; the extra cells are ignored.",
                "warning",
            )
        )
    return issues


def control_character_issues(table: Table, columns: set[str]) -> list[Issue]:
    """Every used cell holding a control character (:mod:`nlf_planner.textcheck`'s one
    rule), located by row and column, so a hidden ESC never reaches the store (and then
    breaks an Excel export). Each column is searched at C speed; only hits are explained."""
    found: list[Issue] = []
    hits = 0
    for col in table.df.columns:
        if col not in columns:
            continue
        multiline = col in MULTILINE_COLUMNS
        cells = table.df[col].astype(str)
        mask = cells.str.contains(textcheck.pattern(multiline=multiline), regex=True)
        for i in mask.to_numpy().nonzero()[0]:
            hits += 1
            if len(found) < MAX_LISTED:
                text = cells.iat[i]
                try:
                    textcheck.check_text(text, f"Column '{col}'", multiline=multiline)
                except textcheck.ControlCharacterError as exc:
                    found.append(Issue(int(table.row_numbers[i]), col, repr(text)[1:-1], str(exc)))
    if hits > len(found):
        found.append(
            Issue(
                None,
                None,
                None,
                f"{hits - len(found):,} more cells hold hidden control characters; fix the "
                "ones listed, then check the rest of the file the same way.",
            )
        )
    return found
