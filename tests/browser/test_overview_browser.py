"""The Overview in Chromium at 1024×768: the driver diagram's text inside its boxes, tiles
not cut, every sparkline an image with alt text (issue 18)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_app_run

#: Each annotation's text box inside one of the diagram's boxes (1 px slack for rounding).
_DIAGRAM = """() => {
    const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const rects = Array.from(plot.querySelectorAll('.shapelayer path'))
        .map(p => p.getBoundingClientRect()).filter(r => r.width > 20 && r.height > 20);
    const texts = Array.from(plot.querySelectorAll('.annotation-text'))
        .map(t => t.getBoundingClientRect());
    const inside = a => rects.some(r => a.left >= r.left - 1 && a.right <= r.right + 1
        && a.top >= r.top - 1 && a.bottom <= r.bottom + 1);
    const outside = texts.filter(a => !inside(a)).length;
    return {width: plot.clientWidth, texts: texts.length, outside: outside};
}"""

_CUT = """() => Array.from(document.querySelectorAll('[data-testid="stMetric"] *'))
    .filter(e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent)"""


@pytest.fixture
def laptop_page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    pg = context.new_page()
    yield pg
    context.close()


def test_at_1024_the_overview_keeps_its_text_inside_boxes_and_tiles(
    app_server, laptop_page
) -> None:
    page = laptop_page
    page.goto(app_server)
    wait_for_app_run(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("[data-testid='stPlotlyChart'] .annotation-text", timeout=30_000)
    diagram = page.evaluate(_DIAGRAM)
    assert diagram["width"] < 700  # the narrow main column this test is about
    assert diagram["texts"] == 15 and diagram["outside"] == 0, diagram
    assert page.evaluate(_CUT) == []  # no metric value or delta cut short in a tile
    images = page.locator("[data-testid='stMarkdown'] img")
    assert images.count() == 9
    alts = [images.nth(i).get_attribute("alt") or "" for i in range(images.count())]
    assert all(a.startswith("Trend over the last ") for a in alts), alts
    screenshot(page, "overview-1024")
