"""Overview tiles: latest value, change over a year, polarity-aware wording, readings."""

from datetime import date

import pandas as pd

from nlf_planner.models import Measure, PriorityArea
from nlf_planner.overview import AreaTile, area_tiles, format_change, tile_reading

AREA = PriorityArea(code="P5", name="Senior recruitment", condition_code="C2")
LOWER = Measure(
    code="M08",
    name="Vacant",
    area_code="P5",
    unit="percent",
    polarity="lower_is_better",
    frequency="quarterly",
    baseline=8,
    headline=True,
)


def _series(values: list[float]) -> pd.DataFrame:
    periods = [
        date(2024, 4, 1),
        date(2024, 7, 1),
        date(2024, 10, 1),
        date(2025, 1, 1),
        date(2025, 4, 1),
    ][: len(values)]
    return pd.DataFrame(
        {"measure_code": "M08", "geo_code": "E92000001", "period": periods, "value": values}
    )


def test_change_over_a_year_is_judged_by_polarity() -> None:
    tile = area_tiles([AREA], [LOWER], _series([9.0, 8.8, 8.5, 8.4, 8.0]))[0]
    assert tile.latest_value == 8.0 and tile.year_ago_value == 9.0
    assert tile.change == -1.0
    assert tile.direction == "better"  # fewer vacancies is better
    worse = area_tiles([AREA], [LOWER], _series([7.0, 7.5, 8.0, 8.1, 8.2]))[0]
    assert worse.direction == "worse"


def test_no_year_ago_point_means_no_comparison() -> None:
    tile = area_tiles([AREA], [LOWER], _series([9.0, 8.0]))[0]
    assert tile.change is None and tile.direction == "no comparison"


def test_change_is_formatted_with_an_ascii_sign_so_arrows_point_the_right_way() -> None:
    assert format_change(-1.25, "percent") == "-1.2 pts"
    assert format_change(0.5, "score_0_10") == "+0.50"


def test_reading_takes_spc_and_plan_from_the_shared_cells() -> None:
    tile = AreaTile(AREA, LOWER, date(2025, 4, 1), 8.0, 9.0, [9.0, 8.0])
    cells = pd.DataFrame(
        [
            {
                "geo_code": "E92000001",
                "area_code": "P5",
                "measure_code": "M08",
                "variation_icon": "improvement_low",
                "plan_status": "on trajectory",
                "progress_share": 0.5,
                "target_horizon": 1.0,
            },
            {
                "geo_code": "E92000001",
                "area_code": "P5",
                "measure_code": "M09",
                "variation_icon": "common_cause",
                "plan_status": "off trajectory",
                "progress_share": -0.2,
                "target_horizon": 3.0,
            },
        ]
    )
    reading = tile_reading(cells, tile, "E92000001")
    assert "[L] Special-cause improvement (low)" in reading.spc
    assert "on trajectory, 50% of the way" in reading.plan
    assert reading.area_plan == "Area: 1 of 2 measures on trajectory, 1 off"
    away = AreaTile(AREA, LOWER.model_copy(update={"code": "M09"}), None, None, None, [])
    assert "moved away from the year-3 target" in tile_reading(cells, away, "E92000001").plan


def test_recent_changes_read_as_one_line_each_with_peoples_text_escaped() -> None:
    from datetime import datetime

    from nlf_planner.overview import change_lines
    from nlf_planner.ui.text import escape_markdown

    changes = pd.DataFrame(
        [
            {
                "changed_at": datetime(2026, 5, 4, 9, 30),
                "actor": "Ada <b>L</b>",
                "action": "add",
                "entity": "spc_rebase",
                "entity_id": "3",
                "reason": "New *standard* & more",
            },
            {
                "changed_at": datetime(2026, 5, 5, 10, 0),
                "actor": "Bo",
                "action": "save",
                "entity": "plan",
                "entity_id": None,
                "reason": None,
            },
            {
                "changed_at": datetime(2026, 5, 6, 11, 0),
                "actor": "Cy",
                "action": "create",
                "entity": "scenario",
                "entity_id": "be6276097fd4/v1",
                "description": "scenario ‘[Grow](http://x) places’, version 1",
                "reason": float("nan"),
            },
        ]
    )
    assert change_lines(changes, escape_markdown) == [
        r"- 4 May 2026 09:30 · **Ada \<b\>L\</b\>** · add spc rebase 3 "
        r"— New \*standard\* & more",
        "- 5 May 2026 10:00 · **Bo** · save plan",
        r"- 6 May 2026 11:00 · **Cy** · create scenario ‘\[Grow\]\(http://x\) places’, "
        "version 1",
    ]
    assert change_lines(changes.iloc[0:0], escape_markdown) == []


def test_a_tile_counts_the_areas_worse_than_england_and_getting_worse() -> None:
    """England's tile counts the regions; a region's tile the region and its ICSs."""
    tile = AreaTile(AREA, LOWER, date(2025, 4, 1), 8.0, 9.0, [9.0, 8.0])

    def cell(geo, level, region, red):
        return {
            "geo_code": geo, "geo_level": level, "region_code": region, "area_code": "P5",
            "measure_code": "M08", "variation_icon": "concern_high", "red_red": red,
        }  # fmt: skip

    cells = pd.DataFrame(
        [
            cell("E92000001", "england", "E92000001", False),
            cell("R1", "region", "R1", True),
            cell("R2", "region", "R2", False),
            cell("R3", "region", "R3", True),
            cell("I1", "icb", "R1", True),
            cell("I2", "icb", "R1", False),
            {**cell("R2", "region", "R2", True), "measure_code": "M09"},  # another measure
        ]
    )
    names = {"R1": "London", "R3": "North West", "I1": "North Central London ICB"}
    england = tile_reading(cells, tile, "E92000001", names)
    assert england.red_red == (
        "!! 2 of the 3 regions are worse than England and getting worse: London, North West"
    )
    london = tile_reading(cells, tile, "R1", names)
    assert london.red_red == (
        "!! 2 of 3 (the region and its 2 ICSs) are worse than England and getting worse: "
        "London, North Central London ICB"
    )
    assert tile_reading(cells, tile, "R2", names).red_red == ""
    assert tile_reading(cells.drop(columns="red_red"), tile, "E92000001").red_red == ""
