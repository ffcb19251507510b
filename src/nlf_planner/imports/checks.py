"""Problems found in a file, located as the user sees them, and the column checks every kind
of import shares (required columns, aliases, ignored extras, over-wide rows)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.imports.files import Table

Severity = Literal["error", "warning"]


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
