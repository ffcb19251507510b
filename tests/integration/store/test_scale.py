"""--scale N: synthetic copies of every ICB multiply the history, real codes untouched."""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner.services.seeding import seed_database
from nlf_planner.store import open_database
from nlf_planner.store.measurements import all_series
from nlf_planner.store.reference import icbs
from nlf_planner.store.scale import SYNTHETIC_PREFIX, add_scale_copies


def test_scale_multiplies_rows_and_keeps_aggregates_working(tmp_path):
    one = open_database(tmp_path / "one.duckdb")
    three = open_database(tmp_path / "three.duckdb")
    n1 = seed_database(one, end_month=date(2026, 10, 1)).rows
    n3 = seed_database(three, end_month=date(2026, 10, 1), scale=3).rows
    assert n3 == 3 * n1
    codes = [i.code for i in icbs(three)]
    assert len(codes) == 3 * 42 and len(set(codes)) == len(codes)
    assert sum(c.startswith(SYNTHETIC_PREFIX) for c in codes) == 2 * 42
    england = all_series(three, ["M08"], levels=["england"])
    assert len(england) == len(all_series(one, ["M08"], levels=["england"]))
    assert england["value"].between(0, 100).all()
    one.close()
    three.close()


def test_scale_is_bounded(db):
    with pytest.raises(ValueError, match="between 1 and 100"):
        add_scale_copies(db, icbs(db), 101)
    assert len(add_scale_copies(db, icbs(db), 1)) == 42
