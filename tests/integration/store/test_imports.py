"""Applying imports: one transaction, audited, all or nothing, safe under concurrency and kills.

The store holds no import rules: each apply is handed the domain's check or diff, as the
data-transfer service hands it, and runs it inside its transaction. Plan imports are saved by
the service (``tests/integration/services/test_data_transfer.py``)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlf_planner.engagement import validate_event, validate_stakeholder
from nlf_planner.imports import (
    ImportFileError,
    preview_measurements,
    read_table,
    validate_measurements,
)
from nlf_planner.store import imports as import_store
from nlf_planner.store import open_database
from nlf_planner.store.backup import read_table as read_stored_table
from nlf_planner.store.backup import table_names
from nlf_planner.store.imports import ImportRefused
from nlf_planner.store.reference import icbs, measures, regions

TODAY = date(2026, 11, 30)
HEADER = "measure_code,geo_code,period,numerator,denominator,value\n"
ICB = "E54000024"
OTHER_ICB = "E54000056"


def preview(db, imp):
    """What the service previews: the domain's diff against the rows stored now."""
    return preview_measurements(imp.rows, import_store.current_rows(db, imp.pairs()))


def apply_measurement_import(db, imp, **kwargs):
    """The store's apply with the domain's diff passed in, as the service passes it."""
    return import_store.apply_measurement_import(db, imp, diff=preview_measurements, **kwargs)


def apply_engagement_import(db, imp, **kwargs):
    """The store's apply with the domain's checks passed in, as the service passes them."""
    return import_store.apply_engagement_import(
        db, imp, check_stakeholder=validate_stakeholder, check_event=validate_event, **kwargs
    )


def snapshot(db) -> dict[str, str]:
    """A content hash of every table: 'unchanged' means every row of every table."""
    out = {}
    for name in table_names(db):
        df = read_stored_table(db, name)
        df = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
        out[name] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    return out


def checked(db, text: str, name: str = "upload.csv"):
    table = read_table(text.encode("utf-8"), name)
    return validate_measurements(table, measures(db), regions(db), icbs(db), today=TODAY)


def m08_rows(geo: str = ICB, months: int = 12, start: int = 2024, bump: int = 0) -> str:
    lines = []
    for i in range(months):
        y, m = start + (3 + i) // 12, (3 + i) % 12 + 1
        lines.append(f"M08,{geo},{y}-{m:02d}-01,{10 + i + bump},150,\n")
    return HEADER + "".join(lines)


def test_apply_replaces_the_illustrative_series_and_clears_the_flag(fresh_seeded_db):
    db = fresh_seeded_db
    before_pair = db.scalar(
        "SELECT count(*) FROM measurements WHERE measure_code='M08' AND geo_code=?", [ICB]
    )
    others = db.df(
        "SELECT * FROM measurements WHERE NOT (measure_code='M08' AND geo_code=?) "
        "ORDER BY measure_code, geo_code, period",
        [ICB],
    )
    imp = checked(db, m08_rows())
    expected = preview(db, imp)
    assert expected.counts["replaced"] == 12
    assert expected.counts["illustrative_removed"] == before_pair - 12
    counts = apply_measurement_import(
        db, imp, actor="Asha Patel", reason="ESR extract Oct", file_sha256="abc"
    )
    assert counts["written"] == 12 and counts["replaced"] == 12
    stored = db.df(
        "SELECT * FROM measurements WHERE measure_code='M08' AND geo_code=? ORDER BY period", [ICB]
    )
    assert len(stored) == 12 and not stored["illustrative"].any()
    assert stored["value"].round(6).tolist() == [round(100 * (10 + i) / 150, 6) for i in range(12)]
    # Every other series is exactly as it was.
    pd.testing.assert_frame_equal(
        others,
        db.df(
            "SELECT * FROM measurements WHERE NOT (measure_code='M08' AND geo_code=?) "
            "ORDER BY measure_code, geo_code, period",
            [ICB],
        ),
    )
    audit = db.df("SELECT * FROM audit_log WHERE action = 'import'")
    assert len(audit) == 1
    row = audit.iloc[0]
    assert (row.actor, row.entity, row.entity_id, row.reason) == (
        "Asha Patel",
        "measurements",
        "upload.csv",
        "ESR extract Oct",
    )
    before, after = json.loads(row.before_json), json.loads(row.after_json)
    assert before["rows_replaced"] == 12 and len(before["replaced_values"]) == 12
    assert before["replaced_values"][0]["illustrative"] is True
    assert after["rows_written"] == 12 and after["series"] == [f"M08/{ICB}"]


def test_reimport_keeps_earlier_real_rows_and_replaces_the_same_periods(fresh_seeded_db):
    db = fresh_seeded_db
    apply_measurement_import(db, checked(db, m08_rows(months=12)), actor="A")
    later = checked(db, m08_rows(months=6, start=2025, bump=50))
    p = preview(db, later)
    assert p.counts["added"] == 6 and p.counts["illustrative_removed"] == 0
    apply_measurement_import(db, later, actor="A")
    assert (
        db.scalar(
            "SELECT count(*) FROM measurements WHERE measure_code='M08' AND geo_code=?", [ICB]
        )
        == 18
    )


def test_the_diff_is_retaken_on_the_rows_stored_when_the_import_is_written(fresh_seeded_db):
    """A preview taken before another import landed is not what the audit records: the
    store runs the diff it is given inside its own transaction, on the rows stored then."""
    db = fresh_seeded_db
    later = checked(db, m08_rows(bump=40), "later.csv")
    stale = preview(db, later).counts
    assert stale["illustrative_removed"] > 0  # against the illustrative history
    apply_measurement_import(db, checked(db, m08_rows(), "first.csv"), actor="A")
    counts = apply_measurement_import(db, later, actor="B")
    assert counts["replaced"] == 12 and counts["illustrative_removed"] == 0
    assert counts != {**stale, "written": 12}
    before = json.loads(
        db.scalar("SELECT before_json FROM audit_log WHERE entity_id = 'later.csv'")
    )
    assert before["illustrative_rows_removed"] == 0
    assert {r["illustrative"] for r in before["replaced_values"]} == {False}  # first.csv's


def test_unchanged_database_when_the_file_has_errors(fresh_seeded_db):
    db = fresh_seeded_db
    before = snapshot(db)
    bad = checked(db, m08_rows() + f"M08,{ICB},2024-04-01,1,150,\n")
    assert not bad.ok
    with pytest.raises(ImportRefused, match="1 problems to fix"):
        apply_measurement_import(db, bad, actor="A")
    with pytest.raises(ImportRefused, match="Sign in"):
        apply_measurement_import(db, checked(db, m08_rows()), actor="  ")
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (random.Random(11).randbytes(20_000), "measurements.csv", "not readable text"),
        (b"PK\x03\x04" + random.Random(3).randbytes(2000), "m.xlsx", "damaged or incomplete"),
        (
            HEADER.encode() + f"M08,{ICB},2024-04-01,12,150,8.0\n".encode() * 1_000_000,
            "million.csv",
            "the limit is 20 MB",
        ),
        (b"", "empty.csv", "empty"),
    ],
    ids=["garbage-csv", "truncated-xlsx", "million-rows", "empty"],
)
def test_unreadable_files_give_a_message_and_change_nothing(fresh_seeded_db, data, name, message):
    db = fresh_seeded_db
    before = snapshot(db)
    with pytest.raises(ImportFileError) as err:
        read_table(data, name)
    assert message in str(err.value)
    assert snapshot(db) == before


def test_real_truncated_template_changes_nothing(fresh_seeded_db):
    from nlf_planner.exports_tables import to_xlsx_bytes

    db = fresh_seeded_db
    before = snapshot(db)
    frame = read_table(m08_rows().encode(), "x.csv").df
    data = to_xlsx_bytes({"measurements": frame})
    with pytest.raises(ImportFileError, match="damaged or incomplete"):
        read_table(data[: len(data) * 2 // 3], "measurements.xlsx")
    assert snapshot(db) == before


def test_sql_like_and_html_text_is_stored_literally(fresh_seeded_db):
    db = fresh_seeded_db
    actor = "Robert'); DROP TABLE measurements;--"
    reason = "<script>alert('x')</script> & <b>bold</b>"
    name = "'; DELETE FROM audit_log; --.csv"
    imp = checked(db, m08_rows(), name=name)
    apply_measurement_import(db, imp, actor=actor, reason=reason)
    row = db.df("SELECT actor, reason, entity_id FROM audit_log WHERE action='import'").iloc[0]
    assert (row.actor, row.reason, row.entity_id) == (actor, reason, name)
    assert db.scalar("SELECT count(*) FROM measurements") > 1000  # the table is still there


def test_two_sessions_importing_at_once_both_land_whole(fresh_seeded_db):
    db = fresh_seeded_db
    first = checked(db, m08_rows(ICB), "first.csv")
    second = checked(db, m08_rows(OTHER_ICB, bump=5), "second.csv")
    overlap = checked(db, m08_rows(ICB, bump=90), "overlap.csv")
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run(imp):
        try:
            barrier.wait()
            apply_measurement_import(db, imp, actor=imp.source_name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in (first, second, overlap)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action='import'") == 3
    for geo in (ICB, OTHER_ICB):
        rows = db.df(
            "SELECT numerator, illustrative FROM measurements WHERE measure_code='M08' "
            "AND geo_code=? ORDER BY period",
            [geo],
        )
        assert len(rows) == 12 and not rows["illustrative"].any()
    # ICB got two whole imports; whichever committed last wins for every row, never a mix.
    nums = db.df(
        "SELECT numerator FROM measurements WHERE measure_code='M08' AND geo_code=? "
        "ORDER BY period",
        [ICB],
    )["numerator"].tolist()
    assert nums in ([10.0 + i for i in range(12)], [100.0 + i for i in range(12)])


_KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from nlf_planner.imports import preview_measurements, read_table, validate_measurements
    from nlf_planner.store import open_database
    from nlf_planner.store.imports import apply_measurement_import, write_measurement_import
    from nlf_planner.store.reference import icbs, measures, regions

    db = open_database(sys.argv[1])
    imp = validate_measurements(read_table(open(sys.argv[2], "rb").read(), "big.csv"),
                                measures(db), regions(db), icbs(db), today=date(2026, 11, 30))
    assert imp.ok, imp.errors[:3]
    if sys.argv[3] == "pause":
        with db.transaction() as cur:
            write_measurement_import(cur, imp, diff=preview_measurements, actor="killed")
            print("WRITTEN", flush=True)
            time.sleep(60)
    else:
        print("START", flush=True)
        apply_measurement_import(db, imp, diff=preview_measurements, actor="killed")
        print("DONE", flush=True)
    """
)


def _big_file(db, path: Path) -> int:
    """Every ICB's M10 (monthly) history, replaced with new values: thousands of rows."""
    df = db.df(
        "SELECT measure_code, geo_code, period, numerator, denominator FROM measurements "
        "WHERE measure_code IN ('M10', 'M08') AND geo_code LIKE 'E54%'"
    )
    df["numerator"] = (df["denominator"] * 0.5).round()
    df["period"] = pd.to_datetime(df["period"]).dt.strftime("%Y-%m-%d")
    df.to_csv(path, index=False)
    return len(df)


@pytest.mark.parametrize("mode", ["pause", "race"])
def test_a_process_killed_mid_import_leaves_all_or_none(fresh_seeded_db_path, tmp_path, mode):
    db = open_database(fresh_seeded_db_path)
    n = _big_file(db, tmp_path / "big.csv")
    before = snapshot(db)
    db.close()
    script = tmp_path / "kill_import.py"
    script.write_text(_KILL_SCRIPT)
    outcomes = []
    for attempt in range(3 if mode == "race" else 1):
        proc = subprocess.Popen(
            [
                sys.executable,
                str(script),
                str(fresh_seeded_db_path),
                str(tmp_path / "big.csv"),
                mode,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = proc.stdout.readline().strip()
        assert line in ("WRITTEN", "START"), proc.stderr.read()
        if mode == "race":
            time.sleep(random.Random(attempt).uniform(0.0, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        db = open_database(fresh_seeded_db_path)  # the file opens afterwards
        try:
            real = db.scalar("SELECT count(*) FROM measurements WHERE NOT illustrative")
            audits = db.scalar("SELECT count(*) FROM audit_log WHERE action='import'")
            if real == 0:
                assert audits == 0 and snapshot(db) == before
                outcomes.append("none")
            else:
                assert real == n and audits == 1
                outcomes.append("all")
        finally:
            db.close()
        if outcomes[-1] == "all":
            break
    if mode == "pause":
        assert outcomes == ["none"]  # killed before COMMIT: nothing of it survives


# --- engagement imports (and, for literal text, plan imports) ----------------------------------


def test_stakeholder_and_event_imports_validate_and_write_in_one_transaction(fresh_seeded_db):
    from nlf_planner.imports import validate_events, validate_stakeholders
    from nlf_planner.store import engagement as es
    from nlf_planner.store.imports import existing_stakeholders, stakeholder_ids_by_name

    db = fresh_seeded_db
    codes = es.reference_codes(db)
    existing = existing_stakeholders(db)
    taken = next(iter(existing.values()))[0]
    evil = "Robert'); DROP TABLE stakeholders;--"
    text = (
        f'name,group,region_code,interest,influence\n"{evil}",Provider,e40000007,4,5\n'
        "<script>alert(1)</script>,Network,,2,3\n"
    )
    imp = validate_stakeholders(read_table(text.encode(), "s.csv"), existing, codes)
    assert imp.ok
    before = db.scalar("SELECT count(*) FROM stakeholders")
    ids = apply_engagement_import(db, imp, actor="Asha")
    assert db.scalar("SELECT count(*) FROM stakeholders") == before + 2
    assert db.scalar("SELECT name FROM stakeholders WHERE stakeholder_id = ?", [ids[0]]) == evil
    # A duplicate name (in the store or twice in the file) is refused with its row.
    dup = validate_stakeholders(
        read_table(
            f"name,group,interest,influence\n{taken},Provider,3,3\nX,Provider,3,3\n"
            "x ,Provider,3,3\n".encode(),
            "s.csv",
        ),
        existing_stakeholders(db),
        codes,
    )
    assert sorted((i.row, i.column) for i in dup.errors) == [(2, "name"), (4, "name")]
    ev = validate_events(
        read_table(
            b"event_date,title,event_type,priority_areas,stakeholders\n"
            b'14/06/2026,Reference group,Workshop,"p3, P4",<script>alert(1)</script>\n'
            b"2026-06-21,Staff event,Party,,Nobody\n",
            "e.csv",
        ),
        stakeholder_ids_by_name(db),
        codes,
    )
    assert sorted((i.row, i.column) for i in ev.errors) == [(3, "event_type"), (3, "stakeholders")]
    snap = snapshot(db)
    with pytest.raises(ImportRefused):
        apply_engagement_import(db, ev, actor="Asha")
    assert snapshot(db) == snap
    ok = validate_events(
        read_table(
            b"event_date,title,event_type,priority_areas,stakeholders\n"
            b'14/06/2026,Reference group,Workshop,"p3, P4",<script>alert(1)</script>\n',
            "e.csv",
        ),
        stakeholder_ids_by_name(db),
        codes,
    )
    (event_id,) = apply_engagement_import(db, ok, actor="Asha")
    assert es.event(db, event_id).stakeholder_ids == [ids[1]]
    assert es.event(db, event_id).priority_areas == ["P3", "P4"]


EVIL = [
    "Robert'); DROP TABLE stakeholders;--",
    "<script>alert(document.cookie)</script>",
    '=HYPERLINK("http://evil.example","x")',
    "' OR '1'='1",
]


@pytest.mark.parametrize("evil", EVIL)
def test_every_text_field_is_stored_literally(fresh_seeded_db, evil):
    import csv
    import io

    from nlf_planner.exports_tables import to_csv_bytes
    from nlf_planner.imports import (
        validate_events,
        validate_plan_milestones,
        validate_stakeholders,
    )
    from nlf_planner.services.data_transfer.import_kinds import apply_plan_import
    from nlf_planner.store import engagement as es
    from nlf_planner.store.imports import existing_stakeholders, stakeholder_ids_by_name
    from nlf_planner.store.plans import load_plan
    from nlf_planner.store.reference import priority_areas

    def file(rows: list[dict]) -> bytes:
        # Written the way our own export writes it (formula-safe), then read back.
        return to_csv_bytes(pd.DataFrame(rows))

    db = fresh_seeded_db
    codes = es.reference_codes(db)
    s = validate_stakeholders(
        read_table(
            file(
                [
                    {
                        "name": evil,
                        "group": "Provider",
                        "interest": 3,
                        "influence": 4,
                        "owner": evil,
                        "next_step": evil,
                    }
                ]
            ),
            "s.csv",
        ),
        existing_stakeholders(db),
        codes,
    )
    assert s.ok, s.errors
    (sid,) = apply_engagement_import(db, s, actor=evil, reason=evil)
    row = db.rows(
        "SELECT name, owner, next_step, updated_by FROM stakeholders WHERE stakeholder_id = ?",
        [sid],
    )[0]
    assert row == (evil, evil, evil, evil)
    e = validate_events(
        read_table(
            file(
                [
                    {
                        "event_date": "2026-06-14",
                        "title": evil,
                        "event_type": "Workshop",
                        "audience": evil,
                        "outcome": evil,
                        "actions": evil,
                        "stakeholders": evil if ";" not in evil else "",
                    }
                ]
            ),
            "e.csv",
        ),
        stakeholder_ids_by_name(db),
        codes,
    )
    assert e.ok, e.errors
    (eid,) = apply_engagement_import(db, e, actor=evil)
    assert db.rows(
        "SELECT title, audience, outcome, actions FROM engagement_events WHERE event_id = ?", [eid]
    )[0] == (evil, evil, evil, evil)
    plan = load_plan(db)
    due = date(plan.base_year + 1, 3, 1).isoformat()
    m = validate_plan_milestones(
        read_table(
            file(
                [
                    {
                        "priority_area": "P5",
                        "title": evil,
                        "description": evil,
                        "horizon": 1,
                        "due_date": due,
                        "owner": evil,
                        "status": "On track",
                    }
                ]
            ),
            "m.csv",
        ),
        plan.base_year,
        [a.code for a in priority_areas(db)],
        measures(db),
    )
    assert m.ok, m.errors
    saved = apply_plan_import(db, m, actor=evil, note=evil)
    mine = [x for x in saved.milestones if x.title == evil]
    assert len(mine) == 1 and mine[0].description == evil and mine[0].owner == evil
    # The audit log keeps the person and reason literally, and its CSV export is formula-safe.
    log = db.df("SELECT actor, reason FROM audit_log WHERE action = 'import'")
    assert (log["actor"] == evil).all()
    exported = list(csv.reader(io.StringIO(to_csv_bytes(log).decode("utf-8-sig"))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in exported for cell in r)
    assert db.scalar("SELECT count(*) FROM stakeholders") > 1  # every table still there


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_measurements_table_reimports_unchanged(fresh_seeded_db, fmt):
    from nlf_planner.exports_tables import table_export

    db = fresh_seeded_db
    stored = read_stored_table(db, "measurements")
    part = stored[stored["measure_code"].isin(["M04", "M08"])]  # a score and a percentage
    data, name, _ = table_export(part, "measurements", fmt)
    imp = validate_measurements(
        read_table(data, name), measures(db), regions(db), icbs(db), today=TODAY
    )
    assert imp.errors == []
    assert {i.column for i in imp.warnings} == {"illustrative", "loaded_at"}  # ignored
    p = preview(db, imp)
    assert p.counts["unchanged"] == len(part)
    assert p.counts["added"] == p.counts["replaced"] == p.counts["illustrative_removed"] == 0


_MONTHS = [date(2024, m, 1) for m in range(1, 13)]


@given(
    current=st.dictionaries(
        st.sampled_from(_MONTHS), st.tuples(st.integers(0, 150), st.booleans()), max_size=8
    ),
    incoming=st.dictionaries(st.sampled_from(_MONTHS), st.integers(0, 150), min_size=1, max_size=8),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_apply_matches_the_preview_and_the_replacement_rule(db, current, incoming):
    from nlf_planner.imports import MeasurementImport
    from nlf_planner.models import MEASUREMENT_FIELDS
    from nlf_planner.store.measurements import write_measurements

    def frame(rows):
        return pd.DataFrame(
            rows,
            columns=list(MEASUREMENT_FIELDS),
        )

    other = [("M08", OTHER_ICB, date(2024, 1, 1), 5.0, 150.0, 100 * 5 / 150, None, None, True)]
    rows = [
        ("M08", ICB, p, float(n), 150.0, 100 * n / 150, None, None, ill)
        for p, (n, ill) in current.items()
    ]

    def reset(cur):
        cur.execute("DELETE FROM measurements")
        write_measurements(cur, frame(rows + other))

    db.write(reset)
    inc = pd.DataFrame(
        [
            {
                "row": i + 2,
                "measure_code": "M08",
                "geo_code": ICB,
                "period": p,
                "numerator": float(n),
                "denominator": 150.0,
                "value": 100 * n / 150,
                "ci_low": float("nan"),
                "ci_high": float("nan"),
            }
            for i, (p, n) in enumerate(sorted(incoming.items()))
        ]
    )
    imp = MeasurementImport(inc, [], "prop.csv", len(inc))
    expected_preview = preview(db, imp).counts
    counts = apply_measurement_import(db, imp, actor="prop")
    assert {k: counts[k] for k in expected_preview} == expected_preview
    stored = db.df(
        "SELECT period, numerator, illustrative FROM measurements "
        "WHERE geo_code = ? ORDER BY period",
        [ICB],
    )
    got = {pd.Timestamp(p).date(): (n, ill) for p, n, ill in stored.itertuples(index=False)}
    want = {p: (float(n), False) for p, n in incoming.items()}
    want.update(
        {p: (float(n), False) for p, (n, ill) in current.items() if not ill and p not in incoming}
    )  # earlier real rows are kept
    assert got == want
    assert db.scalar("SELECT count(*) FROM measurements WHERE geo_code = ?", [OTHER_ICB]) == 1


def test_newer_real_data_move_the_as_of_month_on_never_back(fresh_seeded_db):
    from nlf_planner.store.measurements import get_meta

    db = fresh_seeded_db
    assert get_meta(db, "data_as_of") == "2026-10-01"
    apply_measurement_import(db, checked(db, m08_rows()), actor="A")  # 2024 only
    assert get_meta(db, "data_as_of") == "2026-10-01"
    newer = checked(db, HEADER + f"M08,{ICB},2026-11-01,12,150,\n")
    apply_measurement_import(db, newer, actor="A")
    assert get_meta(db, "data_as_of") == "2026-11-01"


def test_a_driver_failure_is_a_readable_store_error_and_writes_nothing(fresh_seeded_db):
    from nlf_planner.store import StoreError

    db = fresh_seeded_db
    imp = checked(db, m08_rows())
    # A write the database itself refuses (here: an audit table it can no longer find).
    db.write(lambda cur: cur.execute("ALTER TABLE audit_log RENAME TO audit_log_gone"))
    before = db.scalar("SELECT count(*) FROM measurements WHERE NOT illustrative")
    with pytest.raises(StoreError, match="could not be written .*nothing was changed"):
        apply_measurement_import(db, imp, actor="A")
    assert db.scalar("SELECT count(*) FROM measurements WHERE NOT illustrative") == before == 0
