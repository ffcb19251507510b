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
