"""The fixed-baseline service against real databases (both backends): who may fix or
remove a baseline, the rules checked before anything is written, the audit row, the data
version moving, and the fixes reaching the regions model (a series' own fix wins)."""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner.baselines import FixedBaseline, for_series
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import audit as audit_service
from nlf_planner.services import regions_view
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.database import data_version
from nlf_planner.services.errors import NotAllowed, NotFound, ValidationFailed
from nlf_planner.services.measurements import all_series
from nlf_planner.store.annotations import add_baseline as store_add_baseline
from nlf_planner.store.plans import load_plan

LONDON = "E40000003"
ICB = "E54000027"  # in London
EAST_ICB = "E54000024"
MANAGER = Actor(id="sso:dm", display_name="Dana Data", roles=frozenset({Role.DATA_MANAGER}))
LONDON_DM = Actor(
    id="sso:ldm",
    display_name="Lee London",
    roles=frozenset({Role.DATA_MANAGER}),
    region_code=LONDON,
)
EDITOR = Actor(id="sso:ed", display_name="Ed Editor", roles=frozenset({Role.EDITOR}))
BEFORE_LAUNCH = FixedBaseline(None, until=date(2016, 11, 1))
WHY = "Before the framework's launch"


def _count(db) -> tuple[int, int]:
    return (
        db.scalar("SELECT count(*) FROM spc_baselines"),
        db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'spc_baseline'"),
    )


def _store_fix(db, geo, **fix) -> int:
    args = {"segment_start": None, "n_points": None, "until_period": None, **fix}
    return store_add_baseline(
        db, actor="Ada", measure_code="M10", geo_code=geo, reason="Why", **args
    )


def test_all_baselines_keys_fixes_by_chart_and_moves_with_the_data_version(db):
    assert annotation_service.all_baselines(db) == {}
    _store_fix(db, None, until_period=date(2016, 11, 1))
    _store_fix(db, ICB, n_points=12)
    fixes = annotation_service.all_baselines(db)  # the audit row moved the data version
    assert fixes == {
        ("M10", None): [FixedBaseline(None, until=date(2016, 11, 1))],
        ("M10", ICB): [FixedBaseline(None, points=12)],
    }
    fixes[("M10", ICB)].append(FixedBaseline(None, points=3))  # the caller's own copy
    assert annotation_service.all_baselines(db)[("M10", ICB)] == [FixedBaseline(None, points=12)]
    # the series' own fix wins; another series takes the measure-wide one
    assert for_series(fixes, "M10", EAST_ICB) == [FixedBaseline(None, until=date(2016, 11, 1))]
    assert for_series(annotation_service.all_baselines(db), "M10", ICB) == [
        FixedBaseline(None, points=12)
    ]
    assert for_series(fixes, "M08", ICB) == []


def test_a_fix_is_saved_audited_listed_and_moves_the_data_version(fresh_seeded_db):
    db = fresh_seeded_db
    version = data_version(db)
    own = annotation_service.add_baseline(db, MANAGER, "M10", ICB, BEFORE_LAUNCH, f"  {WHY} ")
    assert data_version(db) != version
    wide = annotation_service.add_baseline(
        db, MANAGER, "M10", None, FixedBaseline(None, points=12), "Every chart alike"
    )
    listed = annotation_service.baselines_for(db, "M10", ICB)
    assert listed.baseline_id.tolist() == [wide, own]
    assert listed.reason.tolist() == ["Every chart alike", WHY]  # stored trimmed
    assert listed.author.tolist() == ["Dana Data", "Dana Data"]
    assert annotation_service.baselines_for(db, "M10", EAST_ICB).baseline_id.tolist() == [wide]
    log = audit_service.audit_log(db, entity="spc_baseline")
    assert len(log) == 2 and set(log.actor) == {"Dana Data"}
    assert set(log.action) == {"add"}


def test_one_fix_per_chart_and_segment_and_the_rules_refuse_before_writing(fresh_seeded_db):
    db = fresh_seeded_db
    annotation_service.add_baseline(db, MANAGER, "M10", ICB, BEFORE_LAUNCH, WHY)
    with pytest.raises(ValidationFailed, match="This chart already has a fixed baseline"):
        annotation_service.add_baseline(db, MANAGER, "M10", ICB, FixedBaseline(None, points=9), WHY)
    with pytest.raises(ValidationFailed, match="cannot be empty"):
        annotation_service.add_baseline(db, MANAGER, "M10", EAST_ICB, BEFORE_LAUNCH, "  ")
    with pytest.raises(ValidationFailed, match="no such segment"):
        rebased = FixedBaseline(date(2021, 3, 1), points=12)
        annotation_service.add_baseline(db, MANAGER, "M10", EAST_ICB, rebased, WHY)
    with pytest.raises(ValidationFailed, match="takes 1 point"):
        early = FixedBaseline(None, until=date(2016, 4, 1))
        annotation_service.add_baseline(db, MANAGER, "M10", EAST_ICB, early, WHY)
    with pytest.raises(ValidationFailed, match="Unknown measure"):
        annotation_service.add_baseline(db, MANAGER, "M99", EAST_ICB, BEFORE_LAUNCH, WHY)
    with pytest.raises(NotAllowed, match="data manager role"):
        annotation_service.add_baseline(db, EDITOR, "M10", EAST_ICB, BEFORE_LAUNCH, WHY)
    assert _count(db) == (1, 1)


def test_a_rebased_segment_takes_its_own_fix(fresh_seeded_db):
    db = fresh_seeded_db
    when = date(2021, 4, 1)
    annotation_service.add_rebase(
        db, MANAGER, measure_code="M10", geo_code=ICB, period=when, reason="New standard"
    )
    annotation_service.add_baseline(db, MANAGER, "M10", ICB, BEFORE_LAUNCH, WHY)
    later = FixedBaseline(when, points=12)
    annotation_service.add_baseline(db, MANAGER, "M10", ICB, later, "Settled after the change")
    assert annotation_service.all_baselines(db) == {("M10", ICB): [BEFORE_LAUNCH, later]}
    with pytest.raises(ValidationFailed, match="inside the segment from the rebase of Apr 2021"):
        bad = FixedBaseline(when, until=date(2020, 1, 1))
        annotation_service.add_baseline(db, MANAGER, "M10", ICB, bad, WHY)


def test_removal_needs_a_reason_keeps_it_and_is_audited(fresh_seeded_db):
    db = fresh_seeded_db
    b = annotation_service.add_baseline(db, MANAGER, "M10", ICB, BEFORE_LAUNCH, WHY)
    with pytest.raises(ValidationFailed, match="removing the fixed baseline"):
        annotation_service.remove_baseline(db, MANAGER, b, " ")
    version = data_version(db)
    annotation_service.remove_baseline(db, MANAGER, b, "Entered in error")
    assert data_version(db) != version
    assert annotation_service.baselines_for(db, "M10", ICB).empty
    assert annotation_service.all_baselines(db) == {}
    assert db.rows("SELECT removed_reason FROM spc_baselines WHERE baseline_id = ?", [b]) == [
        ("Entered in error",)
    ]
    log = audit_service.audit_log(db, entity="spc_baseline")
    assert list(log.action) == ["delete", "add"]
    assert list(log.reason) == ["Entered in error", WHY]
    with pytest.raises(NotFound, match="already removed"):
        annotation_service.remove_baseline(db, MANAGER, b, "again")


def test_a_region_scoped_data_manager_fixes_only_their_regions_charts(fresh_seeded_db):
    db = fresh_seeded_db
    mine = annotation_service.add_baseline(db, LONDON_DM, "M10", ICB, BEFORE_LAUNCH, WHY)
    wide = annotation_service.add_baseline(db, MANAGER, "M08", None, BEFORE_LAUNCH, WHY)
    east = annotation_service.add_baseline(db, MANAGER, "M10", EAST_ICB, BEFORE_LAUNCH, WHY)
    counts = _count(db)
    with pytest.raises(NotAllowed, match="London"):  # every chart of a measure: England-level
        annotation_service.add_baseline(db, LONDON_DM, "M10", None, BEFORE_LAUNCH, WHY)
    with pytest.raises(NotAllowed, match="London"):
        annotation_service.add_baseline(db, LONDON_DM, "M08", EAST_ICB, BEFORE_LAUNCH, WHY)
    for other in (wide, east):
        with pytest.raises(NotAllowed, match="London"):
            annotation_service.remove_baseline(db, LONDON_DM, other, "Not needed")
    assert _count(db) == counts
    assert db.scalar("SELECT count(*) FROM spc_baselines WHERE deleted") == 0
    annotation_service.remove_baseline(db, LONDON_DM, mine, "Not needed")


def test_the_regions_model_uses_a_series_own_fix_over_the_measure_wide_one(fresh_seeded_db):
    db = fresh_seeded_db
    plan = load_plan(db)
    series = all_series(db, ["M10"])
    before = regions_view.build_regions_model(db, plan, series)
    assert not before.result("M10", ICB).fixed.any()
    annotation_service.add_baseline(db, MANAGER, "M10", None, BEFORE_LAUNCH, WHY)
    own = FixedBaseline(None, points=12)
    annotation_service.add_baseline(db, MANAGER, "M10", ICB, own, "Its own")
    model = regions_view.build_regions_model(db, plan, series)
    mine, other = model.result("M10", ICB), model.result("M10", EAST_ICB)
    assert mine.fixed_baselines == (own,) and int(mine.in_baseline.sum()) == 12
    assert other.fixed_baselines == (BEFORE_LAUNCH,) and int(other.in_baseline.sum()) == 8
    assert mine.fixed.all() and other.fixed.all()


def test_removing_a_rebase_whose_segment_is_fixed_says_to_remove_the_fix_first(fresh_seeded_db):
    db = fresh_seeded_db
    when = date(2021, 4, 1)
    r = annotation_service.add_rebase(
        db, MANAGER, measure_code="M10", geo_code=ICB, period=when, reason="New standard"
    )
    annotation_service.add_baseline(db, MANAGER, "M10", ICB, FixedBaseline(when, points=12), WHY)
    with pytest.raises(ValidationFailed, match="rebase of 1 Apr 2021 has a fixed baseline"):
        annotation_service.remove_rebase(db, MANAGER, r, reason="Withdrawn")
    assert annotation_service.rebases_for(db, "M10", ICB).period.tolist() == [when]


def test_a_rebase_inside_a_fixed_baseline_is_refused_and_one_after_it_is_kept(fresh_seeded_db):
    db = fresh_seeded_db
    annotation_service.add_baseline(db, MANAGER, "M10", LONDON, BEFORE_LAUNCH, WHY)
    before = db.scalar("SELECT count(*) FROM spc_rebases")
    with pytest.raises(ValidationFailed) as refused:
        annotation_service.add_rebase(
            db,
            MANAGER,
            measure_code="M10",
            geo_code=LONDON,
            period=date(2016, 8, 1),
            reason="Suggested",
        )
    assert "inside this chart's fixed baseline (Apr 2016 – Nov 2016)" in str(refused.value)
    assert db.scalar("SELECT count(*) FROM spc_rebases") == before
    # A measure-wide fix counts too: every chart of the measure has it.
    annotation_service.add_baseline(db, MANAGER, "M10", None, BEFORE_LAUNCH, WHY)
    with pytest.raises(ValidationFailed):
        annotation_service.add_rebase(
            db, MANAGER, measure_code="M10", geo_code=ICB, period=date(2016, 6, 1), reason="x"
        )
    annotation_service.add_rebase(
        db, MANAGER, measure_code="M10", geo_code=LONDON, period=date(2020, 4, 1), reason="New"
    )
    assert db.scalar("SELECT count(*) FROM spc_rebases") == before + 1
