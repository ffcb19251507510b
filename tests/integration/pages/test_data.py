"""The Data page in AppTest: import with problems and preview, export, audit log, backup."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nlf_planner.services import audit as audit_service
from nlf_planner.services import data_transfer
from nlf_planner.services.actor import local_actor
from nlf_planner.services.database import Database, open_store
from tests.apptest_utils import headings, run_page, signed_in

HEADER = "measure_code,geo_code,period,numerator,denominator,value\n"
GOOD = HEADER + "M08,E54000024,2024-04-01,12,150,8\nM08,E54000024,2024-05-01,11,150,\n"
USER = "Asha Patel"  # signed in (admin: every role)
ADMIN = local_actor("Test Admin")


@contextmanager
def opened(path: Path) -> Iterator[Database]:
    """The database file as the page sees it (between runs, never while AppTest holds it)."""
    db = open_store(path)
    try:
        yield db
    finally:
        db.close()


def snapshot(path: Path) -> dict[str, str]:
    """A content hash of every table, read through the export service.

    Leaves out ``app_users``: opening the page records the sign-in (last seen), which is not
    a change to the data."""
    with opened(path) as db:
        out = {}
        for name in data_transfer.table_names(db):
            if name == "app_users":
                continue
            df = data_transfer.table_rows(db, name)
            df = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
            out[name] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
        return out


def table(path: Path, name: str) -> pd.DataFrame:
    with opened(path) as db:
        return data_transfer.table_rows(db, name)


def audit(path: Path, **filters) -> pd.DataFrame:
    with opened(path) as db:
        return audit_service.audit_log(db, **filters)


def imports_logged(path: Path) -> int:
    log = audit(path)
    return int((log["action"] == "import").sum())


def open_data(path: Path, section: str | None = None, user: str | dict | None = None, **query):
    if section:
        query["section"] = section
    at = run_page("data", path, query=query or None, user=user)
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at, name: str, data: bytes, index: int = 0):
    at.file_uploader[index].set_value((name, data, "application/octet-stream"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_shows_every_section(seeded_db_path):
    at = open_data(seeded_db_path)
    assert "Data" in headings(at)
    assert [t.label for t in at.tabs] == [
        "Import",
        "Export",
        "Data dictionary",
        "Audit log",
        "Backup and restore",
        "People",  # local mode acts as an admin, who sees who has signed in
    ]
    labels = [b.label for b in at.get("download_button")]
    assert "Excel template" in labels and "CSV template" in labels


def test_a_file_with_problems_lists_them_and_writes_nothing(fresh_seeded_db_path):
    before = snapshot(fresh_seeded_db_path)
    at = open_data(fresh_seeded_db_path, user=USER)
    bad = HEADER + "M08,E54000024,2024-04-15,1,10,\nM99,E54000024,2024-04-01,20,10,\n"
    upload(at, "bad.csv", bad.encode())
    assert any(
        "2 problems to fix" in e.value and "Nothing has been written" in e.value for e in at.error
    )
    issues = at.dataframe[-1].value
    assert set(zip(issues["row"], issues["column"], strict=True)) == {
        (2, "period"),
        (3, "measure_code"),
    }
    assert not at.button  # no import button while there are problems
    assert snapshot(fresh_seeded_db_path) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("garbage.csv", random.Random(5).randbytes(5000), "not readable text"),
        ("cut.xlsx", b"PK\x03\x04" + random.Random(2).randbytes(900), "damaged or incomplete"),
        ("empty.csv", b"", "empty"),
        (
            "million.csv",
            HEADER.encode() + b"M08,E54000024,2024-04-01,12,150,8\n" * 1_000_000,
            "the limit is 20 MB",
        ),
    ],
)
def test_unreadable_uploads_show_a_message_and_change_nothing(
    fresh_seeded_db_path, name, data, message
):
    before = snapshot(fresh_seeded_db_path)
    at = upload(open_data(fresh_seeded_db_path, user=USER), name, data)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert snapshot(fresh_seeded_db_path) == before


@pytest.mark.parametrize("roles", [("viewer",), ("editor",)])
def test_without_the_data_manager_role_the_import_button_is_disabled_and_says_why(
    fresh_seeded_db_path, roles
):
    person = signed_in("Vic", *roles)
    at = upload(open_data(fresh_seeded_db_path, user=person), "esr.csv", GOOD.encode())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Values replaced"] == "2" and metrics["Rows added"] == "0"
    assert at.button[0].disabled
    assert any("Viewing only" in i.value and "data manager role" in i.value for i in at.info)
    assert imports_logged(fresh_seeded_db_path) == 0


def test_preview_then_confirm_imports_with_the_person_and_reason(fresh_seeded_db_path):
    at = upload(open_data(fresh_seeded_db_path, user=USER), "esr.csv", GOOD.encode())
    reason = next(t for t in at.text_input if t.key.startswith("data_reason"))
    reason.set_value("<script>alert('x')</script> ESR extract")
    at.run()
    assert at.button[0].label == "Import 2 rows"
    assert at.button[0].disabled  # the file removes stored history: confirm that first
    confirm = next(c for c in at.checkbox if c.key.startswith("data_confirm_removal"))
    confirm.check()
    at.run()
    assert not at.button[0].disabled
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any(
        "Imported 2 rows" in s.value and "as they were are kept in" in s.value for s in at.success
    )
    kept = list((fresh_seeded_db_path.parent / "backups").glob("nlf-before-import-*.zip"))
    assert len(kept) == 1  # the data as they were, restorable from the Backup tab
    assert not at.metric  # the upload is cleared after a successful import
    assert (~table(fresh_seeded_db_path, "measurements")["illustrative"]).sum() == 2
    log = audit(fresh_seeded_db_path, entity="measurements")
    row = tuple(log[log["action"] == "import"][["actor", "reason"]].iloc[0])
    assert row == ("Asha Patel", "<script>alert('x')</script> ESR extract")  # literally


def test_a_workbook_with_several_sheets_asks_which_one(fresh_seeded_db_path):
    wb = openpyxl.Workbook()
    wb.active.title = "2024"
    for row in (HEADER.strip().split(","), ["M08", "E54000024", "2024-06-01", 1, 10, None]):
        wb.active.append(row)
    extra = wb.create_sheet("2023")
    extra.append(["measure_code"])
    extra.append(["M08"])
    buf = io.BytesIO()
    wb.save(buf)
    at = upload(open_data(fresh_seeded_db_path, user=USER), "two.xlsx", buf.getvalue())
    assert any("Choose the sheet" in i.value for i in at.info)
    next(s for s in at.selectbox if s.label == "Sheet to import").set_value("2024")
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Values replaced"] == "1"


def test_user_text_in_messages_is_shown_escaped(fresh_seeded_db_path):
    at = upload(
        open_data(fresh_seeded_db_path, user=USER),
        "<b>x</b>*[link](http://e)*.csv",
        (HEADER + "M08,<img src=x>,2024-04-01,1,10,\n").encode(),
    )
    message = next(e.value for e in at.error if "to fix in" in e.value)
    assert r"\<b\>x\</b\>\*\[link\]\(http://e\)\*" in message
    assert "<img src=x>" in at.dataframe[-1].value["value"].tolist()  # a grid cell, not HTML


def test_plan_targets_import_saves_a_plan_version(fresh_seeded_db_path):
    before = table(fresh_seeded_db_path, "plan_versions")["version_id"].max()
    at = open_data(fresh_seeded_db_path, user=USER, kind="Plan targets")
    upload(at, "targets.csv", b"measure_code,geo_code,y1,y3,y5\nM08,,7.5,6.5,5.5\n")
    assert at.button[0].label == "Save 3 targets as a new plan version"
    at.button[0].click()
    at.run()
    assert any("Saved plan version" in s.value for s in at.success)
    assert table(fresh_seeded_db_path, "plan_versions")["version_id"].max() > before


def test_export_section_offers_csv_and_excel(seeded_db_path):
    at = open_data(seeded_db_path, "Export", table="regions")
    labels = [b.label for b in at.get("download_button")]
    assert {"Download CSV", "Download Excel"} <= set(labels)
    assert len(at.dataframe[0].value) == 7


def test_audit_log_filters_by_person(fresh_seeded_db_path):
    with opened(fresh_seeded_db_path) as db:
        check = data_transfer.check_upload(db, "measurements", GOOD.encode(), "esr.csv")
        data_transfer.apply_import(
            db, local_actor("Ben"), check, reason='=HYPERLINK("http://x")', backup_first=False
        )
    at = open_data(fresh_seeded_db_path, "Audit log", who="Ben")
    log = at.dataframe[0].value
    assert set(log["actor"]) == {"Ben"} and len(log) == 1
    assert log["reason"].iloc[0] == '=HYPERLINK("http://x")'
    assert {"Download (CSV)", "Download (Excel)"} <= {b.label for b in at.get("download_button")}


def test_a_backup_that_fails_its_checksum_is_refused_on_the_page(fresh_seeded_db_path):
    with opened(fresh_seeded_db_path) as db:
        data = data_transfer.backup_download(db, ADMIN)
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "tables/regions.parquet":
                content = content[:-50] + bytes(50)
            dst.writestr(info.filename, content)
    before = snapshot(fresh_seeded_db_path)
    at = upload(
        open_data(fresh_seeded_db_path, "Backup and restore", user=USER),
        "tampered.zip",
        out.getvalue(),
    )
    assert any("failed its checksum" in e.value for e in at.error)
    assert not any(b.label == "Restore this backup" for b in at.button)
    assert snapshot(fresh_seeded_db_path) == before


def test_restore_from_the_page_after_confirmation(fresh_seeded_db_path):
    with opened(fresh_seeded_db_path) as db:
        data = data_transfer.backup_download(db, ADMIN)
        rows = len(data_transfer.table_rows(db, "measurements"))
        db.write(lambda cur: cur.execute("DELETE FROM measurements WHERE measure_code = 'M08'"))
    at = upload(open_data(fresh_seeded_db_path, "Backup and restore", user=USER), "good.zip", data)
    assert any("every checksum matches" in s.value for s in at.success)
    button = next(b for b in at.button if b.label == "Restore this backup")
    assert button.disabled  # needs the confirmation tick
    at.checkbox[0].check()
    at.run()
    next(b for b in at.button if b.label == "Restore this backup").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Restored" in s.value for s in at.success), [e.value for e in at.error]
    assert len(table(fresh_seeded_db_path, "measurements")) == rows


def test_stakeholders_import_from_the_page(fresh_seeded_db_path):
    before = len(table(fresh_seeded_db_path, "stakeholders"))
    at = open_data(fresh_seeded_db_path, user=USER, kind="Stakeholders")
    upload(at, "people.csv", b"name,group,interest,influence\n<i>New</i> trust,Provider,4,5\n")
    assert at.button[0].label == "Add 1 row"
    at.button[0].click()
    at.run()
    assert any("Added 1 row from" in s.value for s in at.success)
    people = table(fresh_seeded_db_path, "stakeholders")
    assert len(people) == before + 1
    assert people.sort_values("stakeholder_id")["name"].iloc[-1] == "<i>New</i> trust"


def test_restore_from_a_backup_kept_on_the_server(fresh_seeded_db_path):
    with opened(fresh_seeded_db_path) as db:
        kept = data_transfer.create_backup(db, ADMIN)  # data/backups beside the database file
        rows = len(data_transfer.table_rows(db, "measurements"))
        db.write(lambda cur: cur.execute("DELETE FROM measurements"))
    at = open_data(fresh_seeded_db_path, "Backup and restore", user=USER)
    at.radio(key="data_restore_source").set_value("A backup kept on this server")
    at.run()
    assert kept.name in at.dataframe[0].value["file"].tolist()
    next(s for s in at.selectbox if s.label == "Backup to restore").set_value(kept.name)
    at.run()
    assert any("every checksum matches" in s.value for s in at.success)
    at.checkbox[0].check()
    at.run()
    next(b for b in at.button if b.label == "Restore this backup").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Restored" in s.value for s in at.success)
    assert len(table(fresh_seeded_db_path, "measurements")) == rows


@pytest.mark.parametrize("roles", [("viewer",), ("editor", "data_manager")])
def test_without_the_admin_role_backups_are_not_offered_and_the_page_says_why(
    fresh_seeded_db_path, roles
):
    with opened(fresh_seeded_db_path) as db:
        data_transfer.create_backup(db, ADMIN)
    at = open_data(fresh_seeded_db_path, "Backup and restore", user=signed_in("Vic", *roles))
    download = next(b for b in at.get("download_button") if b.label == "Download a backup now")
    assert download.proto.disabled
    assert "People" not in [t.label for t in at.tabs]  # who has signed in: admins only
    at.radio(key="data_restore_source").set_value("A backup kept on this server")
    at.run()
    assert not at.exception
    assert any("admin role" in e.value for e in at.error)
    assert not at.dataframe  # the list of kept backups is for admins only


def test_an_admin_sees_who_has_signed_in_with_role_source_and_region(fresh_seeded_db_path):
    editor = signed_in("Rita Regional", "editor", region="E40000003")
    run_page(None, fresh_seeded_db_path, user=editor)  # her sign-in is recorded
    run_page(None, fresh_seeded_db_path, user=signed_in("Una Known", "superuser"))
    at = open_data(fresh_seeded_db_path, "People", user=signed_in("Ada Admin", "NLF.Admin"))
    people = next(d for d in at.dataframe if "Where the role came from" in d.value.columns)
    rows = {r["Name"]: r for r in people.value.to_dict("records")}
    assert set(rows) == {"Rita Regional", "Una Known", "Ada Admin"}
    assert rows["Rita Regional"]["Email"] == "rita.regional@nhs.net"
    assert rows["Rita Regional"]["Role"] == "editor, viewer"
    assert rows["Rita Regional"]["Region scope"] == "London (E40000003)"
    assert rows["Una Known"]["Role"] == "viewer"
    assert rows["Una Known"]["Where the role came from"] == (
        "default viewer (unknown roles claim 'superuser')"
    )
    assert rows["Ada Admin"]["Where the role came from"] == "roles claim NLF.Admin (claim value)"


def test_an_import_that_removes_history_says_what_and_waits_for_the_tick(fresh_seeded_db_path):
    """Issue 18: 3 rows for one ICB and measure replaced ten years of its history with no
    word. The preview now says how many stored rows go, for which measure, area and
    periods, and the button stays disabled until the person ticks to confirm."""
    with opened(fresh_seeded_db_path) as db:
        stored = db.df(
            "SELECT count(*) AS n, min(period) AS a, max(period) AS b FROM measurements "
            "WHERE measure_code = 'M08' AND geo_code = 'E54000024'"
        ).iloc[0]
    three = HEADER + "".join(
        f"M08,E54000024,{p},12,150,\n" for p in ("2024-04-01", "2024-05-01", "2024-06-01")
    )
    before = snapshot(fresh_seeded_db_path)
    at = upload(open_data(fresh_seeded_db_path, user=USER), "three.csv", three.encode())
    gone = int(stored["n"]) - 3
    warning = next(w.value for w in at.warning if "removes" in w.value)
    assert f"This import removes {gone:,} stored rows of history" in warning
    assert "for Bedfordshire, Luton and Milton Keynes" in warning
    assert pd.Timestamp(stored["a"]).strftime("%b %Y") in warning
    assert pd.Timestamp(stored["b"]).strftime("%b %Y") in warning
    removals = next(d.value for d in at.dataframe if "first_period" in d.value.columns)
    assert removals[["measure_code", "geo_code", "rows"]].values.tolist() == [
        ["M08", "E54000024", gone]
    ]
    assert at.button[0].label == "Import 3 rows" and at.button[0].disabled
    assert snapshot(fresh_seeded_db_path) == before


def test_the_upload_box_accepts_exactly_what_it_says(seeded_db_path):
    """Issue 18: the box took .txt and .xls while its label says CSV or .xlsx."""
    at = open_data(seeded_db_path, user=USER)
    box = at.file_uploader[0]
    assert box.label == "Upload a CSV or Excel .xlsx file"
    assert sorted(box.proto.type) == [".csv", ".xlsx"]
