"""The Scenarios page starts from the data and says so (issue 16, cases 4 and 6): the table
"Where the starting point comes from", an edited run named "Your scenario (unsaved)" in the
charts, and the budget cap's consequences under "What changed vs baseline"."""

from __future__ import annotations

import json

import pandas as pd

from nlf_planner.capacity.params import CapacityParams
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import plan_editing
from nlf_planner.services.database import open_store
from nlf_planner.store import measurements as measurement_store
from tests.apptest_utils import run_page

HUMBER_REGION = "E40000012"  # North East and Yorkshire


def _table(at, column: str) -> pd.DataFrame:
    tables = [t.value for t in at.table] + [d.value for d in at.dataframe]
    return next(t for t in tables if column in t.columns)


def _legend_names(at) -> set[str]:
    names = set()
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            if trace.get("showlegend", True) and trace.get("name"):
                names.add(trace["name"])
    return names


def _chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def _named(at, label: str) -> bool:
    """Whether a chart names a run ``label``: in its legend ("A · label: median…", when
    several are compared) or, when it shows one run, in its subtitle ("… · label")."""
    return any(label in n for n in _legend_names(at)) or any(
        f"· {label}</sup>" in t for t in _chart_titles(at)
    )


def _observed_text(path, code: str, geo: str) -> str:
    db = open_store(path)
    try:
        base_year = plan_editing.load_plan(db).base_year
        s = measurement_store.series(db, code, geo)
    finally:
        db.close()
    s = s[pd.to_datetime(s["period"]) <= pd.Timestamp(base_year, 4, 1)]
    return f"{float(s.loc[pd.to_datetime(s['period']).idxmax(), 'value']):.1f}%"


def test_the_page_shows_where_the_starting_point_comes_from(seeded_db_path) -> None:
    for geo in (ENGLAND_CODE, HUMBER_REGION):
        at = run_page("scenarios", seeded_db_path, query={"region": geo}, session={"region": geo})
        assert not at.exception, [e.value for e in at.exception]
        assert "Where the starting point comes from" in [s.value for s in at.subheader]
        table = _table(at, "Model quantity").set_index("Measure")
        for code in ("M06", "M08", "M10", "M02"):
            expected = _observed_text(seeded_db_path, code, geo)
            assert table.loc[code, "Observed value"] == expected
            assert table.loc[code, "Used value"] == expected
        # The headline's year-0 row is not shown, but year 1 now moves from the data: the
        # M10 median at year 1 is within a point of the observed start, not of 10%.
        head = _table(at, "Chance of target")
        m10 = head[(head["Output"] == "Staff trained in improvement") & (head["Year"] == 1)]
        start = float(table.loc["M10", "Used value"].rstrip("%"))
        assert abs(float(m10.iloc[0]["Median (80% range)"].split("%")[0]) - start) < 1.5


def test_an_edited_run_is_your_scenario_unsaved_and_the_budget_cap_is_stated(
    fresh_seeded_db_path,
) -> None:
    at = run_page("scenarios", fresh_seeded_db_path)
    assert not at.exception, [e.value for e in at.exception]
    assert _named(at, "Baseline: carry on as now")
    params = CapacityParams.model_validate_json(at.session_state["scn_working"])
    places = (*params.places[:3], [p * 2 for p in params.places[3]])
    at.session_state["scn_working"] = params.model_copy(update={"places": places}).model_dump_json()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _named(at, "Your scenario (unsaved)")
    assert not _named(at, "Baseline: carry on as now")
    said = " ".join(m.value for m in at.markdown)
    assert "Places a year, executives (board)" in said
    assert "Budget cap reached in years 1–5" in said
    assert "fewer places are funded than in the baseline for first-line leaders" in said
