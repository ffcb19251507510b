"""The roadmap figure: one legend entry per status present, horizons and today marked, events."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nlf_planner.charts.roadmap import (
    EVENTS_ROW,
    STATUS_STYLE,
    roadmap_data,
    roadmap_figure,
    roadmap_summary,
)
from nlf_planner.plan import Milestone

AREAS = {"P1": "System leadership for integrated care systems", "P2": "Talent strategies"}
TODAY = date(2026, 11, 30)


def ms(item: str, area: str, status: str, due: date, horizon: int = 1) -> Milestone:
    return Milestone(
        item_id=item,
        priority_area=area,
        title=f"Milestone {item}",
        horizon=horizon,
        due_date=due,
        status=status,
        owner="Team",
    )


ITEMS = [
    ms("a", "P1", "done", date(2026, 7, 1)),
    ms("b", "P1", "on_track", date(2026, 9, 1)),  # past due
    ms("c", "P2", "at_risk", date(2028, 6, 1), 3),
    ms("d", "P2", "not_started", date(2030, 6, 1), 5),
]


def test_one_trace_per_status_present_with_text_labels_and_shapes():
    fig = roadmap_figure(ITEMS, AREAS, 2026, TODAY)
    by_name = {t.name: t for t in fig.data}
    assert {"Done", "On track", "At risk", "Not started", "Past due (open)"} == set(by_name)
    assert "Off track" not in by_name
    assert by_name["Done"].marker.symbol == STATUS_STYLE["done"][1]
    assert by_name["At risk"].marker.color == STATUS_STYLE["at_risk"][0]
    assert list(by_name["On track"].text) == ["Milestone b"]
    assert "markers+text" in by_name["Done"].mode


def test_horizons_base_and_today_are_marked():
    fig = roadmap_figure(ITEMS, AREAS, 2026, TODAY)
    texts = [a.text for a in fig.layout.annotations]
    assert "Year 1 ends Mar 2027" in texts and "Year 5 ends Mar 2031" in texts
    assert "Today 30 Nov 2026" in texts
    assert "plan starts 1 Apr 2026" in fig.layout.xaxis.title.text
    xs = {str(s.x0)[:10] for s in fig.layout.shapes}
    assert {"2027-03-31", "2029-03-31", "2031-03-31", "2026-11-30", "2026-04-01"} <= xs


def test_title_says_what_is_shown_and_rows_follow_area_order():
    fig = roadmap_figure(ITEMS, AREAS, 2026, TODAY)
    assert "milestones by priority area" in fig.layout.title.text
    rows = list(fig.layout.yaxis.categoryarray)
    assert rows[-1].startswith("P1") and rows[0].startswith("P2")  # P1 drawn at the top


def test_events_are_overlaid_on_their_own_row():
    events = pd.DataFrame(
        {
            "event_date": [date(2026, 6, 14)],
            "title": ["Smith reference group"],
            "event_type": ["workshop"],
        }
    )
    fig = roadmap_figure(ITEMS, AREAS, 2026, TODAY, events=events)
    ev = [t for t in fig.data if t.name == "Engagement event"]
    assert len(ev) == 1 and list(ev[0].y) == [EVENTS_ROW]
    assert EVENTS_ROW in fig.layout.yaxis.categoryarray
    assert EVENTS_ROW not in roadmap_figure(ITEMS, AREAS, 2026, TODAY).layout.yaxis.categoryarray


def test_data_and_summary_describe_the_chart():
    data = roadmap_data(ITEMS, AREAS, TODAY)
    assert data["past_due"].tolist() == [False, True, False, False]
    assert data["label_position"].tolist() == ["top center", "bottom center"] * 2
    text = roadmap_summary(data, 2026, TODAY)
    assert text.startswith("4 milestones across 2 priority areas")
    assert "1 open milestone is past due" in text and "“Milestone c”" in text
    assert roadmap_summary(roadmap_data([], AREAS, TODAY), 2026, TODAY).startswith("No milestones")


def test_milestones_without_due_dates_are_left_out():
    undated = ms("e", "P1", "on_track", date(2026, 8, 1)).model_copy(update={"due_date": None})
    assert len(roadmap_data([*ITEMS, undated], AREAS, TODAY)) == 4


def test_trajectory_figure_draws_history_plan_line_and_labelled_targets():
    from nlf_planner.charts.roadmap import trajectory_figure, trajectory_summary

    history = pd.DataFrame({"period": [date(2025, 4, 1), date(2026, 4, 1)], "value": [7, 8]})
    line = pd.DataFrame({"period": [date(2026, 4, 1), date(2031, 3, 31)], "plan": [8.0, 5.5]})
    fig = trajectory_figure("M08 Vacancies", "%", history, line, {1: 7.5, 3: 6.5, 5: 5.5}, 2026)
    names = [t.name for t in fig.data]
    assert names == ["England (recorded)", "Plan line", "Targets"]
    assert list(fig.data[2].text) == ["Year 1: 7.5", "Year 3: 6.5", "Year 5: 5.5"]
    assert "(%)" in fig.layout.title.text
    text = trajectory_summary("M08 Vacancies", "%", 8.0, {1: 7.5, 3: 6.5, 5: 5.5})
    assert "baseline of 8 %" in text and "year 5 5.5" in text


def test_people_s_text_cannot_add_links_to_the_roadmap():
    hostile = '<a href="http://127.0.0.1:9/x">click</a>'
    item = ms("h", "P1", "on_track", date(2027, 1, 1)).model_copy(
        update={"title": hostile, "owner": hostile}
    )
    events = pd.DataFrame(
        {"event_date": [date(2026, 6, 14)], "title": [hostile], "event_type": [hostile]}
    )
    fig = roadmap_figure([item], {"P1": hostile}, 2026, TODAY, events=events)
    texts = [str(t) for tr in fig.data for t in (tr.text or ())]
    texts += [str(v) for tr in fig.data for row in (tr.customdata or ()) for v in row]
    texts += list(fig.layout.yaxis.categoryarray)
    assert texts and all("<a " not in t for t in texts)
    assert any("&lt;a href" in t for t in texts)


def test_milestones_can_be_labelled_by_their_short_ids():
    fig = roadmap_figure(ITEMS, AREAS, 2026, TODAY, label_by="id")
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["On track"].text) == ["b"]
    assert by_name["On track"].customdata[0][0] == "Milestone b"  # the title stays in the hover


def test_row_labels_wrap_to_three_short_lines():
    fig = roadmap_figure(ITEMS, {"P1": "word " * 20}, 2026, TODAY)
    (label,) = fig.layout.yaxis.categoryarray
    lines = label.split("<br>")
    assert len(lines) <= 3 and all(len(x) <= 22 for x in lines)
