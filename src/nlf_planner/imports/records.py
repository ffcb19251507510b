"""A checked plan or engagement file: typed records, every problem found, and the date
spellings those rules expect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from nlf_planner.imports.cells import parse_date
from nlf_planner.imports.checks import Issue


@dataclass
class RecordImport:
    """A checked plan or engagement file: typed records and every problem found."""

    kind: str
    records: list
    issues: list[Issue]
    source_name: str
    source_rows: int
    extra: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.records)


def normalise_dates(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """UK and ISO spellings → ISO text, so the domain's date rules see one format."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = [
                (parse_date(v).isoformat() if parse_date(v) else v) if v else v for v in out[col]
            ]
    return out


#: The earliest date an engagement file may hold: before this it is a typing slip
#: (0001-01-01, 1900-01-01), not a contact or an event of this programme.
EARLIEST_RECORD_DATE = date(2000, 1, 1)
#: How many years ahead an event may be planned.
YEARS_AHEAD = 10


def date_range_issues(
    frame: pd.DataFrame,
    row_numbers: Sequence[int],
    columns: Sequence[str],
    today: date | None = None,
) -> list[Issue]:
    """Dates far outside any plausible range (year 1, 1900, 2200, 9999), each located by
    sheet row: the engagement rules take any real date, and a slip would then sort first or
    last on every page for years."""
    today = today or date.today()
    latest = date(today.year + YEARS_AHEAD, 12, 31)
    found = []
    for col in columns:
        if col not in frame.columns:
            continue
        for i, text in enumerate(frame[col]):
            parsed = parse_date(text) if text else None
            if parsed is not None and not EARLIEST_RECORD_DATE <= parsed <= latest:
                found.append(
                    Issue(
                        int(row_numbers[i]),
                        col,
                        str(text),
                        f"The date {_day(parsed)} is outside the range this file may "
                        f"hold ({_day(EARLIEST_RECORD_DATE)} to {_day(latest)}); check the "
                        "year.",
                    )
                )
    return found


def _day(d: date) -> str:
    """'1 Jan 2000': the UI's one date format."""
    return f"{d.day} {d:%b %Y}"
