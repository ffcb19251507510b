"""The driver diagram: text inside its boxes at 1024 px, people's text inert, one figure."""

from __future__ import annotations

import pytest

from nlf_planner.charts import overview as O
from nlf_planner.models import Condition, PriorityArea
from nlf_planner.services import reference as reference_service
from nlf_planner.services.database import open_store

AMBITION = (
    "An NHS committed to continual learning and improvement, with an engaged workforce and "
    "capable, compassionate leaders at all levels, delivered through a practical, adaptive "
    "plan over 1, 3 and 5 years with a focus on local leadership in each system."
)


@pytest.fixture(scope="module")
def framework(seeded_db_path):
    db = open_store(seeded_db_path)
    try:
        return reference_service.conditions(db), reference_service.priority_areas(db)
    finally:
        db.close()


def test_every_box_holds_its_text_on_the_narrowest_plot(framework) -> None:
    conditions, areas = framework
    boxes = O.boxes(conditions, areas, AMBITION)
    assert len(boxes) == 1 + len(conditions) + len(areas)
    assert all(O.box_fits(b, len(areas)) for b in boxes), [
        b.lines for b in boxes if not O.box_fits(b, len(areas))
    ]


def test_the_fit_rule_refuses_text_too_long_for_its_box() -> None:
    areas = [PriorityArea(code=f"P{i}", name="short", condition_code="C1") for i in range(8)]
    areas.append(PriorityArea(code="P9", name="word " * 40, condition_code="C1"))
    boxes = O.boxes([Condition(code="C1", name="c")], areas, AMBITION)
    assert O.box_fits(boxes[-2], len(areas))
    assert not O.box_fits(boxes[-1], len(areas))


def test_boxes_do_not_overlap(framework) -> None:
    conditions, areas = framework
    boxes = O.boxes(conditions, areas, AMBITION)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart_x = a.x + a.half_w <= b.x - b.half_w or b.x + b.half_w <= a.x - a.half_w
            apart_y = a.y + a.half_h <= b.y - b.half_h or b.y + b.half_h <= a.y - a.half_h
            assert apart_x or apart_y, (a.lines[0], b.lines[0])


def test_names_from_the_data_cannot_add_links_to_the_chart() -> None:
    hostile = '<a href="http://127.0.0.1:9/x">click</a>'
    fig = O.driver_diagram(
        [Condition(code="C1", name=hostile, seed_wording=hostile)],
        [PriorityArea(code="P1", name=hostile, condition_code="C1", actions=hostile)],
        AMBITION,
    )
    texts = [a.text for a in fig.layout.annotations] + list(fig.data[0].hovertext)
    assert all("<a " not in t for t in texts)
    assert any("&lt;a href" in t for t in texts)


def test_the_diagram_is_titled_and_drawn_in_one_figure(framework) -> None:
    conditions, areas = framework
    fig = O.driver_diagram(conditions, areas, AMBITION)
    assert fig.layout.title.text == O.TITLE
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 1 + len(conditions) + len(areas)
    assert len(fig.layout.annotations) == len(rects)
