from datetime import date
from pathlib import Path

import pandas as pd

from nlf_planner.generate import PROFILES, generate, generate_measurements, main
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.periods import fits_frequency
from nlf_planner.store import open_database
from nlf_planner.store.measurements import all_series, latest_values
from nlf_planner.store.reference import icbs, measures


def _frame(db, seed: int = 7, end: date = date(2026, 10, 1)) -> pd.DataFrame:
    icb_list = icbs(db)
    return generate_measurements(
        measures(db), [i.code for i in icb_list], [i.region_code for i in icb_list], end, seed
    )


def test_same_seed_and_end_month_give_identical_tables(db) -> None:
    pd.testing.assert_frame_equal(_frame(db), _frame(db))


def test_a_different_seed_gives_different_history(db) -> None:
    assert not _frame(db, seed=1)["value"].equals(_frame(db, seed=2)["value"])


def test_every_measure_and_icb_has_history_at_its_frequency(db) -> None:
    frame = _frame(db)
    ms = {m.code: m for m in measures(db)}
    assert set(frame["measure_code"]) == set(ms) == set(PROFILES)
    assert frame.groupby("measure_code")["geo_code"].nunique().eq(42).all()
    for code, group in frame.groupby("measure_code"):
        periods = group["period"].unique()
        assert all(fits_frequency(p, ms[code].frequency) for p in periods)
        assert min(periods) == date(2016, 4, 1)
    monthly = frame[frame["measure_code"] == "M08"]["period"].nunique()
    assert monthly == 127  # April 2016 to October 2026


def test_values_respect_units_and_numerators(db) -> None:
    frame = _frame(db)
    ms = {m.code: m for m in measures(db)}
    pct = frame[frame["measure_code"].map(lambda c: ms[c].unit == "percent")]
    assert pct["value"].between(0, 100).all()
    assert (pct["numerator"] <= pct["denominator"]).all()
    scores = frame[frame["measure_code"].map(lambda c: ms[c].unit == "score_0_10")]
    assert scores["value"].between(0, 10).all()
    assert (scores["ci_low"] < scores["ci_high"]).all()


def test_history_is_calibrated_to_national_baselines(tmp_path: Path) -> None:
    db = open_database(tmp_path / "g.duckdb")
    generate(db, date(2026, 10, 1))
    eng = all_series(db, levels=["england"])
    m08_2017 = eng[(eng.measure_code == "M08") & (eng.period.map(lambda d: d.year) == 2017)]
    assert 6.5 < m08_2017["value"].mean() < 10  # about 8% vacant or interim in 2017
    m04_2021 = eng[(eng.measure_code == "M04") & (eng.period == date(2021, 4, 1))]
    assert abs(m04_2021["value"].iloc[0] - 7.2) < 0.25
    latest = latest_values(eng)
    assert set(latest["geo_code"]) == {ENGLAND_CODE}


def test_cli_honours_nlf_db_path_and_does_not_regenerate(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv("NLF_DB_PATH", str(path))
    assert main(["--end-month", "2020-03"]) == 0
    assert "illustrative rows written" in capsys.readouterr().out
    assert main([]) == 0
    assert "already seeded" in capsys.readouterr().out
    db = open_database(path)
    assert db.scalar("SELECT max(period) FROM measurements") <= date(2020, 3, 1)
