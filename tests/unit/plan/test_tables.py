"""Editor tables: a plan as the tables people edit, and back through validation."""

from __future__ import annotations

from datetime import date

from nlf_planner import plan as P
from tests.unit.plan.common import AREA_CODES, GEO, MEASURES, TODAY, errors, milestone


def test_tables_round_trip_through_validation():
    plan = P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code="M01", horizon=h, target=v)
            for h, v in ((1, 40), (3, 60), (5, 80))
        ],
        milestones=[milestone("a", "P1", "on_track", date(2027, 1, 1), TODAY)],
    )
    tdf = P.targets_table(plan, [MEASURES["M01"]], {"M01": 35})
    assert tdf.loc[0, ["baseline", "y1", "y3", "y5"]].tolist() == [35, 40, 60, 80]
    recs, issues = P.validate_targets(tdf, MEASURES, GEO)
    assert errors(issues) == [] and set(recs) == set(plan.targets)
    mrecs, missues = P.validate_milestones(
        P.milestones_table(plan), 2026, AREA_CODES, MEASURES, TODAY
    )
    assert errors(missues) == [] and mrecs == plan.milestones


REGIONS = {"E40000003": "London", "E40000010": "North West"}
AREA_LABELS = {"P1": "P1 System leadership", "P2": "P2 Talent"}


def _plan() -> P.Plan:
    return P.Plan(
        base_year=2026,
        targets=[
            P.PlanTarget(measure_code="M01", horizon=h, target=v)
            for h, v in ((1, 40), (3, 60), (5, 80))
        ]
        + [P.PlanTarget(measure_code="M01", geo_code="E40000003", horizon=5, target=85)],
        milestones=[
            milestone("a", "P1", "on_track", date(2027, 1, 1), TODAY).model_copy(
                update={"measure_code": "M01"}
            )
        ],
    )


def test_editor_tables_show_codes_with_names_and_only_regions_with_overrides():
    tables = P.editor_tables(_plan(), [MEASURES["M01"]], {"M01": 35}, AREA_LABELS, REGIONS)
    assert set(tables) == set(P.EDITOR_TABLES)
    england = tables["targets"].iloc[0]
    assert england["measure"].startswith("M01 ") and england["better"] == "Higher"
    assert england[["baseline", "y1", "y3", "y5"]].tolist() == [35, 40, 60, 80]
    regional = tables["regional"]
    assert regional[["region", "y1", "y5"]].iloc[0].tolist()[::2] == ["London", 85]
    assert len(regional) == 1 and regional["y1"].isna().all()
    ms = tables["milestones"].iloc[0]
    assert ms["priority_area"] == "P1 System leadership" and ms["status"] == "On track"
    assert ms["measure_code"].startswith("M01 ")


def test_row_areas_and_first_token_read_the_codes_back():
    tables = P.editor_tables(_plan(), [MEASURES["M01"]], {}, AREA_LABELS, REGIONS)
    area_of = {"M01": "P1"}
    for name in P.EDITOR_TABLES:
        assert P.row_areas(name, tables[name], area_of).tolist() == ["P1"]
    assert P.first_token("P2 Talent") == "P2"
    assert P.first_token("  ") is None and P.first_token(None) is None
