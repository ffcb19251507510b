"""The kinds of file a data manager can import, described once.

Each :class:`ImportKind` says what the file is called on the page, which columns it holds,
what its template carries beside the data sheet (code lists) and its example rows. The
service layer pairs each kind with its check, preview and apply
(``nlf_planner.services.data_transfer.imports.IMPORTERS``), so no page or tool switches on
the kind itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from nlf_planner.exports_tables import ColumnDoc
from nlf_planner.imports.engagement_records import EVENT_COLUMNS, STAKEHOLDER_COLUMNS
from nlf_planner.imports.measurements import MEASUREMENT_COLUMNS
from nlf_planner.imports.plan_records import PLAN_MILESTONE_COLUMNS, PLAN_TARGET_COLUMNS


class Lookup(StrEnum):
    """A list of valid codes a template carries so codes can be looked up in the workbook."""

    MEASURES = "measures"
    REGIONS = "regions"
    ICBS = "icbs"  # listed with the regions on the Geography sheet
    PRIORITY_AREAS = "priority_areas"
    STAKEHOLDER_GROUPS = "stakeholder_groups"
    EVENT_TYPES = "event_types"


@dataclass(frozen=True)
class ImportKind:
    """One kind of import: its key (the URL's ``kind``), label, columns and template."""

    key: str
    label: str
    columns: tuple[ColumnDoc, ...]
    help: str
    lookups: frozenset[Lookup]
    #: Further example rows, each given as its changes to the first (column examples) row.
    more_examples: tuple[Mapping[str, str], ...] = ()

    def example_rows(self) -> list[dict[str, object]]:
        """Illustrative rows for the template (the first from the column examples)."""
        first: dict[str, object] = {c.column: c.example for c in self.columns}
        return [first] + [{**first, **change} for change in self.more_examples]


IMPORT_KINDS: dict[str, ImportKind] = {
    k.key: k
    for k in (
        ImportKind(
            "measurements",
            "Measurements",
            MEASUREMENT_COLUMNS,
            "One row per measure, ICB or region, and period (long format). Imported "
            "series replace the illustrative ones for the same measure and area.",
            frozenset({Lookup.MEASURES, Lookup.REGIONS, Lookup.ICBS}),
            ({"period": "2024-05-01", "numerator": "11", "value": ""},),
        ),
        ImportKind(
            "plan_targets",
            "Plan targets",
            PLAN_TARGET_COLUMNS,
            "One row per measure and geography with year 1, 3 and 5 targets. Saved as a "
            "new plan version; targets not in the file are kept.",
            frozenset({Lookup.MEASURES, Lookup.REGIONS}),
        ),
        ImportKind(
            "plan_milestones",
            "Plan milestones",
            PLAN_MILESTONE_COLUMNS,
            "One row per milestone. Saved as a new plan version; a row with an existing "
            "ID replaces that milestone, other rows are added.",
            frozenset({Lookup.MEASURES, Lookup.PRIORITY_AREAS}),
        ),
        ImportKind(
            "stakeholders",
            "Stakeholders",
            STAKEHOLDER_COLUMNS,
            "One row per new stakeholder; names must not already exist.",
            frozenset({Lookup.REGIONS, Lookup.STAKEHOLDER_GROUPS}),
        ),
        ImportKind(
            "engagement_events",
            "Engagement events",
            EVENT_COLUMNS,
            "One row per event, linked to existing stakeholders by name.",
            frozenset({Lookup.REGIONS, Lookup.PRIORITY_AREAS, Lookup.EVENT_TYPES}),
        ),
    )
}


def import_kind(key: str) -> ImportKind:
    """The kind for a key; a readable :class:`KeyError` for one that does not exist."""
    try:
        return IMPORT_KINDS[key]
    except KeyError:
        raise KeyError(
            f"There is no import of kind {key!r}; choose one of {', '.join(IMPORT_KINDS)}."
        ) from None


def example_rows(kind: str) -> list[dict[str, object]]:
    """The template's example rows for a kind (kept for callers that hold only the key)."""
    return import_kind(kind).example_rows()
