"""Problems found in a file, located as the user sees them, and the column checks every kind
of import shares (required columns, aliases, ignored extras, over-wide rows)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from nlf_planner import textcheck
from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.imports.files import ColumnMap, ColumnUse, Table

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


def squash(name: str) -> str:
    """A heading with case, spaces and punctuation gone: 'Area Code', 'area_code' and
    'AreaCode' all give 'areacode', so aliases match however a tool spelled them."""
    return re.sub(r"[^a-z0-9]+", "", str(name).lower())


def map_columns(
    headings: Sequence[str],
    columns: Sequence[str],
    aliases: Mapping[str, str] | None = None,
    patterns: Sequence[tuple[re.Pattern[str], str]] = (),
    written: Mapping[str, str] | None = None,
) -> ColumnMap:
    """Which heading is taken for which column: our own names first (in any case or
    spacing), then aliases and patterns, each column once, the first heading in the file
    winning; every other heading is ignored with the reason. ``written`` gives the headings
    as the file spells them (by normalised name), for the map and its messages."""
    written = written or {}
    own = {squash(c): c for c in columns}
    alias_of = {squash(a): c for a, c in (aliases or {}).items()}

    def alias_target(h: str) -> str | None:
        if squash(h) in alias_of:
            return alias_of[squash(h)]
        return next((c for rx, c in patterns if rx.fullmatch(squash(h))), None)

    chosen: dict[str, str] = {}  # our column -> the heading taken for it
    for h in headings:  # our own names exactly first, so a renamed heading never collides
        if h in columns:
            chosen[h] = h
    for h in headings:
        target = own.get(squash(h))
        if target is not None and target not in chosen:
            chosen[target] = h
    for h in headings:
        target = alias_target(h)
        if squash(h) not in own and target is not None and target not in chosen:
            chosen[target] = h
    heading_of = {h: c for c, h in chosen.items()}
    uses = []
    for h in headings:
        shown = written.get(h, h)
        if h in heading_of:
            uses.append(ColumnUse(shown, heading_of[h]))
            continue
        target = own.get(squash(h)) or alias_target(h)
        why = (
            f"'{written.get(chosen[target], chosen[target])}' is already taken for {target}"
            if target is not None
            else "not a column of this import"
        )
        uses.append(ColumnUse(shown, None, why))
    return ColumnMap(tuple(uses))


def check_columns(
    table: Table,
    columns: Sequence[ColumnDoc],
    aliases: Mapping[str, str] | None = None,
    one_of: Sequence[tuple[str, ...]] = (),
    patterns: Sequence[tuple[re.Pattern[str], str]] = (),
) -> list[Issue]:
    """Rename our columns' headings and known aliases in place (recording which heading was
    taken for which column in ``table.column_map``); report missing required columns and
    ignored extra ones."""
    headings = [str(c) for c in table.df.columns]
    column_map = map_columns(
        headings, [c.column for c in columns], aliases, patterns, table.headings
    )
    rename = {
        h: u.column
        for h, u in zip(headings, column_map.uses, strict=True)
        if u.column is not None and u.column != h
    }
    table.df = table.df.rename(columns=rename)
    table.column_map = column_map
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
    for use in column_map.ignored:
        because = "" if use.why == "not a column of this import" else f" ({use.why})"
        issues.append(
            Issue(
                None,
                use.heading,
                None,
                f"Column '{use.heading}' is not used and will be ignored{because}.",
                "warning",
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
