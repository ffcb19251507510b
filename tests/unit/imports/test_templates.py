"""Import templates: every kind's template carries its code lists and checks cleanly."""

from __future__ import annotations

import io
from datetime import date

import pytest

from nlf_planner import imports as im
from nlf_planner.imports import read_table, validate_measurements
from nlf_planner.store.reference import icbs, measures, regions

TODAY = date(2026, 11, 30)


@pytest.fixture
def ref(db):
    return measures(db), regions(db), icbs(db)


def test_each_template_example_imports_cleanly(ref):
    measures_, regions_, icbs_ = ref
    lookups = im.reference_sheets("measurements", measures_, regions_, icbs_, {"P1": "x"})
    xlsx, csv_bytes = im.template_files("measurements", lookups)
    for data, name in ((xlsx, "t.xlsx"), (csv_bytes, "t.csv")):
        result = validate_measurements(read_table(data, name), *ref, today=TODAY)
        assert result.ok and result.errors == [] and len(result.rows) == 2


#: The code lists each kind's workbook carries beside its data sheet and dictionary.
EXPECTED_SHEETS = {
    "measurements": ["Measures", "Geography"],
    "plan_targets": ["Measures", "Geography"],
    "plan_milestones": ["Measures", "Priority areas"],
    "stakeholders": ["Geography", "Codes"],
    "engagement_events": ["Geography", "Priority areas", "Codes"],
}


@pytest.mark.parametrize("kind", list(EXPECTED_SHEETS))
def test_each_kind_carries_its_own_code_lists(ref, kind):
    measures_, regions_, icbs_ = ref
    sheets = im.reference_sheets(kind, measures_, regions_, icbs_, {"P1": "Leadership"})
    assert list(sheets) == EXPECTED_SHEETS[kind]
    if "Geography" in sheets:
        levels = set(sheets["Geography"]["level"])
        # Only measurements are imported per ICB; the other kinds name regions at most.
        assert levels == ({"region", "ICB"} if kind == "measurements" else {"region"})
    if "Codes" in sheets:
        lists = set(sheets["Codes"]["list"])
        assert lists == ({"group"} if kind == "stakeholders" else {"event_type"})


@pytest.mark.parametrize("kind", list(EXPECTED_SHEETS))
def test_each_template_has_the_kinds_columns_and_example_rows(ref, kind):
    import openpyxl

    measures_, regions_, icbs_ = ref
    spec = im.IMPORT_KINDS[kind]
    xlsx, csv_bytes = im.template_files(
        kind, im.reference_sheets(kind, measures_, regions_, icbs_, {})
    )
    table = read_table(csv_bytes, "t.csv")
    assert list(table.df.columns) == [c.column for c in spec.columns]
    assert len(table) == len(spec.example_rows())
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    assert book.sheetnames[:2] == [kind, "Data dictionary"]
