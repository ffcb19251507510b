"""The pages and the board deck give the same answer, because each rule has one home.

- Plan targets for a geography and the chance of meeting them: the Scenarios page (AppTest)
  and the deck's scenario headline slide, for a region with no target rows of its own (both
  fall back to England's targets by ``plan.targets_for_geography``).
- The plain-English SPC reading: the Regions page's chart caption and the deck's exception
  slide for the same measure and geography (``spc_reading``).
"""

from __future__ import annotations

import re

import pytest

from nlf_planner.deck import DeckChoices
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import plan_editing, reference
from nlf_planner.services.database import open_store
from nlf_planner.services.deck import build_deck
from tests.apptest_utils import run_page

BULLET = re.compile(
    r"^(?P<output>.+): plan target (?P<target>.+) at year 5; "
    r"chance of meeting it: (?P<chances>.+)\.$"
)


@pytest.fixture(scope="module")
def seeded(seeded_db_path):
    db = open_store(seeded_db_path)
    yield db
    db.close()


def _region_without_own_targets(db) -> str:
    plan = plan_editing.load_plan(db)
    own = {t.geo_code for t in plan.targets if t.measure_code in ("M06", "M08", "M10")}
    free = [r.code for r in reference.regions(db) if r.code not in own]
    assert free, "the seeded plan should leave some region on England's targets"
    return free[0]


def _deck_targets(deck) -> dict[str, tuple[str, str]]:
    """Output → (plan target, baseline's chance) from the headline slide's bullets."""
    slide = next(s for s in deck.slides if s.key == "scenarios-headlines")
    found = {}
    for bullet in slide.bullets:
        m = BULLET.match(bullet)
        if m:
            chances = dict(c.rsplit(" ", 1) for c in m["chances"].split(", "))
            found[m["output"]] = (m["target"], chances)
    return found


def test_targets_and_chance_agree_between_the_scenarios_page_and_the_deck(
    seeded, seeded_db_path
) -> None:
    region = _region_without_own_targets(seeded)
    at = run_page("scenarios", seeded_db_path, query={"region": region}, session={"region": region})
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "Chance of target" in d.value.columns)
    last = table[(table["Year"] == table["Year"].max()) & (table["Plan target"] != "–")]
    assert not last.empty, "the page should show plan targets for the model's measures"

    deck = build_deck(seeded, DeckChoices(region=region))
    from_deck = _deck_targets(deck)
    baseline_label = next(iter(next(iter(from_deck.values()))[1]))  # the baseline runs first
    for _, row in last.iterrows():
        target, chances = from_deck[row["Output"]]
        assert target == row["Plan target"]
        assert chances[baseline_label] == row["Chance of target"]

    # Both fell back to England's targets: the region has no row of its own.
    plan = plan_editing.load_plan(seeded)
    england = plan.targets_for("M08", ENGLAND_CODE)
    assert plan.targets_for("M08", region) == england


def test_spc_reading_agrees_between_the_regions_page_and_the_deck(seeded, seeded_db_path) -> None:
    region = "E40000003"  # London
    deck = build_deck(seeded, DeckChoices(region=region))
    exceptions = [s for s in deck.slides if s.key.startswith("exception-")]
    assert exceptions, "the seeded data should give London at least one exception slide"
    slide = exceptions[0]
    code = slide.key.removeprefix("exception-")
    at = run_page(
        "regions",
        seeded_db_path,
        query={"view": "Measure", "geo": region, "measure": code, "region": region},
    )
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert slide.narrative in captions, (slide.narrative, captions)
