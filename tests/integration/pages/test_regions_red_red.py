"""The Regions matrix's filter "Show only areas that are worse and getting worse": ticked,
the rug keeps England and the areas with a red-red result (and, by measure, only those
measures), each marked !!; the choice is bound to the URL (``red_red=true``), so a link
reopens it (AppTest does not write bound widgets back to its query params, so the link is
checked the other way: opened with it)."""

from __future__ import annotations

import json

import pytest

from nlf_planner import regions as R
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import regions_view
from nlf_planner.services.database import open_store
from nlf_planner.store.plans import load_plan
from nlf_planner.ui.regions_matrix import RED_RED_FILTER
from tests.apptest_utils import headings, run_page

LONDON = "E40000003"


@pytest.fixture(scope="module")
def model(seeded_db_path):
    db = open_store(seeded_db_path)
    try:
        return regions_view.build_regions_model(db, load_plan(db))
    finally:
        db.close()


def _rug(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _rows(rug) -> list[str]:
    return [t.replace("<br>", " ") for t in rug["layout"]["yaxis"]["ticktext"]]


def test_ticking_the_filter_keeps_only_the_red_red_areas(seeded_db_path, model) -> None:
    reds = R.red_red_cells(model, R.geographies(model, ENGLAND_CODE))
    assert len(reds), "the seeded data has regions that are worse and getting worse"
    flagged = [g for g in R.geographies(model, ENGLAND_CODE) if g in set(reds.geo_code)]
    at = run_page("regions", seeded_db_path)
    assert not at.exception, [e.value for e in at.exception]
    box = at.checkbox(key="red_red")
    assert box.label == RED_RED_FILTER and box.value is False
    assert len(_rug(at)["data"][1]["text"]) == 8 * 9  # unfiltered: every region
    box.check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(h.startswith("Where the 7 NHS regions are worse than England and getting worse")
               for h in headings(at))  # fmt: skip
    rug = _rug(at)
    assert _rows(rug) == ["England", *[model.names[g] for g in flagged]]
    areas = list(dict.fromkeys(reds.area_code))
    assert [h.split("<br>")[0] for h in rug["layout"]["xaxis"]["ticktext"]] == [
        f"<b>{a.code}</b>" for a in model.areas if a.code in areas
    ]
    tiles = rug["data"][1]["text"]
    per_row = len(rug["layout"]["xaxis"]["ticktext"])
    for i in range(1, len(flagged) + 1):  # every kept area carries the mark somewhere
        assert any("!!" in t for t in tiles[i * per_row : (i + 1) * per_row])
    notice = " ".join(i.value for i in at.info)
    assert f"{len(reds)} results in all" in notice
    hovers = " ".join(rug["data"][1]["hovertext"])
    assert "worse than England and getting worse" in hovers


def test_the_filter_from_a_link_by_measure_shows_only_red_red_measures(
    seeded_db_path, model
) -> None:
    geos = R.geographies(model, LONDON)
    reds = R.red_red_cells(model, geos)
    at = run_page(
        "regions", seeded_db_path, query={"region": LONDON, "by_measure": "true", "red_red": "true"}
    )
    assert not at.exception, [e.value for e in at.exception]
    assert at.checkbox(key="red_red").value is True
    if reds.empty:
        assert any("nothing to show" in i.value for i in at.info)
        assert not at.get("plotly_chart")
        return
    rug = _rug(at)
    codes = [h.split("<br>")[0] for h in rug["layout"]["xaxis"]["ticktext"]]
    measures = list(dict.fromkeys(reds.measure_code))
    assert codes == [f"<b>{c}</b>" for c in model.measures if c in measures]
    assert _rows(rug)[0] == "England"
    kept = [g for g in geos if g in set(reds.geo_code)]
    assert len(_rows(rug)) == 1 + len(kept)
    # Each red-red cell's tile carries the mark; its hover gives the reason in words.
    n = len(codes)
    for r in reds.itertuples():
        i, j = (
            1 + kept.index(r.geo_code),
            [c for c in model.measures if c in measures].index(r.measure_code),
        )
        assert rug["data"][1]["text"][i * n + j].count("!!") == 1
        hover = rug["data"][1]["hovertext"][i * n + j].replace("<br>", " ")
        assert f"!! worse than England and getting worse: {r.getting_worse_reason}" in hover
