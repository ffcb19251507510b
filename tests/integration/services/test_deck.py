"""The board-deck service against real DuckDB files: board order, exceptions that follow the
SPC results of the Regions page's model, sections that say why they are missing, the notes
and milestones on exception slides, and the stamp every export carries."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner import regions
from nlf_planner.deck import DeckChoices, figure_data, is_exception, slide_list
from nlf_planner.deck.icons import EXCEPTION_RULE, OFF_TRAJECTORY_MARGIN
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.periods import add_months
from nlf_planner.regions import build_model
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import plan_editing
from nlf_planner.services.actor import local_actor
from nlf_planner.services.deck import build_deck, cache_key, deck_options, resolve_region
from nlf_planner.services.errors import NotFound
from nlf_planner.services.regions_view import build_regions_model
from nlf_planner.spc import AssuranceIcon
from nlf_planner.store import measurements as measurement_store
from nlf_planner.store import open_database
from nlf_planner.store import plans as plan_store
from nlf_planner.store import reference as reference_store
from nlf_planner.store.annotations import all_rebases

LONDON = "E40000003"
TODAY = date(2026, 11, 15)


def _write_history(db, series: dict[str, np.ndarray], start: date = date(2024, 1, 1)) -> None:
    """ICB rows (every ICB the same proportion) for the given measures, monthly."""
    icbs = reference_store.icbs(db)
    rows = []
    for code, values in series.items():
        for i, v in enumerate(values):
            for icb in icbs:
                rows.append(
                    {
                        "measure_code": code,
                        "geo_code": icb.code,
                        "period": add_months(start, i),
                        "numerator": v * 10,
                        "denominator": 1000.0,
                        "value": v,
                        "ci_low": None,
                        "ci_high": None,
                        "illustrative": False,
                    }
                )
    frame = pd.DataFrame(rows)
    db.write(lambda cur: measurement_store.write_measurements(cur, frame))


def _stable(n: int, seed: int) -> np.ndarray:
    return (10 + np.random.default_rng(seed).normal(0, 0.4, n)).round(1)


@pytest.fixture
def controlled_db(db):
    """M08 (lower is better) rises in its last 9 months: special-cause concern. M10 (higher
    is better) stays stable: no exception. No plan, so no targets."""
    m08 = np.array([9.8, 10.2] * 12 + [10.3] * 9)  # nine points in a row above the mean
    _write_history(db, {"M08": m08, "M10": _stable(33, 3)})
    return db


def test_exceptions_follow_the_spc_results(controlled_db) -> None:
    deck = build_deck(controlled_db, DeckChoices(today=TODAY))
    exceptions = [s for s in deck.slides if s.kind == "exception"]
    assert [s.key for s in exceptions] == ["exception-M08"]
    only = exceptions[0]
    assert "Special-cause concern (high)" in only.subtitle
    assert "shift above the mean since" in only.subtitle
    assert only.figures, "the exception slide carries the SPC chart"
    assert "special-cause concern" in only.narrative
    assert "what action follows" in only.notes


def test_slides_come_in_board_order(controlled_db) -> None:
    deck = build_deck(controlled_db, DeckChoices(today=TODAY))
    kinds = deck.kinds()
    assert kinds[0] == "title" and kinds[1] == "summary" and kinds[-1] == "closing"
    order = ["title", "summary", "exception", "regions", "benchmark", "plan", "roadmap",
             "scenarios", "closing"]  # fmt: skip
    positions = [order.index(k) for k in kinds]
    assert positions == sorted(positions)
    listing = slide_list(deck)
    assert list(listing["number"]) == list(range(1, len(deck) + 1))


def test_the_summary_matrix_has_a_row_per_measure_with_icons_in_words(controlled_db) -> None:
    deck = build_deck(controlled_db, DeckChoices(today=TODAY))
    table = deck.slides[1].tables[0]
    measures = reference_store.measures(controlled_db)
    assert len(table.data) == len(measures)
    m08 = table.data[table.data["Measure"].str.startswith("M08")].iloc[0]
    assert m08["Variation"] == "H – Concern (high)"
    assert m08["Assurance"] == "No target"
    no_data = table.data[table.data["Measure"].str.startswith("M02")].iloc[0]
    assert no_data["Latest"] == "No data"
    assert table.fills is not None and table.fills.shape == table.data.shape
    assert table.fills.loc[m08.name, "Variation"] != ""


def test_missing_sections_are_listed_with_the_reason(controlled_db) -> None:
    deck = build_deck(controlled_db, DeckChoices(today=TODAY))
    missing = {s.name: s.reason for s in deck.missing()}
    assert "plan" in missing and "no plan" in missing["plan"]
    assert "scenarios" in missing and "no scenarios" in missing["scenarios"]
    included = {s.name for s in deck.sections if s.included}
    assert {"title", "summary", "exceptions", "regions", "closing"} <= included


@pytest.fixture(scope="module")
def seeded(seeded_db_path):
    db = open_database(seeded_db_path, migrate=False)
    yield db
    db.close()


def test_every_section_is_in_the_seeded_deck(seeded) -> None:
    deck = build_deck(seeded, DeckChoices(today=TODAY))
    assert not deck.missing(), [(s.name, s.reason) for s in deck.missing()]
    for kind in ("regions", "benchmark", "plan", "roadmap", "scenarios"):
        assert kind in deck.kinds()
    for slide in deck.slides:
        for fig in slide.figures:
            assert fig.layout.title.text, f"{slide.key}: every chart has a title"
            assert slide.narrative, f"{slide.key}: every chart has a text summary"
            assert not figure_data(fig).empty


@pytest.mark.parametrize("region", [ENGLAND_CODE, LONDON])
def test_seeded_exceptions_match_the_regions_model(seeded, region) -> None:
    """The same SPC results the Regions page shows decide the exception slides."""
    deck = build_deck(seeded, DeckChoices(region=region, today=TODAY))
    plan = plan_store.load_plan(seeded)
    model = build_model(
        measurement_store.all_series(seeded),
        reference_store.measures(seeded),
        reference_store.priority_areas(seeded),
        reference_store.regions(seeded),
        reference_store.icbs(seeded),
        rebases=all_rebases(seeded),
        plan=plan,
    )
    expected = []
    for m in sorted(reference_store.measures(seeded), key=lambda m: (m.area_code, m.code)):
        res = model.results.get((m.code, region))
        cell = model.cell(m.code, region)
        concern = res is not None and str(res.variation_icon).startswith("concern")
        fails = res is not None and res.assurance_icon == AssuranceIcon.FAIL
        sign = -1 if m.polarity == "lower_is_better" else 1
        adrift = (
            cell is not None
            and cell.plan_status == "off trajectory"
            and sign * (cell.plan_value - cell.value) > OFF_TRAJECTORY_MARGIN * abs(cell.plan_value)
        )
        if concern or fails or adrift:
            expected.append(f"exception-{m.code}")
        assert is_exception(model, m.code, region) == (concern or fails or adrift)
    got = [s.key for s in deck.slides if s.kind == "exception"]
    assert got == expected
    assert len(got) >= 1


def test_the_exception_rule_selects_a_handful_and_the_method_slide_states_it(seeded) -> None:
    """Issue 16 case 5: the default England deck made 16 of 17 measures exceptions. The rule
    (concern, an assessable fail, or more than the margin off trajectory) picks a handful,
    and the closing (method) slide says what the rule is."""
    deck = build_deck(seeded, DeckChoices(today=TODAY))
    got = [s for s in deck.slides if s.key.startswith("exception-M")]
    assert 1 <= len(got) <= 6, [s.key for s in got]
    for slide in got:
        assert slide.bullets[0].startswith("Why this is an exception: ")
    closing = next(s for s in deck.slides if s.key == "closing")
    assert f"Exceptions: {EXCEPTION_RULE}" in closing.bullets


def test_region_choice_titles_the_deck_and_compares_its_icss(seeded) -> None:
    deck = build_deck(seeded, DeckChoices(region=LONDON, today=TODAY))
    assert deck.slides[0].title.endswith("London")
    assert deck.slides[1].title == "Summary matrix: London"
    rug = next(s for s in deck.slides if s.key == "regions-rug")
    assert "ICSs of London" in rug.title and rug.figures
    matrix = next(s for s in deck.slides if s.key == "regions-matrix")
    rows = list(matrix.tables[0].data["Geography"])
    london_icbs = {i.name for i in reference_store.icbs(seeded, LONDON)}
    assert rows[:2] == ["England", "London"]
    assert set(rows[2:]) == london_icbs


def test_stamp_names_data_plan_scenarios_version_and_notice(seeded) -> None:
    deck = build_deck(seeded, DeckChoices(today=TODAY))
    stamp = deck.stamp
    latest = plan_store.latest_version_id(seeded)
    assert stamp.data_as_of.isoformat() == measurement_store.get_meta(seeded, "data_as_of")
    assert f"plan version {latest}" in stamp.plan_version
    assert stamp.scenarios and all("(v" in s for s in stamp.scenarios)
    assert stamp.illustrative
    footer = stamp.footer()
    assert "Data as of Oct 2026" in footer and "ILLUSTRATIVE" in footer


def test_an_older_plan_version_and_chosen_scenarios(seeded) -> None:
    versions = plan_store.list_versions(seeded)
    oldest = int(versions["version_id"].min())
    from nlf_planner.store import scenarios as scenario_store

    listing = scenario_store.list_scenarios(seeded)
    one = str(listing["scenario_id"].iloc[-1])
    deck = build_deck(seeded, DeckChoices(plan_version=oldest, scenarios=(one,), today=TODAY))
    assert f"plan version {oldest}" in deck.stamp.plan_version
    assert len(deck.stamp.scenarios) == 1
    with pytest.raises(NotFound, match="does not exist"):
        build_deck(seeded, DeckChoices(plan_version=99_999, today=TODAY))


def test_no_history_gives_a_no_exceptions_slide(db) -> None:
    deck = build_deck(db, DeckChoices(today=TODAY))
    assert [s.key for s in deck.slides if s.kind == "exception"] == ["exceptions-none"]
    assert deck.stamp.data_as_of is None
    assert not deck.stamp.illustrative


def test_exception_slides_say_why_and_what_follows(fresh_seeded_db) -> None:
    """People's notes on the chart and the plan's open milestones for the measure."""
    from nlf_planner.store.annotations import add_annotation

    first = build_deck(fresh_seeded_db, DeckChoices(today=TODAY))
    slide = next(s for s in first.slides if s.kind == "exception")
    code = slide.key.removeprefix("exception-")
    plan = plan_store.load_plan(fresh_seeded_db)
    linked = [m for m in plan.milestones if m.measure_code == code and m.status != "done"]
    actions = [b for b in slide.bullets if b.startswith("Plan action:")]
    assert len(actions) == min(2, len(linked))
    assert all(any(m.title in a for m in linked) for a in actions)
    add_annotation(
        fresh_seeded_db,
        actor="Test presenter",
        period=date(2025, 4, 1),
        text="Regional academies relaunched",
        measure_code=code,
        geo_code=ENGLAND_CODE,
    )
    again = build_deck(fresh_seeded_db, DeckChoices(today=TODAY))
    slide = next(s for s in again.slides if s.key == f"exception-{code}")
    assert any("Regional academies relaunched" in b and "Apr 2025" in b for b in slide.bullets)
    assert "Regional academies relaunched" in slide.notes


@pytest.mark.parametrize("region", [ENGLAND_CODE, LONDON])
def test_exception_narrative_is_the_regions_reading_of_the_same_model(seeded, region) -> None:
    """The words under an exception slide's chart are the Regions page's caption for it."""
    deck = build_deck(seeded, DeckChoices(region=region, today=TODAY))
    model = build_regions_model(seeded, plan_store.load_plan(seeded))
    exceptions = [s for s in deck.slides if s.key.startswith("exception-M")]
    assert exceptions
    for slide in exceptions:
        code = slide.key.removeprefix("exception-")
        assert slide.narrative == regions.reading(model, code, region)


def test_the_headline_slide_names_each_target_and_its_chance(seeded) -> None:
    deck = build_deck(seeded, DeckChoices(today=TODAY))
    slide = next(s for s in deck.slides if s.key == "scenarios-headlines")
    chances = [b for b in slide.bullets if "chance of meeting it" in b]
    assert chances, slide.bullets
    for line in chances:
        assert "plan target" in line
        assert all(f"{label} " in line for label in deck.stamp.scenarios)
        assert "%" in line.split("chance of meeting it:")[1]
    assert all(line in slide.narrative for line in chances)


def test_options_and_cache_key_follow_saved_plans_and_scenarios(fresh_seeded_db) -> None:
    options = deck_options(fresh_seeded_db)
    versions = plan_store.list_versions(fresh_seeded_db)
    assert [p.version_id for p in options.plan_versions] == list(versions["version_id"])
    assert options.latest_plan_version == plan_store.latest_version_id(fresh_seeded_db)
    assert options.scenarios and all(s.version >= 1 for s in options.scenarios)
    before = cache_key(fresh_seeded_db)
    assert cache_key(fresh_seeded_db) == before
    plan = plan_store.load_plan(fresh_seeded_db)
    plan_editing.save_version(
        fresh_seeded_db,
        plan,
        author="Test presenter",
        note="A new version moves the key",
        expected_version_id=plan.version_id,
    )
    after_plan = cache_key(fresh_seeded_db)
    assert after_plan != before
    from nlf_planner.store.annotations import add_rebase

    add_rebase(
        fresh_seeded_db,
        actor="Test presenter",
        measure_code="M08",
        geo_code=ENGLAND_CODE,
        period=date(2025, 4, 1),
        reason="Definition changed",
    )
    after_rebase = cache_key(fresh_seeded_db)
    assert after_rebase != after_plan
    note_id = annotation_service.add_note(
        fresh_seeded_db,
        local_actor("Test presenter"),
        period=date(2025, 6, 1),
        text="New programme cohort started",
        measure_code="M08",
        geo_code=ENGLAND_CODE,
    )
    after_note = cache_key(fresh_seeded_db)
    assert after_note != after_rebase  # exception slides quote the notes
    annotation_service.delete_note(
        fresh_seeded_db, local_actor("Test presenter"), note_id, reason="Added in error"
    )
    assert cache_key(fresh_seeded_db) != after_note  # and a removed note leaves the deck


def test_regions_are_found_by_code_or_name(seeded) -> None:
    assert resolve_region(seeded, None) == ENGLAND_CODE
    assert resolve_region(seeded, LONDON) == LONDON
    assert resolve_region(seeded, "  london ") == LONDON
    assert resolve_region(seeded, "England") == ENGLAND_CODE
    with pytest.raises(NotFound, match="Unknown region 'Atlantis'"):
        resolve_region(seeded, "Atlantis")


def test_england_m05_in_the_board_pack_is_not_assessable_not_a_certain_fail(seeded) -> None:
    """Issue 16 case 1 in the pack: M05 for England is above its target, and the limits
    (fitted across a shift) used to make it "consistently fails"."""
    deck = build_deck(seeded, DeckChoices(today=TODAY))
    data = next(s for s in deck.slides if s.key == "summary").tables[0].data
    m05 = data[data["Measure"].str.startswith("M05")].iloc[0]
    assert "Consistently fails" not in m05["Assurance"]
    assert m05["Assurance"].startswith(
        "N – Not assessable until the limits are rebased: a shift has run since "
    )
    assert "exception-M05" not in [s.key for s in deck.slides]
