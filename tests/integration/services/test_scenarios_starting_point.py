"""The capacity model starts from the observed data (issue 16, case 4), on the seeded data.

The expected values are read here straight from the stored series (the latest period at or
before the plan's base date, 1 April of the base year), not through the calibration code."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from nlf_planner.capacity.outputs import select
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import plan_editing, reference
from nlf_planner.services import scenarios as service
from nlf_planner.services.database import open_store
from nlf_planner.store import measurements as measurement_store

HUMBER = "E54000051"  # Humber and North Yorkshire ICB
MEASURE_OUTPUT = {"M08": ("vacancy_rate", 4), "M06": ("successor_ready", 0)}
MEASURE_OUTPUT |= {"M10": ("improvement_coverage", 0), "M02": ("developed_share", 3)}


@pytest.fixture(scope="module")
def seeded(seeded_db_path):
    db = open_store(seeded_db_path)
    yield db
    db.close()


def _observed(db, code: str, geo: str, base_year: int) -> tuple[date, float]:
    s = measurement_store.series(db, code, geo)
    s = s[pd.to_datetime(s["period"]) <= pd.Timestamp(base_year, 4, 1)]
    row = s.loc[pd.to_datetime(s["period"]).idxmax()]
    return row["period"], float(row["value"])


def _year0(params, name: str, level: int) -> float:
    res = service.run(params, 1, 2016, "check")
    return float(select(res, name, ENGLAND_CODE, level)[0, 0])


@pytest.mark.parametrize("geo", [ENGLAND_CODE, HUMBER])
def test_the_baselines_year_0_outputs_equal_the_observed_values(seeded, geo) -> None:
    plan = plan_editing.load_plan(seeded)
    point = service.starting_point(seeded, geo, plan)
    params = service.from_data(service.baseline(seeded).params, point)
    for code, (name, level) in MEASURE_OUTPUT.items():
        period, value = _observed(seeded, code, geo, plan.base_year)
        assert point.observed[code].period == period
        assert _year0(params, name, level) == pytest.approx(value), code
    assert service.starting_point_gaps(point, params) == []
    names = reference.geography_names(seeded)
    assert point.geo_name == names[geo]


def test_the_stored_defaults_would_start_somewhere_else(seeded) -> None:
    """Before calibration the baseline started at the defaults (10% trained, 25% ready)."""
    plan = plan_editing.load_plan(seeded)
    stored = service.baseline(seeded).params
    _, m10 = _observed(seeded, "M10", ENGLAND_CODE, plan.base_year)
    _, m06 = _observed(seeded, "M06", ENGLAND_CODE, plan.base_year)
    assert _year0(stored, "improvement_coverage", 0) == pytest.approx(10.0)
    assert _year0(stored, "successor_ready", 0) == pytest.approx(25.0)
    assert abs(m10 - 10.0) > 3 and abs(m06 - 25.0) > 3


def test_goal_seek_starts_from_the_observed_value(seeded) -> None:
    plan = plan_editing.load_plan(seeded)
    point = service.starting_point(seeded, ENGLAND_CODE, plan)
    params = service.from_data(service.baseline(seeded).params, point)
    answer = service.goal_seek(
        params,
        "improvement_coverage",
        30.0,
        5,
        confidence=0.8,
        lever="places",
        geo=ENGLAND_CODE,
        level=0,
        draws=100,
        seed=2016,
    )
    _, m10 = _observed(seeded, "M10", ENGLAND_CODE, plan.base_year)
    assert answer.trajectory["p50"].iloc[0] == pytest.approx(m10)


def test_the_chance_of_the_m06_target_is_no_longer_nil_because_of_the_start(seeded) -> None:
    plan = plan_editing.load_plan(seeded)
    base = service.baseline(seeded)
    point = service.starting_point(seeded, ENGLAND_CODE, plan)

    def chance(params) -> float:
        res = service.run(params, 1000, base.seed, "Baseline")
        head = service.headline({"b": res}, res, plan, ENGLAND_CODE)
        row = head[(head["output"] == "successor_ready") & (head["year"] == 1)].iloc[0]
        return float(row["probability"])

    before, after = chance(base.params), chance(service.from_data(base.params, point))
    assert before == 0.0
    assert after > before


def test_without_data_every_quantity_keeps_its_default_and_says_so(db) -> None:
    point = service.starting_point(db, ENGLAND_CODE, None)
    params = service.baseline(db).params
    assert service.from_data(params, point) == params
    gaps = service.starting_point_gaps(point, params)
    assert len(gaps) == 4 and all(g.startswith("No observed value for") for g in gaps)
    table = service.starting_point_table(point, params)
    assert set(table["Period"]) == {"default — no data"}


def test_scenario_targets_follow_the_regions_page_direction_rule(seeded):
    """At every region, the targets the Scenarios page and the deck measure the model against
    are the Regions page's: where the region already beats the target it inherits from
    England, it is held at its own observed level (case 2's rule), never asked to get worse."""
    from nlf_planner.services import regions_view

    plan = plan_editing.load_plan(seeded)
    model = regions_view.build_regions_model(seeded, plan)
    held = 0
    for region in reference.regions(seeded):
        start = service.starting_point(seeded, region.code, plan)
        frame = service.plan_targets(plan, region.code, start)
        for code in ("M06", "M08", "M10"):
            got = {
                int(r.horizon): float(r.target)
                for r in frame[frame.measure_code == code].itertuples()
            }
            assert got == pytest.approx(model.plan_targets[(code, region.code)]), (
                code,
                region.code,
            )
            inherited = {
                int(r.horizon): float(r.target)
                for r in service.plan_targets(plan, region.code)
                .query("measure_code == @code")
                .itertuples()
            }
            held += sum(1 for h in got if got[h] != pytest.approx(inherited[h]))
    assert held > 0  # the seeded data has regions past an inherited target
