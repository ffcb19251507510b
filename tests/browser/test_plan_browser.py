"""The Plan page in Chromium: edit a target in the grid, save, reload, see the new version."""

from __future__ import annotations

import getpass
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from nlf_planner.store import open_database
from nlf_planner.store import plans as plan_store
from tests.browser.conftest import screenshot, start_app, wait_for_app_run


@pytest.fixture
def plan_server(seeded_db_path, tmp_path):
    """A server of our own, on a private copy, so the save does not touch other tests."""
    path = tmp_path / "plan-browser.duckdb"
    shutil.copy(seeded_db_path, path)
    proc, url = start_app(path)
    yield url, path, proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _edit_first_row_year5(page, value: str) -> None:
    """Select the first row's Year 5 cell with the keyboard, open the editor, type, commit."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # first data row, Measure column
    page.wait_for_timeout(300)
    for _ in range(4):  # Measure → Baseline → Year 1 → Year 3 → Year 5
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # open the cell editor
    page.wait_for_timeout(300)
    page.keyboard.press("Control+a")
    page.keyboard.type(value)
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")  # commit
    wait_for_app_run(page)
    page.wait_for_timeout(300)


def test_edit_a_target_save_and_reload_in_chromium(plan_server, page) -> None:
    url, path, proc = plan_server
    # Open the app's root first: on a just-started server a deep link can reach the page
    # script before app.py has registered st.navigation (the legacy pages/ folder wins).
    page.goto(url)
    wait_for_app_run(page)
    page.goto(f"{url}/plan?area=P5")
    wait_for_app_run(page)
    # Local mode (no [auth], loopback): the one local admin, named after the OS user.
    expect(page.get_by_test_id("stSidebar").get_by_text("Local mode: no sign-in")).to_be_visible()

    _edit_first_row_year5(page, "5.2")  # M08 vacancies, lower is better: 5.7 → 5.2
    cells = page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]")
    expect(cells.nth(0)).to_contain_text("M08")
    expect(cells.nth(4)).to_have_text("5.2")
    note = page.get_by_role("textbox", name="What changed and why")
    note.fill("Steeper fall in executive vacancies")
    note.press("Enter")
    wait_for_app_run(page)
    page.get_by_role("button", name="Save as a new version").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Saved as version 3.").first).to_be_visible()
    screenshot(page, "plan-browser-saved")

    page.reload()
    wait_for_app_run(page)
    expect(page.get_by_text("Version 3 (latest)").first).to_be_visible()
    cells = page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]")
    expect(cells.nth(4)).to_have_text("5.2")
    assert page.get_by_test_id("stException").count() == 0

    page.get_by_role("tab", name="Roadmap").click()
    wait_for_app_run(page)
    assert "tab=Roadmap" in page.url  # a copied link reopens the roadmap
    roadmap = page.get_by_test_id("stPlotlyChart").filter(has_text="Roadmap")
    expect(roadmap.locator(".main-svg").first).to_be_visible()
    screenshot(page, "plan-browser-roadmap")

    proc.terminate()
    proc.wait(timeout=10)
    db = open_database(path)
    try:
        saved = plan_store.load_plan(db)
        assert saved.version_id == 3 and saved.author == getpass.getuser()
        assert saved.target_map()[("M08", "E92000001", 5)] == 5.2
    finally:
        db.close()


@pytest.fixture
def laptop_page(browser):
    """A 1024×768 window (a common projector and small laptop), sidebar open."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    pg = context.new_page()
    yield pg
    context.close()


_SIDEWAYS = """() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"]'))
    .slice(0, 2).map(g => {
        const s = g.querySelector('.dvn-scroller') || g;
        return s.scrollWidth - s.clientWidth;
    })"""


def test_at_1024_the_target_grids_show_every_year_without_scrolling_sideways(
    app_server, laptop_page
) -> None:
    page = laptop_page
    page.goto(app_server)
    wait_for_app_run(page)
    page.goto(f"{app_server}/plan")
    wait_for_app_run(page)
    page.get_by_test_id("stDataFrame").first.wait_for()
    overflow = page.evaluate(_SIDEWAYS)
    assert len(overflow) == 2 and all(px <= 0 for px in overflow), overflow
    screenshot(page, "plan-1024-targets")


def test_typing_straight_onto_a_selected_cell_shows_what_will_be_saved(
    plan_server, laptop_page
) -> None:
    """Issue 18: click a target cell, type "30" and Enter, with no pause between the keys.

    In Chromium the grid's editor opens on the first key and can lose it (measured on a
    clicked cell: no pause or 30-60 ms between keys stored 0; 120 ms, a person's pace,
    stored 30). Either way the page lists the change before and after, and a 0 far from
    the history is not saved at the first press of Save."""
    url, path, proc = plan_server
    page = laptop_page
    page.goto(url)
    wait_for_app_run(page)
    page.goto(f"{url}/plan?area=P5")
    wait_for_app_run(page)
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(800)  # the grid draws after the run ends
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # first data row, Measure column
    page.wait_for_timeout(300)
    for _ in range(4):  # Measure → Baseline → Year 1 → Year 3 → Year 5: selected, not open
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    page.keyboard.type("30")  # straight onto the selected cell, no pause between the keys
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    page.wait_for_timeout(500)
    screenshot(page, "plan-1024-typed")
    stored = grid.locator("[role=gridcell]").nth(4).inner_text().strip()
    # "30" as typed, "0" when the first key was lost, "5.7" when both were (seen at machine
    # speed): whatever the grid kept, the page must say so before anything is saved.
    assert stored in {"30", "0", "5.7"}, stored
    if stored == "5.7":
        expect(page.get_by_text("No unsaved edits.").first).to_be_visible()
        return
    expect(page.get_by_text(f"year 5: 5.7 → {stored}").first).to_be_visible()
    screenshot(page, "plan-1024-typed")
    if stored == "0":
        expect(page.get_by_text("never came near it").first).to_be_visible()
        note = page.get_by_role("textbox", name="What changed and why")
        note.fill("Typed straight onto the cell")
        note.press("Enter")
        wait_for_app_run(page)
        page.get_by_role("button", name="Save as a new version").click()
        wait_for_app_run(page)
        expect(page.get_by_text("Not saved yet").first).to_be_visible()
        db = open_database(path)
        try:
            assert plan_store.latest_version_id(db) == 2
        finally:
            db.close()
