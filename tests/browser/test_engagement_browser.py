"""The Engagement page in headless Chromium: the influence/interest map and the events timeline
draw, and a group chosen in the page lands in the URL."""

from tests.browser.conftest import screenshot, wait_for_app_run

CHART = "[data-testid='stPlotlyChart']"


def _visible_chart_text(page) -> str:
    """Text drawn inside the plotly charts that are on screen (hidden tabs excluded)."""
    return " ".join(
        c.text_content() or "" for c in page.locator(f"{CHART} .main-svg").all() if c.is_visible()
    )


def test_map_and_timeline_render(app_server, page) -> None:
    page.goto(f"{app_server}/engagement")
    wait_for_app_run(page)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    text = _visible_chart_text(page)
    for quadrant in ("MANAGE CLOSELY", "KEEP SATISFIED", "KEEP INFORMED", "MONITOR"):
        assert quadrant in text
    assert "NHS England" in text  # a seeded stakeholder's label
    screenshot(page, "engagement-map")

    page.get_by_role("tab", name="Events").click()
    wait_for_app_run(page)
    page.wait_for_function(
        "[...document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\")]"
        ".some(s => s.checkVisibility() && s.textContent.includes('Smith reference group'))",
        timeout=30_000,
    )
    text = _visible_chart_text(page)
    assert "Engagement events and phases by date" in text
    assert "Let's talk talent" in text
    assert "tab=Events" in page.url
    screenshot(page, "engagement-timeline")


def test_group_filter_goes_into_the_url(app_server, page) -> None:
    page.goto(f"{app_server}/engagement")
    wait_for_app_run(page)
    page.get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name="Provider").click()
    page.keyboard.press("Escape")
    wait_for_app_run(page)
    assert "group=Provider" in page.url
    page.wait_for_function(
        "!document.querySelector(\"[data-testid='stPlotlyChart'] .main-svg\")"
        ".textContent.includes('NHS England')",
        timeout=30_000,
    )
    assert "Salford" in _visible_chart_text(page)
