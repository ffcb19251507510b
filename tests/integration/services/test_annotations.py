"""The annotations service against real DuckDB files: who may write, the rules checked
before anything is written, the audit record, and rebases reaching the regions model."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import audit as audit_service
from nlf_planner.services import regions_view
from nlf_planner.services.actor import Actor, Role, local_actor
from nlf_planner.services.database import open_store
from nlf_planner.services.errors import (
    NotAllowed,
    NotFound,
    NotSignedIn,
    ReadOnly,
    ValidationFailed,
)
from nlf_planner.services.measurements import all_series
from nlf_planner.store.plans import load_plan
from tests.db_holders import held_by_other_process

REGION = "E40000003"  # London
ICB = "E54000027"
ADA = local_actor("  Ada   Lovelace ")
VIEWER = Actor(id="sso:viewer", display_name="Vera Viewer", roles=frozenset({Role.VIEWER}))
EDITOR = Actor(id="sso:editor", display_name="Ed Editor", roles=frozenset({Role.EDITOR}))
MANAGER = Actor(id="sso:dm", display_name="Dana Data", roles=frozenset({Role.DATA_MANAGER}))


def _counts(db) -> tuple[int, int, int]:
    return (
        db.scalar("SELECT count(*) FROM annotations"),
        db.scalar("SELECT count(*) FROM spc_rebases"),
        db.scalar("SELECT count(*) FROM audit_log"),
    )


def _note(db, actor, **overrides):
    args = {"period": date(2020, 1, 1), "text": "Programme launched", **overrides}
    return annotation_service.add_note(db, actor, **args)


def _rebase(db, actor, **overrides):
    args = {
        "measure_code": "M10",
        "geo_code": ICB,
        "period": date(2020, 1, 1),
        "reason": "New training standard",
        **overrides,
    }
    return annotation_service.add_rebase(db, actor, **args)


def test_a_note_is_saved_with_the_actors_display_name_and_audited(db):
    a = _note(db, ADA, text="  Programme launched ", measure_code="M10", geo_code=REGION)
    b = _note(db, MANAGER, period=date(2021, 3, 1), text="Pandemic response")
    notes = annotation_service.notes_for(db, "M10", REGION)
    assert list(notes.annotation_id) == [a, b]
    assert notes.text.iloc[0] == "Programme launched"  # stored without surrounding spaces
    assert list(notes.author) == ["Ada Lovelace", "Dana Data"]
    log = audit_service.audit_log(db, entity="annotation")
    assert sorted(log.actor) == ["Ada Lovelace", "Dana Data"]
    assert annotation_service.notes_for(db, "M08", ICB).annotation_id.tolist() == [b]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "  "}, "cannot be empty"),
        ({"text": "x" * 201}, "keep it to 200"),
        ({"period": date(2010, 1, 1)}, "on or after"),
        ({"period": None}, "Choose a date"),
        ({"measure_code": "M99"}, "Unknown measure"),
        ({"geo_code": "E99999999"}, "Unknown region"),
    ],
)
def test_invalid_notes_are_refused_and_nothing_is_written(db, overrides, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        _note(db, ADA, **overrides)
    assert refused.value.issues and message in refused.value.issues[0].message
    assert _counts(db) == (0, 0, 0)


@pytest.mark.parametrize(
    ("actor", "error", "message"),
    [
        (None, NotSignedIn, "Sign in"),
        (local_actor("   "), NotSignedIn, "Sign in"),
        (VIEWER, NotAllowed, "data manager role"),
        (EDITOR, NotAllowed, "data manager role"),
    ],
)
def test_only_a_known_data_manager_may_write_and_refusals_write_nothing(db, actor, error, message):
    with pytest.raises(error, match=message):
        _note(db, actor)
    with pytest.raises(error, match=message):
        _rebase(db, actor)
    assert _counts(db) == (0, 0, 0)
    kept = _note(db, ADA, measure_code="M10", geo_code=REGION)
    rebase = _rebase(db, ADA)
    with pytest.raises(error, match=message):
        annotation_service.delete_note(db, actor, kept)
    with pytest.raises(error, match=message):
        annotation_service.remove_rebase(db, actor, rebase, reason="Entered in error")
    assert _counts(db) == (1, 1, 2)
    assert db.scalar("SELECT count(*) FROM annotations WHERE deleted") == 0


def test_deleting_a_note_is_audited_and_a_second_delete_is_not_found(db):
    a = _note(db, ADA, measure_code="M10", geo_code=REGION)
    annotation_service.delete_note(db, MANAGER, a, reason=" duplicate ")
    assert annotation_service.notes_for(db, "M10", REGION).empty
    log = audit_service.audit_log(db, entity="annotation", who="Dana Data")
    assert log.action.iloc[0] == "delete" and log.reason.iloc[0] == "duplicate"
    with pytest.raises(NotFound, match="already removed"):
        annotation_service.delete_note(db, MANAGER, a)
    assert _counts(db) == (1, 0, 2)


def test_a_rebase_needs_a_reason_one_per_date_and_a_reason_to_remove(db):
    with pytest.raises(ValidationFailed, match="reason for the rebase"):
        _rebase(db, ADA, reason="   ")
    with pytest.raises(ValidationFailed, match="Unknown measure"):
        _rebase(db, ADA, measure_code="M99")
    assert _counts(db) == (0, 0, 0)
    r = _rebase(db, ADA)
    with pytest.raises(ValidationFailed, match="already a rebase at 1 Jan 2020"):
        _rebase(db, ADA, reason="again")
    assert annotation_service.rebases_for(db, "M10", ICB).period.tolist() == [date(2020, 1, 1)]
    assert annotation_service.rebase_reasons(db, "M10", ICB) == {
        date(2020, 1, 1): "New training standard (Ada Lovelace)"
    }
    with pytest.raises(ValidationFailed, match="removing the rebase"):
        annotation_service.remove_rebase(db, ADA, r, reason="")
    assert _counts(db) == (0, 1, 1)
    annotation_service.remove_rebase(db, MANAGER, r, reason="Entered in error")
    assert annotation_service.rebases_for(db, "M10", ICB).empty
    with pytest.raises(NotFound, match="already removed"):
        annotation_service.remove_rebase(db, MANAGER, r, reason="twice")
    log = audit_service.audit_log(db, entity="spc_rebase")
    assert list(log.action) == ["delete", "add"]
    assert list(log.actor) == ["Dana Data", "Ada Lovelace"]
    assert list(log.reason) == ["Entered in error", "New training standard"]


def test_a_rebase_changes_the_model_key_and_the_model(fresh_seeded_db):
    plan = load_plan(fresh_seeded_db)
    series = all_series(fresh_seeded_db, ["M08"])
    before_key = regions_view.model_key(fresh_seeded_db, plan)
    before = regions_view.build_regions_model(fresh_seeded_db, plan, series)
    assert before.result("M08", REGION).rebase_periods == ()
    version = annotation_service.rebases_version(fresh_seeded_db)
    when = date(2021, 4, 1)
    r = _rebase(fresh_seeded_db, ADA, measure_code="M08", geo_code=REGION, period=when)
    assert annotation_service.rebases_version(fresh_seeded_db) != version
    assert annotation_service.all_rebases(fresh_seeded_db) == {("M08", REGION): [when]}
    after_key = regions_view.model_key(fresh_seeded_db, plan)
    assert after_key != before_key
    after = regions_view.build_regions_model(fresh_seeded_db, plan, series)
    assert after.result("M08", REGION).rebase_periods == (when,)
    annotation_service.remove_rebase(fresh_seeded_db, ADA, r, reason="Entered in error")
    # the same rebases as at first, but a new data version (every audited change moves
    # it): a new key, never the stale one after the rebase, and the model as at first
    assert regions_view.model_key(fresh_seeded_db, plan) not in (before_key, after_key)
    again = regions_view.build_regions_model(fresh_seeded_db, plan, series)
    assert again.result("M08", REGION).rebase_periods == ()


def test_a_read_only_database_refuses_with_a_readable_message(seeded_db_path, tmp_path):
    path = tmp_path / "shared.duckdb"
    shutil.copy(seeded_db_path, path)
    with held_by_other_process(path, read_only=True):
        db = open_store(path)
        try:
            assert db.read_only
            with pytest.raises(ReadOnly, match="read-only"):
                _note(db, ADA, measure_code="M10", geo_code=REGION)
            with pytest.raises(ReadOnly, match="read-only"):
                _rebase(db, ADA)
            assert _counts(db)[:2] == (0, 0)
        finally:
            db.close()
