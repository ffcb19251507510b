"""The fixed-baseline service against real databases (both backends): every fix keyed by
chart for the SPC of all series, kept per data version."""

from __future__ import annotations

from datetime import date

from nlf_planner.baselines import FixedBaseline, for_series
from nlf_planner.services import annotations as annotation_service
from nlf_planner.store.annotations import add_baseline

ICB = "E54000027"
OTHER_ICB = "E54000028"


def _store_fix(db, geo, **fix) -> int:
    args = {"segment_start": None, "n_points": None, "until_period": None, **fix}
    return add_baseline(db, actor="Ada", measure_code="M10", geo_code=geo, reason="Why", **args)


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
    assert for_series(fixes, "M10", OTHER_ICB) == [FixedBaseline(None, until=date(2016, 11, 1))]
    assert for_series(annotation_service.all_baselines(db), "M10", ICB) == [
        FixedBaseline(None, points=12)
    ]
    assert for_series(fixes, "M08", ICB) == []
