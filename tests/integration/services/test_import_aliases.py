"""A Fingertips export imported as it comes, through the services, on both backends: its
headings taken for ours (and said so in the preview), England rows skipped, periods before
the framework stored and carried into the series, the SPC model and the exports; periods
before NLF_EARLIEST_PERIOD, Fingertips indicator numbers and a bad setting refused with
nothing written."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from nlf_planner.services import audit as audit_service
from nlf_planner.services import data_transfer
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.errors import ValidationFailed
from nlf_planner.services.regions_view import build_regions_model
from nlf_planner.store import Database

FINGERTIPS_CSV = Path(__file__).parents[2] / "unit" / "imports" / "fingertips_export.csv"
DEE = Actor("local:dee", "Dee Data", frozenset({Role.DATA_MANAGER}))
ICB = "E54000024"  # Bedfordshire, Luton and Milton Keynes
REGION = "E40000007"  # East of England


def snapshot(db: Database) -> dict[str, str]:
    out = {}
    for name in data_transfer.table_names(db):
        df = data_transfer.table_rows(db, name)
        df = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
        out[name] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    return out


def check(db: Database, data: bytes, name: str = "fingertips.csv"):
    return data_transfer.check_upload(db, "measurements", data, name)


def test_a_fingertips_export_imports_end_to_end_with_its_pre_framework_years(db, monkeypatch):
    monkeypatch.delenv("NLF_EARLIEST_PERIOD", raising=False)
    checked = check(db, FINGERTIPS_CSV.read_bytes())
    assert checked.ok and checked.errors == []
    renamed = [(u.heading, u.column) for u in checked.columns.renamed]
    assert renamed == [
        ("Indicator ID", "measure_code"),
        ("Area Code", "geo_code"),
        ("Time period", "period"),
        ("Value", "value"),
        ("Lower CI 95.0 limit", "ci_low"),
        ("Upper CI 95.0 limit", "ci_high"),
        ("Count", "numerator"),
        ("Denominator", "denominator"),
    ]
    assert len(checked.columns.ignored) == 18  # Indicator Name … Compared to goal
    preview = data_transfer.preview_import(db, checked)
    assert preview.columns == checked.columns  # the preview says the same
    assert preview.button_label == "Import 15 rows"  # 21 rows less 6 England rows
    assert dict(preview.metrics)["Rows added"] == 15
    outcome = data_transfer.apply_import(
        db, DEE, checked, reason="Fingertips download", backup_first=False
    )
    assert outcome.message.startswith("Imported 15 rows from fingertips.csv: 15 added")

    stored = data_transfer.table_rows(db, "measurements")
    stored["period"] = pd.to_datetime(stored["period"]).dt.date
    icb = stored[(stored.measure_code == "M07") & (stored.geo_code == ICB)].sort_values("period")
    assert icb["period"].tolist() == [date(y, 4, 1) for y in range(2012, 2018)]
    assert icb["numerator"].tolist() == [1830, 1860, 1953, 1984, 2015, 2079]
    assert not icb["illustrative"].any()
    assert set(stored["geo_code"]) == {ICB, REGION}  # England was not imported
    assert stored[stored.measure_code == "M08"]["period"].min() == date(2015, 4, 1)

    series = measurement_service.all_series(db, ["M07"])
    series["period"] = pd.to_datetime(series["period"]).dt.date
    region = series[(series.geo_code == REGION)].sort_values("period")
    assert region["period"].iloc[0] == date(2012, 4, 1)
    assert region["value"].iloc[0] == pytest.approx(60.0)

    model = build_regions_model(db, None)
    result = model.results[("M07", ICB)]
    periods = [pd.Timestamp(p).date() for p in result.periods]
    assert periods[:4] == [date(2012, 4, 1), date(2013, 4, 1), date(2014, 4, 1), date(2015, 4, 1)]
    assert list(result.values) == pytest.approx([60.0, 60.0, 62.0, 62.0, 62.0, 63.0])

    export = data_transfer.table_file(db, DEE, "measurements", "csv").data.decode("utf-8-sig")
    assert "M07" in export and "2012-04-01" in export

    log = audit_service.audit_log(db, entity="measurements")
    assert log[["actor", "reason"]].iloc[0].tolist() == ["Dee Data", "Fingertips download"]
    after = json.loads(log["after_json"].iloc[0])
    assert after["columns"]["Area Code"] == "geo_code"
    assert after["columns"]["Time period"] == "period" and len(after["columns"]) == 8
    assert after["periods"] == ["2012-04-01", "2017-04-01"]


def test_fingertips_indicator_numbers_are_refused_and_nothing_is_written(db):
    data = FINGERTIPS_CSV.read_text().replace("\nM07,", "\n90362,").replace("\nM08,", "\n92443,")
    checked = check(db, data.replace("\nM01,", "\n93014,").encode())
    assert [(i.column, i.value) for i in checked.errors] == [
        ("Indicator ID", "90362, 92443, 93014")
    ]
    assert "Fingertips indicator numbers" in checked.errors[0].reason
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="1 problem to fix"):
        data_transfer.apply_import(db, DEE, checked, backup_first=False)
    assert snapshot(db) == before


def test_rows_before_the_earliest_period_are_refused_naming_it_and_nothing_is_written(
    db, monkeypatch
):
    monkeypatch.setenv("NLF_EARLIEST_PERIOD", "2014-04")
    checked = check(db, FINGERTIPS_CSV.read_bytes())
    early = [(i.row, i.value) for i in checked.errors]
    # 2012/13 and 2013/14 for the region (rows 8, 9) and the ICB (14, 15)
    assert early == [(8, "2012/13"), (9, "2013/14"), (14, "2012/13"), (15, "2013/14")]
    assert all(i.reason.startswith("Before April 2014") for i in checked.errors)
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="4 problems to fix"):
        data_transfer.apply_import(db, DEE, checked, backup_first=False)
    assert snapshot(db) == before


def test_a_bad_earliest_period_setting_refuses_the_import_saying_what_to_write(db, monkeypatch):
    monkeypatch.setenv("NLF_EARLIEST_PERIOD", "April 2010")
    checked = check(db, FINGERTIPS_CSV.read_bytes())
    assert not checked.ok
    [issue] = checked.errors
    assert issue.row is None and "NLF_EARLIEST_PERIOD" in issue.reason
    assert "YYYY-MM" in issue.reason
    before = snapshot(db)
    with pytest.raises(ValidationFailed):
        data_transfer.apply_import(db, DEE, checked, backup_first=False)
    assert snapshot(db) == before
