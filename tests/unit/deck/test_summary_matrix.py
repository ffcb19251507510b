"""The summary matrix: a row per measure in priority-area order, icons in words with fills,
"No data" where a measure has no series, and counts in the bullets."""

from __future__ import annotations

from nlf_planner.deck.icons import FILL
from nlf_planner.deck.summary_matrix import COLUMNS, summary_slides
from tests.unit.deck.inputs import M08_TARGETS, inputs, plan


def test_a_row_per_measure_with_icons_in_words() -> None:
    [slide] = summary_slides(inputs())
    table = slide.tables[0]
    assert list(table.data.columns) == COLUMNS
    assert list(table.data["Measure"]) == [
        "M02 Appraisals",
        "M10 Engaged staff",
        "M08 Executive vacancies",
    ]
    m08 = table.data.iloc[2]
    assert m08["Variation"] == "H – Concern (high)"
    assert m08["Assurance"] == "No target"
    assert m08["Latest"] == "10.3% (Sep 2026)"
    assert table.data.iloc[0]["Latest"] == "No data"
    assert table.fills.shape == table.data.shape
    assert table.fills.iloc[2]["Variation"] == FILL["concern"]
    assert table.fills.iloc[0]["Variation"] == ""
    assert slide.bullets[0].startswith("2 measures:")
    assert "1 special-cause concern" in slide.bullets[0]
    assert slide.bullets[1] == "No plan targets apply yet, so there are no assurance icons."


def test_plan_targets_bring_assurance_icons() -> None:
    the_plan = plan(targets=M08_TARGETS)
    [slide] = summary_slides(inputs(the_plan=the_plan))
    m08 = slide.tables[0].data.iloc[2]
    assert m08["Target"] != "—"
    assert m08["Assurance"] != "No target"
    assert slide.bullets[1].startswith("Against plan targets:")


def test_each_icon_cell_names_its_making_data_count_icon() -> None:
    """The icons frame says which icon to draw beside the words; cells with no icon (no
    data, no target) draw none."""
    [slide] = summary_slides(inputs())
    table = slide.tables[0]
    assert table.icons.shape == table.data.shape
    assert table.icon(2, "Variation") == "variation:concern_high"
    assert table.icon(2, "Assurance") == ""  # no target
    assert table.icon(0, "Variation") == ""  # no data
    assert table.icon(2, "Measure") == ""
    [with_target] = summary_slides(inputs(the_plan=plan(targets=M08_TARGETS)))
    ref = with_target.tables[0].icon(2, "Assurance")
    assert ref.startswith("assurance:") and ref.split(":")[1] in {
        "consistent_pass", "consistent_fail", "hit_or_miss", "not_assessable",
    }  # fmt: skip
