"""Annotations and rebases in the store: soft-deleted, and audited in the same transaction.

The rules (required text, dates, known codes, a reason for every rebase) are checked by the
annotations service: see tests/integration/services/test_annotations.py and
tests/unit/test_annotations.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner.store.annotations import (
    AnnotationNotFound,
    RebaseExists,
    add_annotation,
    add_rebase,
    all_rebases,
    annotations_for,
    delete_annotation,
    rebase_reasons,
    rebases_for,
    rebases_version,
    remove_rebase,
)
from nlf_planner.store.audit import audit_log

REGION = "E40000003"  # London
ICB = "E54000027"


def test_add_and_list_annotations_including_app_wide_ones(db):
    a = add_annotation(
        db,
        actor="Ada",
        period=date(2019, 4, 1),
        text="Programme launched",
        measure_code="M10",
        geo_code=REGION,
    )
    b = add_annotation(db, actor="Ada", period=date(2020, 3, 1), text="Pandemic response")
    add_annotation(
        db,
        actor="Ada",
        period=date(2021, 1, 1),
        text="Other chart",
        measure_code="M08",
        geo_code=REGION,
    )
    notes = annotations_for(db, "M10", REGION)
    assert list(notes.annotation_id) == [a, b]
    assert notes.period.iloc[0] == date(2019, 4, 1)
    log = audit_log(db, entity="annotation")
    assert len(log) == 3 and set(log.actor) == {"Ada"}
    assert "Programme launched" in log.after_json.iloc[-1]


def test_delete_annotation_is_soft_and_audited(db):
    a = add_annotation(
        db, actor="Ada", period=date(2019, 4, 1), text="x", measure_code="M10", geo_code=REGION
    )
    delete_annotation(db, a, actor="Bo", reason="duplicate")
    assert annotations_for(db, "M10", REGION).empty
    assert db.scalar("SELECT count(*) FROM annotations WHERE deleted") == 1
    log = audit_log(db, entity="annotation", actor="Bo")
    assert log.action.iloc[0] == "delete" and log.reason.iloc[0] == "duplicate"
    with pytest.raises(AnnotationNotFound, match="already removed"):
        delete_annotation(db, a, actor="Bo")
    assert len(audit_log(db, entity="annotation")) == 2


def test_a_change_without_a_person_is_rolled_back_with_its_audit_row(db):
    with pytest.raises(ValueError, match="needs a person"):
        add_annotation(db, actor=" ", period=date(2020, 1, 1), text="x")
    assert db.scalar("SELECT count(*) FROM annotations") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_rebases_are_audited_and_one_per_chart_and_date(db):
    version = rebases_version(db)
    r = add_rebase(
        db,
        actor="Ada",
        measure_code="M10",
        geo_code=ICB,
        period=date(2020, 1, 1),
        reason="New training standard",
    )
    assert rebases_version(db) != version
    with pytest.raises(RebaseExists, match="already exists") as refused:
        add_rebase(
            db,
            actor="Ada",
            measure_code="M10",
            geo_code=ICB,
            period=date(2020, 1, 1),
            reason="again",
        )
    assert refused.value.period == date(2020, 1, 1)
    add_rebase(
        db,
        actor="Ada",
        measure_code="M08",
        geo_code="E92000001",
        period=date(2021, 6, 1),
        reason="Definition changed",
    )
    assert list(rebases_for(db, "M10", ICB).period) == [date(2020, 1, 1)]
    assert rebase_reasons(db, "M10", ICB) == {date(2020, 1, 1): "New training standard (Ada)"}
    assert all_rebases(db) == {
        ("M10", ICB): [date(2020, 1, 1)],
        ("M08", "E92000001"): [date(2021, 6, 1)],
    }
    remove_rebase(db, r, actor="Bo", reason="Entered in error")
    assert rebases_for(db, "M10", ICB).empty
    with pytest.raises(AnnotationNotFound, match="already removed"):
        remove_rebase(db, r, actor="Bo", reason="twice")
    log = audit_log(db, entity="spc_rebase")
    assert list(log.action) == ["delete", "add", "add"]
    assert log.reason.iloc[-1] == "New training standard"
