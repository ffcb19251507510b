"""The data transfer services against real DuckDB files: imports checked, previewed and
applied with the acting person in the audit log; refusals write nothing; backups round trip;
only the right roles write."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from nlf_planner.imports import read_table
from nlf_planner.services import audit as audit_service
from nlf_planner.services import data_transfer
from nlf_planner.services.actor import Actor, Role, local_actor
from nlf_planner.services.data_transfer.import_kinds import apply_plan_import
from nlf_planner.services.errors import (
    NotAllowed,
    NotFound,
    NotSignedIn,
    ReadOnly,
    ValidationFailed,
)
from nlf_planner.store import Database
from nlf_planner.store.imports import ImportRefused
from nlf_planner.store.reference import measures

HEADER = "measure_code,geo_code,period,numerator,denominator,value\n"
GOOD = HEADER + "M08,E54000024,2024-04-01,12,150,8\nM08,E54000024,2024-05-01,11,150,\n"
BAD = HEADER + "M08,E54000024,2024-04-15,1,10,\nM99,E54000024,2024-04-01,20,10,\n"

ASHA = local_actor("Asha Patel")  # local mode: every role
VIEWER = Actor("local:vic", "Vic Viewer", frozenset({Role.VIEWER}))
DATA_MANAGER = Actor("local:dee", "Dee Data", frozenset({Role.DATA_MANAGER}))


def snapshot(db: Database) -> dict[str, str]:
    """A content hash of every table, read through the export service."""
    out = {}
    for name in data_transfer.table_names(db):
        df = data_transfer.table_rows(db, name)
        df = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
        out[name] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    return out


def kept_zips(db: Database) -> list[Path]:
    return sorted((Path(db.path).parent / "backups").glob("*.zip"))


def checked(db: Database, text: str, kind: str = "measurements", name: str = "esr.csv"):
    return data_transfer.check_upload(db, kind, text.encode(), name)


def test_check_preview_and_apply_record_the_person_and_keep_a_backup(fresh_seeded_db):
    db = fresh_seeded_db
    check = checked(db, GOOD)
    assert check.ok and check.kind.label == "Measurements" and check.errors == []
    assert check.file_sha256 == hashlib.sha256(GOOD.encode()).hexdigest()
    preview = data_transfer.preview_import(db, check)
    assert preview.button_label == "Import 2 rows" and preview.rows == 2
    assert dict(preview.metrics)["Values replaced"] == 2
    assert set(preview.changes["area_name"]) == {"Bedfordshire, Luton and Milton Keynes"}
    outcome = data_transfer.apply_import(db, ASHA, check, reason="  ESR extract  ")
    assert outcome.message.startswith("Imported 2 rows from esr.csv: 0 added, 2 replaced")
    assert outcome.backup is not None and outcome.backup.name.startswith("nlf-before-import")
    assert outcome.backup.name in outcome.message
    assert data_transfer.validate_backup(outcome.backup)["created_by"] == (
        "automatic backup before an import by Asha Patel"
    )
    rows = data_transfer.table_rows(db, "measurements")
    assert (~rows["illustrative"]).sum() == 2
    log = audit_service.audit_log(db, entity="measurements")
    assert log[["actor", "action", "reason"]].iloc[0].tolist() == [
        "Asha Patel",
        "import",
        "ESR extract",
    ]
    assert check.file_sha256 in log["after_json"].iloc[0]


def test_without_a_backup_first_no_zip_is_kept(fresh_seeded_db):
    db = fresh_seeded_db
    outcome = data_transfer.apply_import(db, ASHA, checked(db, GOOD), backup_first=False)
    assert outcome.backup is None and kept_zips(db) == []


def test_a_file_with_problems_is_refused_and_writes_nothing(fresh_seeded_db):
    db = fresh_seeded_db
    before = snapshot(db)
    check = checked(db, BAD, name="bad.csv")
    assert not check.ok
    assert {(i.row, i.column) for i in check.errors} == {(2, "period"), (3, "measure_code")}
    assert list(check.issues_frame()["row"]) == [2, 3]
    with pytest.raises(ValidationFailed, match="bad.csv has 2 problems to fix") as err:
        data_transfer.apply_import(db, ASHA, check)
    assert len(err.value.issues) == 2
    with pytest.raises(ValidationFailed):
        data_transfer.preview_import(db, check)
    assert snapshot(db) == before and kept_zips(db) == []


@pytest.mark.parametrize(
    ("actor", "error", "message"),
    [
        (None, NotSignedIn, "Sign in"),
        (VIEWER, NotAllowed, "data manager role to import data"),
    ],
)
def test_an_import_needs_a_data_manager_and_writes_nothing_otherwise(
    fresh_seeded_db, actor, error, message
):
    db = fresh_seeded_db
    check = checked(db, GOOD)
    before = snapshot(db)
    with pytest.raises(error, match=message):
        data_transfer.apply_import(db, actor, check)
    assert snapshot(db) == before and kept_zips(db) == []  # not even the backup first
    data_transfer.apply_import(db, DATA_MANAGER, check)  # the role is enough
    assert audit_service.audit_log(db, entity="measurements")["actor"].iloc[0] == "Dee Data"


def test_a_read_only_database_refuses_before_anything_happens(fresh_seeded_db_path):
    con = duckdb.connect(str(fresh_seeded_db_path), read_only=True)
    db = Database(con, fresh_seeded_db_path, read_only=True, reason="Another app holds it.")
    try:
        check = checked(db, GOOD)
        with pytest.raises(ReadOnly, match="read-only. Another app holds it."):
            data_transfer.apply_import(db, ASHA, check)
        with pytest.raises(ReadOnly):
            data_transfer.restore_backup(db, ASHA, b"anything")
    finally:
        db.close()
    assert not (fresh_seeded_db_path.parent / "backups").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old-style Excel")],
)
def test_unreadable_files_are_typed_refusals(data, message):
    with pytest.raises(data_transfer.FileUnreadable, match=message):
        data_transfer.read_upload(data, "f.csv")


def test_a_workbook_with_several_sheets_names_them_for_the_picker(fresh_seeded_db):
    wb = openpyxl.Workbook()
    wb.active.title = "2024"
    wb.active.append(HEADER.strip().split(","))
    wb.active.append(["M08", "E54000024", "2024-06-01", 1, 10, None])
    other = wb.create_sheet("2023")
    other.append(["measure_code"])
    other.append(["M08"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(data_transfer.SheetChoiceNeeded, match="Choose the sheet") as err:
        data_transfer.read_upload(buf.getvalue(), "two.xlsx")
    assert err.value.sheets == ["2024", "2023"]
    check = data_transfer.check_upload(fresh_seeded_db, "measurements", buf.getvalue(), "t", "2024")
    assert check.ok and len(check.result.rows) == 1


def test_every_kind_the_domain_describes_has_its_steps():
    assert [k.key for k in data_transfer.import_kinds()] == [
        "measurements",
        "plan_targets",
        "plan_milestones",
        "stakeholders",
        "engagement_events",
    ]
    assert all(callable(i.check) and callable(i.apply) for i in data_transfer.IMPORTERS.values())
    with pytest.raises(NotFound):
        data_transfer.import_kind("budgets")


def test_plan_targets_import_saves_a_version_by_the_acting_person(fresh_seeded_db):
    db = fresh_seeded_db
    check = checked(db, "measure_code,geo_code,y1,y3,y5\nM08,,7.5,6.5,5.5\n", "plan_targets")
    preview = data_transfer.preview_import(db, check)
    assert preview.button_label == "Save 3 targets as a new plan version"
    assert "before → after" in preview.caption and len(preview.changes) >= 1
    outcome = data_transfer.apply_import(db, ASHA, check, reason="Board decision")
    assert outcome.message.startswith("Saved plan version")
    log = audit_service.audit_log(db, entity="plan_version")
    assert log[["actor", "action", "reason"]].iloc[0].tolist() == [
        "Asha Patel",
        "import",
        "Board decision",
    ]


def test_plan_targets_import_saves_a_new_version_through_the_plan_rules(fresh_seeded_db):
    from nlf_planner.imports import validate_plan_targets
    from nlf_planner.store.plans import latest_version_id, load_plan
    from nlf_planner.store.reference import geography_names

    db = fresh_seeded_db
    head = latest_version_id(db)
    bad = validate_plan_targets(
        read_table(b"measure_code,geo_code,y1,y3,y5\nM08,,5,6,7\n", "t.csv"),
        measures(db),
        geography_names(db),
    )
    assert [(i.row, i.column) for i in bad.errors] == [(2, "y1"), (2, "y3")]  # backwards
    with pytest.raises(ImportRefused):
        apply_plan_import(db, bad, actor="A")
    assert latest_version_id(db) == head
    good = validate_plan_targets(
        read_table(b"Measure,Geography,y1,y3,y5\nm08,,7.5,6.5,5.5\n", "targets.xlsx.csv"),
        measures(db),
        geography_names(db),
    )
    assert good.ok
    saved = apply_plan_import(db, good, actor="Asha")
    assert saved.version_id != head and latest_version_id(db) == saved.version_id
    assert saved.targets_for("M08") == {1: 7.5, 3: 6.5, 5: 5.5}
    assert len(saved.targets) == len(load_plan(db, head).targets)  # others kept
    audit = db.df(
        "SELECT actor, action, entity, after_json FROM audit_log ORDER BY audit_id DESC LIMIT 1"
    )
    assert audit.iloc[0][["actor", "action", "entity"]].tolist() == [
        "Asha",
        "import",
        "plan_version",
    ]
    # What changed is recorded as for every save: the diff against the version it replaced.
    after = json.loads(audit.iloc[0]["after_json"])
    assert after["summary"] == "3 targets changed."
    assert sorted(after["changes"])[0].startswith("M08 (England), year 1: Target ")
    assert sorted(after["changes"])[0].endswith(" → 7.5")


def test_plan_milestones_import_adds_and_replaces_by_id(fresh_seeded_db):
    from nlf_planner.imports import validate_plan_milestones
    from nlf_planner.store.plans import load_plan
    from nlf_planner.store.reference import priority_areas

    db = fresh_seeded_db
    plan = load_plan(db)
    first = plan.milestones[0]
    due = date(plan.base_year + 1, 3, 1).strftime("%d/%m/%Y")
    text = (
        "item_id,priority_area,title,horizon,due_date,owner,status\n"
        f"{first.item_id},{first.priority_area},Renamed <b>item</b>,1,{due},Me,Done\n"
        f",p5,New milestone,1,{due},Me,On track\n"
    )
    imp = validate_plan_milestones(
        read_table(text.encode(), "m.csv"),
        plan.base_year,
        [a.code for a in priority_areas(db)],
        measures(db),
        today=date.today(),
    )
    assert imp.ok, imp.errors
    saved = apply_plan_import(db, imp, actor="Asha", note="milestones from the programme office")
    titles = {m.item_id: m.title for m in saved.milestones}
    assert titles[first.item_id] == "Renamed <b>item</b>"
    assert len(saved.milestones) == len(plan.milestones) + 1
    assert "New milestone" in titles.values()


def test_a_stakeholder_added_between_check_and_apply_is_refused_whole(fresh_seeded_db):
    db = fresh_seeded_db
    text = "name,group,interest,influence\nNew trust,Provider,4,5\nOther trust,Provider,2,2\n"
    first = checked(db, text, "stakeholders", "people.csv")
    second = checked(db, text, "stakeholders", "people.csv")  # checked before the first lands
    assert data_transfer.preview_import(db, first).button_label == "Add 2 rows"
    outcome = data_transfer.apply_import(db, ASHA, first, backup_first=False)
    assert outcome.message == "Added 2 rows from people.csv."
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="Nothing was imported") as err:
        data_transfer.apply_import(db, ASHA, second, backup_first=False)
    assert any("New trust" in str(p) for p in err.value.issues)
    assert snapshot(db) == before  # neither row of the second file was written


def test_backup_and_restore_round_trip_through_the_services(fresh_seeded_db, tmp_path):
    db = fresh_seeded_db
    original = snapshot(db)
    data = data_transfer.backup_download(db, ASHA)
    db.write(lambda cur: cur.execute("DELETE FROM measurements WHERE measure_code = 'M08'"))
    check = data_transfer.check_backup(db, data)
    assert check.created_by == "download by Asha Patel"
    diff = check.comparison.set_index("table")
    assert diff.loc["measurements", "difference"] > 0 and diff.loc["regions", "difference"] == 0
    report = data_transfer.restore_backup(
        db, ASHA, data, reason="undo", label="board.zip", safety_dir=tmp_path
    )
    assert report.safety_backup.parent == tmp_path
    # Every table comes back row for row; the log, facts and migrations record the restore.
    rebuilt = ("audit_log", "app_meta", "schema_migrations")
    restored = snapshot(db)
    assert {k: v for k, v in restored.items() if k not in rebuilt} == {
        k: v for k, v in original.items() if k not in rebuilt
    }
    log = audit_service.audit_log(db, entity="database")
    assert log[["actor", "action", "entity_id", "reason"]].iloc[0].tolist() == [
        "Asha Patel",
        "restore",
        "board.zip (signature verified)",
        "undo",
    ]


@pytest.mark.parametrize(("actor", "error"), [(None, NotSignedIn), (DATA_MANAGER, NotAllowed)])
def test_restore_and_full_backups_need_an_admin(fresh_seeded_db, tmp_path, actor, error):
    db = fresh_seeded_db
    data = data_transfer.backup_download(db, ASHA)
    db.write(lambda cur: cur.execute("DELETE FROM measurements WHERE measure_code = 'M08'"))
    before = snapshot(db)
    with pytest.raises(error):
        data_transfer.restore_backup(db, actor, data, safety_dir=tmp_path)
    with pytest.raises(error):
        data_transfer.backup_download(db, actor)
    with pytest.raises(error):
        data_transfer.create_backup(db, actor)
    with pytest.raises(error):
        data_transfer.kept_backups(db, actor)
    assert snapshot(db) == before and kept_zips(db) == []
    assert not (tmp_path / "safety").exists()


def test_kept_backups_and_a_tampered_file(fresh_seeded_db):
    db = fresh_seeded_db
    kept = data_transfer.create_backup(db, ASHA)
    assert kept.parent == data_transfer.backup_folder(db)
    assert [b["file"] for b in data_transfer.kept_backups(db, ASHA)] == [kept.name]
    src, out = zipfile.ZipFile(kept), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "tables/regions.parquet":
                content = content[:-50] + bytes(50)
            dst.writestr(info.filename, content)
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match="cannot be restored: .*failed its checksum"):
        data_transfer.check_backup(db, out.getvalue())
    with pytest.raises(ValidationFailed, match="Nothing was restored: .*failed its checksum"):
        data_transfer.restore_backup(db, ASHA, out.getvalue())
    assert snapshot(db) == before


def test_exports_name_only_stored_tables_and_are_formula_safe(fresh_seeded_db):
    db = fresh_seeded_db
    db.write(
        lambda cur: cur.execute(
            "UPDATE regions SET name = '=HYPERLINK(\"http://x\")' WHERE code = 'E40000007'"
        )
    )
    csv_file = data_transfer.table_file(db, VIEWER, "regions", "csv")
    assert csv_file.file_name.startswith("nlf-regions-") and csv_file.mime == "text/csv"
    assert "'=HYPERLINK" in csv_file.data.decode("utf-8-sig")
    with pytest.raises(NotFound, match="no table"):
        data_transfer.table_rows(db, "regions; DROP TABLE icbs")
    overview = data_transfer.tables_overview(db).set_index("table")
    assert overview.loc["regions", "rows"] == 7
    xlsx, csv_bytes = data_transfer.import_template(db, "stakeholders")
    assert openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames == [
        "stakeholders",
        "Data dictionary",
        "Geography",
        "Codes",
    ]
    assert csv_bytes.decode("utf-8-sig").startswith("name,group,")


def test_control_characters_are_refused_in_files_and_reasons_and_nothing_is_written(
    fresh_seeded_db, tmp_path
):
    db = fresh_seeded_db
    data = data_transfer.backup_download(db, ASHA)
    before = snapshot(db)
    safety = tmp_path / "safety"
    stakeholders = "name,group,interest,influence\nAcme\x1bTrust,National body,3,4\n"
    check = checked(db, stakeholders, kind="stakeholders", name="s.csv")
    assert [(i.row, i.column) for i in check.errors] == [(2, "name")]
    assert "hidden control character (U+001B ESCAPE)" in check.errors[0].reason
    with pytest.raises(ValidationFailed, match="s.csv has 1 problem"):
        data_transfer.apply_import(db, ASHA, check)
    with pytest.raises(ValidationFailed, match="^Nothing was imported: The reason for the import"):
        data_transfer.apply_import(db, ASHA, checked(db, GOOD), reason="ESR\x07extract")
    with pytest.raises(ValidationFailed, match="^Nothing was restored: The reason for the restore"):
        data_transfer.restore_backup(db, ASHA, data, reason="undo\x1b[2J", safety_dir=safety)
    assert snapshot(db) == before and kept_zips(db) == [] and not safety.exists()


def test_automatic_backups_are_pruned_to_the_setting_and_hand_made_ones_kept(
    fresh_seeded_db, monkeypatch
):
    db = fresh_seeded_db
    monkeypatch.setenv("NLF_KEEP_BACKUPS", "2")
    assert data_transfer.automatic_backups_kept() == 2
    by_hand = data_transfer.create_backup(db, ASHA)
    made = [data_transfer.apply_import(db, ASHA, checked(db, GOOD)).backup for _ in range(3)]
    kept = sorted(data_transfer.backup_folder(db).glob("*.zip"))
    assert kept == sorted([by_hand, made[1], made[2]])
    assert not made[0].exists()


def test_an_import_while_a_restore_runs_is_refused_with_the_message(fresh_seeded_db):
    import threading

    db = fresh_seeded_db
    check = checked(db, GOOD)
    before = snapshot(db)
    inside, done = threading.Event(), threading.Event()

    def restoring():
        with db.restore_gate.restoring():
            inside.set()
            done.wait(30)

    t = threading.Thread(target=restoring)
    t.start()
    inside.wait(30)
    try:
        with pytest.raises(ReadOnly, match="restoring a backup just now") as err:
            data_transfer.apply_import(db, ASHA, check, backup_first=False)
        assert str(err.value).startswith("Nothing was imported: An administrator is restoring")
    finally:
        done.set()
        t.join(30)
    assert snapshot(db) == before
    data_transfer.apply_import(db, ASHA, check, backup_first=False)  # afterwards it goes in
    assert snapshot(db) != before


def test_an_import_removing_history_is_refused_unless_confirmed(fresh_seeded_db):
    db = fresh_seeded_db
    check = checked(db, GOOD)
    preview = data_transfer.preview_import(db, check)
    stored = int(
        db.scalar(
            "SELECT count(*) FROM measurements WHERE measure_code = 'M08' "
            "AND geo_code = 'E54000024'"
        )
    )
    assert preview.removes == stored - 2 > 100
    assert preview.removals[["measure_code", "geo_code", "rows"]].values.tolist() == [
        ["M08", "E54000024", stored - 2]
    ]
    before = snapshot(db)
    with pytest.raises(ValidationFailed, match=f"removes {stored - 2:,} stored rows") as err:
        data_transfer.apply_import(db, ASHA, check, backup_first=False, allow_removal=False)
    assert str(err.value).endswith("Confirm the removal to import.")
    assert snapshot(db) == before
    data_transfer.apply_import(db, ASHA, check, backup_first=False, allow_removal=True)
    assert (
        int(
            db.scalar(
                "SELECT count(*) FROM measurements WHERE geo_code = 'E54000024' "
                "AND measure_code = 'M08'"
            )
        )
        == 2
    )
