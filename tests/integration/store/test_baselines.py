"""Fixed SPC baselines in the store (both backends): one per chart and segment, soft-deleted
with a reason, audited in the same transaction. The rules a fix must meet are the service's
(tests/integration/services/test_baselines.py) and the domain's (tests/unit/test_baselines.py).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from nlf_planner.store.annotations import (
    AnnotationNotFound,
    BaselineExists,
    RebaseGone,
    RebaseHasBaseline,
    add_baseline,
    add_rebase,
    all_baselines,
    baselines_for,
    remove_baseline,
    remove_rebase,
)
from nlf_planner.store.audit import audit_log

ICB = "E54000027"
OTHER_ICB = "E54000028"


def _fix(db, **overrides) -> int:
    args = {
        "actor": "Ada",
        "measure_code": "M10",
        "geo_code": ICB,
        "segment_start": None,
        "n_points": None,
        "until_period": date(2016, 11, 1),
        "reason": "Before the framework's launch",
        **overrides,
    }
    return add_baseline(db, **args)


def test_a_fix_is_stored_with_its_audit_row_and_read_back_as_dates(db):
    a = _fix(db)
    wide = _fix(db, geo_code=None, until_period=None, n_points=12, reason="Every ICB")
    rows = baselines_for(db, "M10", ICB)
    assert rows.baseline_id.tolist() == [wide, a]  # measure-wide first within a segment
    assert rows.geo_code.tolist() == [None, ICB]
    assert rows.n_points.tolist() == [12, None]
    assert rows.until_period.tolist() == [None, date(2016, 11, 1)]
    assert rows.segment_start.tolist() == [None, None]
    assert baselines_for(db, "M10", OTHER_ICB).baseline_id.tolist() == [wide]
    assert baselines_for(db, "M08", ICB).empty
    log = audit_log(db, entity="spc_baseline")
    assert len(log) == 2 and set(log.action) == {"add"}
    first = log[log.entity_id == str(a)].iloc[0]
    after = json.loads(first.after_json)
    assert after == {
        "measure_code": "M10",
        "geo_code": ICB,
        "segment_start": None,
        "n_points": None,
        "until_period": "2016-11-01",
        "reason": "Before the framework's launch",
    }
    assert first.actor == "Ada" and first.reason == "Before the framework's launch"


def test_one_fix_per_chart_and_segment_is_rechecked_in_the_transaction(db):
    _fix(db)
    with pytest.raises(BaselineExists) as taken:
        _fix(db, n_points=6, until_period=None)
    assert taken.value.segment_start is None
    _fix(db, geo_code=None)  # a measure-wide fix of the same segment may coexist
    with pytest.raises(BaselineExists):
        _fix(db, geo_code=None)
    add_rebase(
        db, actor="Ada", measure_code="M10", geo_code=ICB, period=date(2021, 3, 1), reason="New"
    )
    _fix(db, segment_start=date(2021, 3, 1), until_period=date(2021, 12, 1))
    with pytest.raises(RebaseGone):  # the segment must start at a rebase of this chart
        _fix(db, segment_start=date(2022, 3, 1), until_period=date(2022, 12, 1))
    assert len(all_baselines(db)) == 3
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'spc_baseline'") == 3


def test_removal_is_a_soft_delete_with_its_reason_and_frees_the_segment(db):
    a = _fix(db)
    seen = []
    remove_baseline(db, a, actor="Bo", reason="Entered in error", allowed=seen.append)
    assert seen == [ICB]
    assert baselines_for(db, "M10", ICB).empty and all_baselines(db).empty
    row = db.rows("SELECT deleted, removed_reason FROM spc_baselines WHERE baseline_id = ?", [a])
    assert row == [(True, "Entered in error")]
    log = audit_log(db, entity="spc_baseline")
    log = log[log.action == "delete"]
    assert len(log) == 1 and log.reason.iloc[0] == "Entered in error"
    assert log.actor.iloc[0] == "Bo"
    with pytest.raises(AnnotationNotFound, match="already removed"):
        remove_baseline(db, a, actor="Bo", reason="Again")
    _fix(db)  # the segment is free again


def test_a_refused_removal_changes_nothing(db):
    a = _fix(db)

    def refuse(geo):
        raise PermissionError(geo)

    with pytest.raises(PermissionError):
        remove_baseline(db, a, actor="Bo", reason="Not mine", allowed=refuse)
    assert baselines_for(db, "M10", ICB).baseline_id.tolist() == [a]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'delete'") == 0


def test_a_rebase_whose_segment_is_fixed_is_not_removed_until_the_fix_is(db):
    when = date(2021, 3, 1)
    r = add_rebase(db, actor="Ada", measure_code="M10", geo_code=ICB, period=when, reason="New")
    fix = _fix(db, segment_start=when, until_period=date(2021, 12, 1))
    with pytest.raises(RebaseHasBaseline) as refused:
        remove_rebase(db, r, actor="Bo", reason="Withdrawn")
    assert refused.value.period == when
    assert db.scalar("SELECT count(*) FROM spc_rebases WHERE deleted") == 0
    remove_baseline(db, fix, actor="Bo", reason="Withdrawn with its rebase")
    remove_rebase(db, r, actor="Bo", reason="Withdrawn")
    assert db.scalar("SELECT count(*) FROM spc_rebases WHERE deleted") == 1
