"""The Data page in AppTest with a Fingertips export: the preview says which heading was
taken for which column and which were ignored, the import stores the years before the
framework, and Fingertips indicator numbers are refused naming the column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nlf_planner.services import data_transfer
from nlf_planner.services.database import open_store
from tests.apptest_utils import run_page

FINGERTIPS_CSV = Path(__file__).parents[2] / "unit" / "imports" / "fingertips_export.csv"
USER = "Asha Patel"  # signed in (admin: every role)
TAKEN = (
    "**Columns taken from the file:** Indicator ID → measure code; Area Code → geography "
    "code; Time period → period; Value → value; Lower CI 95\\.0 limit → interval, lower end; "
    "Upper CI 95\\.0 limit → interval, upper end; Count → numerator; Denominator → "
    "denominator."
)


def open_upload(path: Path, data: bytes):
    at = run_page("data", path, user=USER)
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader[0].set_value(("fingertips.csv", data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_the_preview_says_which_column_was_taken_for_which(fresh_seeded_db_path):
    at = open_upload(fresh_seeded_db_path, FINGERTIPS_CSV.read_bytes())
    assert not at.error
    assert "Preview: what will change" in [s.value for s in at.subheader]
    shown = next(m for m in markdown(at) if m.startswith("**Columns taken"))
    assert shown.split("  \n")[0] == TAKEN
    ignored = shown.split("  \n")[1]
    assert ignored.startswith("**Columns ignored:** Indicator Name, Parent Code, Parent Name")
    assert ignored.endswith("Time period Sortable, New data, Compared to goal.")
    assert any("24 notes" in w.value for w in at.warning)  # 18 columns, 6 England rows
    assert at.button[0].label == "Import 15 rows"
    confirm = next(c for c in at.checkbox if c.key.startswith("data_confirm_removal"))
    confirm.check()  # the file replaces the illustrative series of its measures and areas
    at.run()
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any("Imported 15 rows" in s.value for s in at.success)
    db = open_store(fresh_seeded_db_path)
    try:
        rows = data_transfer.table_rows(db, "measurements")
    finally:
        db.close()
    real = rows[~rows["illustrative"] & (rows["measure_code"] == "M07")]
    assert pd.to_datetime(real["period"]).min() == pd.Timestamp("2012-04-01")


def test_fingertips_indicator_numbers_are_refused_with_the_mapping_shown(fresh_seeded_db_path):
    text = FINGERTIPS_CSV.read_text()
    data = text.replace("\nM07,", "\n90362,").replace("\nM08,", "\n92443,")
    at = open_upload(fresh_seeded_db_path, data.replace("\nM01,", "\n93014,").encode())
    assert any("1 problem to fix" in e.value for e in at.error)
    assert any(m.startswith(TAKEN) for m in markdown(at))
    assert any("holds Fingertips indicator numbers" in m for m in markdown(at))
    assert not at.button  # nothing to import
