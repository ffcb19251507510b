"""Fixed baseline and chart type in Chromium, as the local-mode user (every role): on the
Regions measure view of London's M10 (monthly percent), "Baseline = before launch, compare
after" shows a preview with its reason prefilled, Confirm fixes the limits (the chart's
baseline band and the reading's "fixed" sentence appear), then the measure is put on the
Laney p′-chart with a reason and the page says where its limits come from.

The app runs on a private copy of the seeded data (these tests write), not the session's
shared server, so no other browser test sees the changed limits.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot, start_app, stop, wait_for_app_run

MEASURE_VIEW = "/regions?view=Measure&geo=E40000003&measure=M10"  # London, M10
BASELINE_PANEL = "Fixed baseline (freeze a segment's limits)"
CHART_TYPE_PANEL = "Chart type for this measure (every area)"
SIZES = ((1440, 900), (1024, 768))


@pytest.fixture(scope="module")
def limits_server(seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    target = tmp_path_factory.mktemp("limits-browser") / "nlf.duckdb"
    shutil.copy(seeded_db_path, target)
    proc, url = start_app(target)
    try:
        yield url
    finally:
        stop(proc)


def _chart_words(page) -> str:
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator(".main-svg").first.wait_for(timeout=30_000)
    return " ".join(chart.locator(".annotation-text").all_text_contents())


def _panel(page, title: str):
    """An expander by its visible title (opened if it is closed)."""
    panel = page.get_by_test_id("stExpander").filter(has_text=title)
    details = panel.locator("details")
    if details.get_attribute("open") is None:
        panel.get_by_text(title).click()
        wait_for_app_run(page)
    return panel


def test_before_launch_baseline_and_laney_chart_from_the_measure_view(limits_server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{limits_server}{MEASURE_VIEW}")
    wait_for_app_run(page)
    assert "Baseline: limits fixed" not in _chart_words(page)
    assert page.get_by_text("Limits from: XmR chart").is_visible()

    # Before launch: the button fills a preview; nothing is saved yet.
    panel = _panel(page, BASELINE_PANEL)
    panel.get_by_role("button", name="Baseline = before launch, compare after").click()
    wait_for_app_run(page)
    panel = _panel(page, BASELINE_PANEL)
    assert panel.get_by_text("Preview: the fixed baseline on this chart").is_visible()
    assert panel.get_by_text("(not saved yet)").is_visible()
    reason = panel.get_by_label("Reason (required)")
    assert reason.input_value().startswith("Baseline before the framework's launch (Dec 2016)")
    assert "Baseline: limits fixed" not in _chart_words(page)
    panel.get_by_text("Preview: the fixed baseline on this chart").scroll_into_view_if_needed()
    screenshot(page, "regions-limits-preview-1440x900")

    panel.get_by_role("button", name="Confirm").click()
    wait_for_app_run(page)
    assert page.get_by_text(
        "Baseline fixed: the limits are recalculated on those points."
    ).is_visible()
    assert "Baseline: limits fixed on these 8 points" in _chart_words(page)
    assert "(fixed)" in _chart_words(page)  # the limit labels say so too
    fixed = page.get_by_text("Limits fixed on the 8 points Apr 2016 – Nov 2016", exact=False)
    assert fixed.first.is_visible()
    # the fix is listed with its reason and author, and offered for removal
    panel = _panel(page, BASELINE_PANEL)
    assert panel.get_by_text("Remove a fixed baseline").is_visible()

    # The chart type: Laney p′ for every area of M10, for a stated reason.
    panel = _panel(page, CHART_TYPE_PANEL)
    panel.get_by_text("Laney p′-chart", exact=True).click()
    panel.get_by_label("Reason (required)").fill("Large denominators: overdispersed counts")
    panel.get_by_role("button", name="Confirm").click()
    wait_for_app_run(page)
    assert page.get_by_text("Limits from: Laney p′-chart").is_visible()
    saved = "Saved: this measure's limits now come from the Laney p′-chart, in every area."
    assert page.get_by_text(saved).is_visible()
    words = _chart_words(page)
    assert "Baseline: limits fixed on these 8 points" in words  # the fix still holds
    assert page.get_by_text("Limits from a Laney p′-chart.", exact=False).first.is_visible()
    assert page.get_by_test_id("stException").count() == 0

    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{limits_server}{MEASURE_VIEW}")
        wait_for_app_run(page)
        assert "Baseline: limits fixed on these 8 points" in _chart_words(page)
        assert page.get_by_text("Limits from: Laney p′-chart").is_visible()
        chart = page.get_by_test_id("stPlotlyChart").first
        box = chart.bounding_box()
        assert box["x"] + box["width"] <= width + 1, (width, "chart wider than the window")
        chart.scroll_into_view_if_needed()
        screenshot(page, f"regions-limits-chart-{width}x{height}")
        page.get_by_text("Limits from: Laney p′-chart").scroll_into_view_if_needed()
        screenshot(page, f"regions-limits-panels-{width}x{height}")
        panel = _panel(page, BASELINE_PANEL)  # the fix listed, with its removal
        panel.get_by_text("Remove a fixed baseline").scroll_into_view_if_needed()
        screenshot(page, f"regions-limits-fixes-{width}x{height}")
    context.close()
