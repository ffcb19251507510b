"""Regions in Chromium: open the matrix, click a tile, see the SPC chart with its icons."""

from __future__ import annotations

import time

from tests.browser.conftest import screenshot, wait_for_app_run


def test_matrix_drills_into_an_spc_chart_with_icons(app_server, page) -> None:
    page.goto(app_server)  # the frame first, as a user arriving at the app would
    wait_for_app_run(page)
    started = time.perf_counter()
    page.goto(f"{app_server}/regions")
    wait_for_app_run(page)
    rug = page.get_by_test_id("stPlotlyChart").first
    rug.locator(".main-svg").first.wait_for(timeout=30_000)
    matrix_s = time.perf_counter() - started
    assert page.get_by_test_id("stException").count() == 0
    tiles = rug.locator(".scatterlayer .trace .points path")  # the heatmap is the backdrop
    assert tiles.count() == 8 * 9  # England + 7 regions × 9 priority areas
    screenshot(page, "regions-browser-matrix")

    tiles.nth(2 * 9 + 5).click(force=True)  # London × P6 (row-major order)
    wait_for_app_run(page)
    page.wait_for_url("**view=Measure**", timeout=30_000)
    wait_for_app_run(page)
    assert "geo=E40000003" in page.url and "measure=M10" in page.url
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.locator(".main-svg").first.wait_for(timeout=30_000)
    title = chart.locator(".gtitle").first.text_content()
    assert title.startswith("Staff trained in improvement")
    icon_text = " ".join(chart.locator(".annotation-text").all_text_contents())
    assert any(letter in icon_text.split() for letter in ("H", "L", "C"))
    assert "Special-cause" in icon_text or "Common-cause" in icon_text
    assert page.get_by_text("in London was", exact=False).first.is_visible()
    screenshot(page, "regions-browser-measure")
    print(f"matrix rendered in {matrix_s:.2f} s")


SIZES = ((1440, 900), (1024, 768))
VIEWS = {
    "Matrix": "",
    "Measure": "?view=Measure&geo=E40000003&measure=M10",
    "Benchmark": "?view=Benchmark&measure=M10",
    "Profile": "?view=Profile&profile=E40000003",
}


def _boxes(locator) -> list[dict]:
    return [b for b in (locator.nth(i).bounding_box() for i in range(locator.count())) if b]


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"] + 0.5
        or b["x"] + b["width"] <= a["x"] + 0.5
        or a["y"] + a["height"] <= b["y"] + 0.5
        or b["y"] + b["height"] <= a["y"] + 0.5
    )


def test_every_view_fits_at_1440_and_1024_with_nothing_cut_or_overlapping(
    app_server, browser
) -> None:
    """Issue 18: at 1024×768 (sidebar open) the rug's headers and tiles must not overlap
    and no chart title may be cut off; screenshots of both sizes are kept."""
    for width, height in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for view, query in VIEWS.items():
            page.goto(f"{app_server}/regions{query}")
            wait_for_app_run(page)
            charts = page.get_by_test_id("stPlotlyChart")
            charts.first.locator(".main-svg").first.wait_for(timeout=30_000)
            assert page.get_by_test_id("stException").count() == 0, (view, width)
            for i in range(charts.count()):
                chart = charts.nth(i)
                chart.scroll_into_view_if_needed()
                box = chart.bounding_box()
                for title in _boxes(chart.locator(".gtitle")):
                    assert title["y"] >= box["y"] - 1, (view, width, "title cut at the top")
                    assert title["x"] + title["width"] <= box["x"] + box["width"] + 1, (
                        view,
                        width,
                        "title cut at the right",
                    )
            if view == "Matrix":
                rug = charts.first
                headers = _boxes(rug.locator(".xtick text"))
                assert len(headers) == 9
                for a, b in zip(headers, headers[1:], strict=False):
                    assert not _overlap(a, b), (width, "column headers overlap")
                tiles = _boxes(rug.locator(".scatterlayer .textpoint"))
                assert len(tiles) == 8 * 9
                for row in range(8):
                    line = tiles[row * 9 : row * 9 + 9]
                    for a, b in zip(line, line[1:], strict=False):
                        assert not _overlap(a, b), (width, row, "tile text overlaps")
            screenshot(page, f"regions-{view.lower()}-{width}x{height}")
        context.close()


def test_the_matrix_opens_a_cell_by_keyboard_alone(app_server, page) -> None:
    """Issue 18: Geography, then Column, then Open chart, in that tab order, with the
    keyboard only; Enter opens the measure view for that cell."""
    page.goto(f"{app_server}/regions")
    wait_for_app_run(page)
    geography = page.get_by_role("combobox", name="Geography")
    geography.focus()
    page.keyboard.type("London")
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    page.keyboard.press("Tab")
    column = page.get_by_role("combobox", name="Column")
    assert column.evaluate("e => e === document.activeElement")
    page.keyboard.type("P6")
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Open chart")
    assert button.evaluate("e => e === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url("**view=Measure**", timeout=30_000)
    wait_for_app_run(page)
    assert "geo=E40000003" in page.url and "measure=M10" in page.url
    screenshot(page, "regions-keyboard-measure")
