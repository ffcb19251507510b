"""Annotations and rebases: validated, soft-deleted, and audited in the same transaction."""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner.store.annotations import (
    AnnotationError,
    add_annotation,
    add_rebase,
    all_rebases,
    annotations_for,
    delete_annotation,
    rebases_for,
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
    with pytest.raises(AnnotationError, match="already removed"):
        delete_annotation(db, a, actor="Bo")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"actor": "", "text": "x"}, "your name"),
        ({"actor": "Ada", "text": "  "}, "cannot be empty"),
        ({"actor": "Ada", "text": "x" * 201}, "keep it to 200"),
        ({"actor": "Ada", "text": "x", "period": date(2010, 1, 1)}, "on or after"),
        ({"actor": "Ada", "text": "x", "measure_code": "M99"}, "Unknown measure"),
        ({"actor": "Ada", "text": "x", "geo_code": "E99999999"}, "Unknown region"),
    ],
)
def test_invalid_annotations_are_refused_and_nothing_is_written(db, kwargs, message):
    args = {"period": date(2020, 1, 1), **kwargs}
    with pytest.raises(AnnotationError, match=message):
        add_annotation(db, **args)
    assert db.scalar("SELECT count(*) FROM annotations") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_rebases_need_a_reason_and_are_audited(db):
    with pytest.raises(AnnotationError, match="reason"):
        add_rebase(
            db, actor="Ada", measure_code="M10", geo_code=ICB, period=date(2020, 1, 1), reason=""
        )
    r = add_rebase(
        db,
        actor="Ada",
        measure_code="M10",
        geo_code=ICB,
        period=date(2020, 1, 1),
        reason="New training standard",
    )
    with pytest.raises(AnnotationError, match="already a rebase"):
        add_rebase(
            db,
            actor="Ada",
            measure_code="M10",
            geo_code=ICB,
            period=date(2020, 1, 1),
            reason="again",
        )
    add_rebase(
        db,
        actor="Ada",
        measure_code="M08",
        geo_code="E92000001",
        period=date(2021, 6, 1),
        reason="Definition changed",
    )
    assert list(rebases_for(db, "M10", ICB).period) == [date(2020, 1, 1)]
    assert all_rebases(db) == {
        ("M10", ICB): [date(2020, 1, 1)],
        ("M08", "E92000001"): [date(2021, 6, 1)],
    }
    remove_rebase(db, r, actor="Bo", reason="Entered in error")
    assert rebases_for(db, "M10", ICB).empty
    log = audit_log(db, entity="spc_rebase")
    assert list(log.action) == ["delete", "add", "add"]
    assert log.reason.iloc[-1] == "New training standard"
