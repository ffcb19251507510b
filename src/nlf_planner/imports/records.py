"""A checked plan or engagement file: typed records, every problem found, and the date
spellings those rules expect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
