"""The pages and the board deck give the same answer, because each rule has one home.

- Plan targets for a geography and the chance of meeting them: the Scenarios page (AppTest)
  and the deck's scenario headline slide, for a region with no target rows of its own (both
  fall back to England's targets by ``plan.targets_for_geography``).
- The plain-English SPC reading: the Regions page's chart caption and the deck's exception
  slide for the same measure and geography (``spc_reading``).
- Every reading of every measure (SPC variation, assurance including "not assessable" and
  its reason, plan status) on the Overview's tiles, the Regions page's view models (summary
  table, measure view, matrix text) and the deck model, and in the three board packs
  rendered from it (PowerPoint, PDF, HTML).
"""

from __future__ import annotations

import base64
import html
import io
import re
import zlib
from datetime import date

import pytest

from nlf_planner import export, overview
from nlf_planner.deck import DeckChoices
from nlf_planner.deck.icons import SHORT_VARIATION
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import plan_editing, reference, regions_view
from nlf_planner.services.database import open_store
from nlf_planner.services.deck import build_deck
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    VARIATION_LABEL,
    VARIATION_LETTER,
    AssuranceIcon,
    meets_target,
)
from nlf_planner.spc_reading import assurance_reason
from tests.apptest_utils import run_page

TODAY = date(2026, 11, 15)
HUMBER = "E54000051"  # Humber and North Yorkshire ICB
NORTH_EAST_AND_YORKSHIRE = "E40000012"

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
    # The headline table is an st.table (its cells wrap at 1024 px); older layouts used a grid.
    tables = [t.value for t in at.table] + [d.value for d in at.dataframe]
    table = next(t for t in tables if "Chance of target" in t.columns)
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
    # Captions are Markdown with every special character escaped (issue 15): compare the
    # text a reader sees, which is the source without its escaping backslashes.
    captions = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]
    assert slide.narrative in captions, (slide.narrative, captions)


@pytest.fixture(scope="module")
def model(seeded):
    return regions_view.build_regions_model(seeded, plan_editing.load_plan(seeded))


def test_humber_m10_assurance_is_not_assessable_and_points_to_the_rebase(seeded, model) -> None:
    """Issue 16 case 1: Humber and North Yorkshire M10 meets its target and is on
    trajectory, yet its whole-history limits (fitted across a shift) said "[F] will
    consistently fail". Now: not assessable, why, and the suggested rebase."""
    res = model.result("M10", HUMBER)
    cell = model.cell("M10", HUMBER)
    assert cell.plan_status == "on trajectory"
    assert meets_target(res.latest_value, res.target, "higher_is_better")
    assert res.latest("upl") < res.target  # the limits alone put the target out of reach
    assert res.assurance_icon == AssuranceIcon.NOT_ASSESSABLE
    view = regions_view.measure_view(seeded, model, "M10", HUMBER)
    assert view.suggested_rebase is not None
    since = view.suggested_rebase.strftime("%b %Y")
    reason = f"Not assessable until the limits are rebased: a shift has run since {since}"
    assert view.assurance == f"[N] {reason}"
    assert f"The suggested rebase is {since}" in view.reading
    assert "consistently fail" not in view.reading
    row = view.area_table[view.area_table.measure_code == "M10"].iloc[0]
    assert row.assurance == f"[N] {reason}"


def test_no_surface_says_will_fail_of_a_value_that_meets_its_target(model) -> None:
    """Never "will consistently fail" beside a latest value that meets the target (nor "will
    consistently pass" beside one that misses it), for any measure anywhere."""
    checked = 0
    for (code, _geo), res in model.results.items():
        if res.empty or res.target is None:
            continue
        meets = meets_target(res.latest_value, res.target, model.measures[code].polarity)
        if res.assurance_icon == AssuranceIcon.FAIL:
            assert not meets
        if res.assurance_icon == AssuranceIcon.PASS:
            assert meets
        checked += 1
    assert checked > 100


def _pdf_text(data: bytes) -> str:
    """Every string the PDF draws (reportlab: Flate streams, ASCII85-armoured or not,
    cp1252 strings)."""
    pattern = rb"/Filter \[ (/ASCII85Decode )?/FlateDecode \] /Length (\d+)\s*>>\s*stream\r?\n"
    unescape = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"(": b"(", b")": b")", b"\\": b"\\"}
    out = []
    for m in re.finditer(pattern, data):
        raw = data[m.end() : m.end() + int(m.group(2))]
        if m.group(1):
            raw = base64.a85decode(raw.strip().removesuffix(b"~>"))
        try:
            stream = zlib.decompress(raw)
        except zlib.error:
            continue
        for text in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream):
            text = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda e: bytes([int(e[1], 8)]) if e[1][:1].isdigit() else unescape[e[1]],
                text,
            )
            out.append(text.decode("cp1252"))
    return re.sub(r"\s+", " ", " ".join(out))


def _pptx_tables(data: bytes) -> list[list[list[str]]]:
    from pptx import Presentation

    tables = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_table:
                tables.append([[c.text for c in row.cells] for row in shape.table.rows])
    return tables


def _expected(model, code: str, geo: str) -> dict[str, str | None]:
    """The one reading of the shared model: variation, assurance (letter and reason), plan."""
    res, m, cell = model.result(code, geo), model.measures[code], model.cell(code, geo)
    status = cell.get("plan_status")
    return {
        "status": status if isinstance(status, str) else None,
        "variation": VARIATION_LETTER[res.variation_icon],
        "variation_label": VARIATION_LABEL[res.variation_icon],
        "variation_short": SHORT_VARIATION[res.variation_icon],
        "assurance": ASSURANCE_LETTER[res.assurance_icon] if res.assurance_icon else None,
        "assurance_words": (
            (assurance_reason(res, m) or ASSURANCE_LABEL[res.assurance_icon])
            if res.assurance_icon
            else None
        ),
        "reason": assurance_reason(res, m),
        "plan": regions_view.regions_domain.trajectory_text(cell),
    }


@pytest.mark.parametrize("geo", [ENGLAND_CODE, NORTH_EAST_AND_YORKSHIRE])
def test_overview_regions_and_every_board_pack_agree_on_every_reading(seeded, model, geo) -> None:
    deck = build_deck(seeded, DeckChoices(region=geo, today=TODAY))
    summary = next(s for s in deck.slides if s.key == "summary").tables[0].data
    deck_rows = {r.Measure.split(" ")[0]: r for r in summary.itertuples()}
    table = regions_view.regions_domain.summary_table(model, [geo])
    regions_rows = {r.measure_code: r for r in table.itertuples()}
    matrix = regions_view.matrix_view(model, geo, by_measure=True).matrix
    row_name = model.names[geo]
    tiles = {
        t.measure.code: overview.tile_reading(model.cells, t, geo)
        for t in overview.area_tiles(model.areas, list(model.measures.values()), model.series, geo)
    }
    html_text = export.to_html(deck).decode()
    pdf_text = _pdf_text(export.to_pdf(deck, {}))
    pptx_rows = {
        r[1].split(" ")[0]: r for t in _pptx_tables(export.to_pptx(deck, {})) for r in t[1:]
    }
    not_assessable = 0
    for code in model.measures:
        if model.result(code, geo) is None:
            continue
        e = _expected(model, code, geo)
        not_assessable += e["reason"] is not None
        # Regions page: the summary table and the measure view's badges.
        r = regions_rows[code]
        assert r.variation == f"[{e['variation']}] {e['variation_label']}"
        badge = f"[{e['assurance']}] {e['assurance_words']}" if e["assurance"] else "No target"
        assert r.assurance == badge
        assert r.trajectory == e["plan"]
        view = regions_view.measure_view(seeded, model, code, geo)
        assert (view.variation, view.assurance) == (r.variation, r.assurance)
        # The matrix's full text for the cell carries the same assurance words.
        column = next(c for c in matrix.text.columns if c.startswith(f"{code} "))
        full = matrix.text.loc[row_name, column]
        assert (badge in full) == bool(e["assurance"])
        assert (e["status"] or "") in full
        # Deck model: the summary matrix row.
        d = deck_rows[code]
        assert d.Variation == f"{e['variation']} – {e['variation_short']}"
        if e["assurance"]:
            assert d.Assurance.startswith(f"{e['assurance']} – ")
            if e["reason"]:
                assert d.Assurance == f"N – {e['reason']}"
        else:
            assert d.Assurance == "No target"
        assert d.Plan == e["plan"]
        # Overview tile for an area's headline measure.
        if code in tiles:
            tile = tiles[code]
            assert tile.spc == f"SPC: {r.variation}"
            assert tile.assurance == (f"Assurance: {badge}" if e["assurance"] else "")
            if e["status"]:
                assert tile.plan.startswith(f"Plan: {e['status']}")
        # The three packs render the deck's own words for the row.
        for word in (d.Variation, d.Assurance, d.Plan):
            assert html.escape(word) in html_text, (code, word)
            assert word in pdf_text, (code, word)
        assert [d.Variation, d.Assurance, d.Plan] == [pptx_rows[code][i] for i in (7, 8, 4)]
    assert not_assessable, "the default data should have limits fitted across a shift"
